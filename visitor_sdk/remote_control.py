"""Remote control with consent: the browser shell around rc_core.RcCore.

Elements are found by `data-gid` in the top document, same-origin frames and
open shadow roots (element_ids.find); masking is evaluated in the element's
own document or shadow root and inherited through shadow hosts and iframe
elements.

Browser shell. Gives the core a DOM adapter (elements found by `data-gid`,
masking from masking_rules with the group's selectors from group_settings,
presses (pointer and mouse events, then a dispatched click), double clicks,
key presses with their default action, focus moves and scrolling
(visitor_sdk/js/rc_input.js), values set through the native setter with
real `input` and `change` events) and a `focusout` listener, so that leaving a field the
agent edited fires `rcevent {type: 'inputchange'}`.

Agent actions: rcrequest, rcend, rcevent (payloads: rc_core's docstring).

For a visitor UI: `visitor.remote_control.stop()` turns remote control off
from the visitor side (rcenabled {enabled: false} on the page; agents get
rcenabled {enabled: false, by: 'visitor'}); `visitor.remote_control.enabled`
says whether it is on. A UI can also just listen to `rcenabled`.
"""

from browser import window

from . import element_ids, group_settings, log
from .features import Feature
from .masking_rules import masked_reason
from .rc_core import RcCore, typable_reason
from .jsconv import guarded as _guard, is_absent as _none
from .jsfiles import js

_js = js("rc_helpers")()  # visitor_sdk/js/rc_helpers.js
_input = js("rc_input")()  # visitor_sdk/js/rc_input.js: clicks, keys, focus, scrolling


class MaskDom:
    """masking_rules' DOM adapter over real elements."""

    def tag(self, el):
        return str(el.tagName).lower()

    def attr(self, el, name):
        v = el.getAttribute(name)
        return None if _none(v) else str(v)

    def has_class(self, el, name):
        cl = el.classList
        return False if _none(cl) else bool(cl.contains(name))

    def parent(self, el):
        # Across a shadow root to its host and out of a frame to its iframe element.
        p = _js.up(el)
        return None if _none(p) else p

    def closest(self, el, selector):
        # Through JS: Brython's DOMNode.closest raises KeyError when nothing matches. Each element is
        # matched in its own document / shadow root, then the walk goes on through hosts and frames.
        return bool(_js.closest(el, selector))


_MASK_DOM = MaskDom()


def masked(el):
    """Why `el` is masked from agents (masking_rules reasons), or None."""
    return masked_reason(el, _MASK_DOM, group_settings.masking_selectors())


def _mods(m):
    # Brython hands a Python dict to JS as a plain object with these four keys
    return {"shift": bool(m.get("shift")), "ctrl": bool(m.get("ctrl")), "alt": bool(m.get("alt")),
            "meta": bool(m.get("meta"))}


def _int_or_float(v):
    f = float(v)
    return int(f) if f == int(f) else f


class BrowserDom:
    """RcCore's DOM adapter."""

    def find(self, gid):
        return element_ids.find(gid)

    def masked(self, el):
        return masked(el)

    def typable(self, el):
        tag = str(el.tagName).lower()
        t = str(el.type) if tag == "input" else ""
        return typable_reason(tag, t, bool(el.readOnly), bool(el.disabled))

    def selectable(self, el):
        # inputchange with a value: a <select> (the option's value) or a field an agent may type into
        if bool(_input.isSelect(el)):
            return "nottypable" if bool(el.disabled) else None
        return self.typable(el)

    def click(self, el, act):
        m = act["modifiers"] or {}
        x, y = act["x"], act["y"]
        _input.click(el, None if x is None else x, None if y is None else y, _mods(m))

    def dblclick(self, el, act):
        _input.dblclick(el)

    def focus(self, el):
        try:
            _input.focus(el)
        except Exception:
            pass

    def focused(self):
        el = _input.focused()
        return None if _none(el) else el

    def gid_of(self, el):
        return element_ids.gid_of(el)

    def key(self, el, act):
        v = _input.key(el, act["key"], _mods(act["modifiers"] or {}))
        return None if _none(v) else str(v)

    def scroll(self, el, x, y):
        # (a Python None is not a JS null: the page is a function of its own)
        r = _input.scrollPage(x, y) if el is None else _input.scroll(el, x, y)
        if _none(r):
            return None
        return [_int_or_float(r[0]), _int_or_float(r[1])]

    def value_of(self, el):
        v = _input.valueOf(el)
        return None if _none(v) else str(v)

    def set_value(self, el, value):
        return str(_js.setValue(el, value))

    def fire_change(self, el):
        _js.change(el)


def _check_payloads():
    try:
        return bool(window.GLANCE.Cobrowse._loader.checkPayloads)
    except Exception:
        return False


class RemoteControl(Feature):
    """The remote-control feature of a page (feature_set.install creates it)."""

    def __init__(self, visitor, config):
        Feature.__init__(self, visitor, config)
        self.core = RcCore(visitor, BrowserDom(), guard=_guard)
        self.listening = False
        visitor.remote_control = self

        def continued(*args):
            # After the page's own sessioncontinue handlers: rcenabled follows sessioncontinue.
            window.setTimeout(_guard("remote control connected", self.core.connected), 0)
        visitor.emitter.on("sessioncontinue", continued)
        if _check_payloads():
            # Test seam (data-check-payloads pages only): what a visitor UI button would call.
            def stop_seam(*args):
                return self.stop()
            setattr(window, "__glanceRcStop", stop_seam)  # (no name mangling inside the class)

    @property
    def enabled(self):
        """Whether remote control is on."""
        return self.core.enabled

    def stop(self):
        """The visitor turns remote control off (for a UI button); True if it was on."""
        return _guard("RemoteControl.stop", self.core.stop)()

    def actions(self):
        return {"rcrequest": _guard("rcrequest", self.core.on_request),
                "rcend": _guard("rcend", self.core.on_end),
                "rcevent": _guard("rcevent", self.core.on_event)}

    def _focusout(self, ev):
        try:
            if self.core.edited is not None:
                self.core.left(element_ids.gid_of(_js.target(ev)))
        except Exception as exc:
            log.failed("remote control focusout", exc)

    def _settings(self, settings, error):
        if settings is None or group_settings.masking_selectors() is None:
            # Fields stay refused (fail closed). The page hears why while its session
            # runs; when the session itself failed (no service), its error says enough.
            why = "the group's masking settings could not be loaded: " + str(error)
            if self.visitor.state in ("active", "reconnecting"):
                self.visitor.fail("maskingerror", why)
            else:
                log.warn_once("masking settings", why)

    def session_opened(self, resumed):
        def ready(settings, error):
            _guard("masking settings", self._settings)(settings, error)
        group_settings.load(self.config, ready)
        if not self.listening:
            self.listening = True

            def focusout(ev):
                self._focusout(ev)
            element_ids.listen("focusout", focusout)   # the top document and same-origin frames
        _guard("remote control session_opened", self.core.session_opened)(resumed)

    def session_ended(self, reason):
        _guard("remote control session_ended", self.core.session_ended)(reason)
