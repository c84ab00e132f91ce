"""Signed resume tokens: `sign(secret, data)` / `verify(secret, token)`.

A token is base64url(JSON) + "." + base64url(HMAC-SHA256). It carries the
session id, group and key (and the agent id for agents), so a restarted
server, or another node, can take a session back without shared memory.
"""

import base64
import hashlib
import hmac
import json


def _b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret, data):
    body = _b64(json.dumps(data, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(secret, body.encode("ascii"), hashlib.sha256).digest()[:18]
    return body + "." + _b64(mac)


def verify(secret, token):
    """The token's data dict, or None when it is malformed or not ours."""
    try:
        body, mac = token.split(".")
        want = hmac.new(secret, body.encode("ascii"), hashlib.sha256).digest()[:18]
        if not hmac.compare_digest(want, _unb64(mac)):
            return None
        data = json.loads(_unb64(body))
        return data if isinstance(data, dict) else None
    except Exception:
        return None
