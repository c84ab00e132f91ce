"""The visitor side of the session protocol, sans I/O.

Pure Python: the browser shell (connection.py) feeds it decoded frames with
`receive(frame)`, tells it about the socket with `opened()` / `closed(now)`,
and sends what `data_to_send()` returns. It drives the Visitor core's `on_*`
methods, keeps sequence numbers so that nothing is lost or applied twice
across reconnects and page loads (`saved()` / the `saved` argument), and
decides when to retry and when the connection is lost for good
(`ReconnectPolicy`). Agent actions go to handlers registered with
`on_action(name, fn)`.
"""

from . import protocol as P
from .reliability import GAP, NEW, Inbox, Origins, Outbox

# error frame code -> the `error` event code the page sees
ERROR_EVENT_CODES = {"dupkey": "dupkey", "conndrop": "conndrop"}


class ReconnectPolicy:
    """Back-off delays between reconnect attempts, bounded by a window in seconds."""

    def __init__(self, window=30.0, first=0.25, factor=2.0, longest=4.0):
        self.window = window
        self.first = first
        self.factor = factor
        self.longest = longest

    def delay(self, attempt):
        """Seconds to wait before attempt number `attempt` (0-based)."""
        d = self.first
        for _ in range(attempt):
            d = min(d * self.factor, self.longest)
        return d

    def next_retry(self, down_for, attempt):
        """Delay before the next attempt, or None when the window has passed."""
        if down_for >= self.window:
            return None
        return min(self.delay(attempt), max(0.05, self.window - down_for))


# What saved() returns for a tab with no streams yet (the first page of a session).
FRESH_STREAMS = {"resume": None, "last_seq": 0, "next_seq": 1, "acked": None, "pending": (), "epoch": None,
                 "origins": None}


class SessionClient:
    """One tab's conversation with the session service.

    `visitor` is the Visitor core; `session` its session dict; `tab` this
    tab's id; `saved` what `saved()` returned on the previous page of this
    tab (or None); `page` is {url, title}.
    """

    INBOUND = P.S2V   # the direction of the frames receive() accepts (the agent console's subclass: S2A)

    def __init__(self, visitor, session, tab, saved=None, page=None, warn=None, policy=None, epoch=None):
        # Every field present, so no dict.get() misses (in Brython each one raises a KeyError).
        saved = dict(FRESH_STREAMS, **saved) if saved else FRESH_STREAMS
        self.visitor = visitor
        self.session = session
        self.tab = tab
        self.page = page
        self.warn = warn or (lambda text: None)
        self.resume = saved["resume"] or (session["resume"] if "resume" in session else None)
        self.inbox = Inbox(saved["last_seq"])
        self.outbox = Outbox(first_seq=saved["next_seq"])
        self.outbox.acked = self.outbox.next_seq - 1 if saved["acked"] is None else saved["acked"]
        for f in saved["pending"]:
            self.outbox._frames.append(f)
        # `epoch` names this Outbox (a new one per fresh start; the shell makes it up)
        self.epoch = saved["epoch"] or epoch
        self.origins = Origins(saved["origins"])
        self.policy = policy or ReconnectPolicy()
        self.handlers = {}
        self.out = []
        self.live = False          # `started` received on the current socket
        self.greeted = False       # hello written on the current socket
        self.ever_started = False  # `started` received at least once in this page
        self.down_since = None
        self.attempt = 0
        self.ended = False

    # --- outgoing ------------------------------------------------------------
    def hello(self):
        """The first frame on every socket."""
        s = self.session
        visitor = {}
        for k in ("name", "email", "phone"):
            if s.get("options", {}).get(k):
                visitor[k] = s["options"][k]
        return P.hello(s["groupid"], s["key"], self.tab, visitor=visitor or None, page=self.page,
                       resume=self.resume, last_seq=self.inbox.last, acked=self.outbox.acked, epoch=self.epoch)

    def send(self, type_, **fields):
        """Queue a reliable frame (kept until acknowledged; resent after a reconnect)."""
        frame = self.outbox.push(P.frame(type_, 0, **fields))
        if self.live:
            self.out.append(frame)
        return frame

    def send_event(self, name, payload=None, ref=None, state=None):
        """Tell the agents about a visitor event or answer (visitor_event frame)."""
        return self.send("visitor_event", **P.present(name=name, payload=payload, ref=ref, state=state))

    def ping(self, t):
        """Queue a keep-alive ping (the shell calls it every few seconds)."""
        self.out.append(P.frame("ping", 0, t=t))

    def data_to_send(self):
        """Frames to write to the socket now, in order (drains the queue)."""
        out, self.out = self.out, []
        return out

    def saved(self):
        """What the next page of this tab needs to continue the same streams."""
        return {"resume": self.resume, "last_seq": self.inbox.last, "acked": self.outbox.acked,
                "next_seq": self.outbox.next_seq, "pending": self.outbox.pending(), "epoch": self.epoch,
                "origins": self.origins.marks}

    # --- socket events ---------------------------------------------------------
    def opened(self):
        """The socket is open: say hello."""
        self.out = [self.hello()]
        self.greeted = True

    def closed(self, now):
        """The socket closed. Returns the delay before reconnecting, or None when
        the session is over (ended, refused, or the reconnect window passed)."""
        was_live = self.live
        self.live = False
        self.greeted = False
        if self.ended:
            return None
        if not self.ever_started and self.resume is None:
            self.ended = True
            self.visitor.on_error("service", "could not reach the cobrowse service")
            return None
        if self.down_since is None:
            self.down_since = now
            self.attempt = 0
            if was_live or self.ever_started:
                self.visitor.on_connection("reconnecting")
        delay = self.policy.next_retry(now - self.down_since, self.attempt)
        self.attempt += 1
        if delay is None:
            self.ended = True
            self.visitor.on_error("conndrop", "the connection to the cobrowse service dropped and could not be "
                                  "re-established within %g seconds" % self.policy.window)
            return None
        return delay

    def close(self, reason="visitor"):
        """The visitor ends the session: send `end` (the shell closes the socket after)."""
        if not self.ended:
            self.ended = True
            if self.greeted:  # after hello, even before `started`: the service frees the key at once
                self.out.append(self.outbox.push(P.frame("end", 0, reason="visitor")))

    # --- incoming ----------------------------------------------------------------
    def on_action(self, name, handler):
        """Route agent_action frames named `name` to handler(payload, frame)."""
        self.handlers[name] = handler

    def receive(self, msg):
        """Apply one decoded frame from the service; bad frames are dropped with a warning."""
        code, text = P.check(msg, self.INBOUND)
        if code is not None:
            self.warn("GLANCE: dropped a frame from the service (" + code + "): " + text)
            return
        type_ = msg["type"]
        if "ack" in msg and type_ != "started":
            self.outbox.ack(msg["ack"])
        if P.is_reliable(type_):
            verdict = self.inbox.receive(msg["seq"])
            if verdict != NEW:
                if verdict == GAP:
                    self.warn("GLANCE: a frame from the service is missing (seq %d after %d); waiting for the resend"
                              % (msg["seq"], self.inbox.last))
                self.out.append(P.frame("ack", 0, ack=self.inbox.last))
                return
            self.out.append(P.frame("ack", 0, ack=self.inbox.last))
            if not self.origins.fresh(msg.get("o")):
                return  # applied before the service restarted; its sender sent it again
        handler = getattr(self, "_on_" + type_, None)
        if handler is not None:
            handler(msg)

    def _on_started(self, msg):
        self.resume = msg["resume"]
        self.policy.window = msg["window"]
        if not msg["exact"]:
            # The service lost this tab's streams (restarted): it continues our numbering.
            self.inbox.resync(self.inbox.last)
        self.outbox.ack(msg["ack"])
        self.live = True
        reconnected = self.down_since is not None
        self.down_since = None
        self.attempt = 0
        self.out.extend(self.outbox.pending())
        first = not self.ever_started
        self.ever_started = True
        if first:
            self.visitor.on_started({"resume": self.resume, "focused": msg["focused"]})
        elif reconnected:
            self.visitor.on_connection("ok")

    def _on_agents(self, msg):
        self.visitor.emit("agents", {"count": msg["count"], "agentlist": msg["agentlist"]})

    def _on_state(self, msg):
        self.visitor.on_state(msg["state"])

    def _on_focus(self, msg):
        self.visitor.focused = True
        self.visitor.emit("focus")

    def _on_blur(self, msg):
        self.visitor.focused = False
        self.visitor.emit("blur")

    def _on_end(self, msg):
        self.ended = True
        self.live = False
        self.visitor.on_end(msg["reason"])

    def _on_error(self, msg):
        if not msg["fatal"]:
            self.warn("GLANCE: the service refused a frame (" + msg["code"] + "): " + msg["msg"])
            return
        self.ended = True
        self.live = False
        self.visitor.on_error(ERROR_EVENT_CODES.get(msg["code"], "service"), msg["msg"])

    def _on_ping(self, msg):
        self.out.append(P.frame("pong", 0, t=msg.get("t", 0)))

    def _on_agent_action(self, msg):
        handler = self.handlers.get(msg["name"])
        if handler is None and self.visitor.features_pending and self.visitor.defer_action(msg):
            return  # the feature that answers it is still loading
        if handler is None:
            self.warn("GLANCE: no handler for agent action " + repr(msg["name"]))
            return
        handler(msg.get("payload"), msg)
