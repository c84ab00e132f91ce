"""The cobrowse view on the visitor page: masked DOM snapshots and changes, sent to the agents.

Browser shell around capture_rules (the rules, the byte budget, when to send)
and the per-node walker (visitor_sdk/js/walker.js). While at least one agent is in the
session (the `agents` event), the page sends a full snapshot (`dom_snapshot`,
chunked under the frame limit), then the changes of each animation frame
(`dom_changes`) within the byte budget. A new agent, the agent action
`resync`, the end of a pause, a new masking descriptor or agents falling
behind give a new full snapshot. Nothing is sent while the session is paused.
Snapshots are spaced (capture_rules.CapturePolicy: at least
MIN_SNAPSHOT_INTERVAL_S apart, more for big or slow ones); while one is due
but not yet allowed the waiting changes are dropped and mutations are not
recorded (the walker's discard()), so a constantly changing page costs one
snapshot per interval and little in between.

Masking happens here, before anything is sent: the group's selectors
(group_settings), the built-in rules of masking_rules and capture_rules, and
the selectors of `GLANCE_COBROWSE.getMaskingDescriptor()`: a function the
page may define that returns (a Promise of) {maskedSelectors: ["css", ...]};
it is asked before every full snapshot, so a page can add selectors at run
time (then call nothing: the next snapshot uses them; or ask for one with
`GLANCE_COBROWSE` unchanged and an agent `resync`). A selector that cannot be
used fires `error {code: 'maskingerror'}` and masks the page as a whole
(`isPageMasked()` is then true).
"""

import javascript
from browser import window

from . import capture_rules as R
from . import element_ids, group_settings, log
from .features import Feature
from .jsconv import from_js, to_js
from .jsfiles import js

# visitor_sdk/js/: the walker and its two parts, the masking descriptor's question, the tick scheduler.
_make_recorder = js("walker")
_walker_parts = (js("walker_styles"), js("walker_hooks"))
_ask_descriptor = js("mask_descriptor")
_schedule = js("schedule")


def _gid_of(el):
    return element_ids._gids.gidOf(el)


def _check_payloads():
    try:
        return bool(window.GLANCE.Cobrowse._loader.checkPayloads)
    except Exception:
        return False


def _log(where, exc):
    log.failed("cobrowse view " + where, exc)


class Capture(Feature):
    """The cobrowse-view feature of a page (feature_set.install creates it)."""

    def __init__(self, visitor, config):
        Feature.__init__(self, visitor, config)
        self.policy = R.CapturePolicy()
        self.in_session = False
        self.ready = False          # the masking plan is known
        self.preparing = False
        self.scheduled = False
        self.reported = None        # the last masking error fired on the page
        # what the capture cost this page (read by tests and the benchmark through the bench seam)
        self.stats = {"snapshots": 0, "bytes": 0, "ms": 0.0, "ticks": 0, "tick_ms": 0.0, "max_tick_ms": 0.0}

        def dirty():
            try:
                self._kick()
            except Exception as exc:
                _log("dirty", exc)
        gids = getattr(element_ids, "_gids", None)
        # ensure: elements of frames and shadow roots the id observer has not reached yet get their
        # data-gid now, so the agent's copy names every element by the id remote control finds.
        gid_of = gids.ensure if gids is not None else (lambda el: javascript.NULL)
        self.rec = _make_recorder(gid_of, dirty, *_walker_parts)

        def on_agents(payload):
            try:
                self._agents(payload)
            except Exception as exc:
                _log("agents", exc)
        visitor.emitter.on("agents", on_agents)
        visitor.capture = self
        if _check_payloads():
            self._bench_seam()

    # --- Feature ---------------------------------------------------------
    def actions(self):
        def resync(payload, frame):
            try:
                self.policy.request_snapshot()
                self._prepare()
            except Exception as exc:
                _log("resync", exc)
        return {R.RESYNC: resync}

    def session_opened(self, resumed):
        self.in_session = True
        self.ready = False
        # A new page (or a resumed one): the agents get a snapshot of it.
        self.policy.request_snapshot()
        try:
            element_ids.start()
        except Exception as exc:
            _log("element ids", exc)

    def session_ended(self, reason):
        self.in_session = False
        self.policy.agents(0)
        try:
            self.rec.stop()
        except Exception as exc:
            _log("stop", exc)

    # --- agents -------------------------------------------------------------
    def _agents(self, payload):
        count = payload.count if payload is not javascript.NULL and payload is not javascript.UNDEFINED else 0
        try:
            count = int(count)
        except Exception:
            count = 0
        if not self.in_session:
            return
        if self.policy.agents(count):
            if self.policy.need_snapshot:
                self._prepare()
        else:
            self.rec.stop()

    # --- masking plan ---------------------------------------------------------
    def _prepare(self):
        """Learn the masking plan (group selectors, then the page's descriptor), then snapshot."""
        if self.preparing or not self.in_session or not self.policy.watching:
            return
        self.preparing = True

        def settings_ready(settings, error):
            try:
                self._ask_descriptor()
            except Exception as exc:
                self.preparing = False
                _log("masking settings", exc)
        group_settings.load(self.config, settings_ready)

    def _ask_descriptor(self):
        gc = window.GLANCE_COBROWSE if hasattr(window, "GLANCE_COBROWSE") else javascript.NULL

        def done(ok, value):
            try:
                self._plan(ok, value)
            except Exception as exc:
                self.preparing = False
                _log("masking descriptor", exc)
        _ask_descriptor(gc, R.DESCRIPTOR_TIMEOUT_MS, done)

    def _plan(self, ok, value):
        self.preparing = False
        extra = R.descriptor_selectors(from_js(value)) if ok else None
        rec = self.rec

        def valid(sel):
            return bool(rec.validSelector(sel))
        plan = R.masking_plan(group_settings.masking_selectors(), extra, valid)
        self.visitor.page_masked = plan["page_masked"]
        if plan["error"] and group_settings.masking_selectors() is not None and plan["error"] != self.reported:
            # (An unknown group setting is already reported by remote control's settings check.)
            self.reported = plan["error"]
            log.warn_once("masking:" + plan["error"], plan["error"])
            self.visitor.fail("maskingerror", plan["error"])
        self.rec.configure(to_js(R.walker_config(plan["selector"], plan["page_masked"])))
        self.ready = True
        if self.in_session and self.policy.watching:
            self.rec.start()
            self.policy.request_snapshot()
            self._kick()

    # --- sending --------------------------------------------------------------
    def _kick(self, ms=0):
        if self.scheduled:
            return
        self.scheduled = True

        def run():
            self.scheduled = False
            t0 = window.performance.now()
            try:
                self._tick()
            except Exception as exc:
                _log("tick", exc)
            took = window.performance.now() - t0
            st = self.stats
            st["ticks"] += 1
            st["tick_ms"] += took
            if took > st["max_tick_ms"]:
                st["max_tick_ms"] = took
        _schedule(run, ms)

    def _backlog(self):
        try:
            ob = self.visitor.conn.client.outbox
            return ob.next_seq - 1 - ob.acked
        except Exception:
            return 0

    def _tick(self):
        if not self.in_session or not self.ready:
            return
        now = window.performance.now() / 1000.0
        dirty = bool(self.rec.dirty())
        pending = int(self.rec.pending()) if dirty else 0
        act = self.policy.decide(now, self.visitor.paused, self._backlog(), dirty, pending)
        if act == R.IDLE:
            self.rec.rearm()
            return
        if act == R.DROP:
            # A snapshot will replace what changed: drop it and stop recording until then.
            self.rec.discard()
            self.rec.rearm()
            self._kick(int(self.policy.delay(now) * 1000))
            return
        if act == R.WAIT:
            self._kick(int(self.policy.delay(now) * 1000))
            return
        if act == R.SEND_SNAPSHOT:
            self._send_snapshot(now)
        else:
            got = self.rec.take()
            if got is not javascript.NULL and got is not javascript.UNDEFINED:
                n = int(got.bytes)
                if self.policy.batch_fits(n):
                    self.visitor.tell_agents(R.CHANGES, got.batch)
                    self.policy.sent(n, now)
                elif self.policy.snapshot_allowed(now):
                    self._send_snapshot(now)
                else:
                    self.rec.discard()
                    self.rec.rearm()
                    self._kick(int(self.policy.delay(now) * 1000))
                    return
        self.rec.rearm()
        if self.rec.dirty():
            self._kick()

    def _send_snapshot(self, now):
        t0 = window.performance.now()
        meta = {"url": str(window.location.href)[:2000], "title": str(window.document.title)[:200]}
        snap = self.rec.snapshot(to_js(meta))
        frames, sizes = snap.frames, snap.bytes
        total = 0
        for i in range(frames.length):
            self.visitor.tell_agents(R.SNAPSHOT, frames[i])
            total += int(sizes[i])
        took = (window.performance.now() - t0) / 1000.0
        self.policy.sent(total, now, snapshot=True, duration=took)
        self.stats["snapshots"] = self.policy.snapshots
        self.stats["bytes"] = total
        self.stats["ms"] = took * 1000.0
        return total, frames.length, int(snap.nodes)

    # --- benchmark seam (data-check-payloads pages only: bench/bench_capture.py) ----------
    def _bench_seam(self):
        """window.__glanceCaptureBench: run the real snapshot / change paths on demand, timed."""
        def snapshot(*args):
            try:
                t0 = window.performance.now()
                if not self.ready:
                    self.rec.configure(to_js(R.walker_config(R.masking_plan([], [])["selector"], False)))
                    self.ready = True
                self.rec.start()
                total, frames, nodes = self._send_snapshot(window.performance.now() / 1000.0)
                return to_js({"ms": window.performance.now() - t0, "bytes": total, "frames": frames, "nodes": nodes})
            except Exception as exc:
                return to_js({"error": str(exc)})

        def flush(*args):
            try:
                t0 = window.performance.now()
                got = self.rec.take()
                n = 0
                if got is not javascript.NULL and got is not javascript.UNDEFINED:
                    n = int(got.bytes)
                    self.visitor.tell_agents(R.CHANGES, got.batch)
                self.rec.rearm()
                return to_js({"ms": window.performance.now() - t0, "bytes": n})
            except Exception as exc:
                return to_js({"error": str(exc)})
        def stats(*args):
            return to_js(self.stats)
        setattr(window, "__glanceCaptureBench", to_js({"snapshot": snapshot, "flush": flush, "stats": stats}))
