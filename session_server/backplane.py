"""Where session records live and how nodes tell each other about sessions.

`LocalBackplane` keeps everything in this process (one node, no extra
service). `RedisBackplane` keeps records in Redis and publishes session
events on one pub/sub channel per session, so several server processes can
serve one group: a visitor on node 1 and an agent on node 2 share a session.
Both have the same async interface; the Hub only talks to this interface.

Every event published for a session reaches the handler that each
subscribed node registered for it, on the publishing node too.
"""

import asyncio
import json
import logging
import time

log = logging.getLogger("session_server.backplane")
PARK_LIMIT = 1000


class LocalBackplane:
    """Single-process backplane: dicts and direct calls."""

    inline = True   # no method ever suspends: sockets.Peer may run the hub's handlers outside a task

    def __init__(self):
        self.keys = {}        # (group, key) -> [sid, ...] oldest first
        self.meta = {}        # sid -> meta dict
        self.state = {}       # sid -> state dict
        self.agents_ = {}     # sid -> {aid: entry}
        self.tabs_ = {}       # sid -> {tab: connected bool}
        self.focus = {}       # sid -> tab
        self.nums = {}        # sid -> last participant num
        self.ended = {}       # sid -> time ended
        self.parked = {}      # sid -> [visitor_event frames no agent has seen]
        self.handlers = {}    # sid -> handler(event)

    async def start(self):
        pass

    async def close(self):
        pass

    async def claim_key(self, group, key, sid, allow_dup):
        """Register sid under (group, key); returns the sid already there when duplicates are refused."""
        lst = self.keys.setdefault((group, key), [])
        if lst and not allow_dup:
            return lst[-1]
        lst.append(sid)
        return None

    async def find_key(self, group, key):
        lst = self.keys.get((group, key))
        return lst[-1] if lst else None

    async def put_session(self, sid, meta):
        self.meta[sid] = meta
        self.state.setdefault(sid, {})

    async def get_session(self, sid):
        return self.meta.get(sid)

    async def list_sessions(self, group):
        return [dict(m, agents=len(self.agents_.get(s, {})), tabs=len(self.tabs_.get(s, {})))
                for s, m in self.meta.items() if m["group"] == group]

    async def end_session(self, sid):
        """Remove the session's records; True for the one caller that ended it."""
        meta = self.meta.pop(sid, None)
        if meta is None:
            return False
        lst = self.keys.get((meta["group"], meta["key"]), [])
        if sid in lst:
            lst.remove(sid)
        if not lst:
            self.keys.pop((meta["group"], meta["key"]), None)
        for d in (self.state, self.agents_, self.tabs_, self.focus, self.nums, self.parked):
            d.pop(sid, None)
        self.ended[sid] = time.time()
        if len(self.ended) > 100000:
            for s in list(self.ended)[:50000]:
                del self.ended[s]
        return True

    async def is_ended(self, sid):
        return sid in self.ended

    async def set_agent(self, sid, aid, entry):
        d = self.agents_.setdefault(sid, {})
        if entry is None:
            d.pop(aid, None)
        else:
            d[aid] = entry

    async def agents(self, sid):
        return list(self.agents_.get(sid, {}).values())

    async def agent_count(self, sid):
        return len(self.agents_.get(sid, ()))

    async def park(self, sid, frame):
        """Keep a visitor_event for the next agent that joins (no agent is in the session)."""
        lst = self.parked.setdefault(sid, [])
        lst.append(frame)
        del lst[:-PARK_LIMIT]

    async def unpark(self, sid):
        return self.parked.pop(sid, [])

    async def next_num(self, sid):
        self.nums[sid] = self.nums.get(sid, 0) + 1
        return self.nums[sid]

    async def merge_state(self, sid, patch):
        st = self.state.setdefault(sid, {})
        st.update(patch)
        return dict(st)

    async def get_state(self, sid):
        return dict(self.state.get(sid, {}))

    async def set_tab(self, sid, tab, connected):
        """connected True/False marks the tab; None removes it. Returns {tab: connected}."""
        d = self.tabs_.setdefault(sid, {})
        if connected is None:
            d.pop(tab, None)
        else:
            d[tab] = connected
        return dict(d)

    async def tabs(self, sid):
        return dict(self.tabs_.get(sid, {}))

    async def set_focus(self, sid, tab):
        self.focus[sid] = tab

    async def get_focus(self, sid):
        return self.focus.get(sid)

    async def subscribe(self, sid, handler):
        self.handlers[sid] = handler

    async def unsubscribe(self, sid):
        self.handlers.pop(sid, None)

    async def publish(self, sid, event):
        h = self.handlers.get(sid)
        if h is not None:
            h(event)


_CLAIM = """
local n = redis.call('LLEN', KEYS[1])
if ARGV[2] == '0' and n > 0 then return redis.call('LINDEX', KEYS[1], -1) end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return false
"""

_MERGE = """
local s = redis.call('HGET', KEYS[1], 'state')
local t = {}
if s then t = cjson.decode(s) end
local p = cjson.decode(ARGV[1])
for k, v in pairs(p) do t[k] = v end
local out = cjson.encode(t)
if out == '[]' then out = '{}' end
redis.call('HSET', KEYS[1], 'state', out)
return out
"""

TTL = 86400


class RedisBackplane:
    """Records in Redis, events on pub/sub channel cb:ch:<sid> (redis-py asyncio)."""

    def __init__(self, url, node_id):
        self.url = url
        self.node_id = node_id
        self.handlers = {}
        self.redis = None
        self.pubsub = None
        self._task = None

    async def start(self):
        import redis.asyncio as aioredis
        self.redis = aioredis.from_url(self.url, decode_responses=True)
        await self.redis.ping()
        self._claim = self.redis.register_script(_CLAIM)
        self._merge = self.redis.register_script(_MERGE)
        self.pubsub = self.redis.pubsub()
        await self.pubsub.subscribe("cb:node:" + self.node_id)
        self._task = asyncio.create_task(self._reader())

    async def close(self):
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except BaseException:
                pass
        if self.pubsub:
            await self.pubsub.aclose()
        if self.redis:
            await self.redis.aclose()

    async def _reader(self):
        while True:
            try:
                msg = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("redis pub/sub read failed")
                await asyncio.sleep(0.5)
                continue
            if not msg or msg.get("type") != "message":
                continue
            sid = msg["channel"][len("cb:ch:"):]
            h = self.handlers.get(sid)
            if h is None:
                continue
            try:
                h(json.loads(msg["data"]))
            except Exception:
                log.exception("session event handler failed")

    async def claim_key(self, group, key, sid, allow_dup):
        return await self._claim(keys=["cb:key:%s:%s" % (group, key)], args=[sid, "1" if allow_dup else "0", TTL])

    async def find_key(self, group, key):
        return await self.redis.lindex("cb:key:%s:%s" % (group, key), -1)

    async def put_session(self, sid, meta):
        p = self.redis.pipeline()
        p.hset("cb:s:" + sid, "meta", json.dumps(meta))
        p.hsetnx("cb:s:" + sid, "state", "{}")
        p.expire("cb:s:" + sid, TTL)
        p.sadd("cb:g:%s" % meta["group"], sid)
        await p.execute()

    async def get_session(self, sid):
        raw = await self.redis.hget("cb:s:" + sid, "meta")
        return json.loads(raw) if raw else None

    async def list_sessions(self, group):
        out = []
        for sid in await self.redis.smembers("cb:g:%s" % group):
            m = await self.get_session(sid)
            if m is None:
                await self.redis.srem("cb:g:%s" % group, sid)
                continue
            out.append(dict(m, agents=await self.redis.hlen("cb:a:" + sid), tabs=await self.redis.hlen("cb:t:" + sid)))
        return out

    async def end_session(self, sid):
        if not await self.redis.set("cb:ended:" + sid, "1", nx=True, ex=TTL):
            return False
        meta = await self.get_session(sid)
        p = self.redis.pipeline()
        if meta:
            p.lrem("cb:key:%s:%s" % (meta["group"], meta["key"]), 0, sid)
            p.srem("cb:g:%s" % meta["group"], sid)
        p.delete("cb:s:" + sid, "cb:a:" + sid, "cb:t:" + sid, "cb:p:" + sid)
        await p.execute()
        return True

    async def is_ended(self, sid):
        return bool(await self.redis.exists("cb:ended:" + sid))

    async def set_agent(self, sid, aid, entry):
        if entry is None:
            await self.redis.hdel("cb:a:" + sid, aid)
        else:
            await self.redis.hset("cb:a:" + sid, aid, json.dumps(entry))
            await self.redis.expire("cb:a:" + sid, TTL)

    async def agents(self, sid):
        return [json.loads(v) for v in (await self.redis.hgetall("cb:a:" + sid)).values()]

    async def agent_count(self, sid):
        return await self.redis.hlen("cb:a:" + sid)

    async def park(self, sid, frame):
        p = self.redis.pipeline()
        p.rpush("cb:p:" + sid, json.dumps(frame))
        p.ltrim("cb:p:" + sid, -PARK_LIMIT, -1)
        p.expire("cb:p:" + sid, TTL)
        await p.execute()

    async def unpark(self, sid):
        p = self.redis.pipeline()
        p.lrange("cb:p:" + sid, 0, -1)
        p.delete("cb:p:" + sid)
        raw, _ = await p.execute()
        return [json.loads(x) for x in raw]

    async def next_num(self, sid):
        return await self.redis.hincrby("cb:s:" + sid, "num", 1)

    async def merge_state(self, sid, patch):
        return json.loads(await self._merge(keys=["cb:s:" + sid], args=[json.dumps(patch)]))

    async def get_state(self, sid):
        raw = await self.redis.hget("cb:s:" + sid, "state")
        return json.loads(raw) if raw else {}

    async def set_tab(self, sid, tab, connected):
        k = "cb:t:" + sid
        if connected is None:
            await self.redis.hdel(k, tab)
        else:
            await self.redis.hset(k, tab, "1" if connected else "0")
            await self.redis.expire(k, TTL)
        return await self.tabs(sid)

    async def tabs(self, sid):
        return {t: v == "1" for t, v in (await self.redis.hgetall("cb:t:" + sid)).items()}

    async def set_focus(self, sid, tab):
        await self.redis.hset("cb:s:" + sid, "focus", tab)

    async def get_focus(self, sid):
        return await self.redis.hget("cb:s:" + sid, "focus")

    async def subscribe(self, sid, handler):
        self.handlers[sid] = handler
        await self.pubsub.subscribe("cb:ch:" + sid)

    async def unsubscribe(self, sid):
        self.handlers.pop(sid, None)
        await self.pubsub.unsubscribe("cb:ch:" + sid)

    async def publish(self, sid, event):
        await self.redis.publish("cb:ch:" + sid, json.dumps(event))
