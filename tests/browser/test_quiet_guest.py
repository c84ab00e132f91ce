"""The SDK as a guest: its default UI is styled under `style-src 'self'`, a whole
session writes nothing to the console and raises nothing into the page's error
handlers, and data-debug="true" turns on diagnostics.

(The conftest's quiet_sdk fixture fails every browser test on a console
message from the SDK; these tests run sessions with many features on purpose.)
"""
from tests.browser.test_guests_docs_reverse import PDF
from tests.browser.test_session_lifecycle import payloads, shop, start, wait_event

VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push({directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample,
                     source: e.sourceFile, line: e.lineNumber});
});
"""

HANDLERS = """
window.__pageErrors = [];
window.onerror = function (msg, src, line, col, err) { window.__pageErrors.push('error: ' + msg + ' at ' + src + ':' + line); };
window.addEventListener('unhandledrejection', function (e) {
  var r = e.reason; window.__pageErrors.push('rejection: ' + (r && r.message ? r.message : String(r)));
});
"""

BLUE = "rgb(29, 78, 216)"


def style_of(page, selector, *props):
    return page.evaluate("""([sel, props]) => { const el = document.querySelector(sel); if (!el) return null;
        const cs = getComputedStyle(el); return props.map(p => cs.getPropertyValue(p)); }""", [selector, list(props)])


def test_the_default_ui_is_styled_under_style_src_self_without_violations(page, server, agents):
    page.add_init_script(VIOLATIONS)
    shop(page, server, "/product", query="check=1&csp=styles")
    # the terms dialog (showTerms) before any session
    page.evaluate("GLANCE.Cobrowse.Visitor.showTerms({sessionKey: 'csp-styles-1'})")
    page.wait_for_selector(".glance-ui-dialog[data-kind=terms]")
    assert style_of(page, ".glance-ui-dialog[data-kind=terms]", "position", "border-top-color",
                    "border-top-width") == ["fixed", BLUE, "2px"]
    page.click(".glance-ui-dialog[data-kind=terms] .glance-ui-accept")
    wait_event(page, "sessionstart")
    page.wait_for_selector("#glance-ui")
    assert style_of(page, "#glance-ui", "position", "border-top-color") == ["fixed", BLUE]
    agent = agents.agent(server.url, "csp-styles-1")
    wait_event(page, "agents", 2)

    # the consent dialog for remote control
    agents.run(agent.rcrequest(id="r1"))
    page.wait_for_selector(".glance-ui-dialog[data-kind=rcrequested]")
    assert style_of(page, ".glance-ui-dialog[data-kind=rcrequested]", "position", "z-index") == ["fixed", "2147483647"]
    assert style_of(page, ".glance-ui-dialog[data-kind=rcrequested] .glance-ui-accept",
                    "background-color") == [BLUE]
    page.click(".glance-ui-dialog[data-kind=rcrequested] .glance-ui-accept")
    assert agents.run(agent.next_event("rcaccepted"))["ref"] == "r1"

    # the gesture outline
    agents.run(agent.outline({"x": 100, "y": 120}))
    page.wait_for_selector(".glance-outline", state="visible")
    assert style_of(page, ".glance-outline", "position", "border-top-width", "border-top-style") == \
        ["absolute", "3px", "solid"]

    # the document viewer
    agents.run(agent.share_document("price-list.pdf", PDF, id="d1"))
    wait_event(page, "documentviewed")
    page.wait_for_selector("#glance-doc-viewer")
    assert style_of(page, "#glance-doc-viewer", "position", "background-color", "border-top-left-radius") == \
        ["fixed", "rgb(255, 255, 255)", "8px"]
    page.wait_for_timeout(300)
    assert page.evaluate("window.__csp") == []

    # the policy is in force here: a style attribute set by the page is refused
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.__csp.map(v => v.directive)") == ["style-src-attr"]
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    wait_event(page, "sessionend")


def test_the_agents_screen_frame_is_styled_under_style_src_self(page, context, server):
    from tests.browser.test_media import IFRAME_VIDEO, open_agent, wait_frames
    page.add_init_script(VIOLATIONS)
    shop(page, server, query="check=1&csp=styles")
    start(page, "csp-media-1")
    console = open_agent(context, server, "csp-media-1")
    console.evaluate("agentMedia.shareScreen()")
    wait_event(page, "screenshare")
    wait_frames(page, IFRAME_VIDEO, "glance_screenshare", "agent screen in the visitor iframe")
    assert style_of(page, "#glance_screenshare", "position", "border-top-width") == ["fixed", "2px"]
    inner = page.evaluate("""() => { const d = document.getElementById('glance_screenshare').contentDocument;
        return [getComputedStyle(d.body).margin, getComputedStyle(d.getElementById('glance_video')).objectFit]; }""")
    assert inner == ["0px", "contain"]
    assert page.evaluate("window.__csp") == []


OLD_BROWSER = """
(function () {   // a browser without constructable stylesheets (Safari before 16.4)
  var Real = window.CSSStyleSheet;
  window.CSSStyleSheet = function CSSStyleSheet() { throw new TypeError('Illegal constructor'); };
  window.CSSStyleSheet.prototype = Real.prototype;
})();
"""


def test_without_constructable_stylesheets_the_ui_uses_the_tags_nonce(page, server):
    page.add_init_script(VIOLATIONS)
    page.add_init_script(OLD_BROWSER)
    shop(page, server, "/product", query="check=1&csp=styles-nonce&nonce=glance-test-nonce")
    page.evaluate("GLANCE.Cobrowse.Visitor.showTerms({sessionKey: 'csp-nonce-1'})")
    page.wait_for_selector(".glance-ui-dialog[data-kind=terms]")
    assert style_of(page, ".glance-ui-dialog[data-kind=terms]", "position", "border-top-color") == ["fixed", BLUE]
    # one <style> element, with the nonce (the browser hides its value from the attribute)
    assert page.evaluate("""[...document.querySelectorAll('style')].map(s => [s.nonce, s.dataset.glanceSheet])""") == \
        [["glance-test-nonce", "glance-ui-style"]]
    assert page.evaluate("document.adoptedStyleSheets.length") == 0
    page.click(".glance-ui-dialog[data-kind=terms] .glance-ui-decline")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__csp") == []


def test_a_whole_session_raises_nothing_into_the_page_error_handlers(page, server, agents):
    page.add_init_script(HANDLERS)
    shop(page, server, "/checkout")
    start(page, "quiet-1")
    agent = agents.agent(server.url, "quiet-1")
    wait_event(page, "agents", 2)
    # clicks outside and on links, typing: the listeners of every feature run
    page.click("h1") if page.query_selector("h1") else page.click("main")
    page.click("main")
    page.fill("#fullname", "Ann")
    agents.run(agent.outline({"x": 50, "y": 60}))
    page.wait_for_selector(".glance-outline", state="visible")
    # remote control asked, accepted, used
    agents.run(agent.rcrequest(id="r1"))
    page.wait_for_selector(".glance-ui-dialog[data-kind=rcrequested]")
    page.click(".glance-ui-dialog[data-kind=rcrequested] .glance-ui-accept")
    assert agents.run(agent.next_event("rcenabled"))["payload"] == {"enabled": True}
    gid = page.get_attribute("#fullname", "data-gid")
    agents.run(agent.rcevent({"type": "click", "path": '[data-gid="%s"]' % gid}))
    agents.run(agent.rcevent({"type": "agenttyping", "path": '[data-gid="%s"]' % gid, "value": "Bo"}))
    page.wait_for_function("document.querySelector('#fullname').value === 'Bo'")
    # a document shared and closed
    agents.run(agent.share_document("price-list.pdf", PDF, id="d1"))
    wait_event(page, "documentviewed")
    page.click("#glance-doc-viewer-title")
    page.keyboard.press("Escape")
    # pause, resume, navigate to another page of the session, end
    agents.run(agent.pause({"paused": True}))
    wait_event(page, "sessionpaused")
    agents.run(agent.pause({"paused": False}))
    wait_event(page, "sessionpaused", 2)
    page.click("#nav-product")
    page.wait_for_function("window.demoAttached === true && location.pathname === '/product'")
    wait_event(page, "sessioncontinue")
    page.click("#add-to-cart")
    page.wait_for_timeout(300)
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    wait_event(page, "sessionend")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pageErrors") == []
    assert page.console.errors == []
    # nothing at all from the SDK (quiet_sdk checks this again at teardown)
    assert page.console.sdk_messages() == []


def test_a_click_outside_a_link_says_nothing(page, server):
    # This was a console.error per click ("document link failed: 'no parent with selector a[href]'").
    shop(page, server)
    start(page, "quiet-click-1")
    for _ in range(3):
        page.click("main")
    page.wait_for_timeout(200)
    assert page.console.sdk_messages() == []
    assert payloads(page, "sessionstart")


def test_data_debug_turns_on_diagnostics(page, server):
    # (without data-debug the same session says nothing: test_a_click_outside_a_link_says_nothing)
    shop(page, server, query="check=1&debug=true")
    page.console.expect("GLANCE: ")   # with data-debug every diagnostic line is expected
    start(page, "quiet-debug-1")
    page.wait_for_timeout(200)
    said = [t for k, t in page.console.messages if k == "info"]
    assert any(t.startswith("GLANCE: connected to ws://") for t in said), said
    assert "GLANCE: features installed" in said


def test_a_bad_configuration_field_warns_once_and_is_ignored(page, server):
    page.add_init_script("window.GLANCE_COBROWSE = {name: 'n'.repeat(100), email: 'ann@example.com'};")
    page.console.expect("GLANCE: GLANCE_COBROWSE.name ignored")
    shop(page, server)
    start(page, "quiet-config-1")
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    start(page, "quiet-config-2")
    said = [t for t in page.console.of("warning") if "GLANCE_COBROWSE" in t]
    assert len(said) == 1 and "name" in said[0] and "email" not in said[0], said


def test_a_failed_connection_warns_once(page, server):
    # a session service address where nothing listens: one warning, however many retries
    from tests.conftest import free_port
    shop(page, server, query="check=1&ws=http://127.0.0.1:%d" % free_port())
    page.console.expect("GLANCE: could not connect to ws://127.0.0.1")
    page.console.expect("WebSocket connection to")   # the browser's own line for each attempt
    page.evaluate("GLANCE.Cobrowse.Visitor.startSession('quiet-fail-1')")
    page.wait_for_timeout(3000)
    said = [t for t in page.console.of("warning") if t.startswith("GLANCE: could not connect")]
    assert len(said) == 1, page.console.messages


def test_a_refused_argument_throws_each_time_and_warns_once(page, server):
    shop(page, server)
    page.console.expect("GLANCE: showTerms")
    for _ in range(3):
        got = page.evaluate("""() => { try { GLANCE.Cobrowse.Visitor.showTerms(42); return null; }
                               catch (e) { return [e instanceof Error, e.message]; } }""")
        assert got[0] is True and got[1].startswith("showTerms")
    page.wait_for_timeout(200)
    said = [t for t in page.console.of("warning") if t.startswith("GLANCE: showTerms")]
    assert said == ["GLANCE: " + got[1]]
