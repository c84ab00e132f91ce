"""Guests: an agent asks the visitor to admit a guest to the session.

Browser shell (logging only) around offers.Offer. Agent action `addguest
{name?}` fires `addguestrequested {accept, decline}`; accept() fires
`addguestaccepted` and tells the agents `addguestaccepted {name}` (the
session service adds a one-time guest token there, which the agent hands to
the guest, who joins through /ws/agent: docs/protocol.md, Guests); decline()
fires `addguestdeclined` and tells the agents `addguestdeclined {name}`.
Only the first call of accept/decline counts; a request still open when the
session ends is withdrawn. The admitted guest appears in `agents` with role
"guest".
"""


from .features import Feature
from .offers import Offer
from .jsconv import guarded as _guard

MAX_NAME = 40


def guest_name(payload):
    """The guest's display name from an addguest payload ('Guest' when absent or not text)."""
    name = payload.get("name") if isinstance(payload, dict) else None
    if not isinstance(name, str) or not name.strip():
        return "Guest"
    return name.strip()[:MAX_NAME]


class Guests(Feature):
    """The `addguest` agent action (feature_set.install creates it)."""

    def __init__(self, visitor, config):
        Feature.__init__(self, visitor, config)
        self.offers = []

    def actions(self):
        return {"addguest": _guard("addguest", self._on_addguest)}

    def _on_addguest(self, payload, frame):
        name = guest_name(payload)
        ref = frame.get("id") if isinstance(frame, dict) else None

        def accepted(*args):
            self.visitor.emit("addguestaccepted")
            self.visitor.tell_agents("addguestaccepted", {"name": name}, ref=ref)

        def declined(*args):
            self.visitor.emit("addguestdeclined")
            self.visitor.tell_agents("addguestdeclined", {"name": name}, ref=ref)
        offer = Offer(_guard("addguest accept", accepted), _guard("addguest decline", declined))
        self.offers = [o for o in self.offers if o.pending] + [offer]
        self.visitor.emit("addguestrequested", offer.callbacks())

    def session_ended(self, reason):
        for o in self.offers:
            o.withdraw()
        self.offers = []
