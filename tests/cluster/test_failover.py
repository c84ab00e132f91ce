"""Faults with real processes: Redis, two nodes behind HAProxy; a node killed (SIGKILL) in the middle of
a stream of 200 numbered frames, or Redis killed and started again. Whoever was on the dead node
resumes on the other one through the proxy, exactly (`exact: true`), and the receiver applies every
frame once, in order."""

import asyncio
import threading

from session_server.agent_client import AgentClient
from tests.server.clients import Visitor
from tests.server.conftest import JANET
from tests.server.test_sessions import key

N = 200


def run(coro, timeout):
    """Run a coroutine on a fresh event loop in its own thread (as tests/server do), within `timeout` s."""
    box = {}

    def target():
        try:
            box["value"] = asyncio.run(asyncio.wait_for(coro, timeout))
        except BaseException as exc:
            box["error"] = exc
    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]


async def stay_connected(v, stop, results):
    """Reconnect the test visitor (through the proxy) whenever its socket goes, as the SDK does."""
    while not stop.is_set():
        if v.reader is not None and not v.reader.done():
            await asyncio.sleep(0.02)
            continue
        v.ws = None
        try:
            st = await v.connect()
        except (OSError, asyncio.TimeoutError, Exception):
            await asyncio.sleep(0.1)
            continue
        results.append(st)


async def stream_actions(a, first, last, pause=0.004):
    for i in range(first, last):
        await a.action("n", {"i": i})
        await asyncio.sleep(pause)


def numbers(v):
    return [m["payload"]["i"] for m in v.of("agent_action", "n")]


def test_visitor_node_killed_mid_stream_of_agent_actions(cluster):
    async def main():
        k = key()
        v = Visitor(cluster.base, 72937, k, epoch="e-visitor")
        st = await v.connect()
        assert st["exact"] is False and st["resumed"] is False
        vnode = cluster.holder()
        a = AgentClient(cluster.base, 72937, k, *JANET)
        await a.join()
        await v.wait(lambda v: v.of("agents") and v.of("agents")[-1]["count"] == 1)
        stop, starts = asyncio.Event(), []
        keeper = asyncio.create_task(stay_connected(v, stop, starts))
        await stream_actions(a, 0, 60)
        vnode.kill()                                            # the visitor's node dies mid-stream
        await stream_actions(a, 60, N)
        await v.wait(lambda v: len(numbers(v)) >= N, timeout=15)
        await asyncio.sleep(0.3)
        stop.set()
        await keeper
        assert numbers(v) == list(range(N))                    # each action once, in order
        assert starts and all(s["type"] == "started" and s["exact"] is True for s in starts), starts
        assert not [e for e in v.errors if e.get("fatal")], v.errors
        await a.close()
        await v.close()
    run(main(), 40)


def test_agent_node_killed_mid_stream_of_agent_actions(cluster):
    async def main():
        k = key()
        v = Visitor(cluster.base, 72937, k)
        await v.connect()
        vnode = cluster.holder()
        a = AgentClient(cluster.base, 72937, k, *JANET)       # round robin: the other node
        joined = await a.join()
        assert joined["exact"] is False
        await v.wait(lambda v: v.of("agents") and v.of("agents")[-1]["count"] == 1)
        await stream_actions(a, 0, 70)
        cluster.other(vnode).kill()                             # the agent's node dies (maybe the visitor's too)
        stop, starts = asyncio.Event(), []
        keeper = asyncio.create_task(stay_connected(v, stop, starts))
        await stream_actions(a, 70, N)                          # queued in the agent client, resent on rejoin
        await v.wait(lambda v: len(numbers(v)) >= N, timeout=15)
        await asyncio.sleep(0.3)
        stop.set()
        await keeper
        assert numbers(v) == list(range(N))
        assert v.of("agents")[-1]["count"] == 1                 # the same seat, not a second agent
        await a.close()
        await v.close()
    run(main(), 40)


def test_visitor_node_killed_mid_stream_of_visitor_events(cluster):
    async def main():
        k = key()
        v = Visitor(cluster.base, 72937, k, epoch="e-visitor")
        await v.connect()
        vnode = cluster.holder()
        a = AgentClient(cluster.base, 72937, k, *JANET)
        await a.join()
        await v.wait(lambda v: v.of("agents") and v.of("agents")[-1]["count"] == 1)
        stop, starts = asyncio.Event(), []
        keeper = asyncio.create_task(stay_connected(v, stop, starts))
        for i in range(N):
            if i == 80:
                vnode.kill()
            await v.send("visitor_event", name="e", payload={"i": i})
            await asyncio.sleep(0.004)
        await a.wait_until(lambda a: len([e for e in a._events if e["name"] == "e"]) >= N, timeout=15)
        await asyncio.sleep(0.3)
        stop.set()
        await keeper
        assert [e["payload"]["i"] for e in a._events if e["name"] == "e"] == list(range(N))
        assert all(s["exact"] is True for s in starts), starts
        await a.close()
        await v.close()
    run(main(), 40)


def test_redis_restarted_mid_session_loses_nothing_acknowledged(cluster):
    async def main():
        k = key()
        v = Visitor(cluster.base, 72937, k)
        await v.connect()
        a = AgentClient(cluster.base, 72937, k, *JANET)
        await a.join()
        await v.wait(lambda v: v.of("agents") and v.of("agents")[-1]["count"] == 1)
        stop, starts = asyncio.Event(), []
        keeper = asyncio.create_task(stay_connected(v, stop, starts))
        await stream_actions(a, 0, 50)
        cluster.redis.kill()                                    # SIGKILL: only its append-only file remains
        await stream_actions(a, 50, 80)
        cluster.redis.start()
        await stream_actions(a, 80, N)
        await v.wait(lambda v: len(numbers(v)) >= N, timeout=20)
        await asyncio.sleep(0.3)
        stop.set()
        await keeper
        assert numbers(v) == list(range(N))
        assert all(s["exact"] is True for s in starts), starts
        await v.send("visitor_event", name="after")
        assert (await a.next_event("after", timeout=10))["name"] == "after"
        await a.close()
        await v.close()
    run(main(), 60)


def test_a_visitor_that_never_comes_back_after_its_node_died_ends_the_session(groups_file, tmp_path):
    """The dead node's reconnect timers died with it: a live node expires its participants instead
    (after the node is silent for redis_backplane.DEAD_AFTER seconds, then the reconnect window)."""
    from tests.cluster.conftest import Redis
    from tests.server.conftest import Server
    redis = Redis(tmp_path).start()
    n1, n2 = [Server(groups_file, window=1.0, redis_url=redis.url, args=["--workers", "1"]).start() for _ in range(2)]

    async def main():
        k = key()
        v = Visitor(n1.base, 72937, k)
        await v.connect()
        a = AgentClient(n2.base, 72937, k, *JANET)
        await a.join()
        n1.kill()
        await a.wait_until(lambda a: a.ended is not None, timeout=15)
        assert a.ended == "error"
        await a.close()
    try:
        run(main(), 30)
    finally:
        n2.stop()
        n1.stop()
        redis.stop()
