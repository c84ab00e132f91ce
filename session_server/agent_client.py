"""A Python agent for the session service (asyncio, `websockets` library).

Used by the tests, the benchmark and the agent console. Example::

    from session_server.agent_client import AgentClient

    async with AgentClient("http://127.0.0.1:8000", 72937, "1234",
                           "janet.glance.net", "demo-agent") as agent:
        print(agent.visitor, agent.agents)          # after join
        await agent.action("rcrequest")             # any agent action
        ev = await agent.next_event("rcaccepted")   # the visitor's answer
        await agent.end()                           # visitor gets sessionend {reason: 'agent'}

A CRM integration signs in with a login key instead of a password
(docs/agent-sign-in.md): `AgentClient.with_login_key(base_url, "1234", key)`.

`AgentClient.join()` raises `AgentError(code, msg)` when the service refuses
(unauthorized, nosession, bad_group, bad_key, loginkey_invalid,
loginkey_group, loginkey_expired). Frames are sequenced and
acknowledged (visitor_sdk.reliability): if the socket drops, the client
reconnects with its resume token for up to the server's reconnect window
and resends what the server had not acknowledged; actions sent while
disconnected are queued and delivered after the reconnect.
"""

import asyncio
import json
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request

import websockets

from visitor_sdk import agent_actions, doc_rules
from visitor_sdk import protocol as P
from visitor_sdk.reliability import NEW, Inbox, Origins, Outbox

from . import agent_frames as AF
from . import login_keys

log = logging.getLogger("session_server.agent_client")

# Agent action names the visitor SDK handles, with payloads and the visitor's answers: generated from the
# agent action catalogue (visitor_sdk/agent_actions.py; docs/protocol.md, "Agent actions and visitor answers",
# is the full table).
AGENT_ACTIONS = agent_actions.summaries()


def guest_token(event):
    """The one-time guest token in an addguestaccepted visitor_event (added by the service), or None."""
    payload = event.get("payload") if isinstance(event, dict) else None
    guest = payload.get("guest") if isinstance(payload, dict) else None
    return guest.get("token") if isinstance(guest, dict) else None


class AgentError(Exception):
    """The service refused the agent: `code` is a protocol error code."""

    def __init__(self, code, msg):
        Exception.__init__(self, code + ": " + msg)
        self.code = code
        self.msg = msg


def ws_url(base, path="/ws/agent"):
    """http(s)://host:port -> ws(s)://host:port/ws/agent."""
    if base.startswith("http"):
        base = "ws" + base[4:]
    return base.rstrip("/") + path


class AgentClient:
    """One agent in one session. Use `async with` or call join() / close()."""

    def __init__(self, base_url, group, key, username=None, password=None, reconnect=True, open_timeout=5.0,
                 guest=None, loginkey=None):
        self.base_url = base_url.rstrip("/")
        self.url = ws_url(base_url)
        self.guest = guest       # guest token: this client joins as a guest (see guest())
        self.group, self.key = group, key
        self.username, self.password = username, password
        self.loginkey = loginkey   # a login key minted by the group's CRM, instead of username + password
        self.reconnect = reconnect
        self.open_timeout = open_timeout
        self.outbox = Outbox()
        self.inbox = Inbox()
        self.epoch = secrets.token_urlsafe(9)   # names self.outbox: the service stamps our frames with it
        self.origins = Origins()                # visitor events already applied, per sender epoch
        self.resume = None
        self.window = 30.0
        self.session = None
        self.num = None
        self.visitor = {}
        self.agents = None       # last agents payload {count, agentlist}
        self.state = {}          # last session state
        self.presence = None     # last visitor presence status
        self.ended = None        # end reason once the session is over
        self.errors = []         # non-fatal error frames received
        self.frames = asyncio.Queue()   # every new reliable frame, in order
        self._events = []        # visitor_event frames not yet taken by next_event
        self._event_cond = asyncio.Condition()
        self._ws = None
        self._reader = None
        self._closing = False
        self._connected = asyncio.Event()

    @classmethod
    def with_login_key(cls, base_url, key, loginkey, **kw):
        """A client that signs in with a login key (docs/agent-sign-in.md) instead of a password;
        the group is the one the key was minted for."""
        group = login_keys.group_of(loginkey)
        if group is None:
            raise AgentError("loginkey_invalid", "not a login key (lk1.<groupid>.<expires>.<user>.<signature>)")
        return cls(base_url, group, key, loginkey=loginkey, **kw)

    @classmethod
    def as_guest(cls, base_url, group, key, token, name="guest", **kw):
        """A client that joins session `key` as a guest with the one-time `token` of addguestaccepted
        (`guest_token(event)`); a guest watches and may leave, nothing else."""
        return cls(base_url, group, key, name, "", guest=token, **kw)

    async def __aenter__(self):
        await self.join()
        return self

    async def __aexit__(self, *exc):
        await self.close()

    # -------------------------------------------------------------- connection
    async def _open(self):
        ws = await websockets.connect(self.url, open_timeout=self.open_timeout, max_size=4 * P.MAX_FRAME_BYTES)
        await ws.send(json.dumps(AF.join(self.group, self.key, self.username, self.password, resume=self.resume,
                                        last_seq=self.inbox.last, acked=self.outbox.acked, guest=self.guest,
                                        epoch=self.epoch, loginkey=self.loginkey)))
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), self.open_timeout))
            if msg["type"] == "error":
                await ws.close()
                raise AgentError(msg["code"], msg["msg"])
            if msg["type"] == "joined":
                break
        self.session, self.num, self.resume = msg["session"], msg["num"], msg["resume"]
        self.visitor, self.window = msg.get("visitor", {}), msg.get("window", self.window)
        self.outbox.ack(msg["ack"])
        self._ws = ws
        for f in self.outbox.pending():
            await ws.send(json.dumps(f))
        self._connected.set()
        return msg

    async def join(self):
        """Join the session (group + key, credentials); returns the `joined` frame."""
        msg = await self._open()
        self._reader = asyncio.create_task(self._read_loop())
        return msg

    async def _read_loop(self):
        while not self._closing:
            ws = self._ws
            try:
                async for text in ws:
                    self._handle(json.loads(text))
            except websockets.ConnectionClosed:
                pass
            except Exception:
                log.exception("agent client reader failed")
            self._connected.clear()
            self._ws = None
            if self._closing or self.ended or not self.reconnect:
                break
            if not await self._reconnect():
                self.ended = self.ended or "error"
                break
        await self._notify()

    async def _reconnect(self):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.window
        delay = 0.05
        while loop.time() < deadline and not self._closing:
            try:
                await self._open()
                return True
            except AgentError as exc:
                # After a server restart the session exists again only once the
                # visitor has resumed it: keep trying until the window passes.
                if exc.code not in ("nosession", "service"):
                    log.warning("agent rejoin refused: %s", exc)
                    return False
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.5)
            except (OSError, asyncio.TimeoutError, websockets.WebSocketException):
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.5)
        return False

    def _handle(self, msg):
        if "ack" in msg:
            self.outbox.ack(msg["ack"])
        t = msg["type"]
        if t == "error":
            self.errors.append(msg)
            asyncio.ensure_future(self._notify())   # wait_until(lambda a: a.errors) wakes up
            return
        if t == "ping" and self._ws is not None:
            asyncio.ensure_future(self._send_raw(P.frame("pong", 0, t=msg.get("t", 0))))
        if not P.is_reliable(t):
            return
        if self.inbox.receive(msg["seq"]) != NEW:
            asyncio.ensure_future(self._send_raw(P.frame("ack", 0, ack=self.inbox.last)))
            return
        asyncio.ensure_future(self._send_raw(P.frame("ack", 0, ack=self.inbox.last)))
        if not self.origins.fresh(msg.get("o")):
            return   # applied before the service restarted; the visitor sent it again
        if t == "agents":
            self.agents = {"count": msg["count"], "agentlist": msg["agentlist"]}
        elif t == "state":
            self.state = msg["state"]
        elif t == "presence":
            self.presence = msg["status"]
        elif t == "end":
            self.ended = msg["reason"]
        self.frames.put_nowait(msg)
        if t == "visitor_event":
            self._events.append(msg)
        asyncio.ensure_future(self._notify())

    async def _notify(self):
        async with self._event_cond:
            self._event_cond.notify_all()

    async def _send_raw(self, frame):
        ws = self._ws
        if ws is not None:
            try:
                await ws.send(json.dumps(frame))
            except websockets.ConnectionClosed:
                pass

    async def send(self, type_, **fields):
        """Send a reliable frame; queued (and resent after a reconnect) until acknowledged."""
        if self.ended:
            raise AgentError("out_of_order", "the session has ended (" + self.ended + ")")
        f = self.outbox.push(P.frame(type_, 0, **fields))
        await self._send_raw(f)
        return f["seq"]

    # ---------------------------------------------------------------- actions
    async def action(self, name, payload=None, state=None, id=None):
        """Send agent_action `name` (see AGENT_ACTIONS) to the visitor's focused tab.

        `state` is merged into the session state (everyone gets a `state` frame);
        `id` is echoed by the visitor in the answering visitor_event's `ref`.
        """
        return await self.send("agent_action", **P.present(name=name, payload=payload, state=state, id=id))

    def __getattr__(self, name):
        # agent.rcrequest(), agent.pause({"paused": True}), ... for every AGENT_ACTIONS name
        if name in AGENT_ACTIONS:
            async def call(payload=None, state=None, id=None):
                return await self.action(name, payload, state, id)
            return call
        raise AttributeError(name)

    async def next_event(self, name=None, timeout=5.0):
        """The oldest visitor_event (optionally with this name) not yet returned; waits for it."""
        async def find():
            async with self._event_cond:
                while True:
                    for i, ev in enumerate(self._events):
                        if name is None or ev["name"] == name:
                            return self._events.pop(i)
                    if self.ended and name != "__end__":
                        raise AgentError("out_of_order", "the session ended (" + self.ended + ")")
                    await self._event_cond.wait()
        return await asyncio.wait_for(find(), timeout)

    async def wait_until(self, predicate, timeout=5.0):
        """Wait until predicate(self) is true (e.g. lambda a: a.agents["count"] == 2)."""
        async def loop():
            async with self._event_cond:
                while not predicate(self):
                    await self._event_cond.wait()
        await asyncio.wait_for(loop(), timeout)

    # -------------------------------------------------------------- documents
    def _http(self, method, path, data=None, headers=None):
        url = path if path.startswith("http") else self.base_url + path
        req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        if not url.startswith(self.base_url + "/"):
            # the token goes to this service only, never to a URL a visitor put in an event
            raise AgentError("bad_document", "not a URL of this service: " + url[:200])
        req.add_header("Authorization", "Bearer " + (self.resume or ""))
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    async def upload_document(self, name, data):
        """Upload a document for this session (checked here and by the service); returns
        {id, name, size, type, url} with `url` absolute. Raises AgentError("bad_document", why)."""
        problem = doc_rules.file_problem(name, len(data), data[:doc_rules.HEAD_BYTES])
        if problem:
            raise AgentError("bad_document", problem)
        status, body = await asyncio.to_thread(self._http, "POST", "/api/docs?name=" + urllib.parse.quote(name),
                                               data, {"Content-Type": "application/octet-stream"})
        info = json.loads(body or b"{}")
        if status != 201:
            raise AgentError("bad_document", info.get("error") or ("the service answered %d" % status))
        info["url"] = self.base_url + info["url"]
        return info

    async def share_document(self, name, data, id=None):
        """Share a document with the visitor: upload it, then send agent_action
        `docshare {name, url, size}` (the visitor's page fires agentdocshare and opens its viewer)."""
        info = await self.upload_document(name, data)
        await self.action("docshare", {"name": info["name"], "url": info["url"], "size": info["size"]}, id=id)
        return info

    async def download_document(self, url):
        """Download a document the visitor shared (the `url` of its `visitordocument` event);
        the visitor's page fires agentdownload {name}. Returns the bytes; AgentError on refusal."""
        status, body = await asyncio.to_thread(self._http, "GET", url)
        if status != 200:
            try:
                msg = json.loads(body).get("error")
            except Exception:
                msg = None
            raise AgentError("bad_document", msg or ("the service answered %d" % status))
        return body

    async def leave(self):
        """Leave the session; it goes on for the visitor and other agents."""
        await self.send("leave")
        await asyncio.sleep(0)
        await self.close()

    async def end(self, msg=None):
        """End the session for everyone (the visitor gets sessionend {reason: 'agent'})."""
        fields = {"reason": "agent"}
        if msg:
            fields["msg"] = msg
        await self.send("end", **fields)
        try:
            await self.wait_until(lambda a: a.ended is not None, timeout=5.0)
        except asyncio.TimeoutError:
            pass

    async def close(self):
        """Close the socket without leaving (the server keeps the seat for the window)."""
        self._closing = True
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 2)
            except (asyncio.TimeoutError, Exception):
                self._reader.cancel()
