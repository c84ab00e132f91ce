"""Browser WebSocket shell between the Visitor core and the session service.

`connector(config)` returns the `connect(visitor, session, resume)` function
the Visitor core calls to open a session connection (None when the page has
no session service address). The shell only moves bytes and runs timers:
decisions are the pure SessionClient's. Its state is saved in
sessionStorage after every frame, so the next page of this tab continues the
same streams; the session's resume token is shared with the site's other
tabs through localStorage so that they join the same session.
"""

import javascript
from browser import window

from . import log
from .jsconv import from_js, to_js
from .session_client import SessionClient
from .visitor import SHARED_KEY

CONN_KEY = "glance_cobrowse_conn"      # sessionStorage: this tab's stream state
TAB_KEY = "glance_cobrowse_tab"        # sessionStorage: this tab's id


def _client_warn(text):
    """The SessionClient's warnings: each kind once (a resent frame after a gap
    is recovered, so only with debug on)."""
    if "is missing (seq" in text:
        log.debug(text)
    else:
        log.warn_once("client:" + text.split(" (")[0].split(":")[0], text)


def service_url(config):
    """The visitor WebSocket URL for this page's data-ws (http(s) becomes ws(s))."""
    base = config.get("ws")
    if not base:
        return None
    if base.startswith("http"):
        base = "ws" + base[4:]
    return base + "/ws/visitor"


def _storage(name):
    try:
        return getattr(window, name)
    except Exception:
        return None


def load_json(area, key):
    """A JSON value from sessionStorage/localStorage, or None."""
    s = _storage(area)
    if s is None:
        return None
    try:
        raw = s.getItem(key)
        if raw is javascript.NULL:
            return None
        return from_js(window.JSON.parse(raw))
    except Exception:
        return None


def save_json(area, key, value):
    s = _storage(area)
    if s is None:
        return
    try:
        if value is None:
            s.removeItem(key)
        else:
            s.setItem(key, window.JSON.stringify(to_js(value)))
    except Exception:
        pass


def tab_id():
    """This tab's id (kept in sessionStorage; a tab copied by the browser gets a new one)."""
    tid = load_json("sessionStorage", TAB_KEY)
    if not isinstance(tid, str) or len(tid) > 64:
        tid = "t" + str(window.Date.now()) + str(int(window.Math.random() * 1e9))
        save_json("sessionStorage", TAB_KEY, tid)
    return tid


def _now():
    return window.performance.now() / 1000.0


class WsConnection:
    """One tab's session connection: a WebSocket that reconnects within the window."""

    def __init__(self, visitor, session, resume, url):
        self.visitor = visitor
        self.url = url
        self.ws = None
        self.timer = None
        self.open_now = False
        self.unloading = False
        self.shared_resume = None
        saved = load_json("sessionStorage", CONN_KEY) if resume else None
        if saved is not None and saved.get("key") != session["key"]:
            saved = None
        page = {"url": str(window.location.href)[:2000], "title": str(window.document.title)[:200]}
        epoch = "e" + str(window.Date.now()) + str(int(window.Math.random() * 1e9))   # used without saved streams
        self.client = SessionClient(visitor, session, tab_id(), saved, page, warn=_client_warn, epoch=epoch)
        self.key = session["key"]
        window.addEventListener("pagehide", self._on_pagehide)
        window.addEventListener("focus", self._on_focus)
        window.document.addEventListener("pointerdown", self._on_focus, True)
        self.heartbeat = window.setInterval(self._ping, 10000)
        self._open()

    def _ping(self):
        if self.client.ended:
            window.clearInterval(self.heartbeat)
        elif self.client.live:
            self.client.ping(window.Date.now())
            self._flush()
            self._share()

    # --- socket -------------------------------------------------------------
    def _open(self):
        self.timer = None
        try:
            self.ws = window.WebSocket.new(self.url)
        except Exception as exc:
            log.warn_once("open:" + self.url, "cannot open " + self.url + ": " + str(exc))
            self._closed(None)
            return
        ws = self.ws
        self.open_now = False
        ws.onopen = lambda ev: self._opened(ws)
        ws.onmessage = lambda ev: self._message(ws, ev)
        ws.onclose = lambda ev: self._closed(ws)

    def _opened(self, ws):
        if ws is not self.ws:
            return
        self.open_now = True
        log.debug("connected to " + self.url)
        self.client.opened()
        self._flush()

    def _message(self, ws, ev):
        if ws is not self.ws:
            return
        try:
            msg = from_js(window.JSON.parse(ev.data))
        except Exception:
            log.warn_once("not json", "dropped a frame from the service that is not JSON")
            return
        if log.debug_on() and isinstance(msg, dict) and msg.get("type") in ("agent_action", "state", "end", "error"):
            log.debug("from the service: " + str(msg.get("type")) + " " + str(msg.get("name") or msg.get("code") or ""))
        self.client.receive(msg)
        self._flush()

    def _closed(self, ws):
        if ws is not self.ws or self.unloading:
            return
        self.ws = None
        if self.open_now:
            log.debug("the connection to " + self.url + " closed")
        else:
            log.warn_once("connect:" + self.url, "could not connect to " + self.url + " (retrying)")
        self.open_now = False
        delay = self.client.closed(_now())
        if self.client.ended:
            self._persist()
        if delay is not None:
            self.timer = window.setTimeout(self._open, int(delay * 1000))

    def _flush(self):
        frames = self.client.data_to_send()
        if frames and self.ws is not None and self.ws.readyState == 1:
            for f in frames:
                self.ws.send(window.JSON.stringify(to_js(f)))
        if self.client.ended:
            self._persist()
        elif self.client.resume is not None and self.client.resume != self.shared_resume:
            self._share()

    def _persist(self):
        """Save this tab's streams for its next page (at pagehide; cleared when the session ends).

        Not after every frame: the unacknowledged frames can be large (page snapshots)."""
        if self.client.ended:
            save_json("sessionStorage", CONN_KEY, None)
            shared = load_json("localStorage", SHARED_KEY)
            if isinstance(shared, dict) and shared.get("key") == self.key:
                save_json("localStorage", SHARED_KEY, None)
            return
        saved = self.client.saved()
        saved["key"] = self.key
        save_json("sessionStorage", CONN_KEY, saved)
        self._share()

    def _share(self):
        """Tell the site's other tabs which session to join (localStorage; refreshed by the heartbeat)."""
        if self.client.resume and not self.client.ended:
            s = self.client.session
            self.shared_resume = self.client.resume
            save_json("localStorage", SHARED_KEY, {"key": s["key"], "groupid": s["groupid"], "random": s["random"],
                                                   "resume": self.client.resume, "seen": window.Date.now()})

    # --- page events ------------------------------------------------------------
    def _on_pagehide(self, ev):
        self.unloading = True
        self._persist()
        if self.ws is not None and self.ws.readyState == 1:
            self.ws.close(1000, "page unload")   # (one still connecting dies with the page, silently)

    def _on_focus(self, ev):
        if self.client.live and not self.client.ended and not self.visitor.focused:
            self.visitor.focused = True
            self.client.send("focus")
            self._flush()

    # --- called by the Visitor core ------------------------------------------------
    def send_event(self, name, payload=None, ref=None, state=None):
        """Report a visitor event or answer to the agents."""
        self.client.send_event(name, payload, ref, state)
        self._flush()

    def on_action(self, name, handler):
        """Handle agent_action frames named `name`."""
        self.client.on_action(name, handler)

    def close(self, reason):
        """End the session from this tab (stopSession)."""
        self.client.close()
        self._flush()
        if self.timer is not None:
            window.clearTimeout(self.timer)
            self.timer = None
        ws, self.ws = self.ws, None
        if ws is not None:
            window.setTimeout(lambda: _close_quietly(ws), 50)


def _close_quietly(ws):
    """Close `ws`; one still connecting is closed once it opens (closing it before
    makes Chromium write "WebSocket is closed before the connection is established"
    on the page's console)."""
    def close(*args):
        ws.close(1000, "session ended")
    if ws.readyState == 0:
        ws.onopen = close
    elif ws.readyState == 1:
        close()


def connector(config):
    """The Visitor core's `connect` for this page, or None without data-ws."""
    url = service_url(config)
    if url is None:
        return None

    def connect(visitor, session, resume):
        return WsConnection(visitor, session, resume, url)

    return connect


def shared_session(max_age_ms):
    """The session another tab of this site is in (localStorage), if seen recently."""
    shared = load_json("localStorage", SHARED_KEY)
    if not isinstance(shared, dict) or not shared.get("resume") or not shared.get("key"):
        return None
    if window.Date.now() - (shared.get("seen") or 0) > max_age_ms:
        return None
    return shared
