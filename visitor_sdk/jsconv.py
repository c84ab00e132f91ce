"""The one place where values cross between Python (Brython) and page JS.

Browser shell: imports `browser`/`javascript`, so it only runs in the bundle.
Call `to_js` on every payload or result handed to a page script (dicts become
plain objects, lists arrays, None null, functions plain JS functions) and
`from_js` on every value a page script or a postMessage hands in (objects
become dicts, arrays lists, null/undefined None). `exported` wraps a Python
function for JS so that a ParamError or bug becomes a marker object that the
loader turns into a real `Error`.

Never compare a JS value with `==` against null/undefined: Brython crashes on
that; use `is javascript.NULL` / `is javascript.UNDEFINED` or `kind()`.
"""

import javascript
from browser import window

from . import log
from .jsfiles import js

# JS helpers that look at values without Brython's conversions (visitor_sdk/js/jsconv.js).
_helpers = js("jsconv")()
_classify = _helpers.classify
_global = _helpers.pageGlobal

MAX_DEPTH = 32
MAX_ITEMS = 10000

# JSON text of a value when it is plain data within the limits, else null (see jsconv.js): from_js
# then converts in one step instead of walking the value from Python (many times slower under Brython).
_plain_json = _helpers.plainJson


class Opaque:
    """Stands for a JS value that has no plain-data meaning (a DOM node, a class instance)."""

    def __init__(self, kind):
        self.kind = kind

    def __repr__(self):
        return "<js " + self.kind + ">"


def page_global(name):
    """The page's global `name` (JS undefined when it has none): no hasattr(),
    which raises and catches an AttributeError inside Brython when it is missing."""
    return _global(name)


def kind(value):
    """'null', 'undefined', 'array', 'object', 'other', or a JS typeof string."""
    return _classify(value)


def from_js(value, depth=0):
    """Convert a JS value into plain Python data (see the module docstring).

    Values Brython already converted (str, int, float, bool, None, dict, list)
    pass through; nesting deeper than MAX_DEPTH or longer than MAX_ITEMS
    becomes an Opaque placeholder so that hostile input stays cheap.
    """
    if value is None or value is javascript.NULL or value is javascript.UNDEFINED:
        return None
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return {str(k): from_js(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [from_js(v, depth + 1) for v in value]
    k = kind(value)
    if k == "function":
        return value
    if k == "array" or k == "object":
        text = _plain_json(value, depth, MAX_DEPTH, MAX_ITEMS)
        if text is not javascript.NULL:
            return javascript.JSON.parse(text)
    if depth > MAX_DEPTH:
        return Opaque("too deep")
    if k == "array":
        n = value.length
        if n > MAX_ITEMS:
            return Opaque("too long")
        return [from_js(value[i], depth + 1) for i in range(n)]
    if k == "object":
        keys = window.Object.keys(value)
        if keys.length > MAX_ITEMS:
            return Opaque("too long")
        out = {}
        for i in range(keys.length):
            key = keys[i]
            out[key] = from_js(value[key], depth + 1)
        return out
    return Opaque(k)


def to_js(value):
    """Convert Python data into a plain JS value (objects, arrays, null, functions)."""
    if value is None:
        return javascript.NULL
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        obj = window.Object.new()
        for k in value:
            v = value[k]
            if v is javascript.UNDEFINED:
                continue
            obj[k] = to_js(v)
        return obj
    if isinstance(value, (list, tuple)):
        arr = window.Array.new()
        for v in value:
            arr.push(to_js(v))
        return arr
    return value


def is_absent(value):
    """True for Python None and for JS null/undefined (compared by identity, never ==)."""
    return value is None or value is javascript.NULL or value is javascript.UNDEFINED


def guarded(name, fn):
    """Wrap `fn` (an event handler or callback run by the page) so that a Python
    exception is reported once (log.failed) instead of reaching page JS."""
    def run(*args):
        try:
            return fn(*args)
        except Exception as exc:
            log.failed(name, exc)
    return run


def error_marker(message, type_name="Error"):
    """The object the loader turns into `throw new <type_name>(message)`."""
    return to_js({"__glance_error__": message, "type": type_name})


def exported(func):
    """Wrap `func` for JS callers: converts arguments with from_js and the
    result with to_js; a ValueError (ParamError) becomes an Error marker with
    its message, any other exception an Error marker naming the bug."""

    def wrapper(*args):
        try:
            return to_js(func(*[from_js(a) for a in args]))
        except ValueError as exc:
            return error_marker(str(exc))
        except TypeError as exc:
            return error_marker(str(exc), "TypeError")
        except Exception as exc:
            log.debug("internal error in " + func.__name__ + ": " + str(exc))  # the page gets the Error
            return error_marker("GLANCE internal error in " + func.__name__ + ": " + str(exc))

    wrapper.__name__ = func.__name__
    return wrapper
