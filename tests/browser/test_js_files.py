"""The JS files the bundles hold as code (visitor_sdk/js/, build/js_sources.py) in a real session: the
cobrowse view gets its configuration through them, and the page's built-in prototypes keep their keys."""
from tests.browser.test_cobrowse_view import agent_events, rebuild
from tests.browser.test_session_lifecycle import shop, start

# Own keys (symbols too) of the built-in prototypes a library could touch by accident. Brython caches
# the wrappers of methods read from a JS object on that object: reading one off Object.prototype
# from Python would put a cache there, shared by every object (then `arr.push(x)` from Python
# pushes onto another array: the cobrowse view got empty attribute lists and sent relative URLs).
PROTO_KEYS = """() => [Object, Array, Function, String, Number, Boolean, Promise, Map, Set, WeakMap, Element,
                       Node, EventTarget, HTMLElement].map((C) =>
  C.name + ': ' + Reflect.ownKeys(C.prototype).map(String).sort().join(','))"""


def test_a_session_with_the_cobrowse_view_leaves_the_builtin_prototypes_alone(page, server, agents):
    shop(page, server, "/checkout")
    before = page.evaluate(PROTO_KEYS)
    start(page, "jsfiles-1")
    agent = agents.agent(server.url, "jsfiles-1")
    agents.run(agent.wait_until(lambda a: agent_events(a, "dom_snapshot")))
    meta, records = rebuild([e["payload"] for e in agent_events(agent, "dom_snapshot")])
    # The walker (walker.js) was configured from Python lists: URL attributes are made absolute,
    # masking applies (an input's id is a kept attribute).
    links = [r[2]["href"] for r in records if len(r) >= 3 and r[1] == "a" and r[2] and "href" in r[2]]
    assert links and all(h.startswith(server.url) for h in links), links
    assert [r for r in records if len(r) >= 3 and r[2] and r[2].get("id") == "card"]
    assert page.evaluate("document.querySelectorAll('[data-gid]').length") > 10   # gids.js gave the ids
    assert page.evaluate(PROTO_KEYS) == before
