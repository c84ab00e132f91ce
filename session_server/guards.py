"""The hub's budgets and rate limits in one place: what the hub asks before it stores or answers.

Pure (no asyncio, no sockets; the clock is injectable): built from a
limits.Limits by the Hub, which calls it at these points (docs/limits.md):

- a WebSocket upgrade: `open_socket(addr)` / `close_socket(addr)`;
- every decoded frame: `frame_cap(type, before_hello)`, its size limit;
- a visitor `hello` without resume: `start_wait(addr)` (session starts per
  address), `dupkey(addr)` when the key was live;
- an agent `join`: `signin_wait` / `signin_result` (failed sign-ins per
  username and per address), `join_wait` / `join_failed` (joins by a key
  that is not live, per agent and per address);
- a state patch: `state(session, size)`; an event parked for the next agent:
  `park(session, size)`; `unparked(session)` when an agent took them;
  `release(session)` when the session is forgotten.

Bytes a session holds (parked events, its state) are counted against the
address that started it (`address_bytes`), so starting many sessions does
not multiply what one address may hold.
"""

import time

from .ratelimit import Buckets, FailureLimiter, TokenBucket

CONTROL_TYPES = ("ack", "ping", "pong", "focus", "blur", "leave", "end")
HELLO_TYPES = ("hello", "join")


class Guards:
    """Budgets and rate limits of one hub (one node)."""

    def __init__(self, limits, clock=time.monotonic):
        L = self.limits = limits
        self.clock = clock
        fl = (L.failure_window, L.lockout, L.max_lockout)
        self.signin = FailureLimiter(L.signin_failures, *fl, clock=clock)
        self.joins = FailureLimiter(L.join_failures, *fl, clock=clock)
        self.dupkeys = FailureLimiter(L.dupkey_failures, *fl, clock=clock)
        self.starts = Buckets(1.0 / L.session_start_every, L.session_starts, clock=clock)
        self.opens = Buckets(L.socket_opens_per_s, L.socket_open_burst, clock=clock)
        self.sockets = {}   # addr -> open WebSockets
        self.held = {}      # addr -> bytes of parked events and state of the sessions it started

    # ----------------------------------------------------------------- sockets
    def open_socket(self, addr):
        """A WebSocket upgrade from `addr`: False when it has too many open, or opens them too fast."""
        n = self.sockets.get(addr, 0)
        if n >= self.limits.sockets_per_address or not self.opens.allow(addr):
            return False
        self.sockets[addr] = n + 1
        return True

    def close_socket(self, addr):
        n = self.sockets.get(addr, 0) - 1
        if n > 0:
            self.sockets[addr] = n
        else:
            self.sockets.pop(addr, None)

    def frame_cap(self, type_, before_hello):
        """The largest frame of this type, in bytes."""
        L = self.limits
        if before_hello or type_ in HELLO_TYPES:
            return L.hello_frame_bytes
        if type_ in CONTROL_TYPES:
            return L.control_frame_bytes
        return L.frame_bytes

    # ---------------------------------------------------------------- guessing
    def start_wait(self, addr):
        """0 when `addr` may start a session now (and counts it), else the seconds to wait."""
        wait = self.dupkeys.retry_after(addr)
        if wait:
            return wait
        if self.starts.allow(addr):
            return 0.0
        return max(self.starts.wait(addr), 0.001)

    def dupkey(self, addr):
        self.dupkeys.fail(addr)

    def signin_wait(self, group, username, addr):
        return max(self.signin.retry_after(("u", group, username)), self.signin.retry_after(("a", addr)))

    def signin_result(self, group, username, addr, ok):
        if ok:
            self.signin.succeed(("u", group, username))
        else:
            self.signin.fail(("u", group, username))
            self.signin.fail(("a", addr))

    def join_wait(self, group, username, addr):
        return max(self.joins.retry_after(("u", group, username)), self.joins.retry_after(("a", addr)))

    def join_failed(self, group, username, addr):
        self.joins.fail(("u", group, username))
        self.joins.fail(("a", addr))

    # ------------------------------------------------------- what sessions hold
    def _charge(self, s, n):
        """Count n more bytes (negative: fewer) against the session's address; False when over."""
        addr = s.addr or "unknown"
        cur = self.held.get(addr, 0)
        if n > 0 and cur + n > self.limits.address_bytes:
            return False
        cur += n
        if cur > 0:
            self.held[addr] = cur
        else:
            self.held.pop(addr, None)
        s.held += n
        return True

    def state(self, s, size):
        """A state change to `size` bytes (encoded): None, or why it is refused."""
        L = self.limits
        if size > L.state_bytes:
            return "the session state would be %d bytes, over its %d byte budget" % (size, L.state_bytes)
        if s.state_rate is None:
            s.state_rate = TokenBucket(L.state_changes_per_s, L.state_burst, self.clock)
        if not s.state_rate.allow():
            return "more than %g state changes per second" % L.state_changes_per_s
        if not self._charge(s, size - s.state_size):
            return "this address's sessions hold more than %d bytes" % L.address_bytes
        s.state_size = size
        return None

    def park(self, s, size):
        """An event of `size` bytes to keep for the next agent: None, or why it is refused."""
        L = self.limits
        frames, nbytes = s.parked
        if frames + 1 > L.park_frames or nbytes + size > L.park_bytes:
            return "more than %d events or %d bytes wait for an agent" % (L.park_frames, L.park_bytes)
        if not self._charge(s, size):
            return "this address's sessions hold more than %d bytes" % L.address_bytes
        s.parked = [frames + 1, nbytes + size]
        return None

    def unparked(self, s):
        if s.parked[1]:
            self._charge(s, -s.parked[1])
        s.parked = [0, 0]

    def release(self, s):
        """The session is forgotten on this node: what it held no longer counts."""
        if s.held:
            self._charge(s, -s.held)
        s.parked = [0, 0]
