"""Agent sign-in for the asyncio service: passwords checked off the event loop, login keys.

Call `await auth.sign_in(group, username, password, loginkey)` wherever an
agent presents credentials (the `join` frame in hub.py, HTTP Basic or
`Authorization: LoginKey` on the sessions list in app.py). It answers
(profile, None) or (None, (code, message)) with a protocol error code:
`unauthorized`, or one of login_keys.CODES.

Password checks run scrypt (session_server/passwords.py) in a small thread
pool of their own (WORKERS: the cores but one, 1 to 4), so a sign-in never
blocks the event loop and a burst of sign-ins uses at most WORKERS x 16 MiB; recent successes are
cached (passwords.VerifiedCache). Login keys are one HMAC: checked inline.
"""

import asyncio
import os
import time
from concurrent.futures import ThreadPoolExecutor

from . import login_keys
from .passwords import VerifiedCache, verify

# Threads for scrypt: one core stays free for the event loop (scrypt releases the GIL but keeps a core
# and its cache busy), at most 4 (each run holds 16 MiB).
WORKERS = max(1, min(4, (os.cpu_count() or 2) - 1))


class AgentAuth:
    """One per service process (the Hub holds it)."""

    def __init__(self, clock=time.time, workers=WORKERS):
        self.clock = clock
        self.cache = VerifiedCache()
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="password-check")
        self._inflight = {}   # (stored hash, cache key) -> future of the scrypt run checking it

    async def check_password(self, group, username, password):
        """The agent's profile, or None. scrypt runs in the pool, not in the event loop; a recent
        success is answered from the cache, and identical checks in flight share one run."""
        stored = group.password_hash(username)
        if stored is not None and self.cache.hit(stored, password, self.clock()):
            return group.profile(username)
        key = (stored, self.cache.key(stored, password))
        fut = self._inflight.get(key) if key[1] is not None else None
        if fut is None:
            fut = asyncio.get_running_loop().run_in_executor(self.pool, verify, stored, password)
            if key[1] is not None:
                self._inflight[key] = fut
                fut.add_done_callback(lambda f, key=key: self._inflight.pop(key, None))
        ok = await asyncio.shield(fut)
        if not ok:
            return None
        self.cache.add(stored, password, self.clock())
        return group.profile(username)

    def check_login_key(self, group, key, expired_ok=False):
        """(profile, None) or (None, (code, msg)) for a login key presented to `group`.
        `expired_ok`: an expired but genuine key is accepted (a rejoin that carries a resume token)."""
        if group.api_secret is None:
            return None, ("unauthorized", "group %d accepts no login keys (no API secret is configured)"
                          % group.groupid)
        try:
            puid = login_keys.verify(key, group.groupid, group.api_secret, self.clock())
        except login_keys.LoginKeyError as exc:
            if not (expired_ok and exc.code == login_keys.EXPIRED):
                return None, (exc.code, exc.msg)
            puid = login_keys.parse(key)[2]
        profile = group.agent_by_partneruserid(puid)
        if profile is None:
            return None, ("unauthorized", "the login key names partner user id %r, which is not an agent of "
                          "group %d" % (puid[:80], group.groupid))
        return profile, None

    async def sign_in(self, group, username=None, password=None, loginkey=None, expired_ok=False):
        """Check one set of credentials: a login key, or a username and password."""
        if loginkey is not None:
            profile, err = self.check_login_key(group, loginkey, expired_ok)
            if profile is not None and username is not None and username != profile["username"]:
                return None, ("unauthorized", "the login key is not for agent %s" % username[:80])
            return profile, err
        profile = await self.check_password(group, username, password)
        if profile is None:
            return None, ("unauthorized", "wrong username or password for group %d" % group.groupid)
        return profile, None

    def close(self):
        self.pool.shutdown(wait=False, cancel_futures=True)
