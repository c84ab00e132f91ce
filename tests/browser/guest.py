"""Helpers for the guest tests (strict CSP, Trusted Types, no globals): a whole
visitor session on /strict, polled with page.evaluate (a strict CSP blocks
Playwright's wait_for_function), and the attribution of CSP violations.

The SDK's JS that still sits in Python strings (run through
`window.Function.new`, i.e. the Function constructor) is being moved into .js
files that the build bundles (build/js_sources.py). Until that lands those call
sites violate 'unsafe-eval'/Trusted Types; `python_string_js()` tells them
apart from everything else, so the report-only tests check that nothing else
(brython.js, the boot, the loader, the feature chunk, the InvokeVisitor stub)
causes a violation.
"""
import ast
import os
import re
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JS_SOURCES_LANDED = os.path.exists(os.path.join(ROOT, "build", "js_sources.py"))
PAGE_OWN = {"$B": "the page's own $B", "key": "the page's own key", "docs": "the page's own docs",
            "__BRYTHON__": "the page's own __BRYTHON__"}
BRYTHON_NAMES = ("$B", "__BRYTHON__", "brython", "_b_", "key", "docs", "$locals", "_window")


def poll(page, expression, arg=None, timeout=15.0):
    """Wait until `expression` (a function of `arg` when given) is truthy in the page."""
    deadline = time.time() + timeout
    while True:
        value = page.evaluate(expression, arg) if arg is not None else page.evaluate(expression)
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError("timed out waiting for " + expression)
        time.sleep(0.05)


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


def _normal(text):
    return re.sub(r"\s+", " ", text).strip()


def _python_strings():
    out = []
    for pkg in ("visitor_sdk", "invoke_visitor"):
        for fn in sorted(os.listdir(os.path.join(ROOT, pkg))):
            if fn.endswith(".py"):
                with open(os.path.join(ROOT, pkg, fn), encoding="utf-8") as f:
                    tree = ast.parse(f.read())
                out += [_normal(n.value) for n in ast.walk(tree)
                        if isinstance(n, ast.Constant) and isinstance(n.value, str) and len(n.value) > 20]
    return out


def python_string_js(violations):
    """Split `violations` (the page's securitypolicyviolation records, under a
    Trusted Types policy) into (from the SDK's JS in Python strings, the rest).

    A Function-constructor Trusted Types violation is the Python-string JS when
    its sample's code is in a string of visitor_sdk/ or invoke_visitor/; the
    'unsafe-eval' violation the same call raises has no sample and the same
    source line."""
    strings = _python_strings()
    ours, rest, lines = [], [], set()
    for v in violations:
        sample = v.get("sample") or ""
        if v["directive"] == "require-trusted-types-for" and sample.startswith("Function|"):
            # Chromium shows "(params\n) {\nbody\n})", cut at 40 characters
            code = _normal(re.sub(r"\n\}\)$", "", sample[len("Function|"):].split(") {", 1)[-1]))
            if not code or any(code in s for s in strings):
                ours.append(v)
                lines.add((v["source"], v["line"]))
                continue
        rest.append(v)
    rest2 = []
    for v in rest:
        if v["directive"].startswith("script-src") and v["blocked"] == "eval" and (v["source"], v["line"]) in lines:
            ours.append(v)
        else:
            rest2.append(v)
    return ours, rest2
