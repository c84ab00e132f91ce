"""Accessibility support of the visitor UI: on or off, remembered in this tab.

Browser shell. `visitor.accessibility.set_enabled(True|False)` (or
`toggle()`) turns the support on or off; a change fires `accessibility
{enabled}` on the page and tells the session's agents the same. The
default UI's toggle calls it and, while it is on, shows its overlay in
large, high-contrast type and announces every agent request and state
change in an assertive live region. The setting survives navigation
(sessionStorage) but fires the event only when it changes.
"""

from browser import window

from .features import Feature

STORE_KEY = "glance_cobrowse_a11y"


def _load():
    try:
        return window.sessionStorage.getItem(STORE_KEY) == "1"
    except Exception:
        return False


def _save(on):
    try:
        window.sessionStorage.setItem(STORE_KEY, "1" if on else "0")
    except Exception:
        pass


class Accessibility(Feature):
    """Accessibility on/off (feature_set.install creates it; also `visitor.accessibility`)."""

    def __init__(self, visitor, config):
        Feature.__init__(self, visitor, config)
        self.enabled = _load()
        visitor.accessibility = self

    def set_enabled(self, on):
        """Turn accessibility support on or off; fires `accessibility {enabled}` when it changes.
        Returns True when the setting changed."""
        on = bool(on)
        if on == self.enabled:
            return False
        self.enabled = on
        _save(on)
        self.visitor.emit("accessibility", {"enabled": on})
        self.visitor.tell_agents("accessibility", {"enabled": on})
        return True

    def toggle(self):
        """Flip the setting (the default UI's toggle button); returns the new value."""
        self.set_enabled(not self.enabled)
        return self.enabled

    def session_opened(self, resumed):
        if self.enabled and not resumed:
            self.visitor.tell_agents("accessibility", {"enabled": True})
