"""Screen share and video, the decisions: payloads, signalling checks, viewer statistics.

Pure Python (no imports): the browser shells (screenshare.py, visitor_video.py,
media_rtc.py, legacy.py) move media and frames and call these functions;
unit tests run them on CPython.

Signalling (WebRTC; the session service only relays frames):

- Agent -> visitor streams (agent screen share, agent video) are named by the
  iframe that shows them (`screenshareView`: glance_screenshare,
  glance_agentvideo). The agent sends agent_action `screenshare`
  {screenshareView, state: new|ended, paused, params: {type}} and then
  `rtc_offer` {stream, sdp: {type: 'offer', sdp}}; the visitor answers with
  visitor_event `rtc_answer` {stream, to: agentnum, sdp}.
- Visitor -> agent streams (`visitorvideo`, `visitorscreen`): the visitor
  sends visitor_event `rtc_offer` {stream, to: agentnum, sdp}; the agent
  answers with agent_action `rtc_answer` {stream, sdp}.
- After a page load the visitor asks for a fresh offer of an agent stream
  with visitor_event `rtc_restart` {stream, to}; visitor streams are simply
  offered again.
- ICE candidates travel inside the SDP (gathering finishes before an offer
  or answer is sent), so there is no candidate message.
"""

AGENT_VIEWS = ("glance_screenshare", "glance_agentvideo")
VISITOR_STREAMS = ("visitorvideo", "visitorscreen")
SHARE_TYPES = ("forward", "reverse")
MAX_SDP = 200000          # characters; the service's frame limit is 256 KB
FPS_LIMIT = 30            # what the agent console sends at most
SHARE_STORE_KEY = "glance_cobrowse_shares"     # sessionStorage: agent shares of this tab's session
VIDEO_STORE_KEY = "glance_cobrowse_vvideo"     # sessionStorage: the visitor video of this session
CAMERA_WAIT_MS = 5000     # waitingforcamera after this long without a camera answer

_ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"


def view_problem(view):
    """Why `view` cannot name an iframe (None when it can)."""
    if not isinstance(view, str) or not view:
        return "screenshareView must be a non-empty string"
    if len(view) > 64:
        return "screenshareView must be at most 64 characters"
    for ch in view:
        if ch not in _ID_CHARS:
            return "screenshareView may only contain letters, digits, _ and -"
    return None


def parse_share(payload, agentnum):
    """An agent's `screenshare` action -> (share, None) or (None, reason).

    share is the `screenshare` event payload {screenshareView, agentnum,
    state, paused, params: {type}}; state is 'new' or 'ended' (the visitor
    itself makes 'continued').
    """
    if not isinstance(payload, dict):
        return None, "payload must be an object"
    view = payload.get("screenshareView", "glance_screenshare")
    why = view_problem(view)
    if why:
        return None, why
    state = payload.get("state", "new")
    if state not in ("new", "ended"):
        return None, "state must be 'new' or 'ended'"
    params = payload.get("params") or {}
    if not isinstance(params, dict):
        return None, "params must be an object"
    kind = params.get("type", "forward")
    if kind not in SHARE_TYPES:
        return None, "params.type must be 'forward' or 'reverse'"
    if not isinstance(agentnum, int) or isinstance(agentnum, bool):
        agentnum = 0
    return {"screenshareView": view, "agentnum": agentnum, "state": state,
            "paused": bool(payload.get("paused", False)), "params": {"type": kind}}, None


class ShareBook:
    """The agent shares running in this session, by view (kept in sessionStorage across pages)."""

    def __init__(self, saved=None):
        self.shares = {}
        if isinstance(saved, dict):
            for view, s in saved.items():
                if isinstance(s, dict) and view_problem(view) is None:
                    self.shares[view] = {"screenshareView": view, "agentnum": s.get("agentnum", 0),
                                         "state": "continued", "paused": bool(s.get("paused")),
                                         "params": {"type": (s.get("params") or {}).get("type", "forward")}}

    def start(self, share):
        """Record a new share; returns the `screenshare` event payload."""
        self.shares[share["screenshareView"]] = dict(share, state="new")
        return dict(share, state="new")

    def end(self, view):
        """Forget a share; returns the `screenshare` ended payload, or None when it was not running."""
        s = self.shares.pop(view, None)
        if s is None:
            return None
        return dict(s, state="ended")

    def set_paused(self, view, paused):
        """Pause/resume a share; True when its state changed."""
        s = self.shares.get(view)
        if s is None or s["paused"] == bool(paused):
            return False
        s["paused"] = bool(paused)
        return True

    def continued(self):
        """The `screenshare` payloads to fire after a page load, one per running share."""
        return [dict(s, state="continued") for s in self.shares.values()]

    def saved(self):
        """What to keep in sessionStorage (None when nothing runs)."""
        if not self.shares:
            return None
        return {v: {"agentnum": s["agentnum"], "paused": s["paused"], "params": s["params"]}
                for v, s in self.shares.items()}


def parse_signal(payload, want_type):
    """An rtc_offer / rtc_answer payload -> ({stream, sdp: {type, sdp}, to}, None) or (None, reason)."""
    if not isinstance(payload, dict):
        return None, "payload must be an object"
    stream = payload.get("stream")
    if not isinstance(stream, str) or view_problem(stream):
        return None, "stream must name a view or visitor stream"
    sdp = payload.get("sdp")
    if not isinstance(sdp, dict) or sdp.get("type") != want_type:
        return None, "sdp must be {type: '" + want_type + "', sdp}"
    text = sdp.get("sdp")
    if not isinstance(text, str) or not text.startswith("v=0") or len(text) > MAX_SDP:
        return None, "sdp.sdp must be an SDP text of at most %d characters" % MAX_SDP
    out = {"stream": stream, "sdp": {"type": want_type, "sdp": text}}
    if isinstance(payload.get("to"), int):
        out["to"] = payload["to"]
    return out, None


# --- visitor video -----------------------------------------------------------------
VIDEO_SIZES = {"large": (640, 480), "small": (320, 240)}
BG_TYPES = ("blur", "fill", "image")


def parse_video_params(params):
    """VideoParams given to visitorvideorequested's accept() (or startSession's videoParams).

    {video: 'large'|'small', videopaused, videosource (a camera label or
    deviceId), videobgfilter, videobgtype: blur|fill|image}; unknown or badly
    typed values fall back to the defaults. Returns the full dict.
    """
    p = params if isinstance(params, dict) else {}
    out = {"video": "large", "videopaused": False, "videosource": "", "videobgfilter": False, "videobgtype": "blur"}
    if p.get("video") in VIDEO_SIZES:
        out["video"] = p["video"]
    if isinstance(p.get("videopaused"), bool):
        out["videopaused"] = p["videopaused"]
    if isinstance(p.get("videosource"), str):
        out["videosource"] = p["videosource"][:200]
    if isinstance(p.get("videobgfilter"), bool):
        out["videobgfilter"] = p["videobgfilter"]
    if p.get("videobgtype") in BG_TYPES:
        out["videobgtype"] = p["videobgtype"]
    return out


def camera_status(error_name):
    """getUserMedia's rejection (DOMException name) -> visitorvideo camerastatus."""
    if error_name in ("NotAllowedError", "SecurityError", "PermissionDeniedError"):
        return "blocked"
    if error_name in ("NotFoundError", "OverconstrainedError", "DevicesNotFoundError", "NotReadableError"):
        return "nocamera" if error_name != "NotReadableError" else "error"
    return "error"


def accepted_payload(params, status, source):
    """The visitorvideoaccepted payload."""
    return {"camerastatus": status, "video": params["video"], "videobgfilter": params["videobgfilter"],
            "videobgtype": params["videobgtype"], "videopaused": params["videopaused"],
            "videosource": source or params["videosource"] or ""}


# --- viewer information ------------------------------------------------------------
def scaled_view(w, h, box_w, box_h):
    """The size of a w x h picture shown whole ('contain') in a box_w x box_h box."""
    if w <= 0 or h <= 0 or box_w <= 0 or box_h <= 0:
        return {"width": 0, "height": 0}
    scale = min(box_w / w, box_h / h)
    return {"width": int(round(w * scale)), "height": int(round(h * scale))}


class ViewerInfo:
    """Builds viewerinfo payloads holding only what changed since the last one."""

    def __init__(self, view):
        self.view = view
        self.last = {}

    def update(self, screen=None, scaled=None, stats=None):
        """Return the viewerinfo payload for the changed parts, or None when nothing changed."""
        out = {"screenshareView": self.view}
        for key, value in (("screen", screen), ("scaledview", scaled), ("glance_viewer", stats)):
            if value is None:
                continue
            if key == "glance_viewer":
                value = {"stats": value}
            if self.last.get(key) != value:
                self.last[key] = value
                out[key] = value
        return out if len(out) > 1 else None


class SlowViewer:
    """Decides when a viewer cannot keep up (viewerclosing {closereason: 'PlayerTooSlow'}).

    Feed one `sample(received_fps, shown_fps, active)` every few seconds;
    `active` is False while the share is paused or its view is hidden. The
    viewer is too slow after `limit` samples in a row where frames arrive
    (received >= min_received) but fewer than `min_shown` per second are
    shown. Returns True once, on the sample that decides.
    """

    def __init__(self, limit=3, min_received=5.0, min_shown=1.0):
        self.limit = limit
        self.min_received = min_received
        self.min_shown = min_shown
        self.count = 0
        self.closed = False

    def sample(self, received_fps, shown_fps, active=True):
        if self.closed:
            return False
        if active and received_fps >= self.min_received and shown_fps < self.min_shown:
            self.count += 1
        else:
            self.count = 0
        if self.count >= self.limit:
            self.closed = True
            return True
        return False


def fps(frames_now, frames_before, seconds):
    """Frames per second between two frame counters (rounded to one decimal, never negative)."""
    if seconds <= 0 or frames_now < frames_before:
        return 0.0
    return round((frames_now - frames_before) / seconds, 1)


# --- legacy cross-domain continuation: continue_rules.py (the feature chunk needs it without the media part)
from .continue_rules import CONTINUE_PARAMS, continue_query, parse_continue  # noqa: E402,F401
