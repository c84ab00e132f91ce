"""What the hub sees of one socket (`Peer`), and the one timer every socket shares (`Ticker`).

A `Peer` sends frames at once (acknowledgements ride on them), queues a bare
`ack` with the Ticker when nothing goes out, and hands the socket's messages
to the hub in arrival order: `hub.on_text(peer, text)` for each, then
`hub.socket_closed(peer)`. A message's handler runs inline when the backplane
never suspends (the local one): a task exists only while one is suspended.
sockets.py has the two kinds: `WsSocket` (the service's own WebSocket layer)
and `AsgiPeer` (a Starlette WebSocket).
"""

import asyncio
import json
import logging

from visitor_sdk import protocol as P

log = logging.getLogger("session_server.sockets")
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_ACK = '{"v":%d,"type":"ack","seq":0,"ack":%%d}' % P.PROTOCOL_VERSION   # _dumps(P.frame("ack", 0, ack=n))

ACK_DELAY = 0.5       # seconds an acknowledgement may wait for a frame to ride on
ACK_EVERY = 32        # ...or until this many frames are unacknowledged
TICK = 0.1            # seconds between Ticker runs
PING_EVERY = 20.0     # a socket silent this long gets a ping; silent for another period, it is dropped
CLOSED = object()     # queued after the last message of a socket that went away
_BACKLOG_PAUSE = 64   # queued messages at which a socket stops being read


class Peer:
    """What the hub sees of one socket: `send(frame)`, `ack(n)`, `close_soon()`, `role`, `part`.

    Subclasses write bytes (`_write_text(str)`) and close (`_close_now()`).
    Acknowledgements ride on the next outgoing frame ("ack" field); without
    outgoing traffic a bare `ack` frame goes out after ACK_DELAY seconds or
    ACK_EVERY frames, whichever comes first.
    """

    __slots__ = ("hub", "ticker", "role", "part", "backlog", "worker", "ack_due", "ack_sent", "ack_queued",
                 "closing", "closed", "inline", "addr", "origin")

    def __init__(self, hub, ticker):
        self.inline = getattr(hub.bp, "inline", False)
        self.hub = hub
        self.ticker = ticker
        self.role = self.part = self.backlog = self.worker = None
        self.ack_due = self.ack_sent = 0
        self.ack_queued = self.closing = self.closed = False
        self.addr = "unknown"   # the source address (addresses.client_address), the key of per-address limits
        self.origin = None      # the handshake's Origin header (None: not sent)

    def send(self, frame):
        """Send a frame now (never blocks); dropped once the socket has closed. Returns its size in
        bytes (characters: the same for the ASCII of JSON), 0 when dropped."""
        if self.closed:
            return 0
        if self.ack_due > self.ack_sent:
            self.ack_sent = frame["ack"] = self.ack_due
        text = _dumps(frame)
        self._write_text(text)
        return len(text)

    def send_encoded(self, frame, text):
        """send(frame) for a frame whose JSON is `text` already (a frame from Redis): not encoded again."""
        if self.closed:
            return 0
        if self.ack_due > self.ack_sent:
            self.ack_sent = frame["ack"] = self.ack_due
            text = '{"ack":%d,' % self.ack_sent + text[1:]
        self._write_text(text)
        return len(text)

    def attached(self):
        """The hub accepted this socket's hello/join (the socket may raise its frame size limit)."""

    def ack(self, n):
        self.ack_due = n
        if n - self.ack_sent >= ACK_EVERY:
            self.flush_ack()
        elif not self.ack_queued:
            self.ack_queued = True
            self.ticker.ack_later(self)

    def flush_ack(self):
        if self.ack_due > self.ack_sent and not self.closed:
            self.ack_sent = self.ack_due
            self._write_text(_ACK % self.ack_sent)

    def close_soon(self):
        """Close after what this step still sends (an error frame, `end`)."""
        if not self.closing:
            self.closing = True
            asyncio.get_running_loop().call_soon(self._close_now)

    # ------------------------------------------------------------ incoming, in order
    def incoming(self, item):
        """A text message (str), a binary one (None) or CLOSED: handled by the hub in arrival order.

        With a backplane that never needs a task (`inline`: the local one) the handler's first
        step runs right here, and a task is made only if it suspends."""
        if self.worker is None:
            if not self.inline:
                self.worker = asyncio.get_running_loop().create_task(self._work(item))
                return
            self.worker = True   # messages arriving meanwhile queue up behind this one
            coro = self._work(item)
            try:
                fut = coro.send(None)
            except StopIteration:
                return
            except Exception:
                log.exception("%s socket handler failed", self.role)
                return
            self.worker = asyncio.get_running_loop().create_task(_finish(coro, fut))
        else:
            if self.backlog is None:
                self.backlog = []
            self.backlog.append(item)
            if len(self.backlog) == _BACKLOG_PAUSE:
                self._pause(True)

    async def _work(self, item):
        hub = self.hub
        try:
            while True:
                if item is CLOSED:
                    await hub.socket_closed(self)
                elif not self.closing:
                    await hub.on_text(self, item)
                if not self.backlog:
                    return
                item = self.backlog.pop(0)
                if not self.backlog:
                    self.backlog = None
                    self._pause(False)
        finally:
            self.worker = None

    def _pause(self, on):
        pass

    def _write_text(self, text):
        raise NotImplementedError

    def _close_now(self):
        raise NotImplementedError


class _Suspended:
    __slots__ = ("fut",)

    def __init__(self, fut):
        self.fut = fut

    def __await__(self):
        yield self.fut   # what the hand-driven coroutine yielded: the task now waits for it


async def _finish(coro, fut):
    """Run to its end, inside a task, a coroutine whose first step ran inline and suspended on `fut`."""
    while True:
        try:
            await _Suspended(fut)
        except BaseException as exc:   # e.g. the task was cancelled while waiting: pass it on
            try:
                fut = coro.throw(exc)
            except StopIteration:
                return
            continue
        try:
            fut = coro.send(None)
        except StopIteration:
            return


class Ticker:
    """One loop-wide timer for every socket: delayed acks (a wheel of ACK_DELAY / TICK slots)
    and keepalive pings (each socket sits in one of PING_EVERY / TICK buckets; one bucket per tick)."""

    def __init__(self):
        self.slots = [set() for _ in range(max(1, round(ACK_DELAY / TICK)))]
        self.buckets = [set() for _ in range(max(1, round(PING_EVERY / TICK)))]
        self.pos = self.bpos = self.next_bucket = 0
        self.handle = None

    def ack_later(self, peer):
        self.slots[self.pos].add(peer)   # the slot just run: its next run is ACK_DELAY from now at most
        self._arm()

    def add(self, sock):
        sock.bucket = self.next_bucket
        self.next_bucket = (self.next_bucket + 1) % len(self.buckets)
        self.buckets[sock.bucket].add(sock)
        self._arm()

    def remove(self, sock):
        if sock.bucket >= 0:
            self.buckets[sock.bucket].discard(sock)

    def _arm(self):
        if self.handle is None:
            self.handle = asyncio.get_running_loop().call_later(TICK, self._tick)

    def _tick(self):
        self.handle = None
        self.pos = (self.pos + 1) % len(self.slots)
        due, self.slots[self.pos] = self.slots[self.pos], set()
        for peer in due:
            peer.ack_queued = False
            peer.flush_ack()
        self.bpos = (self.bpos + 1) % len(self.buckets)
        for sock in list(self.buckets[self.bpos]):
            try:
                sock.ping()
            except Exception:
                log.exception("keepalive failed")
        if any(self.slots) or any(self.buckets):
            self._arm()
