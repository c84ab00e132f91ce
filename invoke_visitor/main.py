"""GLANCE.Cobrowse.InvokeVisitor: drive the visitor's session from a chat window.

Importing this module in the browser (the GlanceCobrowseInvokeVisitor.js
bundle does) defines `window.GLANCE.Cobrowse.InvokeVisitor`, a plain JS object
with two plain JS functions, keeping any GLANCE / GLANCE.Cobrowse objects the
page already has:

    GLANCE.Cobrowse.InvokeVisitor.init(wnd, groupid, origin)
    GLANCE.Cobrowse.InvokeVisitor.invoke(func, args)

`init` remembers the visitor's window, the group id (a positive integer or its
exact decimal string, as in the visitor page's data-groupid) and the target
origin; call it once the visitor window exists, and again if it changes.
`origin` is the visitor page's origin ("https://shop.example.com"), "*" to
post to whatever page the window shows, or a bare hostname as the reference
documentation suggests ("shop.example.com"): it takes the chat window's own
scheme when the chat window is on the same host, and https otherwise
(origins.target_origin; pass a full "http://..." origin to target an http
page on another host). `invoke` posts `{glance_invoke: {func, args, groupid}}` to the
window with that target origin (a message that gets no answer from a
cobrowse page within reach.ANSWER_MS is reported once with console.warn:
invoke_visitor/reach.py); `func` must be one of the methods the visitor
page accepts from another window (invoke_rules.ALLOWED_FUNCS) and `args` are
checked by the same rules the visitor page applies, so mistakes surface here
as errors instead of as a console warning in another window.

Every mistake (invoke before init, a closed window, a func that is not a
string or not allowed, bad args, a bad origin or group id) throws a real JS
Error (TypeError for wrong types) with a message naming the problem. The
visitor page runs its own checks regardless (its trusted origins decide).

How it is wired, and why: a Python exception raised into JS reaches JS as a
Brython object, not an Error, and Brython's conversion of a JS argument reads
properties (`constructor`) that a cross-origin window refuses with a
SecurityError. So the visitor's window never enters Python: a small JS object
(invoke_visitor/js/invoke_api.js) keeps the window, checks it and posts to it, and calls two
Python functions that validate and build the message and that return a marker
{__glance_error__: message, type} instead of raising, which the JS turns into
`throw new Error(message)`.
"""

from visitor_sdk import log
from visitor_sdk.invoke_rules import ALLOWED_FUNCS, ARG_CHECKS, NAMESPACE, _plain_problem, size_problem
from visitor_sdk.origins import OriginError, target_origin
from visitor_sdk.params import ParamError, positive_int

from .reach import ACK_KEY, ANSWER_MS, Reach

API = "GLANCE.Cobrowse.InvokeVisitor"


class InvokeError(ValueError):
    """A mistake in a call to InvokeVisitor; the message is shown to the integrator."""


# --- pure part (CPython-testable) ------------------------------------------------

def prepare_init(groupid, origin, page_origin=None):
    """Validate init's groupid and origin: {"groupid": int, "target": origin or "*"}.

    `page_origin` is the chat window's own origin (a bare hostname on the same
    host takes its scheme). Raises TypeError or InvokeError with a message for
    the integrator.
    """
    if groupid is None:
        raise TypeError(API + ".init(wnd, groupid, origin): groupid is missing; pass the data-groupid "
                        "of the visitor page's cobrowse script tag")
    try:
        gid = positive_int(groupid, API + ".init: groupid")
    except ParamError as exc:
        raise InvokeError(str(exc))
    if origin is None:
        raise TypeError(API + ".init(wnd, groupid, origin): origin is missing; pass the visitor page's "
                        "origin such as \"https://shop.example.com\", or \"*\"")
    if not isinstance(origin, str):
        raise TypeError(API + ".init: origin must be a string such as \"https://shop.example.com\" or \"*\"")
    try:
        target = target_origin(origin, page_origin)
    except OriginError as exc:
        raise InvokeError(API + ".init: " + str(exc))
    return {"groupid": gid, "target": target}


def prepare_message(groupid, func, args=None):
    """The message invoke(func, args) posts: {"glance_invoke": {"func", "args", "groupid"}}.

    `groupid` comes from init; `func` and `args` are plain Python (args None
    when not given). Raises TypeError or InvokeError with a message for the
    integrator when the visitor page would refuse the call.
    """
    if groupid is None:
        raise InvokeError(API + ".invoke: call " + API + ".init(wnd, groupid, origin) first")
    if not isinstance(func, str):
        raise TypeError(API + ".invoke(func, args): func must be the name of a Visitor method as a string, "
                        "such as \"startSession\"")
    if func not in ALLOWED_FUNCS:
        shown = func if len(func) <= 60 else func[:60] + "..."
        raise InvokeError(API + ".invoke: " + repr(shown) + " cannot be invoked from another window; use one of "
                          + ", ".join(ALLOWED_FUNCS))
    problem = size_problem(args) or _plain_problem(args)
    if problem:
        raise InvokeError(API + ".invoke(" + repr(func) + "): args: " + problem)
    try:
        # The visitor page knows its additional group ids and visitorid; here
        # only the shape of the arguments can be checked.
        ARG_CHECKS[func](args, None, (), None)
    except ParamError as exc:
        raise InvokeError(API + ".invoke: " + str(exc))
    return {NAMESPACE: {"func": func, "args": args, "groupid": groupid}}


# --- browser part ---------------------------------------------------------------------

try:
    from browser import window
except ImportError:  # CPython: only the pure part above is used
    window = None
else:
    from visitor_sdk import console_sink
    from visitor_sdk.jsconv import from_js, to_js
    from visitor_sdk.jsfiles import js


def _marker(exc):
    kind = "TypeError" if isinstance(exc, TypeError) else "Error"
    if isinstance(exc, (TypeError, ValueError)):
        message = str(exc)
    else:
        message = API + ": internal error: " + str(exc)
    return to_js({"__glance_error__": message, "type": kind})


_state = {"groupid": None}
_reach = Reach()


def _page_origin():
    try:
        return str(window.location.origin)
    except Exception:
        return None


def _py_init(groupid=None, origin=None, *rest):
    """Called by the JS init with plain values; returns {target} or an error marker (never raises)."""
    try:
        _state["groupid"] = None
        given = from_js(origin)
        ready = prepare_init(from_js(groupid), given, _page_origin())
        _state["groupid"] = ready["groupid"]
        _reach.init(ready["target"], given)
        return to_js(ready)
    except Exception as exc:
        return _marker(exc)


def _py_invoke(func=None, args=None, *rest):
    """Called by the JS invoke; returns the message as a plain JS object or an error marker (never raises).
    The JS posts the message right after: the answer is awaited from here."""
    try:
        name = from_js(func)
        message = to_js(prepare_message(_state["groupid"], name, from_js(args)))
    except Exception as exc:
        return _marker(exc)
    token = _reach.posted(name)
    window.setTimeout(lambda: _check(token), ANSWER_MS)
    return message


def _check(token):
    """ANSWER_MS after a post: warn once if no cobrowse page answered it."""
    warning = _reach.overdue(token)
    if warning:
        log.warn(warning)


def _on_message(event):
    """A `message` event in the chat window: count the visitor page's answers (reach.ACK_KEY).
    Reads only event.data's one field and event.origin, never event.source."""
    try:
        data = event.data
        if data is None or isinstance(data, (str, int, float, bool)):
            return
        if getattr(data, ACK_KEY, None) is True:
            _reach.answered({ACK_KEY: True}, event.origin)
    except Exception:
        return


def install():
    """Define window.GLANCE.Cobrowse.InvokeVisitor (browser only); returns the JS object."""
    log.configure(console_sink.write)
    window.addEventListener("message", _on_message)
    return js("invoke_api")(_py_init, _py_invoke)  # invoke_visitor/js/invoke_api.js


if window is not None:
    install()
