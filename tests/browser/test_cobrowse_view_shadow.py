"""The cobrowse view and shadow roots attached after the page was captured (attachShadow on an element
the agent's copy already has): open and closed roots reach the copy at once as incremental changes (no
resync snapshot), are observed afterwards (changes and typing inside them), and masking applies inside
them on the wire."""
import json

from tests.browser.test_cobrowse_view import Wire, open_console, wait_for
from tests.browser.test_cobrowse_view_lab import lab, lab_with_control
from tests.browser.test_loader_page_load import HeldImage
from tests.browser.test_session_lifecycle import start

SECRETS = {"openpw": "OpenRootPw6612", "closedpw": "ClosedRootPw7723", "closedmasked": "ClosedMaskedWords",
           "typed": "TypedInClosed4410"}

ATTACH = """(s) => {
  const open = document.getElementById('late-open').attachShadow({mode: 'open'});
  open.innerHTML = '<p id="late-open-text">Open late text</p><input id="late-open-pw" type="password">' +
    '<slot></slot>';
  open.getElementById('late-open-pw').value = s.openpw;
  const closed = document.getElementById('late-closed').attachShadow({mode: 'closed'});
  closed.innerHTML = '<p id="late-closed-text">Closed late text</p><input id="late-closed-pw" type="password">' +
    '<span class="glance_masked" id="late-closed-masked">' + s.closedmasked + '</span>' +
    '<input id="late-closed-secret" class="glance_masked"><input id="late-closed-plain">';
  closed.getElementById('late-closed-pw').value = s.closedpw;
  window.labClosed = closed;        // the page's own reference (the SDK keeps its own)
}"""

COPY = """() => {
  const d = window.agentReplay.doc();
  const o = d.getElementById('late-open'), c = d.getElementById('late-closed');
  const os = o && o.shadowRoot, cs = c && c.shadowRoot;
  const q = (r, id) => r && r.getElementById(id);
  return {
    openText: q(os, 'late-open-text') ? q(os, 'late-open-text').textContent : null,
    openPw: q(os, 'late-open-pw') ? q(os, 'late-open-pw').value : null,
    light: o && o.querySelector('#late-light') ? o.querySelector('#late-light').textContent : null,
    closedText: q(cs, 'late-closed-text') ? q(cs, 'late-closed-text').textContent : null,
    closedPw: q(cs, 'late-closed-pw') ? q(cs, 'late-closed-pw').value : null,
    closedMasked: q(cs, 'late-closed-masked') ? q(cs, 'late-closed-masked').textContent : null,
    closedPlain: q(cs, 'late-closed-plain') ? q(cs, 'late-closed-plain').value : null,
    closedGid: q(cs, 'late-closed-text') ? q(cs, 'late-closed-text').getAttribute('data-gid') : null,
    snapshots: window.agentReplay.snapshots,
  };
}"""


def test_shadow_roots_attached_later_reach_the_copy_at_once_masked(page, context, server):
    wire = Wire(page)
    lab(page, server)
    start(page, "shadow-late-1")
    console = open_console(context, server, "shadow-late-1")
    console.wait_for_function("window.agentReplay.snapshots >= 1")
    page.wait_for_timeout(300)
    snaps = console.evaluate("window.agentReplay.snapshots")
    page.evaluate(ATTACH, SECRETS)
    console.wait_for_function("(" + COPY + ")().closedText !== null && (" + COPY + ")().openText !== null",
                              timeout=3000)
    got = console.evaluate(COPY)
    assert got["openText"] == "Open late text" and got["closedText"] == "Closed late text"
    assert got["light"] == "light child"
    assert got["openPw"] == "*" * len(SECRETS["openpw"]) and got["closedPw"] == "*" * len(SECRETS["closedpw"])
    assert got["closedMasked"] == "*" * len(SECRETS["closedmasked"])
    assert got["closedGid"] and int(got["closedGid"]) > 0
    assert got["snapshots"] == snaps, "the new roots came by a resync snapshot, not as changes"

    # afterwards the roots are observed: a text change in the closed root, typing in it
    page.evaluate("() => { window.labClosed.getElementById('late-closed-text').firstChild.data = 'Closed changed'; }")
    page.evaluate("() => window.labClosed.getElementById('late-closed-secret').focus()")
    page.keyboard.type(SECRETS["typed"])
    page.evaluate("() => window.labClosed.getElementById('late-closed-plain').focus()")
    page.keyboard.type("ClosedPlainOK")
    wait_for(console, lambda: console.evaluate(COPY)["closedText"] == "Closed changed"
             and console.evaluate(COPY)["closedPlain"] == "ClosedPlainOK", timeout=5000)
    assert console.evaluate(COPY)["snapshots"] == snaps
    everything = "\n".join(wire.sent)
    for name, secret in SECRETS.items():
        assert secret not in everything, name + " leaked"
    assert "*" * len(SECRETS["typed"]) in everything
    assert console.errors == [] and page.console.errors == []
    assert console.evaluate("window.agentReplay.errors") == []
    assert json.dumps(page.evaluate("typeof window.labClosed.host")) == '"object"'


def test_click_on_the_copy_inside_a_closed_root_attached_later_controls_the_page(page, context, server):
    console = lab_with_control(page, context, server, "shadow-late-rc-1")
    page.evaluate("""() => {
      const closed = document.getElementById('late-closed').attachShadow({mode: 'closed'});
      closed.innerHTML = '<button type="button" id="closed-button">Closed button</button><span id="closed-clicks">0</span>';
      let n = 0;
      closed.getElementById('closed-button').addEventListener('click', () => {
        n++; closed.getElementById('closed-clicks').textContent = String(n); window.closedClicks = n; });
    }""")
    copy = console.frame_locator("#replay-frame")
    copy.locator("#closed-button").click()          # Playwright's CSS pierces the copy's (open) root
    page.wait_for_function("window.closedClicks === 1")
    console.wait_for_function("(() => { const h = window.agentReplay.doc().getElementById('late-closed');"
                              " return h.shadowRoot.getElementById('closed-clicks').textContent === '1'; })()")
    assert console.errors == [] and page.console.errors == []


def test_closed_roots_attached_before_the_session_reach_the_copy_masked(page, context, server):
    """The loader keeps closed roots from the page's load event on: a closed root the page
    attached before any session (no runtime, no capture loaded yet) is in the snapshot."""
    wire = Wire(page)
    lab(page, server)
    assert page.evaluate("GLANCE.Cobrowse._loader.runtime") is None   # nothing but the loader so far
    page.evaluate(ATTACH, SECRETS)
    start(page, "shadow-early-1")
    console = open_console(context, server, "shadow-early-1")
    console.wait_for_function("window.agentReplay.snapshots >= 1")
    console.wait_for_function("(" + COPY + ")().closedText !== null", timeout=5000)
    got = console.evaluate(COPY)
    assert got["closedText"] == "Closed late text" and got["openText"] == "Open late text"
    assert got["closedPw"] == "*" * len(SECRETS["closedpw"])
    assert got["closedMasked"] == "*" * len(SECRETS["closedmasked"])
    everything = "\n".join(wire.sent)
    for name in ("openpw", "closedpw", "closedmasked"):
        assert SECRETS[name] not in everything, name + " leaked"
    assert console.errors == [] and page.console.errors == []


def test_a_closed_root_of_a_component_defined_while_the_page_loads_reaches_the_copy(page, context, server):
    """The loader touches no element while it runs (that would hold up the page's load event): it
    hooks attachShadow once the page has loaded, or before the page defines its first custom element.
    A component defined after the loader ran, while the page is still loading, keeps its closed root
    in the copy, masked."""
    held = HeldImage(page)
    wire = Wire(page)
    page.goto(server.url + "/lab?check=1", wait_until="domcontentloaded")
    page.wait_for_function("window.GLANCE && GLANCE.Cobrowse && GLANCE.Cobrowse.Visitor")
    page.evaluate("""(pw) => {
      customElements.define('closed-widget', class extends HTMLElement {
        constructor() {
          super();
          const r = this.attachShadow({mode: 'closed'});
          r.innerHTML = '<p id="cw-text">Component text</p><input id="cw-pw" type="password">';
          r.getElementById('cw-pw').value = pw;
        }
      });
      document.querySelector('main').appendChild(document.createElement('closed-widget'));
    }""", SECRETS["closedpw"])
    assert page.evaluate("document.readyState") != "complete"
    held.release()
    page.wait_for_function("window.demoAttached === true && document.readyState === 'complete'")
    start(page, "shadow-component-1")
    console = open_console(context, server, "shadow-component-1")
    console.wait_for_function("window.agentReplay.snapshots >= 1")
    got = """() => { const h = window.agentReplay.doc().querySelector('closed-widget'), r = h && h.shadowRoot;
                     return r && r.getElementById('cw-text') ?
                       [r.getElementById('cw-text').textContent, r.getElementById('cw-pw').value] : null; }"""
    console.wait_for_function("(" + got + ")() !== null", timeout=5000)
    assert console.evaluate(got) == ["Component text", "*" * len(SECRETS["closedpw"])]
    assert SECRETS["closedpw"] not in "\n".join(wire.sent)
    assert console.errors == [] and page.console.errors == []
