"""`RedisBackplane`: session records and every participant's queue of frames in Redis, for several nodes.

Everything a session needs to continue lives in Redis (redis_lua.py lists the
keys): its records, each participant's unacknowledged frames and sequence
numbers (`in`: the last frame applied from it, `last`: the last queued for it),
parked events, one-time token uses. Any node can therefore take over any
participant exactly (`attach`), with no sticky sessions. Each node subscribes
to one channel, cb:n:<node>, where the scripts publish the frames queued for
the participants whose sockets it holds. Commands go over a few pipelined
connections (redis_wire.py): callers queue, nothing is refused, and what a
turn of the loop asks for goes out in one write per connection.

When Redis goes away, calls raise BackplaneDown (the hub then acknowledges
nothing and closes the socket: the peer resends after reconnecting),
`ready()` is False, and the subscription reconnects with backoff; once it is
back, `on_resubscribed()` runs (the hub closes its sockets so that every
peer reattaches from what Redis holds).
"""

import asyncio
import json
import logging
import time

from visitor_sdk import protocol as P

from . import redis_lua as L
from .redis_wire import BackplaneDown, ReplyError, Wire, subscribe

log = logging.getLogger("session_server.backplane")
PARK_LIMIT = 1000
QUEUE_LIMIT = 10000   # frames kept per participant in Redis (its node's byte budgets cut in first)
TTL = 86400
ACK_FLUSH = 1.0       # seconds between trims of what participants acknowledged (one script call for all)
BEAT = 1.0            # seconds between a node's heartbeats
DEAD_AFTER = 5.0      # a node silent this long is dead: its participants expire after the reconnect window
CONNS = 4             # pipelined connections per process (callers queue on them; none is ever refused)
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _body(frame):
    return _dumps({k: v for k, v in frame.items() if k != "seq"})


class RedisBackplane:
    """Records in Redis; frames for this node's participants on channel cb:n:<node_id>."""

    inline = True     # sockets.Peer runs a handler's first step inline (acks never reach Redis: no task for
                      # them); a handler that waits for Redis continues in a task
    durable = True    # participants' queues outlive this process: the hub attaches them from Redis

    def __init__(self, url, node_id, conns=CONNS):
        self.url = url
        self.node_id = node_id
        self.wire = Wire(url, conns)
        self.handlers = {}
        self.up = False
        self.on_resubscribed = None
        self._task = None
        self._acks = {}
        self._ack_task = None
        self.on_orphans = None   # set by the hub: on_orphans(dead node, [(sid, role, pid), ...])

    # ------------------------------------------------------------------ life
    async def start(self):
        await self._load_scripts()
        ready = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._reader(ready))
        await ready
        self._ack_task = asyncio.create_task(self._ack_flusher())
        self._beat_task = asyncio.create_task(self._heartbeat())

    async def _load_scripts(self):
        self.sha = {}
        for name in ("RELAY", "SEND_TO", "UNPARK_TO", "ATTACH", "MINE", "DROP", "TRIM", "ORPHAN", "CLAIM", "MERGE"):
            self.sha[name] = await self.wire.call("SCRIPT", "LOAD", getattr(L, name))

    async def close(self):
        for t in (self._task, self._ack_task, getattr(self, "_beat_task", None)):
            if t:
                t.cancel()
                try:
                    await t
                except BaseException:
                    pass
        self.wire.close()

    async def ready(self):
        """True when Redis answers a PING within about a second and this node's subscription is live."""
        if not self.up:
            return False
        try:
            return await asyncio.wait_for(self.wire.call("PING"), 1.0) == "PONG"
        except Exception:
            return False

    def _c(self, *args):
        return self.wire.call(*args)

    async def _script(self, name, *args):
        try:
            return await self.wire.call("EVALSHA", self.sha[name], *args)
        except ReplyError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
        await self._load_scripts()   # Redis restarted without its script cache
        return await self.wire.call("EVALSHA", self.sha[name], *args)

    async def _reader(self, ready):
        """The node's subscription; reconnected with backoff (0.1 s doubling to 2 s) when it drops."""
        delay = 0.1
        first = True
        while True:
            try:
                sub = await subscribe(self.url, "cb:n:" + self.node_id, self._dispatch)
            except (BackplaneDown, OSError, asyncio.TimeoutError) as exc:
                if first:
                    ready.set_exception(exc)
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            self.up = True
            delay = 0.1
            if first:
                first = False
                ready.set_result(None)
            elif self.on_resubscribed is not None:
                self.on_resubscribed()
            try:
                await sub.lost
            finally:
                sub.transport.close()
            self.up = False
            log.warning("redis subscription lost; reconnecting")

    def _dispatch(self, data):
        kind = data[:1]
        sp = data.index(b" ")
        sid = data[1:sp].decode()
        sp2 = data.index(b" ", sp + 1)
        role = data[sp + 1:sp + 2].decode()
        n = int(data[sp + 2:sp2])
        pid = data[sp2 + 1:sp2 + 1 + n].decode()   # n: its length in UTF-8 bytes (Lua's string.len)
        h = self.handlers.get(sid)
        if h is None:
            return
        try:
            if kind == b"F":
                text = data[sp2 + 1 + n:].decode()
                h({"t": "frame", "r": role, "p": pid, "frame": json.loads(text), "text": text})
            elif kind == b"M":
                h({"t": "moved", "r": role, "p": pid})
        except Exception:
            log.exception("session event handler failed")

    # ------------------------------------------------------- participants
    async def attach(self, sid, role, pid, last_seq, acked, info=None):
        """Take over participant (role "t"/"a", pid) on this node: (exact, gen, last, in, info, frames).
        exact False: Redis had no queue for it (a new one is made from the peer's numbers)."""
        r = await self._script("ATTACH", 0, sid, role, pid, self.node_id, int(last_seq or 0), int(acked or 0),
                               _dumps(info) if info is not None else "")
        info = json.loads(r[4]) if r[4] else None
        return bool(r[0]), str(r[1]), int(r[2]), int(r[3]), info, [json.loads(f) for f in r[5:]]

    async def mine(self, sid, role, pid, gen):
        """True while this node's attach (generation `gen`) is the participant's latest."""
        return bool(await self._script("MINE", 0, sid, role + pid, self.node_id, gen))

    async def drop(self, sid, role, pid, gen):
        """Forget the participant's queue if this node still holds it; False when another node does."""
        return bool(await self._script("DROP", 0, sid, role + pid, self.node_id, gen))

    async def send_to(self, sid, role, pid, frames):
        """Queue frames for one participant (they come back through this node's channel)."""
        await self._script("SEND_TO", 0, sid, role + pid, *[_body(f) for f in frames])

    async def unpark_to(self, sid, aid):
        return await self._script("UNPARK_TO", 0, sid, aid, QUEUE_LIMIT)

    def acked(self, sid, role, pid, n):
        """The participant has every frame up to `n`: trimmed from Redis in the next batch (lazy: a lost
        trim only means a frame the peer drops as a duplicate)."""
        self._acks[(sid, role + pid)] = n

    async def _ack_flusher(self):
        while True:
            await asyncio.sleep(ACK_FLUSH)
            if not self._acks:
                continue
            acks, self._acks = self._acks, {}
            items = list(acks.items())
            for i in range(0, len(items), 500):
                args = []
                for (sid, who), n in items[i:i + 500]:
                    args += ["%s:%s" % (sid, who), n]
                try:
                    await self._script("TRIM", 0, *args)
                except Exception:
                    pass

    async def _heartbeat(self):
        """Say this node is alive (cb:nodes: node -> last beat); claim the participants of a node
        silent for DEAD_AFTER seconds, once across the cluster, and hand them to on_orphans."""
        while True:
            try:
                now = time.time()
                await self._c("ZADD", "cb:nodes", now, self.node_id)
                for dead in await self._c("ZRANGEBYSCORE", "cb:nodes", "-inf", now - DEAD_AFTER):
                    if not await self._c("SET", "cb:sweep:" + dead, self.node_id, "NX", "EX", 3600):
                        continue
                    members = await self._c("SMEMBERS", "cb:np:" + dead)
                    await asyncio.gather(self._c("ZREM", "cb:nodes", dead), self._c("DEL", "cb:np:" + dead))
                    parts = []
                    for m in members:
                        sid, _, rp = m.partition(" ")
                        parts.append((sid, rp[:1], rp[1:]))
                    log.warning("node %s is silent: its %d participants expire unless they reconnect", dead, len(parts))
                    if self.on_orphans is not None and parts:
                        self.on_orphans(dead, parts)
            except BackplaneDown:
                pass
            except Exception:
                log.exception("node heartbeat failed")
            await asyncio.sleep(BEAT)

    async def orphan(self, sid, role, pid, dead):
        """Forget a participant of a dead node unless it reattached: -1 when it did, else how many
        tabs (role "t") or agents ("a") the session has left."""
        return await self._script("ORPHAN", 0, sid, role, pid, dead)

    async def applied(self, sid, role, pid, seq):
        """The frame `seq` from this participant was handled (it was relayed to no one)."""
        await self._c("HSET", "cb:pp:%s:%s%s" % (sid, role, pid), "in", seq)

    async def use_once(self, what, ttl):
        """True the first time `what` (a guest id, an upload ticket id) is used, on any node."""
        return bool(await self._c("SET", "cb:once:" + what, "1", "NX", "EX", int(ttl)))

    # ------------------------------------------------------------ records
    async def claim_key(self, group, key, sid, allow_dup):
        return await self._script("CLAIM", 1, "cb:key:%s:%s" % (group, key), sid, "1" if allow_dup else "0", TTL)

    async def find_key(self, group, key):
        return await self._c("LINDEX", "cb:key:%s:%s" % (group, key), -1)

    async def put_session(self, sid, meta):
        k = "cb:s:" + sid
        await asyncio.gather(self._c("HSET", k, "meta", json.dumps(meta)), self._c("HSETNX", k, "state", "{}"),
                             self._c("EXPIRE", k, TTL), self._c("SADD", "cb:g:%s" % meta["group"], sid))

    async def get_session(self, sid):
        raw = await self._c("HGET", "cb:s:" + sid, "meta")
        return json.loads(raw) if raw else None

    async def list_sessions(self, group):
        out = []
        for sid in await self._c("SMEMBERS", "cb:g:%s" % group):
            m = await self.get_session(sid)
            if m is None:
                await self._c("SREM", "cb:g:%s" % group, sid)
                continue
            na, nt = await asyncio.gather(self._c("HLEN", "cb:a:" + sid), self._c("HLEN", "cb:t:" + sid))
            out.append(dict(m, agents=na, tabs=nt))
        return out

    async def end_session(self, sid):
        """Mark the session ended and free its key; True for the one caller that ended it. The `end`
        published next reaches every participant and then removes the session's records."""
        if not await self._c("SET", "cb:ended:" + sid, "1", "NX", "EX", TTL):
            return False
        meta = await self.get_session(sid)
        if meta:
            await asyncio.gather(self._c("LREM", "cb:key:%s:%s" % (meta["group"], meta["key"]), 0, sid),
                                 self._c("SREM", "cb:g:%s" % meta["group"], sid))
        return True

    async def is_ended(self, sid):
        return bool(await self._c("EXISTS", "cb:ended:" + sid))

    async def set_agent(self, sid, aid, entry):
        if entry is None:
            await self._c("HDEL", "cb:a:" + sid, aid)
        else:
            await asyncio.gather(self._c("HSET", "cb:a:" + sid, aid, json.dumps(entry)),
                                 self._c("EXPIRE", "cb:a:" + sid, TTL))

    async def agents(self, sid):
        flat = await self._c("HGETALL", "cb:a:" + sid)
        return [json.loads(v) for v in flat[1::2]]

    async def agent_count(self, sid):
        return await self._c("HLEN", "cb:a:" + sid)

    async def park(self, sid, frame):
        await self._script("RELAY", 0, sid, "park", _body(frame), "", 0, PARK_LIMIT, QUEUE_LIMIT, "", "")

    async def unpark(self, sid):
        raw = await self._c("LRANGE", "cb:p:" + sid, 0, -1)
        await self._c("DEL", "cb:p:" + sid)
        return [json.loads(x) for x in raw]

    async def next_num(self, sid):
        return await self._c("HINCRBY", "cb:s:" + sid, "num", 1)

    async def merge_state(self, sid, patch):
        return json.loads(await self._script("MERGE", 1, "cb:s:" + sid, json.dumps(patch)))

    async def get_state(self, sid):
        raw = await self._c("HGET", "cb:s:" + sid, "state")
        return json.loads(raw) if raw else {}

    async def set_tab(self, sid, tab, connected):
        k = "cb:t:" + sid
        if connected is None:
            await self._c("HDEL", k, tab)
        else:
            await asyncio.gather(self._c("HSET", k, tab, "1" if connected else "0"), self._c("EXPIRE", k, TTL))
        return await self.tabs(sid)

    async def tabs(self, sid):
        flat = await self._c("HGETALL", "cb:t:" + sid)
        return {t: v == "1" for t, v in zip(flat[::2], flat[1::2])}

    async def set_focus(self, sid, tab):
        """The tab takes focus (the focus event published next tells the others: blur)."""
        await asyncio.gather(self._c("HSET", "cb:s:" + sid, "focus", tab),
                             self._c("HSET", "cb:pp:%s:t%s" % (sid, tab), "f", "1"))

    async def get_focus(self, sid):
        return await self._c("HGET", "cb:s:" + sid, "focus")

    # ------------------------------------------------------------- events
    async def subscribe(self, sid, handler):
        """Frames for this node's participants of `sid` go to handler (this node's one channel carries them)."""
        self.handlers[sid] = handler

    async def unsubscribe(self, sid):
        self.handlers.pop(sid, None)

    async def publish(self, sid, event, sender=None):
        """Queue what `event` means for each participant it concerns, in Redis, and tell their nodes.
        `sender`: (role + pid, seq) of the frame being handled: stored as applied in the same step."""
        t = event["t"]
        fb = ""
        bb = ""
        if t == "action":
            kind, body = "tab", _body(event["frame"])
        elif t == "event":
            kind, body = "park", _body(event["frame"])
        elif t == "agents":
            kind, body = "all", _body(P.frame("agents", 0, **event["payload"]))
        elif t == "state":
            kind, body = "all", _body(P.frame("state", 0, state=event["state"]))
        elif t == "presence":
            kind, body = "agents", _body(P.frame("presence", 0, status=event["status"], tabs=event["tabs"]))
        elif t == "focus":
            kind, body = "focus", event["tab"]
            fb, bb = _body(P.frame("focus", 0)), _body(P.frame("blur", 0))
        elif t == "end":
            kind, body = "end", _body(P.frame("end", 0, reason=event["reason"], msg=event.get("msg") or ""))
        else:
            raise ValueError("unknown session event " + t)
        who, seq = sender if sender else ("", 0)
        return await self._script("RELAY", 0, sid, kind, body, who, seq, PARK_LIMIT, QUEUE_LIMIT, fb, bb)


__all__ = ["RedisBackplane", "BackplaneDown"]
