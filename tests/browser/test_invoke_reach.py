"""InvokeVisitor's traps, in Chromium across two origins of one server (127.0.0.1 and localhost).

The seed's init() takes a bare hostname. On an http: site, a bare hostname of
the chat window's own host now takes its scheme; a message that cannot reach
its target (wrong scheme, another page) is reported with one console warning.
"""
import time

from invoke_visitor.reach import ANSWER_MS

WARN = "GLANCE: GLANCE.Cobrowse.InvokeVisitor.invoke("   # the SDK's log prefix, then the call


def reach_warnings(page):
    return [t for t in page.console.of("warning") if t.startswith(WARN)]


def open_chat(page, server, shop_origin=None):
    page.goto(server.alt_url + "/chat" + ("?shop=" + shop_origin if shop_origin else ""))
    page.wait_for_function("window.chatReady === true")
    shop = page.frame(name="shop")
    shop.wait_for_function("window.demoAttached === true")
    return shop


def init_and_invoke(page, origin, key, times=1):
    return page.evaluate("""([origin, key, times]) => {
        const IV = GLANCE.Cobrowse.InvokeVisitor;
        IV.init(document.getElementById('shop').contentWindow, 72937, origin);
        for (let i = 0; i < times; i++) IV.invoke('startSession', {sessionKey: key});
        return location.origin; }""", [origin, key, times])


def wait_past_the_answer_time(page):
    page.wait_for_timeout(ANSWER_MS + 700)


def test_a_bare_hostname_of_the_chat_windows_own_http_host_reaches_the_page(page, server):
    shop = open_chat(page, server, shop_origin=server.alt_url)   # chat and shop on http://localhost:PORT
    host = server.alt_url.split("://", 1)[1]                     # "localhost:PORT", as the seed shows
    assert init_and_invoke(page, host, "5151") == server.alt_url
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstart')")
    assert shop.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "5151"
    wait_past_the_answer_time(page)
    assert reach_warnings(page) == []
    assert page.console.errors == []


def test_a_message_that_cannot_reach_its_target_warns_once(page, server):
    page.console.expect(WARN)
    shop = open_chat(page, server)            # chat on http://localhost:PORT, shop on http://127.0.0.1:PORT
    bare = server.url.split("://", 1)[1]      # "127.0.0.1:PORT": another host, so read as https
    init_and_invoke(page, bare, "5252", times=2)
    wait_past_the_answer_time(page)
    init_and_invoke(page, bare, "5252")       # the same target again: no second warning
    wait_past_the_answer_time(page)
    warnings = reach_warnings(page)
    assert len(warnings) == 1, page.console.messages
    assert "'startSession'" in warnings[0] and "no cobrowse page answered" in warnings[0]
    assert "https://" + bare in warnings[0] and repr(bare) in warnings[0]
    assert shop.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
    # With the page's exact origin the message arrives, and nothing more is said.
    init_and_invoke(page, server.url, "5353")
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstart')")
    wait_past_the_answer_time(page)
    assert len(reach_warnings(page)) == 1
    assert page.console.errors == []


def test_a_window_that_shows_a_page_without_the_tag_is_reported(page, server):
    page.console.expect(WARN)
    page.goto(server.alt_url + "/chat")
    page.wait_for_function("window.chatReady === true")
    page.evaluate("""(url) => { document.getElementById('shop').src = url; }""", server.url + "/?notag=1")
    deadline = time.time() + 10
    while time.time() < deadline and "notag" not in (page.frame(name="shop").url or ""):
        page.wait_for_timeout(50)
    page.frame(name="shop").wait_for_load_state("load")
    init_and_invoke(page, server.url, "5454")
    wait_past_the_answer_time(page)
    warnings = reach_warnings(page)
    assert len(warnings) == 1 and "to a page of origin " + server.url in warnings[0], warnings
