"""The SDK under a bank's Content-Security-Policy and Trusted Types (issue 19):
real HTTP pages served with the policy header (session_server/web.py, ?csp=),
a whole session in Chromium, every securitypolicyviolation counted by the
page's own script (demo_site/static/strict_page.js) and every console message.

Enforced and report-only, the count is zero: brython.js, the boot, the loader,
the feature chunk, the JS files (build/js_sources.py), the default UI's styles,
the InvokeVisitor stub and modules run nothing from a string and add no inline
style.
"""
import pytest

from session_server.dist_files import dist_name

from tests.browser.guest import PAGE_OWN, globals_diff, page_own_values, poll, whole_session


def policy(response):
    return response.headers.get("content-security-policy") or response.headers.get("content-security-policy-report-only")


def test_the_demo_serves_the_strict_policies(page, server):
    strict = policy(page.goto(server.url + "/strict?csp=strict"))
    assert "script-src 'self' " + server.url in strict and "'unsafe-inline'" not in strict and "'unsafe-eval'" not in strict
    assert "connect-src " + server.url + " ws://127.0.0.1:" in strict and "object-src 'none'" in strict
    assert "trusted-types" not in strict
    tt = page.goto(server.url + "/strict?csp=tt").headers["content-security-policy"]
    assert tt.endswith("require-trusted-types-for 'script'; trusted-types glance-cobrowse")
    report = page.goto(server.url + "/strict?csp=tt-report").headers
    assert "content-security-policy" not in report and report["content-security-policy-report-only"] == tt


@pytest.mark.parametrize("mode", ["strict", "tt"])
def test_a_whole_session_under_the_strict_policy(page, server, agents, mode):
    whole_session(page, server, agents, "csp=" + mode, "csp-" + mode)
    assert page.evaluate("window.cspViolations") == []
    assert page.console.messages == [] and page.console.errors == []
    assert globals_diff(page) == [["GLANCE"], []]
    assert page_own_values(page) == PAGE_OWN


def test_nothing_violates_report_only_trusted_types_and_csp(page, server, agents):
    """Report-only Trusted Types + strict CSP: the whole session reports no violation at all."""
    whole_session(page, server, agents, "csp=tt-report", "csp-report-1")
    assert page.evaluate("window.cspViolations") == []
    assert globals_diff(page) == [["GLANCE"], []]
    assert page_own_values(page) == PAGE_OWN
    assert [t for k, t in page.console.messages if "report-only" not in t] == [] and page.console.errors == []


def test_the_runtime_loads_through_the_glance_cobrowse_policy_only(page, server):
    """Trusted Types enforced: the loader's script URLs go through one policy named
    glance-cobrowse, which refuses URLs outside the loader's own base URL."""
    page.goto(server.url + "/strict?csp=tt")
    poll(page, "window.demoAttached === true")
    page.evaluate("GLANCE.Cobrowse.Visitor.startSession('tt-1')")
    poll(page, "GLANCE.Cobrowse._loader.runtime !== null")
    urls = page.evaluate("performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/dist/'))")
    assert any(u.endswith("/dist/" + dist_name("glance-cobrowse-runtime.js")) for u in urls)
    assert page.evaluate("window.cspViolations") == []
    # The page cannot use the policy to load a script from elsewhere: a second policy of that name is refused.
    refused = page.evaluate("""() => { try { trustedTypes.createPolicy('glance-cobrowse', {}); return null; }
                                       catch (e) { return e.name; } }""")
    assert refused == "TypeError"


def test_the_chat_window_under_report_only_trusted_types_reports_nothing(page, server):
    page.goto(server.alt_url + "/chat?check=1&csp=tt-report")
    page.wait_for_function("window.chatReady === true")   # the chat page itself is not under an enforced policy
    page.evaluate("""() => { window.cspViolations = [];
        document.addEventListener('securitypolicyviolation', function (e) {
            window.cspViolations.push({directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
                                       line: e.lineNumber, sample: e.sample}); }); }""")
    before = page.evaluate("Object.getOwnPropertyNames(window)")
    page.click("#chat-start")
    shop = page.frame(name="shop")
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstart')")
    page.click("#chat-stop")
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionend')")
    assert page.evaluate("window.cspViolations") == []
    after = page.evaluate("Object.getOwnPropertyNames(window)")
    assert sorted(set(after) - set(before)) == [] and set(before) <= set(after)
    assert page.evaluate("GLANCE.Cobrowse._invokeLoader.liveAt !== null")   # the InvokeVisitor code ran
    assert [t for k, t in page.console.messages if "report-only" not in t] == [] and page.console.errors == []


def test_the_chat_window_under_the_enforced_policy(page, server):
    page.goto(server.alt_url + "/chat?check=1&csp=tt")
    poll(page, "window.chatReady === true")
    page.click("#chat-start")
    shop = page.frame(name="shop")
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstart')")
    page.click("#chat-stop")
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionend')")
    assert page.console.messages == [] and page.console.errors == []
    assert page.evaluate("chatLog.filter(t => /Error/.test(t))") == []
