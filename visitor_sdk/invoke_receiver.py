"""Browser shell of the glance_invoke receiver (cross-window invoke).

The loader owns the window `message` listener and hands every message whose
data has an own `glance_invoke` property to `Receiver.on_message(m)` as a
plain JS object `{data, origin}` (it buffers up to 100 of them while the
runtime loads). This shell only moves data and calls the pure core:

1. `m.data` is copied in JS with a hard budget (nodes, depth; cycles and
   huge arrays cost nothing), so hostile data can never make the conversion
   to Python slow; values that are not plain data (Date, Map, typed arrays,
   BigInt, ...) become `Opaque` placeholders, which the checks refuse.
2. `invoke_rules.check_invoke` runs the checks in their fixed order (shape,
   origin, groupid, func, args). A failed message is dropped with exactly one
   `console.warn` naming the check and the reason; nothing else happens.
3. On success the Visitor method named by a fixed table (never `getattr`)
   is called with the normalised arguments; a ParamError / StateError (or any
   other exception) from it becomes one `console.warn`, never an exception
   into the page.

The group's trusted origins come from the session service
(GET {data-ws}/api/groups/{groupid}/public, field `trusted_origins`, through group_settings), fetched
once when the runtime starts. Messages that arrive before the answer wait in
arrival order and are checked once it is there. If the fetch fails (network
error, HTTP error, no answer within group_settings.FETCH_TIMEOUT_MS, no data-ws) nobody is
trusted: every message is dropped with a warning saying the trusted origins
could not be loaded.

Test seam: when the page's script tag has data-check-payloads, the receiver
publishes `window.__glanceInvokeStats()`, a function returning counters
{received, accepted, rejected: {check: n}, calls: {func: n}, method_errors,
waiting, trusted_state}. Pages without that attribute get nothing.
"""

import javascript
from browser import window

from .config import groups_of
from .invoke_rules import MAX_DEPTH, MAX_NODES
from .jsconv import Opaque, to_js
from .jsfiles import js
from . import group_settings, log
from .origins import parse_trusted

WARN_PREFIX = "GLANCE: glance_invoke message dropped"
MAX_WAITING = 100          # messages kept while the trusted origins load
CHECKS = ("shape", "origin", "groupid", "func", "args", "call", "overflow")

# `copy(m)` (visitor_sdk/js/invoke_copy.js) encodes m.data as nested JS arrays that Brython hands to
# Python as lists, with a hard budget: at most MAX_NODES + 2 values, nested at most MAX_DEPTH + 2
# deep, so that check_invoke still sees (and reports) a message that is too big while the copy stays
# small, and cycles or huge arrays cost nothing. Keys named like properties of Object.prototype are
# reported as a shape problem: Brython's dict keeps str keys in a plain JS object, so "__proto__" and
# "hasOwnProperty" keys break it, and no message needs them.
_copy_message = js("invoke_copy")(MAX_NODES + 2, MAX_DEPTH + 1)


def decode(v):
    """Python data from the JS encoding of `copy` (see visitor_sdk/js/invoke_copy.js); nesting is bounded there."""
    if v is None or v is javascript.NULL or v is javascript.UNDEFINED:
        return None
    if isinstance(v, (str, bool, int, float)):
        return v
    # Otherwise one of copy's tagged JS arrays.
    n = v.length
    if n == 0:
        return Opaque("empty")
    tag = v[0]
    if tag == "a":
        return [decode(v[i]) for i in range(1, n)]
    if tag == "o":
        out = {}
        i = 1
        while i + 1 < n:
            out[str(v[i])] = decode(v[i + 1])
            i += 2
        return out
    return Opaque(str(v[1]) if n > 1 else "unknown")


def _check_payloads():
    """Whether the page's script tag has data-check-payloads (the test seam)."""
    try:
        return bool(window.GLANCE.Cobrowse._loader.checkPayloads)
    except Exception:
        return False


class Receiver:
    """Checks glance_invoke messages and calls the Visitor method they name.

    Build one per page when the runtime starts (runtime.py does) and pass
    `on_message` to the loader; it fetches the trusted origins at once.
    """

    def __init__(self, visitor, config, check_invoke=None, load_settings=None):
        from .invoke_rules import check_invoke as default_check
        self.visitor = visitor
        self.config = config
        self._check = check_invoke or default_check
        self.trusted = None          # parsed entries once loaded
        self.load_error = None       # why the trusted origins could not be loaded
        self.waiting = []            # (data, origin) in arrival order
        self.stats = {"received": 0, "accepted": 0, "method_errors": 0,
                      "rejected": {c: 0 for c in CHECKS},
                      "calls": {"startSession": 0, "stopSession": 0, "showTerms": 0, "toggleVideo": 0}}
        self.methods = {
            "startSession": lambda args: visitor.start_session(args),
            "stopSession": lambda args: visitor.stop_session(),
            "showTerms": lambda args: visitor.show_terms(args),
            "toggleVideo": lambda args: visitor.toggle_video(),
        }
        if _check_payloads():
            install_stats(self)
        def ready(settings, error):
            items = settings.get("trusted_origins") if isinstance(settings, dict) else None
            if isinstance(items, list):
                self._loaded(items)
            else:
                self._failed(error or "the group settings have no trusted_origins list")
        (load_settings or group_settings.load)(config, ready)

    # --- trusted origins ------------------------------------------------------
    def _loaded(self, items):
        try:
            entries, problems = parse_trusted(items)
            for p in problems[:20]:
                log.warn_once("trusted:" + p, "trusted origin setting: " + p)
            self.trusted = entries
        except Exception as exc:
            self.trusted = None
            self.load_error = "the answer could not be read: " + str(exc)
        self._drain()

    def _failed(self, why):
        try:
            self.load_error = str(why)[:200] if why else "unknown error"
        except Exception:
            self.load_error = "unknown error"
        self.trusted = None
        self._drain()

    def ready(self):
        """True once the trusted origins loaded or failed to load."""
        return self.trusted is not None or self.load_error is not None

    def _drain(self):
        waiting, self.waiting = self.waiting, []
        for data, origin in waiting:
            self._handle(data, origin)

    # --- messages ---------------------------------------------------------------
    def on_message(self, m):
        """Handle one forwarded message {data, origin}; never raises."""
        try:
            self.stats["received"] += 1
            snap = _copy_message(m)
            origin = str(snap[1])
            problem = snap[2]
            if problem is not None and problem is not javascript.NULL:
                self._drop("shape", str(problem))
                return
            data = decode(snap[0])
        except Exception as exc:
            self._drop("shape", "the message could not be read (" + str(exc)[:100] + ")")
            return
        try:
            if not self.ready():
                if len(self.waiting) >= MAX_WAITING:
                    self._drop("overflow", "more than " + str(MAX_WAITING)
                               + " messages arrived before the trusted origins loaded")
                    return
                self.waiting.append((data, origin))
                return
            self._handle(data, origin)
        except Exception as exc:
            self._drop("shape", "the message could not be handled (" + str(exc)[:100] + ")")

    def _handle(self, data, origin):
        try:
            visitorid = self.config.get("visitor", {}).get("visitorid")
            trusted = self.trusted if self.trusted is not None else []
            result = self._check(data, origin, trusted, groups_of(self.config), visitorid)
            if not result.get("ok"):
                reason = result.get("reason", "")
                if result.get("check") == "origin" and self.trusted is None:
                    reason = ("the group's trusted origins could not be loaded (" + str(self.load_error)
                              + "), so no origin is trusted; message from " + origin[:120] + " ignored")
                self._drop(result.get("check", "shape"), reason)
                return
            func = result["func"]
            method = self.methods.get(func)
            if method is None:  # cannot happen: check_invoke only passes ALLOWED_FUNCS
                self._drop("func", "glance_invoke.func " + func + " has no receiver")
                return
            self.stats["accepted"] += 1
            self.stats["calls"][func] += 1
            try:
                method(result.get("args"))
            except Exception as exc:
                self.stats["method_errors"] += 1
                self._warn("call", func + " failed: " + str(exc)[:300])
        except Exception as exc:
            self._drop("shape", "the message could not be checked (" + str(exc)[:100] + ")")

    def _drop(self, check, reason):
        key = check if check in self.stats["rejected"] else "shape"
        self.stats["rejected"][key] += 1
        self._warn(check, reason)

    def _warn(self, check, reason):
        if check == "call":
            log.warn("GLANCE: glance_invoke " + reason)
        else:
            log.warn(WARN_PREFIX + " (" + check + " check failed): " + reason)

    # --- test seam ------------------------------------------------------------------
    def snapshot(self):
        """The counters as plain data (what window.__glanceInvokeStats() returns)."""
        out = {"received": self.stats["received"], "accepted": self.stats["accepted"],
               "method_errors": self.stats["method_errors"], "rejected": dict(self.stats["rejected"]),
               "calls": dict(self.stats["calls"]), "waiting": len(self.waiting)}
        out["trusted_state"] = "loaded" if self.trusted is not None else ("failed" if self.load_error else "loading")
        return out


def install_stats(receiver):
    """Publish window.__glanceInvokeStats() for tests (call only with data-check-payloads)."""
    def stats(*args):
        return to_js(receiver.snapshot())
    window.__glanceInvokeStats = stats
