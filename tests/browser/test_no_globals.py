"""No globals but GLANCE (issue 19): after a whole session the page's global
names are what they were plus GLANCE, and the page's own $B, key, docs and
__BRYTHON__ (demo_site/static/strict_page.js sets them before the cobrowse tag
runs) are untouched. Brython's runtime, the precompiled modules (sloppy mode:
an undeclared assignment would make a global) and the InvokeVisitor stub keep
everything private."""
from session_server.dist_files import dist_name
from tests.browser.guest import BRYTHON_NAMES, PAGE_OWN, globals_diff, page_own_values, whole_session


def test_a_whole_session_leaves_the_page_globals_alone(page, server, agents):
    whole_session(page, server, agents, "ui=default", "globals-1")   # (check=1 would publish test hooks)
    assert globals_diff(page) == [["GLANCE"], []]
    assert page_own_values(page) == PAGE_OWN
    assert page.evaluate("Object.keys(GLANCE)") == ["Cobrowse"]
    assert page.console.errors == []


def test_the_chat_window_takes_no_global_but_glance(page, server):
    page.goto(server.alt_url + "/chat?check=1")
    page.wait_for_function("window.chatReady === true")
    before = page.evaluate("Object.getOwnPropertyNames(window)")
    assert "GLANCE" in before
    dist = "() => performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/dist/')).map(n => n.split('/').pop())"
    assert page.evaluate(dist) == ["GlanceCobrowseInvokeVisitor.js"]   # before the first invoke: the stub alone
    page.click("#chat-start")
    shop = page.frame(name="shop")
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstart')")
    page.click("#chat-stop")
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionend')")
    assert page.evaluate("GLANCE.Cobrowse._invokeLoader.liveAt !== null")   # the runtime ran in this window
    # the visitor's own runtime file (one cache entry), then the InvokeVisitor modules
    assert page.evaluate(dist) == [dist_name(n) for n in ("GlanceCobrowseInvokeVisitor.js", "glance-cobrowse-runtime.js",
                                                          "glance-cobrowse-invoke.js")]
    after = page.evaluate("Object.getOwnPropertyNames(window)")
    assert sorted(set(after) - set(before)) == [] and sorted(set(before) - set(after)) == []
    assert page.evaluate("(ns) => ns.filter(n => n in window)", list(BRYTHON_NAMES)) == []
    assert page.console.errors == []
