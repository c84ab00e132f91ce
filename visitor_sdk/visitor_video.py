"""Visitor video and visitor screen share, sent to the requesting agent over WebRTC (browser shell).

Visitor video. Agent action `videorequest` {videoParams?} fires
`visitorvideorequested {accept, decline}`; accept(videoParams) asks for the
camera (`waitingforcamera` if it has not answered after five seconds), then
fires visitorvideoaccepted {camerastatus, video, videobgfilter, videobgtype,
videopaused, videosource}, visitorvideocreated and visitorvideo {video,
camerastatus}; with a camera it offers the stream to the agent (visitor_event
`rtc_offer` {stream: 'visitorvideo', to, sdp}, answered by agent action
`rtc_answer`) and fires visitorvideostarted {width, height} once the picture
has a size (visitorvideoresize on later size changes, e.g. agent action
`videosize` {video: large|small}); without one it fires visitorvideoerror
{error: camerastatus}. toggleVideo() pauses/resumes (visitorvideopaused /
visitorvideoresumed); `pauseparticipantvideo` {agentnum} fires
participantvideopaused (agentnum 0 or absent: the visitor's video is
paused). The video continues on every page of the session (visitorvideo,
then visitorvideopaused if paused) and visitorvideo fires again when the tab
regains focus. Agent action `videoend`, the camera going away or the session
ending fire visitorvideoended then visitorvideostopped.

Visitor screen share. `visitorscreensharerequest` fires
visitorscreensharerequested {accept, decline}; accept() fires
visitorscreenshareaccepted, captures the screen (getDisplayMedia) and fires
visitorscreensharestarted as the stream goes to the agent ('visitorscreen').
The default UI (ui_media.py) asks for consent and shows a bar with Pause
(pause_screen: visitorscreensharepaused; Resume fires visitorscreensharestarted
again) and Stop (end_screen). `pausevisitorscreenshare` from
the agent fires pausevisitorscreenshare and stops the share; stopping by any
means fires visitorscreenshareended. A screen share cannot outlive its page
(the browser asks again): after a navigation it is reported ended.

Every event here is also sent to the agents as a visitor_event of the same
name (without the callbacks).
"""

import javascript
from browser import window

from . import media_core as core
from .connection import load_json, save_json
from .features import Feature
from .jsconv import from_js, to_js
from .media_rtc import Peer, guard, js_error_name, stop_media
from .offers import Offer

SCREEN_STORE_KEY = "glance_cobrowse_vscreen"


class VisitorMedia(Feature):
    """The visitor's camera and screen (feature_set.install creates it)."""

    def __init__(self, visitor, config):
        Feature.__init__(self, visitor, config)
        self.video = None        # {"params", "agentnum", "paused", "status"} while a video session runs
        self.vmedia = None
        self.vpeer = None
        self.vprobe = None       # a detached <video> telling the picture's size
        self.vsize = None
        self.wait_timer = None
        self.gen = 0             # camera attempts: late answers of an older attempt are dropped
        self.screen = None       # {"agentnum", "paused"} while the visitor shares the screen
        self.smedia = None
        self.speer = None
        self.video_offer = None
        self.screen_offer = None
        self.away = False
        self.pending_continue = False
        me = self

        def on_continue(payload):
            window.setTimeout(guard("visitor video continue", me._continue), 0)
        visitor.emitter.on("sessioncontinue", guard("visitor video continue", on_continue))

        def went_away(ev):
            # Focus moving into a frame of this page (the agent's view, a document) blurs the window
            # but the tab keeps the focus: not "away".
            if str(ev.type) == "blur" and bool(window.document.hasFocus()):
                return
            me.away = True

        def came_back(ev):
            if str(window.document.visibilityState) == "visible" and me.away:
                me.away = False
                me._report_video()
        window.addEventListener("blur", guard("blur", went_away))
        window.addEventListener("focus", guard("focus", came_back))
        window.document.addEventListener("visibilitychange", guard("visibility", lambda ev: (
            went_away(ev) if str(window.document.visibilityState) == "hidden" else came_back(ev))))

    def actions(self):
        return {"videorequest": guard("videorequest", self._on_video_request),
                "videoend": guard("videoend", lambda p, f: self.end_video()),
                "videosize": guard("videosize", self._on_video_size),
                "pauseparticipantvideo": guard("pauseparticipantvideo", self._on_pause_participant),
                "visitorscreensharerequest": guard("visitorscreensharerequest", self._on_screen_request),
                "pausevisitorscreenshare": guard("pausevisitorscreenshare", self._on_agent_stops_screen),
                "rtc_answer": guard("rtc_answer", self._on_answer)}

    # --- helpers ------------------------------------------------------------------
    def _say(self, name, payload=None):
        """Fire `name` on the page and tell the agents."""
        self.visitor.emit(name, payload)
        self.visitor.tell_agents(name, payload)

    def _agentnum(self, frame):
        agent = frame.get("agent") if isinstance(frame, dict) else None
        num = agent.get("num") if isinstance(agent, dict) else None
        return num if isinstance(num, int) else 0

    def _save(self):
        save_json("sessionStorage", core.VIDEO_STORE_KEY, self.video)
        save_json("sessionStorage", SCREEN_STORE_KEY, self.screen)

    def _on_answer(self, payload, frame):
        sig, why = core.parse_signal(payload, "answer")
        if why is not None:
            return
        peer = self.vpeer if sig["stream"] == "visitorvideo" else self.speer if sig["stream"] == "visitorscreen" else None
        if peer is not None:
            peer.accept_answer(sig["sdp"])

    def _offer(self, stream, media, agentnum):
        peer = Peer(stream)
        me = self

        def send(desc):
            me.visitor.tell_agents("rtc_offer", {"stream": stream, "to": agentnum, "sdp": desc})
        peer.offer(media, send)
        return peer

    # --- session ---------------------------------------------------------------------
    def session_opened(self, resumed):
        self.pending_continue = bool(resumed)
        if not resumed:
            self.video = None
            self.screen = None
            self._save()

    def _continue(self):
        if not self.pending_continue:
            return
        self.pending_continue = False
        saved = load_json("sessionStorage", core.VIDEO_STORE_KEY)
        if isinstance(saved, dict) and isinstance(saved.get("params"), dict):
            self.video = {"params": core.parse_video_params(saved["params"]), "agentnum": saved.get("agentnum") or 0,
                          "paused": bool(saved.get("paused")), "status": saved.get("status")}
            self._camera(first=False)
        screen = load_json("sessionStorage", SCREEN_STORE_KEY)
        if isinstance(screen, dict):
            self.screen = None
            self._save()
            self._say("visitorscreenshareended")

    def session_ended(self, reason):
        for offer in (self.video_offer, self.screen_offer):
            if offer is not None:
                offer.withdraw()
        if self.video is not None:
            self.end_video()
        if self.screen is not None:
            self.end_screen()

    # --- visitor video ---------------------------------------------------------------------
    def _on_video_request(self, payload, frame):
        if self.video is not None:
            self.visitor.tell_agents("visitorvideo", {"video": self.video["params"]["video"],
                                                      "camerastatus": self.video["status"] or "error"})
            return
        agentnum = self._agentnum(frame)
        defaults = payload.get("videoParams") if isinstance(payload, dict) else None
        if self.video_offer is not None:
            self.video_offer.withdraw()
        me = self

        def accept(*args):
            given = from_js(args[0]) if args else None
            params = core.parse_video_params(given if isinstance(given, dict) else defaults)
            me.video = {"params": params, "agentnum": agentnum, "paused": params["videopaused"], "status": None}
            me._save()
            me._camera(first=True)

        def decline(*args):
            me._say("visitorvideodeclined")
        self.video_offer = Offer(guard("video accept", accept), guard("video decline", decline))
        self.visitor.emit("visitorvideorequested", self.video_offer.callbacks())

    def _camera(self, first):
        self.gen += 1
        gen = self.gen
        params = self.video["params"]
        w, h = core.VIDEO_SIZES[params["video"]]
        constraints = {"width": {"ideal": w}, "height": {"ideal": h}}
        if params["videosource"]:
            constraints["deviceId"] = params["videosource"]
        me = self

        def waiting():
            if gen == me.gen and me.video is not None and me.video["status"] is None:
                me._say("waitingforcamera")
        if self.wait_timer is not None:
            window.clearTimeout(self.wait_timer)
        self.wait_timer = window.setTimeout(guard("waitingforcamera", waiting), core.CAMERA_WAIT_MS)

        def got(media):
            if gen != me.gen or me.video is None:
                stop_media(media)
                return
            me._camera_answer(first, "available", media)

        def failed(err):
            if gen != me.gen or me.video is None:
                return
            me._camera_answer(first, core.camera_status(js_error_name(err)), None)
        try:
            p = window.navigator.mediaDevices.getUserMedia(to_js({"video": constraints, "audio": False}))
            p.then(guard("camera", got), guard("camera error", failed))
        except Exception as exc:
            failed(None)

    def _camera_answer(self, first, status, media):
        if self.wait_timer is not None:
            window.clearTimeout(self.wait_timer)
            self.wait_timer = None
        v = self.video
        v["status"] = status
        params = v["params"]
        source = ""
        track = None
        if media is not None:
            track = media.getVideoTracks()[0]
            source = str(track.label)
            self.vmedia = media
            track.enabled = not v["paused"]
            me = self
            track.addEventListener("ended", guard("camera ended", lambda ev: me.end_video() if me.vmedia is media else None))
        self._save()
        if first:
            self._say("visitorvideoaccepted", core.accepted_payload(params, status, source))
            self._say("visitorvideocreated")
        self._say("visitorvideo", {"video": params["video"], "camerastatus": status})
        if media is None:
            self._say("visitorvideoerror", {"error": status})
            return
        if v["paused"] and not first:
            self._say("visitorvideopaused")
        self._probe(media, first)
        if self.vpeer is not None:
            self.vpeer.close()
        self.vpeer = self._offer("visitorvideo", media, v["agentnum"])

    def _probe(self, media, first):
        """visitorvideostarted once the picture has a size; visitorvideoresize when it changes."""
        video = window.document.createElement("video")
        video.muted = True
        video.setAttribute("playsinline", "")
        self.vprobe = video
        self.vsize = None
        state = {"started": not first}
        me = self

        def on_resize(ev):
            if me.vprobe is not video:
                return
            size = {"width": int(video.videoWidth), "height": int(video.videoHeight)}
            if size["width"] <= 0 or size == me.vsize:
                return
            old, me.vsize = me.vsize, size
            if not state["started"]:
                state["started"] = True
                me._say("visitorvideostarted", size)
            elif old is not None:
                me._say("visitorvideoresize", size)
        video.onresize = guard("visitorvideo size", on_resize)
        video.srcObject = media
        p = video.play()
        if p is not javascript.UNDEFINED and p is not None:
            p.catch(guard("probe", lambda err: None))

    def _report_video(self):
        v = self.video
        if v is not None and v["status"] is not None:
            self._say("visitorvideo", {"video": v["params"]["video"], "camerastatus": v["status"]})
            if v["paused"]:
                self._say("visitorvideopaused")

    def _on_video_size(self, payload, frame):
        size = payload.get("video") if isinstance(payload, dict) else None
        if self.video is None or self.vmedia is None or size not in core.VIDEO_SIZES:
            return
        self.video["params"]["video"] = size
        self._save()
        w, h = core.VIDEO_SIZES[size]
        track = self.vmedia.getVideoTracks()[0]
        track.applyConstraints(to_js({"width": {"exact": w}, "height": {"exact": h}})).catch(
            guard("videosize", lambda err: None))

    def toggle_video(self):
        """toggleVideo(): pause or resume the visitor's video; returns True when now paused."""
        v = self.video
        if v is None:
            return False
        self._set_video_paused(not v["paused"])
        self._say("visitorvideopaused" if v["paused"] else "visitorvideoresumed")
        return v["paused"]

    def _set_video_paused(self, paused):
        self.video["paused"] = paused
        if self.vmedia is not None:
            tracks = self.vmedia.getVideoTracks()
            for i in range(tracks.length):
                tracks[i].enabled = not paused
        self._save()

    def _on_pause_participant(self, payload, frame):
        target = payload.get("agentnum") if isinstance(payload, dict) else None
        self._say("participantvideopaused")
        if (target is None or target == 0) and self.video is not None and not self.video["paused"]:
            self._set_video_paused(True)

    def end_video(self):
        """End the visitor video session (agent `videoend`, the camera going away, the session ending)."""
        if self.video is None:
            return
        self.gen += 1
        self.video = None
        if self.wait_timer is not None:
            window.clearTimeout(self.wait_timer)
            self.wait_timer = None
        stop_media(self.vmedia)
        self.vmedia = None
        self.vprobe = None
        if self.vpeer is not None:
            self.vpeer.close()
            self.vpeer = None
        self._save()
        self._say("visitorvideoended")
        self._say("visitorvideostopped")

    # --- visitor screen share ----------------------------------------------------------
    def _on_screen_request(self, payload, frame):
        agentnum = self._agentnum(frame)
        if self.screen is not None:
            return
        if self.screen_offer is not None:
            self.screen_offer.withdraw()
        me = self

        def accept(*args):
            me._say("visitorscreenshareaccepted")
            me.screen = {"agentnum": agentnum, "paused": False}
            me._save()

            def got(media):
                if me.screen is None:
                    stop_media(media)
                    return
                me.smedia = media
                track = media.getVideoTracks()[0]
                track.addEventListener("ended", guard("screen ended",
                                                      lambda ev: me.end_screen() if me.smedia is media else None))
                me.speer = me._offer("visitorscreen", media, agentnum)
                me._say("visitorscreensharestarted")

            def failed(err):
                me.visitor.tell_agents("visitorscreenshareerror", {"error": js_error_name(err) or "error"})
                me.end_screen()
            try:
                window.navigator.mediaDevices.getDisplayMedia(to_js({"video": True, "audio": False})).then(
                    guard("screen", got), guard("screen error", failed))
            except Exception:
                failed(None)

        def decline(*args):
            me._say("visitorscreensharedeclined")
        self.screen_offer = Offer(guard("screen accept", accept), guard("screen decline", decline))
        self.visitor.emit("visitorscreensharerequested", self.screen_offer.callbacks())

    def pause_screen(self, paused):
        """Pause (visitorscreensharepaused) or resume (visitorscreensharestarted) the visitor's screen share."""
        s = self.screen
        if s is None or self.smedia is None or s["paused"] == paused:
            return
        s["paused"] = paused
        tracks = self.smedia.getVideoTracks()
        for i in range(tracks.length):
            tracks[i].enabled = not paused
        self._save()
        self._say("visitorscreensharepaused" if paused else "visitorscreensharestarted")

    def _on_agent_stops_screen(self, payload, frame):
        self.visitor.emit("pausevisitorscreenshare")
        self.end_screen()

    def end_screen(self):
        """Stop the visitor's screen share (visitorscreenshareended)."""
        if self.screen is None:
            return
        self.screen = None
        stop_media(self.smedia)
        self.smedia = None
        if self.speer is not None:
            self.speer.close()
            self.speer = None
        self._save()
        self._say("visitorscreenshareended")
