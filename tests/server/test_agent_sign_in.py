"""Agent sign-in against the real service: password hashes, login keys, the signing secret."""

import asyncio
import base64
import hashlib
import json
import os
import subprocess
import sys
import time

import httpx
import pytest
import websockets

from session_server import agent_frames as AF
from session_server import login_keys as LK
from session_server import tokens
from session_server.agent_auth import AgentAuth
from session_server.agent_client import AgentClient, AgentError
from session_server.config import DEFAULT_GROUPS, parse_groups
from session_server.passwords import hash_password
from visitor_sdk import protocol as P

from .clients import Visitor
from .conftest import API_SECRET, JANET, ROOT, free_port
from .test_sessions import key, run


def mint(puid="janet@example.com", group=72937, ttl=300, secret=API_SECRET):
    return LK.mint(secret, group, puid, int(time.time()) + ttl)


async def join_error(server, frame):
    async with websockets.connect(server.base.replace("http", "ws", 1) + "/ws/agent") as ws:
        await ws.send(json.dumps(frame))
        msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert msg["type"] == "error", msg
        return msg


def test_login_key_joins_as_the_agent_it_names(server):
    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        await v.connect()
        async with AgentClient.with_login_key(server.base, k, mint()) as a:
            assert a.group == 72937
            await v.wait(lambda v: v.of("agents") and v.of("agents")[-1]["count"] == 1)
            entry = v.of("agents")[-1]["agentlist"][0]
            assert entry["username"] == "janet.glance.net" and entry["name"] == "Janet Wills"
            await a.action("n", {"i": 1})
            await v.wait(lambda v: v.of("agent_action"))
            assert v.of("agent_action")[0]["agent"]["username"] == "janet.glance.net"
        # an agent without a password (login keys only)
        async with AgentClient.with_login_key(server.base, k, mint("carl@example.com")) as c:
            assert c.num == 2
        with pytest.raises(AgentError) as e:
            await AgentClient(server.base, 72937, k, "carl.crm", "").join()
        assert e.value.code == "unauthorized"
        await v.close()
    run(main())


def test_refused_login_keys_have_distinct_codes(server):
    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        await v.connect()
        cases = [
            (mint(ttl=-5), "loginkey_expired"),
            (mint(group=12345), "loginkey_group"),                                  # minted for another group
            (mint(secret="not-the-api-secret-0123"), "loginkey_invalid"),           # another secret
            (mint()[:-3] + "AAA", "loginkey_invalid"),                              # tampered signature
            (mint().replace("lk1.72937.", "lk1.72937.9", 1), "loginkey_invalid"),   # tampered expiry
            ("lk1.nonsense", "loginkey_invalid"),
            (mint("nobody@example.com"), "unauthorized"),                           # not an agent of the group
        ]
        for lk, code in cases:
            err = await join_error(server, AF.join(72937, k, loginkey=lk))
            assert err["code"] == code and err["fatal"] is True, (lk, err)
            assert err["msg"] and P.validate(err, P.S2A)[0]
        # group 12345 has no API secret: its keys are refused
        err = await join_error(server, AF.join(12345, k, loginkey=mint(group=12345)))
        assert err["code"] == "unauthorized" and "accepts no login keys" in err["msg"]
        # exactly one credential
        err = await join_error(server, AF.join(72937, k, *JANET, loginkey=mint()))
        assert err["code"] == "unauthorized" and "exactly one" in err["msg"]
        err = await join_error(server, AF.join(72937, k))
        assert err["code"] == "unauthorized"
        err = await join_error(server, AF.join(72937, k, "mary.glance.net", loginkey=mint()))   # not Mary's key
        assert err["code"] == "unauthorized"
        await v.close()
    run(main())


def test_sessions_list_with_a_login_key_or_hashed_password(server):
    url = server.base + "/api/groups/72937/sessions"
    r = httpx.get(url, headers={"Authorization": "LoginKey " + mint()}, timeout=5)
    assert r.status_code == 200 and r.json()["agent"] == {"username": "janet.glance.net", "name": "Janet Wills"}
    basic = "Basic " + base64.b64encode(("%s:%s" % JANET).encode()).decode()
    r = httpx.get(url, headers={"Authorization": basic}, timeout=5)
    assert r.status_code == 200 and r.json()["agent"]["username"] == "janet.glance.net"
    for auth, code in (("LoginKey " + mint(ttl=-1), "loginkey_expired"), ("LoginKey " + mint(group=12345), "loginkey_group"),
                       ("Basic " + base64.b64encode(b"janet.glance.net:nope").decode(), "unauthorized"), ("", "unauthorized")):
        r = httpx.get(url, headers={"Authorization": auth}, timeout=5)
        assert r.status_code == 401 and r.json()["code"] == code, (auth, r.text)


def test_an_expired_login_key_still_rejoins_its_session_after_a_restart(make_server):
    async def main():
        srv = make_server(window=10)
        k = key()
        v = Visitor(srv.base, 72937, k)
        await v.connect()
        a = AgentClient.with_login_key(srv.base, k, mint(ttl=2))
        await a.join()
        srv.kill()
        await v.drop()
        await a.action("n", {"i": 1})            # queued while the service is down
        await asyncio.sleep(2.5)                 # the key has expired by now
        srv.start()
        for _ in range(50):
            try:
                st = await v.connect()
                break
            except OSError:
                await asyncio.sleep(0.1)
        assert st["resumed"] is True
        await v.wait(lambda v: v.of("agent_action"), timeout=10)   # the agent is back, with its resume token
        assert v.of("agent_action")[0]["payload"] == {"i": 1}
        # but the expired key opens no other session
        k2 = key()
        v2 = Visitor(srv.base, 72937, k2)
        await v2.connect()
        err = await join_error(srv, AF.join(72937, k2, loginkey=a.loginkey, resume=a.resume))
        assert err["code"] in ("loginkey_expired", "unauthorized")
        await a.close()
        await v.close()
        await v2.close()
    run(main())


def test_password_checks_do_not_block_the_event_loop():
    """scrypt (~65 ms here) runs in a thread: other tasks keep running meanwhile."""
    groups = parse_groups({"groups": {"7": {"agents": [{"username": "ann", "password_hash": hash_password("pw")}]}}})
    auth = AgentAuth()

    async def main():
        ticks = []

        async def ticker():
            while True:
                ticks.append(time.perf_counter())
                await asyncio.sleep(0.002)
        t = asyncio.create_task(ticker())
        await asyncio.sleep(0.01)
        results = []
        for user, pw in (("ann", "wrong"), ("nobody", "pw"), ("ann", "wrong2")):
            start = len(ticks)
            t0 = time.perf_counter()
            results.append(await auth.check_password(groups[7], user, pw))
            took = time.perf_counter() - t0
            assert took > 0.01 and len(ticks) - start >= 3, (user, took, len(ticks) - start)
        assert results == [None, None, None]
        assert (await auth.check_password(groups[7], "ann", "pw"))["username"] == "ann"
        t.cancel()
    run(main())
    auth.close()


# --------------------------------------------------------------- secrets
def start(args, env_extra=None, drop=("COBROWSE_SECRET", "COBROWSE_SECRET_FILE", "REDIS_URL", "COBROWSE_GROUPS")):
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra or {}, PYTHONPATH=ROOT)
    port = free_port()
    return port, subprocess.Popen([sys.executable, "-m", "session_server", "--host", "127.0.0.1", "--port", str(port)]
                                  + args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True)


def test_without_a_signing_secret_the_service_refuses_to_start():
    for args, env, why in (([], {}, "COBROWSE_SECRET"),
                           (["--demo", "--redis-url", "redis://127.0.0.1:1"], {}, "Redis"),
                           ([], {"COBROWSE_SECRET": "short"}, "too short")):
        _, proc = start(args, env)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 2, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("session_server: ") and why in lines[0], err


def test_demo_tokens_cannot_be_forged_from_the_groups_file():
    """--demo signs with a random key: a resume token signed with the key today's code derived from
    the shipped groups file is refused."""
    port, proc = start(["--demo"])
    try:
        base = "http://127.0.0.1:%d" % port
        for _ in range(100):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with open(DEFAULT_GROUPS, "rb") as fh:
            derived = hashlib.sha256(b"cobrowse-resume\0" + fh.read()).digest()
        forged = tokens.sign(derived, {"r": "v", "s": "forged-session-id", "g": 72937, "k": "4242", "t": time.time()})

        async def main():
            v = Visitor(base, 72937, "4242")
            msg = await v.connect(resume=forged)
            assert msg["type"] == "error" and msg["code"] == "conndrop", msg
            agent = AgentClient(base, 72937, "4242", "janet.glance.net", "demo-agent")   # the demo login works
            with pytest.raises(AgentError) as e:
                await agent.join()
            assert e.value.code == "nosession"
        run(main())
    finally:
        proc.terminate()
        proc.wait(5)
