"""Remote-control actions on the page (agent action rcevent): checks, payloads and the handler.

Pure Python (imports only other pure modules), tested on CPython with fakes
(tests/unit/test_rc_core.py). `RcEvents` is the part of rc_core.RcCore that
acts on the page; its types and refusal reasons are those of the agent action
catalogue (agent_actions.RC_TYPE_NAMES, RC_REASONS; a unit test holds them
equal).

Payloads (the catalogue's rcevent; element: gid: N | path: '[data-gid="N"]'):

    click {gid, x?, y?, modifiers?}   dblclick {gid}   focus {gid}
    agenttyping {gid, value}          the field's whole new value
    inputchange {gid, value?}         with value: set it (text field, <select>) and fire input + change;
                                      without: leave the field the agent typed into (change)
    key {gid?, key, modifiers?}       no gid: the focused element
    scroll {gid?, x, y}               absolute offsets; no gid: the page

A refused edit of an existing field (agenttyping, inputchange with a value,
key) carries `value`: the field's value as the agent's copy shows it (masked
the way the cobrowse view masks it), so the console can put it back at once.
"""

from .capture_rules import mask_text

RC_TYPES = ("click", "dblclick", "agenttyping", "inputchange", "key", "focus", "scroll")
TARGET_OPTIONAL = ("key", "scroll")
EDITS = ("agenttyping", "inputchange", "key")
RC_REASONS = ("badpayload", "notenabled", "paused", "notfound", "nottypable", "notedited", "noscroll")
KEYS = ("Enter", "Tab", "Escape", "Backspace", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight")
MODIFIER_NAMES = ("shift", "ctrl", "alt", "meta")
MAX_VALUE_LEN = 10000
MAX_COORD = 1000000
MAX_GID_DIGITS = 12
GID_ATTR = "data-gid"
MASK_REASONS = ("password", "masked", "maskingunknown", "maskingerror")

# Input types an agent may type into (others: click them, or not at all).
TYPABLE_INPUT_TYPES = ("", "text", "search", "email", "tel", "url", "number", "date", "datetime-local",
                       "month", "week", "time", "color", "range")


def gid_path(gid):
    """The selector of element `gid`: [data-gid="N"]."""
    return '[' + GID_ATTR + '="' + str(gid) + '"]'


def _digits(s):
    if not s or len(s) > MAX_GID_DIGITS:
        return None
    for c in s:
        if c not in "0123456789":
            return None
    return int(s)


def parse_gid(value):
    """An element id from a path '[data-gid="N"]' (or an int / digit string), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 10 ** MAX_GID_DIGITS else None
    if isinstance(value, float):
        return int(value) if value == int(value) and 0 < value < 10 ** MAX_GID_DIGITS else None
    if not isinstance(value, str):
        return None
    s = value.strip()
    if len(s) > 40:
        return None
    prefix = "[" + GID_ATTR + "="
    if s.startswith(prefix) and s.endswith("]"):
        inner = s[len(prefix):-1].strip()
        if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "\"'":
            inner = inner[1:-1]
        s = inner
    n = _digits(s)
    return n if n else None


def target_of(payload):
    """The element id named by payload {path} or {gid}, or None."""
    gid = parse_gid(payload.get("path"))
    if gid is None:
        gid = parse_gid(payload.get("gid"))
    return gid


def _number(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    if v != v or v < -MAX_COORD or v > MAX_COORD:
        return None
    return v


def valid_key(key):
    """Whether `key` is a named key (KEYS) or one printable character."""
    if key in KEYS:
        return True
    return isinstance(key, str) and len(key) == 1 and key >= " " and key != "\x7f"


def parse_modifiers(value):
    """{shift, ctrl, alt, meta} booleans from a payload's modifiers (absent: all false), or None if bad."""
    out = {m: False for m in MODIFIER_NAMES}
    if value is None:
        return out
    if not isinstance(value, dict):
        return None
    for k, v in value.items():
        if k not in MODIFIER_NAMES or not isinstance(v, bool):
            return None
        out[k] = v
    return out


def parse_rc_event(payload):
    """Check an rcevent payload: ({type, gid, value, key, modifiers, x, y}, None) or (None, 'badpayload').

    `gid` is None only for key (the focused element) and scroll (the page).
    """
    if not isinstance(payload, dict):
        return None, "badpayload"
    t = payload.get("type")
    if t not in RC_TYPES:
        return None, "badpayload"
    gid = target_of(payload)
    named = payload.get("gid") is not None or payload.get("path") is not None
    if gid is None and (named or t not in TARGET_OPTIONAL):
        return None, "badpayload"
    act = {"type": t, "gid": gid, "value": None, "key": None, "modifiers": None, "x": None, "y": None}
    if t in ("agenttyping", "inputchange"):
        value = payload.get("value")
        if t == "agenttyping" and value is None:
            value = ""
        if value is not None and (not isinstance(value, str) or len(value) > MAX_VALUE_LEN):
            return None, "badpayload"
        act["value"] = value
    if t in ("click", "key"):
        mods = parse_modifiers(payload.get("modifiers"))
        if mods is None:
            return None, "badpayload"
        act["modifiers"] = mods
    if t == "key":
        if not valid_key(payload.get("key")):
            return None, "badpayload"
        act["key"] = payload["key"]
    if t in ("click", "scroll"):
        x, y = payload.get("x"), payload.get("y")
        if t == "scroll" and (x is None or y is None):
            return None, "badpayload"
        if x is not None or y is not None:
            x, y = _number(x), _number(y)
            if x is None or y is None:
                return None, "badpayload"
            act["x"], act["y"] = x, y
    return act, None


def agent_info(frame):
    """The acting agent {username, puid, num} of an agent_action frame (catalogue types)."""
    a = frame.get("agent") if isinstance(frame, dict) else None
    if not isinstance(a, dict):
        a = {}
    num = a.get("num")
    if isinstance(num, bool) or not isinstance(num, (int, float)):
        num = 0
    return {"username": str(a.get("username") or ""), "puid": str(a.get("puid") or ""), "num": num}


def rc_event_payload(type_, agent, gid, value=None, extra=None):
    """The page's rcevent payload: {type, agent, path?, value?} plus `extra` (key, x, y).

    `value` for agenttyping always, for inputchange and key when given (undefined otherwise)."""
    p = {"type": type_, "agent": agent}
    if gid is not None:
        p["path"] = gid_path(gid)
    if type_ == "agenttyping":
        p["value"] = value if isinstance(value, str) else ""
    elif isinstance(value, str):
        p["value"] = value
    if extra:
        p.update(extra)
    return p


def typable_reason(tag, type_attr, readonly, disabled):
    """Why an element cannot be typed into by an agent (nottypable), or None."""
    tag = (tag or "").lower()
    if disabled or readonly:
        return "nottypable"
    if tag == "textarea":
        return None
    if tag == "input" and (type_attr or "").strip().lower() in TYPABLE_INPUT_TYPES:
        return None
    return "nottypable"


class RcEvents:
    """The rcevent handler of RcCore (mixed in): needs self.visitor, self.dom, self.enabled,
    self.edited / edited_agent, and RcCore's _refuse_with, _report, _finish.

    DOM adapter methods used here: find(gid), masked(el), typable(el), selectable(el) -> reason or None
    (a <select> or typable field for inputchange with a value), click(el, act), dblclick(el, act),
    focus(el), focused() -> element or None, gid_of(el), set_value(el, value) -> value held,
    fire_change(el), key(el, act) -> the field's value after the key (None: not a text field),
    scroll(el | None, x, y) -> [x, y] reached or None (cannot scroll), value_of(el) -> str or None.
    """

    def on_event(self, payload, frame):
        """Agent action rcevent (see the module docstring). Returns None or the refusal reason."""
        ref = frame.get("id") if isinstance(frame, dict) else None
        act, why = parse_rc_event(payload)
        if why is not None:
            return self._refuse_with(why, payload, ref)
        if not self.enabled:
            return self._refuse_with("notenabled", payload, ref, self._find(act))
        if self.visitor.paused:
            return self._refuse_with("paused", payload, ref)
        t, gid = act["type"], act["gid"]
        el = None
        if gid is not None:
            el = self.dom.find(gid)
            if el is None:
                return self._refuse_with("notfound", payload, ref)
        elif t == "key":
            el = self.dom.focused()
            gid = self.dom.gid_of(el) if el is not None else None
            if el is None:
                return self._refuse_with("notfound", payload, ref)
        if el is not None:
            masked = self.dom.masked(el)
            if masked is not None:
                return self._refuse_with(masked, payload, ref, el, gid)
        agent = agent_info(frame)
        if t == "inputchange" and act["value"] is None:
            if self.edited != gid:
                return self._refuse_with("notedited", payload, ref, el, gid)
            self._finish(ref)
            return None
        if t == "agenttyping" or t == "inputchange":
            why = self.dom.typable(el) if t == "agenttyping" else self.dom.selectable(el)
            if why is not None:
                return self._refuse_with(why, payload, ref, el, gid)
        if self.edited is not None and self.edited != gid:
            self._finish()
        return getattr(self, "_do_" + t)(act, el, gid, agent, ref)

    def _find(self, act):
        return self.dom.find(act["gid"]) if act["gid"] is not None else None

    def _done(self, t, agent, gid, ref, value=None, extra=None):
        self.visitor.emit("rcevent", rc_event_payload(t, agent, gid, value, extra))
        answer = {"type": t}
        if gid is not None:
            answer["path"] = gid_path(gid)
        if t == "agenttyping":
            answer["value"] = value if isinstance(value, str) else ""
        elif isinstance(value, str):
            answer["value"] = value
        if extra:
            answer.update(extra)
        self._report("rcevent", answer, ref)
        return None

    def _do_click(self, act, el, gid, agent, ref):
        self.dom.click(el, act)
        return self._done("click", agent, gid, ref)

    def _do_dblclick(self, act, el, gid, agent, ref):
        self.dom.dblclick(el, act)
        return self._done("dblclick", agent, gid, ref)

    def _do_focus(self, act, el, gid, agent, ref):
        self.dom.focus(el)
        return self._done("focus", agent, gid, ref)

    def _do_agenttyping(self, act, el, gid, agent, ref):
        self.dom.focus(el)
        value = self.dom.set_value(el, act["value"])
        self.edited = gid
        self.edited_agent = agent
        return self._done("agenttyping", agent, gid, ref, value)

    def _do_inputchange(self, act, el, gid, agent, ref):
        value = self.dom.set_value(el, act["value"])
        self.dom.fire_change(el)
        if self.edited == gid:
            self.edited = None
            self.edited_agent = None
        return self._done("inputchange", agent, gid, ref, value)

    def _do_key(self, act, el, gid, agent, ref):
        value = self.dom.key(el, act)
        if value is not None and self.dom.typable(el) is None and act["key"] not in ("Tab", "Enter", "Escape"):
            self.edited = gid          # the agent edited the field: leaving it fires inputchange
            self.edited_agent = agent
        return self._done("key", agent, gid, ref, value, {"key": act["key"]})

    def _do_scroll(self, act, el, gid, agent, ref):
        reached = self.dom.scroll(el, act["x"], act["y"])
        if reached is None:
            return self._refuse_with("noscroll", {"type": "scroll", "gid": gid}, ref)
        return self._done("scroll", agent, gid, ref, None, {"x": reached[0], "y": reached[1]})

    def _refuse_with(self, reason, payload, ref, el=None, gid=None):
        """Answer rcrefused {reason, type?, path?, value?}: `value` (a refused edit of field `el`) is what
        the agent's copy shows of the field, so the console can put it back."""
        p = {"reason": reason}
        if isinstance(payload, dict):
            if payload.get("type") in RC_TYPES:
                p["type"] = payload["type"]
            g = target_of(payload)
            if g is None:
                g = gid
            if g is not None:
                p["path"] = gid_path(g)
        if el is not None and reason != "paused" and p.get("type") in EDITS:
            value = self.dom.value_of(el)
            if isinstance(value, str):
                p["value"] = mask_text(value) if reason in MASK_REASONS else value
        self._tell("rcrefused", p, ref)
        return reason
