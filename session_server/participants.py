"""What the hub keeps per participant, independent of sessions.

The sockets themselves are peer.Peer objects. `Participant`: a visitor tab or an agent,
whose Outbox/Inbox outlive its sockets for the reconnect window.
`LocalSession`: this node's view of one session. `reattach` / `fresh` are
what a hello/join with a resume token does to a participant.
"""

import json

from visitor_sdk import protocol as P
from visitor_sdk.reliability import Inbox, Outbox, OutboxFull

from . import metrics

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class Participant:
    """A visitor tab or an agent: its streams survive reconnects."""

    __slots__ = ("sid", "pid", "outbox", "inbox", "conn", "timer", "focused", "info", "page", "epoch", "overflow",
                 "expire", "rl", "gen", "stored")

    def __init__(self, sid, pid, outbox, inbox):
        self.sid = sid
        self.pid = pid
        self.outbox = outbox
        self.inbox = inbox
        self.conn = None
        self.timer = None
        self.focused = False
        self.info = None   # agent: {"entry", "profile"}
        self.page = None   # visitor tab: the page of its hello
        self.epoch = None  # the peer's Outbox name (hello/join `epoch`): relayed frames carry `o`
        self.overflow = False   # its Outbox went over budget: its streams are dropped (the hub's `expire`)
        self.expire = None      # set by the hub: drop this participant now
        self.rl = "t"           # with a durable backplane: "t" a visitor tab, "a" an agent (its key in Redis)
        self.gen = None         # ...this node's attach of it (redis_lua.ATTACH)
        self.stored = 0         # ...seq of the frame from it whose handling stored it as applied

    def deliver(self, frame, text=None):
        """Queue a reliable frame (seq stamped here); sent now if connected, else on resume.

        Past the Outbox's frame or byte budget the participant's streams are dropped: its socket
        gets a fatal `over_budget` error, and the hub forgets it (`expire`) as if its reconnect
        window had run out; what others do is not held up."""
        if self.overflow:
            return
        try:
            self.outbox.push(frame)
            if text is not None:
                n = self.conn.send_encoded(frame, text) if self.conn is not None else len(text)
            else:
                n = self.conn.send(frame) if self.conn is not None else len(_dumps(frame))
            self.outbox.charge(n)
        except OutboxFull as exc:
            self.overflow = True
            metrics.count("frames_dropped_by_budget")
            if self.conn:
                self.conn.send(P.error_frame("over_budget", "frames not acknowledged: " + str(exc), fatal=True))
                self.conn.close_soon()
            elif self.expire is not None:
                self.expire()

    def deliver_stamped(self, frame, text=None):
        """Queue a frame the backplane numbered already (durable backplane: the frame is in Redis).
        A frame older than the next one is a copy and is dropped; past a missing one the socket
        is closed, and the peer's reconnect takes everything from Redis in order."""
        nxt = self.outbox.next_seq
        if frame["seq"] < nxt:
            return
        if frame["seq"] > nxt:
            if self.conn is not None:
                self.conn.close_soon()
            return
        self.deliver(frame, text)


def reattach(part, msg, who):
    """A participant whose streams this node still has came back (hello/join with its
    resume token): stop its expiry timer, close an older socket, and forget what the
    peer says it has already applied."""
    if part.timer:
        part.timer.cancel()
        part.timer = None
    if part.conn is not None:
        part.conn.send(P.error_frame("conndrop", who + " reconnected on another socket", fatal=True))
        part.conn.close_soon()
    part.outbox.ack(msg.get("last_seq", 0))
    part.epoch = msg.get("epoch")


def fresh(sid, pid, msg, limit=10000, max_bytes=None):
    """A participant this node has no streams for: continue the peer's numbering."""
    part = Participant(sid, pid, Outbox(limit, msg.get("last_seq", 0) + 1, max_bytes), Inbox(msg.get("acked", 0)))
    part.epoch = msg.get("epoch")
    return part


class LocalSession:
    """This node's view of one session: its local tabs and agents."""

    __slots__ = ("sid", "meta", "tabs", "agents", "focus", "ended", "n_agents", "addr", "parked", "held",
                 "state_rate", "state_size")

    def __init__(self, sid, meta):
        self.sid = sid
        self.meta = meta
        self.tabs = {}
        self.agents = {}
        self.focus = None
        self.ended = False
        self.n_agents = 0     # agents in the session (any node), from the last `agents` event
        self.addr = None      # the address that started or resumed it here: its bytes count against it
        self.parked = [0, 0]  # events parked from this node: [frames, bytes]
        self.held = 0         # bytes counted against `addr` (parked events and state)
        self.state_rate = None   # ratelimit.TokenBucket of state changes
        self.state_size = 2      # bytes of the state's JSON as this node last saw it ("{}")
