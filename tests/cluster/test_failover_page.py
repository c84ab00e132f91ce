"""The page's handlers across a node's death: the demo shop in Chromium with the SDK, served and
connected through HAProxy to two nodes sharing Redis; the node holding the visitor is killed in the
middle of 200 numbered agent gestures; the page's own `outline` listener sees each once, in order."""

import os
import signal
import tempfile
import time

import httpx
import pytest

from tests.conftest import ROOT, Server, free_port, poll
from tests.cluster.conftest import Proxy, Redis

N = 200


@pytest.fixture
def demo_cluster(tmp_path):
    redis = Redis(tmp_path).start()
    proxy_port = free_port()
    with open(os.path.join(ROOT, "session_server", "groups.toml"), encoding="utf-8") as f:
        text = f.read().replace("${PORT}", str(proxy_port))   # the page's origin is the proxy's
    groups = os.path.join(tempfile.mkdtemp(prefix="cobrowse-groups-"), "groups.toml")
    with open(groups, "w", encoding="utf-8") as f:
        f.write(text)
    nodes = [Server(extra_args=["--redis-url", redis.url, "--workers", "1"], env={"COBROWSE_GROUPS": groups}).start()
             for _ in range(2)]
    proxy = Proxy(nodes, port=proxy_port).start()
    yield nodes, proxy
    proxy.stop()
    for n in nodes:
        n.stop()
    redis.stop()


def test_page_handlers_see_each_action_once_when_the_visitors_node_dies(page, agents, demo_cluster):
    nodes, proxy = demo_cluster
    # the browser's own line when a reconnect reaches the proxy before it has seen the node die, and the
    # SDK's warning for that retry: timing decides whether they appear
    page.console.allow("WebSocket connection to").allow("could not connect to")
    page.goto(proxy.base + "/?check=1")
    poll(page, "window.demoAttached === true")
    page.evaluate("""() => { window.seenX = [];
        GLANCE.Cobrowse.Visitor.addEventListener('outline', function (p) { window.seenX.push(p.x); }); }""")
    page.evaluate("(k) => GLANCE.Cobrowse.Visitor.startSession(k)", "failover-1")
    poll(page, "window.demoEvents.some(e => e.name === 'sessionstart')")
    holder = [n for n in nodes if httpx.get(n.url + "/api/stats").json()["sessions"]]
    assert len(holder) == 1
    agent = agents.agent(proxy.base, "failover-1")
    for i in range(N):
        if i == 60:
            poll(page, "window.seenX.length >= 30")         # the stream is flowing: now the node dies
            holder[0].proc.send_signal(signal.SIGKILL)
            holder[0].proc.wait(5)
        agents.run(agent.outline({"x": i, "y": 10}))
        time.sleep(0.003)
    poll(page, "window.seenX.length >= %d" % N, timeout=30)
    time.sleep(0.3)
    assert page.evaluate("window.seenX") == list(range(N))
    assert page.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True
    agents.run(agent.close())
