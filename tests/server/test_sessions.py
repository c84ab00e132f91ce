"""Sessions against the real server: start, dupkey, agents, relay, focus, end, auth, HTTP API."""

import asyncio
import threading
import itertools
import json

import pytest

from session_server import agent_frames as AF
from session_server.agent_client import AgentClient, AgentError
from visitor_sdk import protocol as P

from .clients import Visitor
from .conftest import BOB, JANET, MARY

_keys = itertools.count(1000)


def key():
    return "k%d" % next(_keys)


def run(coro):
    """Run a coroutine on a fresh event loop in its own thread: the browser tests'
    sync Playwright keeps an event loop running in the main thread of the session."""
    box = {}

    def target():
        try:
            box["value"] = asyncio.run(asyncio.wait_for(coro, 20))
        except BaseException as exc:  # re-raised in the test's thread
            box["error"] = exc
    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def agent(server, k, creds=JANET, group=72937):
    return AgentClient(server.base, group, k, *creds)


def test_start_agents_list_and_leave(server):
    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        st = await v.connect()
        assert st["type"] == "started" and st["key"] == k and st["resumed"] is False and st["focused"] is True
        await v.wait_frame("state")
        assert v.of("agents")[0]["count"] == 0
        async with agent(server, k) as a1:
            assert a1.num == 1 and a1.visitor == {"name": "Vera Visitor"}
            await v.wait(lambda v: v.of("agents")[-1]["count"] == 1)
            entry = v.of("agents")[-1]["agentlist"][0]
            assert entry["username"] == "janet.glance.net" and entry["role"] == "agent" and entry["num"] == 1
            assert set(entry) == {"username", "partnerid", "partneruserid", "name", "title", "role", "guestid",
                                  "num", "agentrole"}
            assert entry["agentrole"] == "Account Support" and isinstance(entry["guestid"], int)
            a2 = agent(server, k, MARY)
            await a2.join()
            await v.wait(lambda v: v.of("agents")[-1]["count"] == 2)
            assert [e["num"] for e in v.of("agents")[-1]["agentlist"]] == [1, 2]
            await a1.wait_until(lambda a: a.agents and a.agents["count"] == 2)
            await a2.leave()
            await v.wait(lambda v: v.of("agents")[-1]["count"] == 1)
            assert v.of("agents")[-1]["agentlist"][0]["username"] == "janet.glance.net"
        await v.close()
    run(main())


def test_dupkey_refused_when_group_forbids_duplicates(server):
    async def main():
        k = key()
        v1 = Visitor(server.base, 72937, k)
        await v1.connect()
        v2 = Visitor(server.base, 72937, k, tab="other")
        err = await v2.connect()
        assert err["type"] == "error" and err["code"] == "dupkey" and err["fatal"] is True
        # group 12345 allows duplicate keys
        w1, w2 = Visitor(server.base, 12345, k), Visitor(server.base, 12345, k, tab="t2")
        assert (await w1.connect())["type"] == "started"
        assert (await w2.connect())["type"] == "started"
        assert w1.started["session"] != w2.started["session"]
        for x in (v1, w1, w2):
            await x.close()
    run(main())


def test_relay_actions_events_and_state(server):
    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        await v.connect()
        async with agent(server, k) as a:
            for i in range(20):
                await a.action("rcevent", {"type": "click", "path": "[data-gid=\"%d\"]" % i})
            await a.pause({"paused": True}, state={"paused": True}, id="p1")
            await v.wait(lambda v: len(v.of("agent_action")) == 21)
            acts = v.of("agent_action")
            assert [m["payload"]["path"] for m in acts[:20]] == ['[data-gid="%d"]' % i for i in range(20)]
            assert acts[0]["agent"] == {"username": "janet.glance.net", "puid": "janet@example.com", "num": 1}
            assert acts[20]["name"] == "pause" and acts[20]["id"] == "p1"
            await v.wait(lambda v: v.of("state")[-1]["state"] == {"paused": True})
            await v.send("visitor_event", name="rcaccepted", payload={}, ref="p1", state={"rc": True})
            ev = await a.next_event("rcaccepted")
            assert ev["ref"] == "p1" and ev["tab"] == "tab1"
            await a.wait_until(lambda a: a.state == {"paused": True, "rc": True})
            assert v.dups == 0
        await v.close()
    run(main())


def test_agent_end_gives_reason_agent_and_frees_key(server):
    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        await v.connect()
        a = agent(server, k)
        await a.join()
        await a.end()
        end = await v.wait_frame("end")
        assert end["reason"] == "agent"
        assert a.ended == "agent"
        await a.close()
        await v.close()
        # the key is free again; the old token is refused
        v2 = Visitor(server.base, 72937, k)
        assert (await v2.connect())["type"] == "started"
        v3 = Visitor(server.base, 72937, k)
        err = await v3.connect(resume=v.resume)
        assert err["code"] == "conndrop"
        await v2.close()
    run(main())


def test_visitor_end_gives_reason_visitor_to_agents(server):
    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        await v.connect()
        async with agent(server, k) as a:
            await v.send("end", reason="visitor")
            await a.wait_until(lambda a: a.ended is not None)
            assert a.ended == "visitor"
            with pytest.raises(AgentError):
                await a.action("pause", {"paused": True})
        await v.close()
    run(main())


def test_two_tabs_focus_and_blur(server):
    async def main():
        k = key()
        t1 = Visitor(server.base, 72937, k, tab="one")
        await t1.connect()
        t2 = Visitor(server.base, 72937, k, tab="two")
        st = await t2.connect(resume=t1.resume)
        assert st["resumed"] is True and st["focused"] is True and st["session"] == t1.started["session"]
        await t1.wait_frame("blur")
        async with agent(server, k) as a:
            await a.action("outline", {"x": 1})
            await t2.wait_frame("agent_action")
            await t1.send("focus")
            await t1.wait_frame("focus")
            await t2.wait_frame("blur")
            await a.action("outline", {"x": 2})
            await t1.wait_frame("agent_action")
            assert [m["payload"]["x"] for m in t1.of("agent_action")] == [2]
            assert [m["payload"]["x"] for m in t2.of("agent_action")] == [1]
        await t1.close()
        await t2.close()
    run(main())


def test_agent_auth_failures_and_cross_group(server):
    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        await v.connect()
        cases = [
            (("janet.glance.net", "wrong"), 72937, k, "unauthorized"),
            (("nobody", "pw-janet"), 72937, k, "unauthorized"),
            (BOB, 72937, k, "unauthorized"),          # group 12345's agent claiming group 72937
            (BOB, 12345, k, "nosession"),             # group 12345's agent: no such session in its group
            (JANET, 12345, k, "unauthorized"),        # janet has no credentials in 12345
            (JANET, 72937, "nokey", "nosession"),
            (JANET, 999, k, "bad_group"),
        ]
        for creds, group, kk, code in cases:
            with pytest.raises(AgentError) as ei:
                await AgentClient(server.base, group, kk, *creds, reconnect=False).join()
            assert ei.value.code == code, (creds, group, kk)
        await asyncio.sleep(0.1)
        assert all(m["count"] == 0 for m in v.of("agents"))
        await v.close()
    run(main())


def test_visitor_socket_cannot_send_agent_frames(server):
    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        await v.connect()
        async with agent(server, k) as a:
            await v.raw(json.dumps(P.frame("agent_action", 1, name="pause", payload={"paused": True})))
            err = await v.wait_error("forbidden")
            assert "agent_action" in err["msg"] and err["fatal"] is False
            await v.raw(json.dumps(AF.join(72937, k, *JANET)))
            await v.wait(lambda v: len([e for e in v.errors if e["code"] == "forbidden"]) == 2)
            await asyncio.sleep(0.1)
            assert v.of("agent_action") == []
            # the visitor's own seq 1 is still free: its next frame is accepted
            await v.send("visitor_event", name="rcdeclined")
            assert (await a.next_event())["name"] == "rcdeclined"
        await v.close()
    run(main())


def test_public_settings_and_sessions_api(server):
    r = server.get("/api/groups/72937/public")
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    body = r.json()
    assert body == {"groupid": 72937, "name": "", "trusted_origins": ["http://localhost:8000", "http://127.0.0.1:8000",
                                                                       "https://*.shop.test"],
                    "allow_duplicate_keys": False, "masking_selectors": [".secret"]}
    assert "pw-janet" not in r.text
    assert server.get("/api/groups/999/public").status_code == 404
    assert server.get("/api/groups/abc/public").status_code == 404

    async def main():
        k = key()
        v = Visitor(server.base, 72937, k, visitor={"name": "Listed"})
        await v.connect()
        assert server.get("/api/groups/72937/sessions").status_code == 401
        assert server.get("/api/groups/72937/sessions", auth=BOB).status_code == 401
        assert server.get("/api/groups/72937/sessions", auth=("janet.glance.net", "x")).status_code == 401
        r = server.get("/api/groups/72937/sessions", auth=JANET)
        assert r.status_code == 200
        mine = [s for s in r.json()["sessions"] if s["key"] == k]
        assert mine and mine[0]["visitor"] == {"name": "Listed"} and mine[0]["tabs"] == 1
        r = server.get("/api/groups/12345/sessions", auth=BOB)
        assert all(s["key"] != k for s in r.json()["sessions"])
        await v.close()
    run(main())
