"""Agent screen share and agent video, shown in the page's glance_* iframes (browser shell).

Agent actions (see media_core for the signalling): `screenshare` {screenshareView,
state: new|ended, paused, params: {type}} fires the `screenshare` event
(state 'new' / 'ended'; 'continued' after every page load while a share
lasts); `rtc_offer` {stream: view, sdp} is answered with visitor_event
`rtc_answer` {stream, to, sdp} and the stream plays in a <video> inside the
iframe named by screenshareView; `screensharepause` / `screenshareresume`
{screenshareView} fire screensharepaused / screenshareresumed. `viewerinfo`
reports the shared screen's size, the scaled view and viewer frame rates
(every STATS_MS while they change); `viewerclosing {closereason:
'PlayerTooSlow'}` fires when frames arrive but are not shown. A page without
the iframe gets an `error` event {code: 'service', msg naming the iframe id}
and the agents get `screenshareerror {screenshareView, reason: 'noiframe'}`.
With the default UI the iframe is shown, positioned and sized here; with
data-ui="none" the page does that on the events.
"""

import javascript
from browser import window

from . import log
from .features import Feature
from . import media_core as core
from .media_rtc import Peer, find_iframe, guard, play, shown_frames, video_in
from .connection import load_json, save_json

STATS_MS = 2000
VIEW_SIZES = {"glance_screenshare": (640, 400), "glance_agentvideo": (320, 240)}


class AgentShares(Feature):
    """Agent -> visitor media (feature_set.install creates it)."""

    def __init__(self, visitor, config):
        Feature.__init__(self, visitor, config)
        self.book = core.ShareBook(load_json("sessionStorage", core.SHARE_STORE_KEY))
        self.peers = {}      # view -> Peer
        self.info = {}       # view -> ViewerInfo
        self.slow = {}       # view -> SlowViewer
        self.counters = {}   # view -> (t, shown, received)
        self.timer = None
        self.reported = set()   # views whose missing iframe was reported
        self.pending_continue = False
        me = self

        def on_continue(payload):
            # after the page's own sessioncontinue handlers (ours was registered first)
            window.setTimeout(guard("screenshare continue", me._continue), 0)
        visitor.emitter.on("sessioncontinue", guard("screenshare continue", on_continue))

    def actions(self):
        return {"screenshare": guard("screenshare", self._on_share),
                "screensharepause": guard("screensharepause", lambda p, f: self._on_pause(p, True)),
                "screenshareresume": guard("screenshareresume", lambda p, f: self._on_pause(p, False)),
                "rtc_offer": guard("rtc_offer", self._on_offer)}

    # --- session ----------------------------------------------------------------
    def session_opened(self, resumed):
        self.pending_continue = bool(resumed)
        if not resumed:
            self.book = core.ShareBook()
            self._save()

    def _continue(self):
        """After sessioncontinue on a new page: `screenshare continued` and a fresh offer per share."""
        if not self.pending_continue:
            return
        self.pending_continue = False
        for share in self.book.continued():
            view = share["screenshareView"]
            self.visitor.emit("screenshare", share)
            if self._iframe(view) is not None:
                self._show(view, True)
                if share["paused"]:
                    self.visitor.emit("screensharepaused", {"screenshareView": view})
                self.visitor.tell_agents("rtc_restart", {"stream": view, "to": share["agentnum"]})

    def session_ended(self, reason):
        for view in list(self.book.shares.keys()):
            ended = self.book.end(view)
            self._close(view)
            self.visitor.emit("screenshare", ended)
        self._save()

    # --- agent actions ----------------------------------------------------------------
    def _agentnum(self, frame):
        agent = frame.get("agent") if isinstance(frame, dict) else None
        num = agent.get("num") if isinstance(agent, dict) else None
        return num if isinstance(num, int) else 0

    def _on_share(self, payload, frame):
        share, why = core.parse_share(payload, self._agentnum(frame))
        if why is not None:
            self.visitor.tell_agents("screenshareerror", {"reason": "badpayload", "msg": why})
            return
        view = share["screenshareView"]
        if share["state"] == "ended":
            ended = self.book.end(view)
            self._close(view)
            self._save()
            if ended is not None:
                self.visitor.emit("screenshare", ended)
            return
        self._close(view)
        self.reported.discard(view)
        event = self.book.start(share)
        self._save()
        self.visitor.emit("screenshare", event)
        if self._iframe(view) is not None:
            self._show(view, True)

    def _on_pause(self, payload, paused):
        view = payload.get("screenshareView", "glance_screenshare") if isinstance(payload, dict) else "glance_screenshare"
        if self.book.set_paused(view, paused):
            self._save()
            self.visitor.emit("screensharepaused" if paused else "screenshareresumed", {"screenshareView": view})

    def _on_offer(self, payload, frame):
        sig, why = core.parse_signal(payload, "offer")
        if why is not None:
            self.visitor.tell_agents("screenshareerror", {"reason": "badpayload", "msg": why})
            return
        view = sig["stream"]
        agentnum = self._agentnum(frame)
        if view not in self.book.shares:   # an offer without a share: treat it as a new forward share
            self._on_share({"screenshareView": view}, frame)
        iframe = self._iframe(view)
        if iframe is None:
            return
        old = self.peers.pop(view, None)
        if old is not None:
            old.close()
        me = self

        def on_track(media):
            video = video_in(iframe)
            if video is not None:
                me._watch(view, video)
                play(video, media)

        def on_state(state):
            if state == "failed":
                log.warn_once("rtc:" + view, "the " + view + " connection failed")
        peer = Peer(view, on_track, on_state)
        self.peers[view] = peer

        def send_answer(desc):
            me.visitor.tell_agents("rtc_answer", {"stream": view, "to": agentnum, "sdp": desc})
        peer.answer(sig["sdp"], send_answer)
        self._start_stats()

    # --- the view ------------------------------------------------------------------------
    def _iframe(self, view):
        iframe = find_iframe(view)
        if iframe is None and view not in self.reported:
            self.reported.add(view)
            self.visitor.fail("service", "screenshare: the page has no <iframe id=\"" + view + "\">; add it (hidden) "
                              "to the page before the session connects")
            self.visitor.tell_agents("screenshareerror", {"screenshareView": view, "reason": "noiframe"})
        return iframe

    def _show(self, view, visible):
        """Default UI only: show, position and size the iframe (data-ui="none" pages do it themselves)."""
        if self.visitor.ui is None:
            return
        iframe = find_iframe(view)
        if iframe is None:
            return
        if not visible:
            iframe.hidden = True
            return
        w, h = VIEW_SIZES.get(view, (480, 300))
        right = 16
        bottom = 16 if view == "glance_agentvideo" else 272
        iframe.style.cssText = ("position:fixed;z-index:2147483646;right:%dpx;bottom:%dpx;width:%dpx;height:%dpx;"
                                "border:2px solid #334;border-radius:6px;background:#000" % (right, bottom, w, h))
        iframe.hidden = False

    def _watch(self, view, video):
        """viewerinfo on every resolution change of the stream shown in `view`."""
        info = self.info.setdefault(view, core.ViewerInfo(view))
        self.slow[view] = core.SlowViewer()
        me = self

        def on_resize(ev):
            w, h = int(video.videoWidth), int(video.videoHeight)
            if w <= 0 or h <= 0:
                return
            iframe = find_iframe(view)
            box_w = int(iframe.clientWidth) if iframe is not None else 0
            box_h = int(iframe.clientHeight) if iframe is not None else 0
            payload = info.update(screen={"width": w, "height": h}, scaled=core.scaled_view(w, h, box_w, box_h))
            if payload is not None and view in me.book.shares:
                me.visitor.emit("viewerinfo", payload)
        video.onresize = guard("viewerinfo", on_resize)

    def _start_stats(self):
        if self.timer is not None:
            return
        self.timer = window.setInterval(guard("viewer stats", self._stats), STATS_MS)

    def _stats(self):
        if not self.peers:
            window.clearInterval(self.timer)
            self.timer = None
            return
        now = window.performance.now() / 1000.0
        for view, peer in list(self.peers.items()):
            iframe = find_iframe(view)
            video = video_in(iframe) if iframe is not None else None
            if video is None:
                continue
            shown = shown_frames(video)
            self._stats_one(view, peer, video, now, shown)

    def _stats_one(self, view, peer, video, now, shown):
        me = self

        def with_received(received):
            before = me.counters.get(view)
            me.counters[view] = (now, shown, received)
            if before is None or view not in me.book.shares:
                return
            dt = now - before[0]
            viewer = core.fps(shown, before[1], dt)
            display = core.fps(received, before[2], dt)
            share = me.book.shares[view]
            iframe = find_iframe(view)
            visible = iframe is not None and int(iframe.clientWidth) > 0 and not iframe.hidden
            info = me.info.setdefault(view, core.ViewerInfo(view))
            payload = info.update(stats={"fpslimit": core.FPS_LIMIT, "viewerfps": int(round(viewer)),
                                         "displayfps": int(round(display))})
            if payload is not None:
                me.visitor.emit("viewerinfo", payload)
            slow = me.slow.setdefault(view, core.SlowViewer())
            if slow.sample(display, viewer, visible and not share["paused"]):
                me.visitor.emit("viewerclosing", {"closereason": "PlayerTooSlow"})
                me.visitor.tell_agents("viewerclosing", {"screenshareView": view, "closereason": "PlayerTooSlow"})
        peer.inbound_frames(guard("viewer stats", with_received))

    def _close(self, view):
        peer = self.peers.pop(view, None)
        if peer is not None:
            peer.close()
        self.counters.pop(view, None)
        self.info.pop(view, None)
        iframe = find_iframe(view)
        if iframe is not None:
            video = video_in(iframe)
            if video is not None:
                video.srcObject = javascript.NULL
            self._show(view, False)

    def _save(self):
        save_json("sessionStorage", core.SHARE_STORE_KEY, self.book.saved())
