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

What a socket may cost (limits.py, docs/limits.md): at the upgrade its source
address (addresses.py) and Origin are read, an agent socket from a page that
is neither the service's own console nor a configured embedding origin is
refused (403), and an address with too many sockets open is refused (429). A
frame over the size limit (hello_frame_bytes until hello/join, frame_bytes
after) is skipped as it streams in, unbuffered, and answered `too_large`; one
over 4x frame_bytes closes the socket (1009). Bytes and frames per second are
token buckets (`SocketBudget`): past them the socket is not read until the
budget refills, and one kept over it for `throttle_close` seconds is closed
with `over_budget`. A socket without hello/join after `hello_timeout` is
closed with `timeout`.
"""

import asyncio
import logging
import random
import struct

from websockets.frames import Opcode, apply_mask   # apply_mask: C speedup when built
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol

from visitor_sdk import protocol as P

from . import metrics
from .addresses import client_address
from .edge import SocketBudget, agent_origin_allowed, header
from .peer import CLOSED, Peer, Ticker

log = logging.getLogger("session_server.sockets")

CLOSE_TIMEOUT = 2.0   # seconds to wait for the peer's close frame
MAX_MESSAGE = 4 * P.MAX_FRAME_BYTES   # larger messages close the socket (1009); larger than the
#                                       frame limit are skipped unread and answered too_large
ROLES = {"/ws/visitor": "visitor", "/ws/agent": "agent"}
READ_LIVE = 256 * 1024   # bytes per read (asyncio's default)
READ_ALONE = 16 * 1024   # ... for a visitor socket while no agent is in its session


def _header(opcode, n):
    if n < 126:
        return bytes((0x80 | opcode, n))
    if n < 65536:
        return struct.pack("!BBH", 0x80 | opcode, 126, n)
    return struct.pack("!BBQ", 0x80 | opcode, 127, n)


class WsSocket(Peer, asyncio.Protocol):
    """One WebSocket on an asyncio transport (handed over by uvicorn after the HTTP upgrade request)."""

    __slots__ = ("ws", "transport", "connections", "heard", "ping_out", "bucket", "frags", "close_timer", "fast", "buf",
                 "limits", "skip", "budget", "paused", "throttle", "hello_timer", "counted", "accepted")

    def __init__(self, hub, ticker, server_state=None):
        Peer.__init__(self, hub, ticker)
        self.limits = hub.settings.limits
        self.ws = ServerProtocol(max_size=self.limits.hello_frame_bytes, logger=log)
        self.transport = self.frags = self.close_timer = self.throttle = self.hello_timer = self.budget = None
        self.accepted = False   # attached() ran: the hub took hello/join (conn.part may still be unset)
        self.connections = server_state.connections if server_state is not None else None
        self.heard = True
        self.ping_out = self.fast = self.counted = False
        self.bucket = -1
        self.skip = 0        # bytes still to discard of a frame over the size limit
        self.paused = 0      # 1: the backlog is full, 2: over the rate budget
        self.buf = b""

    # -------------------------------------------------------------- asyncio.Protocol
    def connection_made(self, transport):
        self.transport = transport
        if self.connections is not None:
            self.connections.add(self)

    def data_received(self, data):
        self.heard = True
        if self.budget is not None and not self.closing:
            self._spend(len(data), 0)   # every byte read counts: frames skipped, control frames, partial ones
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
        frames under 64 KiB; and frames over the size limit, discarded as they arrive. Returns the
        bytes from the first frame that is anything else (for ServerProtocol: control frames,
        fragments, extensions' bits, large frames), else b""."""
        if self.skip:
            if len(data) <= self.skip:
                self.skip -= len(data)
                return b""
            data = data[self.skip:]
            self.skip = 0
        buf = self.buf + data if self.buf else data
        pos, n = 0, len(buf)
        rest = b""
        limit = self.ws.max_message_size
        while pos < n:
            if n - pos < 2:
                break
            b0, ln = buf[pos], buf[pos + 1]
            if (b0 != 0x81 and b0 != 0x82) or ln < 0x80:
                rest = buf[pos:]
                break
            ln &= 0x7F
            h = 6
            if ln == 126:
                if n - pos < 4:
                    break
                ln, h = (buf[pos + 2] << 8) | buf[pos + 3], 8
            elif ln == 127:
                if n - pos < 10:
                    break
                ln, h = int.from_bytes(buf[pos + 2:pos + 10], "big"), 14
                if ln <= limit:   # a large frame within the limit: the sans-I/O parser takes it
                    rest = buf[pos:]
                    break
            if ln > limit:
                if ln > MAX_MESSAGE:
                    self.buf = b""
                    self.fast = False
                    self.ws.fail(1009, "frame too large")
                    self.closing = True
                    return b""
                self._too_large(ln, limit)
                if n - pos < h + ln:
                    self.skip = h + ln - (n - pos)
                    self.buf = b""
                    return b""
                pos += h + ln
                continue
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

    def _sized(self, live):
        """Frame size limit and read size for the budget's mode (attached sockets only: the hub
        calls attached() before it answers started/joined, while conn.part is still unset)."""
        if self.part is None and not self.accepted:
            return
        self.ws.max_message_size = self.limits.frame_bytes if live else self.limits.visitor_alone_frame_bytes
        if self.transport is not None and hasattr(self.transport, "max_size"):
            # asyncio's selector transport reads up to 256 KiB at once: a visitor alone is read in small
            # bites, so that many sockets resuming together cost little per loop iteration
            self.transport.max_size = READ_LIVE if live else READ_ALONE

    def _spend(self, nbytes, nframes):
        """Charge the socket's budget; past it stop reading until it refills, or close the socket
        when it has been over budget for `throttle_close` seconds."""
        budget = self.budget
        part = self.part
        live = self.role == "agent" or (part is not None and self.hub.has_agents(part.sid))
        if live is not budget.live:
            budget.mode(live)
            self._sized(live)
        loop = asyncio.get_running_loop()
        now = loop.time()
        wait = budget.take(nbytes, nframes, now)
        if wait <= 0:
            return
        if budget.over_for(now) > self.limits.throttle_close:
            self.hub.stats["errors"] += 1
            self.send(P.error_frame("over_budget", "more than %d bytes or %d frames per second for %g s"
                                    % (budget.bytes.rate, budget.frames.rate, self.limits.throttle_close), fatal=True))
            self.closing = True
            loop.call_soon(self._close_now)
            return
        if self.throttle is None:
            self._set_pause(2, True)   # the resumes of many sockets are spread out (jitter)
            self.throttle = loop.call_later(min(wait, 5.0) * (1.0 + random.random() * 0.5), self._unthrottle)

    def _too_large(self, n, limit):
        if self.role is not None and not self.closing:
            self.hub.stats["errors"] += 1
            self.send(P.error_frame("too_large", "frame of %d bytes exceeds the %d byte limit%s; it was skipped"
                                    % (n, limit, "" if self.part is not None else " before hello/join")))

    def _message(self, op, data):
        if self.role is None or self.closing:
            return
        if self.budget is not None:
            self._spend(0, 1)
            if self.closing:
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

    def _unthrottle(self):
        self.throttle = None
        self._set_pause(2, False)

    def _set_pause(self, reason, on):
        was = self.paused
        self.paused = (was | reason) if on else (was & ~reason)
        tr = self.transport
        if bool(was) != bool(self.paused) and tr is not None and not self.closed and not tr.is_closing():
            try:
                (tr.pause_reading if self.paused else tr.resume_reading)()
            except RuntimeError:   # uvloop: the transport closed meanwhile
                pass

    def _handshake(self, request):
        ws = self.ws
        hub = self.hub
        role = ROLES.get(request.path.partition("?")[0])
        peer = self.transport.get_extra_info("peername") if self.transport is not None else None
        self.addr = client_address(peer[0] if peer else None, header(request, "X-Forwarded-For"),
                                   hub.settings.trusted_proxies)
        self.origin = header(request, "Origin")
        if role is None:
            resp = ws.reject(404, "no WebSocket endpoint at this path\n")
        elif role == "agent" and not agent_origin_allowed(hub.settings, self.origin, header(request, "Host")):
            log.warning("agent socket refused: origin %r is not the console's nor in COBROWSE_AGENT_ORIGINS",
                        self.origin[:100])
            resp = ws.reject(403, "this page's origin may not open agent sockets\n")
        elif not hub.open_socket(self.addr):
            resp = ws.reject(429, "too many sockets from this address, or opened too fast\n")
        else:
            self.counted = True
            resp = ws.accept(request)
        ws.send_response(resp)
        if resp.status_code == 101:
            self.role = role
            metrics.socket_opened(role)
            self.ticker.add(self)
            self.budget = SocketBudget(self.limits, role == "agent", asyncio.get_running_loop().time)
            self.hello_timer = asyncio.get_running_loop().call_later(self.limits.hello_timeout, self._hello_due)

    def _hello_due(self):
        self.hello_timer = None
        if self.part is None and self.worker is None and not self.closing and not self.closed:
            self.hub.stats["errors"] += 1
            self.send(P.error_frame("timeout", "no %s within %g s of opening the socket"
                                    % ("hello" if self.role == "visitor" else "join", self.limits.hello_timeout),
                                    fatal=True))
            self.close_soon()

    def attached(self):
        """The hub accepted hello/join: frames up to frame_bytes from now on (a visitor's while it is
        alone: visitor_alone_frame_bytes); a signed-in agent's socket no longer counts against its address."""
        self.accepted = True
        self._sized(self.budget.live if self.budget is not None else True)
        if self.role == "agent" and self.counted:
            self.counted = False
            self.hub.close_socket(self.addr)
        if self.hello_timer is not None:
            self.hello_timer.cancel()
            self.hello_timer = None

    def _flush(self):
        """Write what the protocol has to send; close the transport at its end of stream."""
        ws = self.ws
        out = ws.data_to_send()
        if self.transport.is_closing():   # aborted (a peer that does not read) or already closing
            return
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
        if self.counted:
            self.counted = False
            self.hub.close_socket(self.addr)
        for t in (self.close_timer, self.throttle, self.hello_timer):
            if t is not None:
                t.cancel()
        self.close_timer = self.throttle = self.hello_timer = None
        self.ticker.remove(self)
        if self.role is not None:
            metrics.socket_closed(self.role)
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
            cap = self.limits.agent_send_buffer if self.role == "agent" else self.limits.visitor_send_buffer
            if self.transport.get_write_buffer_size() > cap:
                # the peer does not read: drop the socket; the participant's Outbox keeps the
                # frames for its resume within the reconnect window
                log.warning("%s socket dropped: more than %d bytes waiting to be sent", self.role, cap)
                self.ws.fail(1011, "too slow")
                self.transport.abort()

    def _close_now(self):
        if self.ws.state is State.OPEN:
            self.ws.send_close(1000)
            self._flush()

    def _pause(self, on):
        self._set_pause(1, on)

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
    """Serve one Starlette WebSocket for `hub` as `role` ("visitor" or "agent").

    The same origin, address and hello-timeout checks as WsSocket; uvicorn's own layer applies the
    size limit (ws_max_size); the per-socket rate budgets exist in the lean layer only."""
    if not _asgi_ticker:
        _asgi_ticker.append(Ticker())
    headers = websocket.headers
    origin = headers.get("origin")
    if role == "agent" and not agent_origin_allowed(hub.settings, origin, headers.get("host")):
        await websocket.close(code=1008)
        return
    client = websocket.client
    addr = client_address(client.host if client else None, headers.get("x-forwarded-for"),
                          hub.settings.trusted_proxies)
    if not hub.open_socket(addr):
        await websocket.close(code=1008)
        return
    await websocket.accept()
    metrics.socket_opened(role)
    peer = AsgiPeer(hub, _asgi_ticker[0], websocket)
    peer.role = role
    peer.addr, peer.origin = addr, origin
    try:
        while True:
            if peer.part is None and peer.worker is None:
                try:
                    m = await asyncio.wait_for(websocket.receive(), hub.limits.hello_timeout)
                except asyncio.TimeoutError:
                    peer.send(P.error_frame("timeout", "no hello/join within %g s of opening the socket"
                                            % hub.limits.hello_timeout, fatal=True))
                    peer.close_soon()
                    break
            else:
                m = await websocket.receive()
            if m["type"] == "websocket.disconnect":
                break
            peer.incoming(m.get("text"))
    finally:
        hub.close_socket(addr)
        metrics.socket_closed(role)
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
