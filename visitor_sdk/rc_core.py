"""Remote control, navigation and gesture rules: the pure core behind the browser shells.

Pure Python (imports only other pure modules), tested on CPython with fakes.

- `RcCore` is the remote-control state machine (consent, enabled across
  pages, agent clicks and typing, the `inputchange` when an edited field is
  left). It talks to the page through a small DOM adapter (see `RcCore`),
  fires page events with `visitor.emit` and answers agents with
  `visitor.tell_agents`.
- `parse_rc_event`, `parse_navigate`, `parse_outline` check agent payloads.

Agent actions (agent_action frames; the answer's `ref` is the frame's `id`):

    rcrequest  {}                                  -> rcrequested on the page; agents get rcaccepted | rcdeclined
                                                      (+ rcenabled {enabled: true}), rcenabled {enabled: true}
                                                      when already on, or rcrefused {reason: 'pending'}
    rcend      {}                                  -> rcenabled {enabled: false} (page and agents)
    rcevent    {type: click|dblclick|agenttyping|inputchange|key|focus|scroll, gid | path, ...}
                                                   -> rc_events.py (RcEvents.on_event): rcevent on the page;
                                                      agents get rcevent {type, path?, ...} or rcrefused

Refusal reasons: RC_REASONS (rc_events' and `pending`, and the masking
reasons of masking_rules: password, masked, maskingunknown, maskingerror);
the agent action catalogue (agent_actions.py) documents each.
"""

from .features import consent
from .rc_events import (GID_ATTR, KEYS, MASK_REASONS, MAX_COORD, MAX_GID_DIGITS, MAX_VALUE_LEN, RC_REASONS,  # noqa: F401
                        RC_TYPES, TYPABLE_INPUT_TYPES, RcEvents, agent_info, gid_path, parse_gid, parse_rc_event,
                        rc_event_payload, target_of as _target, typable_reason)

RC_KEY = "glance_cobrowse_rc"      # tab store (sessionStorage): {"key": session key, "enabled": true}
MAX_URL_LEN = 2000
RC_REASONS = RC_REASONS + ("pending",) + MASK_REASONS


class RcCore(RcEvents):
    """Remote control for one page.

    `visitor` is the Visitor core (emit, tell_agents, paused, in_session,
    session, store). `dom` is the adapter RcEvents describes (find, masked,
    typable, selectable, click, dblclick, focus, focused, gid_of, set_value,
    fire_change, key, scroll, value_of).
    The shell calls `left(gid)` when an element loses focus (focusout).
    `guard(name, fn)` wraps the accept/decline callbacks handed to page JS
    (the browser shell makes them log instead of throwing into the page).
    """

    def __init__(self, visitor, dom, guard=None):
        self.visitor = visitor
        self.dom = dom
        self.guard = guard or (lambda name, fn: fn)
        self.enabled = False
        self.pending = None      # the token of a consent request waiting for the visitor
        self.edited = None       # gid of the field the agent typed into and has not left
        self.edited_agent = None
        self.announce = False    # rcenabled still to fire on this page (connected())

    # --- helpers -------------------------------------------------------------
    def _key(self):
        s = self.visitor.session
        return s.get("key") if isinstance(s, dict) else None

    def _save(self):
        self.visitor.store[RC_KEY] = {"key": self._key(), "enabled": True}

    def _forget(self):
        if RC_KEY in self.visitor.store:
            del self.visitor.store[RC_KEY]

    def _tell(self, name, payload=None, ref=None):
        self.visitor.tell_agents(name, payload, ref)

    def _report(self, name, payload=None, ref=None):
        """Tell agents about the page, unless the session is paused (then nothing of the page leaves)."""
        if not self.visitor.paused:
            self.visitor.tell_agents(name, payload, ref)

    # --- consent ---------------------------------------------------------------
    def on_request(self, payload, frame):
        """Agent action rcrequest: ask the visitor (rcrequested {accept, decline})."""
        ref = frame.get("id") if isinstance(frame, dict) else None
        if not self.visitor.in_session():
            return None
        if self.enabled:
            self._tell("rcenabled", {"enabled": True}, ref)
            return "enabled"
        if self.pending is not None:
            self._refuse_with("pending", None, ref)
            return "pending"
        token = object()
        self.pending = token

        def on_accept(*args):
            if self.pending is not token or not self.visitor.in_session():
                return
            self.pending = None
            self.enabled = True
            self._save()
            self.visitor.emit("rcaccepted")
            self.visitor.emit("rcenabled", {"enabled": True})
            self._tell("rcaccepted", None, ref)
            self._tell("rcenabled", {"enabled": True})

        def on_decline(*args):
            if self.pending is not token:
                return
            self.pending = None
            self.visitor.emit("rcdeclined")
            self._tell("rcdeclined", None, ref)

        self.visitor.emit("rcrequested", consent(self.guard("rcrequested.accept", on_accept),
                                                 self.guard("rcrequested.decline", on_decline)))
        return "asked"

    def on_end(self, payload, frame):
        """Agent action rcend: withdraw a waiting request, or turn remote control off."""
        ref = frame.get("id") if isinstance(frame, dict) else None
        self.pending = None
        if self.enabled:
            self._disable("agent", ref)
        else:
            self._tell("rcenabled", {"enabled": False}, ref)

    def stop(self):
        """The visitor turns remote control off (for a UI button); True if it was on."""
        self.pending = None
        if not self.enabled:
            return False
        self._disable("visitor", None)
        return True

    def _disable(self, by, ref):
        if self.edited is not None:
            self._finish()
        self.enabled = False
        self._forget()
        self.visitor.emit("rcenabled", {"enabled": False})
        self._tell("rcenabled", {"enabled": False, "by": by}, ref)

    # --- session -----------------------------------------------------------------
    def session_opened(self, resumed):
        """On every page of a session: remote control that was on stays on (rcenabled again once connected)."""
        rec = self.visitor.store.get(RC_KEY) if hasattr(self.visitor.store, "get") else None
        if not resumed or not isinstance(rec, dict) or not rec.get("enabled") or rec.get("key") != self._key():
            if rec is not None:
                self._forget()
            return
        self.enabled = True
        self.announce = True

    def connected(self):
        """The session connection of this page is up (the shell calls it after `sessioncontinue`):
        remote control carried over from the previous page fires rcenabled {enabled: true} again."""
        if self.announce and self.enabled and self.visitor.in_session():
            self.announce = False
            self.visitor.emit("rcenabled", {"enabled": True})
            self._tell("rcenabled", {"enabled": True})

    def session_ended(self, reason):
        """The session is over: remote control ends with it."""
        self.pending = None
        self.edited = None
        self.announce = False
        was = self.enabled
        self.enabled = False
        self._forget()
        if was:
            self.visitor.emit("rcenabled", {"enabled": False})

    # --- agent actions on the page: RcEvents.on_event (rc_events.py) --------------
    def left(self, gid):
        """An element lost focus (the shell's focusout): leaving the edited field fires inputchange."""
        if gid is not None and gid == self.edited:
            self._finish()

    def _finish(self, ref=None):
        gid, agent = self.edited, self.edited_agent
        self.edited = None
        self.edited_agent = None
        el = self.dom.find(gid)
        if el is None:
            return
        self.dom.fire_change(el)
        self.visitor.emit("rcevent", rc_event_payload("inputchange", agent or agent_info({}), gid))
        self._report("rcevent", {"type": "inputchange", "path": gid_path(gid)}, ref)


# --- navigation ------------------------------------------------------------------------
DIRECTIONS = ("back", "forward")


def parse_navigate(payload, current_origin, resolve, can_go=None):
    """Check a navigate action: ({url, direction: 'url'} | {direction}, None) or (None, reason).

    `resolve(url)` returns (href, origin, protocol) of `url` resolved against
    the current page, or None when it is not a URL. Only same-origin http(s)
    URLs are allowed (reasons: badpayload, badurl, crossorigin).
    `can_go(direction)` says whether the tab has an entry to go back / forward
    to: True, False (refused: nohistory) or None (cannot tell: allowed).
    """
    if not isinstance(payload, dict):
        return None, "badpayload"
    d = payload.get("direction")
    url = payload.get("url")
    if d is not None and d != "url":
        if d not in DIRECTIONS or url is not None:
            return None, "badpayload"
        if can_go is not None and can_go(d) is False:
            return None, "nohistory"
        return {"direction": d}, None
    if not isinstance(url, str) or not url.strip() or len(url) > MAX_URL_LEN:
        return None, "badpayload"
    r = resolve(url.strip())
    if r is None:
        return None, "badurl"
    href, origin, protocol = r
    if protocol not in ("http:", "https:") or origin != current_origin:
        return None, "crossorigin"
    return {"url": href, "direction": "url"}, None


# --- gestures ----------------------------------------------------------------------------
def _num(v, lo, hi):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    if v != v or v < lo or v > hi:  # NaN or out of range
        return None
    return v


def parse_outline(payload):
    """Check an outline action: ({gid} | {x, y[, w, h]}, None) or (None, 'badpayload').

    {x, y} are viewport coordinates; with w and h they are the top-left
    corner of a w x h box, without them the centre of a small box.
    """
    if not isinstance(payload, dict):
        return None, "badpayload"
    if payload.get("path") is not None or payload.get("gid") is not None:
        gid = _target(payload)
        if gid is None:
            return None, "badpayload"
        return {"gid": gid}, None
    x = _num(payload.get("x"), -MAX_COORD, MAX_COORD)
    y = _num(payload.get("y"), -MAX_COORD, MAX_COORD)
    if x is None or y is None:
        return None, "badpayload"
    out = {"x": x, "y": y}
    if payload.get("w") is not None or payload.get("h") is not None:
        w = _num(payload.get("w"), 1, MAX_COORD)
        h = _num(payload.get("h"), 1, MAX_COORD)
        if w is None or h is None:
            return None, "badpayload"
        out["w"], out["h"] = w, h
    return out, None


def outline_box(spec, default_size=60):
    """The box (left, top, width, height) in viewport coordinates for a {x, y[, w, h]} outline."""
    if "w" in spec:
        return spec["x"], spec["y"], spec["w"], spec["h"]
    half = default_size / 2
    return spec["x"] - half, spec["y"] - half, default_size, default_size


def outline_payload(x, y, gid, agent):
    """The page's outline payload (catalogue: x, y, path, agentnum)."""
    p = {"x": x, "y": y, "agentnum": agent["num"]}
    if gid is not None:
        p["path"] = gid_path(gid)
    return p
