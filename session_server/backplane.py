"""Where session records live and how nodes tell each other about sessions.

`LocalBackplane` keeps everything in this process (one node, no extra
service). `RedisBackplane` (redis_backplane.py) keeps records and every
participant's queue of frames in Redis, so several server processes serve
one group and any of them takes over any participant exactly. Both have the
same async interface; the Hub only talks to this interface (`durable`: the
participants' queues live in the backplane, not in the Hub).

Every event published for a session reaches the handler that each
subscribed node registered for it, on the publishing node too.
"""

import logging
import time

log = logging.getLogger("session_server.backplane")
PARK_LIMIT = 1000


class LocalBackplane:
    """Single-process backplane: dicts and direct calls."""

    inline = True   # no method ever suspends: sockets.Peer may run the hub's handlers outside a task
    durable = False  # participants' queues live in the Hub's memory

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

    async def ready(self):
        """Always True: nothing outside this process to wait for (/readyz)."""
        return True

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

    async def publish(self, sid, event, sender=None):
        h = self.handlers.get(sid)
        if h is not None:
            h(event)


from .redis_backplane import BackplaneDown, RedisBackplane  # noqa: E402  (several nodes)

__all__ = ["LocalBackplane", "RedisBackplane", "BackplaneDown"]
