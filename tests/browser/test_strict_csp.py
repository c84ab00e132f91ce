"""The SDK under a bank's Content-Security-Policy and Trusted Types (issue 19):
real HTTP pages served with the policy header (session_server/web.py, ?csp=),
a whole session in Chromium, every securitypolicyviolation counted by the
page's own script (demo_site/static/strict_page.js) and every console message.

The enforcing tests need the SDK's JS out of Python strings (build/js_sources.py,
which bundles it); until that lands they are expected to fail, and the
report-only tests check that nothing else (brython.js, the boot, the loader,
the feature chunk, the InvokeVisitor stub and modules) violates the policy.
"""
import pytest

from tests.browser.guest import (JS_SOURCES_LANDED, PAGE_OWN, globals_diff, page_own_values, poll, python_string_js,
                                 whole_session)

PENDING = pytest.mark.xfail(not JS_SOURCES_LANDED, strict=True,
                            reason="the SDK's JS in Python strings runs through window.Function.new until "
                                   "build/js_sources.py bundles it")


NOISY_LINK_CLICK = "GLANCE: document link failed: 'no parent with selector a[href]'"


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
@PENDING
def test_a_whole_session_under_the_strict_policy(page, server, agents, mode):
    whole_session(page, server, agents, "csp=" + mode, "csp-" + mode)
    assert page.evaluate("window.cspViolations") == []
    assert page.console.messages == [] and page.console.errors == []
    assert globals_diff(page) == [["GLANCE"], []]
    assert page_own_values(page) == PAGE_OWN


def test_nothing_but_the_python_string_js_violates_trusted_types_and_csp(page, server, agents):
    """Report-only Trusted Types + strict CSP: the session runs, and each violation
    is one of the SDK's JS sources still in Python strings (or the default UI's
    inline styles, which are being moved to constructable stylesheets)."""
    whole_session(page, server, agents, "csp=tt-report", "csp-report-1")
    violations = page.evaluate("window.cspViolations")
    _ours, rest = python_string_js(violations)
    styles = [v for v in rest if v["directive"].startswith("style-src")]
    assert [v for v in rest if v not in styles] == [], [v.get("sample") for v in rest if v not in styles]
    print("violations from Python-string JS: %d, default UI styles: %d" % (len(_ours), len(styles)))
    assert globals_diff(page) == [["GLANCE"], []]
    assert page_own_values(page) == PAGE_OWN
    sdk = [t for k, t in page.console.messages if "report-only" not in t]
    # Issue 19 point 4 (a silent console) is another change's: documents.py still logs this on a
    # click outside a link (the enforcing tests above hold the console to nothing at all).
    assert set(sdk) <= {NOISY_LINK_CLICK} and page.console.errors == [], sdk


def test_the_runtime_loads_through_the_glance_cobrowse_policy_only(page, server):
    """Trusted Types enforced: the loader's script URLs go through one policy named
    glance-cobrowse, which refuses URLs outside the loader's own base URL."""
    page.goto(server.url + "/strict?csp=tt")
    poll(page, "window.demoAttached === true")
    page.evaluate("GLANCE.Cobrowse.Visitor.startSession('tt-1')")
    poll(page, "GLANCE.Cobrowse._loader.runtime !== null")
    urls = page.evaluate("performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/dist/'))")
    assert any(u.endswith("/dist/glance-cobrowse-runtime.js") for u in urls)
    tt = [v for v in page.evaluate("window.cspViolations") if v["blocked"] != "eval" and "Function|" not in (v["sample"] or "")]
    assert [v for v in tt if not v["directive"].startswith("style-src")] == []
    # The page cannot use the policy to load a script from elsewhere: a second policy of that name is refused.
    refused = page.evaluate("""() => { try { trustedTypes.createPolicy('glance-cobrowse', {}); return null; }
                                       catch (e) { return e.name; } }""")
    assert refused == "TypeError"


def test_the_chat_window_under_trusted_types_reports_only_python_string_js(page, server):
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
    _ours, rest = python_string_js(page.evaluate("window.cspViolations"))
    assert rest == []
    after = page.evaluate("Object.getOwnPropertyNames(window)")
    assert sorted(set(after) - set(before)) == [] and set(before) <= set(after)
    assert _ours, "the chat window ran the InvokeVisitor code"
    assert [t for k, t in page.console.messages if "report-only" not in t] == [] and page.console.errors == []


@PENDING
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
