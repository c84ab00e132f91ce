"""Helpers for the guest tests (strict CSP, Trusted Types, no globals): a whole
visitor session on /strict, polled with page.evaluate (a strict CSP blocks
Playwright's wait_for_function).
"""
from tests.conftest import poll  # noqa: F401  (the guest tests import it from here)

PAGE_OWN = {"$B": "the page's own $B", "key": "the page's own key", "docs": "the page's own docs",
            "__BRYTHON__": "the page's own __BRYTHON__"}
BRYTHON_NAMES = ("$B", "__BRYTHON__", "brython", "_b_", "key", "docs", "$locals", "_window")


def event_count(page, name):
    return page.evaluate("(n) => window.demoEvents.filter(e => e.name === n).length", name)


def wait_event(page, name, count=1, timeout=15.0):
    poll(page, "([n, c]) => window.demoEvents.filter(e => e.name === n).length >= c", [name, count], timeout)


def whole_session(page, server, agents, query, key):
    """On /strict?<query>: start a session, an agent joins, the features load, the
    agent asks for remote control, the visitor accepts, the agent types and
    clicks, the visitor ends the session."""
    page.goto(server.url + "/strict?" + query)
    poll(page, "window.demoAttached === true")
    page.evaluate("""() => { window.rc = null;
        GLANCE.Cobrowse.Visitor.addEventListener('rcrequested', function (p) { window.rc = p; }); }""")
    page.evaluate("(k) => GLANCE.Cobrowse.Visitor.startSession(k)", key)
    wait_event(page, "sessionstart")
    agent = agents.agent(server.url, key)
    wait_event(page, "agents", 2)
    poll(page, "GLANCE.Cobrowse._loader.featuresAt !== null")
    agents.run(agent.outline({"x": 60, "y": 40}))   # a gesture: the default UI draws its outline
    wait_event(page, "outline")
    poll(page, "!!document.querySelector('.glance-outline')")
    agents.run(agent.rcrequest(id="req-1"))
    poll(page, "window.rc !== null")
    page.evaluate("window.rc.accept()")
    wait_event(page, "rcenabled")
    name = '[data-gid="%s"]' % poll(page, "document.getElementById('strict-name').getAttribute('data-gid')")
    agents.run(agent.rcevent({"type": "agenttyping", "path": name, "value": "Joe"}))
    poll(page, "document.getElementById('strict-name').value === 'Joe'")
    button = '[data-gid="%s"]' % page.evaluate("document.getElementById('strict-button').getAttribute('data-gid')")
    agents.run(agent.rcevent({"type": "click", "path": button}))
    poll(page, "document.getElementById('strict-hello').textContent === 'Hello Joe'")
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    wait_event(page, "sessionend")
    agents.run(agent.close())
    page.wait_for_timeout(300)


def globals_diff(page):
    """(names added, names removed) to the window since the page's own script ran."""
    return page.evaluate("""() => {
        const before = new Set(window.pageGlobals), now = Object.getOwnPropertyNames(window);
        return [now.filter(n => !before.has(n)).sort(), window.pageGlobals.filter(n => !now.includes(n)).sort()]; }""")


def page_own_values(page):
    return page.evaluate("() => ({'$B': window.$B, key: window.key, docs: window.docs, __BRYTHON__: window.__BRYTHON__})")
