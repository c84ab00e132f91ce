"""Agent navigation, outline gestures and element ids, end to end through the real service."""
import json

from tests.browser.test_session_lifecycle import names, payloads, shop, start, wait_event

# The navigation event fires on the page being left: keep it in sessionStorage to read it on the next page.
NAV_PROBE = """() => GLANCE.Cobrowse.Visitor.addEventListener('navigation', function (p) {
  var log = JSON.parse(sessionStorage.getItem('navlog') || '[]');
  log.push(p);
  sessionStorage.setItem('navlog', JSON.stringify(log));
})"""


def arrive(page, pathname):
    page.wait_for_function("(p) => window.demoAttached === true && location.pathname === p", arg=pathname)
    wait_event(page, "statereceived")
    page.evaluate(NAV_PROBE)


def navlog(page):
    return json.loads(page.evaluate("sessionStorage.getItem('navlog') || '[]'"))


def test_navigate_by_url_back_forward_and_refused(page, server, agents):
    shop(page, server, "/")
    page.evaluate(NAV_PROBE)
    start(page, "nav-agent-1")
    agent = agents.agent(server.url, "nav-agent-1")
    wait_event(page, "agents", 2)

    agents.run(agent.navigate({"url": "/product?check=1"}, id="n1"))
    ev = agents.run(agent.next_event("navigation"))
    assert ev["ref"] == "n1"
    assert ev["payload"] == {"url": server.url + "/product?check=1", "direction": "url"}
    arrive(page, "/product")
    assert navlog(page) == [{"url": server.url + "/product?check=1", "direction": "url"}]
    assert page.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "nav-agent-1"

    agents.run(agent.navigate({"direction": "back"}))
    arrive(page, "/")
    agents.run(agent.navigate({"direction": "forward"}))
    arrive(page, "/product")
    assert navlog(page)[1:] == [{"direction": "back"}, {"direction": "forward"}]
    assert page.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True

    # other origins (the same server as localhost), other schemes and junk are refused; the page stays
    for i, url in enumerate([server.alt_url + "/product", "javascript:alert(1)", "https://example.com/"]):
        agents.run(agent.navigate({"url": url}, id="x%d" % i))
        ev = agents.run(agent.next_event("navigationrefused"))
        assert ev["ref"] == "x%d" % i and ev["payload"]["reason"] == "crossorigin"
    agents.run(agent.navigate({"direction": "sideways"}, id="bad"))   # not the catalogue's: the service refuses it
    agents.run(agent.wait_until(lambda a: a.errors))
    assert agent.errors[-1]["code"] == "bad_frame" and "navigate.direction" in agent.errors[-1]["msg"]
    agents.run(agent.navigate({"url": "   "}, id="blank"))               # well-formed, refused by the page
    assert agents.run(agent.next_event("navigationrefused"))["payload"]["reason"] == "badpayload"
    page.wait_for_timeout(300)
    assert page.evaluate("location.pathname") == "/product" and "navigation" not in names(page)
    assert len(navlog(page)) == 3
    assert page.console.errors == []


def test_back_and_forward_with_no_history_are_refused(page, server, agents):
    """A fresh tab has nothing to go back or forward to: the agent is told nohistory, never navigation."""
    shop(page, server, "/")
    page.evaluate(NAV_PROBE)
    start(page, "nav-nohist-1")
    agent = agents.agent(server.url, "nav-nohist-1")
    wait_event(page, "agents", 2)
    # (the tab's first entry is Playwright's about:blank: another origin, so there is no back of this site)
    assert page.evaluate("[navigation.canGoBack, navigation.canGoForward]") == [False, False]
    for i, direction in enumerate(("back", "forward")):
        agents.run(agent.navigate({"direction": direction}, id="h%d" % i))
        ev = agents.run(agent.next_event("navigationrefused"))
        assert ev["ref"] == "h%d" % i and ev["payload"] == {"reason": "nohistory"}
    # once there is somewhere to go, it goes; at the newest entry forward is refused again
    agents.run(agent.navigate({"url": "/product?check=1"}))
    agents.run(agent.next_event("navigation"))
    arrive(page, "/product")
    agents.run(agent.navigate({"direction": "forward"}, id="f1"))
    assert agents.run(agent.next_event("navigationrefused"))["payload"] == {"reason": "nohistory"}
    agents.run(agent.navigate({"direction": "back"}, id="b1"))
    assert agents.run(agent.next_event("navigation"))["payload"] == {"direction": "back"}
    arrive(page, "/")
    assert navlog(page) == [{"url": server.url + "/product?check=1", "direction": "url"}, {"direction": "back"}]
    page.wait_for_timeout(200)
    assert agent.errors == [] and page.console.errors == []


def test_without_the_navigation_api_only_back_is_checked(browser, server, agents):
    """Browsers without `navigation.canGoBack`: back is refused on history.length <= 1; forward cannot be
    checked, so it is sent on and the page stays (the limitation docs/protocol.md describes)."""
    ctx = browser.new_context()
    try:
        ctx.add_init_script("Object.defineProperty(window, 'navigation', {value: undefined, configurable: true});")
        opener = ctx.new_page()
        opener.goto(server.url + "/blank")
        with ctx.expect_page() as popup:     # a tab opened on the shop: its history has one entry
            opener.evaluate("(u) => window.open(u)", server.url + "/?check=1")
        page = popup.value
        page.set_default_timeout(10000)
        page.wait_for_function("window.demoAttached === true")
        assert page.evaluate("[window.navigation, history.length]") == [None, 1]
        start(page, "nav-nohist-2")
        agent = agents.agent(server.url, "nav-nohist-2")
        wait_event(page, "agents", 2)
        agents.run(agent.navigate({"direction": "back"}, id="b"))
        assert agents.run(agent.next_event("navigationrefused"))["payload"] == {"reason": "nohistory"}
        agents.run(agent.navigate({"direction": "forward"}, id="f"))
        assert agents.run(agent.next_event("navigation"))["payload"] == {"direction": "forward"}
        page.wait_for_timeout(300)
        assert page.evaluate("location.pathname") == "/" and page.evaluate("GLANCE.Cobrowse.Visitor.inSession()")
    finally:
        ctx.close()


def outline_box(page):
    return page.evaluate("""() => { var d = document.querySelector('.glance-outline');
        if (!d) return null; var r = d.getBoundingClientRect();
        return {x: r.left, y: r.top, w: r.width, h: r.height, visible: getComputedStyle(d).display !== 'none'
                && parseFloat(getComputedStyle(d).borderTopWidth) > 0}; }""")


def test_outline_at_a_point_and_on_an_element(page, server, agents):
    shop(page, server, "/product")
    start(page, "outline-1")
    agent = agents.agent(server.url, "outline-1")
    wait_event(page, "agents", 2)

    agents.run(agent.outline({"x": 100, "y": 120}))
    wait_event(page, "outline")
    assert payloads(page, "outline")[0] == {"x": 100, "y": 120, "agentnum": agent.num}
    page.wait_for_selector(".glance-outline", state="visible")
    box = outline_box(page)
    assert box["visible"] and abs(box["x"] + box["w"] / 2 - 100) < 2 and abs(box["y"] + box["h"] / 2 - 120) < 2
    page.wait_for_selector(".glance-outline", state="detached", timeout=4000)

    title = '[data-gid="%s"]' % page.get_attribute("#product-title", "data-gid")
    agents.run(agent.outline({"path": title}))
    wait_event(page, "outline", 2)
    ev = payloads(page, "outline")[1]
    rect = page.evaluate("document.querySelector('#product-title').getBoundingClientRect().toJSON()")
    assert ev["path"] == title and ev["agentnum"] == agent.num
    assert abs(ev["x"] - rect["x"]) < 1 and abs(ev["y"] - rect["y"]) < 1
    page.wait_for_selector(".glance-outline", state="visible")
    box = outline_box(page)
    assert box["x"] <= rect["x"] and box["y"] <= rect["y"]
    assert box["x"] + box["w"] >= rect["x"] + rect["width"] and box["y"] + box["h"] >= rect["y"] + rect["height"]
    page.wait_for_selector(".glance-outline", state="detached", timeout=4000)

    agents.run(agent.outline({"path": '[data-gid="987654"]'}, id="o3"))
    ev = agents.run(agent.next_event("outlinerefused"))
    assert ev["ref"] == "o3" and ev["payload"]["reason"] == "notfound"
    assert len(payloads(page, "outline")) == 2
    assert page.console.errors == []


def test_outline_without_default_ui_only_fires_the_event(page, server, agents):
    shop(page, server, "/product", query="check=1&ui=none")
    start(page, "outline-2")
    agent = agents.agent(server.url, "outline-2")
    wait_event(page, "agents", 2)
    agents.run(agent.outline({"x": 10, "y": 20, "w": 50, "h": 30}))
    wait_event(page, "outline")
    assert payloads(page, "outline") == [{"x": 10, "y": 20, "agentnum": agent.num}]
    page.wait_for_timeout(200)
    assert page.evaluate("document.querySelectorAll('.glance-outline').length") == 0


def test_element_ids(page, server):
    shop(page, server, "/checkout")
    assert page.evaluate("document.querySelectorAll('[data-gid]').length") == 0
    start(page, "gids-1")
    page.wait_for_function("document.body.hasAttribute('data-gid')")
    ids = page.evaluate("Array.from(document.querySelectorAll('*')).map(e => e.getAttribute('data-gid'))")
    assert None not in ids and len(set(ids)) == len(ids) and all(i.isdigit() for i in ids)
    email = page.get_attribute("#email", "data-gid")
    assert page.evaluate("(g) => document.querySelector('[data-gid=\"' + g + '\"]').id", email) == "email"

    # new elements, a clone (which copies the attribute) and a moved element
    page.evaluate("""() => {
        var div = document.createElement('div'); div.id = 'late';
        div.innerHTML = '<p id="late-p"><b id="late-b">x</b></p>';
        document.querySelector('main').appendChild(div);
        var c = document.querySelector('#email').cloneNode(true); c.id = 'email-copy';
        document.querySelector('main').appendChild(c);
        document.querySelector('main').appendChild(document.querySelector('#fullname'));
    }""")
    page.wait_for_function("['late', 'late-p', 'late-b'].every(i => document.getElementById(i).hasAttribute('data-gid'))"
                           " && document.getElementById('email-copy').getAttribute('data-gid') !== "
                           "document.getElementById('email').getAttribute('data-gid')")
    ids = page.evaluate("Array.from(document.querySelectorAll('*')).map(e => e.getAttribute('data-gid'))")
    assert None not in ids and len(set(ids)) == len(ids)
    assert page.get_attribute("#email", "data-gid") == email
    # a page script that changes an id gets it back
    fullname = page.get_attribute("#fullname", "data-gid")
    page.evaluate("document.getElementById('fullname').setAttribute('data-gid', '1')")
    page.wait_for_function("(g) => document.getElementById('fullname').getAttribute('data-gid') === g", arg=fullname)
