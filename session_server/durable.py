"""The hub's side of a durable backplane (Redis): participants taken over from Redis, frames from Redis.

With `backplane.durable` every reliable frame for a participant is numbered
and queued in Redis (redis_lua.py) and reaches this node through its one
channel; the hub's Participant is a mirror of that queue for the socket it
holds. Call `attach` on a hello/join (any node takes over any participant:
exact when Redis holds its streams), `on_frame` / `on_moved` for what the
channel brings, `deliver` to queue frames for one participant.
"""

import asyncio
import json
import logging

from visitor_sdk import protocol as P
from visitor_sdk.reliability import Inbox, Outbox, OutboxFull

from .participants import Participant

log = logging.getLogger("session_server.hub")
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


async def attach(hub, s, rl, pid, msg, budget, info=None):
    """Take over participant `pid` (rl "t" a tab of s.tabs, "a" an agent of s.agents) on this node.
    Returns (participant, exact); it is in the session's dict when this returns."""
    parts = s.tabs if rl == "t" else s.agents
    old = parts.pop(pid, None)
    if old is not None:
        if old.timer:
            old.timer.cancel()
            old.timer = None
        if old.conn is not None:
            old.conn.send(P.error_frame("conndrop", ("this tab" if rl == "t" else "this agent")
                                        + " reconnected on another socket", fatal=True))
            old.conn.close_soon()
            old.conn = None
    key = (s.sid, rl, pid)
    buffered = hub.loading[key] = []
    try:
        exact, gen, last, inbox_last, stored_info, frames = await hub.bp.attach(
            s.sid, rl, pid, msg.get("last_seq", 0), msg.get("acked", 0), info)
    finally:
        hub.loading.pop(key, None)
    first = frames[0]["seq"] if frames else last + 1
    ob = Outbox(hub.limits.outbox_frames, first, budget)
    part = Participant(s.sid, pid, ob, Inbox(inbox_last))
    part.rl, part.gen, part.epoch = rl, gen, msg.get("epoch")
    part.info = stored_info if exact and stored_info is not None else info
    try:
        for f in frames:
            if f["seq"] == ob.next_seq:
                ob.push(f)
                ob.charge(len(_dumps(f)))
    except OutboxFull:
        part.overflow = True
    ob.next_seq = max(ob.next_seq, last + 1)
    ob.ack(msg.get("last_seq", 0))
    for f in buffered:
        if f["seq"] == ob.next_seq and not part.overflow:
            ob.push(f)
    parts[pid] = part
    return part, exact


def deliver(hub, part, frames):
    """Queue reliable frames for one participant (through Redis: they come back numbered)."""
    return hub.bp.send_to(part.sid, part.rl, part.pid, frames)


def on_frame(hub, s, ev):
    """A numbered frame for one of this node's participants (the node's channel)."""
    parts = s.tabs if ev["r"] == "t" else s.agents
    part = parts.get(ev["p"])
    f = ev["frame"]
    if part is None:
        buf = hub.loading.get((s.sid, ev["r"], ev["p"]))
        if buf is not None:
            buf.append(f)
        return
    t = f["type"]
    if t in ("agent_action", "visitor_event"):
        hub.stats["relayed"] += 1
    elif t == "agents":
        s.n_agents = f.get("count", 0)
        for tab in s.tabs.values():
            tab.outbox.max_bytes = hub._tab_budget(s)
    elif t == "focus":
        part.focused = True
        s.focus = part.pid
    elif t == "blur":
        part.focused = False
    part.deliver_stamped(f, ev.get("text"))
    if t == "end":
        s.ended = True
        if part.timer:
            part.timer.cancel()
            part.timer = None
        if part.conn:
            part.conn.close_soon()
        del parts[part.pid]
        if not s.tabs and not s.agents:
            hub.guards.release(s)
            hub.docs.drop_session(s.sid)
            if hub.sessions.get(s.sid) is s:
                del hub.sessions[s.sid]
            asyncio.get_running_loop().create_task(hub.bp.unsubscribe(s.sid))


def on_moved(hub, s, ev):
    """The participant attached on another node: this node's copy and socket go."""
    parts = s.tabs if ev["r"] == "t" else s.agents
    part = parts.pop(ev["p"], None)
    if part is None:
        return
    if part.timer:
        part.timer.cancel()
        part.timer = None
    if part.conn is not None:
        part.conn.send(P.error_frame("conndrop", "reconnected to another node of the service", fatal=True))
        part.conn.close_soon()
        part.conn = None
    asyncio.get_running_loop().create_task(hub._forget_if_empty(s))


def orphans(hub, dead, parts):
    """A node died holding these participants: each that has not reattached on a live node after the
    reconnect window is dropped, as the dead node's timer would have done (the session ends when
    its last tab goes)."""
    async def expire():
        await asyncio.sleep(hub.window)
        for sid, rl, pid in parts:
            try:
                left = await hub.bp.orphan(sid, rl, pid, dead)
                if left < 0:
                    continue
                if rl == "t" and left == 0:
                    await hub.end_session(sid, "error", "the visitor did not reconnect within %g s" % hub.window)
                    continue
                if rl == "t":
                    if await hub.bp.get_focus(sid) == pid:
                        tabs = await hub.bp.tabs(sid)
                        nxt = next((t for t, up in tabs.items() if up), next(iter(tabs)))
                        await hub.bp.set_focus(sid, nxt)
                        await hub.bp.publish(sid, {"t": "focus", "tab": nxt})
                else:
                    await hub._publish_agents(sid)
                await hub._presence(sid)
            except Exception:
                log.exception("expiring a participant of a dead node failed")
    asyncio.get_running_loop().create_task(expire())


def close_all(hub):
    """The backplane's subscription came back after Redis was away: every socket of this node
    is closed, and each peer reattaches from what Redis holds (frames published meanwhile
    may not have reached this node)."""
    for s in list(hub.sessions.values()):
        for part in list(s.tabs.values()) + list(s.agents.values()):
            if part.conn is not None:
                part.conn.close_soon()
