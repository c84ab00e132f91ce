"""Agent gestures: an outline drawn on the visitor's page for a moment.

Browser shell around rc_core.parse_outline. Agent action `outline` with
{x, y} (viewport coordinates: a small box centred there), {x, y, w, h} (a
box with that top-left corner and size) or {path: '[data-gid="N"]'} / {gid}
(the element's box). The page fires `outline {x, y, path?, agentnum}` (x, y:
the agent's point, or the element's top-left corner, in viewport coordinates; an element inside
same-origin iframes is placed by its box plus its frames' boxes) and, unless the script
tag has data-ui="none", the default UI draws an absolutely positioned
bordered div (class `glance-outline`) that is removed after OUTLINE_MS. A
custom UI draws its own from the event. An unknown element or a bad payload
fires nothing; the agents get `outlinerefused {reason[, path]}`.
"""

from browser import document, window

from . import element_ids, log
from .features import Feature
from .rc_core import agent_info, gid_path, outline_box, outline_payload, parse_outline
from .jsconv import is_absent as _none
from .jsfiles import js

# An element's box in the top page's viewport, across its frames: [x, y, w, h] (visitor_sdk/js/top_box.js).
_TOP_BOX = js("top_box")

OUTLINE_MS = 2000
PAD = 4
STYLE = ("position:absolute;box-sizing:border-box;border:3px solid #ff6a00;border-radius:6px;"
         "box-shadow:0 0 0 2px rgba(255,255,255,.8),0 0 12px rgba(255,106,0,.6);"
         "pointer-events:none;z-index:2147483646;margin:0;padding:0;background:transparent;")


def draw(left, top, width, height, ms=OUTLINE_MS):
    """Draw an outline box (viewport coordinates) for `ms` milliseconds; returns the div."""
    body = document.body
    if _none(body):
        return None
    ox = window.scrollX
    oy = window.scrollY
    if str(window.getComputedStyle(body).position) != "static":
        r = body.getBoundingClientRect()
        ox, oy = -r.left + body.clientLeft, -r.top + body.clientTop
    div = document.createElement("div")
    div.className = "glance-outline"
    div.setAttribute("aria-hidden", "true")
    div.setAttribute("data-glance-outline", "")
    div.style.cssText = (STYLE + "left:" + str(left + ox) + "px;top:" + str(top + oy) + "px;width:"
                         + str(width) + "px;height:" + str(height) + "px")
    body.appendChild(div)

    def remove():
        p = div.parentNode
        if not _none(p):
            p.removeChild(div)
    window.setTimeout(remove, ms)
    return div


class Gestures(Feature):
    """The `outline` agent action (feature_set.install creates it)."""

    def actions(self):
        def outline(payload, frame):
            try:
                self.on_outline(payload, frame)
            except Exception as exc:
                log.failed("outline", exc)
        return {"outline": outline}

    def on_outline(self, payload, frame):
        ref = frame.get("id") if isinstance(frame, dict) else None
        if not self.visitor.in_session():
            return
        spec, why = parse_outline(payload)
        gid = None
        if why is None and "gid" in spec:
            gid = spec["gid"]
            el = element_ids.find(gid)
            if el is None:
                why = "notfound"
            else:
                r = _TOP_BOX(el)
                box = (r[0] - PAD, r[1] - PAD, r[2] + 2 * PAD, r[3] + 2 * PAD)
        elif why is None:
            box = outline_box(spec)
        if why is not None:
            refusal = {"reason": why}
            if gid is not None:
                refusal["path"] = gid_path(gid)
            self.visitor.tell_agents("outlinerefused", refusal, ref)
            return
        x, y = (box[0] + PAD, box[1] + PAD) if gid is not None else (spec["x"], spec["y"])
        self.visitor.emit("outline", outline_payload(x, y, gid, agent_info(frame)))
        if self.config.get("ui") != "none":
            draw(box[0], box[1], box[2], box[3])
