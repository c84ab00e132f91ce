"""Reverse sessions: an agent asks the visitor to view the agent's screen.

Browser shell (logging only) around offers.Offer. Agent action `reverse`
fires `reverseconfirm {accept, decline}`; accept() tells the agents
`reverseaccepted`, decline() `reversedeclined` (only the first call counts).
Agent action `reverseend` withdraws a confirmation that is still waiting
(its callbacks then do nothing; UIs hide the dialog on the event), ends an
accepted reverse session, fires `reverseended` and tells the agents
`reverseended`. Showing the agent's screen itself is the screenshare
feature's job (`screenshare` with params.type "reverse").
"""


from .features import Feature
from .offers import Offer
from .jsconv import guarded as _guard


class Reverse(Feature):
    """The `reverse` / `reverseend` agent actions (feature_set.install creates it)."""

    def __init__(self, visitor, config):
        Feature.__init__(self, visitor, config)
        self.offer = None
        self.active = False

    def actions(self):
        return {"reverse": _guard("reverse", self._on_reverse),
                "reverseend": _guard("reverseend", self._on_reverseend)}

    def _on_reverse(self, payload, frame):
        ref = frame.get("id") if isinstance(frame, dict) else None
        if self.offer is not None:
            self.offer.withdraw()   # a newer request replaces a waiting one

        def accepted(*args):
            self.active = True
            self.visitor.tell_agents("reverseaccepted", None, ref=ref)

        def declined(*args):
            self.visitor.tell_agents("reversedeclined", None, ref=ref)
        self.offer = Offer(_guard("reverse accept", accepted), _guard("reverse decline", declined))
        self.visitor.emit("reverseconfirm", self.offer.callbacks())

    def _on_reverseend(self, payload, frame):
        withdrawn = self.offer is not None and self.offer.withdraw()
        self.offer = None
        self.active = False
        self.visitor.emit("reverseended")
        self.visitor.tell_agents("reverseended", {"withdrawn": bool(withdrawn)},
                                 ref=frame.get("id") if isinstance(frame, dict) else None)

    def session_ended(self, reason):
        if self.offer is not None:
            self.offer.withdraw()
        self.offer = None
        self.active = False
