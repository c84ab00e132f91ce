"""Remote control on TodoMVC apps no one here wrote (React, Vue, Backbone from the npm todomvc package).

The agent is the Python agent client: it adds a todo by typing and Enter, edits one with a double click,
typing and Enter, completes one with its checkbox, filters with a click and scrolls. After each step the
visitor's page shows the result and the agent's answers say the same (rcevent with the value typed); the
copy is checked through those answers and the page's state (no Python model of the copy applies dom_changes).
"""
import os

import pytest

from tests.browser import todomvc_site
from tests.browser.test_todomvc import PORTS, TodoServer, open_app  # noqa: F401  (the shared ports)
from tests.browser.todomvc_site import TodoSite
from tests.conftest import poll

pytestmark = pytest.mark.skipif(not todomvc_site.installed() and not os.environ.get("CI"),
                                reason="the npm todomvc package is not installed (bash scripts/setup.sh test)")


@pytest.fixture(scope="module")
def server():
    s = TodoServer().start()
    yield s
    s.stop()


def gid(page, selector):
    return int(page.get_attribute(selector, "data-gid"))


def labels(page):
    return page.evaluate("() => [...document.querySelectorAll('#todo-list li')].filter(li => li.offsetParent)"
                         ".map(li => li.querySelector('label').textContent.trim())")


@pytest.mark.parametrize("name", ["react", "vue", "backbone"])
def test_agent_drives_the_app(name, browser, server, agents):
    site = TodoSite(name, server.url, PORTS[name]).start()
    ctx = browser.new_context(viewport={"width": 800, "height": 300})
    try:
        page = open_app(ctx, site.url)
        page.evaluate("localStorage.clear()")
        poll(page, "() => !!(window.GLANCE && GLANCE.Cobrowse && GLANCE.Cobrowse.Visitor)")
        key = "todoctl-" + name
        page.evaluate("(k) => { const V = GLANCE.Cobrowse.Visitor; V.addEventListener('rcrequested', p => p.accept());"
                      " V.addEventListener('sessionstart', () => { window.__started = true; });"
                      " V.startSession({sessionKey: k}); }", key)
        poll(page, "() => window.__started === true", timeout=20)
        agent = agents.agent(server.url, key)
        agents.run(agent.rcrequest())
        agents.run(agent.next_event("rcaccepted"))
        poll(page, "() => document.getElementById('new-todo').hasAttribute('data-gid')")

        def rc(payload):
            agents.run(agent.rcevent(payload))
            while True:   # (leaving a field the agent typed into is answered with an inputchange first)
                p = agents.run(agent.next_event("rcevent"))["payload"]
                if p["type"] == payload["type"]:
                    return p

        # add two todos: typing then Enter
        field = gid(page, "#new-todo")
        for title in ("Buy milk", "Walk the dog"):
            assert rc({"type": "agenttyping", "gid": field, "value": title})["value"] == title
            rc({"type": "key", "gid": field, "key": "Enter"})
            poll(page, "(t) => [...document.querySelectorAll('#todo-list li label')].some(l => l.textContent.trim() === t)",
                 title)
        assert labels(page) == ["Buy milk", "Walk the dog"]

        # edit the first with a double click on its label, typing and Enter
        poll(page, "() => document.querySelector('#todo-list li label').hasAttribute('data-gid')")
        rc({"type": "dblclick", "gid": gid(page, "#todo-list li:first-child label")})
        poll(page, "() => { const e = document.querySelector('#todo-list li.editing .edit');"
                   " return e && e.hasAttribute('data-gid'); }")
        edit = gid(page, "#todo-list li.editing .edit")
        assert rc({"type": "agenttyping", "gid": edit, "value": "Buy oat milk"})["value"] == "Buy oat milk"
        rc({"type": "key", "gid": edit, "key": "Enter"})
        poll(page, "() => !document.querySelector('#todo-list li.editing')")
        poll(page, "() => document.querySelector('#todo-list li label').textContent.trim() === 'Buy oat milk'")

        # complete it with the checkbox
        poll(page, "() => document.querySelector('#todo-list li .toggle').hasAttribute('data-gid')")
        rc({"type": "click", "gid": gid(page, "#todo-list li:first-child .toggle")})
        poll(page, "() => document.querySelector('#todo-list li:first-child').classList.contains('completed')")

        # filter with a click
        rc({"type": "click", "gid": gid(page, "#filters a[href='#/active']")})
        poll(page, "() => location.hash === '#/active'")
        poll(page, "() => [...document.querySelectorAll('#todo-list li')].filter(li => li.offsetParent).length === 1")
        assert labels(page) == ["Walk the dog"]

        # scroll the page
        reached = rc({"type": "scroll", "x": 0, "y": 120})
        assert reached["y"] == page.evaluate("window.scrollY") and reached["y"] > 0
        assert page.console.errors == [] if hasattr(page, "console") else True
        page.evaluate("localStorage.clear()")
    finally:
        ctx.close()
        site.stop()
