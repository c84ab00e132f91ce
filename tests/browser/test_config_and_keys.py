"""Configuration errors and session key validation, as a page script sees them."""
import pytest

from session_server.dist_files import dist_name
from tests.browser.test_sdk_surface import load_runtime, open_page
from visitor_sdk.params import RANDOM_KEY_DIGITS, ParamError, parse_start_params

_F = object()  # a JS function argument: no Python counterpart needed
# (JS expression for the argument, the same value in Python, accepted?)
START_CASES = [
    ("'9999'", "9999", True), ("'abc_DEF-1'", "abc_DEF-1", True), ("'" + "a" * 50 + "'", "a" * 50, True),
    ("1234", 1234, True), ("{sessionKey: '9999'}", {"sessionKey": "9999"}, True),
    ("{sessionKey: '9999', groupid: 72937}", {"sessionKey": "9999", "groupid": 72937}, True),
    ("{sessionKey: '9999', groupid: '72937'}", {"sessionKey": "9999", "groupid": "72937"}, True),
    ("'GLANCE_KEYTYPE_RANDOM'", "GLANCE_KEYTYPE_RANDOM", True), ("undefined", None, True), ("{}", {}, True),
    ("{name: 'Ann', email: 'a@b.c', phone: 5551234}", {"name": "Ann", "email": "a@b.c", "phone": 5551234}, True),
    ("''", "", False), ("'" + "a" * 51 + "'", "a" * 51, False), ("'a b'", "a b", False),
    ("'ключ'", "ключ", False), ("'<x>'", "<x>", False), ("1.5", 1.5, False), ("-1", -1, False),
    ("true", True, False), ("[]", [], False), ("['1']", ["1"], False), ("() => 1", _F, False),
    ("{sessionKey: 'a b'}", {"sessionKey": "a b"}, False), ("{sessionKey: 12.5}", {"sessionKey": 12.5}, False),
    ("{sessionkey: '1'}", {"sessionkey": "1"}, False),
    ("{sessionKey: '1', groupid: 5}", {"sessionKey": "1", "groupid": 5}, False),
    ("{sessionKey: '1', groupid: 'x'}", {"sessionKey": "1", "groupid": "x"}, False),
    ("{sessionKey: '1', name: 'x'.repeat(63)}", {"sessionKey": "1", "name": "x" * 63}, False),
    ("{sessionKey: '1', email: 5}", {"sessionKey": "1", "email": 5}, False),
]


def try_start(page, expr):
    return page.evaluate("""(expr) => {
        const arg = eval('(' + expr + ')');
        try { GLANCE.Cobrowse.Visitor.startSession(arg); GLANCE.Cobrowse.Visitor.stopSession(); return null; }
        catch (e) { return {isError: e instanceof Error, message: e.message}; } }""", expr)


@pytest.mark.parametrize("runtime_first", [False, True], ids=["loader", "runtime"])
def test_start_session_argument_validation_from_js(page, server, runtime_first):
    open_page(page, server)
    if runtime_first:
        load_runtime(page)
    for expr, _, ok in START_CASES:
        result = try_start(page, expr)
        if ok:
            assert result is None, (expr, result)
        else:
            assert result is not None and result["isError"], (expr, result)
            assert len(result["message"]) > 10 and "undefined" not in result["message"], (expr, result)
            page.console.expect("GLANCE: " + result["message"])   # each refusal is also warned about
    assert page.console.errors == []


BRYTHON_FOR_IN = pytest.mark.xfail(strict=True, reason=(
    "Brython 3.15 reads keyword arguments with for-in, so an enumerable property on Object.prototype "
    "breaks every Python call in the runtime (stack overflow); the loader alone copes"))


@pytest.mark.parametrize("prototype_change", [
    pytest.param("Object.prototype.extra = 1", marks=BRYTHON_FOR_IN),
    "Object.defineProperty(Object.prototype, 'toJSON', {value: function () { return {sessionKey: 'x y'}; }, configurable: true})",
    "Array.prototype.toJSON = function () { return 'x'; }",
], ids=["enumerable", "object-toJSON", "array-toJSON"])
def test_arguments_read_the_same_on_a_page_that_extends_the_prototypes(page, server, prototype_change):
    """Old-style page scripts add to Object.prototype: the runtime still reads only the
    argument's own fields (its fast JSON conversion must not see the additions)."""
    open_page(page, server)
    load_runtime(page)
    result = page.evaluate("""(change) => { eval(change);
        try {
            const V = GLANCE.Cobrowse.Visitor;
            V.startSession({sessionKey: '4321', name: 'Ann', videoParams: [1, 2]});
            const key = V.getKey();
            V.stopSession();
            return key;
        } catch (e) { return 'threw: ' + e.message; }
        finally { delete Object.prototype.extra; delete Object.prototype.toJSON; delete Array.prototype.toJSON; } }""",
                           prototype_change)
    assert result == "4321"
    assert page.console.errors == []


def test_a_page_that_extends_object_prototype_gets_a_clear_error_instead_of_a_broken_runtime(page, server):
    page.console.expect("GLANCE: this page adds enumerable properties to Object.prototype (legacyHelper)")
    open_page(page, server)
    result = page.evaluate("""() => new Promise((resolve) => {
        Object.defineProperty(Object.prototype, 'legacyHelper', {value: 1, enumerable: true, configurable: true});
        const V = GLANCE.Cobrowse.Visitor;
        V.addEventListener('error', (e) => { delete Object.prototype.legacyHelper; resolve(JSON.parse(JSON.stringify(e))); });
        try { V.startSession('4321'); } catch (e) { delete Object.prototype.legacyHelper; resolve('threw: ' + e.message); }
        setTimeout(() => resolve('no error event'), 5000); })""")
    assert result["code"] == "SCRIPT_NOT_LOADED"
    assert "Object.prototype (legacyHelper)" in result["msg"]
    for _ in range(20):  # console messages reach the test a moment after the event
        if any("Object.prototype" in e for e in page.console.of("error")):
            break
        page.wait_for_timeout(100)
    assert any("Object.prototype" in e for e in page.console.of("error")), page.console.messages
    assert page.console.errors == []
    assert not page.evaluate("performance.getEntriesByType('resource').some(e => e.name.includes('runtime'))")


def test_loader_reads_only_own_fields_of_the_arguments(page, server):
    """Before the runtime is there, the loader's checks ignore what a page added to Object.prototype."""
    page.console.expect("GLANCE: this page adds enumerable properties to Object.prototype (extra)")
    open_page(page, server)
    result = page.evaluate("""() => { Object.prototype.extra = 1;
        try { GLANCE.Cobrowse.Visitor.showTerms({sessionKey: '4321'}); return 'ok'; }
        catch (e) { return 'threw: ' + e.message; }
        finally { delete Object.prototype.extra; } }""")
    assert result == "ok"


def test_loader_and_core_agree_on_every_case():
    """The loader's synchronous check mirrors params.parse_start_params."""
    for expr, value, ok in START_CASES:
        if value is _F:
            continue
        try:
            parse_start_params(value, groups=[72937], rand=lambda: 0.3)
            accepted = True
        except ParamError:
            accepted = False
        assert accepted == ok, expr


def test_key_errors_name_the_problem(page, server):
    open_page(page, server)
    r = try_start(page, "'a b'")
    assert "session key" in r["message"] and "A-Z" in r["message"]
    page.console.expect("GLANCE: " + r["message"])


@pytest.mark.parametrize("groupid", ["-", "abc", "0", "-5", "1.5", "072937", "%2072937", "72937%0A"])
def test_invalid_groupid_console_error_and_error_event_no_crash(page, server, groupid):
    # Register an error listener the moment the loader defines the Visitor (as an onload handler would).
    page.add_init_script("""window.__early = [];
        if (window.top === window) {
            let visitor;
            window.GLANCE = {Cobrowse: {}};
            Object.defineProperty(GLANCE.Cobrowse, 'Visitor', {configurable: true, enumerable: true,
                get() { return visitor; },
                set(v) { visitor = v; v.addEventListener('error', (p) => __early.push(p)); }});
        }""")
    page.console.expect("; cobrowse is disabled on this page")
    page.goto(server.url + "/blank?check=1&groupid=" + groupid)
    page.wait_for_function("window.demoAttached === true && window.__early.length >= 1")
    payload = page.evaluate("__early[0]")
    assert payload["code"] == "service" and "data-groupid" in payload["msg"]
    assert any("data-groupid" in e for e in page.console.of("error"))
    r = try_start(page, "'1234'")
    assert r["isError"] and "data-groupid" in r["message"]
    page.console.expect("GLANCE: " + r["message"])
    assert page.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
    assert page.evaluate("document.querySelector('h1').textContent") == "Blank test page"
    assert page.console.errors == []


def test_visitorid_from_glance_cobrowse_is_the_default_key(page, server):
    page.add_init_script("window.GLANCE_COBROWSE = {visitorid: 'visitor-42', name: 'Ann'};")
    open_page(page, server)
    page.evaluate("""window.keys = []; GLANCE.Cobrowse.Visitor.addEventListener('sessionstarting',
                     () => keys.push(GLANCE.Cobrowse.Visitor.getKey())); GLANCE.Cobrowse.Visitor.startSession();""")
    page.wait_for_function("keys.length === 1")
    assert page.evaluate("keys") == ["visitor-42"]
    assert page.evaluate("GLANCE.Cobrowse.Visitor.isRandomKey()") in (False,)


def test_random_key(page, server):
    open_page(page, server)
    page.evaluate("""window.keys = []; GLANCE.Cobrowse.Visitor.addEventListener('sessionstarting',
                     () => keys.push([GLANCE.Cobrowse.Visitor.getKey(), GLANCE.Cobrowse.Visitor.isRandomKey()]));
                     GLANCE.Cobrowse.Visitor.startSession('GLANCE_KEYTYPE_RANDOM');""")
    page.wait_for_function("keys.length === 1")
    key, random = page.evaluate("keys[0]")
    assert random is True and key.isdigit() and len(key) == RANDOM_KEY_DIGITS == 10


def test_runtime_that_cannot_load_gives_script_not_loaded(page, server):
    runtime = dist_name("glance-cobrowse-runtime.js")
    page.route("**/" + runtime, lambda route: route.abort())
    page.console.expect("Failed to load resource").expect("GLANCE: could not load the cobrowse runtime")
    open_page(page, server)
    page.evaluate("window.errs = []; GLANCE.Cobrowse.Visitor.addEventListener('error', (p) => errs.push(p));"
                  "GLANCE.Cobrowse.Visitor.startSession('1234')")
    page.wait_for_function("errs.length === 1")
    page.wait_for_timeout(300)
    errs = page.evaluate("errs")
    assert len(errs) == 1, errs   # one error event, naming the script
    assert errs[0]["code"] == "SCRIPT_NOT_LOADED" and errs[0]["params"]["script"] == runtime
    assert runtime in errs[0]["msg"]
    assert page.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
