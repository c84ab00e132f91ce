"""Every core: `--workers N` runs N processes on one port (SO_REUSEPORT), joined through Redis."""

import asyncio
import subprocess
import sys
import time

import httpx

from session_server.agent_client import AgentClient
from tests.cluster.conftest import ROOT, Redis
from tests.cluster.test_failover import run
from tests.server.clients import Visitor
from tests.server.conftest import JANET, Server
from tests.server.test_sessions import key


def test_two_workers_share_the_port_and_the_sessions(groups_file, tmp_path):
    redis = Redis(tmp_path).start()
    node = Server(groups_file, redis_url=redis.url, args=["--workers", "2"]).start()
    try:
        pids = set()
        for _ in range(60):   # each request on a new connection: the kernel picks a worker per connection
            pids.add(httpx.get(node.base + "/api/stats", headers={"Connection": "close"}).json()["pid"])
            if len(pids) == 2:
                break
        assert len(pids) == 2, pids

        async def main():
            sessions = []
            for _ in range(6):   # some visitor and agent sockets land on different workers
                k = key()
                v = Visitor(node.base, 72937, k)
                await v.connect()
                a = AgentClient(node.base, 72937, k, *JANET)
                await a.join()
                sessions.append((v, a))
            for v, a in sessions:
                for i in range(5):
                    await a.action("n", {"i": i})
            for v, a in sessions:
                await v.wait(lambda v: len(v.of("agent_action")) == 5)
                assert [m["payload"]["i"] for m in v.of("agent_action")] == list(range(5))
                await v.send("visitor_event", name="back")
                assert (await a.next_event("back"))["name"] == "back"
                await a.close()
                await v.close()
            await asyncio.sleep(0)
        run(main(), 30)
    finally:
        node.stop()
        redis.stop()


def test_several_workers_need_redis():
    r = subprocess.run([sys.executable, "-m", "session_server", "--demo", "--workers", "2", "--port", "1"],
                       cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "--workers 2 needs --redis-url" in r.stderr
    h = subprocess.run([sys.executable, "-m", "session_server", "--help"], cwd=ROOT, capture_output=True, text=True,
                       timeout=30)
    assert "default: the core count with --redis-url, else 1" in " ".join(h.stdout.split())


def test_the_backplane_reports_not_ready_while_redis_is_away(tmp_path):
    from session_server.backplane import LocalBackplane, RedisBackplane
    redis = Redis(tmp_path).start()

    async def main():
        assert await LocalBackplane().ready() is True
        bp = RedisBackplane(redis.url, "ready-test")
        await bp.start()
        try:
            assert await bp.ready() is True
            redis.kill()
            await asyncio.sleep(0.2)
            assert await bp.ready() is False
            redis.start()
            for _ in range(100):   # the subscription reconnects with backoff (at most 2 s apart)
                if await bp.ready():
                    break
                await asyncio.sleep(0.1)
            assert await bp.ready() is True
        finally:
            await bp.close()
    try:
        run(main(), 30)
    finally:
        redis.stop()


def test_readyz_answers_503_while_redis_is_away_and_ready_once_it_is_back(groups_file, tmp_path):
    """What a proxy or an orchestrator sees: /readyz follows Redis; /healthz stays ok throughout."""
    redis = Redis(tmp_path).start()
    node = Server(groups_file, redis_url=redis.url).start()

    def readyz():
        r = httpx.get(node.base + "/readyz", headers={"Connection": "close"}, timeout=5)
        return r.status_code, r.text

    def until(status):
        for _ in range(100):   # the node reconnects with backoff (at most 2 s apart)
            got = readyz()
            if got[0] == status:
                return got
            time.sleep(0.1)
        return got
    try:
        assert until(200) == (200, "ready")
        redis.kill()
        status, text = until(503)
        assert status == 503 and text.startswith("not ready"), (status, text)
        assert httpx.get(node.base + "/healthz", timeout=5).status_code == 200
        redis.start()
        assert until(200) == (200, "ready")
    finally:
        node.stop()
        redis.stop()
