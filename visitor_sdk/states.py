"""Session states of the visitor SDK, as a small hand-written enum.

Pure Python (Brython has no `enum` without the stdlib bundle). `readyState`
on GLANCE.Cobrowse.Visitor is one of these strings; the loader reports
IDLE or STARTING until the runtime is live.
"""

IDLE = "idle"                  # no session in this tab
STARTING = "starting"          # startSession called, waiting for the service
ACTIVE = "active"              # the session is running
RECONNECTING = "reconnecting"  # the connection dropped; trying to resume

ALL = (IDLE, STARTING, ACTIVE, RECONNECTING)
IN_SESSION = (STARTING, ACTIVE, RECONNECTING)


class StateError(ValueError):
    """An API call that the current state does not allow; names the state."""

    def __init__(self, action, state, hint=""):
        msg = action + " is not possible while the session is " + state
        if hint:
            msg += ": " + hint
        ValueError.__init__(self, msg)
        self.state = state
