"""The glance_invoke receiver's checks, as one pure function that never raises.

Pure Python (only relative imports of other pure modules): runs under CPython
and inside the Brython bundle. The browser shell (`invoke_receiver.py`) calls
`check_invoke` for every window `message` event, after converting
`event.data` to plain Python with `jsconv.from_js`, and calls the Visitor
method only when the result says ok. A failed result names the first check
that failed; the shell logs it as one console warning and drops the message.

The checks run in this fixed order, and a later check never sees a message
an earlier one refused:

1. "shape":   `data` is a dict with a `glance_invoke` dict holding only the
              keys func, args and groupid; the whole message is small
              (bounded nodes, nesting, string lengths), checked without
              recursion, so a 1 MB string or deeply nested garbage is refused
              at once.
2. "origin":  `origin` (event.origin) is exactly allowed by the group's
              trusted origins (`origins.origin_allowed`). No trusted origins
              configured means nobody is trusted.
3. "groupid": `groupid` is the page's group id or one of its additional
              group ids, as a positive integer or its exact decimal
              string ("72937"; " 72937", "72937\n", "072937" fail).
4. "func":    `func` is a string naming one of ALLOWED_FUNCS.
5. "args":    `args` pass that method's own validation (params.py).
"""

from .origins import origin_allowed
from .params import ParamError, RANDOM_KEYTYPE, kind_of, parse_start_params, parse_terms_params, positive_int

NAMESPACE = "glance_invoke"
MESSAGE_KEYS = ("func", "args", "groupid")

# Size caps for a whole message (data, including anything next to glance_invoke).
MAX_NODES = 500          # values (containers, scalars and dict keys) visited
MAX_DEPTH = 12           # nesting of lists/dicts below `data`
MAX_STRING = 2048        # characters in one string or dict key
MAX_TOTAL_CHARS = 16384  # characters in all strings and keys together
MAX_REASON = 300         # characters in a failure reason


def _no_args(name):
    def check(args, visitorid, groups, rand):
        if args is None or (isinstance(args, dict) and len(args) == 0):
            return None
        raise ParamError(name + " takes no arguments (nothing, null or {}); got " + kind_of(args))
    return check


def _start_args(args, visitorid, groups, rand):
    parsed = parse_start_params(args, visitorid=visitorid, groups=groups, rand=rand or _stand_in_rand)
    out = {"sessionKey": RANDOM_KEYTYPE if parsed["random"] else parsed["key"]}
    if parsed["groupid"] is not None:
        out["groupid"] = parsed["groupid"]
    for k in parsed["options"]:
        out[k] = _copy(parsed["options"][k])
    return out


def _terms_args(args, visitorid, groups, rand):
    return parse_terms_params(args)


def _stand_in_rand():
    # Only used to validate: a random key is passed on as GLANCE_KEYTYPE_RANDOM
    # and the Visitor draws the real one.
    return 0.5


# The Visitor methods a chat window may call, each with its argument check.
# The check returns the arguments to pass to the method (normalised; for
# startSession always an object {sessionKey, groupid?, ...options} where a
# random key is spelled GLANCE_KEYTYPE_RANDOM) or raises ParamError.
# Read-only methods (inSession, getKey, getSessionState, ...) are left out on
# purpose: postMessage is one-way, so a chat window could never see their
# result, and every name here is attack surface.
ARG_CHECKS = {
    "startSession": _start_args,
    "stopSession": _no_args("stopSession"),
    "showTerms": _terms_args,
    "toggleVideo": _no_args("toggleVideo"),
}
ALLOWED_FUNCS = ("startSession", "stopSession", "showTerms", "toggleVideo")


def _short(value, limit=60):
    """A short printable rendering of a str (never repr() of arbitrary data)."""
    if not isinstance(value, str):
        return kind_of(value)
    text = value if len(value) <= limit else value[:limit] + "..."
    out = ""
    for ch in text:
        code = ord(ch)
        out += ch if 32 <= code < 127 and ch != "'" and ch != "\\" else "?"
    return "'" + out + "'"


def _copy(value):
    """A fresh copy of plain data already bounded by the shape check."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(v) for v in value]
    return value


def size_problem(value):
    """Why `value` is too big or not plain enough for a message, or None.

    Walks the value with an explicit stack (no recursion), visiting at most
    MAX_NODES values; dict keys must be strings. Values other than dict,
    list, str, number, bool and None (placeholders for JS values without a
    data meaning) are leaves here and are refused by the later checks.
    """
    stack = [(value, 0)]
    nodes = 0
    chars = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            return "the message has more than " + str(MAX_NODES) + " values"
        if isinstance(item, str):
            n = len(item)
            if n > MAX_STRING:
                return "the message has a string of " + str(n) + " characters (at most " + str(MAX_STRING) + ")"
            chars += n
            if chars > MAX_TOTAL_CHARS:
                return "the message has more than " + str(MAX_TOTAL_CHARS) + " characters of text"
        elif isinstance(item, dict):
            if depth >= MAX_DEPTH:
                return "the message is nested more than " + str(MAX_DEPTH) + " levels deep"
            if len(item) > MAX_NODES:
                return "the message has more than " + str(MAX_NODES) + " values"
            for k in item:
                if not isinstance(k, str):
                    return "the message has an object key that is not a string"
                stack.append((k, depth + 1))
                stack.append((item[k], depth + 1))
        elif isinstance(item, (list, tuple)):
            if depth >= MAX_DEPTH:
                return "the message is nested more than " + str(MAX_DEPTH) + " levels deep"
            if len(item) > MAX_NODES:
                return "the message has more than " + str(MAX_NODES) + " values"
            for v in item:
                stack.append((v, depth + 1))
    return None


def _plain_problem(value):
    """None when `value` is plain data (dict, list, str, number, bool, None) all the way down.

    Call only on values that passed `size_problem` (it bounds the walk).
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if item is None or isinstance(item, (str, bool, int, float)):
            continue
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        else:
            return "the arguments contain a value that is not plain data (a function, a DOM node or a class instance)"
    return None


def _fail(check, reason, namespaced=True):
    if len(reason) > MAX_REASON:
        reason = reason[:MAX_REASON - 3] + "..."
    return {"ok": False, "check": check, "reason": reason, "namespaced": namespaced}


def _group_ids(groups):
    out = []
    if not isinstance(groups, (list, tuple)):
        return out
    for g in groups[:1000]:
        try:
            out.append(positive_int(g, "group id"))
        except Exception:
            continue
    return out


def check_invoke(data, origin, trusted_origins, groups, visitorid=None, rand=None):
    """Check one glance_invoke message; never raises.

    `data` is event.data as plain Python; `origin` is event.origin;
    `trusted_origins` the group's trusted-origin entries (strings, or entries
    parsed by origins.parse_trusted; None or empty trusts nobody); `groups`
    the page's group id followed by its additional group ids;
    `visitorid` the page's GLANCE_COBROWSE.visitorid (a startSession without
    a key uses it); `rand` an optional random source for startSession's
    validation (the key is never drawn here).

    Returns {"ok": True, "func": name, "args": normalised_args} to call
    Visitor.<name>(args) (args None for the methods without arguments), or
    {"ok": False, "check": "shape"|"origin"|"groupid"|"func"|"args",
    "reason": text for one console warning, "namespaced": bool}, where
    "namespaced" is False when the data was not a glance_invoke message at all
    (another script's postMessage: the shell may stay quiet about those).
    """
    check = "shape"
    try:
        # 1. shape
        if not isinstance(data, dict):
            return _fail(check, "the message data is " + kind_of(data) + ", not an object {glance_invoke: {...}}", False)
        if NAMESPACE not in data:
            return _fail(check, "the message has no glance_invoke field", False)
        problem = size_problem(data)
        if problem:
            return _fail(check, problem)
        msg = data[NAMESPACE]
        if not isinstance(msg, dict):
            return _fail(check, "glance_invoke is " + kind_of(msg) + ", not an object {func, args, groupid}")
        for k in msg:
            if k not in MESSAGE_KEYS:
                return _fail(check, "glance_invoke has the unknown field " + _short(k) + "; expected func, args, groupid")

        # 2. origin
        check = "origin"
        if not trusted_origins:
            return _fail(check, "no trusted origins are configured for this group, so origin " + _short(origin)
                         + " is not trusted")
        if not origin_allowed(origin, trusted_origins):
            return _fail(check, "origin " + _short(origin, 120) + " is not one of this group's trusted origins")

        # 3. groupid
        check = "groupid"
        ids = _group_ids(groups)
        if not ids:
            return _fail(check, "this page has no valid data-groupid, so no group id can match")
        gid = msg.get("groupid")
        if gid is None:
            return _fail(check, "glance_invoke.groupid is missing")
        if isinstance(gid, str) and len(gid) > 20:
            return _fail(check, "glance_invoke.groupid " + _short(gid) + " is not a group id")
        try:
            gid = positive_int(gid, "glance_invoke.groupid")
        except Exception:
            return _fail(check, "glance_invoke.groupid must be a positive integer or its exact decimal string "
                         "(digits only: no spaces, sign or leading zeros), got "
                         + (_short(gid) if isinstance(gid, str) else kind_of(gid)))
        if gid > 999999999999999:
            return _fail(check, "glance_invoke.groupid is too large to be a group id")
        if gid not in ids:
            return _fail(check, "glance_invoke.groupid " + str(gid)
                         + " is not this page's data-groupid or one of its data-additionalgroupids")

        # 4. func
        check = "func"
        func = msg.get("func")
        if func is None:
            return _fail(check, "glance_invoke.func is missing")
        if not isinstance(func, str):
            return _fail(check, "glance_invoke.func must be a method name string, got " + kind_of(func))
        if func not in ALLOWED_FUNCS:
            return _fail(check, "glance_invoke.func " + _short(func) + " may not be invoked from another window; allowed: "
                         + ", ".join(ALLOWED_FUNCS))

        # 5. args
        check = "args"
        problem = _plain_problem(msg.get("args"))
        if problem:
            return _fail(check, func + ": " + problem)
        try:
            args = ARG_CHECKS[func](msg.get("args"), visitorid, ids, rand)
        except ParamError as exc:
            return _fail(check, str(exc))
        except Exception:
            return _fail(check, func + ": the arguments are not valid")
        return {"ok": True, "func": func, "args": args}
    except Exception:
        return _fail(check, "the message could not be checked")
