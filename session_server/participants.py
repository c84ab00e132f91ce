"""What the hub keeps per socket and per participant, independent of sessions.

`Conn`: one WebSocket with an ordered writer task (acks ride on outgoing
frames or go out after ACK_DELAY). `Participant`: a visitor tab or an agent,
whose Outbox/Inbox outlive its sockets for the reconnect window.
`LocalSession`: this node's view of one session. `reattach` / `fresh` are
what a hello/join with a resume token does to a participant.
"""

import asyncio
import collections
import json

from visitor_sdk import protocol as P
from visitor_sdk.reliability import Inbox, Outbox, OutboxFull

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

ACK_DELAY = 0.5      # seconds an acknowledgement may wait for a frame to ride on
ACK_EVERY = 32       # ...or until this many frames are unacknowledged


class Conn:
    """One WebSocket with an ordered writer task; `send(frame)` never blocks.

    Acknowledgements ride on the next outgoing frame ("ack" field); without
    outgoing traffic a bare `ack` frame goes out after ACK_DELAY seconds or
    ACK_EVERY frames, whichever comes first.
    """

    def __init__(self, ws):
        self.ws = ws
        self.queue = collections.deque()
        self.wake = asyncio.Event()
        self.ack_due = 0
        self.ack_sent = 0
        self.ack_timer = None
        self.closing = False
        self.closed = False
        self.task = asyncio.create_task(self._writer())

    def send(self, frame):
        if not self.closed:
            self.queue.append(frame)
            self.wake.set()

    def ack(self, n):
        self.ack_due = n
        if n - self.ack_sent >= ACK_EVERY:
            self.wake.set()
        elif self.ack_timer is None:
            self.ack_timer = asyncio.get_running_loop().call_later(ACK_DELAY, self._ack_now)

    def _ack_now(self):
        self.ack_timer = None
        self.wake.set()

    def close_soon(self):
        """Flush what is queued, then close the socket."""
        self.closing = True
        self.wake.set()

    async def _writer(self):
        ws = self.ws
        try:
            while True:
                await self.wake.wait()
                self.wake.clear()
                while self.queue:
                    f = self.queue.popleft()
                    if self.ack_due > self.ack_sent:
                        self.ack_sent = f["ack"] = self.ack_due
                    await ws.send_text(_dumps(f))
                if self.ack_due > self.ack_sent:
                    self.ack_sent = self.ack_due
                    await ws.send_text(_dumps(P.frame("ack", 0, ack=self.ack_sent)))
                if self.closing:
                    self.closed = True
                    await ws.close()
                    return
        except Exception:
            self.closed = True
        finally:
            if self.ack_timer is not None:
                self.ack_timer.cancel()


class Participant:
    """A visitor tab or an agent: its streams survive reconnects."""

    def __init__(self, sid, pid, outbox, inbox):
        self.sid = sid
        self.pid = pid
        self.outbox = outbox
        self.inbox = inbox
        self.conn = None
        self.timer = None
        self.focused = False
        self.info = None   # agent: {"entry", "profile"}

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


def fresh(sid, pid, msg):
    """A participant this node has no streams for: continue the peer's numbering."""
    return Participant(sid, pid, Outbox(first_seq=msg.get("last_seq", 0) + 1), Inbox(msg.get("acked", 0)))


class LocalSession:
    """This node's view of one session: its local tabs and agents."""

    def __init__(self, sid, meta):
        self.sid = sid
        self.meta = meta
        self.tabs = {}
        self.agents = {}
        self.focus = None
        self.ended = False
