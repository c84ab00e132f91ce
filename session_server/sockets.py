"""The WebSocket endpoints /ws/visitor and /ws/agent, served straight from the socket.

uvicorn parses HTTP and Starlette serves every HTTP route. When a request asks
for a WebSocket upgrade, uvicorn hands the connection to `protocol_factory(hub)`:
`WsSocket`, an asyncio.Protocol around websockets' sans-I/O ServerProtocol
(handshake, frame parsing, unmasking, fragments, the size limit, ping/pong
and the close handshake). Text messages go to `hub.on_text(sock, text)`
in order; the hub's frames go straight to the transport. An idle socket has
no task, queue or timer: a task exists only while a message is being handled,
and one loop-wide `peer.Ticker` sends the delayed acknowledgements (a timer
wheel) and the keepalive pings (one bucket of sockets per tick).

`serve_asgi(hub, websocket, role)` serves the same hub through a Starlette
WebSocket instead (`python -m session_server --ws websockets` etc., or the app
mounted in another ASGI server): same frames, with a writer task per socket.
"""

import asyncio
import logging
import struct

from websockets.frames import Opcode, apply_mask   # apply_mask: C speedup when built
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol

from visitor_sdk import protocol as P

from .peer import CLOSED, Peer, Ticker

log = logging.getLogger("session_server.sockets")

CLOSE_TIMEOUT = 5.0   # seconds to wait for the peer's close frame
MAX_MESSAGE = 4 * P.MAX_FRAME_BYTES   # larger messages close the socket (1009); larger than
#                                       MAX_FRAME_BYTES get a too_large error frame from the hub
MAX_BUFFERED = 16 * 1024 * 1024   # bytes written but not yet taken by the peer's socket: more drops it
ROLES = {"/ws/visitor": "visitor", "/ws/agent": "agent"}


def _header(opcode, n):
    if n < 126:
        return bytes((0x80 | opcode, n))
    if n < 65536:
        return struct.pack("!BBH", 0x80 | opcode, 126, n)
    return struct.pack("!BBQ", 0x80 | opcode, 127, n)


class WsSocket(Peer, asyncio.Protocol):
    """One WebSocket on an asyncio transport (handed over by uvicorn after the HTTP upgrade request)."""

    __slots__ = ("ws", "transport", "connections", "heard", "ping_out", "bucket", "frags", "close_timer", "fast", "buf")

    def __init__(self, hub, ticker, server_state=None):
        Peer.__init__(self, hub, ticker)
        self.ws = ServerProtocol(max_size=MAX_MESSAGE, logger=log)
        self.transport = self.frags = self.close_timer = None
        self.connections = server_state.connections if server_state is not None else None
        self.heard = True
        self.ping_out = self.fast = False
        self.bucket = -1
        self.buf = b""

    # -------------------------------------------------------------- asyncio.Protocol
    def connection_made(self, transport):
        self.transport = transport
        if self.connections is not None:
            self.connections.add(self)

    def data_received(self, data):
        self.heard = True
        if self.fast:
            data = self._fast_frames(data)
            if not data:
                return
        ws = self.ws
        ws.receive_data(data)
        for ev in ws.events_received():
            op = getattr(ev, "opcode", None)
            if op is Opcode.TEXT or op is Opcode.BINARY:
                if ev.fin:
                    self._message(op, ev.data)
                else:
                    self.frags = (op, [ev.data])
            elif op is Opcode.CONT:
                if self.frags is not None:
                    self.frags[1].append(ev.data)
                    if ev.fin:
                        op, parts = self.frags
                        self.frags = None
                        self._message(op, b"".join(parts))
            elif isinstance(ev, Request):
                self._handshake(ev)
        self._flush()
        # back to the fast path once the protocol stands between two frames
        self.fast = (self.role is not None and ws.state is State.OPEN and not ws.reader.buffer
                     and not ws.expect_continuation_frame and self.frags is None)

    def _fast_frames(self, data):
        """The common case without the sans-I/O parser: whole, masked, unfragmented text or binary
        frames under 64 KiB. Returns the bytes from the first frame that is anything else (for
        ServerProtocol: control frames, fragments, extensions' bits, large frames), else b""."""
        buf = self.buf + data if self.buf else data
        pos, n = 0, len(buf)
        rest = b""
        while pos < n:
            if n - pos < 2:
                break
            b0, ln = buf[pos], buf[pos + 1]
            if (b0 != 0x81 and b0 != 0x82) or ln < 0x80 or ln == 0xFF:
                rest = buf[pos:]
                break
            ln &= 0x7F
            h = 6
            if ln == 126:
                if n - pos < 4:
                    break
                ln, h = (buf[pos + 2] << 8) | buf[pos + 3], 8
            if n - pos < h + ln:
                break
            payload = apply_mask(buf[pos + h:pos + h + ln], buf[pos + h - 4:pos + h])
            pos += h + ln
            self._message(Opcode.TEXT if b0 == 0x81 else Opcode.BINARY, payload)
            if self.ws.state is not State.OPEN:   # invalid UTF-8: the protocol is failing the connection
                self.buf = b""
                self.fast = False
                self._flush()
                return b""
        if rest:
            self.buf = b""
            self.fast = False
            return rest
        self.buf = buf[pos:] if pos < n else b""
        return b""

    def _message(self, op, data):
        if self.role is None or self.closing:
            return
        if op is Opcode.BINARY:
            self.incoming(None)
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self.ws.fail(1007, "invalid UTF-8")
            self.closing = True
            return
        self.incoming(text)

    def _handshake(self, request):
        ws = self.ws
        role = ROLES.get(request.path.partition("?")[0])
        if role is None:
            resp = ws.reject(404, "no WebSocket endpoint at this path\n")
        else:
            resp = ws.accept(request)
        ws.send_response(resp)
        if resp.status_code == 101:
            self.role = role
            self.ticker.add(self)

    def _flush(self):
        """Write what the protocol has to send; close the transport at its end of stream."""
        ws = self.ws
        out = ws.data_to_send()
        if out:
            data = b"".join(out)
            if data:
                self.transport.write(data)
            if not out[-1]:   # websockets' end-of-stream marker: the server closes the TCP connection
                self.transport.close()
                return
        if ws.state is State.CLOSED:
            self.transport.close()
        elif self.close_timer is None and ws.close_expected():
            self.close_timer = asyncio.get_running_loop().call_later(CLOSE_TIMEOUT, self.transport.close)

    def connection_lost(self, exc):
        self.closed = True
        if self.connections is not None:
            self.connections.discard(self)
        if self.close_timer is not None:
            self.close_timer.cancel()
            self.close_timer = None
        self.ticker.remove(self)
        if self.role is not None:
            self.incoming(CLOSED)

    def eof_received(self):
        self.ws.receive_eof()
        self._flush()
        return False

    def shutdown(self):
        """uvicorn is stopping: close with 1012 (service restart)."""
        if self.ws.state is State.OPEN:
            self.ws.send_close(1012)
            self.transport.write(b"".join(self.ws.data_to_send()))
        self.transport.close()

    # ------------------------------------------------------------------- Peer
    def _write_text(self, text):
        if self.ws.state is State.OPEN and not self.transport.is_closing():
            data = text.encode("utf-8")   # a data frame: the sans-I/O protocol keeps no state for it
            self.transport.write(_header(0x1, len(data)) + data)
            if self.transport.get_write_buffer_size() > MAX_BUFFERED:
                # the peer does not read: drop the socket; the participant's Outbox keeps the
                # frames for its resume within the reconnect window
                log.warning("%s socket dropped: more than %d bytes waiting to be sent", self.role, MAX_BUFFERED)
                self.ws.fail(1011, "too slow")
                self.transport.abort()

    def _close_now(self):
        if self.ws.state is State.OPEN:
            self.ws.send_close(1000)
            self._flush()

    def _pause(self, on):
        if self.transport is not None and not self.closed:
            (self.transport.pause_reading if on else self.transport.resume_reading)()

    def ping(self):
        """Keepalive, from the Ticker: ping a silent socket; drop one that stayed silent since the last ping."""
        if self.heard:
            self.heard = self.ping_out = False
        elif self.ping_out:
            self.ws.fail(1011, "keepalive ping timeout")
            self._flush()
            self.transport.close()
        elif self.ws.state is State.OPEN:
            self.ping_out = True
            self.ws.send_ping(b"ka")
            self._flush()

def protocol_factory(hub):
    """uvicorn's `ws=` argument: builds a WsSocket for each upgraded connection."""
    ticker = Ticker()

    def factory(config=None, server_state=None, app_state=None, **_):
        return WsSocket(hub, ticker, server_state)
    return factory


class AsgiPeer(Peer):
    """The Peer interface over a Starlette WebSocket: frames go out through a writer task."""

    __slots__ = ("websocket", "out", "wake", "task")

    def __init__(self, hub, ticker, websocket):
        Peer.__init__(self, hub, ticker)
        self.websocket = websocket
        self.out = []
        self.wake = asyncio.Event()
        self.task = asyncio.get_running_loop().create_task(self._writer())

    def _write_text(self, text):
        self.out.append(text)
        self.wake.set()

    def _close_now(self):
        self.out.append(None)
        self.wake.set()

    async def _writer(self):
        try:
            while True:
                await self.wake.wait()
                self.wake.clear()
                while self.out:
                    text = self.out.pop(0)
                    if text is None:
                        await self.websocket.close()
                        return
                    await self.websocket.send_text(text)
        except Exception:
            pass
        finally:
            self.closed = True


_asgi_ticker = []


async def serve_asgi(hub, websocket, role):
    """Serve one Starlette WebSocket for `hub` as `role` ("visitor" or "agent")."""
    if not _asgi_ticker:
        _asgi_ticker.append(Ticker())
    await websocket.accept()
    peer = AsgiPeer(hub, _asgi_ticker[0], websocket)
    peer.role = role
    try:
        while True:
            m = await websocket.receive()
            if m["type"] == "websocket.disconnect":
                break
            peer.incoming(m.get("text"))
    finally:
        peer.incoming(CLOSED)
        while peer.worker is not None:
            await asyncio.sleep(0.01)
        if peer.closing and not peer.task.done():
            try:   # let a fatal error frame reach the peer before the socket closes
                await asyncio.wait_for(asyncio.shield(peer.task), 2)
            except Exception:
                pass
        peer.closed = True
        peer.task.cancel()
