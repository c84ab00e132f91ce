"""A few pipelined connections to Redis, and the node's one subscription, on asyncio protocols.

The hot path of the backplane (a relay script per frame, a message per frame
on the node's channel) costs less on these than through redis-py's general
client: commands are packed and replies parsed by hiredis, and every command
queued in one turn of the loop goes out in one write.

`Wire(host, port, db, conns)`: `call(*args)` returns an awaitable of the reply,
on the least busy of `conns` connections (each a FIFO of waiting replies:
callers queue, nothing is refused). A connection that breaks fails its
waiting calls with BackplaneDown and is opened again on the next call (the
caller's retry is the peer's resend). A reply that is an error (e.g. NOSCRIPT)
raises ReplyError. `Subscriber(host, port, channel, on_message)` calls
on_message(bytes) for each message on the channel; `lost` resolves when the
connection goes.
"""

import asyncio
from urllib.parse import urlparse

import hiredis

from . import metrics


class BackplaneDown(Exception):
    """Redis could not be reached: nothing of the frame being handled was stored."""


class ReplyError(Exception):
    """Redis answered a command with an error."""


_NOT_YET = ("LOADING", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN")


def parse_url(url):
    u = urlparse(url)
    db = int((u.path or "/0").lstrip("/") or 0)
    return u.hostname or "127.0.0.1", u.port or 6379, db, u.password


class _Conn(asyncio.Protocol):
    def __init__(self):
        self.reader = hiredis.Reader(replyError=ReplyError, encoding="utf-8")
        self.waiting = []     # futures, oldest first
        self.head = 0
        self.transport = None
        self.out = []
        self.flush_soon = False
        self.alive = True
        self.closing = False   # set by Wire.close(): the end of this connection is no error

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        r = self.reader
        r.feed(data)
        w = self.waiting
        while True:
            reply = r.gets()
            if reply is False:
                break
            fut = w[self.head]
            self.head += 1
            if not fut.done():
                if isinstance(reply, ReplyError):
                    # a Redis still loading its data, or a replica: not there yet, like a lost connection
                    fut.set_exception(BackplaneDown(str(reply)) if str(reply).startswith(_NOT_YET) else reply)
                else:
                    fut.set_result(reply)
        if self.head > 64 and self.head * 2 > len(w):
            del w[:self.head]
            self.head = 0

    def connection_lost(self, exc):
        self.alive = False
        if not self.closing:
            metrics.count("redis_errors")
        for fut in self.waiting[self.head:]:
            if not fut.done():
                fut.set_exception(BackplaneDown("connection to Redis lost"))
        self.waiting = []
        self.head = 0

    def send(self, packed, fut):
        self.waiting.append(fut)
        self.out.append(packed)
        if not self.flush_soon:
            self.flush_soon = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self):
        self.flush_soon = False
        if self.out and self.alive:
            self.transport.write(b"".join(self.out))
        self.out = []

    def pending(self):
        return len(self.waiting) - self.head


class Wire:
    def __init__(self, url, conns=4):
        self.host, self.port, self.db, self.password = parse_url(url)
        self.n = conns
        self.conns = [None] * conns
        self.opening = [None] * conns
        self.rr = 0

    async def _open(self, i):
        loop = asyncio.get_running_loop()
        try:
            _, conn = await asyncio.wait_for(loop.create_connection(_Conn, self.host, self.port), 2.0)
        except (OSError, asyncio.TimeoutError) as exc:
            metrics.count("redis_errors")
            raise BackplaneDown("cannot connect to Redis: %s" % (exc or type(exc).__name__))
        if self.password:
            f = loop.create_future()
            conn.send(hiredis.pack_command(("AUTH", self.password)), f)
            await f
        if self.db:
            f = loop.create_future()
            conn.send(hiredis.pack_command(("SELECT", self.db)), f)
            await f
        self.conns[i] = conn
        return conn

    async def _call_opening(self, i, args):
        if self.opening[i] is None:
            self.opening[i] = asyncio.ensure_future(self._open(i))
        try:
            conn = await self.opening[i]
        finally:
            self.opening[i] = None
        fut = asyncio.get_running_loop().create_future()
        conn.send(hiredis.pack_command(args), fut)
        return await fut

    def call(self, *args):
        """Send one command; returns an awaitable of its reply (pipelined with every other call)."""
        self.rr = (self.rr + 1) % self.n
        i = self.rr
        conn = self.conns[i]
        if conn is None or not conn.alive:
            self.conns[i] = None
            return asyncio.ensure_future(self._call_opening(i, args))
        fut = asyncio.get_running_loop().create_future()
        conn.send(hiredis.pack_command(args), fut)
        return fut

    def close(self):
        for c in self.conns:
            if c is not None and c.transport is not None:
                c.closing = True
                c.transport.close()


class _Sub(asyncio.Protocol):
    def __init__(self, on_message):
        self.reader = hiredis.Reader()
        self.on_message = on_message
        self.lost = asyncio.get_running_loop().create_future()
        self.subscribed = asyncio.get_running_loop().create_future()
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        r = self.reader
        r.feed(data)
        while True:
            m = r.gets()
            if m is False:
                break
            if m[0] == b"message":
                self.on_message(m[2])
            elif m[0] == b"subscribe" and not self.subscribed.done():
                self.subscribed.set_result(None)

    def connection_lost(self, exc):
        if not self.lost.done():
            self.lost.set_result(exc)


async def subscribe(url, channel, on_message):
    """Open the node's subscription: returns the protocol (await its `lost` future)."""
    host, port, db, password = parse_url(url)
    loop = asyncio.get_running_loop()
    try:
        _, sub = await asyncio.wait_for(loop.create_connection(lambda: _Sub(on_message), host, port), 2.0)
    except (OSError, asyncio.TimeoutError) as exc:
        raise BackplaneDown("cannot connect to Redis: %s" % (exc or type(exc).__name__))
    if password:
        sub.transport.write(hiredis.pack_command(("AUTH", password)))
    sub.transport.write(hiredis.pack_command(("SUBSCRIBE", channel)))
    await asyncio.wait_for(asyncio.shield(sub.subscribed), 2.0)
    return sub
