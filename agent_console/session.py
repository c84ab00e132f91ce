"""The agent side of the session protocol, sans I/O: one agent seat in one session.

Pure Python (no browser, no asyncio), run by the agent console compiled with
Brython (agent_console/shell.py is its browser shell) and testable on CPython.
It is the visitor SDK's SessionClient (visitor_sdk/session_client.py) with
the agent's first frame (`join`, built by session_server/agent_frames.py)
and the agent's inbound frames (`joined`, `visitor_event`, `presence`):
sequencing, acks, resume after a reconnect, dedup across a restart of the
service (Origins) and the reconnect policy are the SessionClient's own code.

The shell calls `opened()`, `receive(frame)`, `closed(now)` and writes what
`data_to_send()` returns; `hooks` (the shell) hears about it:
  hooks.on_started(info)        joined for the first time ({resume, focused})
  hooks.on_connection(status)   "reconnecting" / "ok"
  hooks.on_error(code, msg)     a fatal refusal, or the connection is lost for good
  hooks.on_state(state)         the session state
  hooks.on_end(reason)          the session ended
  hooks.emit(name, payload)     the agents list changed ("agents")
  hooks.on_frame(frame)         every new reliable frame, after it was applied
  hooks.on_refused(frame)       a non-fatal error frame
"""

from session_server import agent_frames as AF
from visitor_sdk import protocol as P
from visitor_sdk.session_client import ReconnectPolicy, SessionClient

# Refusals that mean "not yet" while rejoining: a restarted service knows the
# session again only once the visitor has resumed it.
RETRY_WHILE_RECONNECTING = ("nosession", "service")

# Seat states (`status`): joining -> joined <-> reconnecting; then ended, left or failed.
OVER = ("ended", "left", "failed")


class AgentSessionClient(SessionClient):
    """One agent seat. `credentials` holds username + password, or loginkey, or guest (+ username)."""

    INBOUND = P.S2A

    def __init__(self, hooks, group, key, credentials, epoch, warn=None, policy=None):
        SessionClient.__init__(self, hooks, {"groupid": group, "key": key}, None, warn=warn,
                               policy=policy or ReconnectPolicy(first=0.1, factor=2.0, longest=1.0), epoch=epoch)
        self.hooks = hooks
        self.credentials = credentials
        self.num = None
        self.session_id = None
        self.visitor_info = {}
        self.agents = None
        self.state = {}
        self.presence = None
        self.end_reason = None
        self.status = "joining"
        self.actions = 0

    # --- outgoing ------------------------------------------------------------
    def hello(self):
        """The agent's first frame on every socket: `join`, with the resume token once joined."""
        c = self.credentials
        s = self.session
        return AF.join(s["groupid"], s["key"], c.get("username"), c.get("password"), resume=self.resume,
                       last_seq=self.inbox.last, acked=self.outbox.acked, guest=c.get("guest"), epoch=self.epoch,
                       loginkey=c.get("loginkey"))

    def action(self, name, payload=None, state=None):
        """Queue agent_action `name`; returns its seq. The visitor's answer carries ref = its id."""
        if self.status in OVER:
            raise ValueError("out_of_order: the session is over (" + self.status + ")")
        self.actions += 1
        return self.send("agent_action", **P.present(name=name, payload=payload, state=state,
                                                      id="a" + str(self.actions)))["seq"]

    def leave(self):
        """Leave the seat (the session goes on); the shell closes the socket after flushing."""
        if self.status in OVER:
            return False
        if self.live:
            self.send("leave")
        self.ended = True
        self.status = "left"
        return True

    def end(self):
        """End the session for everyone; `end` comes back from the service (on_end)."""
        if self.status in OVER:
            raise ValueError("out_of_order: the session is over (" + self.status + ")")
        self.send("end", reason="agent")

    # --- socket events ---------------------------------------------------------
    def closed(self, now):
        delay = SessionClient.closed(self, now)
        if delay is None:
            if self.status not in OVER:
                self.status = "failed"   # refused, never reached, or the reconnect window passed
        elif self.status == "joined":
            self.status = "reconnecting"
        return delay

    # --- incoming ----------------------------------------------------------------
    def _on_joined(self, msg):
        self.num = msg["num"]
        self.session_id = msg["session"]
        self.visitor_info = msg["visitor"]
        self.status = "joined"
        self._on_started(dict(msg, focused=True))

    def _on_agents(self, msg):
        self.agents = {"count": msg["count"], "agentlist": msg["agentlist"]}
        self.hooks.on_frame(msg)

    def _on_state(self, msg):
        self.state = msg["state"]
        self.hooks.on_state(msg["state"])
        self.hooks.on_frame(msg)

    def _on_presence(self, msg):
        self.presence = {"status": msg["status"], "tabs": msg["tabs"]}
        self.hooks.on_frame(msg)

    def _on_visitor_event(self, msg):
        self.hooks.on_frame(msg)

    def _on_end(self, msg):
        self.ended = True
        self.live = False
        self.end_reason = msg["reason"]
        self.status = "ended"
        self.hooks.on_frame(msg)
        self.hooks.on_end(msg["reason"])

    def _on_error(self, msg):
        if not msg["fatal"]:
            self.hooks.on_refused(msg)
            return
        if self.ever_started and self.down_since is not None and msg["code"] in RETRY_WHILE_RECONNECTING:
            return  # the service closes the socket; closed() schedules the next attempt
        self.ended = True
        self.live = False
        self.status = "failed"
        self.hooks.on_error(msg["code"], msg["msg"])
