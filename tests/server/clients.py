"""A minimal protocol-level visitor for the server tests (the real client is the Brython SDK)."""

import asyncio
import json

import websockets

from visitor_sdk import protocol as P
from visitor_sdk.reliability import NEW, Inbox, Outbox


class Visitor:
    """One visitor tab: hello/resume, sequenced frames, acks, collected frames."""

    def __init__(self, base, group, key, tab="tab1", visitor=None, epoch=None, headers=None):
        self.url = base.replace("http", "ws", 1) + "/ws/visitor"
        self.headers = headers  # extra handshake headers (Origin, X-Forwarded-For)
        self.group, self.key, self.tab = group, key, tab
        self.visitor = visitor or {"name": "Vera Visitor"}
        self.outbox, self.inbox = Outbox(), Inbox()
        self.epoch = epoch      # names the outbox in hello: relayed frames then carry o = [epoch, seq]
        self.resume = None
        self.ws = None
        self.started = None
        self.received = []      # every new reliable frame, in order
        self.errors = []
        self.dups = 0
        self.cond = asyncio.Condition()
        self.reader = None

    async def connect(self, resume=None, expect_error=False):
        """Send hello (resume when a token is known); returns `started` or the error frame."""
        self.ws = await websockets.connect(self.url, max_size=4 * P.MAX_FRAME_BYTES, additional_headers=self.headers)
        await self.ws.send(json.dumps(P.hello(self.group, self.key, self.tab, visitor=self.visitor,
                                              resume=resume if resume is not None else self.resume,
                                              last_seq=self.inbox.last, acked=self.outbox.acked,
                                              epoch=self.epoch)))
        msg = json.loads(await asyncio.wait_for(self.ws.recv(), 5))
        if msg["type"] == "error":
            self.errors.append(msg)
            return msg
        assert msg["type"] == "started", msg
        self.started = msg
        self.resume = msg["resume"]
        self.outbox.ack(msg["ack"])
        for f in self.outbox.pending():
            await self.ws.send(json.dumps(f))
        self.reader = asyncio.create_task(self._read())
        return msg

    async def _read(self):
        ws = self.ws
        try:
            async for text in ws:
                msg = json.loads(text)
                if "ack" in msg:
                    self.outbox.ack(msg["ack"])
                if msg["type"] == "error":
                    self.errors.append(msg)
                elif P.is_reliable(msg["type"]):
                    r = self.inbox.receive(msg["seq"])
                    if r == NEW:
                        self.received.append(msg)
                    else:
                        self.dups += 1
                    try:
                        await ws.send(json.dumps(P.frame("ack", 0, ack=self.inbox.last)))
                    except websockets.ConnectionClosed:
                        pass
                async with self.cond:
                    self.cond.notify_all()
        except websockets.ConnectionClosed:
            pass
        finally:
            async with self.cond:
                self.cond.notify_all()

    async def send(self, type_, **fields):
        f = self.outbox.push(P.frame(type_, 0, **fields))
        if self.ws is not None:
            try:
                await self.ws.send(json.dumps(f))
            except websockets.ConnectionClosed:
                pass
        return f["seq"]

    async def raw(self, text):
        await self.ws.send(text)

    def of(self, type_, name=None):
        return [m for m in self.received if m["type"] == type_ and (name is None or m.get("name") == name)]

    async def wait(self, predicate, timeout=5.0):
        async def loop():
            async with self.cond:
                while not predicate(self):
                    await self.cond.wait()
        await asyncio.wait_for(loop(), timeout)

    async def wait_frame(self, type_, count=1, timeout=5.0):
        await self.wait(lambda v: len(v.of(type_)) >= count, timeout)
        return v_last(self.of(type_))

    async def wait_error(self, code, timeout=5.0):
        await self.wait(lambda v: any(e["code"] == code for e in v.errors), timeout)
        return [e for e in self.errors if e["code"] == code][-1]

    async def drop(self):
        """Close the socket abruptly (navigation, network loss); streams are kept."""
        if self.ws is not None:
            await self.ws.close()
            if self.reader:
                await self.reader
        self.ws = None

    async def close(self):
        await self.drop()


def v_last(lst):
    return lst[-1] if lst else None
