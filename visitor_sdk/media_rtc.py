"""WebRTC peer connections and video elements for the media features (browser shell).

`Peer(stream, on_track, on_state)` wraps one RTCPeerConnection (no STUN/TURN
servers: candidates are gathered before an offer or answer leaves, so the
SDP carries them; see media_core). `play_in_iframe(iframe, stream)` puts a
<video> playing `stream` into a same-origin iframe. Every JS callback here is
a plain closure that never lets a Python exception reach JS.
"""

import javascript
from browser import window

from . import log
from .jsconv import to_js

GATHER_TIMEOUT_MS = 2000


def log_error(what, exc):
    log.failed(what, exc)


def guard(what, fn):
    """A plain function running fn(*args) that logs instead of raising."""
    def run(*args):
        try:
            return fn(*args)
        except Exception as exc:
            log_error(what, exc)
    return run


def js_error_name(err):
    """The DOMException name of a rejected promise's reason ('' when there is none)."""
    try:
        if err is None or err is javascript.NULL or err is javascript.UNDEFINED:
            return ""
        return str(err.name)
    except Exception:
        return ""


class Peer:
    """One RTCPeerConnection carrying one stream in one direction."""

    def __init__(self, stream, on_track=None, on_state=None):
        self.stream = stream
        self.closed = False
        self.pc = window.RTCPeerConnection.new(to_js({"iceServers": []}))
        me = self

        def ontrack(ev):
            try:
                if on_track is None or me.closed:
                    return
                ms = ev.streams[0] if ev.streams.length > 0 else window.MediaStream.new(to_js([ev.track]))
                on_track(ms)
            except Exception as exc:
                log_error("ontrack", exc)

        def onstate(ev):
            try:
                if on_state is not None and not me.closed:
                    on_state(str(me.pc.connectionState))
            except Exception as exc:
                log_error("connection state", exc)
        self.pc.ontrack = ontrack
        self.pc.onconnectionstatechange = onstate

    def _gathered(self, done):
        """Call done({type, sdp}) with the local description once ICE gathering completes (or times out)."""
        pc = self.pc
        state = {"sent": False}

        def send(*args):
            if state["sent"] or self.closed:
                return
            state["sent"] = True
            try:
                d = pc.localDescription
                done({"type": str(d.type), "sdp": str(d.sdp)})
            except Exception as exc:
                log_error("sending the session description", exc)

        def onchange(ev):
            if str(pc.iceGatheringState) == "complete":
                send()
        if str(pc.iceGatheringState) == "complete":
            send()
            return
        pc.addEventListener("icegatheringstatechange", onchange)
        window.setTimeout(send, GATHER_TIMEOUT_MS)

    def offer(self, media, send_offer):
        """Send `media` (a MediaStream): create an offer, then send_offer({type, sdp})."""
        pc = self.pc
        tracks = media.getTracks()
        for i in range(tracks.length):
            pc.addTrack(tracks[i], media)

        def created(desc):
            return pc.setLocalDescription(desc)

        def local_set(*args):
            self._gathered(send_offer)
        pc.createOffer().then(guard("createOffer", created)).then(guard("offer", local_set)).catch(
            guard("offer failed", lambda err: log_error("WebRTC offer failed", err)))

    def answer(self, sdp, send_answer):
        """Answer the remote offer `sdp` ({type, sdp}); then send_answer({type, sdp})."""
        pc = self.pc

        def remote_set(*args):
            return pc.createAnswer()

        def created(desc):
            return pc.setLocalDescription(desc)

        def local_set(*args):
            self._gathered(send_answer)
        pc.setRemoteDescription(to_js(sdp)).then(guard("setRemoteDescription", remote_set)).then(
            guard("createAnswer", created)).then(guard("answer", local_set)).catch(
            guard("answer failed", lambda err: log_error("WebRTC answer failed", err)))

    def accept_answer(self, sdp):
        """Apply the remote answer to our offer."""
        self.pc.setRemoteDescription(to_js(sdp)).catch(
            guard("accept answer", lambda err: log_error("WebRTC answer rejected", err)))

    def inbound_frames(self, done):
        """done(framesReceived or framesDecoded of the inbound video, or -1) from getStats()."""
        def got(report):
            best = {"n": -1}

            def each(stat, *args):
                try:
                    if str(stat.type) == "inbound-rtp" and str(stat.kind) == "video":
                        n = stat.framesDecoded
                        if n is not javascript.UNDEFINED:
                            best["n"] = int(n)
                except Exception:
                    pass
            report.forEach(each)
            done(best["n"])
        try:
            # (a connection closed meanwhile rejects: no unhandled rejection in the page)
            self.pc.getStats().then(guard("getStats", got), lambda err: None)
        except Exception as exc:
            log_error("getStats", exc)

    def close(self):
        if self.closed:
            return
        self.closed = True
        try:
            self.pc.close()
        except Exception:
            pass


def stop_media(media):
    """Stop every track of a MediaStream (None is fine)."""
    if media is None:
        return
    try:
        tracks = media.getTracks()
        for i in range(tracks.length):
            tracks[i].stop()
    except Exception as exc:
        log_error("stopping media", exc)


def find_iframe(view):
    el = window.document.getElementById(view)
    if el is javascript.NULL or el is None:
        return None
    if str(el.tagName).lower() != "iframe":
        return None
    return el


def video_in(iframe):
    """The <video> inside `iframe` (created on first use), or None when the iframe is not same-origin."""
    try:
        doc = iframe.contentDocument
        if doc is javascript.NULL or doc is None:
            return None
        body = doc.body
        if body is javascript.NULL or body is None:
            # Elements, not document.write(): no HTML sink (Trusted Types would refuse it)
            root = doc.documentElement
            if root is javascript.NULL or root is None:
                root = doc.appendChild(doc.createElement("html"))
            body = root.appendChild(doc.createElement("body"))
        video = doc.getElementById("glance_video")
        if video is javascript.NULL or video is None:
            body.style.cssText = "margin:0;background:#000;overflow:hidden"
            video = doc.createElement("video")
            video.id = "glance_video"
            video.autoplay = True
            video.muted = True
            video.setAttribute("playsinline", "")
            video.style.cssText = "width:100%;height:100%;object-fit:contain;display:block;background:#000"
            body.appendChild(video)
        return video
    except Exception as exc:
        log_error("preparing the video view", exc)
        return None


def play(video, media):
    """Show `media` in `video` (muted autoplay: no user gesture needed)."""
    video.srcObject = media
    try:
        p = video.play()
        if p is not javascript.UNDEFINED and p is not None:
            p.catch(guard("play", lambda err: None))
    except Exception as exc:
        log_error("play", exc)


def shown_frames(video):
    """How many frames `video` has presented so far (-1 when unknown)."""
    try:
        q = video.getVideoPlaybackQuality()
        return int(q.totalVideoFrames)
    except Exception:
        return -1
