"""The visitor event catalogue: every event of GLANCE.Cobrowse.Visitor, as data.

This is the one place where event names, groups, payload fields and their
descriptions live. The emitter, payload validation, the generated loader, the
TypeScript declarations and the README's event reference all read it.

Pure Python (imports only field_specs) so it runs on CPython and inside the
Brython bundle. Read it with `EVENTS` (a tuple of event dicts, in seed order),
`EVENT_NAMES`, `event(name)` and `validate_payload(name, payload)`.

Payload fields are field specs (field_specs.py: `F(name, type, values,
optional, fields, items)`), the mini-language the agent action catalogue
(agent_actions.py) uses too.
"""

from . import field_specs as _fs

GROUPS = (
    "lifecycle",
    "abnormal",
    "information",
    "documents",
    "remote control",
    "reverse",
    "screenshare",
    "legacy",
    "video",
)

FIELD_TYPES = _fs.FIELD_TYPES
F = _fs.F


def E(name, group, doc, fields=()):
    """Describe one event: its name, group, the seed's one-line doc, its fields."""
    return {"name": name, "group": group, "doc": doc, "fields": tuple(fields)}


CONSENT = (F("accept", "function"), F("decline", "function"))
VIEW = (F("screenshareView", "string"),)
FILE_SHARED = (
    F("name", "string", optional=True),   # absent for a site link ({url})
    F("agentselected", "boolean", optional=True),
    F("visitorselected", "boolean", optional=True),
    F("url", "string", optional=True),
)
CAMERA_STATUS = ["blocked", "nocamera", "available", "error"]

AGENT_ENTRY = (
    F("username", "string", optional=True),
    F("partnerid", "number", optional=True),
    F("partneruserid", "string", optional=True),
    F("name", "string", optional=True),
    F("title", "string", optional=True),
    F("role", "string", ["agent", "guest"]),
    F("guestid", "number"),
    F("num", "number"),
    F("agentrole", "string", optional=True),
)

EVENTS = (
    # Session lifecycle
    E("leavesession", "lifecycle", "Fired when a visitor ends the session."),
    E("sessionstarting", "lifecycle",
      "A session in the process of starting; followed by sessionstart, or by error if it fails to start."),
    E("sessionstart", "lifecycle", "The session has started."),
    E("sessioncontinue", "lifecycle",
      "Fired when the session is first established, and again on every page the visitor navigates to in the session."),
    E("statereceived", "lifecycle",
      "After a navigation, the session state for the new page has arrived; read it with getSessionState()."),
    E("sessionend", "lifecycle", "The session has ended; the payload gives the reason.",
      [F("reason", "string", ["agent", "visitor", "error"])]),
    # Abnormal conditions
    E("error", "abnormal", "An error occurred; the payload gives its code and a description.",
      [F("code", "string", ["service", "conndrop", "dupkey", "maskingerror", "SCRIPT_NOT_LOADED"]),
       F("msg", "string"),
       F("params", "object", optional=True, fields=(F("script", "string", optional=True),))]),
    E("connection", "abnormal",
      "The status of the connection to the cobrowse service changed: reconnecting, or ok again.",
      [F("status", "string", ["ok", "reconnecting"])]),
    # Session information
    E("addguestaccepted", "information", "The visitor accepted a request to add a guest to the session."),
    E("addguestdeclined", "information", "The visitor declined a request to add a guest to the session."),
    E("addguestrequested", "information", "An agent requested to add a guest to the session.",
      CONSENT),
    E("accessibility", "information", "Accessibility features (such as screen-reader support) were turned on or off.",
      [F("enabled", "boolean")]),
    E("agents", "information",
      "Updated participant information: on page load and whenever an agent or guest joins or leaves.",
      [F("count", "number"), F("agentlist", "array", items=F("agent", "object", fields=AGENT_ENTRY))]),
    E("blur", "information", "Another tab or window of the same site took the session focus from this one."),
    E("focus", "information", "The visitor clicked into this window, making it the active session window."),
    E("sessionpaused", "information", "The session was paused or unpaused.",
      [F("paused", "boolean")]),
    E("navigation", "information", "The agent navigates the visitor to a new page or back/forward.",
      [F("url", "string", optional=True), F("direction", "string", ["url", "back", "forward"], optional=True)]),
    E("outline", "information", "An agent gestures on the screen.",
      [F("x", "number", optional=True), F("y", "number", optional=True),
       F("path", "string", optional=True), F("agentnum", "number", optional=True)]),
    # Document sharing
    E("agentdocshare", "documents", "An agent shares a document.",
      [F("name", "string", optional=True)]),
    E("documentviewed", "documents",
      "The document viewer was launched; the payload says which file and who shared it.", FILE_SHARED),
    E("docsharestatus", "documents", "Visitor document sharing was accepted, declined, or started.",
      [F("status", "string", ["accepted", "declined", "started"])]),
    E("docsharerequested", "documents", "An agent requests a document share.", CONSENT),
    E("visitordownload", "documents", "The visitor downloaded a file shared by the agent.",
      [F("name", "string"), F("agentselected", "boolean")]),
    E("agentdownload", "documents", "The agent downloaded a file shared by the visitor.",
      [F("name", "string")]),
    # Remote control
    E("rcaccepted", "remote control", "The visitor accepted a request for remote control."),
    E("rcdeclined", "remote control", "The visitor declined a request for remote control."),
    E("rcrequested", "remote control",
      "An agent requests remote control; call accept() or decline() with the visitor's answer.", CONSENT),
    E("rcenabled", "remote control",
      "Remote control started or ended; fires again on every page while remote control is active.",
      [F("enabled", "boolean")]),
    E("rcevent", "remote control", "The agent performed an action in the visitor's browser.",
      [F("type", "string", ["click", "dblclick", "agenttyping", "inputchange", "key", "focus", "scroll"]),
       F("agent", "object", fields=(F("username", "string"), F("puid", "string"), F("num", "number"))),
       F("path", "string", optional=True),    # absent only for a scroll of the page
       F("value", "string", optional=True),
       F("key", "string", optional=True),     # key: the key pressed
       F("x", "number", optional=True),       # scroll: the offsets reached
       F("y", "number", optional=True)]),
    # Reverse sessions
    E("reverseconfirm", "reverse",
      "An agent asks the visitor to join a reverse session; call accept() or decline().", CONSENT),
    E("reverseended", "reverse",
      "The agent ended a reverse session; hide a confirmation dialog that is still waiting."),
    # Screenshare
    E("pausevisitorscreenshare", "screenshare", "The agent stopped the visitor's screenshare."),
    E("screenshare", "screenshare",
      "A screenshare session started, continued after a page load, or ended; show the named iframe.",
      [F("screenshareView", "string"), F("agentnum", "number"),
       F("state", "string", ["new", "continued", "ended"]), F("paused", "boolean"),
       F("params", "object", fields=(F("type", "string", ["forward", "reverse"]),))]),
    E("screensharepaused", "screenshare", "The agent paused a screen share session.", VIEW),
    E("screenshareresumed", "screenshare", "The agent resumed a paused screen share session.", VIEW),
    E("viewerinfo", "screenshare",
      "Screenshare viewer information: the shared screen, the scaled view and viewer statistics.",
      [F("screenshareView", "string"),
       F("screen", "object", optional=True, fields=(F("width", "number"), F("height", "number"))),
       F("scaledview", "object", optional=True, fields=(F("width", "number"), F("height", "number"))),
       F("glance_viewer", "object", optional=True, fields=(
           F("stats", "object", fields=(F("fpslimit", "number", optional=True),
                                        F("viewerfps", "number", optional=True),
                                        F("displayfps", "number", optional=True))),))]),
    E("visitorscreenshareaccepted", "screenshare", "The visitor accepted the screen share request."),
    E("visitorscreensharedeclined", "screenshare", "The visitor declined the screen share request."),
    E("visitorscreenshareended", "screenshare", "The visitor stopped sharing their screen."),
    E("visitorscreensharepaused", "screenshare", "The visitor paused their screen share."),
    E("visitorscreensharerequested", "screenshare", "An agent requests the visitor to share their screen.",
      CONSENT),
    E("visitorscreensharestarted", "screenshare", "The visitor started sharing their screen."),
    # Legacy
    E("urlstartwarning", "legacy",
      "Deprecated: the page URL asks to continue a session on a new domain; call accept() or decline().",
      CONSENT),
    # Visitor video
    E("participantvideopaused", "video", "An agent paused a participant's video."),
    E("visitorvideo", "video",
      "A visitor video session started, resumed after navigation, or its tab regained focus.",
      [F("video", "string", ["large", "small"]), F("camerastatus", "string", CAMERA_STATUS)]),
    E("visitorvideoaccepted", "video", "The visitor agreed to add video to the session.",
      [F("camerastatus", "string", CAMERA_STATUS), F("video", "string", ["large", "small"]),
       F("videobgfilter", "boolean"), F("videobgtype", "string", ["blur", "fill", "image"]),
       F("videopaused", "boolean"), F("videosource", "string")]),
    E("visitorvideocreated", "video", "A visitor video session was created."),
    E("visitorvideodeclined", "video", "The visitor declined to add video to the session."),
    E("visitorvideoended", "video", "A visitor video session ended."),
    E("visitorvideorequested", "video",
      "The agent requested visitor video; call accept(videoParams) or decline().", CONSENT),
    E("visitorvideoresize", "video", "A video was resized.",
      [F("width", "number", optional=True), F("height", "number", optional=True)]),
    E("visitorvideostarted", "video", "The visitor video session first started; gives the video resolution.",
      [F("width", "number"), F("height", "number")]),
    E("visitorvideostopped", "video", "The visitor video session ended."),
    E("visitorvideopaused", "video", "The visitor video finished pausing after toggleVideo()."),
    E("visitorvideoresumed", "video", "The visitor video finished unpausing after toggleVideo()."),
    E("visitorvideoerror", "video", "A visitor video error occurred.",
      [F("error", "string")]),
    E("viewerclosing", "video", "Participants in a multiway video session cannot play videos.",
      [F("closereason", "string", ["PlayerTooSlow"])]),
    E("waitingforcamera", "video", "The camera has not responded for five seconds (often an unanswered permission prompt)."),
)

EVENT_NAMES = tuple(e["name"] for e in EVENTS)
_BY_NAME = {e["name"]: e for e in EVENTS}


def event(name):
    """Return the event dict for `name`, or None when it is not in the catalogue."""
    return _BY_NAME.get(name)


def is_event(name):
    """True when `name` is a documented visitor event."""
    return name in _BY_NAME


def validate_payload(name, payload):
    """Return a list of problems with `payload` for event `name` (empty: valid).

    Call it before emitting from product code paths and in tests; an event with
    no documented fields accepts an empty or missing payload.
    """
    ev = _BY_NAME.get(name)
    if ev is None:
        return ["unknown event " + repr(name)]
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        return [name + " payload should be an object"]
    return _fs.check_fields(ev["fields"], payload, name)


def edit_distance(a, b):
    """Levenshtein distance between two strings (small, dependency-free)."""
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
        prev = cur
    return prev[len(b)]


def closest_event(name):
    """The catalogue event name closest to `name` (case-insensitive edit distance)."""
    low = str(name).lower()
    best, best_d = None, None
    for candidate in EVENT_NAMES:
        d = edit_distance(low, candidate.lower())
        if best_d is None or d < best_d:
            best, best_d = candidate, d
    return best


def sample_payload(name, make_callback=None):
    """A valid payload for event `name` with every field filled (docs and tests).

    `make_callback(field_name)` supplies the callables of accept/decline fields.
    """
    if make_callback is None:
        make_callback = lambda field: (lambda *args: None)  # noqa: E731
    return {f["name"]: _fs.sample_value(f, make_callback) for f in event(name)["fields"]}
