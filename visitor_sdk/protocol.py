"""The session-service message schema, shared by the server and the Brython client.

Pure Python with no stdlib import (it runs inside the Brython bundle, which
ships no stdlib): plain dicts, tuples and functions. JSON encoding and
decoding happen in the shells (the asyncio server, the browser WebSocket
shell, the Python agent client); this module only sees decoded dicts.

Every frame is a JSON object {"v": PROTOCOL_VERSION, "type": ..., "seq": n,
...}. `seq` is 0 on control frames (hello, join, started, joined, error, ack,
ping, pong) and 1, 2, 3 ... on reliable frames, counted per connection
direction; the receiver acknowledges reliable frames with an `ack` frame (or
an "ack" field on any frame) and drops a reliable frame it has already seen.
reliability.py holds the sans-I/O Outbox/Inbox pair that does this.

Use:
  * `validate(frame, direction_or_role)` on every decoded frame: (ok, error).
  * `frame(type, seq=0, **fields)` / `error_frame(code, msg)` to build frames
    (`hello` for the visitor; the agent side's `join` and `agents` payload are
    built in session_server/agent_frames.py, which the browser bundle lacks).
  * MESSAGES (type -> spec) is the schema; docs/protocol.md describes every
    frame, field and error code in prose (tests/unit/test_protocol.py checks
    that it covers all of them). The prose stays out of this module: the
    browser bundle carries it.
"""

from .params import key_problem, VISITOR_FIELD_LIMITS

PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 256 * 1024   # encoded frame size limit, in bytes (UTF-8)
MAX_NAME_LEN = 64              # agent_action / visitor_event names
MAX_TAB_LEN = 64
MAX_TOKEN_LEN = 512

# Directions. A frame type may be valid in several directions.
V2S = "visitor->server"
S2V = "server->visitor"
A2S = "agent->server"
S2A = "server->agent"
DIRECTIONS = (V2S, S2V, A2S, S2A)
ROLE_DIRECTIONS = {"visitor": V2S, "agent": A2S}   # the sender's role, seen by the server

END_REASONS = ("visitor", "agent", "error")
AGENT_ROLES = ("agent", "guest")
PRESENCE = ("connected", "reconnecting", "gone")

# error codes carried by `error` frames (docs/protocol.md says when each is sent)
ERROR_CODES = ("service", "dupkey", "conndrop", "bad_frame", "too_large", "unknown_type", "forbidden",
               "bad_version", "bad_group", "bad_key", "unauthorized", "nosession", "out_of_order",
               "over_budget", "rate_limited", "bad_origin", "timeout",
               "loginkey_invalid", "loginkey_group", "loginkey_expired")
FATAL_ERRORS = ("service", "dupkey", "conndrop", "bad_group", "bad_key", "unauthorized", "nosession", "bad_version",
                "rate_limited", "bad_origin", "timeout", "loginkey_invalid", "loginkey_group", "loginkey_expired")


def F(kind, required=True):
    """One field spec: kind is str, int, bool, num, dict, list, any; "?" in kind allows null."""
    return (kind, required)


MESSAGES = {
    "hello": {"dirs": (V2S,), "reliable": False,
        "fields": {"group": F("int"), "key": F("str"), "tab": F("str"), "visitor": F("dict", False),
                   "page": F("dict", False), "resume": F("str?", False), "last_seq": F("int", False),
                   "acked": F("int", False), "epoch": F("str", False)}},
    "started": {"dirs": (S2V,), "reliable": False,
        "fields": {"session": F("str"), "resume": F("str"), "group": F("int"), "key": F("str"),
                   "tab": F("str"), "focused": F("bool"), "resumed": F("bool"), "exact": F("bool"),
                   "ack": F("int"), "window": F("num")}},
    "join": {"dirs": (A2S,), "reliable": False,
        "fields": {"group": F("int"), "key": F("str"), "username": F("str", False), "password": F("str", False),
                   "loginkey": F("str", False),
                   "resume": F("str?", False), "guest": F("str", False), "last_seq": F("int", False),
                   "acked": F("int", False), "epoch": F("str", False)}},
    "joined": {"dirs": (S2A,), "reliable": False,
        "fields": {"session": F("str"), "resume": F("str"), "group": F("int"), "key": F("str"),
                   "num": F("int"), "visitor": F("dict"), "exact": F("bool"), "ack": F("int"),
                   "window": F("num")}},
    "agents": {"dirs": (S2V, S2A), "reliable": True, "fields": {"count": F("int"), "agentlist": F("list")}},
    "state": {"dirs": (S2V, S2A), "reliable": True, "fields": {"state": F("dict")}},
    "agent_action": {"dirs": (A2S, S2V), "reliable": True,
        "fields": {"name": F("str"), "payload": F("any", False), "agent": F("dict", False),
                   "state": F("dict", False), "id": F("str", False), "o": F("list", False)}},
    "visitor_event": {"dirs": (V2S, S2A), "reliable": True,
        "fields": {"name": F("str"), "payload": F("any", False), "ref": F("str", False),
                   "tab": F("str", False), "state": F("dict", False), "o": F("list", False)}},
    "focus": {"dirs": (V2S, S2V), "reliable": True, "fields": {}},
    "blur": {"dirs": (S2V,), "reliable": True, "fields": {}},
    "presence": {"dirs": (S2A,), "reliable": True, "fields": {"status": F("str"), "tabs": F("int")}},
    "leave": {"dirs": (A2S,), "reliable": True, "fields": {}},
    "end": {"dirs": (V2S, A2S, S2V, S2A), "reliable": True,
        "fields": {"reason": F("str"), "msg": F("str", False)}},
    "error": {"dirs": (S2V, S2A), "reliable": False,
        "fields": {"code": F("str"), "msg": F("str"), "fatal": F("bool"), "ref_type": F("str?", False),
                   "ref_seq": F("int?", False), "retry_after": F("num", False)}},
    "ack": {"dirs": DIRECTIONS, "reliable": False, "fields": {"ack": F("int")}},
    "ping": {"dirs": DIRECTIONS, "reliable": False, "fields": {"t": F("num", False)}},
    "pong": {"dirs": DIRECTIONS, "reliable": False, "fields": {"t": F("num", False)}},
}

ENVELOPE = {"v": F("int"), "type": F("str"), "seq": F("int"), "ack": F("int", False)}


def _kind_ok(kind, value):
    if kind.endswith("?"):
        if value is None:
            return True
        kind = kind[:-1]
    if kind == "any":
        return True
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "num":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "dict":
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, (list, tuple))
    return False


def is_reliable(type_):
    """True when frames of this type are sequenced, acked and resent."""
    spec = MESSAGES.get(type_)
    return bool(spec and spec["reliable"])


def group_problem(group):
    """Why `group` is not a well-formed group id (positive int), or None."""
    if not (isinstance(group, int) and not isinstance(group, bool)) or group <= 0 or group > 999999999999999:
        return "group must be a positive integer"
    return None


def validate(msg, direction):
    """Check a decoded frame: returns (ok, error_text); never raises.

    `direction` is one of DIRECTIONS, or a sender role "visitor"/"agent"
    (frames arriving at the server). Unknown keys are allowed (forward
    compatibility); wrong types, missing fields and frames not allowed in
    this direction are not.
    """
    code, text = check(msg, direction)
    return code is None, text


def check(msg, direction):
    """Like validate, but returns (error_code, error_text); (None, None) when valid.

    The code is one of ERROR_CODES: bad_frame, bad_version, unknown_type,
    forbidden, bad_group, bad_key; the server puts it in its `error` frame.
    """
    direction = ROLE_DIRECTIONS.get(direction, direction)
    if not isinstance(msg, dict):
        return "bad_frame", "a frame must be a JSON object"
    for name in ENVELOPE:
        kind, required = ENVELOPE[name]
        if name not in msg:
            if required:
                return "bad_frame", "missing field " + name
        elif not _kind_ok(kind, msg[name]):
            return "bad_frame", "field " + name + " must be " + kind
    if msg["v"] != PROTOCOL_VERSION:
        return "bad_version", "unsupported protocol version " + str(msg["v"]) + " (this service speaks " + str(PROTOCOL_VERSION) + ")"
    type_ = msg["type"]
    spec = MESSAGES.get(type_)
    if spec is None:
        return "unknown_type", "unknown frame type " + repr(type_)[:80]
    if direction not in spec["dirs"]:
        return "forbidden", type_ + " frames may not be sent " + direction
    seq = msg["seq"]
    if spec["reliable"] and seq < 1:
        return "bad_frame", type_ + " frames need seq >= 1"
    if not spec["reliable"] and seq != 0:
        return "bad_frame", type_ + " frames carry seq 0"
    fields = spec["fields"]
    for name in fields:
        kind, required = fields[name]
        if name not in msg:
            if required:
                return "bad_frame", type_ + ": missing field " + name
        elif not _kind_ok(kind, msg[name]):
            return "bad_frame", type_ + ": field " + name + " must be " + kind
    return _check_values(type_, msg)


def _check_values(type_, msg):
    if type_ in ("hello", "join"):
        p = group_problem(msg["group"])
        if p:
            return "bad_group", p
        p = key_problem(msg["key"])
        if p:
            return "bad_key", p
    if type_ == "hello":
        tab = msg["tab"]
        if not tab or len(tab) > MAX_TAB_LEN:
            return "bad_frame", "tab must be 1-" + str(MAX_TAB_LEN) + " characters"
        visitor = msg.get("visitor") or {}
        for k in visitor:
            if k not in VISITOR_FIELD_LIMITS:
                return "bad_frame", "unknown visitor field " + repr(k)[:40]
            v = visitor[k]
            if v is not None and (not isinstance(v, str) or len(v) > VISITOR_FIELD_LIMITS[k]):
                return "bad_frame", "visitor." + k + " must be a string of at most " + str(VISITOR_FIELD_LIMITS[k]) + " characters"
    if type_ in ("hello", "join") and msg.get("resume") is not None and len(msg["resume"]) > MAX_TOKEN_LEN:
        return "bad_frame", "resume token too long"
    if type_ == "join" and "guest" in msg and len(msg["guest"]) > MAX_TOKEN_LEN:
        return "bad_frame", "guest token too long"
    if "epoch" in msg and not 0 < len(msg["epoch"]) <= MAX_TAB_LEN:
        return "bad_frame", "epoch must be 1-" + str(MAX_TAB_LEN) + " characters"
    for k in ("last_seq", "acked", "ack"):
        if k in msg and msg[k] < 0:
            return "bad_frame", k + " must be >= 0"
    if type_ in ("agent_action", "visitor_event"):
        name = msg["name"]
        if not name or len(name) > MAX_NAME_LEN:
            return "bad_frame", type_ + ": name must be 1-" + str(MAX_NAME_LEN) + " characters"
    if type_ == "end" and msg["reason"] not in END_REASONS:
        return "bad_frame", "end: reason must be one of " + ", ".join(END_REASONS)
    if type_ == "presence" and msg["status"] not in PRESENCE:
        return "bad_frame", "presence: bad status"
    return None, None


def frame(type_, seq=0, **fields):
    """Build a frame dict: frame("agent_action", 3, name="pause", payload={...})."""
    out = {"v": PROTOCOL_VERSION, "type": type_, "seq": seq}
    for k in fields:
        out[k] = fields[k]
    return out


def present(**fields):
    """The fields whose value is not None (optional frame fields are left out, not null)."""
    return {k: v for k, v in fields.items() if v is not None}


def error_frame(code, msg, fatal=None, ref_type=None, ref_seq=None):
    """An `error` frame; `fatal` defaults from FATAL_ERRORS."""
    if fatal is None:
        fatal = code in FATAL_ERRORS
    out = frame("error", 0, code=code, msg=msg, fatal=fatal)
    if ref_type is not None:
        out["ref_type"] = ref_type
    if ref_seq is not None:
        out["ref_seq"] = ref_seq
    return out


def hello(group, key, tab, visitor=None, page=None, resume=None, last_seq=0, acked=0, epoch=None):
    """The visitor's first frame on every socket (start, resume, or another tab)."""
    return frame("hello", 0, group=group, key=key, tab=tab, last_seq=last_seq, acked=acked,
                 **present(epoch=epoch or None, visitor=visitor or None, page=page or None, resume=resume or None))
