"""The cobrowse view end to end: masked capture on the visitor page in Chromium, the real service, agents.

The masking tests record every frame the visitor page writes to the session
service's WebSocket (Playwright's `framesent`, the bytes on the wire) and
every frame a Python agent receives from the service, and assert that no
masked value, password, hidden value or masked image URL is in any of them.
"""
import json

from tests.browser.test_session_lifecycle import shop, start, wait_event
from tests.conftest import poll_wait_for_function

SECRETS = {
    "card": "4111111111111111",
    "cvv": "Cv9Zq",
    "password": "Hunter2Secret",
    "revealed": "ShownPw77",
    "hidden": "HiddenToken55",
    "later": "LaterSecret31",
    "group": "GroupSelectorSecret",
    "text": "MaskedTextSecret",
    "image": "secret-photo-9.png",
    "link": "secret-link-path",
    "typedlater": "TypedLater8812",
    "descriptor": "DescriptorSecret",
}


class Wire:
    """Every WebSocket frame a page sends and receives (the text on the wire)."""

    def __init__(self, page):
        self.sent = []
        self.received = []

        def on_ws(ws):
            ws.on("framesent", lambda payload: self.sent.append(payload if isinstance(payload, str) else str(payload)))
            ws.on("framereceived", lambda payload: self.received.append(payload if isinstance(payload, str)
                                                                          else str(payload)))
        page.on("websocket", on_ws)

    def events(self, name):
        out = []
        for text in self.sent:
            try:
                f = json.loads(text)
            except ValueError:
                continue
            if f.get("type") == "visitor_event" and f.get("name") == name:
                out.append(f)
        return out


def agent_events(agent, name):
    return [e for e in agent._events if e.get("name") == name]


def wait_for(page, fn, timeout=8000, step=50):
    waited = 0
    while waited < timeout:
        if fn():
            return True
        page.wait_for_timeout(step)
        waited += step
    raise AssertionError("condition not met in %d ms" % timeout)


def rebuild(frames):
    """The latest complete snapshot from dom_snapshot payloads: {gid: (tag, text of direct children)}."""
    by = {}
    for p in frames:
        by.setdefault(p["s"], {})[p["i"]] = p
    s = max(by)
    parts = by[s]
    n = parts[0]["n"]
    assert sorted(parts) == list(range(n))
    records = [r for i in range(n) for r in parts[i]["nodes"]]
    return parts[0]["meta"], records


def test_snapshot_reaches_agent_masked_on_the_wire(page, server, agents):
    wire = Wire(page)
    shop(page, server, "/checkout")
    # Before the session: a masked image and link, a group-selector element, a hidden input, masked text.
    page.evaluate("""(s) => {
      const f = document.getElementById('checkout-form');
      f.insertAdjacentHTML('beforeend',
        '<input type="hidden" name="token" value="' + s.hidden + '">' +
        '<div class="glance_masked" id="masked-box"><p>' + s.text + '</p>' +
        '<img src="/static/' + s.image + '" alt="' + s.text + '">' +
        '<a href="/' + s.link + '">' + s.text + '</a></div>' +
        '<p id="card-number">' + s.group + '</p>' +
        '<p id="plain">Visible text</p>');
    }""", SECRETS)
    page.fill("#card", SECRETS["card"])
    page.fill("#cvv", SECRETS["cvv"])
    page.fill("#password", SECRETS["password"])
    page.fill("#fullname", "Joe Visible")
    start(page, "view-mask-1")
    agent = agents.agent(server.url, "view-mask-1")
    agents.run(agent.wait_until(lambda a: agent_events(a, "dom_snapshot")))
    wait_for(page, lambda: wire.events("dom_snapshot"))
    meta, records = rebuild([e["payload"] for e in agent_events(agent, "dom_snapshot")])
    assert meta["url"].endswith("/checkout?check=1") and meta["masked"] is False
    texts = [r[1] for r in records if len(r) == 2]
    assert "Visible text" in texts
    card = [r for r in records if len(r) >= 3 and r[2] and r[2].get("id") == "card"][0]
    assert card[4]["v"] == "*" * len(SECRETS["card"])
    full = [r for r in records if len(r) >= 3 and r[2] and r[2].get("id") == "fullname"][0]
    assert full[4]["v"] == "Joe Visible"
    gids = {r[0] for r in records if len(r) >= 3}
    assert int(page.get_attribute("#card", "data-gid")) in gids

    # After load: typing into masked fields, a show-password toggle, fields added later.
    page.fill("#card", SECRETS["card"] + "9")
    page.type("#cvv", "1")
    page.evaluate("document.getElementById('password').type = 'text'")
    page.fill("#password", SECRETS["revealed"])
    page.evaluate("""(s) => {
      document.body.insertAdjacentHTML('beforeend',
        '<div id="later"><input id="later-in" glance_masked value="' + s.later + '">' +
        '<span class="glance_masked">' + s.later + '</span></div>');
      const h = document.createElement('input'); h.type = 'hidden'; h.value = s.hidden; document.body.appendChild(h);
      document.querySelector('#masked-box p').textContent = s.text + '2';
    }""", SECRETS)
    page.type("#later-in", SECRETS["typedlater"])
    page.fill("#fullname", "Joe Visible Later")
    wait_for(page, lambda: any("Joe Visible Later" in t for t in wire.sent))
    agents.run(agent.wait_until(lambda a: any("Joe Visible Later" in json.dumps(e) for e in a._events)))
    everything = "\n".join(wire.sent + wire.received) + json.dumps(agent._events)
    for name, secret in SECRETS.items():
        if name == "descriptor":
            continue
        assert secret not in everything, name + " leaked"
    assert "*" * len(SECRETS["card"] + "9") in everything
    assert page.evaluate("GLANCE.Cobrowse.Visitor.isPageMasked()") is False
    assert page.console.errors == []


MASKED_SEL = "[glance_masked], .glance_masked, input[type=password], #card-number"

# [gid, tag, parent gid, direct text, value] of every element with a data-gid under <body>;
# text and values inside masked elements are compared as the asterisks the agent must see.
SHAPE_JS = """([doc, maskSel]) => {
  const d = doc === 'copy' ? window.agentReplay.doc() : document;
  if (!d || !d.body) return null;
  const star = (s) => s.replace(/\\S/g, '*');
  const BLOCKED = ['script', 'object', 'embed', 'applet', 'base', 'frame', 'frameset', 'noembed', 'param'];
  const out = [];
  for (const el of d.body.querySelectorAll('[data-gid]')) {
    const m = maskSel && el.closest(maskSel) !== null;
    // the copy keeps an inert, empty <glance-blocked> where the page has a script, object, embed or base
    const tag = BLOCKED.includes(el.localName) ? 'glance-blocked' : el.localName;
    let text = '';
    if (tag !== 'glance-blocked') for (const c of el.childNodes) if (c.nodeType === 3) text += c.data;
    let value = null;
    if (el.localName === 'input' || el.localName === 'textarea') {
      value = (el.type === 'checkbox' || el.type === 'radio') ? el.checked : (el.type === 'hidden' ? null : el.value);
      if (m && typeof value === 'string') value = star(value);
    }
    const p = el.parentElement ? el.parentElement.getAttribute('data-gid') : null;
    out.push([el.getAttribute('data-gid'), tag, p, m ? star(text) : text, value]);
  }
  return out;
}"""


def open_console(context, server, key):
    console = poll_wait_for_function(context.new_page())   # the console's CSP: no in-page polling
    console.set_default_timeout(10000)
    console.errors = []
    console.on("pageerror", lambda e: console.errors.append(str(e)))
    console.goto(server.url + "/agent")
    console.wait_for_function("!!window.agentConsole && !!window.agentReplay")
    console.click("#login-submit")
    console.wait_for_selector("#sessions-panel:not([hidden])")
    console.fill("#join-key", key)
    console.click("#join-key-submit")
    return console


def assert_copy_matches(page, console, timeout=8000):
    last = [None, None]

    def same():
        want = page.evaluate(SHAPE_JS, ["page", MASKED_SEL])
        got = console.evaluate(SHAPE_JS, ["copy", None])
        last[:] = [want, got]
        return got is not None and want == got
    try:
        wait_for(console, same, timeout=timeout, step=100)
    except AssertionError:
        want, got = last
        diff = [(a, b) for a, b in zip(want or [], got or []) if a != b][:5]
        raise AssertionError("copy differs: %d vs %d elements; first differences %r" % (
            len(want or []), len(got or []), diff))
    return last[0]


def test_agent_copy_follows_changes_inputs_and_navigation(page, context, server):
    shop(page, server, "/checkout")
    start(page, "view-copy-1")
    console = open_console(context, server, "view-copy-1")
    console.wait_for_function("window.agentReplay.snapshots >= 1")
    shape = assert_copy_matches(page, console)
    assert len(shape) > 20
    # the copy is sandboxed: no scripts, same-origin only
    assert console.get_attribute("#replay-frame", "sandbox") == "allow-same-origin"

    # scripted DOM changes: add, remove, move, text, attributes, new fields; and typing
    page.evaluate("""() => {
      const f = document.getElementById('checkout-form');
      const ul = document.createElement('ul'); ul.id = 'list';
      for (let i = 0; i < 30; i++) { const li = document.createElement('li'); li.textContent = 'item ' + i; ul.appendChild(li); }
      f.appendChild(ul);
      document.querySelector('h1').textContent = 'Checkout now';
      document.getElementById('email').setAttribute('placeholder', 'you@example.com');
      f.insertAdjacentHTML('beforeend', '<label><input type="checkbox" id="terms"> terms</label>' +
        '<textarea id="notes"></textarea><div class="glance_masked"><span>masked later</span></div>');
    }""")
    page.wait_for_timeout(50)
    page.evaluate("""() => {
      const ul = document.getElementById('list');
      ul.removeChild(ul.children[3]);
      ul.insertBefore(ul.children[10], ul.firstChild);   // a move
      ul.children[5].firstChild.data = 'changed text';
      ul.children[6].className = 'glance_masked';        // becomes masked
      document.getElementById('place-order').remove();
    }""")
    page.fill("#fullname", "Joe Copy")
    page.fill("#card", "4242424242424242")
    page.check("#terms")
    page.fill("#notes", "multi\nline")
    page.mouse.move(40, 50)
    assert_copy_matches(page, console)
    console.wait_for_function("window.agentReplay.pointer && window.agentReplay.pointer[0] === 40")
    copy_card = console.evaluate("window.agentReplay.doc().getElementById('card').value")
    assert copy_card == "*" * 16

    # navigation: the next page of the session replaces the copy
    page.click("#nav-product")
    page.wait_for_function("window.demoAttached === true && location.pathname === '/product'")
    console.wait_for_function("window.agentReplay.lastSnapshot && window.agentReplay.lastSnapshot.url.includes('/product')")
    assert_copy_matches(page, console)
    assert console.errors == [] and page.console.errors == []
    assert console.evaluate("window.agentReplay.errors") == []


def test_invalid_selector_masks_the_page_and_descriptor_adds_selectors(page, server, agents):
    wire = Wire(page)
    shop(page, server, "/checkout")
    page.evaluate("""(s) => {
      document.body.insertAdjacentHTML('beforeend', '<p class="desc-secret">' + s.descriptor + '</p><p id="plain2">Plain words</p>');
      window.GLANCE_COBROWSE = window.GLANCE_COBROWSE || {};
      window.GLANCE_COBROWSE.getMaskingDescriptor = () => Promise.resolve({maskedSelectors: ['.desc-secret']});
    }""", SECRETS)
    start(page, "view-desc-1")
    agent = agents.agent(server.url, "view-desc-1")
    agents.run(agent.wait_until(lambda a: agent_events(a, "dom_snapshot")))
    _, records = rebuild([e["payload"] for e in agent_events(agent, "dom_snapshot")])
    texts = [r[1] for r in records if len(r) == 2]
    assert "Plain words" in texts and "*" * len(SECRETS["descriptor"]) in texts
    assert page.evaluate("GLANCE.Cobrowse.Visitor.isPageMasked()") is False

    # a selector the browser cannot parse: maskingerror (and one warning), the whole page masked, nothing leaks
    page.console.expect("GLANCE: invalid masking selector 'div['")
    page.evaluate("""() => {
      window.GLANCE_COBROWSE.getMaskingDescriptor = () => Promise.resolve({maskedSelectors: ['div[']});
    }""")
    agents.run(agent.action("resync", {}))
    wait_event(page, "error")
    errors = [json.loads(e["payload"]) for e in page.evaluate("window.demoEvents") if e["name"] == "error"]
    assert errors[-1]["code"] == "maskingerror" and "div[" in errors[-1]["msg"]
    assert page.evaluate("GLANCE.Cobrowse.Visitor.isPageMasked()") is True
    agents.run(agent.wait_until(lambda a: len({e["payload"]["s"] for e in agent_events(a, "dom_snapshot")}) >= 2))
    snaps = [e["payload"] for e in agent_events(agent, "dom_snapshot")]
    last = max(p["s"] for p in snaps)
    meta, records = rebuild([p for p in snaps if p["s"] == last])
    assert meta["masked"] is True
    texts = [r[1] for r in records if len(r) == 2]
    assert texts and all(set(t) <= set("* \t\n\r") for t in texts)
    assert "***** *****" in texts
    page.fill("#fullname", "Typed While Masked")
    page.wait_for_timeout(300)
    assert not any("Typed While Masked" in t for t in wire.sent)
    assert not any(SECRETS["descriptor"] in t for t in wire.sent)
