"""What one client may cost the service: every budget, its default and its setting, as data.

Pure Python (no asyncio, no sockets). `LIMITS` lists every budget once:
(name, default, unit, what it bounds). `Limits` holds the values the service
runs with; `Limits.from_env(env)` reads each one from the environment variable
`COBROWSE_LIMIT_<NAME>` (upper case), e.g. COBROWSE_LIMIT_PARK_BYTES=131072.
docs/limits.md describes each one (tests/unit/test_limits.py checks that it
lists them all with these defaults). Call `Limits.from_env` once at start-up;
the hub, the sockets and the rate limiters read the fields.

The budgets and what a client gets past them (error codes: docs/protocol.md):

- bytes held for a session: events parked while no agent is in the session
  (`park_*`), the session state (`state_bytes`), a participant's resend queue
  (`*_outbox_bytes`), uploads in flight (`upload_*`), bytes waiting to be
  written to a socket (`*_send_buffer`);
- what a socket may send: its frame sizes (`*_frame_bytes`), bytes and
  frames per second (`*_bytes_per_s`, `*_frames_per_s`, with bursts);
- how fast anyone may guess: sign-in failures, joins by key, session starts
  and dupkey answers, per account and per source address (ratelimit.py).
"""

KIB = 1024
MIB = 1024 * 1024

# name, default, unit, what it bounds (docs/limits.md says more)
LIMITS = (
    # -- frames and sockets
    ("hello_frame_bytes", 8 * KIB, "bytes", "largest frame before hello/join (the WebSocket layer's size limit until then)"),
    ("frame_bytes", 256 * KIB, "bytes", "largest frame after hello/join (protocol.MAX_FRAME_BYTES)"),
    ("visitor_alone_frame_bytes", 64 * KIB, "bytes", "largest frame from a visitor while no agent is in its session"),
    ("control_frame_bytes", 4 * KIB, "bytes", "largest ack, ping, pong, focus, leave or end frame"),
    ("hello_timeout", 5.0, "seconds", "a socket that has not sent hello/join by then is closed"),
    ("handshake_timeout", 5.0, "seconds", "a connection whose HTTP request (or WebSocket upgrade) is not complete by then is closed"),
    ("sockets_per_address", 16, "sockets", "visitor sockets, and agent sockets not yet signed in, open per source address"),
    ("socket_opens_per_s", 2, "sockets/s", "new WebSockets per source address (burst socket_open_burst)"),
    ("socket_open_burst", 20, "sockets", "burst above socket_opens_per_s"),
    ("visitor_bytes_per_s", 64 * KIB, "bytes/s", "what a visitor socket may send while no agent is in its session"),
    ("visitor_burst_bytes", 128 * KIB, "bytes", "burst above visitor_bytes_per_s"),
    ("visitor_frames_per_s", 20, "frames/s", "frames a visitor socket may send while no agent is in its session"),
    ("visitor_burst_frames", 40, "frames", "burst above visitor_frames_per_s"),
    ("live_bytes_per_s", 4 * MIB, "bytes/s", "what a visitor socket may send once an agent is in its session, and an agent socket"),
    ("live_burst_bytes", 16 * MIB, "bytes", "burst above live_bytes_per_s"),
    ("live_frames_per_s", 1000, "frames/s", "frames per second once an agent is in the session, and on agent sockets"),
    ("live_burst_frames", 4000, "frames", "burst above live_frames_per_s"),
    ("throttle_close", 10.0, "seconds", "a socket kept over its rate this long without a pause is closed (over_budget)"),
    ("visitor_send_buffer", 1 * MIB, "bytes", "bytes waiting to be written to a visitor socket whose peer does not read"),
    ("agent_send_buffer", 16 * MIB, "bytes", "the same for an agent socket"),
    # -- what a session holds
    ("park_bytes", 64 * KIB, "bytes", "visitor events kept for the next agent while none is in the session"),
    ("park_frames", 1000, "frames", "the same, counted"),
    ("state_bytes", 8 * KIB, "bytes", "the session state (its JSON encoding)"),
    ("state_changes_per_s", 5, "changes/s", "state changes per session (burst state_burst)"),
    ("state_burst", 20, "changes", "burst above state_changes_per_s"),
    ("visitor_outbox_bytes", 512 * KIB, "bytes", "frames sent to a visitor tab and not yet acknowledged"),
    ("visitor_outbox_alone_bytes", 64 * KIB, "bytes", "the same while no agent is in the session"),
    ("agent_outbox_bytes", 32 * MIB, "bytes", "frames sent to an agent and not yet acknowledged"),
    ("outbox_frames", 10000, "frames", "the same, counted, for every participant"),
    ("address_bytes", 256 * KIB, "bytes", "parked events and session state held for all the sessions one address started"),
    ("upload_bytes_in_flight", 16 * MIB, "bytes", "upload bodies being received at once, for the whole service"),
    ("uploads_per_address", 2, "uploads", "uploads one address may have in flight"),
    # -- guessing
    ("signin_failures", 10, "failures", "wrong credentials per minute, per username and per address, before a lock-out"),
    ("join_failures", 10, "failures", "joins by a key that is not live, per minute, per agent and per address"),
    ("dupkey_failures", 10, "failures", "session starts answered dupkey, per minute, per address"),
    ("failure_window", 60.0, "seconds", "the window those failures are counted in"),
    ("lockout", 60.0, "seconds", "the first lock-out; each further one doubles"),
    ("max_lockout", 3600.0, "seconds", "the longest lock-out"),
    ("session_starts", 30, "sessions", "new sessions per address at once (a burst)"),
    ("session_start_every", 4.0, "seconds", "then one more per this many seconds"),
)

DEFAULTS = {name: default for name, default, _, _ in LIMITS}
ENV_PREFIX = "COBROWSE_LIMIT_"


class LimitsError(ValueError):
    """A COBROWSE_LIMIT_* setting is not a positive number; the message names it."""


class Limits:
    """The budgets in force: one attribute per LIMITS entry (the defaults unless overridden)."""

    __slots__ = tuple(DEFAULTS)

    def __init__(self, **overrides):
        for name, value in DEFAULTS.items():
            setattr(self, name, value)
        for name, value in overrides.items():
            if name not in DEFAULTS:
                raise LimitsError("unknown limit " + repr(name))
            setattr(self, name, _number(name, value, type(DEFAULTS[name])))

    @classmethod
    def from_env(cls, env):
        """The defaults, with each COBROWSE_LIMIT_<NAME> found in `env` (a mapping) applied."""
        found = {}
        for name in DEFAULTS:
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None and str(raw).strip():
                found[name] = str(raw).strip()
        return cls(**found)

    def as_dict(self):
        return {name: getattr(self, name) for name in DEFAULTS}


def _number(name, value, kind):
    try:
        v = kind(value) if not isinstance(value, str) else (int(value) if kind is int else float(value))
    except (TypeError, ValueError):
        raise LimitsError(ENV_PREFIX + name.upper() + " must be a number, got " + repr(value)[:40])
    if v <= 0:
        raise LimitsError(ENV_PREFIX + name.upper() + " must be > 0, got " + repr(value)[:40])
    return v
