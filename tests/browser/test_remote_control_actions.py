"""Remote control's other actions, end to end: double clicks, keys with their default action, focus, <select>,
checkboxes and radios, scrolling the page and an element, and the service refusing a bad payload."""
from tests.browser.test_remote_control import enable, gid, path, rc_session
from tests.browser.test_session_lifecycle import payloads, wait_event
from tests.conftest import poll

EXTRA = """() => {
  document.querySelector('#checkout-form').insertAdjacentHTML('beforeend',
    '<select id="size"><option value="s">S</option><option value="m">M</option></select>' +
    '<input id="gift" type="checkbox"><input id="r1" type="radio" name="r" checked><input id="r2" type="radio" name="r">' +
    '<div id="box" style="height:60px;overflow:auto"><div style="height:600px">tall</div></div>' +
    '<p id="dbl">double me</p><div style="height:3000px"></div>');
  window.keyLog = [];
  window.submits = 0;
  document.querySelector('#checkout-form').addEventListener('submit', function () { window.submits++; });
  document.querySelector('#dbl').addEventListener('dblclick', function (e) { window.keyLog.push('dblclick:' + e.detail); });
  ['keydown', 'keypress', 'keyup'].forEach(function (t) {
    document.addEventListener(t, function (e) {
      window.keyLog.push(t + ':' + e.key + ':' + e.which + ':' + (e.target.id || e.target.localName) +
                         (e.shiftKey ? ':shift' : ''));
    }, true);
  });
}"""


def act(agents, agent, payload, id=None):
    agents.run(agent.rcevent(payload, id=id))


def answer(agents, agent, name="rcevent"):
    return agents.run(agent.next_event(name))["payload"]


def test_keys_select_checkbox_focus_scroll_dblclick(page, server, agents):
    agent = rc_session(page, server, agents, "rc-actions-1")
    page.evaluate(EXTRA)
    page.wait_for_function("document.querySelector('#dbl').hasAttribute('data-gid')")
    enable(page, agents, agent)
    name, email = gid(page, "#fullname"), gid(page, "#email")

    # focus, then keys without a gid go to the focused field: printable keys type, Backspace deletes
    act(agents, agent, {"type": "focus", "gid": name})
    assert answer(agents, agent) == {"type": "focus", "path": path(page, "#fullname")}
    assert page.evaluate("document.activeElement.id") == "fullname"
    for k in "Jox":
        act(agents, agent, {"type": "key", "key": k})
    act(agents, agent, {"type": "key", "key": "Backspace"})
    for _ in range(4):
        last = answer(agents, agent)
    assert last == {"type": "key", "path": path(page, "#fullname"), "key": "Backspace", "value": "Jo"}
    assert page.input_value("#fullname") == "Jo"
    log = page.evaluate("window.keyLog")
    assert log[:3] == ["keydown:J:74:fullname", "keypress:J:74:fullname", "keyup:J:74:fullname"]
    assert "keydown:Backspace:8:fullname" in log and "keypress:Backspace:8:fullname" not in log

    # Tab moves the focus (leaving the edited field fires inputchange), Shift+Tab moves it back
    act(agents, agent, {"type": "key", "key": "Tab"})
    assert answer(agents, agent)["type"] == "inputchange"
    assert answer(agents, agent)["key"] == "Tab"
    assert page.evaluate("document.activeElement.id") == "email"
    act(agents, agent, {"type": "key", "key": "Tab", "modifiers": {"shift": True}})
    assert answer(agents, agent)["key"] == "Tab"
    assert page.evaluate("document.activeElement.id") == "fullname"
    assert "keydown:Tab:9:email:shift" in page.evaluate("window.keyLog")

    # Enter in a field submits its form (through the submit button); Escape does nothing by default
    act(agents, agent, {"type": "key", "gid": email, "key": "Enter"})
    answer(agents, agent)
    poll(page, "() => window.submits === 1")
    act(agents, agent, {"type": "key", "key": "Escape"})
    assert answer(agents, agent)["key"] == "Escape"

    # <select>: the option's value, with input and change
    act(agents, agent, {"type": "inputchange", "gid": gid(page, "#size"), "value": "m"})
    assert answer(agents, agent) == {"type": "inputchange", "path": path(page, "#size"), "value": "m"}
    assert page.input_value("#size") == "m"
    assert "change:size" in page.evaluate("window.fieldLog") and "input:size" in page.evaluate("window.fieldLog")

    # checkbox and radio toggle with a click
    act(agents, agent, {"type": "click", "gid": gid(page, "#gift")})
    act(agents, agent, {"type": "click", "gid": gid(page, "#r2")})
    answer(agents, agent)
    answer(agents, agent)
    assert page.is_checked("#gift") and page.is_checked("#r2") and not page.is_checked("#r1")

    # double click: two clicks then dblclick
    act(agents, agent, {"type": "dblclick", "gid": gid(page, "#dbl")})
    assert answer(agents, agent) == {"type": "dblclick", "path": path(page, "#dbl")}
    assert "dblclick:2" in page.evaluate("window.keyLog")

    # scrolling: the page (no gid) and a scrolling element; an element that cannot scroll is refused
    act(agents, agent, {"type": "scroll", "x": 0, "y": 500})
    assert answer(agents, agent) == {"type": "scroll", "x": 0, "y": 500}
    assert page.evaluate("window.scrollY") == 500
    act(agents, agent, {"type": "scroll", "gid": gid(page, "#box"), "x": 0, "y": 100})
    assert answer(agents, agent) == {"type": "scroll", "path": path(page, "#box"), "x": 0, "y": 100}
    assert page.evaluate("document.querySelector('#box').scrollTop") == 100
    act(agents, agent, {"type": "scroll", "gid": gid(page, "#dbl"), "x": 0, "y": 10}, id="ns")
    assert answer(agents, agent, "rcrefused") == {"reason": "noscroll", "type": "scroll", "path": path(page, "#dbl")}

    # a key into a masked field is refused with the masked value, and nothing reaches the page
    page.fill("#card", "4111")
    n = len(page.evaluate("window.keyLog"))
    act(agents, agent, {"type": "key", "gid": gid(page, "#card"), "key": "5"})
    assert answer(agents, agent, "rcrefused") == {"reason": "masked", "type": "key", "path": path(page, "#card"),
                                                  "value": "****"}
    assert page.input_value("#card") == "4111" and len(page.evaluate("window.keyLog")) == n

    # every rcevent the page heard fits the catalogue (data-check-payloads) and is plain data
    types = [p["type"] for p in payloads(page, "rcevent")]
    assert {"focus", "key", "inputchange", "click", "dblclick", "scroll"} <= set(types)
    assert page.console.errors == []


def test_the_service_answers_a_bad_payload_with_a_protocol_error(page, server, agents):
    agent = rc_session(page, server, agents, "rc-actions-2")
    enable(page, agents, agent)
    act(agents, agent, {"type": "key", "key": "F13"})
    agents.run(agent.wait_until(lambda a: a.errors))
    err = agent.errors[-1]
    assert err["code"] == "bad_frame" and "rcevent key.key must be one of" in err["msg"]
    act(agents, agent, {"type": "hover", "gid": 1})
    agents.run(agent.wait_until(lambda a: len(a.errors) == 2))
    assert "rcevent.type must be one of" in agent.errors[-1]["msg"]
    # the visitor never saw them, and the session goes on
    act(agents, agent, {"type": "focus", "gid": gid(page, "#fullname")}, id="f")
    assert agents.run(agent.next_event("rcevent"))["ref"] == "f"
    assert [p["type"] for p in payloads(page, "rcevent")] == ["focus"]
    wait_event(page, "rcevent")
