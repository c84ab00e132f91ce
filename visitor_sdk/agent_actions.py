"""The agent action catalogue: every agent_action an agent may send, as data.

The other direction of catalogue.py: each action's name, group, doc line,
payload fields (field_specs.py, the mini-language the event catalogue uses),
what the page fires, the visitor's answers and the refusal reasons. Read by
the service (session_server/action_checks.py validates every agent payload
with `validate_action` and answers `error bad_frame` for a bad one), the
Python agent client (`AGENT_ACTIONS` is built from `summaries()`), the
generated action table of docs/protocol.md (scripts/gen_docs.py,
`actions_markdown()`), and the tests that check each visitor feature
registers its handlers by these names.

Pure Python (imports only field_specs). The service checks shapes and types;
the visitor still checks what only the page can know (the element exists, is
not masked, remote control is on) and answers with a refusal reason.

`rcevent` has one payload per `type` (`RC_TYPES`): `validate_action`
checks the common fields and that type's own.
"""

from . import field_specs as _fs
from .field_specs import F

GROUPS = ("session", "remote control", "navigation and gestures", "guests, documents, reverse",
          "agent share", "visitor video and screen share", "cobrowse view")

MAX_VALUE_LEN = 10000
KEYS = ("Enter", "Tab", "Escape", "Backspace", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight")
MODIFIERS = F("modifiers", "object", optional=True, fields=(
    F("shift", "boolean", optional=True), F("ctrl", "boolean", optional=True),
    F("alt", "boolean", optional=True), F("meta", "boolean", optional=True)))
# An element: gid: N or path: '[data-gid="N"]' (one of them; the visitor refuses a path it cannot read).
TARGET = (F("gid", "number", optional=True), F("path", "string", optional=True))

# rcevent's payload per type (beyond `type` and the element, TARGET).
RC_TYPES = {
    "click": (F("x", "number", optional=True), F("y", "number", optional=True), MODIFIERS),
    "dblclick": (),
    "agenttyping": (F("value", "string", optional=True),),
    "inputchange": (F("value", "string", optional=True),),
    "key": (F("key", "string"), MODIFIERS),
    "focus": (),
    "scroll": (F("x", "number"), F("y", "number")),
}
RC_TYPE_NAMES = ("click", "dblclick", "agenttyping", "inputchange", "key", "focus", "scroll")
# rcevent types whose element is optional (key: the focused element; scroll: the page).
RC_TARGET_OPTIONAL = ("key", "scroll")

RC_REASONS = (
    ("badpayload", "not one of the documented shapes (a path that is not [data-gid=\"N\"], a key that is not "
                   "one of the named keys or one printable character, a value over 10,000 characters)"),
    ("notenabled", "remote control is off"),
    ("paused", "the session is paused"),
    ("notfound", "no element with that data-gid (key without gid: nothing is focused)"),
    ("nottypable", "typing into something that is not a text-like input, textarea or <select> "
                   "(inputchange), or is read-only or disabled"),
    ("notedited", "inputchange without a value on a field the agent did not type into"),
    ("noscroll", "scroll of an element that cannot scroll"),
    ("password", "a password input"),
    ("masked", "masked by glance_masked or a group selector (clicks, keys and focus are refused too)"),
    ("maskingunknown", "the group's masking selectors are not loaded: refused until they are"),
    ("maskingerror", "a group selector cannot be evaluated"),
    ("pending", "rcrequest while a request waits for the visitor"),
)


def A(name, group, doc, payload=(), page="", answers="", reasons=(), open_=False, server_only=False):
    """Describe one agent action (see the module docstring). `open_`: fields beyond `payload` pass
    (the visitor's own checks answer them: media signalling)."""
    return {"name": name, "group": group, "doc": doc, "payload": tuple(payload), "page": page,
            "answers": answers, "reasons": tuple(reasons), "open": open_, "server_only": server_only}


VIEW = F("screenshareView", "string", optional=True)

ACTIONS = (
    A("pause", "session", "pause or unpause the session",
      [F("paused", "boolean")], "sessionpaused {paused} (only when it changes)",
      "sessionpaused {paused} (ref) when it changed; while paused nothing of the page is sent"),
    A("rcrequest", "remote control", "ask the visitor for remote control",
      [], "rcrequested {accept, decline} (the default UI asks)",
      "rcaccepted (ref) then rcenabled {enabled: true}; or rcdeclined (ref); rcenabled {enabled: true} (ref) "
      "when already on; rcrefused {reason: 'pending'} (ref) while a request waits", ["pending"]),
    A("rcend", "remote control", "stop remote control (a waiting request is withdrawn)",
      [], "rcenabled {enabled: false} when it was on",
      "rcenabled {enabled: false, by: 'agent'} (ref); rcenabled {enabled: false} (ref) when it was not on"),
    A("rcevent", "remote control", "a remote-control action on the visitor's page",
      [F("type", "string", list(RC_TYPE_NAMES))] + list(TARGET),
      "rcevent {type, agent: {username, puid, num}, path?, value?, key?, x?, y?}",
      "rcevent {type, path?, value?, key?, x?, y?} (ref; value: what the field now holds, x/y: the scroll "
      "offsets reached); or rcrefused {reason, type?, path?, value?} (ref; value: for a refused edit of a "
      "field, the field's value as the agent's copy shows it, masked: put it back)",
      [r for r, _ in RC_REASONS if r != "pending"]),
    A("navigate", "navigation and gestures", "navigate the visitor to a URL of the site, or back / forward",
      [F("url", "string", optional=True), F("direction", "string", ["url", "back", "forward"], optional=True)],
      "navigation {url, direction: 'url'} or navigation {direction}, then the page navigates",
      "navigation (ref); or navigationrefused {reason, url?} (ref)",
      ["badpayload", "badurl", "crossorigin", "nohistory"]),
    A("outline", "navigation and gestures", "gesture on the page: a box at {x, y[, w, h]} or an element's box",
      [F("x", "number", optional=True), F("y", "number", optional=True), F("w", "number", optional=True),
       F("h", "number", optional=True)] + list(TARGET),
      "outline {x, y, path?, agentnum} (the default UI shows a box)",
      "nothing on success; outlinerefused {reason, path?} (ref)", ["badpayload", "notfound"]),
    A("addguest", "guests, documents, reverse", "ask the visitor to admit a guest",
      [F("name", "string", optional=True)], "addguestrequested {accept, decline}",
      "addguestaccepted {name, guest: {guestid, name, expires, token}} or addguestdeclined {name} (ref)"),
    A("docshare", "guests, documents, reverse", "share a document (pdf/xlsx/xls/csv, at most 5 MB)",
      [F("name", "any", optional=True), F("url", "any", optional=True), F("size", "any", optional=True)],
      "agentdocshare {name}, documentviewed {name, agentselected: true}",
      "documentviewed {name, agentselected: true} (ref), later visitordownload {name, agentselected: true}; "
      "or docshareerror {name, reason} (ref)"),
    A("docsharerequest", "guests, documents, reverse", "ask the visitor for a document",
      [F("upload", "object", optional=True, fields=(F("ticket", "string"), F("path", "string"),
                                                     F("max_bytes", "number")))],
      "docsharerequested {accept, decline}, docsharestatus {status}",
      "docsharestatus {status: accepted|declined|started} (ref), visitordocument {name, size, url} (ref); or "
      "docshareerror {name, reason} (ref)", open_=True),
    A("agentdownload", "guests, documents, reverse", "the agent downloaded the visitor's document",
      [F("name", "string")], "agentdownload {name}", "none", server_only=True),
    A("reverse", "guests, documents, reverse", "ask the visitor to join a reverse session",
      [], "reverseconfirm {accept, decline}", "reverseaccepted or reversedeclined (ref)"),
    A("reverseend", "guests, documents, reverse", "end the reverse session",
      [], "reverseended", "reverseended {withdrawn: bool} (ref)"),
    A("screenshare", "agent share", "agent share signalling",
      [F("screenshareView", "any", optional=True), F("state", "any", optional=True),
       F("paused", "any", optional=True), F("params", "any", optional=True)],
      "screenshare {screenshareView, agentnum, state, paused, params}",
      "screenshareerror {reason: badpayload, msg} or {screenshareView, reason: noiframe}", open_=True),
    A("rtc_offer", "agent share", "the WebRTC offer of an agent share",
      [F("stream", "any", optional=True), F("sdp", "any", optional=True)], "",
      "rtc_answer {stream, to, sdp}; rtc_restart {stream, to} after each new page; viewerclosing "
      "{screenshareView, closereason: 'PlayerTooSlow'}", open_=True),
    A("rtc_answer", "agent share", "the answer to a visitor's rtc_offer",
      [F("stream", "any", optional=True), F("sdp", "any", optional=True)], "", "none", open_=True),
    A("screensharepause", "agent share", "pause the agent's share", [VIEW], "screensharepaused {screenshareView}",
      "none", open_=True),
    A("screenshareresume", "agent share", "resume the agent's share", [VIEW],
      "screenshareresumed {screenshareView}", "none", open_=True),
    A("videorequest", "visitor video and screen share", "ask the visitor to add video",
      [F("videoParams", "any", optional=True)],
      "visitorvideorequested {accept, decline} (the default UI asks)",
      "visitorvideodeclined, or visitorvideoaccepted, visitorvideocreated, visitorvideo {video, camerastatus}, "
      "visitorvideostarted {width, height} + rtc_offer {stream: 'visitorvideo'} | visitorvideoerror {error}; "
      "waitingforcamera after 5 s", open_=True),
    A("videosize", "visitor video and screen share", "change the visitor video's size",
      [F("video", "any", optional=True)], "visitorvideoresize", "visitorvideoresize {width, height}", open_=True),
    A("videoend", "visitor video and screen share", "end the visitor's video",
      [], "visitorvideoended, visitorvideostopped", "visitorvideoended, visitorvideostopped", open_=True),
    A("pauseparticipantvideo", "visitor video and screen share", "pause a participant's video (0: the visitor's)",
      [F("agentnum", "any", optional=True)], "participantvideopaused", "participantvideopaused", open_=True),
    A("visitorscreensharerequest", "visitor video and screen share", "ask the visitor to share their screen",
      [], "visitorscreensharerequested {accept, decline} (the default UI asks)",
      "visitorscreenshareaccepted, visitorscreensharestarted + rtc_offer {stream: 'visitorscreen'} | "
      "visitorscreensharedeclined | visitorscreenshareerror {error}", open_=True),
    A("pausevisitorscreenshare", "visitor video and screen share", "stop the visitor's screen share",
      [], "pausevisitorscreenshare", "visitorscreenshareended", open_=True),
    A("resync", "cobrowse view", "ask for a new full snapshot of the visitor's page",
      [], "", "dom_snapshot chunks, then dom_changes", open_=True),
)

ACTION_NAMES = tuple(a["name"] for a in ACTIONS)
AGENT_SENT = tuple(a["name"] for a in ACTIONS if not a["server_only"])
_BY_NAME = {a["name"]: a for a in ACTIONS}


def action(name):
    """The action dict for `name`, or None when it is not in the catalogue."""
    return _BY_NAME.get(name)


def _printable(key):
    return isinstance(key, str) and len(key) == 1 and key >= " " and key != "\x7f"


def validate_action(name, payload):
    """The problems with agent_action `name` carrying `payload` (empty list: valid).

    Call it where agent payloads arrive (the service, before relaying). A
    missing or null payload is an empty one.
    """
    a = _BY_NAME.get(name)
    if a is None:
        return ["unknown agent action " + repr(name)]
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        return [name + " payload should be an object"]
    if name != "rcevent":
        return _fs.check_fields(a["payload"], payload, name, open_=a["open"])
    t = payload.get("type")
    if t not in RC_TYPES:
        return _fs.check_fields(a["payload"][:1], {"type": t}, name)
    where = name + " " + t
    problems = _fs.check_fields(a["payload"] + RC_TYPES[t], payload, where)
    if payload.get("gid") is None and payload.get("path") is None and t not in RC_TARGET_OPTIONAL:
        problems.append(where + " needs gid or path")
    if t == "key" and isinstance(payload.get("key"), str):
        k = payload["key"]
        if k not in KEYS and not _printable(k):
            problems.append(where + ".key must be one of " + "|".join(KEYS) + " or one printable character")
    v = payload.get("value")
    if isinstance(v, str) and len(v) > MAX_VALUE_LEN:
        problems.append(where + ".value is longer than " + str(MAX_VALUE_LEN) + " characters")
    return problems


def summaries():
    """{name: one line} of every action an agent may send (the Python agent client's AGENT_ACTIONS)."""
    out = {}
    for a in ACTIONS:
        if a["server_only"]:
            continue
        line = a["doc"] + " " + _fs.render(a["payload"])
        if a["name"] == "rcevent":
            line += "; per type: " + "; ".join(t + " " + _fs.render(RC_TYPES[t]) for t in RC_TYPE_NAMES)
        out[a["name"]] = line + "; answers: " + a["answers"]
    return out


# Visitor answers that are not page events (docs: written as code).
ANSWER_NAMES = ("rcrefused", "navigationrefused", "outlinerefused", "docshareerror", "visitordocument",
                "reverseaccepted", "reversedeclined", "screenshareerror", "rtc_answer", "rtc_offer", "rtc_restart",
                "dom_snapshot", "dom_changes", "visitorscreenshareerror")


def _cell(text):
    return text.replace("|", "\\|") or "—"


def _names_as_code(text):
    """`text` with every event, action and answer name in backticks (the docs' convention)."""
    from .catalogue import EVENT_NAMES
    known = set(EVENT_NAMES) | set(ACTION_NAMES) | set(ANSWER_NAMES)
    out, word = [], ""
    for c in text + " ":
        if c.isalnum() or c == "_":
            word += c
            continue
        out.append("`" + word + "`" if word in known else word)
        word = ""
        out.append(c)
    return "".join(out)[:-1]


def actions_markdown():
    """docs/protocol.md's generated action table (scripts/gen_docs.py)."""
    out = ["| action | payload | page | answers | refusal reasons |", "|---|---|---|---|---|"]
    for a in ACTIONS:
        payload = "`" + _fs.render(a["payload"]) + "`"
        if a["open"]:
            payload += " (more fields: the visitor checks them)"
        if a["server_only"]:
            payload += " (sent by the service only; an agent gets `error forbidden`)"
        out.append("| `" + a["name"] + "` | " + _cell(payload) + " | " + _cell(_names_as_code(a["page"])) + " | "
                   + _cell(_names_as_code(a["answers"])) + " | " + _cell(", ".join("`" + r + "`" for r in a["reasons"])) + " |")
    out.append("")
    out.append("`rcevent` payloads by `type` (besides `type` and `gid` | `path`; `gid` may be left out for "
               + " and ".join("`" + t + "`" for t in RC_TARGET_OPTIONAL) + "):")
    out.append("")
    out.append("| type | fields |")
    out.append("|---|---|")
    for t in RC_TYPE_NAMES:
        out.append("| `" + t + "` | `" + _cell(_fs.render(RC_TYPES[t])) + "` |")
    out.append("")
    out.append("Named keys: " + ", ".join("`" + k + "`" for k in KEYS) + ", or one printable character.")
    out.append("")
    out.append("| `rcrefused` reason | when |")
    out.append("|---|---|")
    for r, why in RC_REASONS:
        out.append("| `" + r + "` | " + _cell(why) + " |")
    return "\n".join(out) + "\n"
