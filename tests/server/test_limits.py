"""Budgets, rate limits, origin checks and timeouts against the real service with its default limits
(docs/limits.md). Each test starts its own server: the limits count per source address, and every
client here is 127.0.0.1 (or, behind COBROWSE_TRUSTED_PROXIES, the X-Forwarded-For it sends)."""

import asyncio
import json
import socket
import time

import httpx
import pytest
import websockets

from session_server.agent_client import AgentClient, AgentError
from visitor_sdk import protocol as P

from .clients import Visitor
from .conftest import API_SECRET, GROUPS_TOML, JANET
from .test_sessions import key, run

SITE = "https://www.shop.test"
LIMITED_GROUPS = GROUPS_TOML.replace('''trusted_origins = ["http://localhost:8000", "http://127.0.0.1:8000", "https://*.shop.test"]''',
                                     '''trusted_origins = ["http://localhost:8000", "http://127.0.0.1:8000", "https://*.shop.test"]
site_origins = ["http://shop.test", "https://*.shop.test"]''')


@pytest.fixture
def limited(tmp_path):
    """make(limits={}, env={}): a private server with the service's default limits, group 72937
    with site_origins, group 12345 without."""
    from .conftest import Server
    path = tmp_path / "groups.toml"
    path.write_text(LIMITED_GROUPS)
    started = []

    def make(limits=None, env=None):
        s = Server(str(path), limits=limits or {}, env=env)
        s.env["PYTHONUNBUFFERED"] = "1"
        s.start()
        started.append(s)
        return s
    yield make
    for s in started:
        s.stop()


def ws_url(server, path="/ws/visitor"):
    return server.base.replace("http", "ws", 1) + path


async def raw(server, path="/ws/visitor", headers=None):
    return await websockets.connect(ws_url(server, path), max_size=4 * P.MAX_FRAME_BYTES, additional_headers=headers)


async def next_of(ws, type_, timeout=5.0):
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if msg["type"] == type_:
            return msg


async def hello(server, k, headers=None, tab="t1"):
    ws = await raw(server, headers=headers)
    await ws.send(json.dumps(P.hello(72937, k, tab)))
    msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
    return ws, msg


def event(seq, name="e", payload=None, state=None):
    f = P.frame("visitor_event", seq, name=name, payload=payload if payload is not None else {})
    if state is not None:
        f["state"] = state
    return json.dumps(f)


# ------------------------------------------------------------------ budgets
def test_parked_events_have_a_byte_budget(limited):
    server = limited()

    async def main():
        k = key()
        ws, st = await hello(server, k)
        assert st["type"] == "started"
        blob = "x" * 20000
        for i in range(1, 11):       # 10 events of 20 KB while no agent is in the session: 64 KiB fit
            await ws.send(event(i, "big%d" % i, {"blob": blob}))
        errors = []
        while len(errors) < 7:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if msg["type"] == "error":
                errors.append(msg)
        assert {e["code"] for e in errors} == {"over_budget"} and not any(e["fatal"] for e in errors)
        assert [e["ref_seq"] for e in errors] == list(range(4, 11))
        async with AgentClient(server.base, 72937, k, *JANET) as a:
            names = [(await a.next_event())["name"] for _ in range(3)]
            assert names == ["big1", "big2", "big3"]
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(a.next_event(), 0.5)
        await ws.close()
    run(main())


def test_session_state_has_a_size_and_a_rate_budget(limited):
    server = limited()

    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        await v.connect()
        await v.send("visitor_event", name="s", state={"big": "y" * 9000})     # over state_bytes (8 KiB)
        err = await v.wait_error("over_budget")
        assert err["fatal"] is False and "state" in err["msg"]
        await v.send("visitor_event", name="s", state={"small": 1})
        await v.wait(lambda v: any(f["state"].get("small") == 1 for f in v.of("state")))
        assert all("big" not in f["state"] for f in v.of("state"))
        n = len(v.errors)
        for i in range(40):                                                     # over 5/s, burst 20
            await v.send("visitor_event", name="s", state={"n": i})
        await v.wait(lambda v: len(v.errors) > n)
        assert {e["code"] for e in v.errors[n:]} == {"over_budget"}
        assert "per second" in v.errors[-1]["msg"]
        await v.close()
    run(main())


def test_a_visitor_that_never_acknowledges_is_dropped_past_its_resend_budget(limited):
    server = limited()

    async def main():
        k = key()
        ws, st = await hello(server, k)            # a raw client: it never sends an ack
        codes = []

        async def read():
            try:
                async for text in ws:
                    msg = json.loads(text)
                    if msg["type"] == "error":
                        codes.append((msg["code"], msg["fatal"]))
            except websockets.ConnectionClosed:
                pass
        reader = asyncio.create_task(read())
        try:
            for i in range(1, 20):                 # each change sends the whole state (7 KB) back to this tab
                await ws.send(event(i, "s", state={"k%d" % (i % 2): "z" * 3500}))
                await asyncio.sleep(0.05)
        except websockets.ConnectionClosed:
            pass
        await asyncio.wait_for(reader, 5)
        assert ("over_budget", True) in codes
        # its streams were dropped: the session is over, the key free again
        v = Visitor(server.base, 72937, k)
        assert (await v.connect())["type"] == "started"
        await v.close()
    run(main())


def test_a_visitor_socket_alone_is_read_at_its_byte_rate(limited):
    server = limited(limits={"COBROWSE_LIMIT_VISITOR_BYTES_PER_S": "262144",
                             "COBROWSE_LIMIT_VISITOR_BURST_BYTES": "65536"})

    async def main():
        ws, st = await hello(server, key())
        blob = "p" * 16000
        t0 = time.monotonic()
        for i in range(1, 97):                 # 1.5 MB: > 4 s at 256 KiB/s (one read of <= 256 KiB may pass first)
            await ws.send(event(i, "e", {"blob": blob}))
        await ws.send(json.dumps(P.frame("ping", 0, t=999)))
        while (await next_of(ws, "pong", 20))["t"] != 999:
            pass
        elapsed = time.monotonic() - t0
        assert elapsed > 2.5, elapsed          # today: read at once
        await ws.send(json.dumps(P.frame("ping", 0, t=1000)))   # throttled, not closed
        assert (await next_of(ws, "pong"))["t"] == 1000
        await ws.close()
    run(main())


# ----------------------------------------------------------------- frames
def test_frames_over_their_type_limit_are_skipped_with_too_large(limited):
    server = limited()

    async def main():
        ws = await raw(server)
        await ws.send(json.dumps(P.frame("ping", 0, pad="q" * 20000)))         # 20 KB before hello (limit 8 KiB)
        err = await next_of(ws, "error")
        assert err["code"] == "too_large" and err["fatal"] is False and "8192" in err["msg"]
        await ws.send(json.dumps(P.hello(72937, key(), "t1")))
        assert (await next_of(ws, "started"))["type"] == "started"
        await ws.send(json.dumps(P.frame("ping", 0, t=1, pad="q" * 5000)))     # a control frame over 4 KiB
        err = await next_of(ws, "error")
        assert err["code"] == "too_large" and err["ref_type"] == "ping"
        await ws.send(json.dumps(P.frame("ping", 0, t=2)))
        assert (await next_of(ws, "pong"))["t"] == 2
        await ws.close()
    run(main())


def test_a_socket_without_hello_is_closed_after_the_hello_timeout(limited):
    server = limited()

    async def main():
        ws = await raw(server)
        t0 = time.monotonic()
        err = await next_of(ws, "error", timeout=10)
        assert err["code"] == "timeout" and err["fatal"] is True
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        assert 4.0 < time.monotonic() - t0 < 8.0
    run(main())


def test_half_open_handshakes_are_closed(limited):
    server = limited()
    socks = []
    for i in range(50):
        s = socket.create_connection(("127.0.0.1", server.port))
        if i % 2:
            s.sendall(b"GET /ws/visitor HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")   # never finished
        socks.append(s)
    deadline = time.monotonic() + 9.0
    closed = 0
    for s in socks:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            if s.recv(100) == b"":
                closed += 1
        except (socket.timeout, OSError):
            pass
        s.close()
    assert closed == 50


# --------------------------------------------------------------- guessing
def test_sign_in_failures_lock_the_username_out(limited):
    server = limited()

    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        await v.connect()
        codes = []
        for i in range(12):
            try:
                async with AgentClient(server.base, 72937, k, JANET[0], "wrong-%d" % i, reconnect=False):
                    pass
            except AgentError as exc:
                codes.append(exc.code)
        assert codes[:10] == ["unauthorized"] * 10 and codes[10:] == ["rate_limited"] * 2
        with pytest.raises(AgentError) as e:          # even the right password, while locked
            async with AgentClient(server.base, 72937, k, *JANET, reconnect=False):
                pass
        assert e.value.code == "rate_limited" and "try again in" in str(e.value)
        await v.close()


def test_an_agent_already_signed_in_rejoins_while_others_lock_its_username(limited):
    server = limited()

    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        await v.connect()
        a = AgentClient(server.base, 72937, k, *JANET)
        await a.join()
        for i in range(10):                              # someone else fails on janet's username
            with pytest.raises(AgentError):
                async with AgentClient(server.base, 72937, k, JANET[0], "x%d" % i, reconnect=False):
                    pass
        await a._ws.close()                              # janet's socket drops; her client resumes with its token
        await a.action("pause", {"paused": True})
        f = await v.wait_frame("agent_action")
        assert f["name"] == "pause"
        await a.close()
        await v.close()
    run(main())


def test_sign_in_lockout_carries_a_retry_after_and_covers_the_sessions_api(limited):
    server = limited()
    for i in range(10):
        assert server.get("/api/groups/72937/sessions", auth=("mary.glance.net", "nope%d" % i)).status_code == 401
    r = server.get("/api/groups/72937/sessions", auth=("mary.glance.net", "pw-mary"))
    assert r.status_code == 429 and r.json()["code"] == "rate_limited" and int(r.headers["Retry-After"]) >= 50

    async def main():
        ws = await raw(server, "/ws/agent")
        await ws.send(json.dumps(P.frame("join", 0, group=72937, key="1234", username="mary.glance.net",
                                         password="pw-mary")))
        err = await next_of(ws, "error")
        assert err["code"] == "rate_limited" and err["fatal"] and 50 <= err["retry_after"] <= 61
    run(main())


def test_joins_by_a_key_that_is_not_live_are_limited(limited):
    server = limited()

    async def main():
        codes = []
        for i in range(11):
            try:
                async with AgentClient(server.base, 72937, "99%08d" % i, *JANET, reconnect=False):
                    pass
            except AgentError as exc:
                codes.append(exc.code)
        assert codes == ["nosession"] * 10 + ["rate_limited"]
    run(main())


SOCKETS_UNLIMITED = {"COBROWSE_LIMIT_SOCKETS_PER_ADDRESS": "1000", "COBROWSE_LIMIT_SOCKET_OPENS_PER_S": "1000",
                     "COBROWSE_LIMIT_SOCKET_OPEN_BURST": "1000"}   # the session-start limits alone


def test_sockets_per_address_are_limited_in_number_and_rate(limited):
    server = limited(env={"COBROWSE_TRUSTED_PROXIES": "127.0.0.1"})

    async def main():
        socks = []
        for i in range(16):
            socks.append(await raw(server, headers={"X-Forwarded-For": "203.0.113.50"}))
        with pytest.raises(websockets.InvalidStatus) as e:
            await raw(server, headers={"X-Forwarded-For": "203.0.113.50"})
        assert e.value.response.status_code == 429
        for ws in socks:
            await ws.close()
        statuses = []
        for i in range(30):                     # opened and closed at once: 2 a second, burst 20
            try:
                ws = await raw(server, headers={"X-Forwarded-For": "203.0.113.51"})
                statuses.append(101)
                await ws.close()
            except websockets.InvalidStatus as exc:
                statuses.append(exc.response.status_code)
        assert statuses[:20] == [101] * 20 and statuses.count(429) >= 8, statuses
        ws = await raw(server, headers={"X-Forwarded-For": "203.0.113.52"})   # another address
        await ws.close()
    run(main())


def test_session_starts_and_dupkeys_are_limited_per_address(limited):
    server = limited(limits=SOCKETS_UNLIMITED, env={"COBROWSE_TRUSTED_PROXIES": "127.0.0.1"})
    one = {"X-Forwarded-For": "203.0.113.5"}

    async def main():
        socks = []
        for i in range(30):
            ws, msg = await hello(server, key(), headers=one)
            assert msg["type"] == "started", (i, msg)
            socks.append(ws)
        ws, msg = await hello(server, key(), headers=one)
        assert msg["code"] == "rate_limited" and msg["fatal"] and msg["retry_after"] >= 1
        ws, msg = await hello(server, key(), headers={"X-Forwarded-For": "203.0.113.6"})   # another address
        assert msg["type"] == "started"
        # dupkey answers from one address: the message names neither key nor group, then rate_limited
        k = key()
        ws0, msg = await hello(server, k, headers={"X-Forwarded-For": "203.0.113.7"})
        codes = []
        for i in range(11):
            ws, msg = await hello(server, k, headers={"X-Forwarded-For": "198.51.100.9"})
            codes.append(msg["code"])
            if msg["code"] == "dupkey":
                assert k not in msg["msg"] and "72937" not in msg["msg"]
        assert codes == ["dupkey"] * 10 + ["rate_limited"]
        for ws in socks:
            await ws.close()
    run(main())


def test_forwarded_for_is_ignored_without_trusted_proxies(limited):
    server = limited(limits=SOCKETS_UNLIMITED)

    async def main():
        results = []
        for i in range(31):     # 31 different claimed addresses, one real one
            ws, msg = await hello(server, key(), headers={"X-Forwarded-For": "192.0.2.%d" % i})
            results.append(msg["type"] if msg["type"] == "started" else msg["code"])
        assert results == ["started"] * 30 + ["rate_limited"]
    run(main())


# ----------------------------------------------------------------- origins
def test_visitor_sockets_only_from_the_groups_site_origins(limited):
    server = limited()

    async def main():
        for origin, expect in [("https://www.shop.test", "started"), ("http://shop.test", "started"),
                               ("https://evil.example", "bad_origin"), ("https://shop.test.evil.example", "bad_origin"),
                               ("null", "bad_origin"), (None, "started")]:
            ws, msg = await hello(server, key(), headers={"Origin": origin} if origin else None)
            assert (msg["type"] if msg["type"] == "started" else msg["code"]) == expect, origin
            if expect == "bad_origin":
                assert msg["fatal"] and msg["ref_type"] == "hello"
            await ws.close()
        # group 12345 has no site_origins: any page
        ws = await raw(server, headers={"Origin": "https://evil.example"})
        await ws.send(json.dumps(P.hello(12345, key(), "t1")))
        assert (await next_of(ws, "started"))["group"] == 12345
        await ws.close()
    run(main())


def test_a_group_without_site_origins_is_warned_about_at_start_up(caplog):
    from session_server.backplane import LocalBackplane
    from session_server.config import Settings, parse_groups
    from session_server.hub import Hub
    import tomllib
    groups = parse_groups(tomllib.loads(LIMITED_GROUPS), env={"COBROWSE_TEST_API_SECRET": API_SECRET})
    assert groups[72937].site_origins == ["http://shop.test", "https://*.shop.test"]
    assert groups[12345].site_origins is None
    with caplog.at_level("WARNING", logger="session_server.hub"):
        Hub(Settings(groups=groups), LocalBackplane())
    warned = [r.getMessage() for r in caplog.records if "site_origins" in r.getMessage()]
    assert warned == ["group 12345 has no site_origins: visitor sockets from any page are accepted (docs/groups.md)"]


def test_agent_sockets_only_from_the_console_or_configured_origins(limited):
    server = limited(env={"COBROWSE_AGENT_ORIGINS": "https://crm.example.com, https://*.helpdesk.example"})
    own = "http://127.0.0.1:%d" % server.port

    async def main():
        for origin in [own, "https://crm.example.com", "https://eu.helpdesk.example", None]:
            ws = await raw(server, "/ws/agent", headers={"Origin": origin} if origin else None)
            await ws.close()
        for origin in ["https://evil.example", "http://localhost:%d" % (server.port + 1), "https://crm.example.com:8443"]:
            with pytest.raises(websockets.InvalidStatus) as e:
                await raw(server, "/ws/agent", headers={"Origin": origin})
            assert e.value.response.status_code == 403, origin
    run(main())


def test_bad_guest_tokens_count_as_failed_sign_ins(limited):
    server = limited()

    async def main():
        codes = []
        for i in range(11):
            ws = await raw(server, "/ws/agent")
            await ws.send(json.dumps(P.frame("join", 0, group=72937, key="1234", username="g", password="",
                                             guest="forged.%d" % i)))
            codes.append((await next_of(ws, "error"))["code"])
            await ws.close()
        assert codes == ["unauthorized"] * 10 + ["rate_limited"]
    run(main())
