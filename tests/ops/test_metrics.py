"""GET /metrics counts what a real session does: sessions, sockets, relayed frames, a resume, a bad
resume token and a frame dropped over a budget (the service from the checkout, a protocol visitor
and the Python agent client)."""

import asyncio
import re
import secrets

import httpx
import pytest

from session_server.agent_client import AgentClient
from tests.server.clients import Visitor
from tests.server.conftest import GROUPS_TOML, JANET, Server
from tests.server.test_sessions import run   # asyncio in a thread (Playwright's loop may be running)


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    path = tmp_path_factory.mktemp("metrics") / "groups.toml"
    path.write_text(GROUPS_TOML)
    s = Server(str(path), args=["--node-id", "metrics-node"]).start()
    yield s
    s.stop()


def metric(server, name, **labels):
    text = httpx.get(server.base + "/metrics", timeout=5).text
    want = dict(labels, node="metrics-node")
    for line in text.splitlines():
        m = re.match(r"^(\w+)\{([^}]*)\} (\S+)$", line)
        if m and m.group(1) == name and dict(re.findall(r'(\w+)="([^"]*)"', m.group(2))) == want:
            return float(m.group(3))
    return 0.0


def test_a_session_is_counted_while_it_lives(node):
    async def main():
        k = str(secrets.randbelow(10 ** 8))
        v = Visitor(node.base, 72937, k)
        await v.connect()
        async with AgentClient(node.base, 72937, k, *JANET) as a:
            assert metric(node, "cobrowse_sessions") == 1
            assert metric(node, "cobrowse_sockets", role="visitor") == 1
            assert metric(node, "cobrowse_sockets", role="agent") == 1
            before = metric(node, "cobrowse_frames_relayed_total")
            await v.send("visitor_event", name="rcdeclined")
            assert (await a.next_event())["name"] == "rcdeclined"
            assert metric(node, "cobrowse_frames_relayed_total") >= before + 1

            await v.drop()                                     # the socket drops; the tab comes back
            await v.connect()
            assert v.started["resumed"] is True
            assert metric(node, "cobrowse_resumes_total", role="visitor", outcome="resumed") == 1

            dropped = metric(node, "cobrowse_frames_dropped_by_budget_total")
            await v.send("visitor_event", name="s", state={"big": "y" * 9000})   # over state_bytes (8 KiB)
            await v.wait_error("over_budget")
            assert metric(node, "cobrowse_frames_dropped_by_budget_total") == dropped + 1
            await a.end()
        await v.close()
        w = Visitor(node.base, 72937, str(secrets.randbelow(10 ** 8)))
        assert (await w.connect(resume="not-a-token"))["code"] == "conndrop"
        assert metric(node, "cobrowse_resumes_total", role="visitor", outcome="bad_token") == 1
        for _ in range(100):                                   # the sockets close, the session ends
            if metric(node, "cobrowse_sockets", role="visitor") == 0 and metric(node, "cobrowse_sessions") == 0:
                break
            await asyncio.sleep(0.05)
        assert metric(node, "cobrowse_sockets", role="visitor") == 0
        assert metric(node, "cobrowse_sockets", role="agent") == 0
        assert metric(node, "cobrowse_sessions") == 0
    run(main())
