"""What the hub keeps per participant, independent of sessions.

The sockets themselves are peer.Peer objects. `Participant`: a visitor tab or an agent,
whose Outbox/Inbox outlive its sockets for the reconnect window.
`LocalSession`: this node's view of one session. `reattach` / `fresh` are
what a hello/join with a resume token does to a participant.
"""

from visitor_sdk import protocol as P
from visitor_sdk.reliability import Inbox, Outbox, OutboxFull


class Participant:
    """A visitor tab or an agent: its streams survive reconnects."""

    __slots__ = ("sid", "pid", "outbox", "inbox", "conn", "timer", "focused", "info", "page", "epoch")

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

    def deliver(self, frame):
        """Queue a reliable frame (seq stamped here); sent now if connected, else on resume."""
        try:
            self.outbox.push(frame)
        except OutboxFull:
            if self.conn:
                self.conn.send(P.error_frame("service", "too many unacknowledged frames", fatal=True))
                self.conn.close_soon()
            return
        if self.conn is not None:
            self.conn.send(frame)


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


def fresh(sid, pid, msg):
    """A participant this node has no streams for: continue the peer's numbering."""
    part = Participant(sid, pid, Outbox(first_seq=msg.get("last_seq", 0) + 1), Inbox(msg.get("acked", 0)))
    part.epoch = msg.get("epoch")
    return part


class LocalSession:
    """This node's view of one session: its local tabs and agents."""

    __slots__ = ("sid", "meta", "tabs", "agents", "focus", "ended")

    def __init__(self, sid, meta):
        self.sid = sid
        self.meta = meta
        self.tabs = {}
        self.agents = {}
        self.focus = None
        self.ended = False
