"""Sequence numbers and acknowledgements, sans I/O: nothing lost, nothing applied twice.

Pure Python, no imports; used by the server (per tab and per agent), the
Python agent client and the Brython visitor client.

Sender side, `Outbox`: `push(frame)` stamps the next seq on a reliable
frame and keeps it until `ack(n)` confirms every seq <= n; after a
reconnect, `pending()` gives the frames to send again, in order.

Receiver side, `Inbox`: `receive(seq)` answers NEW (apply the frame),
DUP (already applied: drop it, but acknowledge again) or GAP (a frame is
missing: drop it and report out_of_order). `last` is what to acknowledge.

Across a restart of the service, `Origins` keeps a relayed frame from being
applied twice: the service stamps each relayed agent_action/visitor_event
with `o` = [the sender's epoch, the sender's own seq] (the epoch names one
sender Outbox: hello/join carry it), and the receiver drops a frame whose
seq is not above the last one it applied from that epoch. A sender that
never heard the acknowledgement (the service died after relaying) sends the
frame again, and the restarted service relays it with the same `o`.

Reconnect handshake (see docs/protocol.md): the reconnecting side sends
`last_seq` (= its Inbox.last) and `acked` (its Outbox.acked); the other side
calls outbox.ack(last_seq) then resends outbox.pending(), and answers with
its own Inbox.last so the reconnecting side can do the same. When the other
side lost its state (a restarted server), it answers exact=false: it calls
`Inbox.resync(acked)` with the `acked` it was told and numbers its new
Outbox from `last_seq + 1` (Outbox(first_seq=...)), so the reconnecting
side's Inbox simply continues and it resends everything pending.
"""

NEW = "new"
DUP = "dup"
GAP = "gap"


class OutboxFull(Exception):
    """More than `limit` frames are waiting for an acknowledgement."""


class Outbox:
    """Reliable frames sent but not yet acknowledged, oldest first.

    `limit` counts frames; `max_bytes` (None: no byte budget) bounds the sizes
    the owner reports with `charge(n)` after pushing a frame (the server
    charges each frame's encoded length)."""

    def __init__(self, limit=10000, first_seq=1, max_bytes=None):
        self.limit = limit
        self.max_bytes = max_bytes
        self.bytes = 0
        self.next_seq = first_seq
        self.acked = first_seq - 1
        self._frames = []
        self._sizes = []

    def push(self, frame):
        """Stamp `frame["seq"]` (mutates and returns it) and keep it for resend."""
        if len(self._frames) >= self.limit:
            raise OutboxFull("more than " + str(self.limit) + " frames are unacknowledged")
        frame["seq"] = self.next_seq
        self.next_seq += 1
        self._frames.append(frame)
        self._sizes.append(0)
        return frame

    def charge(self, n):
        """Count `n` bytes for the frame pushed last; OutboxFull when the unacknowledged bytes
        are then over `max_bytes` (the frame stays queued: the owner decides what to drop)."""
        if self._sizes:
            self._sizes[-1] += n
            self.bytes += n
        if self.max_bytes is not None and self.bytes > self.max_bytes:
            raise OutboxFull("more than " + str(self.max_bytes) + " bytes are unacknowledged")

    def ack(self, n):
        """The peer has every frame up to seq `n`: forget them. Returns how many were dropped."""
        if n is None or n <= self.acked:
            return 0
        if n >= self.next_seq:
            n = self.next_seq - 1
        self.acked = n
        i = 0
        while i < len(self._frames) and self._frames[i]["seq"] <= n:
            i += 1
        if i:
            self._frames = self._frames[i:]
            if self.max_bytes is not None or self.bytes:
                self.bytes -= sum(self._sizes[:i])
            self._sizes = self._sizes[i:]
        return i

    def pending(self):
        """Frames still unacknowledged, in seq order (resend them after a reconnect)."""
        return list(self._frames)

    def __len__(self):
        return len(self._frames)


class Inbox:
    """Which reliable frames from the peer have been applied."""

    def __init__(self, last=0):
        self.last = last

    def receive(self, seq):
        """NEW when `seq` is the next frame (and records it), DUP when seen, GAP when one is missing."""
        if seq <= self.last:
            return DUP
        if seq != self.last + 1:
            return GAP
        self.last = seq
        return NEW

    def resync(self, last):
        """Continue after `last` (a fresh peer told us what it had acknowledged)."""
        self.last = last

    def reset(self):
        """Forget the numbering (the peer restarted and counts from 1 again)."""
        self.last = 0


class Origins:
    """The last seq applied per sender epoch (receiver side; see the module docstring).

    `fresh(o)` is True when the frame stamped `o` = [epoch, seq] is new (and
    records it), False for one already applied; frames without `o` are fresh.
    `marks` is what a receiver saves to continue on its next page."""

    LIMIT = 64   # epochs remembered (a session has few senders; the oldest go first)

    def __init__(self, marks=None):
        self.marks = dict(marks or {})

    def fresh(self, o):
        if not isinstance(o, (list, tuple)) or len(o) != 2 or not isinstance(o[0], str):
            return True
        seq = o[1]
        if not isinstance(seq, int) or isinstance(seq, bool):
            return True
        if seq <= self.marks.get(o[0], 0):
            return False
        if o[0] not in self.marks and len(self.marks) >= self.LIMIT:
            del self.marks[next(iter(self.marks))]
        self.marks[o[0]] = seq
        return True
