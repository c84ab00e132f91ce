"""Bad input gets a clear error frame and is dropped; the socket and other sessions carry on."""

import asyncio
import json

import pytest
import websockets

from session_server import agent_frames as AF
from visitor_sdk import protocol as P

from .clients import Visitor
from .test_sessions import agent, key, run


async def _raw_socket(server, path="/ws/visitor"):
    return await websockets.connect(server.base.replace("http", "ws", 1) + path, max_size=4 * P.MAX_FRAME_BYTES)


async def _next_error(ws):
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if msg["type"] == "error":
            return msg


async def _still_alive(ws):
    await ws.send(json.dumps(P.frame("ping", 0, t=42)))
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if msg["type"] == "pong":
            assert msg["t"] == 42
            return True


BAD_BEFORE_HELLO = [
    ("{not json", "bad_frame"),
    ("[1, 2]", "bad_frame"),
    ("null", "bad_frame"),
    (json.dumps({"type": "hello"}), "bad_frame"),
    (json.dumps(P.frame("teleport", 0)), "unknown_type"),
    (json.dumps(P.frame("visitor_event", 1, name="x")), "out_of_order"),
    (json.dumps(P.frame("visitor_event", 0, name="x")), "bad_frame"),
    (json.dumps(P.frame("hello", 0, group="72937", key="1", tab="t")), "bad_frame"),
    (json.dumps(P.frame("end", 1, reason="bored")), "bad_frame"),
    ("x" * (P.MAX_FRAME_BYTES + 10), "too_large"),
]


@pytest.mark.parametrize("text,code", BAD_BEFORE_HELLO, ids=[c + str(i) for i, (_, c) in enumerate(BAD_BEFORE_HELLO)])
def test_non_fatal_bad_frames(server, text, code):
    async def main():
        ws = await _raw_socket(server)
        await ws.send(text)
        err = await _next_error(ws)
        assert err["code"] == code and err["fatal"] is False and err["msg"]
        assert await _still_alive(ws)
        await ws.close()
    run(main())


def test_other_protocol_version_is_fatal(server):
    async def main():
        ws = await _raw_socket(server)
        await ws.send(json.dumps({"v": 99, "type": "hello", "seq": 0}))
        err = await _next_error(ws)
        assert err["code"] == "bad_version" and err["fatal"] is True and "99" in err["msg"]
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
    run(main())


@pytest.mark.parametrize("group,k,code", [(0, "123", "bad_group"), (-5, "123", "bad_group"), (999, "123", "bad_group"),
                                          (72937, "a b", "bad_key"), (72937, "", "bad_key"),
                                          (72937, "x" * 51, "bad_key"), (72937, "ключ", "bad_key")])
def test_wrong_group_or_key_is_refused(server, group, k, code):
    async def main():
        ws = await _raw_socket(server)
        await ws.send(json.dumps(P.frame("hello", 0, group=group, key=k, tab="t")))
        err = await _next_error(ws)
        assert err["code"] == code and err["fatal"] is True and err["ref_type"] == "hello"
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
    run(main())


def test_bad_frames_inside_a_session_do_not_disturb_it_or_others(server):
    async def main():
        k1, k2 = key(), key()
        v1, v2 = Visitor(server.base, 72937, k1), Visitor(server.base, 72937, k2)
        await v1.connect()
        await v2.connect()
        async with agent(server, k1) as a1, agent(server, k2) as a2:
            for text in ["{oops", json.dumps(P.frame("nope", 0)), "y" * (P.MAX_FRAME_BYTES + 1),
                         json.dumps(P.frame("visitor_event", 7, name="gap")),       # seq gap: 7 after 0
                         json.dumps(P.hello(72937, k1, "tab1")),                     # hello twice
                         json.dumps(P.frame("agent_action", 1, name="x"))]:          # agent frame from a visitor
                await v1.raw(text)
            await v1.wait(lambda v: len(v.errors) == 6)
            assert [e["code"] for e in v1.errors] == ["bad_frame", "unknown_type", "too_large", "out_of_order",
                                                     "out_of_order", "forbidden"]
            # a binary frame
            await v1.ws.send(b"\x00\x01")
            await v1.wait(lambda v: len(v.errors) == 7)
            # both sessions still work, in both directions
            await v1.send("visitor_event", name="one")
            await v2.send("visitor_event", name="two")
            assert (await a1.next_event())["name"] == "one"
            assert (await a2.next_event())["name"] == "two"
            await a1.action("pause", {"paused": True})
            await a2.action("pause", {"paused": False})
            await v1.wait_frame("agent_action")
            await v2.wait_frame("agent_action")
            assert v2.errors == []
            # a duplicate (already-applied seq) is dropped silently and re-acknowledged
            await v1.raw(json.dumps(P.frame("visitor_event", 1, name="one")))
            await v1.send("visitor_event", name="three")
            assert (await a1.next_event())["name"] == "three"
            assert a1._events == []
        await v1.close()
        await v2.close()
    run(main())


def test_agent_socket_bad_input(server):
    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        await v.connect()
        ws = await _raw_socket(server, "/ws/agent")
        await ws.send(json.dumps(P.frame("agent_action", 1, name="x")))
        assert (await _next_error(ws))["code"] == "out_of_order"
        await ws.send(json.dumps(P.hello(72937, k, "t")))
        assert (await _next_error(ws))["code"] == "forbidden"
        await ws.send(json.dumps(AF.join(72937, k, "janet.glance.net", "pw-janet")))
        while json.loads(await ws.recv())["type"] != "joined":
            pass
        await ws.send(json.dumps(P.frame("visitor_event", 1, name="fake")))
        assert (await _next_error(ws))["code"] == "forbidden"
        await ws.send(json.dumps(P.frame("agent_action", 1, name="")))
        assert (await _next_error(ws))["code"] == "bad_frame"
        await ws.send(json.dumps(P.frame("agent_action", 1, name="ok")))
        await v.wait_frame("agent_action")
        assert v.of("agent_action")[0]["name"] == "ok"
        await ws.close()
        await v.close()
    run(main())
