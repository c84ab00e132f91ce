"""Session-service benchmark: N visitor sessions, one agent each, on loopback.

    python bench/bench_server.py                 # N = 100, 1000, 5000
    python bench/bench_server.py --n 100 1000 --duration 5 --rate 2

For each N a fresh server (`python -m session_server`, one process, no Redis)
is started on a free 127.0.0.1 port. N visitors send hello, N agents join
their sessions; server memory is sampled before and after (idle), then every
agent sends `--rate` agent_action frames per second (random phase, capped
at --max-total per second overall) for --duration seconds. Each action
carries its send time; the visitor records the latency when it arrives.

Printed per N:
  p50/p99 latency  agent action sent -> frame received by the visitor socket
                   (both clients run in this process, so this includes the
                   client's own event-loop delay; it is an upper bound)
  relayed/s/core   frames relayed agent->visitor divided by the server's
                   CPU seconds (user+sys) during the steady phase: frames per
                   second one fully busy core can relay
  KB/idle session  (server RSS after N idle sessions - RSS before) / N;
                   one session = one visitor socket + one agent socket
Only loopback is ever targeted. The run is bounded by --budget seconds.
"""

import argparse
import asyncio
import json
import os
import random
import resource
import socket
import subprocess
import sys
import time

import websockets

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from visitor_sdk import protocol as P  # noqa: E402

GROUP, USER, PASSWORD = 72937, "janet.glance.net", "demo-agent"
HOST = "127.0.0.1"


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def proc_stats(pid):
    """(rss_bytes, cpu_seconds) of a process, from /proc."""
    with open("/proc/%d/status" % pid) as fh:
        rss = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmRSS:"))
    with open("/proc/%d/stat" % pid) as fh:
        parts = fh.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return rss, (int(parts[11]) + int(parts[12])) / tick


SERVER_ARGS = []


def start_server(port):
    env = dict(os.environ, PYTHONPATH=ROOT, COBROWSE_RECONNECT_WINDOW="30")
    env.pop("REDIS_URL", None)
    env.pop("COBROWSE_GROUPS", None)
    proc = subprocess.Popen([sys.executable, "-m", "session_server", "--host", HOST, "--port", str(port),
                             "--log-level", "error"] + SERVER_ARGS, cwd=ROOT, env=env)
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start")


class Pair:
    """One visitor socket and one agent socket in one session."""

    def __init__(self, i):
        self.key = "b%d" % i
        self.v = self.a = None
        self.aseq = 0
        self.vlast = 0
        self.latencies = []
        self.received = 0

    async def open(self, base):
        self.v = await websockets.connect(base + "/ws/visitor", max_queue=None, compression=None)
        await self.v.send(json.dumps(P.hello(GROUP, self.key, "t")))
        assert json.loads(await self.v.recv())["type"] == "started"
        self.a = await websockets.connect(base + "/ws/agent", max_queue=None, compression=None)
        await self.a.send(json.dumps(P.join(GROUP, self.key, USER, PASSWORD)))
        while json.loads(await self.a.recv())["type"] != "joined":
            pass

    async def visitor_reader(self):
        unacked = 0
        async for text in self.v:
            now = time.perf_counter()
            msg = json.loads(text)
            if msg["seq"]:
                self.vlast = msg["seq"]
                unacked += 1
                if msg["type"] == "agent_action":
                    self.received += 1
                    self.latencies.append(now - msg["payload"]["t"])
                if unacked >= 20:
                    unacked = 0
                    await self.v.send(json.dumps(P.frame("ack", 0, ack=self.vlast)))

    async def agent_reader(self):
        async for _ in self.a:   # acks, agents, state: read and discard
            pass

    async def agent_sender(self, rate, until):
        await asyncio.sleep(random.random() / rate)
        period = 1.0 / rate
        nxt = time.perf_counter()
        while nxt < until:
            self.aseq += 1
            await self.a.send(json.dumps(P.frame("agent_action", self.aseq, name="outline",
                                                 payload={"t": time.perf_counter(), "x": 10, "y": 20})))
            nxt += period
            await asyncio.sleep(max(0.0, nxt - time.perf_counter()))

    async def close(self):
        for ws in (self.a, self.v):
            if ws is not None:
                await ws.close()


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100.0))]


async def run_n(n, rate, duration, max_total, open_timeout):
    port = free_port()
    base = "ws://%s:%d" % (HOST, port)
    proc = start_server(port)
    try:
        await asyncio.sleep(0.5)
        # warm up: one session, so imports and caches are in the baseline
        warm = Pair(-1)
        await warm.open(base)
        await warm.close()
        await asyncio.sleep(0.3)
        rss0, _ = proc_stats(proc.pid)
        pairs = [Pair(i) for i in range(n)]
        sem = asyncio.Semaphore(100)

        async def open_one(p):
            async with sem:
                await p.open(base)
        t0 = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(open_one(p) for p in pairs)), open_timeout)
        setup = time.perf_counter() - t0
        readers = [asyncio.create_task(p.visitor_reader()) for p in pairs]
        readers += [asyncio.create_task(p.agent_reader()) for p in pairs]
        await asyncio.sleep(1.0)
        rss1, cpu0 = proc_stats(proc.pid)
        per_agent = min(rate, max_total / n)
        until = time.perf_counter() + duration
        w0 = time.perf_counter()
        await asyncio.gather(*(p.agent_sender(per_agent, until) for p in pairs))
        wall = time.perf_counter() - w0
        sent = sum(p.aseq for p in pairs)
        drain_until = time.perf_counter() + 10.0   # let the frames in flight arrive (bounded)
        while sum(p.received for p in pairs) < sent and time.perf_counter() < drain_until:
            await asyncio.sleep(0.05)
        _, cpu1 = proc_stats(proc.pid)
        lat = [x for p in pairs for x in p.latencies]
        got = sum(p.received for p in pairs)
        for r in readers:
            r.cancel()
        await asyncio.gather(*(p.close() for p in pairs), return_exceptions=True)
        cpu = max(cpu1 - cpu0, 1e-6)
        return {"n": n, "setup_s": setup, "sent": sent, "received": got, "p50_ms": pct(lat, 50) * 1000,
                "p99_ms": pct(lat, 99) * 1000, "offered_per_s": sent / wall, "server_cpu_s": cpu,
                "relayed_per_core_s": got / cpu, "kb_per_session": (rss1 - rss0) / n / 1024.0}
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[100, 1000, 5000])
    ap.add_argument("--rate", type=float, default=2.0, help="actions per second per agent")
    ap.add_argument("--max-total", type=float, default=4000.0, help="cap on actions per second overall")
    ap.add_argument("--duration", type=float, default=5.0, help="seconds of steady sending per N")
    ap.add_argument("--budget", type=float, default=300.0, help="overall time limit in seconds")
    ap.add_argument("--ws", default="lean", help="server WebSocket implementation (see python -m session_server -h)")
    args = ap.parse_args(argv)
    SERVER_ARGS[:] = ["--ws", args.ws]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import uvloop
        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    results = []
    start = time.time()
    for n in args.n:
        left = args.budget - (time.time() - start)
        if left < 20:
            print("N=%d skipped: time budget spent" % n)
            continue
        try:
            results.append(runner(run_n(n, args.rate, args.duration, args.max_total, open_timeout=left - 15)))
        except (asyncio.TimeoutError, OSError, RuntimeError) as exc:
            print("N=%d failed: %r" % (n, exc))
    print()
    print("server: 1 process, no Redis, %s; clients in one other process; %d CPU(s)" % (HOST, os.cpu_count()))
    hdr = ("N", "setup s", "actions", "delivered", "offered/s", "p50 ms", "p99 ms", "relayed/s/core", "KB/idle session")
    print("| " + " | ".join(hdr) + " |")
    print("|" + "|".join("---:" for _ in hdr) + "|")
    for r in results:
        print("| %d | %.1f | %d | %d | %.0f | %.2f | %.2f | %.0f | %.1f |" % (
            r["n"], r["setup_s"], r["sent"], r["received"], r["offered_per_s"], r["p50_ms"], r["p99_ms"],
            r["relayed_per_core_s"], r["kb_per_session"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
