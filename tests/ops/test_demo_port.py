"""The demo on a port other than 8000, end to end in Chromium: the installed `cobrowse-server --demo`
with its shipped groups file (no test groups file), the chat window on http://localhost:PORT driving
the shop on http://127.0.0.1:PORT through InvokeVisitor, the session live at the service."""

import json
import re


def metric(demo, name, **labels):
    text = demo.get("/metrics")[2].decode()
    want = dict(labels, node="demo-node-1")
    for line in text.splitlines():
        m = re.match(r"^(\w+)\{([^}]*)\} (\S+)$", line)
        if m and m.group(1) == name and dict(re.findall(r'(\w+)="([^"]*)"', m.group(2))) == want:
            return float(m.group(3))
    return 0.0


def test_the_chat_window_drives_the_shop_on_a_port_other_than_8000(page, demo):
    assert demo.port != 8000
    page.goto(demo.alt_url + "/chat")
    page.wait_for_function("window.chatReady === true")
    shop = page.frame(name="shop")
    assert shop.url.startswith(demo.url + "/")          # the shop is the other origin of the same port
    shop.wait_for_function("window.demoAttached === true")

    page.fill("#chat-key", "9090")
    page.click("#chat-start")
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstart')")
    assert shop.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "9090"
    names = shop.evaluate("window.demoEvents.map(e => e.name)")
    assert "error" not in names, names
    assert metric(demo, "cobrowse_sessions") == 1 and metric(demo, "cobrowse_sockets", role="visitor") >= 1

    page.click("#chat-stop")
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionend')")
    end = [json.loads(e["payload"]) for e in shop.evaluate("window.demoEvents") if e["name"] == "sessionend"]
    assert end == [{"reason": "visitor"}]
    assert page.evaluate("chatLog.filter(t => /Error/.test(t))") == []
