"""A consent offer that the SDK can withdraw: {accept, decline} for one agent request.

Pure Python. `Offer(on_accept, on_decline)` gives `callbacks()` -> {accept,
decline} to put in an event payload: the first call of either one runs its
handler, later calls (and calls after `withdraw()`) do nothing. Withdraw an
offer when the agent takes the request back (reverseend) or the session
ends, so a dialog still on screen cannot answer a request that is gone.
"""


class Offer:
    """One pending visitor answer; `state` is 'pending', 'accepted', 'declined' or 'withdrawn'."""

    def __init__(self, on_accept, on_decline):
        self.state = "pending"
        self._on_accept = on_accept
        self._on_decline = on_decline

    @property
    def pending(self):
        return self.state == "pending"

    def accept(self, *args):
        """Run the accept handler if nothing was answered yet; True when it ran."""
        if self.state != "pending":
            return False
        self.state = "accepted"
        self._on_accept(*args)
        return True

    def decline(self, *args):
        """Run the decline handler if nothing was answered yet; True when it ran."""
        if self.state != "pending":
            return False
        self.state = "declined"
        self._on_decline(*args)
        return True

    def withdraw(self):
        """The request is gone: later accept/decline calls do nothing. True if it was pending."""
        if self.state != "pending":
            return False
        self.state = "withdrawn"
        return True

    def callbacks(self):
        """The {accept, decline} pair for an event payload (plain functions that return nothing)."""
        def accept(*args):
            self.accept(*args)

        def decline(*args):
            self.decline(*args)
        return {"accept": accept, "decline": decline}
