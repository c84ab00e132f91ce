"""The WebSocket layer (session_server/sockets.py): framing edge cases, delayed acks, and the
same sessions through uvicorn's own WebSocket implementation (`--ws websockets-sansio`)."""

import asyncio
import json
import time

import pytest
import websockets

from visitor_sdk import protocol as P

from .clients import Visitor
from .test_sessions import agent, key, run


def _ws(server, path="/ws/visitor"):
    return websockets.connect(server.base.replace("http", "ws", 1) + path, max_size=4 * P.MAX_FRAME_BYTES)


async def _next(ws, type_):
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if msg["type"] == type_:
            return msg


def test_unknown_websocket_path_is_refused(server):
    async def main():
        with pytest.raises(websockets.InvalidStatus) as err:
            async with _ws(server, "/ws/nowhere"):
                pass
        assert err.value.response.status_code == 404
    run(main())


def test_fragmented_message_ping_and_delayed_ack(server):
    async def main():
        async with _ws(server) as ws:
            text = json.dumps(P.hello(72937, key(), "t1"))
            await ws.send([text[:10], text[10:30], text[30:]])   # one message in three frames
            assert (await _next(ws, "started"))["type"] == "started"
            await asyncio.wait_for(await ws.ping(), 5)            # protocol-level ping answered
            # a reliable frame with nothing to send back: a bare ack within ACK_DELAY (0.5 s)
            t0 = time.monotonic()
            await ws.send(json.dumps(P.frame("visitor_event", 1, name="x", payload={})))
            ack = await _next(ws, "ack")
            assert ack["ack"] == 1 and time.monotonic() - t0 < 2.0
    run(main())


def test_binary_invalid_utf8_and_oversized_messages(server):
    async def main():
        async with _ws(server) as ws:
            await ws.send(b"\x00\x01")
            err = await _next(ws, "error")
            assert err["code"] == "bad_frame" and err["fatal"] is False
            await ws.send(b"\xff\xfe", text=True)                 # a text frame that is not UTF-8
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
            assert closed.value.rcvd.code == 1007
        async with _ws(server) as ws:
            await ws.send("x" * (4 * P.MAX_FRAME_BYTES + 1))      # over the socket's message limit
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
            assert closed.value.rcvd.code == 1009
        async with _ws(server) as ws:                           # the service carries on
            await ws.send(json.dumps(P.frame("ping", 0, t=7)))
            assert (await _next(ws, "pong"))["t"] == 7
    run(main())


def test_sessions_through_uvicorn_websockets(make_server):
    server = make_server(args=["--ws", "websockets-sansio"])

    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        await v.connect()
        async with agent(server, k) as a:
            for i in range(5):
                await a.action("outline", {"x": i})
            await v.wait(lambda v: len(v.of("agent_action")) == 5)
            assert [m["payload"]["x"] for m in v.of("agent_action")] == list(range(5))
            await v.raw("{not json")
            assert (await v.wait_error("bad_frame"))["fatal"] is False
            await v.send("visitor_event", name="rcaccepted", payload={})
            await a.next_event("rcaccepted")
        await v.close()
    run(main())


def test_bare_ack_fast_path_takes_only_canonical_acks():
    from session_server.hub import _BARE_ACK
    assert _BARE_ACK('{"v":1,"type":"ack","seq":0,"ack":12}').group(1) == "12"
    assert _BARE_ACK(json.dumps(P.frame("ack", 0, ack=0))).group(1) == "0"
    for text in ('{"v":1,"type":"ack","seq":0,"ack":012}', '{"v":1,"type":"ack","seq":0,"ack":-1}',
                 '{"v":1,"type":"ack","seq":0,"ack":1}x', '{"v":2,"type":"ack","seq":0,"ack":1}',
                 '{"v":1,"type":"ack","seq":1,"ack":1}', '{"v":1,"type":"ack","seq":0,"ack":1.5}'):
        assert _BARE_ACK(text) is None, text


def test_bare_ack_before_hello_is_out_of_order(server):
    async def main():
        async with _ws(server) as ws:
            await ws.send('{"v":1,"type":"ack","seq":0,"ack":3}')
            err = await _next(ws, "error")
            assert err["code"] == "out_of_order" and err["fatal"] is False
    run(main())


class _Transport:
    def __init__(self):
        self.out, self.closed = [], False

    def write(self, data):
        self.out.append(bytes(data))

    def close(self):
        self.closed = True

    def get_write_buffer_size(self):
        return 0

    def is_closing(self):
        return self.closed

    def get_extra_info(self, name, default=None):
        return ("127.0.0.1", 40000) if name == "peername" else default


def test_keepalive_pings_a_silent_socket_then_drops_it():
    """WsSocket.ping() as the Ticker calls it once per PING_EVERY: heard -> nothing; silent -> ping;
    still silent -> close 1011."""
    from session_server.peer import Ticker
    from session_server.sockets import WsSocket

    from session_server.config import Settings

    class Hub:
        bp = None
        settings = Settings()
        stats = {"errors": 0}

        def open_socket(self, addr):
            return True

        def close_socket(self, addr):
            pass

    async def main():
        sock = WsSocket(Hub(), Ticker())
        tr = _Transport()
        sock.connection_made(tr)
        sock.data_received(b"GET /ws/visitor HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        assert tr.out[0].startswith(b"HTTP/1.1 101") and sock.role == "visitor"
        sock.ping()                       # the handshake counted as traffic
        assert len(tr.out) == 1 and not tr.closed
        sock.ping()                       # silent since: a ping
        assert tr.out[-1][:1] == b"\x89" and not tr.closed
        sock.ping()                       # no answer: closed with 1011
        assert tr.out[-1][:1] == b"\x88" and tr.out[-1][2:4] == (1011).to_bytes(2, "big") and tr.closed
    run(main())   # own thread: the browser tests keep an event loop running in this one
