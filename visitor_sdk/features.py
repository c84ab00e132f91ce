"""How a session feature (remote control, navigation, documents, ...) plugs into the Visitor.

Pure Python. A feature subclasses `Feature`, names the agent actions it
answers in `actions()`, and gets called when a session connection opens or
the session ends. It fires page events with `self.visitor.emit(...)` and
answers agents with `self.visitor.tell_agents(...)`. The browser shell lists
the features of a page in `feature_set.install(visitor, config)`.
"""


class Feature:
    """Base class: override what the feature needs."""

    def __init__(self, visitor, config):
        self.visitor = visitor
        self.config = config

    def actions(self):
        """Agent actions this feature handles: {name: handler(payload, frame)}."""
        return {}

    def session_opened(self, resumed):
        """A session connection opened on this page (resumed: after a navigation or in another tab)."""

    def session_ended(self, reason):
        """The session ended (visitor, agent or error)."""


def consent(on_accept, on_decline):
    """An {accept, decline} pair where the first call of either one wins and later calls do nothing."""
    state = {"done": False}

    def accept(*args):
        if not state["done"]:
            state["done"] = True
            on_accept(*args)

    def decline(*args):
        if not state["done"]:
            state["done"] = True
            on_decline(*args)
    return {"accept": accept, "decline": decline}
