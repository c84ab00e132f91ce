"""Browser entry point of the visitor SDK (imported by the runtime bundle's boot).

Thin shell: reads the loader's configuration, builds the pure `Visitor`
with browser implementations of its I/O (sessionStorage, console, WebSocket),
hands the loader a table of plain JS functions (`attach`), which replays the
calls and listeners the page made before the runtime arrived, and resumes a
session stored in this tab. Nothing here decides behaviour; the core does.
"""

import javascript
from browser import window

from .config import groups_of, parse_config
from .emitter import Emitter
from .jsconv import exported, from_js, to_js
from .visitor import STORE_KEY, Visitor
from . import connection, feature_set, invoke_receiver, ui


SHARED_MAX_AGE_MS = 60000  # a shared session record older than this is stale (heartbeat: 10 s)


def _report_handler_error(name, handler, exc):
    window.console.error("GLANCE: a '" + name + "' event handler threw: " + str(exc))


class JsEmitter(Emitter):
    """Emitter whose payloads are converted to plain JS once per emit."""

    def emit(self, name, payload=None):
        return Emitter.emit(self, name, to_js(payload if payload is not None else {}))


class TabStore:
    """Dict-like view of sessionStorage holding JSON values (survives navigation in the tab)."""

    def _raw(self):
        try:
            return window.sessionStorage
        except Exception:
            return None

    def __contains__(self, key):
        s = self._raw()
        return s is not None and s.getItem(key) is not javascript.NULL

    def __getitem__(self, key):
        s = self._raw()
        raw = s.getItem(key) if s is not None else javascript.NULL
        if raw is javascript.NULL:
            raise KeyError(key)
        return from_js(window.JSON.parse(raw))

    def get(self, key, default=None):
        try:
            return self[key]
        except Exception:
            return default

    def __setitem__(self, key, value):
        s = self._raw()
        if s is not None:
            s.setItem(key, window.JSON.stringify(to_js(value)))

    def __delitem__(self, key):
        s = self._raw()
        if s is not None:
            s.removeItem(key)


def _random():
    return window.Math.random()


def _emit_sample(visitor, name):
    """Test seam (only with data-check-payloads): fire `name` with the catalogue's
    sample payload through the real emitter; callbacks record their calls."""
    from .catalogue import sample_payload

    def make_callback(field):
        def callback(*args):
            window.__glanceSampleCalls.push(name + "." + field)
        return callback
    if not hasattr(window, "__glanceSampleCalls"):
        window.__glanceSampleCalls = window.Array.new()
    return visitor.emit(name, sample_payload(name, make_callback))


def start():
    """Build the Visitor for this page and attach it to the loader."""
    loader = window.GLANCE.Cobrowse._loader
    attrs = from_js(loader.config) or {}
    gc = from_js(window.GLANCE_COBROWSE) if hasattr(window, "GLANCE_COBROWSE") else None
    config, problems = parse_config(attrs, gc if isinstance(gc, dict) else None)
    config["base"] = attrs.get("base")
    emitter = JsEmitter(_report_handler_error)
    store = TabStore()
    check = bool(loader.checkPayloads) if hasattr(loader, "checkPayloads") else False
    visitor = Visitor(config, emitter, store, connect=connection.connector(config), rand=_random,
                      check_payloads=check, ui=ui.DefaultUI(config) if config["ui"] != "none" else None)

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
        impl["_emitSample"] = exported(lambda name: _emit_sample(visitor, name))
    receiver = invoke_receiver.Receiver(visitor, config)
    # Features and the UI first: attach() replays the page's early calls
    # (startSession), whose session must already know every agent action and listener.
    feature_set.install(visitor, config)
    if visitor.ui is not None:
        visitor.ui.bind(visitor)
    loader.attach(to_js(impl), receiver.on_message)
    record = store.get(STORE_KEY)
    if visitor.state == "idle" and config["groupid"] is not None:
        if isinstance(record, dict) and record.get("key"):
            visitor.resume(record)
        else:
            shared = connection.shared_session(SHARED_MAX_AGE_MS)
            if shared is not None and shared.get("groupid") in groups_of(config):
                # Another tab of this site is in a session: join it as this tab.
                visitor.resume({"key": shared["key"], "groupid": shared["groupid"], "random": shared.get("random"),
                                "resume": shared["resume"], "resumed": True})
    return visitor


VISITOR = start()
