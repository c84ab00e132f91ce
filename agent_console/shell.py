"""Browser shell of the agent console's seat: a WebSocket, timers, and the plain JS object agent.js drives.

Browser shell (imports `browser`): it only moves bytes and runs timers;
every protocol decision is the pure AgentSessionClient's (agent_console/session.py,
the visitor SDK's SessionClient underneath). Call `open_seat(spec, hooks)` from
JS (it is `window.agentSessionCore.open`) once per join:

  spec   {base, group, key, username?, password?, loginkey?, guest?}
  hooks  {status(status, detail), received(frame), sent(frame), joined(frame),
          frame(frame), refused(frame), failed(code, msg), ended(reason)}: plain JS functions

It returns a plain JS object: action(name, payload?, state?) -> {seq} | {code, msg};
leave(done?) (done() once the socket is closed), end() -> {ok} | {code, msg}; close()
drops the socket without leaving; dropSocket() closes it as a network failure would
(the seat rejoins); inject(frame) applies a frame as if the service sent it (tests); info() -> {status, num, resume, window, visitor, agents, state,
presence, endReason, epoch, inbox, acked}. Frames reach the hooks as the JS
objects parsed from the socket (the core reads only their envelope: a page
snapshot is not converted to Python and back).
"""

import javascript
from browser import window

from visitor_sdk.jsconv import from_js, kind, to_js

from .session import OVER, AgentSessionClient

JOIN_TIMEOUT_MS = 8000
PING_MS = 15000


def _now():
    return window.performance.now() / 1000.0


def ws_url(base):
    """http(s)://host:port -> ws(s)://host:port/ws/agent."""
    base = str(base)
    if base.startswith("http"):
        base = "ws" + base[4:]
    return base.rstrip("/") + "/ws/agent"


def envelope(raw):
    """The frame as Python data, its `payload` left out (kept as a marker): the core never reads it."""
    out = {}
    keys = window.Object.keys(raw)
    for i in range(keys.length):
        k = keys[i]
        out[k] = True if k == "payload" else from_js(raw[k])
    return out


class Seat:
    """One join of the console: the client, its socket, its timers."""

    def __init__(self, spec, hooks):
        self.hooks = hooks
        self.url = ws_url(spec["base"])
        creds = {}
        for k in ("username", "password", "loginkey", "guest"):
            if spec.get(k):
                creds[k] = str(spec[k])
        epoch = "c" + str(window.Date.now()) + str(int(window.Math.random() * 1e9))
        self.client = AgentSessionClient(self, int(spec["group"]), str(spec["key"]), creds, epoch, warn=self._warn)
        self.ws = None
        self.raw = None          # the JS frame being applied (handed to the hooks)
        self.reported = None     # the status last told to hooks.status
        self.detail = ""
        self.dropped = False     # close(): no reconnect
        self.last_heard = 0
        self.retry = None
        self.join_timer = window.setTimeout(self._join_timeout, JOIN_TIMEOUT_MS)
        self.ping_timer = window.setInterval(self._ping, PING_MS)
        self._report()
        self._open()

    # --- hooks of the core (agent_console/session.py) ---------------------------
    def on_started(self, info):
        window.clearTimeout(self.join_timer)
        self.hooks.joined(self.raw)

    def on_connection(self, status):
        self.detail = ""

    def on_error(self, code, msg):
        self.detail = str(code) + ": " + str(msg)
        window.clearTimeout(self.join_timer)
        self.hooks.failed(code, msg)
        self._stop()

    def on_state(self, state):
        pass

    def on_end(self, reason):
        self.detail = reason
        self._stop()
        self.hooks.ended(reason)

    def emit(self, name, payload=None):
        pass

    def on_frame(self, msg):
        self.hooks.frame(self.raw)

    def on_refused(self, msg):
        self.hooks.refused(self.raw)

    def _warn(self, text):
        self.hooks.received(to_js({"v": 1, "type": "note", "seq": 0, "text": text}))

    # --- socket ---------------------------------------------------------------------
    def _open(self):
        self.retry = None
        try:
            ws = window.WebSocket.new(self.url)
        except Exception as exc:
            self.on_error("service", "cannot open a WebSocket to " + self.url + ": " + str(exc))
            self._report()
            return
        self.ws = ws
        ws.onopen = lambda ev: self._opened(ws)
        ws.onmessage = lambda ev: self._message(ws, ev)
        ws.onclose = lambda ev: self._closed(ws)

    def _opened(self, ws):
        if ws is not self.ws:
            return
        self.client.opened()
        self._flush()

    def _message(self, ws, ev):
        if ws is not self.ws:
            return
        try:
            raw = window.JSON.parse(ev.data)
        except Exception:
            return
        self._apply(raw)

    def _apply(self, raw):
        if kind(raw) != "object":
            return
        self.last_heard = window.Date.now()
        self.hooks.received(raw)
        self.raw = raw
        try:
            self.client.receive(envelope(raw))
        finally:
            self.raw = None
        self._flush()
        self._report()

    def _closed(self, ws):
        if ws is not self.ws:
            return
        self.ws = None
        if self.dropped:
            return
        delay = self.client.closed(_now())
        if delay is not None:
            self.retry = window.setTimeout(self._open, int(delay * 1000))
        elif self.client.status == "failed" and self.detail == "":
            self.detail = "the session service closed the connection"
        self._report()

    def _flush(self):
        frames = self.client.data_to_send()
        ws = self.ws
        if not frames or ws is None or ws.readyState != 1:
            return
        for f in frames:
            text = window.JSON.stringify(to_js(f))
            ws.send(text)
            self.hooks.sent(window.JSON.parse(text))

    def _report(self):
        s = self.client.status
        if s != self.reported:
            self.reported = s
            self.hooks.status(s, self.detail)

    def _join_timeout(self):
        if self.client.status == "joining":
            self.on_error("service", "the session service did not answer in time")
            self.client.status = "failed"
            self.client.ended = True
            self._report()
            self._drop()

    def _ping(self):
        if self.client.status != "joined" or self.ws is None:
            return
        if window.Date.now() - self.last_heard > 2 * PING_MS:   # a silent socket: treat it as dropped
            self.ws.close()
            return
        self.client.ping(window.Date.now())
        self._flush()

    def _stop(self):
        window.clearInterval(self.ping_timer)
        window.clearTimeout(self.join_timer)
        if self.retry is not None:
            window.clearTimeout(self.retry)
            self.retry = None

    def _drop(self):
        self.dropped = True
        self._stop()
        ws, self.ws = self.ws, None
        if ws is not None:
            _close_quietly(ws)

    # --- the JS surface -----------------------------------------------------------------
    def action(self, name, payload=None, state=None):
        try:
            seq = self.client.action(str(name), from_js(payload), from_js(state))
        except ValueError as exc:
            return to_js({"code": "out_of_order", "msg": str(exc).split(": ", 1)[-1]})
        self._flush()
        return to_js({"seq": seq})

    def leave(self, done=None):
        """Send `leave` and close the socket; done() once it is closed."""
        was_live = self.client.live
        if not self.client.leave():
            return to_js({"ok": False})
        self._flush()
        self._report()
        ws, self.ws = self.ws, None
        self.dropped = True
        self._stop()
        if ws is not None and done is not None:
            ws.onclose = lambda ev: done()
        elif done is not None:
            done()
        if ws is not None:
            if was_live:
                ws.close()
            else:
                _close_quietly(ws)
        return to_js({"ok": True})

    def drop_socket(self):
        """Close the socket as a network failure would (the seat rejoins with its resume token)."""
        if self.ws is not None:
            self.ws.close()
        return to_js({"ok": self.ws is not None})

    def inject(self, raw):
        """Apply `raw` as if the service had sent it (tests: duplicates and gaps)."""
        self._apply(raw)
        return to_js({"ok": True})

    def end(self):
        try:
            self.client.end()
        except ValueError as exc:
            return to_js({"code": "out_of_order", "msg": str(exc).split(": ", 1)[-1]})
        self._flush()
        return to_js({"ok": True})

    def close(self):
        self._drop()
        return to_js({"ok": True})

    def info(self):
        c = self.client
        return to_js({"status": c.status, "num": c.num, "resume": c.resume, "window": c.policy.window,
                      "visitor": c.visitor_info, "agents": c.agents, "state": c.state, "presence": c.presence,
                      "endReason": c.end_reason, "epoch": c.epoch, "inbox": c.inbox.last, "acked": c.outbox.acked,
                      "pending": len(c.outbox), "over": c.status in OVER})


def _close_quietly(ws):
    """Close `ws`; one still connecting is closed once it opens (closing it before
    makes Chromium write a warning on the console)."""
    def close(*args):
        ws.close()
    if ws.readyState == 0:
        ws.onopen = close
    elif ws.readyState == 1:
        close()


def _arg(value):
    return None if value is None or value is javascript.NULL or value is javascript.UNDEFINED else value


def open_seat(spec, hooks):
    """Join as an agent (see the module docstring); returns the seat's plain JS object."""
    seat = Seat(from_js(spec), hooks)
    return to_js({
        "action": lambda name, payload=None, state=None: seat.action(name, _arg(payload), _arg(state)),
        "leave": lambda done=None: seat.leave(_arg(done)),
        "dropSocket": lambda *a: seat.drop_socket(),
        "inject": lambda raw: seat.inject(raw),
        "end": lambda *a: seat.end(),
        "close": lambda *a: seat.close(),
        "info": lambda *a: seat.info(),
    })
