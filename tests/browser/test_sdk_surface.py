"""The Visitor API as a site's own script uses it: from JS, in Chromium, through the built bundle."""
import json


from session_server.dist_files import dist_name
from visitor_sdk import catalogue

RUNTIME = dist_name("glance-cobrowse-runtime.js")

PY2JS_TRAP = """
window.__py2jsCalls = 0;
window.__BRYTHON__ = {};
Object.defineProperty(window.__BRYTHON__, 'py2js', {
  configurable: true,
  set(f) { this.__real = f; },
  get() { const real = this.__real; return function () { window.__py2jsCalls++; return real.apply(this, arguments); }; }
});
"""


# The runtime's private Brython object, through the API the runtime handed the loader
# (Brython is private to the SDK: there is no window.__BRYTHON__).
PRIVATE_B = "(() => { let b; GLANCE.Cobrowse._loader.runtime.register((x) => { b = x; return {modules: []}; }); return b; })()"


def open_page(page, server, path="/blank", query="check=1"):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server.url + path + ("?" + query if query else ""))
    page.wait_for_function("window.demoAttached === true")
    return requests


def load_runtime(page):
    """Make the runtime load by starting and stopping a session; wait until it is live."""
    page.evaluate("GLANCE.Cobrowse.Visitor.startSession('loadme'); GLANCE.Cobrowse.Visitor.stopSession()")
    page.wait_for_function("GLANCE.Cobrowse.Visitor.readyState === 'idle' && window.demoEvents.some(e => e.name === 'sessionend')")


def test_loader_defines_the_api_at_once_and_fetches_nothing_more(page, server):
    requests = open_page(page, server)
    kinds = page.evaluate("""() => {
        const V = GLANCE.Cobrowse.Visitor, out = {};
        for (const k of Object.keys(V)) out[k] = typeof V[k];
        return out; }""")
    for m in ("addEventListener", "removeEventListener", "startSession", "stopSession", "inSession", "getKey",
              "isRandomKey", "getSessionState", "isSessionPaused", "isPageMasked", "toggleVideo", "showTerms"):
        assert kinds[m] == "function", m
    assert kinds["readyState"] == "string"
    assert page.evaluate("GLANCE.Cobrowse.Visitor.readyState") == "idle"
    assert page.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
    assert page.evaluate("GLANCE.Cobrowse.Visitor.getKey()") is None
    page.wait_for_timeout(300)
    assert not [u for u in requests if RUNTIME in u or "brython" in u], requests


def test_bundle_needs_no_stdlib_and_parses_no_python(page, server):
    page.add_init_script(PY2JS_TRAP)
    requests = open_page(page, server)
    load_runtime(page)
    assert page.evaluate("window.__py2jsCalls") == 0
    assert page.evaluate("window.__BRYTHON__.__real") is None   # the page's own __BRYTHON__ is left alone
    assert any(RUNTIME in u for u in requests)
    assert not [u for u in requests if "brython_stdlib" in u or u.endswith(".py")], requests
    assert page.evaluate("typeof " + PRIVATE_B + ".VFS['visitor_sdk.runtime']") == "object"
    assert page.console.errors == []


def test_the_runtime_ships_without_brythons_python_compiler(page, server):
    """The SDK is precompiled, so the runtime leaves out Brython's compiler
    (about 520 KB of brython.js): Python source handed to it fails with a
    clear error, and the SDK works without it."""
    page.console.expect("NotImplementedError: this Brython runtime has no Python compiler")  # Brython logs the call's error
    open_page(page, server)
    load_runtime(page)
    err = page.evaluate("""() => { const B = %s; try { B.runPythonSource('x = 1'); return null; }
        catch (e) { return [B.is_exc(e, B.builtins.NotImplementedError), String(e.args && e.args[0])]; } }""" % PRIVATE_B)
    assert err == [True, "this Brython runtime has no Python compiler: the Glance SDK is "
                                          "precompiled at build time"]
    assert page.evaluate("typeof " + PRIVATE_B + "._PySymtable_Build") == "function"   # the stand-in
    assert page.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False


def test_every_catalogue_event_delivers_a_plain_js_payload(page, server):
    open_page(page, server)
    load_runtime(page)
    page.evaluate("""(names) => {
        window.__results = {};
        const plain = (v) => v === null || ['string', 'number', 'boolean', 'function'].includes(typeof v) ||
            (Array.isArray(v) ? v.every(plain) : Object.getPrototypeOf(v) === Object.prototype && Object.values(v).every(plain));
        for (const name of names) {
            GLANCE.Cobrowse.Visitor.addEventListener(name, (p) => {
                const fns = Object.keys(p).filter(k => typeof p[k] === 'function');
                window.__results[name] = {json: JSON.stringify(p), plain: plain(p), fns: fns};
                for (const k of fns) p[k]();
            });
        }
    }""", list(catalogue.EVENT_NAMES))
    # Fire every event through the real emitter and conversion (test seam of data-check-payloads).
    fired = page.evaluate("(names) => names.map(n => GLANCE.Cobrowse._loader.call('_emitSample', [n]))",
                          list(catalogue.EVENT_NAMES))
    assert all(f >= 1 for f in fired)
    results = page.evaluate("window.__results")
    assert set(results) == set(catalogue.EVENT_NAMES)
    for name, r in results.items():
        assert r["plain"], name
        payload = json.loads(r["json"])
        expected = catalogue.sample_payload(name, lambda f: None)
        assert payload == {k: v for k, v in expected.items() if v is not None}, name
        consent = [f["name"] for f in catalogue.event(name)["fields"] if f["type"] == "function"]
        assert sorted(r["fns"]) == sorted(consent), name
    calls = page.evaluate("Array.from(window.__glanceSampleCalls)")
    assert "rcrequested.accept" in calls and "reverseconfirm.decline" in calls
    assert page.console.errors == []
