"""The Visitor API core behind GLANCE.Cobrowse.Visitor.

Pure Python: everything the browser provides is injected (an emitter, a tab
store, a random source, a session connector), so the whole API runs under
CPython in unit tests with fakes and in the bundle with the browser shell
(`runtime.py`). Call the public methods from the shell when a page script, a
replayed loader call or a glance_invoke message asks for them; call the
`on_*` methods from the session connector when the service answers.
"""

from . import states
from .config import groups_of
from .params import ParamError, parse_start_params, parse_terms_params, parse_state_type

STORE_KEY = "glance_cobrowse_session"   # sessionStorage: the session of this tab
SHARED_KEY = "glance_cobrowse_shared"   # localStorage: the session other tabs of the site may join


class Visitor:
    """One page's visitor-side cobrowse API.

    `emitter` is an emitter.Emitter; `store` a dict-like tab store
    (sessionStorage in the browser); `connect(visitor, session)` opens a
    session connection and returns an object with `close(reason)`
    and `send(type, payload)`, or None; `rand()` returns
    a float in [0, 1); `check_payloads` makes emit() raise on a payload the
    catalogue does not allow (tests turn it on).
    """

    def __init__(self, config, emitter, store, connect=None, rand=None, check_payloads=False, ui=None):
        self.config = config
        self.emitter = emitter
        self.store = store
        self._connect = connect
        self._rand = rand
        self._check = check_payloads
        self.ui = ui
        self.state = states.IDLE
        self.session = None      # {"key", "random", "groupid", "options"}
        self.session_state = {}  # what the service sent for this page
        self.paused = False
        self.page_masked = False
        self.focused = False     # this tab is the session window
        self.conn = None
        self.features = []       # features.Feature instances (feature_set.install)
        # True while the feature chunk is still loading (runtime.py): agent actions
        # that no handler answers yet wait in `_deferred` instead of being dropped.
        self.features_pending = False
        self._deferred = []
        self._opened_resume = False

    # --- events -----------------------------------------------------------
    def emit(self, name, payload=None):
        """Fire `name` on the page; payloads are checked against the catalogue in tests."""
        if self._check:
            from .catalogue import validate_payload  # tests only: production pages skip the catalogue
            problems = validate_payload(name, payload)
            if problems:
                raise AssertionError("invalid payload for " + name + ": " + "; ".join(problems))
        return self.emitter.emit(name, payload)

    def fail(self, code, msg, params=None):
        """Fire an `error` event (codes from the catalogue)."""
        payload = {"code": code, "msg": msg}
        if params is not None:
            payload["params"] = params
        self.emit("error", payload)

    # --- public API ---------------------------------------------------------
    def start_session(self, params=None):
        """startSession(params): validate, then start (sessionstarting, then sessionstart or error)."""
        groups = groups_of(self.config)
        if not groups:
            msg = "cannot start a session: data-groupid on the cobrowse script tag is missing or invalid"
            self.fail("service", msg)
            raise ParamError(msg)
        visitorid = self.config.get("visitor", {}).get("visitorid")
        parsed = parse_start_params(params, visitorid=visitorid, groups=groups, rand=self._rand)
        if self.state in states.IN_SESSION:
            if self.session and parsed["key"] == self.session["key"]:
                return None
            raise states.StateError("startSession", self.state,
                                    "a session with key " + self.session["key"] + " is running; call stopSession() first")
        self.session = parsed
        self.state = states.STARTING
        self._save()
        self.emit("sessionstarting")
        self._open(resume=False)

    def resume(self, record):
        """Resume a session stored in this tab (after a navigation or reload)."""
        self.session = {"key": record["key"], "random": record.get("random", False),
                        "groupid": record.get("groupid"), "options": record.get("options", {}),
                        "resume": record.get("resume"), "resumed": bool(record.get("resumed"))}
        self.paused = bool(record.get("paused"))
        self.state = states.STARTING
        self._open(resume=True)

    def _open(self, resume):
        if self._connect is None:
            self._service_failed("no session service is configured (data-ws)")
            return
        try:
            self.conn = self._connect(self, self.session, resume)
        except Exception as exc:
            self.conn = None
            self._service_failed("could not reach the cobrowse service: " + str(exc))
            return
        self._opened_resume = resume
        for name, handler in self.action_handlers().items():
            self.conn.on_action(name, handler)
        for f in self.features:
            f.session_opened(resume)

    def add_feature(self, feature):
        """Plug in a features.Feature (feature_set.install does it). Features added
        while a session is open start with `features_installed()`."""
        self.features.append(feature)

    MAX_DEFERRED = 500

    def defer_action(self, frame):
        """Keep an agent_action frame that arrived before the feature chunk (the
        session client calls it while `features_pending`); False when full."""
        if len(self._deferred) >= self.MAX_DEFERRED:
            return False
        self._deferred.append(frame)
        return True

    def features_installed(self, catch_up=None):
        """Call once the features of a lazily loaded chunk are added: an open
        session learns their agent actions and they hear that it is open, then
        `catch_up()` runs (the shell replays the events fired so far), then the
        agent actions that waited for them are applied in arrival order.
        Returns the names of waiting actions no feature answers."""
        self.features_pending = False
        deferred, self._deferred = self._deferred, []
        handlers = self.action_handlers()
        if self.conn is not None:
            for name, handler in handlers.items():
                self.conn.on_action(name, handler)
            for f in self.features:
                f.session_opened(self._opened_resume)
        if catch_up is not None:
            catch_up()
        if self.conn is None:
            return []
        unknown = []
        for frame in deferred:
            handler = handlers.get(frame.get("name"))
            if handler is None:
                unknown.append(frame.get("name"))
            else:
                handler(frame.get("payload"), frame)
        return unknown

    def action_handlers(self):
        """Agent actions this page answers: name -> handler(payload, frame)."""
        handlers = {"pause": self._on_pause}
        for f in self.features:
            handlers.update(f.actions())
        return handlers

    def tell_agents(self, name, payload=None, ref=None, state=None):
        """Send a visitor event or answer to the session's agents (no-op outside a session)."""
        if self.conn is not None and hasattr(self.conn, "send_event"):
            self.conn.send_event(name, payload, ref, state)

    def _on_pause(self, payload, frame):
        paused = bool((payload or {}).get("paused"))
        if paused != self.paused:
            self.paused = paused
            if self.session:
                self._save()
            self.emit("sessionpaused", {"paused": paused})
            # the agents hear it too (an agent console keeps its pause button in step)
            self.tell_agents("sessionpaused", {"paused": paused}, frame.get("id") if isinstance(frame, dict) else None)

    def _service_failed(self, msg):
        self.state = states.IDLE
        self.session = None
        self._clear()
        self.fail("service", msg)

    def stop_session(self):
        """stopSession(): end the session from the visitor side (leavesession, sessionend visitor)."""
        if self.state not in states.IN_SESSION:
            return
        conn = self.conn
        self.conn = None
        if conn is not None:
            conn.close("visitor")
        self.emit("leavesession")
        self._ended("visitor")

    def in_session(self):
        """inSession(): True while a session is starting, running or reconnecting in this tab."""
        return self.state in states.IN_SESSION

    def get_key(self):
        """getKey(): the session key, or None outside a session."""
        return self.session["key"] if self.session and self.in_session() else None

    def is_random_key(self):
        """isRandomKey(): whether the session key was generated (GLANCE_KEYTYPE_RANDOM)."""
        return bool(self.session and self.in_session() and self.session.get("random"))

    def get_session_state(self, kind=None):
        """getSessionState(type): the session state the service sent for this page."""
        kind = parse_state_type(kind)
        if not self.in_session():
            return None
        if kind is None:
            return dict(self.session_state)
        return self.session_state.get(kind)

    def ready_state(self):
        """readyState: one of states.ALL."""
        return self.state

    def is_session_paused(self):
        """isSessionPaused(): whether an agent paused the session."""
        return bool(self.paused and self.in_session())

    def is_page_masked(self):
        """isPageMasked(): whether the whole page is masked from agents."""
        return bool(self.page_masked)

    def toggle_video(self):
        """toggleVideo(): pause or resume visitor video; needs a session."""
        if not self.in_session():
            raise states.StateError("toggleVideo", self.state, "start a session first")
        for f in self.features:
            if hasattr(f, "toggle_video"):   # visitor_video.VisitorMedia
                return f.toggle_video()
        return False

    def show_terms(self, params=None):
        """showTerms(params): show the terms dialog; accepting it starts the session."""
        parsed = parse_terms_params(params)
        if self.ui is not None:
            self.ui.show_terms(lambda: self.start_session(parsed.get("sessionKey")), lambda: None)
        else:
            self.start_session(parsed.get("sessionKey"))

    # --- from the session connector ------------------------------------------
    def on_started(self, info):
        """The service confirmed the session (first start or resume)."""
        was_starting = self.state == states.STARTING
        self.state = states.ACTIVE
        if info:
            self.session["resume"] = info.get("resume")
            self.focused = bool(info.get("focused"))
        self._save()
        if was_starting and not self.session.get("resumed"):
            self.session["resumed"] = True
            self._save()
            self.emit("sessionstart")
        self.emit("sessioncontinue")

    def on_state(self, state):
        """The session state for this page arrived (statereceived)."""
        self.session_state = dict(state or {})
        if "paused" in self.session_state:
            self.paused = bool(self.session_state["paused"])
        self.emit("statereceived")

    def on_connection(self, status):
        """The connection dropped ('reconnecting') or recovered ('ok')."""
        self.state = states.RECONNECTING if status == "reconnecting" else states.ACTIVE
        self.emit("connection", {"status": status})

    def on_error(self, code, msg):
        """The service refused or lost the session (service, dupkey, conndrop)."""
        started = self.state in (states.ACTIVE, states.RECONNECTING)
        self.conn = None
        self.fail(code, msg)
        if started or code == "conndrop":
            self._ended("error")
        else:
            self.state = states.IDLE
            self.session = None
            self._clear()

    def on_end(self, reason):
        """The service ended the session (an agent, or a fatal error)."""
        if self.state not in states.IN_SESSION:
            return
        self.conn = None
        self._ended(reason if reason in ("agent", "visitor", "error") else "error")

    def _ended(self, reason):
        for f in self.features:
            f.session_ended(reason)
        self.state = states.IDLE
        self.session = None
        self.session_state = {}
        self.paused = False
        self._clear()
        self.emit("sessionend", {"reason": reason})

    # --- tab store ------------------------------------------------------------
    def _save(self):
        s = self.session
        self.store[STORE_KEY] = {"key": s["key"], "random": s["random"], "groupid": s["groupid"],
                                 "options": s.get("options", {}), "resume": s.get("resume"),
                                 "resumed": s.get("resumed", False), "paused": self.paused}

    def _clear(self):
        if STORE_KEY in self.store:
            del self.store[STORE_KEY]
