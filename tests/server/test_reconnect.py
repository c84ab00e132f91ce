"""Reconnects: resume within the window (nothing lost, nothing twice), server restart, conndrop, two nodes."""

import asyncio

from session_server.agent_client import AgentClient

from .clients import Visitor
from .conftest import JANET
from .test_sessions import agent, key, run


def test_resume_after_navigation_gets_missed_frames_exactly_once(server):
    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        await v.connect()
        async with agent(server, k) as a:
            await a.action("n", {"i": 0})
            await v.wait(lambda v: len(v.of("agent_action")) == 1)
            await v.drop()                                   # the page navigates
            await a.wait_until(lambda a: a.presence == "reconnecting")
            for i in range(1, 6):
                await a.action("n", {"i": i})                # sent while the visitor is away
            await v.send("visitor_event", name="queued")     # queued in the visitor's outbox
            st = await v.connect()                           # new page: hello with resume + last_seq
            assert st["resumed"] is True and st["exact"] is True
            await v.wait(lambda v: len(v.of("agent_action")) == 6)
            await a.wait_until(lambda a: a.presence == "connected")
            assert [m["payload"]["i"] for m in v.of("agent_action")] == list(range(6))
            assert (await a.next_event())["name"] == "queued"
            # statereceived on the new page: a fresh state (and agents) frame after the resume
            assert v.received[-1]["type"] in ("state", "agents", "agent_action")
            assert len(v.of("state")) == 2
            await asyncio.sleep(0.1)
            assert v.dups == 0 and a._events == []
        await v.close()
    run(main())


def test_agent_reconnects_and_resends(server):
    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        await v.connect()
        async with agent(server, k) as a:
            await a._ws.close()                               # drop the agent's socket
            await a.action("after-drop", {"n": 1})            # queued, resent after the rejoin
            await v.wait(lambda v: len(v.of("agent_action")) == 1)
            assert v.of("agent_action")[0]["agent"]["num"] == 1
            assert v.of("agents")[-1]["count"] == 1           # same seat, not a second agent
        await v.close()
    run(main())


async def reconnect(v):
    """Reconnect the visitor to a service that is starting again, retrying as the SDK does."""
    for _ in range(50):
        try:
            return await v.connect()
        except OSError:
            await asyncio.sleep(0.1)
    return await v.connect()


def test_server_killed_and_restarted_mid_session(make_server):
    async def main():
        srv = make_server(window=10)
        k = key()
        v = Visitor(srv.base, 72937, k)
        await v.connect()
        a = AgentClient(srv.base, 72937, k, *JANET)
        await a.join()
        for i in range(3):
            await a.action("n", {"i": i})
        await v.send("visitor_event", name="e0")
        await v.wait(lambda v: len(v.of("agent_action")) == 3)
        await a.next_event("e0")
        # let the acks land (the service delays bare acks by up to peer.ACK_DELAY)
        await v.wait(lambda v: v.outbox.acked >= 1, timeout=5)
        for _ in range(100):
            if a.outbox.acked >= 3:
                break
            await asyncio.sleep(0.05)
        srv.kill()                                            # SIGKILL: all server memory is gone
        await v.drop()
        for i in range(3, 6):
            await a.action("n", {"i": i})                     # queued in the agent's outbox
        await v.send("visitor_event", name="e1")              # queued in the visitor's outbox
        await v.send("visitor_event", name="e2")
        srv.start()
        st = await reconnect(v)
        assert st["type"] == "started" and st["resumed"] is True and st["exact"] is False
        assert st["session"] == v.started["session"]
        await v.wait(lambda v: len(v.of("agent_action")) == 6, timeout=10)
        assert [m["payload"]["i"] for m in v.of("agent_action")] == list(range(6))
        assert (await a.next_event(timeout=10))["name"] == "e1"
        assert (await a.next_event())["name"] == "e2"
        await a.action("n", {"i": 6})
        await v.wait(lambda v: len(v.of("agent_action")) == 7)
        await asyncio.sleep(0.2)
        assert v.dups == 0 and a._events == []
        await v.wait(lambda v: v.of("agents")[-1]["count"] == 1)
        await a.end()
        assert (await v.wait_frame("end"))["reason"] == "agent"
        await a.close()
        await v.close()
    run(main())


def test_conndrop_when_visitor_stays_away_past_the_window(make_server):
    async def main():
        srv = make_server(window=0.8)
        k = key()
        v = Visitor(srv.base, 72937, k)
        st = await v.connect()
        assert st["window"] == 0.8
        async with AgentClient(srv.base, 72937, k, *JANET) as a:
            await v.drop()
            await a.wait_until(lambda a: a.presence == "reconnecting")
            await a.wait_until(lambda a: a.ended is not None, timeout=5)
            assert a.ended == "error"
        err = await v.connect()
        assert err["type"] == "error" and err["code"] == "conndrop" and err["fatal"] is True
        # a reconnect inside the window is fine
        k2 = key()
        w = Visitor(srv.base, 72937, k2)
        await w.connect()
        await w.drop()
        await asyncio.sleep(0.3)
        assert (await w.connect())["type"] == "started"
        await asyncio.sleep(0.8)
        await w.send("visitor_event", name="still-here")
        assert w.errors == [] and not w.of("end")
        await w.close()
    run(main())


def test_two_nodes_share_sessions_through_redis(make_server, redis_url):
    async def main():
        n1 = make_server(redis_url=redis_url)
        n2 = make_server(redis_url=redis_url)
        k = key()
        v = Visitor(n1.base, 72937, k)
        await v.connect()
        async with AgentClient(n2.base, 72937, k, *JANET) as a:
            assert a.session == v.started["session"]
            await v.wait(lambda v: v.of("agents")[-1]["count"] == 1)
            for i in range(10):
                await a.action("n", {"i": i}, state={"last": i} if i == 9 else None)
            await v.wait(lambda v: len(v.of("agent_action")) == 10)
            assert [m["payload"]["i"] for m in v.of("agent_action")] == list(range(10))
            await v.wait(lambda v: v.of("state")[-1]["state"] == {"last": 9})
            await v.send("visitor_event", name="hello-from-node-1")
            assert (await a.next_event())["name"] == "hello-from-node-1"
            # dupkey holds across nodes
            dup = Visitor(n2.base, 72937, k, tab="x")
            assert (await dup.connect())["code"] == "dupkey"
            # a second tab on node 2 takes focus; node 1's tab gets blur
            t2 = Visitor(n2.base, 72937, k, tab="two")
            assert (await t2.connect(resume=v.resume))["focused"] is True
            await v.wait_frame("blur")
            # the session list is shared
            listed = n2.get("/api/groups/72937/sessions", auth=JANET).json()["sessions"]
            assert [s["key"] for s in listed if s["key"] == k] == [k]
            await a.end()
            assert (await v.wait_frame("end"))["reason"] == "agent"
            assert (await t2.wait_frame("end"))["reason"] == "agent"
            await t2.close()
        await v.close()
    run(main())


def test_frames_relayed_just_before_a_crash_are_applied_once(make_server):
    """The service relays a frame and dies before acknowledging it to its sender
    (acks wait up to peer.ACK_DELAY): the sender sends it again to the restarted
    service, which relays it with the same origin, and receivers apply it once.
    Both directions: an agent action (to the visitor), then a visitor event (to the
    agent client, which drops the copy itself)."""
    from visitor_sdk.reliability import Origins

    async def main():
        srv = make_server(window=10)
        k = key()
        v = Visitor(srv.base, 72937, k, epoch="tab-epoch-1")
        await v.connect()
        a = AgentClient(srv.base, 72937, k, *JANET)
        await a.join()
        await v.wait(lambda v: v.of("agents") and v.of("agents")[-1]["count"] == 1)

        async def crash_and_restart():
            srv.kill()
            await v.drop()
            srv.start()
            assert (await reconnect(v))["exact"] is False

        await asyncio.sleep(0.8)                              # everything so far acknowledged
        await a.action("n", {"i": 1})
        await v.wait(lambda v: len(v.of("agent_action")) == 1)
        assert a.outbox.pending(), "acknowledged before the crash: nothing to send again"
        await crash_and_restart()
        await v.wait(lambda v: len(v.of("agent_action")) == 2, timeout=10)   # sent again by the agent
        copies = v.of("agent_action")
        assert copies[0]["o"] == copies[1]["o"] == [a.epoch, copies[0]["o"][1]]
        origins = Origins()
        assert [m["payload"]["i"] for m in copies if origins.fresh(m.get("o"))] == [1]

        await asyncio.sleep(0.8)
        await v.send("visitor_event", name="e1")
        first = await a.next_event("e1")
        assert first["o"] == ["tab-epoch-1", first["o"][1]]
        assert v.outbox.pending(), "acknowledged before the crash: nothing to send again"
        await crash_and_restart()
        await a.action("n", {"i": 2})                          # the agent is back
        await v.wait(lambda v: len(v.of("agent_action")) == 3, timeout=10)
        for _ in range(50):                                   # the visitor's copy of e1 has reached the agent
            if not v.outbox.pending():
                break
            await asyncio.sleep(0.1)
        assert not v.outbox.pending()
        await v.send("visitor_event", name="e2")
        assert (await a.next_event())["name"] == "e2"          # e1 was not handed out again
        await a.end()
        await a.close()
        await v.close()
    run(main())
