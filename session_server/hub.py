"""The session hub: visitor tabs and agents of every session on this node.

One `Hub` per server process. The WebSocket endpoints (sockets.py) call
`on_text(sock, text)` for each message of a visitor or agent socket, in order,
and `socket_closed(sock)` after its last one; the hub
validates every frame against visitor_sdk.protocol, keeps one Outbox/Inbox
pair per participant (so a participant that reconnects within the window
gets what it missed and nothing twice) and moves everything that concerns
other participants through the backplane (local, or Redis for several
nodes). Participants outlive their sockets for `reconnect_window` seconds.
"""

import asyncio
import collections
import json
import logging
import re
import secrets
import time

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

from visitor_sdk import protocol as P
from visitor_sdk.reliability import DUP, GAP

from . import agent_frames as AF
from .action_checks import action_problem
from . import durable, metrics, tokens
from .backplane import BackplaneDown
from .agent_auth import AgentAuth
from .participants import LocalSession, fresh, reattach
from .doc_store import DocStore
from .guards import Guards
from .relay_checks import visitor_event_problem

log = logging.getLogger("session_server.hub")

GUEST_TTL = 600      # seconds a guest token (from addguestaccepted) may wait to be used
UPLOAD_TTL = 600     # seconds an upload ticket (in docsharerequest) stays valid
SERVER_ACTIONS = ("agentdownload",)   # agent_action names only the service sends (agents get `forbidden`)
GUEST_FRAMES = ("leave", "ack")       # what a guest may send after joining; anything else is `forbidden`
_BARE_ACK = re.compile(r'\{\s*"v"\s*:\s*1\s*,\s*"type"\s*:\s*"ack"\s*,\s*"seq"\s*:\s*0\s*,'
                       r'\s*"ack"\s*:\s*(0|[1-9][0-9]{0,14})\s*\}\Z').match


class Hub:
    """Every session this node serves: visitor tabs, agents, and the backplane between nodes."""

    def __init__(self, settings, backplane):
        self.settings = settings
        self.bp = backplane
        self.sessions = {}   # sid -> LocalSession
        self.window = settings.reconnect_window
        self.stats = {"relayed": 0, "errors": 0}
        self.docs = DocStore()
        self.used_guests = collections.OrderedDict()   # guest ids whose token was used on this node
        self.auth = AgentAuth()                        # agent sign-in: passwords (off the loop), login keys
        self.limits = settings.limits
        self.guards = Guards(self.limits)   # rate limits and per-address budgets (guards.py)
        self.durable = getattr(backplane, "durable", False)   # participants' queues in Redis (durable.py)
        self.loading = {}                                    # (sid, rl, pid) -> frames that came while attaching
        if self.durable:
            backplane.on_resubscribed = lambda: durable.close_all(self)
            backplane.on_orphans = lambda dead, parts: durable.orphans(self, dead, parts)
            self.docs.shared = backplane
        self._warn_open_groups()

    def _warn_open_groups(self):
        for g in self.settings.groups.values():
            if g.site_origins is None:
                log.warning("group %d has no site_origins: visitor sockets from any page are accepted "
                            "(docs/groups.md)", g.groupid)

    # ------------------------------------------------------- limits (guards.py)
    def open_socket(self, addr):
        """A WebSocket upgrade from `addr`: False when the address has too many open."""
        return self.guards.open_socket(addr)

    def close_socket(self, addr):
        self.guards.close_socket(addr)

    def has_agents(self, sid):
        """True when an agent is in the session (its visitor sockets get the live rate budget)."""
        s = self.sessions.get(sid)
        return s is not None and s.n_agents > 0

    def _tab_budget(self, s):
        L = self.limits
        return L.visitor_outbox_bytes if s.n_agents else L.visitor_outbox_alone_bytes

    def _limited(self, conn, wait, what, msg):
        """Answer a hit rate limit: fatal `rate_limited` with `retry_after` seconds."""
        self.stats["errors"] += 1
        f = P.error_frame("rate_limited", "%s: try again in %d s" % (what, int(wait) + 1),
                          ref_type=msg.get("type"), ref_seq=msg.get("seq"))
        f["retry_after"] = int(wait) + 1
        conn.send(f)
        conn.close_soon()

    async def sign_in(self, group, username, password, addr, loginkey=None, expired_ok=False, proven=False):
        """Check an agent's credentials (a password, or a login key) under the sign-in limits:
        (profile or None, (code, reason) of a refusal or None, seconds locked or 0).
        `proven`: the agent also holds a valid resume token of this username (it signed in before):
        a lock-out that others caused by failing on its username does not keep it out."""
        who = username or ""   # a login key names its agent inside: it is limited by address
        wait = 0 if proven else self.guards.signin_wait(group.groupid, who, addr)
        if wait:
            return None, None, wait
        profile, err = await self.auth.sign_in(group, username, password, loginkey, expired_ok=expired_ok)
        self.guards.signin_result(group.groupid, who, addr, profile is not None)
        return profile, err, 0

    # ------------------------------------------------------------------ helpers
    def _token(self, data):
        return tokens.sign(self.settings.secret, data)

    def _untoken(self, text):
        return tokens.verify(self.settings.secret, text) if text else None

    async def _local(self, sid, meta):
        s = self.sessions.get(sid)
        if s is None:
            s = LocalSession(sid, meta)
            self.sessions[sid] = s
            s.focus = await self.bp.get_focus(sid)
            await self.bp.subscribe(sid, lambda ev, sid=sid: self._on_event(sid, ev))
        return s

    async def _forget_if_empty(self, s):
        if not s.tabs and not s.agents and self.sessions.get(s.sid) is s:
            self.guards.release(s)
            del self.sessions[s.sid]
            await self.bp.unsubscribe(s.sid)

    def _fail(self, conn, code, msg, msg_in=None):
        self.stats["errors"] += 1
        if code == "over_budget":
            metrics.count("frames_dropped_by_budget")
        ref_type = msg_in.get("type") if isinstance(msg_in, dict) and isinstance(msg_in.get("type"), str) else None
        ref_seq = msg_in.get("seq") if isinstance(msg_in, dict) and isinstance(msg_in.get("seq"), int) else None
        f = P.error_frame(code, msg, ref_type=ref_type, ref_seq=ref_seq)
        conn.send(f)
        if f["fatal"]:
            conn.close_soon()
        return f["fatal"]

    # ------------------------------------------------------------- bus events
    def _on_event(self, sid, ev):
        s = self.sessions.get(sid)
        if s is None:
            return
        t = ev["t"]
        if t == "frame":     # durable backplane: a numbered frame for one participant of this node
            durable.on_frame(self, s, ev)
            return
        if t == "moved":
            durable.on_moved(self, s, ev)
            return
        if s.ended:
            return
        if t == "action":
            tab = s.tabs.get(s.focus)
            if tab is not None:
                self.stats["relayed"] += 1
                tab.deliver(dict(ev["frame"]))
        elif t == "event":
            for a in s.agents.values():
                self.stats["relayed"] += 1
                a.deliver(dict(ev["frame"]))
        elif t == "agents":
            s.n_agents = ev["payload"].get("count", 0)
            for tab in s.tabs.values():
                tab.outbox.max_bytes = self._tab_budget(s)
            for p in list(s.tabs.values()) + list(s.agents.values()):
                p.deliver(P.frame("agents", 0, **ev["payload"]))
        elif t == "state":
            for p in list(s.tabs.values()) + list(s.agents.values()):
                p.deliver(P.frame("state", 0, state=ev["state"]))
        elif t == "presence":
            for a in s.agents.values():
                a.deliver(P.frame("presence", 0, status=ev["status"], tabs=ev["tabs"]))
        elif t == "focus":
            s.focus = ev["tab"]
            for tab in s.tabs.values():
                if tab.pid == s.focus and not tab.focused:
                    tab.focused = True
                    tab.deliver(P.frame("focus", 0))
                elif tab.pid != s.focus and tab.focused:
                    tab.focused = False
                    tab.deliver(P.frame("blur", 0))
        elif t == "end":
            s.ended = True
            self.guards.release(s)
            self.docs.drop_session(sid)
            for p in list(s.tabs.values()) + list(s.agents.values()):
                p.deliver(P.frame("end", 0, reason=ev["reason"], msg=ev.get("msg") or ""))
                if p.timer:
                    p.timer.cancel()
                if p.conn:
                    p.conn.close_soon()
            self.sessions.pop(sid, None)
            asyncio.create_task(self.bp.unsubscribe(sid))

    async def end_session(self, sid, reason, msg=""):
        """End the session for everyone (any node); idempotent."""
        if await self.bp.end_session(sid):
            await self.bp.publish(sid, {"t": "end", "reason": reason, "msg": msg})
        elif not self.durable:   # durable: the `end` frames are queued for everyone already
            s = self.sessions.get(sid)
            if s is not None and not s.ended:
                self._on_event(sid, {"t": "end", "reason": reason, "msg": msg})

    async def _publish_agents(self, sid):
        await self.bp.publish(sid, {"t": "agents", "payload": AF.agents_payload(await self.bp.agents(sid))})

    async def _presence(self, sid):
        tabs = await self.bp.tabs(sid)
        n = sum(1 for v in tabs.values() if v)
        await self.bp.publish(sid, {"t": "presence", "status": "connected" if n else ("reconnecting" if tabs else "gone"),
                                    "tabs": n})

    def _sender(self, part, msg):
        """What a durable backplane stores as applied with the frame it relays for `part`."""
        part.stored = msg["seq"]
        return (part.rl + part.pid, msg["seq"])

    async def _deliver(self, part, frames):
        """Queue reliable frames for one participant (with a durable backplane, through Redis)."""
        if self.durable:
            await durable.deliver(self, part, frames)
        else:
            for f in frames:
                part.deliver(f)

    # --------------------------------------------------------------- sockets
    async def on_text(self, conn, text):
        """One message from a socket (peer.Peer; `conn.role` is "visitor" or "agent"; text None
        for a binary message): decode, check against the schema, route. Bad frames get an error frame."""
        part = conn.part
        if part is not None and text is not None and len(text) < 80 and part.conn is conn:
            m = _BARE_ACK(text)   # the commonest frame, in its canonical form: what the full path would do
            if m is not None and part.sid in self.sessions:
                part.outbox.ack(int(m.group(1)))
                if self.durable:
                    self.bp.acked(part.sid, part.rl, part.pid, int(m.group(1)))
                return
        try:
            msg = self._decode(conn, text)
            if msg is not None:
                await self._route(conn, msg)
        except BackplaneDown as exc:   # nothing of this frame was stored or acknowledged: the peer resends it
            log.warning("backplane unavailable (%s): closing a %s socket", exc, conn.role)
            conn.close_soon()
        except Exception:
            log.exception("%s socket failed", conn.role)
            try:
                self._fail(conn, "service", "internal error")
            except Exception:
                pass

    def _decode(self, conn, text):
        if text is None:
            self._fail(conn, "bad_frame", "frames must be JSON text, not binary")
            return None
        if len(text) > P.MAX_FRAME_BYTES // 4 and len(text.encode("utf-8")) > P.MAX_FRAME_BYTES:
            self._fail(conn, "too_large", "frame of %d bytes exceeds the %d byte limit"
                       % (len(text.encode("utf-8")), P.MAX_FRAME_BYTES))
            return None
        try:
            msg = json.loads(text)
        except ValueError as exc:
            self._fail(conn, "bad_frame", "not valid JSON: " + str(exc)[:120])
            return None
        code, err = P.check(msg, conn.role)
        if code is not None:
            self._fail(conn, code, err, msg)   # bad_group / bad_key on hello or join are fatal
            return None
        cap = self.guards.frame_cap(msg["type"], conn.part is None)
        if len(text) > cap and len(text.encode("utf-8")) > cap:
            self._fail(conn, "too_large", "%s frame of %d bytes exceeds its %d byte limit"
                       % (msg["type"], len(text.encode("utf-8")), cap), msg)
            return None
        return msg

    async def _route(self, conn, msg):
        t = msg["type"]
        part = conn.part
        if "ack" in msg and part is not None:
            part.outbox.ack(msg["ack"])
            if self.durable and part.conn is conn:
                self.bp.acked(part.sid, part.rl, part.pid, msg["ack"])
        if t == "ping":
            conn.send(P.frame("pong", 0, t=msg.get("t", 0)))
            return
        if t == "pong":
            return
        if part is None:
            if t not in ("hello", "join"):
                self._fail(conn, "out_of_order", "send %s first" % ("hello" if conn.role == "visitor" else "join"), msg)
                return
            on_hello = self._visitor_hello if conn.role == "visitor" else self._agent_join
            conn.part = await on_hello(conn, msg)
            if conn.part is None:
                conn.close_soon()
            else:
                conn.attached()
            return
        if t in ("hello", "join"):
            self._fail(conn, "out_of_order", t + " was already sent on this socket", msg)
            return
        if part.conn is not conn or self.sessions.get(part.sid) is None:
            self._fail(conn, "out_of_order", "the session is over on this socket", msg)
            return
        if t == "ack":
            return
        r = part.inbox.receive(msg["seq"])
        if r == DUP:
            conn.ack(part.inbox.last)
            return
        if r == GAP:
            self._fail(conn, "out_of_order", "seq %d after %d: a frame is missing; resend from %d"
                       % (msg["seq"], part.inbox.last, part.inbox.last + 1), msg)
            return
        handler = self._visitor_frame if conn.role == "visitor" else self._agent_frame
        if not self.durable:
            conn.ack(part.inbox.last)
            await handler(part, msg)
            return
        try:   # durable: acknowledged only once Redis has it (relayed, or stored as applied)
            await handler(part, msg)
            if part.stored != msg["seq"]:
                await self.bp.applied(part.sid, part.rl, part.pid, msg["seq"])
        except Exception:   # not stored: the frame counts as not received (the peer resends it)
            part.inbox.last = msg["seq"] - 1
            raise
        conn.ack(part.inbox.last)

    async def socket_closed(self, conn):
        """The socket is gone (after its last message was handled)."""
        conn.closed = True
        part = conn.part
        if part is not None and part.conn is conn:
            part.conn = None
            try:
                await (self._visitor_closed if conn.role == "visitor" else self._agent_closed)(part)
            except BackplaneDown as exc:   # its node keeps the copy; the peer reattaches when Redis is back
                log.warning("backplane unavailable (%s) when a %s socket closed", exc, conn.role)

    # --------------------------------------------------------------- visitors
    async def _visitor_hello(self, conn, msg):
        group = self.settings.groups.get(msg["group"])
        if group is None:
            self._fail(conn, "bad_group", "group %d is not configured on this service" % msg["group"], msg)
            return None
        if not group.site_allowed(conn.origin):   # before anything is stored (docs/groups.md, site_origins)
            self._fail(conn, "bad_origin", "pages of %s may not start sessions in this group"
                       % (conn.origin or "")[:100], msg)
            return None
        key, tab_id = msg["key"], msg["tab"]
        resumed = False
        if msg.get("resume"):
            tok = self._untoken(msg["resume"])
            if not tok or tok.get("r") != "v" or tok.get("g") != msg["group"] or tok.get("k") != key:
                metrics.count("resumes", role="visitor", outcome="bad_token")
                self._fail(conn, "conndrop", "the resume token is not valid for this group and key", msg)
                return None
            sid = tok["s"]
            meta = await self.bp.get_session(sid)
            if meta is None:
                if await self.bp.is_ended(sid):
                    metrics.count("resumes", role="visitor", outcome="ended")
                    self._fail(conn, "conndrop", "the session has ended", msg)
                    return None
                # a restarted (or other) node: take the session back from the token
                if await self.bp.claim_key(msg["group"], key, sid, group.allow_duplicate_keys):
                    metrics.count("resumes", role="visitor", outcome="key_taken")
                    self._fail(conn, "conndrop", "the session key was taken by another session", msg)
                    return None
                meta = {"session": sid, "group": msg["group"], "key": key, "visitor": msg.get("visitor") or {},
                        "created": tok.get("t", time.time())}
                await self.bp.put_session(sid, meta)
            resumed = True
        else:
            wait = self.guards.start_wait(conn.addr)
            if wait:
                self._limited(conn, wait, "too many new sessions from this address", msg)
                return None
            sid = secrets.token_urlsafe(12)
            other = await self.bp.claim_key(msg["group"], key, sid, group.allow_duplicate_keys)
            if other:
                self.guards.dupkey(conn.addr)
                self._fail(conn, "dupkey", "a session with this key is already running", msg)
                return None
            meta = {"session": sid, "group": msg["group"], "key": key, "visitor": msg.get("visitor") or {},
                    "created": time.time()}
            await self.bp.put_session(sid, meta)
        s = await self._local(sid, meta)
        if s.addr is None:
            s.addr = conn.addr
        known_tabs = await self.bp.tabs(sid)
        if self.durable:   # any node takes the tab over from Redis (durable.py)
            s.focus = await self.bp.get_focus(sid)
            tab, exact = await durable.attach(self, s, "t", tab_id, msg, self._tab_budget(s))
            tab.expire = lambda tab=tab: asyncio.get_running_loop().create_task(self._tab_expired(tab))
        else:
            tab = s.tabs.get(tab_id)
            exact = tab is not None and not tab.overflow
            if exact:
                reattach(tab, msg, "this tab")
            else:
                if tab is not None and tab.timer:
                    tab.timer.cancel()
                tab = fresh(sid, tab_id, msg, self.limits.outbox_frames, self._tab_budget(s))
                tab.expire = lambda tab=tab: asyncio.get_running_loop().create_task(self._tab_expired(tab))
                s.tabs[tab_id] = tab
        if resumed:   # exact: the tab's streams were kept (this node or Redis); rebuilt: new streams
            metrics.count("resumes", role="visitor", outcome="resumed" if exact else "rebuilt")
        tab.page = msg.get("page")
        await self.bp.set_tab(sid, tab_id, True)
        take_focus = tab_id not in known_tabs or s.focus is None
        if take_focus:
            await self.bp.set_focus(sid, tab_id)
            s.focus = tab_id
        tab.focused = s.focus == tab_id
        tab.conn = conn   # from here on, frames for the tab go out (queued before: sent after `started`)
        conn.attached()   # the peer answers `started` at once: its frames get the attached socket's limits
        conn.send(P.frame("started", 0, session=sid, group=msg["group"], key=key, tab=tab_id, focused=tab.focused,
                          resume=self._token({"r": "v", "s": sid, "g": msg["group"], "k": key, "t": meta["created"]}),
                          resumed=resumed, exact=exact, ack=tab.inbox.last, window=self.window))
        for f in tab.outbox.pending():
            conn.send(f)
        agents = AF.agents_payload(await self.bp.agents(sid))
        s.n_agents = agents["count"]   # the visitor socket's budgets depend on it (limits.py: live or alone)
        tab.outbox.max_bytes = self._tab_budget(s)
        await self._deliver(tab, [P.frame("agents", 0, **agents), P.frame("state", 0, state=await self.bp.get_state(sid))])
        if take_focus:
            await self.bp.publish(sid, {"t": "focus", "tab": tab_id})
        await self._presence(sid)
        return tab

    async def _visitor_frame(self, tab, msg):
        t = msg["type"]
        sid = tab.sid
        if t == "visitor_event":
            if self.durable and msg["name"] == "visitordocument":
                await self.docs.ensure_url(msg.get("payload"))   # it may have been uploaded through another node
            problem = visitor_event_problem(self.docs, sid, msg["name"], msg.get("payload"))
            if problem:   # dropped, never relayed (relay_checks.py)
                self._fail(tab.conn, "bad_frame", problem, msg)
                return
            if msg.get("state") and not await self._state_ok(tab, msg):
                return
            if msg.get("state"):
                await self.bp.publish(sid, {"t": "state", "state": await self.bp.merge_state(sid, msg["state"])})
            payload = msg.get("payload")
            if msg["name"] == "addguestaccepted":
                payload = await self._admit_guest(tab, payload)
            f = P.frame("visitor_event", 0, name=msg["name"], payload=payload, tab=tab.pid)
            if msg.get("ref") is not None:
                f["ref"] = msg["ref"]
            if tab.epoch:   # receivers drop it if the tab sends it again after a restart of the service
                f["o"] = [tab.epoch, msg["seq"]]
            if await self.bp.agent_count(sid):
                await self.bp.publish(sid, {"t": "event", "frame": f}, sender=self._sender(tab, msg))
            else:   # no agent right now (e.g. agents rejoining after a server restart)
                s = self.sessions.get(sid)
                problem = self.guards.park(s, len(_dumps(f))) if s is not None else None
                if problem:
                    self._fail(tab.conn, "over_budget", problem + ": the event was dropped", msg)
                    return
                await self.bp.park(sid, f)
        elif t == "focus":
            await self.bp.set_focus(sid, tab.pid)
            await self.bp.publish(sid, {"t": "focus", "tab": tab.pid})
        elif t == "end":
            await self.end_session(sid, "visitor", msg.get("msg") or "the visitor ended the session")

    async def _admit_guest(self, tab, payload):
        """The visitor accepted a guest: add a one-time guest token to what the agents get.

        The agent hands `payload.guest.token` to the guest, who joins through
        /ws/agent with `join.guest` (docs/protocol.md, Guests).
        """
        payload = dict(payload) if isinstance(payload, dict) else {}
        meta = await self.bp.get_session(tab.sid)
        if meta is None:
            return payload
        name = payload.get("name")
        name = name.strip()[:40] if isinstance(name, str) and name.strip() else "Guest"
        gid = 1000000000 + secrets.randbelow(1000000000)
        payload["name"] = name
        payload["guest"] = {"guestid": gid, "name": name, "expires": int(time.time() + GUEST_TTL),
                            "token": self._token({"r": "g", "s": tab.sid, "g": meta["group"], "k": meta["key"],
                                                  "i": gid, "n": name, "x": int(time.time() + GUEST_TTL)})}
        return payload

    async def _state_ok(self, part, msg):
        """A state patch within the session's budgets (size, changes per second)? Else over_budget."""
        s = self.sessions.get(part.sid)
        if s is None:
            return False
        current = await self.bp.get_state(part.sid)
        merged = dict(current)
        merged.update(msg["state"])
        problem = self.guards.state(s, len(_dumps(merged)))
        if problem:
            self._fail(part.conn, "over_budget", problem + ": the frame was dropped", msg)
            return False
        return True

    async def _visitor_closed(self, tab):
        s = self.sessions.get(tab.sid)
        if s is None or s.ended:
            return
        if self.durable and not await self.bp.mine(tab.sid, "t", tab.pid, tab.gen):
            return   # it reattached on another node meanwhile
        if tab.overflow:
            await self._tab_expired(tab)
            return
        await self.bp.set_tab(tab.sid, tab.pid, False)
        await self._presence(tab.sid)
        loop = asyncio.get_running_loop()
        tab.timer = loop.call_later(self.window, lambda: asyncio.create_task(self._tab_expired(tab)))

    async def _tab_expired(self, tab):
        s = self.sessions.get(tab.sid)
        if tab.timer:
            tab.timer.cancel()
        tab.timer = None
        if s is None or s.ended or tab.conn is not None or s.tabs.get(tab.pid) is not tab:
            return
        if self.durable and not await self.bp.drop(tab.sid, "t", tab.pid, tab.gen):
            if s.tabs.get(tab.pid) is tab:   # another node holds it now: only this node's copy goes
                del s.tabs[tab.pid]
            await self._forget_if_empty(s)
            return
        if s.tabs.get(tab.pid) is not tab or tab.conn is not None:
            return
        del s.tabs[tab.pid]
        tabs = await self.bp.set_tab(tab.sid, tab.pid, None)
        if not tabs:
            await self.end_session(tab.sid, "error", "the visitor did not reconnect within %g s" % self.window)
            return
        if s.focus == tab.pid:
            nxt = next((t for t, up in tabs.items() if up), next(iter(tabs)))
            await self.bp.set_focus(tab.sid, nxt)
            await self.bp.publish(tab.sid, {"t": "focus", "tab": nxt})
        await self._presence(tab.sid)
        await self._forget_if_empty(s)

    # ----------------------------------------------------------------- agents
    async def _agent_join(self, conn, msg):
        group = self.settings.groups.get(msg["group"])
        if group is None:
            self._fail(conn, "bad_group", "group %d is not configured on this service" % msg["group"], msg)
            return None
        guest = None
        creds = [k for k in ("password", "loginkey", "guest") if msg.get(k)]   # "" counts as absent
        if len(creds) != 1 or (creds[0] == "password" and not msg.get("username")):
            got = " (got " + " and ".join(creds) + ")" if len(creds) > 1 else ""
            self._fail(conn, "unauthorized", "join needs exactly one of: a username and password, a loginkey, "
                       "a guest token" + got, msg)
            return None
        if creds[0] == "guest":
            wait = self.guards.signin.retry_after(("a", conn.addr))   # bad guest tokens count as failed sign-ins
            if wait:
                self._limited(conn, wait, "too many failed sign-ins from this address", msg)
                return None
            guest = self._untoken(msg["guest"])
            if (not guest or guest.get("r") != "g" or guest.get("g") != msg["group"] or guest.get("k") != msg["key"]
                    or (guest.get("x", 0) < time.time() and not msg.get("resume"))):
                self.guards.signin.fail(("a", conn.addr))
                self._fail(conn, "unauthorized", "the guest token is not valid for this session (or it expired)", msg)
                return None
            profile = {"username": msg.get("username") or "guest", "partneruserid": "", "name": guest["n"]}
        else:
            rt = self._untoken(msg.get("resume"))
            proven = bool(msg.get("username") and rt and rt.get("r") == "a" and rt.get("g") == msg["group"]
                          and rt.get("u") == msg["username"])
            # an expired login key still rejoins a session its resume token names (checked below)
            profile, err, wait = await self.sign_in(group, msg.get("username") or None, msg.get("password"), conn.addr,
                                                    msg.get("loginkey") or None, expired_ok=bool(msg.get("resume")),
                                                    proven=proven)
            if wait:
                self._limited(conn, wait, "too many failed sign-ins for this agent or address", msg)
                return None
            if profile is None:
                self._fail(conn, err[0], err[1], msg)
                return None
        wait = self.guards.join_wait(msg["group"], profile["username"], conn.addr)
        if wait:
            self._limited(conn, wait, "too many joins by a key that is not live, for this agent or address", msg)
            return None
        sid = await self.bp.find_key(msg["group"], msg["key"])
        meta = await self.bp.get_session(sid) if sid else None
        if meta is None or meta["group"] != msg["group"] or (guest is not None and guest["s"] != sid):
            self.guards.join_failed(msg["group"], profile["username"], conn.addr)
            self._fail(conn, "nosession", "no live session with key %s in group %d" % (msg["key"], msg["group"]), msg)
            return None
        tok = self._untoken(msg.get("resume"))
        if msg.get("resume") and (not tok or tok.get("r") != "a" or tok.get("g") != msg["group"]
                                  or tok.get("u") != profile["username"]
                                  or tok.get("q") != (guest["i"] if guest is not None else None)):
            metrics.count("resumes", role="agent", outcome="bad_token")
            self._fail(conn, "unauthorized", "the agent resume token is not valid for this agent and group", msg)
            return None
        if msg.get("loginkey") and tok and tok.get("s") != sid and self.auth.check_login_key(
                group, msg["loginkey"])[0] is None:
            self._fail(conn, "loginkey_expired", "the login key expired; it only rejoins the session it joined", msg)
            return None
        s = await self._local(sid, meta)
        agent = None
        if tok and tok.get("s") == sid:
            aid, num = tok["a"], tok["n"]
            agent = s.agents.get(aid)
        elif guest is not None:
            # A guest token admits one guest once: not while that guest is in the session, not again after.
            seated = any(e.get("role") == "guest" and e.get("guestid") == guest["i"] for e in await self.bp.agents(sid))
            if seated or guest["i"] in self.used_guests or (
                    self.durable and not await self.bp.use_once("g%d" % guest["i"], GUEST_TTL * 2)):
                self._fail(conn, "unauthorized", "this guest token was already used", msg)
                return None
            self.used_guests[guest["i"]] = True
            while len(self.used_guests) > 100000:
                self.used_guests.popitem(last=False)
            aid, num = "g" + str(guest["i"]), await self.bp.next_num(sid)
        else:
            aid, num = secrets.token_urlsafe(9), await self.bp.next_num(sid)
        exact = agent is not None and not agent.overflow
        if self.durable:   # any node takes the agent over from Redis (durable.py)
            agent, exact = await durable.attach(self, s, "a", aid, msg, self.limits.agent_outbox_bytes,
                                                self._agent_info(profile, guest, num))
            agent.expire = lambda agent=agent: asyncio.get_running_loop().create_task(self._remove_agent(agent))
        elif exact:
            reattach(agent, msg, "this agent")
        else:
            if agent is not None and agent.timer:
                agent.timer.cancel()
            agent = fresh(sid, aid, msg, self.limits.outbox_frames, self.limits.agent_outbox_bytes)
            agent.expire = lambda agent=agent: asyncio.get_running_loop().create_task(self._remove_agent(agent))
            agent.info = self._agent_info(profile, guest, num)
            s.agents[aid] = agent
        if tok and tok.get("s") == sid:   # a resume: exact (streams kept) or rebuilt
            metrics.count("resumes", role="agent", outcome="resumed" if exact else "rebuilt")
        agent.conn = conn
        conn.attached()   # the peer answers `joined` at once: its frames get the attached socket's limits
        conn.send(P.frame("joined", 0, session=sid, group=msg["group"], key=msg["key"], num=num,
                          visitor=meta.get("visitor") or {}, exact=exact, ack=agent.inbox.last, window=self.window,
                          resume=self._token({"r": "a", "s": sid, "g": msg["group"], "u": profile["username"],
                                              "a": aid, "n": num,
                                              "q": guest["i"] if guest is not None else None})))
        for f in agent.outbox.pending():
            conn.send(f)
        await self._deliver(agent, [P.frame("state", 0, state=await self.bp.get_state(sid))])
        await self.bp.set_agent(sid, aid, agent.info["entry"])
        self.guards.unparked(s)
        if self.durable:
            await self.bp.unpark_to(sid, aid)
        else:
            for f in await self.bp.unpark(sid):
                agent.deliver(f)
        await self._publish_agents(sid)
        await self._presence(sid)
        return agent

    def _agent_info(self, profile, guest, num):
        """A new seat: its entry in `agents` (the seed's agent or guest entry), role and the `agent` ref."""
        if guest is not None:   # the seed's guest entry: role, name, guestid, num
            entry = {"role": "guest", "name": guest["n"], "guestid": guest["i"], "num": num}
        else:
            entry = AF.agent_entry(profile["username"], profile["partnerid"], profile["partneruserid"],
                                   profile["name"], profile["title"], "agent", 1000000 + secrets.randbelow(9000000),
                                   num, profile["agentrole"])
        return {"entry": entry, "role": "guest" if guest is not None else "agent",
                "ref": {"username": profile["username"], "puid": profile["partneruserid"], "num": num}}

    async def _agent_frame(self, agent, msg):
        t = msg["type"]
        sid = agent.sid
        if agent.info.get("role") == "guest" and t not in GUEST_FRAMES:
            self._fail(agent.conn, "forbidden", "a guest may only watch the session (and leave), not send " + t, msg)
            return
        if t == "agent_action":
            if msg["name"] in SERVER_ACTIONS:
                self._fail(agent.conn, "forbidden", "agent_action %s is sent by the service only" % msg["name"], msg)
                return
            problem = action_problem(msg)   # the agent action catalogue (action_checks.py)
            if problem is not None:
                self._fail(agent.conn, "bad_frame", problem, msg)
                return
            if msg.get("state") and not await self._state_ok(agent, msg):
                return
            if msg.get("state"):
                await self.bp.publish(sid, {"t": "state", "state": await self.bp.merge_state(sid, msg["state"])})
            payload = msg.get("payload")
            if msg["name"] == "docsharerequest":
                payload = self._upload_ticket(sid, payload)
            f = P.frame("agent_action", 0, name=msg["name"], payload=payload, agent=agent.info["ref"])
            if msg.get("id") is not None:
                f["id"] = msg["id"]
            if agent.epoch:
                f["o"] = [agent.epoch, msg["seq"]]
            await self.bp.publish(sid, {"t": "action", "frame": f}, sender=self._sender(agent, msg))
        elif t == "leave":
            await self._remove_agent(agent)
            if agent.conn:
                agent.conn.close_soon()
        elif t == "end":
            await self.end_session(sid, "agent", msg.get("msg") or "the agent ended the session")

    def _upload_ticket(self, sid, payload):
        """Add a one-time upload ticket to a docsharerequest: the visitor's only way to send a file
        (POST /api/docs?ticket=..., see doc_store.py)."""
        payload = dict(payload) if isinstance(payload, dict) else {}
        payload["upload"] = {"ticket": self._token({"r": "u", "s": sid, "i": secrets.token_urlsafe(9),
                                                    "x": int(time.time() + UPLOAD_TTL)}),
                             "path": "/api/docs", "max_bytes": self.docs.max_bytes}
        return payload

    async def send_to_visitor(self, sid, name, payload, agent_ref):
        """Deliver a service-made agent_action (e.g. agentdownload) to the visitor's focused tab."""
        await self.bp.publish(sid, {"t": "action", "frame": P.frame("agent_action", 0, name=name, payload=payload,
                                                                    agent=agent_ref)})

    async def _remove_agent(self, agent):
        s = self.sessions.get(agent.sid)
        if s is None or s.agents.get(agent.pid) is not agent:
            return
        del s.agents[agent.pid]
        if agent.timer:
            agent.timer.cancel()
        if self.durable and not await self.bp.drop(agent.sid, "a", agent.pid, agent.gen):
            await self._forget_if_empty(s)   # it reattached on another node: only this node's copy goes
            return
        await self.bp.set_agent(agent.sid, agent.pid, None)
        if not s.ended:
            await self._publish_agents(agent.sid)
        await self._forget_if_empty(s)

    async def _agent_closed(self, agent):
        s = self.sessions.get(agent.sid)
        if s is None or s.ended or s.agents.get(agent.pid) is not agent:
            return
        if agent.overflow:
            await self._remove_agent(agent)
            return
        loop = asyncio.get_running_loop()
        agent.timer = loop.call_later(self.window, lambda: asyncio.create_task(self._agent_expired(agent)))

    async def _agent_expired(self, agent):
        agent.timer = None
        if agent.conn is None:
            await self._remove_agent(agent)

    # ------------------------------------------------------------------ HTTP
    async def live_sessions(self, group):
        out = []
        for m in await self.bp.list_sessions(group):
            out.append({"session": m["session"], "key": m["key"], "visitor": m.get("visitor") or {},
                        "created": m.get("created"), "agents": m.get("agents", 0), "tabs": m.get("tabs", 0)})
        out.sort(key=lambda m: m["created"] or 0)
        return out
