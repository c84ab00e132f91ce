"""A bystander session measured while hostile clients attack the service (test_hostile.py, bench_hostile.py).

`measure(server, clients, duration)` runs, on a fresh event loop in its own thread:
- a bystander session: one visitor (a raw websockets client that acknowledges
  at once, as the SDK does) and one agent (AgentClient), joined before the
  attack, from their own address (X-Forwarded-For 192.0.2.10); the agent sends
  an `agent_action` every 20 ms carrying its send time, the visitor records
  when each arrives: agent->visitor latency, both ends in this process;
- the hostile clients (tests/server/hostile.py) in a subprocess, when clients > 0;
- the server's resident memory, VmRSS from /proc/<pid>/status, every 100 ms.
- a new visitor session every 0.5 s, timed from connect to `started`;
It returns {rss_before, rss_peak, rss_after (kB), latencies (ms), starts (s), stats, raised}.

The machine is shared (other processes may keep every core busy): with
`priority=True` the service and the bystander's thread run under SCHED_FIFO
for the measurement, as a service and its remote clients would on hosts of
their own, so the latency measures the service and not the neighbours (the
service's CPU use stays bounded by what it does; the kernel keeps 5% of
every second for other processes anyway). The hostile clients run with the
normal policy at nice -20: below the service, above the neighbours, so that
the attack keeps its strength on a loaded machine.
`raised` says whether that was possible (root or CAP_SYS_NICE).
"""

import asyncio
import json
import os
import subprocess
import sys
import threading
import time

import websockets

from session_server.agent_client import AgentClient
from visitor_sdk import protocol as P

from .conftest import JANET, ROOT

BYSTANDER_ADDR = "192.0.2.10"


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def _bystander(server, key, stop, lat, ready):
    url = server.base.replace("http", "ws", 1) + "/ws/visitor"
    ws = await websockets.connect(url, additional_headers={"X-Forwarded-For": BYSTANDER_ADDR}, max_size=2 ** 20)
    await ws.send(json.dumps(P.hello(72937, key, "tab1")))
    msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert msg["type"] == "started", msg
    agent = AgentClient(server.base, 72937, key, *JANET)
    await agent.join()

    async def read():
        try:
            async for text in ws:
                now = time.time()
                m = json.loads(text)
                if m["type"] == "agent_action" and m.get("name") == "ping_probe":
                    lat.append((now - m["payload"]["t"]) * 1000.0)
                if P.is_reliable(m["type"]):
                    await ws.send('{"v":1,"type":"ack","seq":0,"ack":%d}' % m["seq"])
        except (websockets.ConnectionClosed, RuntimeError):   # RuntimeError: uvloop, a closed transport
            pass
    reader = asyncio.create_task(read())
    ready.set()
    i = 0
    while not stop.is_set():
        i += 1
        await agent.action("ping_probe", {"t": time.time(), "i": i})
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)
    reader.cancel()
    await agent.close()
    try:
        await ws.close()
    except RuntimeError:
        pass


async def _starts(server, stop, starts):
    """A new visitor session every 0.5 s (each from its own address): seconds until `started`."""
    url = server.base.replace("http", "ws", 1) + "/ws/visitor"
    i = 0
    while not stop.is_set():
        i += 1
        t0 = time.monotonic()
        try:
            ws = await asyncio.wait_for(websockets.connect(
                url, additional_headers={"X-Forwarded-For": "192.0.2.%d" % (20 + i % 200)}), 10)
            await ws.send(json.dumps(P.hello(72937, "n%d%d" % (i, int(t0 * 1000)), "tab1")))
            msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
            starts.append(time.monotonic() - t0 if msg["type"] == "started" else float("inf"))
            await ws.close()
        except (OSError, RuntimeError, asyncio.TimeoutError, websockets.WebSocketException):
            starts.append(float("inf"))   # (RuntimeError: uvloop's word for a closed transport)
        await asyncio.sleep(max(0.0, 0.5 - (time.monotonic() - t0)))


async def _measure(server, clients, duration, warm, modes):
    pid = server.proc.pid
    lat, stop, ready = [], asyncio.Event(), asyncio.Event()
    starts, stop_starts = [], asyncio.Event()
    task = asyncio.create_task(_bystander(server, "b%d" % int(time.time() * 1000), stop, lat, ready))
    await asyncio.wait_for(ready.wait(), 10)
    await asyncio.sleep(warm)
    del lat[:]
    before = rss_kb(pid)
    peak = before
    proc = None
    if clients:
        env = dict(os.environ, PYTHONPATH=ROOT)
        proc = subprocess.Popen([sys.executable, "-m", "tests.server.hostile", "--port", str(server.port),
                                 "--clients", str(clients), "--duration", str(duration)]
                                + (["--modes", modes] if modes else []),
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                preexec_fn=_hostile_priority)
    starter = asyncio.create_task(_starts(server, stop_starts, starts))
    t_end = time.monotonic() + duration
    while time.monotonic() < t_end:
        await asyncio.sleep(0.1)
        peak = max(peak, rss_kb(pid))
    stats = {}
    if proc is not None:
        deadline = time.monotonic() + 20
        while proc.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            peak = max(peak, rss_kb(pid))
        if proc.poll() is None:
            proc.kill()
        out = proc.communicate()[0].decode().strip().splitlines()
        stats = json.loads(out[-1]) if out else {}
    samples = list(lat)
    stop.set()
    stop_starts.set()
    await asyncio.wait_for(task, 10)
    await asyncio.wait_for(starter, 25)
    return {"rss_before": before, "rss_peak": peak, "rss_after": rss_kb(pid), "latencies": samples, "stats": stats,
            "starts": starts}


def _realtime(pid, on):
    """SCHED_FIFO (priority 10) for `pid` (0: the calling thread), or back to the normal policy."""
    try:
        if on:
            os.sched_setscheduler(pid, os.SCHED_FIFO, os.sched_param(10))
        else:
            os.sched_setscheduler(pid, os.SCHED_OTHER, os.sched_param(0))
        return True
    except (OSError, AttributeError):
        return False


def _hostile_priority():
    """In the hostile clients' process: the normal policy, at the highest normal priority when allowed
    (so that other processes on a shared machine do not weaken the attack)."""
    _realtime(0, False)
    try:
        os.setpriority(os.PRIO_PROCESS, 0, -20)
    except OSError:
        pass


def measure(server, clients=100, duration=10.0, warm=1.0, priority=True, modes=None):
    """See the module docstring; blocks until done (at most duration + ~60 s)."""
    box = {}
    raised = priority and _realtime(server.proc.pid, True)

    def target():
        if raised:
            box["raised"] = _realtime(0, True)   # this thread only: the bystander's event loop
        try:
            box["value"] = asyncio.run(asyncio.wait_for(_measure(server, clients, duration, warm, modes), duration + 60))
        except BaseException as exc:
            box["error"] = exc
    t = threading.Thread(target=target)
    t.start()
    t.join()
    if raised:
        _realtime(server.proc.pid, False)
    if "error" in box:
        raise box["error"]
    return dict(box["value"], raised=bool(raised and box.get("raised")))


def percentile(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100.0 * (len(s) - 1))))]
