"""What used to live in one node's memory is in Redis: documents, upload tickets and guest tokens work
across nodes; a tab or an agent that reconnects to another node resumes exactly."""

import asyncio

import httpx

from session_server.agent_client import AgentClient, AgentError, guest_token
from tests.cluster.test_failover import run
from tests.server.clients import Visitor
from tests.server.conftest import JANET
from tests.server.test_sessions import key

CSV = b"name,qty\nwidget,2\n"


def test_documents_tickets_and_guest_tokens_across_nodes(cluster):
    n1, n2 = cluster.nodes

    async def main():
        k = key()
        v = Visitor(n1.base, 72937, k)
        await v.connect()
        a = AgentClient(n2.base, 72937, k, *JANET)
        await a.join()
        # an agent's document uploaded to node 2 is served by node 1
        info = await a.upload_document("list.csv", CSV)
        assert httpx.get(n1.base + info["url"][len(n2.base):]).content == CSV
        # the visitor's upload ticket: used on node 2, refused on node 1
        await a.action("docsharerequest", {})
        await v.wait(lambda v: v.of("agent_action", "docsharerequest"))
        ticket = v.of("agent_action", "docsharerequest")[0]["payload"]["upload"]["ticket"]
        up = httpx.post(n2.base + "/api/docs", params={"ticket": ticket, "name": "mine.csv"}, content=CSV)
        assert up.status_code == 201, up.text
        again = httpx.post(n1.base + "/api/docs", params={"ticket": ticket, "name": "mine.csv"}, content=CSV)
        assert again.status_code == 401 and "already used" in again.json()["error"]
        # ...announced through node 1, checked there against the document node 2 stored
        url = n2.base + up.json()["url"]
        await v.send("visitor_event", name="visitordocument", payload={"name": "mine.csv", "size": len(CSV), "url": url})
        ev = await a.next_event("visitordocument")
        assert ev["payload"]["url"] == url and not v.errors
        # a guest token is used once, whichever node sees it
        await v.send("visitor_event", name="addguestaccepted", payload={"name": "Gus"})
        token = guest_token(await a.next_event("addguestaccepted"))
        g = AgentClient.as_guest(n1.base, 72937, k, token)
        await g.join()
        try:
            await AgentClient.as_guest(n2.base, 72937, k, token, reconnect=False).join()
            raise AssertionError("a used guest token was accepted on the other node")
        except AgentError as exc:
            assert exc.code == "unauthorized"
        await g.close()
        await a.close()
        await v.close()
    run(main(), 30)


def test_a_tab_that_moves_to_another_node_resumes_exactly(cluster):
    n1, n2 = cluster.nodes

    async def main():
        k = key()
        v = Visitor(n1.base, 72937, k)
        await v.connect()
        a = AgentClient(n1.base, 72937, k, *JANET)
        await a.join()
        await a.action("n", {"i": 0})
        await v.wait(lambda v: len(v.of("agent_action")) == 1)
        await v.drop()                                          # the page navigates...
        for i in range(1, 4):
            await a.action("n", {"i": i})                       # ...while the agent acts
        await v.send("visitor_event", name="queued")
        v.url = n2.base.replace("http", "ws", 1) + "/ws/visitor"
        st = await v.connect()                                  # ...and its next page reaches node 2
        assert st["resumed"] is True and st["exact"] is True
        await v.wait(lambda v: len(v.of("agent_action")) == 4)
        assert [m["payload"]["i"] for m in v.of("agent_action")] == [0, 1, 2, 3]
        assert (await a.next_event("queued"))["name"] == "queued"
        await asyncio.sleep(0.2)
        assert v.dups == 0
        await a.end()
        assert (await v.wait_frame("end"))["reason"] == "agent"
        await a.close()
        await v.close()
    run(main(), 30)
