"""addEventListener/removeEventListener from plain JS, before and after the runtime is live."""
import pytest

from tests.browser.test_sdk_surface import load_runtime, open_page

SETUP = """() => {
    const V = GLANCE.Cobrowse.Visitor;
    window.calls = [];
    window.h1 = (p) => calls.push('h1');
    window.h2 = (p) => { calls.push('h2'); throw new Error('handler two broke'); };
    window.h3 = (p) => calls.push('h3');
    window.selfRemoving = (p) => { calls.push('self'); V.removeEventListener('sessionstarting', selfRemoving); };
    V.addEventListener('sessionstarting', h1);
    V.addEventListener('sessionstarting', h2);
    V.addEventListener('sessionstarting', selfRemoving);
    V.addEventListener('sessionstarting', h3);
    V.addEventListener('sessionstarting', h1);   // the same handler twice: called once
}"""


@pytest.mark.parametrize("runtime_first", [False, True], ids=["queued-in-loader", "runtime-live"])
def test_order_dedupe_throwing_handler_and_self_removal(page, server, runtime_first):
    page.console.expect("GLANCE: a 'sessionstarting' event handler threw: handler two broke")
    open_page(page, server)
    if runtime_first:
        load_runtime(page)
    page.evaluate(SETUP)
    page.evaluate("GLANCE.Cobrowse.Visitor.startSession('k1')")
    page.wait_for_function("calls.length >= 4")
    assert page.evaluate("calls") == ["h1", "h2", "self", "h3"]
    stop = ("GLANCE.Cobrowse.Visitor.stopSession();"
            "window.demoEvents.filter(e => e.name === 'sessionend').length")
    page.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstart')")
    page.evaluate(stop)
    errors = page.console.of("error")
    assert any("sessionstarting" in e and "handler two broke" in e for e in errors), errors
    # second session start: the self-removed handler is gone, h2 still throws, others run
    page.evaluate("calls.length = 0; GLANCE.Cobrowse.Visitor.startSession('k2')")
    page.wait_for_function("calls.length >= 3")
    assert page.evaluate("calls") == ["h1", "h2", "h3"]
    page.evaluate(stop)
    page.evaluate("GLANCE.Cobrowse.Visitor.removeEventListener('sessionstarting', h1); calls.length = 0;"
                  "GLANCE.Cobrowse.Visitor.startSession('k3')")
    page.wait_for_function("calls.length >= 2")
    assert page.evaluate("calls") == ["h2", "h3"]
    assert page.console.errors == []


def test_unknown_event_warns_with_closest_name_and_is_still_registered(page, server):
    page.console.expect("is not a Visitor event; did you mean")
    open_page(page, server)
    page.evaluate("GLANCE.Cobrowse.Visitor.addEventListener('sesionstarting', () => {})")
    warnings = page.console.of("warning")
    assert any("'sesionstarting'" in w and "did you mean 'sessionstarting'" in w for w in warnings), warnings
    load_runtime(page)
    page.evaluate("window.got = []; GLANCE.Cobrowse.Visitor.addEventListener('myOwnEvent', (p) => got.push(p))")
    assert page.evaluate("GLANCE.Cobrowse._loader.call('_emitSample', ['sessionstart'])") >= 1


def test_handler_must_be_a_function(page, server):
    page.console.expect("GLANCE: GLANCE.Cobrowse.Visitor.addEventListener(name, handler): handler must be a function")
    open_page(page, server)
    msg = page.evaluate("""() => { try { GLANCE.Cobrowse.Visitor.addEventListener('sessionstart', 'nope'); }
                          catch (e) { return [e instanceof TypeError, e.message]; } }""")
    assert msg[0] is True and "handler must be a function" in msg[1]
    load_runtime(page)
    msg = page.evaluate("""() => { try { GLANCE.Cobrowse.Visitor.addEventListener('sessionstart', 42); }
                          catch (e) { return [e instanceof Error, e.message]; } }""")
    assert msg[0] is True and "function" in msg[1]


def test_calls_before_the_runtime_are_replayed_in_order(page, server):
    open_page(page, server)
    page.evaluate("""() => {
        const V = GLANCE.Cobrowse.Visitor;
        window.seen = [];
        V.addEventListener('sessionstarting', () => seen.push('starting:' + V.getKey()));
        V.addEventListener('sessionend', (p) => seen.push('end:' + p.reason));
        V.startSession({sessionKey: 'replay-1'});
        window.early = [V.inSession(), V.readyState];
        V.stopSession();
    }""")
    assert page.evaluate("early") == [True, "starting"]
    page.wait_for_function("seen.length >= 2")
    assert page.evaluate("seen") == ["starting:replay-1", "end:visitor"]
    assert page.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
