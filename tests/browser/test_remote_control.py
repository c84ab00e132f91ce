"""Remote control with consent, end to end: the visitor page in Chromium, the real service, a Python agent."""
from tests.browser.test_cobrowse_view import rebuild
from tests.browser.test_session_lifecycle import names, payloads, shop, start, wait_event

RC_PROBE = """() => {
  window.rc = null;
  window.fieldLog = [];
  GLANCE.Cobrowse.Visitor.addEventListener('rcrequested', function (p) { window.rc = p; });
  ['input', 'change', 'click'].forEach(function (t) {
    document.addEventListener(t, function (ev) {
      if (ev.target && ev.target.id) window.fieldLog.push(t + ':' + ev.target.id);
    }, true);
  });
}"""


def gid(page, selector):
    return int(page.get_attribute(selector, "data-gid"))


def path(page, selector):
    return '[data-gid="%d"]' % gid(page, selector)


def field_log(page):
    return page.evaluate("window.fieldLog")


def rc_session(page, server, agents, key, where="/checkout"):
    shop(page, server, where)
    page.evaluate(RC_PROBE)
    start(page, key)
    agent = agents.agent(server.url, key)
    wait_event(page, "agents", 2)
    return agent


def request(page, agents, agent, id="req-1"):
    agents.run(agent.rcrequest(id=id))
    page.wait_for_function("window.rc !== null")


def enable(page, agents, agent):
    request(page, agents, agent)
    page.evaluate("window.rc.accept()")
    ev = agents.run(agent.next_event("rcaccepted"))
    assert ev["ref"] == "req-1"
    assert agents.run(agent.next_event("rcenabled"))["payload"] == {"enabled": True}
    wait_event(page, "rcenabled")


def rc(agents, agent, type_, p, value=None, id=None):
    payload = {"type": type_, "path": p}
    if value is not None:
        payload["value"] = value
    agents.run(agent.rcevent(payload, id=id))


def test_consent_accepted_typing_click_inputchange(page, server, agents):
    agent = rc_session(page, server, agents, "rc-accept-1")
    request(page, agents, agent)
    assert page.evaluate("[typeof window.rc.accept, typeof window.rc.decline]") == ["function", "function"]
    page.evaluate("window.rc.accept(); window.rc.accept(); window.rc.decline()")
    assert agents.run(agent.next_event("rcaccepted"))["ref"] == "req-1"
    assert agents.run(agent.next_event("rcenabled"))["payload"] == {"enabled": True}
    wait_event(page, "rcenabled")
    page.wait_for_timeout(200)
    assert names(page).count("rcaccepted") == 1 and "rcdeclined" not in names(page)
    assert payloads(page, "rcenabled") == [{"enabled": True}]

    # typing: the whole value after each keystroke, real input events
    name = path(page, "#fullname")
    for v in ("J", "Jo", "Joe"):
        rc(agents, agent, "agenttyping", name, v)
    wait_event(page, "rcevent", 3)
    assert page.input_value("#fullname") == "Joe"
    typing = payloads(page, "rcevent")
    assert [e["value"] for e in typing] == ["J", "Jo", "Joe"]
    a = typing[0]["agent"]
    assert typing[0]["type"] == "agenttyping" and typing[0]["path"] == name
    assert a["username"] == "janet.glance.net" and isinstance(a["puid"], str) and a["num"] >= 1
    assert page.evaluate("(p) => document.querySelector(p).id", name) == "fullname"
    assert field_log(page).count("input:fullname") == 3
    assert agents.run(agent.next_event("rcevent"))["payload"] == {"type": "agenttyping", "path": name, "value": "J"}

    # the agent leaves the field explicitly: inputchange + a real change event
    rc(agents, agent, "inputchange", name)
    wait_event(page, "rcevent", 4)
    last = payloads(page, "rcevent")[-1]
    assert last["type"] == "inputchange" and last["path"] == name and "value" not in last
    assert "change:fullname" in field_log(page)

    # inputchange without an edit is refused
    rc(agents, agent, "inputchange", name, id="ic-2")
    ev = agents.run(agent.next_event("rcrefused"))
    assert ev["payload"]["reason"] == "notedited" and ev["ref"] == "ic-2"

    # typing into email then clicking the button: leaving the field fires inputchange first, then the click
    email = path(page, "#email")
    rc(agents, agent, "agenttyping", email, "j@example.com")
    wait_event(page, "rcevent", 5)
    button = path(page, "#place-order")
    rc(agents, agent, "click", button)
    wait_event(page, "rcevent", 7)
    tail = payloads(page, "rcevent")[-2:]
    assert [e["type"] for e in tail] == ["inputchange", "click"]
    assert tail[0]["path"] == email and tail[1]["path"] == button and "value" not in tail[1]
    assert "click:place-order" in field_log(page)
    assert field_log(page).count("change:email") == 1

    # the visitor leaving an edited field (focus moves) also fires inputchange
    rc(agents, agent, "agenttyping", name, "Joey")
    wait_event(page, "rcevent", 8)
    page.click("h1")
    wait_event(page, "rcevent", 9)
    assert payloads(page, "rcevent")[-1]["type"] == "inputchange"
    assert page.console.errors == []


def test_masked_fields_and_passwords_are_refused(page, server, agents):
    agent = rc_session(page, server, agents, "rc-mask-1")
    enable(page, agents, agent)
    page.fill("#card", "4111")
    page.evaluate("window.fieldLog = []")
    page.evaluate("document.querySelector('#cvv').insertAdjacentHTML('afterend', "
                  "'<span glance_masked><input id=\"inner\" value=\"x\"></span>')")
    page.wait_for_function("document.querySelector('#inner').hasAttribute('data-gid')")
    # each refusal carries the field's value as the agent's copy shows it (masked): the console puts it back
    cases = [("#card", "masked", "****"), ("#cvv", "masked", ""), ("#password", "password", ""),
             ("#inner", "masked", "*")]
    for i, (sel, reason, shown) in enumerate(cases):
        rc(agents, agent, "agenttyping", path(page, sel), "1234", id="t%d" % i)
        ev = agents.run(agent.next_event("rcrefused"))
        assert ev["ref"] == "t%d" % i
        assert ev["payload"] == {"reason": reason, "type": "agenttyping", "path": path(page, sel), "value": shown}
    # clicks on masked elements are refused too
    rc(agents, agent, "click", path(page, "#card"), id="c1")
    assert agents.run(agent.next_event("rcrefused"))["payload"]["reason"] == "masked"
    page.wait_for_timeout(200)
    assert page.input_value("#card") == "4111"
    assert page.input_value("#cvv") == "" and page.input_value("#password") == ""
    assert page.input_value("#inner") == "x"
    assert "rcevent" not in names(page)
    assert not [e for e in field_log(page) if e.startswith("input:")]
    # unknown elements and bad payloads
    rc(agents, agent, "click", '[data-gid="999999"]', id="nf")
    assert agents.run(agent.next_event("rcrefused"))["payload"]["reason"] == "notfound"
    rc(agents, agent, "click", "#fullname", id="bad")
    assert agents.run(agent.next_event("rcrefused"))["payload"]["reason"] == "badpayload"
    assert page.console.errors == []


def test_consent_declined_and_double_calls(page, server, agents):
    agent = rc_session(page, server, agents, "rc-decline-1")
    request(page, agents, agent, id="ask-1")
    page.evaluate("window.rc.decline(); window.rc.decline(); window.rc.accept()")
    ev = agents.run(agent.next_event("rcdeclined"))
    assert ev["ref"] == "ask-1"
    wait_event(page, "rcdeclined")
    page.wait_for_timeout(300)
    assert names(page).count("rcdeclined") == 1
    assert "rcaccepted" not in names(page) and "rcenabled" not in names(page)
    rc(agents, agent, "agenttyping", path(page, "#fullname"), "x", id="no")
    ev = agents.run(agent.next_event("rcrefused"))
    assert ev["payload"]["reason"] == "notenabled" and ev["ref"] == "no"
    assert page.input_value("#fullname") == ""
    assert not [e for e in agent._events if e["name"] == "rcaccepted"]


def test_rc_survives_navigation_until_agent_or_visitor_ends_it(page, server, agents):
    agent = rc_session(page, server, agents, "rc-nav-1", where="/")
    enable(page, agents, agent)
    page.click("#nav-product")
    page.wait_for_function("window.demoAttached === true && location.pathname === '/product'")
    wait_event(page, "rcenabled")
    assert payloads(page, "rcenabled") == [{"enabled": True}]
    assert agents.run(agent.next_event("rcenabled"))["payload"] == {"enabled": True}
    page.evaluate(RC_PROBE)
    page.wait_for_function("document.querySelector('#add-to-cart') && "
                           "document.querySelector('#add-to-cart').hasAttribute('data-gid')")
    rc(agents, agent, "click", path(page, "#add-to-cart"))
    wait_event(page, "rcevent")
    assert payloads(page, "rcevent")[0]["type"] == "click"
    assert "click:add-to-cart" in field_log(page)

    # paused: nothing is done and nothing of the page is reported
    agents.run(agent.pause({"paused": True}, id="pz"))
    wait_event(page, "sessionpaused")
    ev = agents.run(agent.next_event("sessionpaused"))
    assert ev["payload"] == {"paused": True} and ev["ref"] == "pz"
    rc(agents, agent, "click", path(page, "#add-to-cart"), id="p1")
    ev = agents.run(agent.next_event("rcrefused"))
    assert ev["payload"]["reason"] == "paused"
    agents.run(agent.pause({"paused": False}))
    wait_event(page, "sessionpaused", 2)
    assert len(payloads(page, "rcevent")) == 1

    # the agent ends remote control
    agents.run(agent.rcend(id="end-1"))
    wait_event(page, "rcenabled", 2)
    assert payloads(page, "rcenabled")[-1] == {"enabled": False}
    ev = agents.run(agent.next_event("rcenabled"))
    while ev["payload"].get("enabled"):
        ev = agents.run(agent.next_event("rcenabled"))
    assert ev["payload"] == {"enabled": False, "by": "agent"} and ev["ref"] == "end-1"
    rc(agents, agent, "click", path(page, "#add-to-cart"))
    assert agents.run(agent.next_event("rcrefused"))["payload"]["reason"] == "notenabled"

    # it stays off on the next page
    page.click("#nav-home")
    page.wait_for_function("window.demoAttached === true && location.pathname === '/'")
    wait_event(page, "statereceived")
    page.wait_for_timeout(200)
    assert "rcenabled" not in names(page)

    # asked again and accepted; then the visitor turns it off
    page.evaluate(RC_PROBE)
    request(page, agents, agent, id="req-2")
    page.evaluate("window.rc.accept()")
    wait_event(page, "rcenabled")
    assert page.evaluate("window.__glanceRcStop()") is True
    wait_event(page, "rcenabled", 2)
    assert payloads(page, "rcenabled") == [{"enabled": True}, {"enabled": False}]
    found = None
    for _ in range(4):
        ev = agents.run(agent.next_event("rcenabled"))
        if ev["payload"] == {"enabled": False, "by": "visitor"}:
            found = ev
            break
    assert found is not None
    assert page.console.errors == []


# /lab: elements inside a same-origin iframe and an open shadow root, named by data-gid.
LAB_GID = """([where, sel]) => {
  const root = where === 'frame' ? document.getElementById('lab-frame').contentDocument
             : where === 'shadow' ? document.getElementById('lab-host').shadowRoot
             : where === 'late' ? document.getElementById('late-host').shadowRoot : document;
  const el = root && root.querySelector(sel);
  return el && el.hasAttribute('data-gid') ? Number(el.getAttribute('data-gid')) : null;
}"""
ALL_GIDS = """() => {
  const out = [];
  function scan(root) {
    root.querySelectorAll('*').forEach((el) => {
      out.push(el.getAttribute('data-gid'));
      if (el.shadowRoot) scan(el.shadowRoot);
      if (el.localName === 'iframe' && el.contentDocument) scan(el.contentDocument);
    });
  }
  scan(document);
  return out;
}"""
FRAME_PROBE = """() => {
  const d = document.getElementById('lab-frame').contentDocument;
  d.defaultView.frameLog = [];
  ['input', 'change'].forEach((t) => d.addEventListener(t, (ev) => d.defaultView.frameLog.push(t + ':' + ev.target.id), true));
}"""


def lab_gid(page, where, sel):
    page.wait_for_function("(a) => (" + LAB_GID + ")(a) !== null", arg=[where, sel])
    return page.evaluate(LAB_GID, [where, sel])


def lab_path(page, where, sel):
    return '[data-gid="%d"]' % lab_gid(page, where, sel)


def frame_value(page, sel):
    return page.evaluate("(s) => document.getElementById('lab-frame').contentDocument.querySelector(s).value", sel)


def test_rc_inside_same_origin_frame_and_shadow_root(page, server, agents):
    agent = rc_session(page, server, agents, "rc-lab-1", where="/lab")
    enable(page, agents, agent)
    plain = lab_path(page, "frame", "#frame-plain")
    secret = lab_path(page, "frame", "#frame-secret")
    button = lab_path(page, "shadow", "#shadow-button")
    password = lab_path(page, "shadow", "#shadow-secret")
    gids = page.evaluate(ALL_GIDS)
    assert None not in gids and len(set(gids)) == len(gids)      # one numbering space, every element

    # the capture names those elements by the same ids (the agent's copy sends them back as rcevent paths)
    agents.run(agent.wait_until(lambda a: any(e["name"] == "dom_snapshot" for e in a._events)))
    _, records = rebuild([e["payload"] for e in agent._events if e["name"] == "dom_snapshot"])
    by_id = {r[2]["id"]: r[0] for r in records if len(r) >= 3 and isinstance(r[2], dict) and "id" in r[2]}
    assert '[data-gid="%d"]' % by_id["frame-plain"] == plain
    assert '[data-gid="%d"]' % by_id["shadow-button"] == button

    # typing into the frame's input: real input events in the frame, the value set
    page.evaluate(FRAME_PROBE)
    for v in ("F", "Fr", "Fra"):
        rc(agents, agent, "agenttyping", plain, v)
    wait_event(page, "rcevent", 3)
    assert frame_value(page, "#frame-plain") == "Fra"
    assert page.evaluate("document.getElementById('lab-frame').contentWindow.frameLog").count("input:frame-plain") == 3
    assert agents.run(agent.next_event("rcevent"))["payload"] == {"type": "agenttyping", "path": plain, "value": "F"}

    # a click inside the shadow root: the page's handler runs; leaving the frame field fires inputchange
    rc(agents, agent, "click", button)
    page.wait_for_function("document.getElementById('lab-host').shadowRoot"
                           ".getElementById('shadow-clicks').textContent === '1 click'")
    wait_event(page, "rcevent", 5)
    assert [e["type"] for e in payloads(page, "rcevent")[-2:]] == ["inputchange", "click"]
    assert payloads(page, "rcevent")[-1]["path"] == button
    assert "change:frame-plain" in page.evaluate("document.getElementById('lab-frame').contentWindow.frameLog")

    # masked inside the frame and a password inside the shadow root: refused, nothing changes
    rc(agents, agent, "agenttyping", secret, "1234", id="fs")
    ev = agents.run(agent.next_event("rcrefused"))
    assert ev["ref"] == "fs" and ev["payload"] == {"reason": "masked", "type": "agenttyping", "path": secret,
                                                "value": ""}
    rc(agents, agent, "agenttyping", password, "1234", id="sp")
    assert agents.run(agent.next_event("rcrefused"))["payload"]["reason"] == "password"
    rc(agents, agent, "click", secret, id="fc")
    assert agents.run(agent.next_event("rcrefused"))["payload"]["reason"] == "masked"
    assert frame_value(page, "#frame-secret") == ""
    assert page.evaluate("document.getElementById('lab-host').shadowRoot.getElementById('shadow-secret').value") == ""

    # the frame reloads: its new elements get new ids from the same counter, and typing works there
    page.evaluate("document.getElementById('lab-frame').contentWindow.location.reload()")
    page.wait_for_function("(() => { const d = document.getElementById('lab-frame').contentDocument;"
                           " const el = d && d.getElementById('frame-plain');"
                           " return el && el.hasAttribute('data-gid') && el.value === ''; })()")
    plain2 = lab_path(page, "frame", "#frame-plain")
    assert plain2 != plain
    gids = page.evaluate(ALL_GIDS)
    assert None not in gids and len(set(gids)) == len(gids)
    rc(agents, agent, "agenttyping", plain, "old", id="old")
    assert agents.run(agent.next_event("rcrefused"))["payload"]["reason"] == "notfound"
    rc(agents, agent, "agenttyping", plain2, "again")
    page.wait_for_function("document.getElementById('lab-frame').contentDocument"
                           ".getElementById('frame-plain').value === 'again'")

    # a shadow root on an element added later
    page.evaluate("""() => {
      const h = document.createElement('div'); h.id = 'late-host';
      const r = h.attachShadow({mode: 'open'});
      r.innerHTML = '<button id="late-button">Late</button>';
      r.getElementById('late-button').addEventListener('click', () => { window.lateClicked = true; });
      document.body.appendChild(h);
    }""")
    late = lab_path(page, "late", "#late-button")
    rc(agents, agent, "click", late)
    page.wait_for_function("window.lateClicked === true")
    gids = page.evaluate(ALL_GIDS)
    assert None not in gids and len(set(gids)) == len(gids)
    assert page.console.errors == []
