"""Signed, expiring login keys: how a CRM or an identity provider signs an agent in.

A CRM back end that holds the group's API secret mints a key for one agent
(named by its partner user id) that is valid until `expires` (Unix seconds):

    lk1.<groupid>.<expires>.<base64url(partneruserid)>.<base64url(signature)>
    signature = HMAC-SHA256(api_secret, "lk1\\n<groupid>\\n<partneruserid>\\n<expires>")

(base64url without padding; docs/agent-sign-in.md has a 10-line minting
example). The agent console and the Python agent client send the key in
`join.loginkey` (and as `Authorization: LoginKey <key>` for the sessions
list) instead of a username and password.

Call `group_of(key)` to learn which group a key claims (the console uses it
to fill the group in), `mint(...)` in tests and tools, and
`verify(key, groupid, secret, now)` in the service: it answers the partner
user id or raises LoginKeyError whose `code` is one of
  loginkey_invalid  malformed, or the signature does not match (tampered, or
                    minted with another secret), or valid too far ahead;
  loginkey_group    the key was minted for another group than the join names;
  loginkey_expired  the signature is right but `expires` has passed.
Pure: no I/O, no clock (pass `now`).
"""

import base64
import hashlib
import hmac

VERSION = "lk1"
MAX_KEY_CHARS = 1024
MAX_PARTNERUSERID_BYTES = 256
MAX_LIFETIME = 86400      # seconds: a key may not be valid for longer than a day from now
CLOCK_SKEW = 0            # seconds of grace after `expires` (none: mint with a margin instead)
MIN_SECRET_BYTES = 16

INVALID, GROUP, EXPIRED = "loginkey_invalid", "loginkey_group", "loginkey_expired"
CODES = (INVALID, GROUP, EXPIRED)


class LoginKeyError(ValueError):
    """A refused login key; `code` is one of CODES, the message says why."""

    def __init__(self, code, msg):
        ValueError.__init__(self, msg)
        self.code, self.msg = code, msg


def _b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text):
    if not text or text.strip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _digits(text):
    """An exact decimal (no sign, no leading zero, ASCII) as int, else None."""
    if not text or len(text) > 15 or not text.isascii() or not text.isdigit() or (text[0] == "0" and text != "0"):
        return None
    return int(text)


def _secret(secret):
    return secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)


def signature(secret, groupid, partneruserid, expires):
    """The HMAC-SHA256 bytes a key for these values carries."""
    msg = "%s\n%d\n%s\n%d" % (VERSION, groupid, partneruserid, expires)
    return hmac.new(_secret(secret), msg.encode("utf-8"), hashlib.sha256).digest()


def mint(secret, groupid, partneruserid, expires):
    """A login key for agent `partneruserid` of group `groupid`, valid until `expires` (Unix s)."""
    return "%s.%d.%d.%s.%s" % (VERSION, groupid, int(expires), _b64(partneruserid.encode("utf-8")),
                               _b64(signature(secret, groupid, partneruserid, int(expires))))


def parse(key):
    """(groupid, expires, partneruserid, signature bytes) of a well-formed key, else LoginKeyError(INVALID)."""
    if not isinstance(key, str) or len(key) > MAX_KEY_CHARS:
        raise LoginKeyError(INVALID, "a login key is a string of at most %d characters" % MAX_KEY_CHARS)
    parts = key.split(".")
    if len(parts) != 5 or parts[0] != VERSION:
        raise LoginKeyError(INVALID, "a login key reads lk1.<groupid>.<expires>.<partneruserid>.<signature>")
    gid, exp = _digits(parts[1]), _digits(parts[2])
    if not gid or exp is None:
        raise LoginKeyError(INVALID, "the login key's group id and expiry must be decimal integers")
    try:
        puid = _unb64(parts[3]).decode("utf-8")
        sig = _unb64(parts[4])
    except (ValueError, UnicodeDecodeError):
        raise LoginKeyError(INVALID, "the login key's partner user id and signature must be base64url")
    if not puid or len(puid.encode("utf-8")) > MAX_PARTNERUSERID_BYTES or len(sig) != 32:
        raise LoginKeyError(INVALID, "the login key's partner user id or signature has the wrong length")
    return gid, exp, puid, sig


def group_of(key):
    """The group id a key claims (unverified), or None when it is not a login key."""
    try:
        return parse(key)[0]
    except LoginKeyError:
        return None


def verify(key, groupid, secret, now):
    """The partner user id a valid key signs in, for a join naming group `groupid` at time `now`.

    Checks in this order: well-formed, minted for `groupid`, signature (constant time),
    expiry, lifetime. Raises LoginKeyError(code, msg) on the first that fails."""
    gid, exp, puid, sig = parse(key)
    if gid != groupid:
        raise LoginKeyError(GROUP, "this login key was minted for group %d, not group %d" % (gid, groupid))
    if not secret or not hmac.compare_digest(signature(secret, gid, puid, exp), sig):
        raise LoginKeyError(INVALID, "the login key's signature does not match group %d's API secret" % gid)
    if exp + CLOCK_SKEW < now:
        raise LoginKeyError(EXPIRED, "the login key expired %d s ago; ask the CRM for a new one" % int(now - exp))
    if exp > now + MAX_LIFETIME:
        raise LoginKeyError(INVALID, "the login key is valid for more than %d s from now; mint shorter-lived keys"
                            % MAX_LIFETIME)
    return puid
