"""The default UI's part for the visitor's own media: consent for visitor video and
visitor screen share, and a bar saying what is shared while it is shared.

Browser shell. ui.DefaultUI creates a MediaUI and calls `bind(visitor)`
(never with data-ui="none"). It listens to the public events only:

* visitorvideorequested / visitorscreensharerequested {accept, decline}: a
  consent dialog (the same Dialog and queue as remote control: role=dialog,
  focus on Decline, Escape declines). The page handles a request itself when
  one of its own handlers answers it while the event is dispatched (or in a
  promise callback right after): then no dialog appears. A dialog on screen
  leaves when the request is answered elsewhere (…accepted / …declined), or
  replaced by a newer request of the same kind.
* visitorvideo {camerastatus: available} shows "Your camera is shared with the
  agent" with Stop (visitorvideopaused / visitorvideoresumed change the line);
  visitorvideoended hides it. visitorscreensharestarted
  shows "Your screen is shared with the agent" with Pause/Resume and Stop;
  visitorscreensharepaused switches the first button; visitorscreenshareended
  hides it. sessionend hides both.
Stop and Pause call the feature's own end_video() / end_screen() /
pause_screen(), the paths the agent's videoend / pausevisitorscreenshare use,
so the documented ending events fire and reach the agents.
"""

from browser import document, window

from . import styles
from .jsconv import guarded, is_absent as _none

STYLE_ID = "glance-ui-media-style"
CSS = """
.glance-ui-media-bar{position:fixed;z-index:2147483646;left:50%;transform:translate(-50%,0);display:flex;
 align-items:center;gap:8px;background:#111;color:#fff;padding:6px 10px;border-radius:8px;
 font:13px/1.4 system-ui,sans-serif;box-shadow:0 4px 16px rgba(0,0,0,.3)}
#glance_visitorscreen_bar{top:8px}
#glance_visitorvideo_bar{top:52px}
.glance-ui-media-bar p{margin:0}
.glance-ui-media-bar button{font:inherit;padding:3px 9px;border-radius:5px;border:1px solid #fff;background:#111;
 color:#fff;cursor:pointer}
.glance-ui-media-bar button.glance-ui-media-stop{background:#b91c1c;border-color:#b91c1c}
.glance-ui-media-bar button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.glance-a11y .glance-ui-media-bar{font-size:18px;background:#000;color:#fff;border:2px solid #ff0}
.glance-a11y .glance-ui-media-bar button{background:#000;color:#ff0;border:2px solid #ff0}
"""

# request event -> (title, text, accept label, decline label)
CONSENTS = {
    "visitorvideorequested": ("Share your camera", "The agent asks to see you: the picture of your camera "
                              "goes to the agent until you stop it.", "Share my camera", "Decline"),
    "visitorscreensharerequested": ("Share your screen", "The agent asks to see your screen. Your browser "
                                    "then asks which screen, window or tab to share; you can stop at any time.",
                                    "Share my screen", "Decline"),
}
# request event -> the VisitorMedia attribute holding its offers.Offer
OFFER_OF = {"visitorvideorequested": "video_offer", "visitorscreensharerequested": "screen_offer"}
ANSWERED_BY = {"visitorvideoaccepted": "visitorvideorequested", "visitorvideodeclined": "visitorvideorequested",
               "visitorscreenshareaccepted": "visitorscreensharerequested",
               "visitorscreensharedeclined": "visitorscreensharerequested"}
# bar -> (element id, what it says, what Stop says to a screen reader)
BARS = {"video": ("glance_visitorvideo_bar", "Your camera is shared with the agent.", "Stop sharing your camera"),
        "screen": ("glance_visitorscreen_bar", "Your screen is shared with the agent.", "Stop sharing your screen")}


def _guard(name, fn):
    return guarded("default UI " + name, fn)


def _field(payload, name):
    if _none(payload):
        return None
    try:
        v = getattr(payload, name)
    except Exception:
        return None
    return None if _none(v) else v


class MediaUI:
    """Consent dialogs and 'shared' bars for the visitor's camera and screen (see the module docstring)."""

    def __init__(self, ui):
        self.ui = ui
        self.visitor = None
        self.bars = {}       # "video" | "screen" -> the bar element on screen

    def bind(self, visitor):
        """Subscribe to the Visitor's events; DefaultUI.bind calls it."""
        self.visitor = visitor
        on = visitor.emitter.on
        for kind in CONSENTS:
            on(kind, _guard(kind, lambda p, kind=kind: self._requested(kind, p)))
        for name, kind in ANSWERED_BY.items():
            on(name, _guard(name, lambda p, kind=kind: self.ui.withdraw(kind)))
        on("visitorvideo", _guard("visitorvideo", self._on_video))
        on("visitorvideoended", _guard("visitorvideoended", lambda p: self.hide("video")))
        on("visitorvideopaused", _guard("visitorvideopaused", lambda p: self._video_line(True)))
        on("visitorvideoresumed", _guard("visitorvideoresumed", lambda p: self._video_line(False)))
        on("visitorscreensharestarted", _guard("visitorscreensharestarted", lambda p: self._on_screen(False)))
        on("visitorscreensharepaused", _guard("visitorscreensharepaused", lambda p: self._on_screen(True)))
        on("visitorscreenshareended", _guard("visitorscreenshareended", lambda p: self.hide("screen")))
        on("sessionend", _guard("media sessionend", lambda p: self.hide(None)))

    def _media(self):
        for f in getattr(self.visitor, "features", ()):
            if hasattr(f, "end_screen") and hasattr(f, "end_video"):   # visitor_video.VisitorMedia
                return f
        return None

    # --- consent ----------------------------------------------------------------
    def _requested(self, kind, payload):
        accept, decline = _field(payload, "accept"), _field(payload, "decline")
        media = self._media()
        if accept is None or decline is None or media is None:
            return
        offer = getattr(media, OFFER_OF[kind], None)

        def ask():
            if getattr(media, OFFER_OF[kind], None) is not offer:
                return                 # replaced by a newer request: its own turn comes
            self.ui.withdraw(kind)     # a dialog of an older request answers nothing any more
            if offer is not None and offer.pending:    # else the page's own handler answered it
                self.ui.ask(kind, CONSENTS[kind], accept, decline)
        # after every handler of this dispatch (and their promise callbacks) had its turn
        window.setTimeout(_guard(kind + " consent", ask), 0)

    # --- shared bars --------------------------------------------------------------
    def _on_video(self, payload):
        if _field(payload, "camerastatus") == "available":
            self.show("video")

    def _video_line(self, paused):
        bar = self.bars.get("video")
        if bar is not None:
            bar.querySelector("p").textContent = ("Your camera is paused: the agent sees no picture."
                                                  if paused else BARS["video"][1])

    def _on_screen(self, paused):
        bar = self.show("screen")
        if bar is None:
            return
        pause = bar.querySelector(".glance-ui-media-pause")
        pause.textContent = "Resume" if paused else "Pause"
        pause.setAttribute("aria-label", "Resume sharing your screen" if paused else "Pause sharing your screen")
        bar.querySelector("p").textContent = ("Your screen share is paused." if paused else BARS["screen"][1])

    def show(self, which):
        """The bar `which` ("video" or "screen"), put on screen if it is not there; None
        while the media part is not loaded (then nothing is shared: no bar to show)."""
        bar = self.bars.get(which)
        if bar is not None and not _none(bar.parentNode):
            return bar
        media = self._media()
        if media is None:
            return None
        styles.ensure(STYLE_ID, CSS)
        bar_id, text, stop_label = BARS[which]
        bar = document.createElement("div")
        bar.id = bar_id
        bar.className = "glance-ui-media-bar"
        bar.setAttribute("role", "region")
        bar.setAttribute("aria-label", "Shared with the agent")
        line = document.createElement("p")
        line.setAttribute("role", "status")
        line.setAttribute("aria-live", "polite")
        line.textContent = text
        bar.appendChild(line)
        if which == "screen":
            self._button(bar, "Pause", "glance-ui-media-pause", "Pause sharing your screen",
                         lambda: media.pause_screen(not media.screen["paused"]) if media.screen is not None else None)
            self._button(bar, "Stop", "glance-ui-media-stop", stop_label, media.end_screen)
        else:
            self._button(bar, "Stop", "glance-ui-media-stop", stop_label, media.end_video)
        document.body.appendChild(bar)
        self.bars[which] = bar
        return bar

    def _button(self, bar, label, cls, aria_label, action):
        b = document.createElement("button")
        b.type = "button"
        b.className = cls
        b.textContent = label
        b.setAttribute("aria-label", aria_label)
        b.addEventListener("click", _guard(cls, lambda ev: action()))
        bar.appendChild(b)

    def hide(self, which):
        """Remove the bar `which` (both when None)."""
        for name in (("video", "screen") if which is None else (which,)):
            bar = self.bars.pop(name, None)
            if bar is not None and not _none(bar.parentNode):
                bar.parentNode.removeChild(bar)
