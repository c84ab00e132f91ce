"""Rate limits, sans I/O: token buckets and failure counters with lock-outs, on an injectable clock.

Pure Python (no asyncio, no sockets): tests/unit/test_ratelimit.py runs them on a
fake clock. The hub and the sockets (the shells) create them from
limits.Limits and call them; docs/limits.md gives the arithmetic.

- `TokenBucket(rate, burst)`: `take(n)` spends n tokens and answers how many
  seconds the caller should wait before the next spend (0: go on). Tokens may
  go negative by one spend, so a single item larger than the burst still
  passes, after a wait. Used per socket (bytes and frames per second), per
  session (state changes) and per address (session starts).
- `FailureLimiter(limit, window, lockout, max_lockout)`: per key (a username,
  an address...), at most `limit` failures within `window` seconds; the
  failure that reaches the limit locks the key for `lockout` seconds, each
  further lock-out of the same key doubles (up to `max_lockout`); a key that
  stays quiet for `max_lockout` seconds after its last lock-out starts over.
  `retry_after(key)` is 0 when the key may try, else the seconds left.
- `Buckets` / `FailureLimiter` keep at most `max_keys` keys (the least
  recently used go first), so the limiters' own memory is bounded too.
"""

import time
from collections import OrderedDict


class TokenBucket:
    """`rate` tokens per second, at most `burst` saved up; starts full."""

    __slots__ = ("rate", "burst", "tokens", "stamp", "clock")

    def __init__(self, rate, burst, clock=time.monotonic):
        self.rate = float(rate)
        self.burst = float(burst)
        self.tokens = float(burst)
        self.clock = clock
        self.stamp = clock()

    def _refill(self, now):
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def take(self, n=1):
        """Spend `n` tokens; returns 0.0, or the seconds until the bucket is no longer in debt."""
        now = self.clock()
        self._refill(now)
        self.tokens -= n
        if self.tokens >= 0:
            return 0.0
        return -self.tokens / self.rate

    def allow(self, n=1):
        """Spend `n` tokens only when they are there: True, else False (nothing spent)."""
        now = self.clock()
        self._refill(now)
        if self.tokens >= n:
            self.tokens -= n
            return True
        return False

    def wait(self, n=1):
        """Seconds until `n` tokens are there (0.0 now); spends nothing."""
        self._refill(self.clock())
        return 0.0 if self.tokens >= n else (n - self.tokens) / self.rate

    def full(self):
        self._refill(self.clock())
        return self.tokens >= self.burst


class Buckets:
    """One TokenBucket per key, made on first use; at most `max_keys` (least recently used dropped)."""

    def __init__(self, rate, burst, clock=time.monotonic, max_keys=100000):
        self.rate, self.burst, self.clock, self.max_keys = rate, burst, clock, max_keys
        self.by_key = OrderedDict()

    def get(self, key):
        b = self.by_key.get(key)
        if b is None:
            b = self.by_key[key] = TokenBucket(self.rate, self.burst, self.clock)
            while len(self.by_key) > self.max_keys:
                self.by_key.popitem(last=False)
        else:
            self.by_key.move_to_end(key)
        return b

    def allow(self, key, n=1):
        """True when `key` may spend `n` now (and spends it); False when it has to wait."""
        return self.get(key).allow(n)

    def wait(self, key, n=1):
        return self.get(key).wait(n)


class _Record:
    __slots__ = ("fails", "level", "locked_until", "last")

    def __init__(self):
        self.fails = []          # times of the failures inside the window (at most `limit`)
        self.level = 0           # lock-outs so far: the next one lasts lockout * 2**level
        self.locked_until = 0.0
        self.last = 0.0          # time of the last failure


class FailureLimiter:
    """At most `limit` failures per `window` seconds per key, then lock-outs that double."""

    def __init__(self, limit, window, lockout, max_lockout, clock=time.monotonic, max_keys=100000):
        self.limit = int(limit)
        self.window = float(window)
        self.lockout = float(lockout)
        self.max_lockout = float(max_lockout)
        self.clock = clock
        self.max_keys = max_keys
        self.records = OrderedDict()

    def _get(self, key, create):
        r = self.records.get(key)
        if r is None:
            if not create:
                return None
            r = self.records[key] = _Record()
            while len(self.records) > self.max_keys:
                self.records.popitem(last=False)
        else:
            self.records.move_to_end(key)
        return r

    def retry_after(self, key):
        """0.0 when `key` may try now, else the seconds its lock-out still lasts."""
        r = self._get(key, False)
        if r is None:
            return 0.0
        now = self.clock()
        if now < r.locked_until:
            return r.locked_until - now
        return 0.0

    def fail(self, key):
        """Count a failure of `key`; returns the lock-out it caused (seconds), else 0.0."""
        now = self.clock()
        r = self._get(key, True)
        if r.level and now - max(r.last, r.locked_until) > self.max_lockout:
            r.level = 0          # quiet for a long time: start over
        r.last = now
        r.fails = [t for t in r.fails if now - t < self.window]
        r.fails.append(now)
        if len(r.fails) < self.limit:
            return 0.0
        span = min(self.max_lockout, self.lockout * (2 ** r.level))
        r.level += 1
        r.locked_until = now + span
        r.fails = []
        return span

    def succeed(self, key):
        """The key proved itself (e.g. the right password): forget its failures."""
        self.records.pop(key, None)


def sustained_rate(limit, window, lockout, max_lockout, seconds):
    """How many failures one key can make in `seconds` at best under a FailureLimiter
    (the attacker's best schedule: `limit` failures at once after every lock-out)."""
    total, t, level = 0, 0.0, 0
    while t < seconds:
        total += limit
        t += min(max_lockout, lockout * 2 ** level)
        level += 1
    return total
