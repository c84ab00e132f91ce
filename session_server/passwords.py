"""Agent password hashes: scrypt with a per-password salt, parameters in the stored string.

A stored hash reads `scrypt$n=16384,r=8,p=1$<salt>$<hash>` (salt and hash in
standard base64 without padding; 16-byte salt, 32-byte hash). Call
`hash_password(pw)` when an agent is added or a password is set (the CLI,
session_server/agents.py, does), `parse_hash(text)` when the groups file is
loaded (a ValueError names what is wrong), and `verify(stored, pw)` on every
sign-in: it takes as long for a wrong password as for a right one and
compares in constant time. `verify(None, pw)` checks against a fixed dummy
hash with the default parameters, so an unknown username costs the same
scrypt run as a known one.

scrypt is slow on purpose (about 65 ms at n=16384 on the development
machine, 16 MiB of memory): the asyncio service runs `verify` in a thread
(session_server/agent_auth.py), never in its event loop. `VerifiedCache`
remembers recent successful checks so an agent console that polls its
session list every 2 s does not pay that price each time.

Pure: no asyncio, no I/O; unit-tested on CPython (tests/unit/test_passwords.py).
"""

import base64
import hashlib
import hmac
import os

SCHEME = "scrypt"
DEFAULT_N, DEFAULT_R, DEFAULT_P = 16384, 8, 1
MIN_N, MAX_N = 2 ** 14, 2 ** 20      # accepted range of the cost parameter n (a power of two)
MAX_R, MAX_P = 32, 16
MAX_MEMORY = 256 * 1024 * 1024       # bytes scrypt may use for one stored hash (128 * n * r)
SALT_BYTES, HASH_BYTES = 16, 32
MAX_PASSWORD_BYTES = 1024            # longer passwords are refused (never hashed: bounded cost)


def _b64(raw):
    return base64.b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text):
    if not text or len(text) > 200 or text.strip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"):
        raise ValueError("not base64")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _kdf(password, salt, n, r, p):
    return hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=HASH_BYTES,
                          maxmem=128 * r * (n + p + 2) + (1 << 20))


def looks_hashed(text):
    """True when `text` is meant as a stored hash (starts with the scheme), right or wrong."""
    return isinstance(text, str) and text.startswith(SCHEME + "$")


def parse_hash(text):
    """(n, r, p, salt, digest) of a stored hash; ValueError saying what is wrong."""
    if not looks_hashed(text):
        raise ValueError("a password hash starts with 'scrypt$'")
    parts = text.split("$")
    if len(parts) != 4:
        raise ValueError("a password hash reads scrypt$n=..,r=..,p=..$<salt>$<hash>")
    params = {}
    for item in parts[1].split(","):
        k, _, v = item.partition("=")
        if k not in ("n", "r", "p") or k in params or not v.isascii() or not v.isdigit() or len(v) > 8:
            raise ValueError("password hash parameters must be n=<int>,r=<int>,p=<int>")
        params[k] = int(v)
    if set(params) != {"n", "r", "p"}:
        raise ValueError("password hash parameters must be n=<int>,r=<int>,p=<int>")
    n, r, p = params["n"], params["r"], params["p"]
    if n < MIN_N or n > MAX_N or n & (n - 1):
        raise ValueError("scrypt n must be a power of two from %d to %d" % (MIN_N, MAX_N))
    if not 1 <= r <= MAX_R or not 1 <= p <= MAX_P or 128 * n * r > MAX_MEMORY:
        raise ValueError("scrypt r must be 1..%d, p 1..%d, and 128*n*r at most %d bytes" % (MAX_R, MAX_P, MAX_MEMORY))
    try:
        salt, digest = _unb64(parts[2]), _unb64(parts[3])
    except ValueError:
        raise ValueError("the salt and hash of a password hash must be base64")
    if len(salt) < 8 or len(digest) != HASH_BYTES:
        raise ValueError("a password hash needs a salt of 8 bytes or more and a %d-byte hash" % HASH_BYTES)
    return n, r, p, salt, digest


def hash_password(password, n=DEFAULT_N, r=DEFAULT_R, p=DEFAULT_P, salt=None):
    """The stored form of `password` (a str) with a fresh random salt."""
    pw = _password_bytes(password)
    if pw is None:
        raise ValueError("a password must be a non-empty string of at most %d bytes" % MAX_PASSWORD_BYTES)
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    text = "%s$n=%d,r=%d,p=%d$%s$%s" % (SCHEME, n, r, p, _b64(salt), _b64(_kdf(pw, salt, n, r, p)))
    parse_hash(text)   # the parameters are in range
    return text


def _password_bytes(password):
    if not isinstance(password, str) or not password:
        return None
    try:
        pw = password.encode("utf-8")
    except UnicodeError:   # lone surrogates
        return None
    return pw if len(pw) <= MAX_PASSWORD_BYTES else None


_DUMMY = (DEFAULT_N, DEFAULT_R, DEFAULT_P, b"cobrowse-dummy-salt", b"\0" * HASH_BYTES)


def verify(stored, password):
    """True when `password` matches the stored hash. `stored` None (unknown agent) still runs
    one scrypt with the default parameters and answers False. Never raises on bad input."""
    try:
        n, r, p, salt, digest = parse_hash(stored) if stored is not None else _DUMMY
    except ValueError:
        n, r, p, salt, digest = _DUMMY
        stored = None
    pw = _password_bytes(password)
    got = _kdf(pw if pw is not None else b"\0", salt, n, r, p)
    return hmac.compare_digest(got, digest) and stored is not None and pw is not None


class VerifiedCache:
    """Successful (stored hash, password) checks of the last `ttl` seconds, at most `size` of them.

    Entries are keyed by an HMAC with a per-process random key, so the cache
    holds no password. Call `hit(stored, pw, now)` before `verify` and
    `add(stored, pw, now)` after it answered True. Failures are never cached.
    """

    def __init__(self, ttl=300.0, size=10000):
        self.ttl, self.size = ttl, size
        self._key = os.urandom(32)
        self._seen = {}   # mac -> time it was verified (insertion order: oldest first)

    def key(self, stored, password):
        """The cache key of (stored, password): an HMAC, so no password is kept; None for bad input."""
        pw = _password_bytes(password)
        if pw is None or not isinstance(stored, str):
            return None
        return hmac.new(self._key, stored.encode("utf-8") + b"\0" + pw, hashlib.sha256).digest()

    def hit(self, stored, password, now):
        mac = self.key(stored, password)
        t = self._seen.get(mac) if mac is not None else None
        if t is None:
            return False
        if now - t > self.ttl or now < t:
            del self._seen[mac]
            return False
        return True

    def add(self, stored, password, now):
        mac = self.key(stored, password)
        if mac is None:
            return
        self._seen.pop(mac, None)
        self._seen[mac] = now
        while len(self._seen) > self.size:
            del self._seen[next(iter(self._seen))]
