"""Browser entry point of the visitor SDK (imported by the runtime bundle's boot).

Thin shell: reads the loader's configuration, builds the pure `Visitor`
with browser implementations of its I/O (sessionStorage, console, WebSocket),
hands the loader a table of plain JS functions (`attach`), which replays the
calls and listeners the page made before the runtime arrived, and resumes a
session stored in this tab. Nothing here decides behaviour; the core does.

The runtime bundle holds only this core (the API, the session client and the
connection), so the SDK goes live as soon as Brython is up. The features
(remote control, documents, capture, media, the default UI, the glance_invoke
receiver) arrive in a second chunk that the loader fetches right after
(`loader.loadFeatures`); `feature_set.install_chunk` plugs them in, hands them the
events and agent actions that came first, and replays what waited for them.
With data-check-payloads (a test seam) the SDK goes live only after the
feature chunk, since checking payloads needs its catalogue.
"""

from browser import window

from .config import groups_of, parse_config
from . import console_sink, log
from .emitter import Emitter
from .jsconv import exported, from_js, page_global, to_js
from .params import MAX_PENDING_MESSAGES
from .visitor import STORE_KEY, Visitor
from . import connection


SHARED_MAX_AGE_MS = 60000  # a shared session record older than this is stale (heartbeat: 10 s)
MAX_EARLY_EVENTS = 200     # events kept for the features while their chunk loads


def _report_handler_error(name, handler, exc):
    # The page's own handler is at fault: said once per event name.
    log.error_once("handler:" + name, "a '" + name + "' event handler threw: " + str(exc))


class JsEmitter(Emitter):
    """Emitter whose payloads are converted to plain JS once per emit.

    Until the feature chunk is installed it also keeps the events it fired
    (`early`), and while the features register (`recording`) it notes their
    handlers, so they can hear what happened before they existed."""

    def __init__(self, report_error):
        Emitter.__init__(self, report_error)
        self.early = []
        self.seen = []          # the page's first events, for parts fetched later (replay_to)
        self.recording = None

    def on(self, name, handler):
        if self.recording is not None:
            self.recording.append((name, handler))
        return Emitter.on(self, name, handler)

    def emit(self, name, payload=None):
        js = to_js(payload if payload is not None else {})
        if self.early is not None and len(self.early) < MAX_EARLY_EVENTS:
            self.early.append((name, js))
        if len(self.seen) < MAX_EARLY_EVENTS:
            self.seen.append((name, js))
        return Emitter.emit(self, name, js)

    def replay_to(self, create, opened):
        """Run `create()` (a part fetched on first use makes its features), then
        `opened()` (they hear that the session is open), then give the handlers
        `create` registered the events this page fired so far, in order."""
        from .feature_set import _replay
        outer, self.recording = self.recording, []
        try:
            create()
        finally:
            handlers, self.recording = self.recording, outer
        opened()
        _replay(list(self.seen), handlers, self._report)

    def take_early(self):
        """The events fired so far; stop keeping them."""
        early, self.early = self.early or [], None
        return early


class TabStore:
    """The Visitor's tab store: `in`, get, set and del on sessionStorage, JSON values
    (it survives navigation in the tab)."""

    def __contains__(self, key):
        return connection.load_json("sessionStorage", key) is not None

    def get(self, key, default=None):
        value = connection.load_json("sessionStorage", key)
        return default if value is None else value

    def __setitem__(self, key, value):
        connection.save_json("sessionStorage", key, value)

    def __delitem__(self, key):
        connection.save_json("sessionStorage", key, None)


class Waiting:
    """What needs the feature chunk while it loads: showTerms() (this stands in
    for the default UI) and glance_invoke messages (for the receiver).
    feature_set.install_chunk hands them over in arrival order."""

    def __init__(self):
        self.terms = []
        self.messages = []
        self.receiver = None

    def show_terms(self, on_accept, on_decline):
        self.terms.append((on_accept, on_decline))

    def hand_over_terms(self, ui):
        """Show the waiting terms in `ui`; without a UI (data-ui="none", or none
        could be loaded) accepting is implied, as Visitor.show_terms does."""
        terms, self.terms = self.terms, []
        for on_accept, on_decline in terms:
            if ui is not None:
                ui.show_terms(on_accept, on_decline)
            else:
                on_accept()

    def on_message(self, m):
        if self.receiver is not None:
            return self.receiver.on_message(m)
        if len(self.messages) < MAX_PENDING_MESSAGES:
            self.messages.append(m)
        else:
            log.warn_once("early messages", "too many glance_invoke messages before the SDK was ready; message dropped")


def _random():
    return window.Math.random()


def start():
    """Build the Visitor for this page, attach it to the loader and fetch the features."""
    loader = window.GLANCE.Cobrowse._loader
    attrs = from_js(loader.config) or {}
    log.configure(console_sink.write, attrs.get("debug") == "true")
    gc = from_js(page_global("GLANCE_COBROWSE"))
    config, problems = parse_config(attrs, gc if isinstance(gc, dict) else None)
    for p in problems:
        if not p.startswith("data-groupid"):   # the loader reports a bad data-groupid itself
            log.warn_once("config:" + p, p)
    config["base"] = attrs["base"] if "base" in attrs else None
    emitter = JsEmitter(_report_handler_error)
    store = TabStore()
    check = bool(loader.checkPayloads)
    visitor = Visitor(config, emitter, store, connect=connection.connector(config), rand=_random,
                      check_payloads=check)
    visitor.features_pending = True
    waiting = Waiting()
    if config["ui"] != "none":
        visitor.ui = waiting

    def addEventListener(name, handler=None):
        if not callable(handler):
            raise TypeError("addEventListener(name, handler): handler must be a function")
        emitter.on(str(name), handler)

    def removeEventListener(name, handler=None):
        emitter.off(str(name), handler)

    impl = {
        "addEventListener": exported(addEventListener),
        "removeEventListener": exported(removeEventListener),
        "startSession": exported(visitor.start_session),
        "stopSession": exported(visitor.stop_session),
        "inSession": exported(visitor.in_session),
        "getKey": exported(visitor.get_key),
        "isRandomKey": exported(visitor.is_random_key),
        "getSessionState": exported(visitor.get_session_state),
        "readyState": exported(visitor.ready_state),
        "isSessionPaused": exported(visitor.is_session_paused),
        "isPageMasked": exported(visitor.is_page_masked),
        "toggleVideo": exported(visitor.toggle_video),
        "showTerms": exported(visitor.show_terms),
    }
    if check:
        def emit_sample(name):
            from .feature_set import emit_sample as emit  # the catalogue is in the feature chunk
            return emit(visitor, name)
        impl["_emitSample"] = exported(emit_sample)

    def on_message(m):
        try:
            waiting.on_message(m)
        except Exception as exc:
            log.failed("a glance_invoke message", exc)

    def go_live():
        # attach() replays the page's early calls (startSession) and listeners.
        loader.attach(to_js(impl), on_message)
        record = store.get(STORE_KEY)
        if visitor.state == "idle" and config["groupid"] is not None:
            if isinstance(record, dict) and record.get("key"):
                visitor.resume(record)
            else:
                shared = connection.shared_session(SHARED_MAX_AGE_MS)
                if shared is not None and shared.get("groupid") in groups_of(config):
                    # Another tab of this site is in a session: join it as this tab.
                    visitor.resume({"key": shared["key"], "groupid": shared["groupid"],
                                    "random": shared.get("random"), "resume": shared["resume"], "resumed": True})

    def without_features(msg):
        # The session goes on with the core alone: waiting terms start it, and the
        # agent actions that waited for a feature are dropped with a warning.
        log.error_once("features", msg)
        emitter.early = None
        emitter.recording = None
        visitor.ui = None
        waiting.hand_over_terms(None)
        for name in visitor.features_installed():
            log.warn_once("action:" + name, "no handler for agent action " + repr(name))

    def features_ready():
        try:
            from .feature_set import install_chunk
            install_chunk(visitor, config, emitter, waiting, load_part)
            log.debug("features installed")
        except Exception as exc:
            without_features("the cobrowse features failed to start: " + str(exc))
        if check:
            go_live()

    def load_part(part, ready, failed):
        # A part of the SDK fetched on first use (lazy_parts.py): its chunk registers its modules.
        def part_failed(msg):
            failed(msg)
            visitor.fail("SCRIPT_NOT_LOADED", msg, {"script": str(loader.partNames[part])})
        def arrived():
            try:
                ready()
                log.debug("part " + part + " installed")
            except Exception as exc:
                log.failed("the cobrowse " + part + " part", exc)
        loader.loadPart(part, arrived, part_failed)

    def features_failed(msg):
        without_features(msg)
        if check:
            go_live()
        visitor.fail("SCRIPT_NOT_LOADED", msg, {"script": str(loader.featuresName)})

    if not check:
        go_live()
    # After going live: inserting the chunk's script element costs the page
    # tens of milliseconds (measured in Chromium), which the API need not wait for.
    loader.loadFeatures(features_ready, features_failed)
    return visitor


VISITOR = start()
