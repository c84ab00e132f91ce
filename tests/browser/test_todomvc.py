"""A real-site matrix: TodoMVC apps no one here wrote, each under the strictest policy it runs under itself.

Every app (tests/browser/todomvc_site.py: APPS, its policy and why) gets one
browser context. First the app alone (no tag): it works under its policy with
no violation, and each source it has beyond the strict policy is needed (left
out, the app alone triggers a violation of that directive). Then with the
tag: a visitor session, an agent's console joins, the copy matches the page
(the text of every element and the form values), remote control is asked and
accepted in the default UI, the agent clicks a todo's checkbox and a filter
link and types into the new-todo field in the copy, the visitor's page shows
each result, the session ends. Throughout: zero securitypolicyviolation events
and no console message the app alone does not print.
"""
import os

import pytest

from tests.browser.test_cobrowse_view import assert_copy_matches, open_console, wait_for
from tests.browser import todomvc_site
from tests.conftest import Server, free_port
from tests.browser.todomvc_site import APPS, TodoSite

pytestmark = pytest.mark.skipif(not todomvc_site.installed() and not os.environ.get("CI"),
                                reason="the npm todomvc package is not installed (bash scripts/setup.sh test)")

# Registered by CDP before any page script (the page's CSP does not apply to it): every violation, as plain data.
VIOLATIONS = """(() => {
  const seen = [];
  Object.defineProperty(window, '__cspViolations', {value: seen});
  document.addEventListener('securitypolicyviolation', (e) => {
    seen.push({directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile,
               line: e.lineNumber, sample: e.sample, disposition: e.disposition, policy: e.originalPolicy});
  }, true);
})()"""

# The visitor's events, recorded once the loader has defined the API.
RECORD = """() => {
  const V = GLANCE.Cobrowse.Visitor, seen = [];
  Object.defineProperty(window, '__todoEvents', {value: seen});
  for (const n of ['sessionstart', 'sessionend', 'rcrequested', 'rcenabled', 'rcevent', 'error'])
    V.addEventListener(n, (p) => seen.push(n === 'rcevent' ? n + ':' + p.type : n));
}"""


def poll(page, expression, arg=None, timeout=10000, step=50):
    """Wait until `expression` (a function source) is truthy in the page: page.evaluate, never wait_for_function."""
    return wait_for(page, lambda: page.evaluate(expression, arg), timeout=timeout, step=step)


def violations(page):
    return page.evaluate("window.__cspViolations")


def brief(seen):
    """Violations for a failure message (the policy is said once, not in each)."""
    return [{k: v for k, v in x.items() if k != "policy"} for x in seen]


def events(page):
    return page.evaluate("window.__todoEvents")


def open_app(context, url, ready=True):
    """A page of `context` at `url` with the violation counter and a console log ([(type, text, url)])."""
    page = context.new_page()
    page.set_default_timeout(10000)
    page.messages = []
    page.on("console", lambda m: page.messages.append((m.type, m.text, (m.location or {}).get("url", ""))))
    page.on("pageerror", lambda e: page.messages.append(("pageerror", str(e), "")))
    page.add_init_script(VIOLATIONS)
    page.goto(url)
    if ready:
        page.wait_for_selector("#new-todo")
    return page


def add_todo(page, title, wait=True):
    n = page.locator("#todo-list li").count()
    page.fill("#new-todo", title)
    page.press("#new-todo", "Enter")
    if wait:
        poll(page, "(n) => document.querySelectorAll('#todo-list li').length > n", n)


def titles(page):
    return [t.strip() for t in page.locator("#todo-list li:visible label").all_inner_texts()]


def gid(page, selector):
    value = page.get_attribute(selector, "data-gid")
    assert value, "no data-gid on " + selector
    return value


def test_each_policy_is_the_strict_policy_plus_what_the_app_itself_needs():
    """The SDK's part is issue 19's strict policy; nothing an app adds names the service or allows inline code."""
    assert todomvc_site.policy("vanillajs", "http://127.0.0.1:1") == (
        "default-src 'self'; script-src 'self' http://127.0.0.1:1; style-src 'self' http://127.0.0.1:1; "
        "connect-src http://127.0.0.1:1 ws://127.0.0.1:1 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'self'")
    for app in APPS.values():
        for directive, sources in app.extra.items():
            assert directive in dict(todomvc_site.STRICT), (app.name, directive)
            for source in sources:
                assert source not in (todomvc_site.SERVICE, todomvc_site.SERVICE_WS), (app.name, source)
                assert source not in ("'unsafe-inline'", "*") and ":" not in source.strip("'"), (app.name, source)


# Each app's port, chosen up front: the service lists the apps' origins as the group's site_origins
# (a visitor socket from any other page is refused), as a site's operator would.
PORTS = {name: free_port() for name in sorted(APPS)}


class TodoServer(Server):
    """The session service, whose group 72937 also accepts visitor sockets from the apps' origins."""

    def write_groups(self):
        super().write_groups()
        path = self.env["COBROWSE_GROUPS"]
        with open(path, encoding="utf-8") as f:
            text = f.read()
        apps = "".join('"http://127.0.0.1:%d", ' % port for port in PORTS.values())
        assert text.count("site_origins = [") >= 1
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("site_origins = [", "site_origins = [" + apps, 1))


@pytest.fixture(scope="module")
def server():
    s = TodoServer().start()
    yield s
    s.stop()


@pytest.fixture(scope="module", params=sorted(APPS))
def app(request, browser, server):
    """(name, site, context): the app served on its own origin, one browser context for all its tests."""
    site = TodoSite(request.param, server.url, PORTS[request.param]).start()
    ctx = browser.new_context()
    yield request.param, site, ctx
    ctx.close()
    site.stop()


@pytest.fixture(scope="module")
def alone(app):
    """The app without the tag, once per app: two todos added, one done, the Active filter shown.

    Loaded with `?probe=1`: beside its policy, each policy-without-one-extra-source is sent report-only.
    Returns {"violations", "titles", "messages"} (messages of the load, report-only ones left out)."""
    name, site, ctx = app
    page = open_app(ctx, site.url + "?notag=1&probe=1")
    add_todo(page, "first alone")
    add_todo(page, "second alone")
    page.locator("#todo-list li .toggle").first.check()
    page.click("#filters a[href='#/active']")
    poll(page, "() => location.hash === '#/active'")
    page.wait_for_timeout(100)
    out = {"violations": violations(page), "titles": titles(page),
           "messages": [m for m in page.messages if not m[1].startswith("[Report Only]")]}
    page.evaluate("localStorage.clear()")
    page.close()
    return out


def test_app_alone_runs_under_its_policy(app, alone):
    name, site, ctx = app
    enforced = [v for v in alone["violations"] if v["disposition"] == "enforce"]
    assert enforced == [], "%s alone under %r: %r" % (name, site.csp, enforced)
    assert alone["titles"] == ["second alone"]


def test_each_extra_source_is_needed_by_the_app_alone(app, alone):
    """The policy is the strictest the app runs under: without any one of its extra sources, it violates."""
    name, site, ctx = app
    reported = [v for v in alone["violations"] if v["disposition"] == "report"]
    for (directive, source), variant in site.variants().items():
        hits = [v for v in reported if v["policy"] == variant and v["directive"].startswith(directive)]
        assert hits, "%s runs without %s %s: %r" % (name, directive, source, reported)


def test_session_on_the_app_copy_remote_control(app, alone, server):
    name, site, ctx = app
    own_messages = set(alone["messages"])          # (type, text, source URL): the app's own, without the tag
    key = "todomvc-" + name

    page = open_app(ctx, site.url)
    poll(page, "() => !!(window.GLANCE && GLANCE.Cobrowse && GLANCE.Cobrowse.Visitor)")
    page.evaluate(RECORD)
    add_todo(page, "Buy milk")
    add_todo(page, "Walk the dog")

    page.evaluate("(k) => { GLANCE.Cobrowse.Visitor.startSession({sessionKey: k}); }", key)
    try:
        poll(page, "() => window.__todoEvents.includes('sessionstart') || window.__todoEvents.includes('error')",
             timeout=20000)
    except AssertionError:
        pass
    state = (events(page), brief(violations(page)), page.messages)
    assert "sessionstart" in state[0], "%s: no session: events %r, violations %r, console %r" % ((name,) + state)

    console = open_console(ctx, server, key)
    poll(console, "() => window.agentReplay.snapshots >= 1", timeout=15000)
    assert len(assert_copy_matches(page, console)) > 10
    add_todo(page, "Call mum")                                   # a change in the session
    assert_copy_matches(page, console)

    # remote control: asked by the agent, accepted in the default UI
    console.click("#act-rcrequest")
    page.click('.glance-ui-dialog[data-kind="rcrequested"] .glance-ui-accept')
    poll(page, "() => window.__todoEvents.includes('rcenabled')")
    assert [e for e in events(page) if e.startswith("rc")] == ["rcrequested", "rcenabled"]
    poll(console, "() => window.agentReplay.rcEnabled")
    copy = console.frame_locator("#replay-frame")

    # the agent clicks the first todo's checkbox in the copy: it is done on the visitor's page
    toggle = gid(page, "#todo-list li:first-child .toggle")
    copy.locator('[data-gid="%s"]' % toggle).click()
    poll(page, "() => document.querySelector('#todo-list li:first-child').classList.contains('completed')")
    assert page.is_checked("#todo-list li:first-child .toggle")

    # the agent clicks the Active filter: the visitor's list shows the active todos only
    active = gid(page, "#filters a[href='#/active']")
    copy.locator('[data-gid="%s"]' % active).click()
    poll(page, "() => location.hash === '#/active'")
    poll(page, "() => [...document.querySelectorAll('#todo-list li')].filter(li => li.offsetParent).length === 2")
    assert titles(page) == ["Walk the dog", "Call mum"]

    # the agent types into the new-todo field in the copy: the visitor's field shows it. Then the app's own
    # model has it: the agent clicks the heading (leaving the field fires change: VanillaJS adds the todo
    # then), or else the visitor presses Enter (the others add on a key).
    field = gid(page, "#new-todo")
    copy.locator('[data-gid="%s"]' % field).type("Typed by agent")
    poll(page, "() => document.getElementById('new-todo').value === 'Typed by agent'")
    copy.locator('[data-gid="%s"]' % gid(page, "h1")).click()
    poll(page, "() => window.__todoEvents.slice(-2).join() === 'rcevent:inputchange,rcevent:click'")
    if "Typed by agent" not in page.locator("#todo-list li label").all_inner_texts():
        page.press("#new-todo", "Enter")
    poll(page, "() => [...document.querySelectorAll('#todo-list li label')].some(l => l.textContent.trim() === "
               "'Typed by agent')")
    assert_copy_matches(page, console)

    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    poll(page, "() => window.__todoEvents.includes('sessionend')")
    page.wait_for_timeout(200)

    seen = violations(page)
    extra = [m for m in page.messages if m not in own_messages]
    page.evaluate("localStorage.clear()")
    assert (seen, extra) == ([], []), "%s under %r: violations with the tag %r; console messages the app " \
        "alone does not print %r" % (name, site.csp, brief(seen), extra)
    assert console.errors == [] and console.evaluate("window.agentReplay.errors") == []
