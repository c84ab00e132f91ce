"""Browser shell of the glance_invoke receiver (cross-window invoke).

`Receiver.on_message(event)` is called for every `message` event (the loader
forwards the ones that arrived before the runtime). It converts the event to
plain data and runs the pure checks in `invoke_rules.check_invoke`, in their
fixed order; a message that fails is dropped with one console warning. It
never throws. Messages wait until the group's trusted origins have loaded.
"""

from browser import window

from .config import groups_of
from .jsconv import from_js


class Receiver:
    """Checks glance_invoke messages and calls the Visitor method they name."""

    def __init__(self, visitor, config):
        self.visitor = visitor
        self.config = config
        self.trusted = None
        self.pending = []

    def on_message(self, event):
        """Handle one window `message` event; never raises."""
        try:
            self.pending.append((from_js(event.data), str(event.origin)))
        except Exception as exc:
            window.console.warn("GLANCE: glance_invoke message dropped (shape): " + str(exc))
