"""Validation of what page scripts pass to the Visitor API: session keys,
startSession parameters, showTerms parameters and GLANCE_COBROWSE fields.

Pure Python; every function takes plain Python values (the browser shell
converts JS values first) and raises `ParamError` with a message meant for the
integrator. Call `parse_start_params` on every startSession call, from JS or
from a glance_invoke message, before any state changes.
"""

KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
KEY_MIN = 1
KEY_MAX = 50
RANDOM_KEYTYPE = "GLANCE_KEYTYPE_RANDOM"
RANDOM_KEY_DIGITS = 10   # with the join and start limits: > 30 days to guess a live key (docs/limits.md)

# GLANCE_COBROWSE visitor fields and their maximum lengths.
VISITOR_FIELD_LIMITS = {"visitorid": KEY_MAX, "name": 62, "email": 62, "phone": 20}

# glance_invoke messages kept while the SDK loads (by the loader, then by the
# runtime until its feature chunk arrives); more are dropped with a warning.
MAX_PENDING_MESSAGES = 100

START_OPTION_KEYS = ("sessionKey", "groupid", "name", "email", "phone", "video", "videoParams", "terms")


class ParamError(ValueError):
    """A value passed by the page is not acceptable; the message says why."""


def key_problem(key):
    """Why `key` is not a valid session key, or None when it is valid."""
    if not isinstance(key, str):
        return "a session key must be a string, got " + kind_of(key)
    if len(key) < KEY_MIN or len(key) > KEY_MAX:
        return "a session key must be 1-50 characters long, got " + str(len(key))
    for ch in key:
        if ch not in KEY_CHARS:
            return "a session key may contain only A-Z, a-z, 0-9, '_' and '-'; " + repr(ch) + " is not allowed"
    return None


def is_valid_key(key):
    """True when `key` is a valid session key."""
    return key_problem(key) is None


def random_key(rand):
    """A random numeric key; `rand()` returns a float in [0, 1)."""
    digits = ""
    for _ in range(RANDOM_KEY_DIGITS):
        digits += str(int(rand() * 10) % 10)
    if digits[0] == "0":
        digits = "1" + digits[1:]
    return digits


def kind_of(value):
    """How an error message names the type of a value from JS ("a string", "null", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a non-data value"


MAX_GROUP_ID = 999999999999999   # 15 digits: a JS number holds it exactly


def exact_decimal(text):
    """The int an exact positive decimal string spells ("5551"; not " 5551", "5551\n", "05551",
    "+5551", "5_551" or non-ASCII digits), else None. At most 15 digits."""
    if not isinstance(text, str) or not text or len(text) > 15 or text[0] == "0":
        return None
    for ch in text:
        if ch < "0" or ch > "9":
            return None
    return int(text)


def positive_int(value, what):
    """`value` as a positive integer: an int (or a whole float: a JS number) from 1 to
    MAX_GROUP_ID, or its exact decimal string (no spaces, sign or leading zeros); else ParamError."""
    if isinstance(value, bool):
        raise ParamError(what + " must be a positive integer, got a boolean")
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_GROUP_ID:
        value = int(value)
    if isinstance(value, int):
        if 0 < value <= MAX_GROUP_ID:
            return value
        raise ParamError(what + " must be a positive integer of at most 15 digits, got " + str(value))
    if isinstance(value, str):
        n = exact_decimal(value)
        if n is not None:
            return n
        raise ParamError(what + " must be a positive integer written in digits only (no spaces, sign or "
                         "leading zeros), got " + repr(value[:40]))
    raise ParamError(what + " must be a positive integer, got " + kind_of(value))


def _resolve_key(key, visitorid, rand):
    if key is None:
        if visitorid is not None:
            return visitorid, False
        return random_key(rand), True
    if key == RANDOM_KEYTYPE:
        return random_key(rand), True
    if isinstance(key, int) and not isinstance(key, bool) and key >= 0:
        key = str(key)
    problem = key_problem(key)
    if problem:
        raise ParamError("startSession: " + problem)
    return key, False


def parse_start_params(params, visitorid=None, groups=(), rand=None):
    """Normalise startSession's argument into {"key", "random", "groupid", "options"}.

    `params` may be None (use `visitorid`, else a random key), a key string or
    integer, "GLANCE_KEYTYPE_RANDOM", or an object {sessionKey, groupid, ...}.
    `groups` is the page's group id followed by its additional group ids; a
    groupid in the object must be one of them. Raises ParamError otherwise.
    """
    if rand is None:
        rand = _no_rand
    options = {}
    groupid = groups[0] if groups else None
    if isinstance(params, dict):
        for k in params:
            if k not in START_OPTION_KEYS:
                raise ParamError("startSession: unknown option " + repr(k) + "; known options: " + ", ".join(START_OPTION_KEYS))
        key = params.get("sessionKey")
        if "groupid" in params and params["groupid"] is not None:
            gid = positive_int(params["groupid"], "startSession: groupid")
            if groups and gid not in groups:
                raise ParamError("startSession: groupid " + str(gid) + " is not this page's data-groupid or one of its data-additionalgroupids")
            groupid = gid
        for k in ("name", "email", "phone"):
            if params.get(k) is not None:
                options[k] = visitor_field(k, params[k])
        for k in ("video", "videoParams", "terms"):
            if params.get(k) is not None:
                options[k] = params[k]
    elif params is None or isinstance(params, (str, int)) and not isinstance(params, bool):
        key = params
    else:
        raise ParamError("startSession expects a session key string, an object {sessionKey, ...}, "
                         "'GLANCE_KEYTYPE_RANDOM' or nothing; got " + kind_of(params))
    key, random = _resolve_key(key, visitorid, rand)
    return {"key": key, "random": random, "groupid": groupid, "options": options}


def _no_rand():
    raise ParamError("a random key needs a random source")


def visitor_field(name, value):
    """Check one GLANCE_COBROWSE visitor field against its type and length limit."""
    limit = VISITOR_FIELD_LIMITS[name]
    if name == "visitorid":
        problem = key_problem(value)
        if problem:
            raise ParamError("GLANCE_COBROWSE.visitorid: " + problem)
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and name == "phone":
        value = str(value)
    if not isinstance(value, str):
        raise ParamError(name + " must be a string, got " + kind_of(value))
    if len(value) > limit:
        raise ParamError(name + " must be at most " + str(limit) + " characters, got " + str(len(value)))
    return value


def parse_terms_params(params):
    """Normalise showTerms' argument: nothing, or an object whose optional sessionKey is a valid key."""
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise ParamError("showTerms expects an object such as {sessionKey: '1234'} or nothing; got " + kind_of(params))
    out = {}
    for k in params:
        if k != "sessionKey":
            raise ParamError("showTerms: unknown option " + repr(k))
    key = params.get("sessionKey")
    if key == RANDOM_KEYTYPE:
        out["sessionKey"] = key  # drawn when the visitor accepts the terms
    elif key is not None:
        key, _ = _resolve_key(key, None, _no_rand)
        out["sessionKey"] = key
    return out


def parse_state_type(kind):
    """getSessionState(type): None for the whole state or a known section name."""
    if kind is None:
        return None
    if not isinstance(kind, str):
        raise ParamError("getSessionState expects a section name string or nothing; got " + kind_of(kind))
    return kind
