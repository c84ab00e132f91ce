"""Session-service benchmark: N visitor sessions, one agent each, on loopback; one node or a cluster.

    python bench/bench_server.py                 # N = 1000, 5000, every mode, and the idle row
    python bench/bench_server.py --n 1000 5000 --modes "1 node" "2 nodes" "1 node" --idle 20000

For each N and each --modes entry a fresh service is started on free 127.0.0.1
ports: "1 node" (one process, no Redis), "1 node, Redis" (one process on the
Redis backplane), "2 nodes" (two processes sharing a redis-server: visitors
connect to the first, agents to the second, so every action crosses Redis),
"1 host, 2 workers" (`--workers 2` on one port). A mode named twice (the
default runs "1 node" first and last) prints the noise of the measurement:
its "x 1 node" column is the run-to-run spread. The idle row (--idle, default
20,000) holds that many waiting visitor sockets (no agent yet; the clients in
two processes, as one process may hold 20,000 descriptors here) on "1 host,
2 workers" and prints the service's and Redis's memory and idle CPU.
N visitors send hello, N agents join their sessions; server memory is sampled
before and after (idle), then every agent sends `--rate` agent_action frames
per second (random phase, capped at --max-total per second overall) for
--duration seconds. Each action carries its send time; the visitor records
the latency when it arrives and acknowledges every reliable frame at once
with an `ack` frame, as the SDK does (visitor_sdk/session_client.py).

The clients: all 2N sockets live in this one process (uvloop when installed),
on the same machine as the server. By default each is a minimal RFC 6455
client on a non-blocking socket (`LeanWs` in ws_clients.py: the real handshake, masked
text frames, the real protocol frames as JSON) so that the client's own cost
inflates the measured latency as little as possible; one timer drives every
agent's sending. `--client websockets` uses the websockets library instead
(the same frames; a cross-check that costs the client far more CPU; it has
no kernel timestamps, so both latency columns are read times).

Printed per N:
  p50/p99 latency  agent action handed to the agent socket (wall clock) ->
                   the kernel's receive timestamp (SO_TIMESTAMPNS) of the
                   packet carrying it on the visitor socket: what the server
                   and the loopback network add, without the client process's
                   own delay in reading the socket
  p99 read ms      the same, up to when this process read the frame (adds
                   the client's event-loop delay; an upper bound). Both client
                   ends share the machine's cores with the server.
  relayed/s/core   agent_action frames delivered to visitors divided by the
                   server's CPU seconds (user+sys, from /proc) over the steady
                   phase: frames per second one fully busy core relays, with
                   everything the server does meanwhile counted (the visitor's
                   acks, bare acks to the agents, timers). At a low offered
                   load (N=100: 200/s) the server's fixed costs (timers,
                   wakeups) dominate this ratio, so
  relayed/s/core at C/s   the same ratio over a second, shorter phase in which
                   the same N sessions are offered --capacity (default 4,000)
                   actions per second in all: what a core relays when there is
                   work to do (the 5,000/s/core target applies to this)
  KB/idle session  (server RSS after N idle sessions - RSS before) / N;
                   one session = one visitor socket + one agent socket
Only loopback is ever targeted. The run is bounded by --budget seconds.
"""

import argparse
import asyncio
import gc
import heapq
import json
import os
import random
import resource
import subprocess
import sys
import time

from service_topology import MODES, SERVER_ARGS, Topology, free_port, proc_stats
from ws_clients import HOST, LeanWs, LibWs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from session_server import agent_frames as AF  # noqa: E402
from visitor_sdk import protocol as P  # noqa: E402

GROUP, USER, PASSWORD = 72937, "janet.glance.net", "demo-agent"
CLIENT = "lean"
_dumps = json.JSONEncoder(separators=(",", ":")).encode   # compact, like the SDK's JSON.stringify


class Pair:
    """One visitor socket and one agent socket in one session."""

    def __init__(self, i):
        self.key = "b%d" % i
        self.v = self.a = None
        self.aseq = 0
        self.vlast = 0
        self.latencies = []    # action sent -> its frame arrived at the visitor socket (kernel timestamp)
        self.read_lat = []     # action sent -> this process read the frame (adds the client loop's delay)
        self.received = 0
        self.setup = None     # during open(): (future, wanted frame type)

    async def _socket(self, port, path, on_text):
        if CLIENT == "websockets":
            ws = LibWs(path, on_text)
            await ws.connect(port)
            return ws
        ws = LeanWs(path, on_text)
        await ws.connect(port)
        return ws

    def _await_type(self, type_):
        self.setup = (asyncio.get_running_loop().create_future(), type_)
        return self.setup[0]

    def _setup_frame(self, msg):
        if self.setup is not None and msg["type"] == self.setup[1] and not self.setup[0].done():
            self.setup[0].set_result(msg)
        elif msg["type"] == "error" and self.setup is not None and not self.setup[0].done():
            self.setup[0].set_exception(RuntimeError("server error: %r" % msg))

    async def _send(self, ws, frame):
        r = ws.send_text(_dumps(frame))
        if r is not None:
            await r

    async def open(self, port, agent_port=None):
        self.v = await self._socket(port, "/ws/visitor", self.on_visitor)
        started = self._await_type("started")
        await self._send(self.v, P.hello(GROUP, self.key, "t"))
        await started
        self.a = await self._socket(agent_port or port, "/ws/agent", self.on_agent)
        joined = self._await_type("joined")
        await self._send(self.a, AF.join(GROUP, self.key, USER, PASSWORD))
        await joined
        self.setup = None

    def on_visitor(self, data, arrived):
        now = time.time()
        msg = json.loads(data)
        if msg["seq"]:   # a reliable frame: acknowledged at once, as the SDK does (session_client.receive)
            self.vlast = msg["seq"]
            if msg["type"] == "agent_action":
                self.received += 1
                t = msg["payload"]["t"]
                self.read_lat.append(now - t)
                self.latencies.append((arrived if arrived is not None else now) - t)
            r = self.v.send_text(_dumps(P.frame("ack", 0, ack=self.vlast)))
            if r is not None:
                asyncio.ensure_future(r)
        if self.setup is not None:
            self._setup_frame(msg)

    def on_agent(self, data, arrived):   # acks, agents, state: read, and discarded once joined
        if self.setup is not None:
            self._setup_frame(json.loads(data))

    def action(self):
        self.aseq += 1
        return self.a.send_text(_dumps(P.frame("agent_action", self.aseq, name="outline",
                                                   payload={"t": time.time(), "x": 10, "y": 20})))

    async def close(self):
        for ws in (self.a, self.v):
            if ws is not None:
                await ws.close()


async def send_actions(pairs, rate, until):
    """Every agent sends `rate` actions per second with a random phase, until `until`: one timer
    for all of them (a heap of due times), each action stamped with its send time."""
    period = 1.0 / rate
    now = time.perf_counter()
    heap = [(now + random.random() * period, i) for i in range(len(pairs))]
    heapq.heapify(heap)
    while heap:
        due, i = heap[0]
        if due >= until:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        heapq.heapreplace(heap, (due + period, i))
        r = pairs[i].action()
        if r is not None:
            await r


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100.0))]


async def run_n(n, rate, duration, max_total, open_timeout, capacity=4000.0, capacity_duration=3.0, mode="1 node"):
    topo = Topology(mode)
    port, aport = topo.start()
    try:
        await asyncio.sleep(0.5)
        # warm up: one session, so imports and caches are in the baseline
        warm = Pair(-1)
        await warm.open(port, aport)
        await warm.close()
        await asyncio.sleep(0.3)
        rss0, _ = topo.stats()
        pairs = [Pair(i) for i in range(n)]
        sem = asyncio.Semaphore(100)

        async def open_one(p):
            async with sem:
                await p.open(port, aport)
        t0 = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(open_one(p) for p in pairs)), open_timeout)
        setup = time.perf_counter() - t0
        gc.collect()
        gc.freeze()     # the client's own long-lived objects out of its collector's way
        await asyncio.sleep(1.0)
        rss1, cpu0 = topo.stats()
        r_cpu0 = topo.redis_cpu()
        load = os.getloadavg()[0]
        ru0 = resource.getrusage(resource.RUSAGE_SELF)
        per_agent = min(rate, max_total / n)
        until = time.perf_counter() + duration
        w0 = time.perf_counter()
        await send_actions(pairs, per_agent, until)
        wall = time.perf_counter() - w0
        sent = sum(p.aseq for p in pairs)
        drain_until = time.perf_counter() + 10.0   # let the frames in flight arrive (bounded)
        while sum(p.received for p in pairs) < sent and time.perf_counter() < drain_until:
            await asyncio.sleep(0.05)
        _, cpu1 = topo.stats()
        r_cpu1 = topo.redis_cpu()
        ru1 = resource.getrusage(resource.RUSAGE_SELF)
        lat = [x for p in pairs for x in p.latencies]
        rlat = [x for p in pairs for x in p.read_lat]
        got = sum(p.received for p in pairs)
        # capacity: the same sessions with `capacity` actions per second offered in all
        cap_got = cap_cpu = 0.0
        if capacity > 0 and capacity_duration > 0:
            await asyncio.sleep(0.5)
            _, ccpu0 = topo.stats()
            before, sent0 = sum(p.received for p in pairs), sum(p.aseq for p in pairs)
            await send_actions(pairs, capacity / n, time.perf_counter() + capacity_duration)
            sent1 = sum(p.aseq for p in pairs)
            drain_until = time.perf_counter() + 10.0
            while sum(p.received for p in pairs) - before < sent1 - sent0 and time.perf_counter() < drain_until:
                await asyncio.sleep(0.05)
            _, ccpu1 = topo.stats()
            cap_got, cap_cpu = sum(p.received for p in pairs) - before, max(ccpu1 - ccpu0, 1e-6)
            cap_cpu_redis = topo.redis_cpu()
        await asyncio.gather(*(p.close() for p in pairs), return_exceptions=True)
        cpu = max(cpu1 - cpu0, 1e-6)
        return {"n": n, "mode": mode, "redis_cpu_s": r_cpu1 - r_cpu0, "setup_s": setup, "sent": sent, "received": got, "p50_ms": pct(lat, 50) * 1000,
                "p99_ms": pct(lat, 99) * 1000, "p99_read_ms": pct(rlat, 99) * 1000, "offered_per_s": sent / wall, "server_cpu_s": cpu,
                "load": load, "client_cpu_s": ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime,
                "relayed_per_core_s": got / cpu, "kb_per_session": (rss1 - rss0) / n / 1024.0,
                "capacity_per_core_s": cap_got / cap_cpu if cap_cpu else float("nan"),
                "cpu_per_k": cap_cpu / cap_got * 1000 if cap_got else float("nan"),
                "cap_sent": (sent1 - sent0) if capacity > 0 and capacity_duration > 0 else 0, "cap_got": cap_got}
    finally:
        topo.stop()


async def idle_client(port, first, count):
    """A client process of the idle row: `count` visitor sockets (keys from `first`) that said hello
    and wait, answering pings; prints "ready" and holds them until its stdin closes."""
    pairs = [Pair(first + i) for i in range(count)]
    sem = asyncio.Semaphore(100)

    async def open_one(p):
        async with sem:
            p.v = await p._socket(port, "/ws/visitor", p.on_visitor)
            started = p._await_type("started")
            await p._send(p.v, P.hello(GROUP, p.key, "t"))
            await started
            p.setup = None
    await asyncio.gather(*(open_one(p) for p in pairs))
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def run_idle(n, mode, hold=10.0, clients=2):
    """The idle row: n sessions of one waiting visitor socket each (no agent yet), spread over
    `clients` client processes (each process may hold 20,000 descriptors here); the service's and
    Redis's memory, and their CPU over `hold` idle seconds."""
    topo = Topology(mode)
    port, _ = topo.start()
    try:
        time.sleep(0.5)
        rss0, _ = topo.stats()
        r0 = proc_stats(topo.redis.pid)[0] if topo.redis else 0
        per = n // clients
        kids = [subprocess.Popen([sys.executable, os.path.abspath(__file__), "--idle-client", str(port), str(i * per),
                                  str(per)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                for i in range(clients)]
        t0 = time.perf_counter()
        for k in kids:
            if k.stdout.readline().strip() != "ready":
                raise RuntimeError("an idle client failed")
        setup = time.perf_counter() - t0
        time.sleep(2.0)
        rss1, cpu0 = topo.stats()
        rc0 = topo.redis_cpu()
        time.sleep(hold)
        rss2, cpu1 = topo.stats()
        rc1 = topo.redis_cpu()
        r1 = proc_stats(topo.redis.pid)[0] if topo.redis else 0
        for k in kids:
            k.stdin.close()
            k.wait(30)
        return {"n": n, "mode": mode, "setup_s": setup, "rss_mb": rss2 / 2**20, "kb_per_session": (rss2 - rss0) / n / 1024,
                "redis_mb": r1 / 2**20, "redis_kb_per_session": (r1 - r0) / n / 1024,
                "cpu_pct": (cpu1 - cpu0) / hold * 100, "redis_cpu_pct": (rc1 - rc0) / hold * 100}
    finally:
        topo.stop()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--rate", type=float, default=2.0, help="actions per second per agent")
    ap.add_argument("--max-total", type=float, default=4000.0, help="cap on actions per second overall")
    ap.add_argument("--duration", type=float, default=5.0, help="seconds of steady sending per N")
    ap.add_argument("--capacity", type=float, default=4000.0,
                    help="actions per second offered in all during the capacity phase (0: skip it)")
    ap.add_argument("--capacity-duration", type=float, default=3.0, help="seconds of the capacity phase per N")
    ap.add_argument("--budget", type=float, default=900.0, help="overall time limit in seconds")
    ap.add_argument("--modes", nargs="+", default=["1 node", "1 node, Redis", "2 nodes", "1 host, 2 workers", "1 node"],
                    help="service topologies, in order (%s); a mode named twice is the noise" % ", ".join(MODES))
    ap.add_argument("--ws", default="lean", help="server WebSocket implementation (see python -m session_server -h)")
    ap.add_argument("--client", default="lean", choices=("lean", "websockets"),
                    help="client sockets: lean (a minimal RFC 6455 client on asyncio.Protocol) or the websockets library")
    ap.add_argument("--idle", type=int, default=20000, help="sessions of the idle row (0: skip it)")
    ap.add_argument("--idle-modes", nargs="+", default=["1 host, 2 workers"])
    ap.add_argument("--idle-client", nargs=3, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.idle_client:
        resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
        asyncio.run(idle_client(*args.idle_client))
        return 0
    global CLIENT
    CLIENT = args.client
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
        for mode in args.modes:
            left = args.budget - (time.time() - start)
            if left < 20:
                print("N=%d %s skipped: time budget spent" % (n, mode))
                continue
            try:
                results.append(runner(run_n(n, args.rate, args.duration, args.max_total, open_timeout=left - 15,
                                            capacity=args.capacity, capacity_duration=args.capacity_duration,
                                            mode=mode)))
            except (asyncio.TimeoutError, OSError, RuntimeError) as exc:
                print("N=%d %s failed: %r" % (n, mode, exc))
    print()
    print("service: %s, --ws %s; Redis (if any) without persistence; clients (%s) in one other process; %d CPU(s)"
          % (HOST, args.ws, args.client, os.cpu_count()))
    hdr = ("N", "service", "setup s", "actions", "delivered", "offered/s", "p50 ms", "p99 ms", "p99 read ms",
           "relayed/s/core", "relayed/s/core at %d/s" % args.capacity, "delivered at %d/s" % args.capacity,
           "service CPU s /1,000 relayed", "x 1 node", "+ Redis CPU s", "KB/idle session")
    print("| " + " | ".join(hdr) + " |")
    print("|" + "|".join("---:" for _ in hdr) + "|")
    base = {}
    for r in results:
        base.setdefault(r["n"], r["cpu_per_k"]) if r["mode"] == "1 node" else None
    for r in results:
        b = base.get(r["n"])
        print("| %d | %s | %.1f | %d | %d | %.0f | %.2f | %.2f | %.2f | %.0f | %.0f | %d/%d | %.3f | %s | %.2f | %.1f |" % (
            r["n"], r["mode"], r["setup_s"], r["sent"], r["received"], r["offered_per_s"], r["p50_ms"], r["p99_ms"],
            r["p99_read_ms"], r["relayed_per_core_s"], r["capacity_per_core_s"], r["cap_got"], r["cap_sent"],
            r["cpu_per_k"], "%.2f" % (r["cpu_per_k"] / b) if b else "-", r["redis_cpu_s"], r["kb_per_session"]))
    print()
    print("targets: delivered = actions (100%); p99 < 20 ms at N=1000 across 2 nodes; CPU per relayed message")
    print("through Redis within 1.5x of 1 node. Noise: the second '1 node' row of each N against the first")
    print("(its 'x 1 node' is the run-to-run spread of the same measurement). 'service CPU' counts every process")
    print("of the service (workers included), in the capacity phase; Redis's own CPU over the steady phase is apart.")
    print()
    idle = []
    for mode in (args.idle_modes if args.idle else []):
        try:
            idle.append(run_idle(args.idle, mode))
        except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
            print("idle %d %s failed: %r" % (args.idle, mode, exc))
    if idle:
        print("idle sessions (one waiting visitor socket each, no agent yet; clients in 2 processes):")
        hdr = ("N", "service", "setup s", "service RSS MB", "KB/idle session", "service CPU %", "Redis RSS MB",
               "Redis KB/session", "Redis CPU %")
        print("| " + " | ".join(hdr) + " |")
        print("|" + "|".join("---:" for _ in hdr) + "|")
        for r in idle:
            print("| %d | %s | %.1f | %.0f | %.1f | %.1f | %.0f | %.2f | %.1f |" % (
                r["n"], r["mode"], r["setup_s"], r["rss_mb"], r["kb_per_session"], r["cpu_pct"], r["redis_mb"],
                r["redis_kb_per_session"], r["redis_cpu_pct"]))
        print("(CPU %: of one core, over 10 idle seconds: keepalive pings every 20 s and the timers)")
        print()
    print("steady phase: " + "; ".join("N=%d CPU s server %.2f, client %.2f, machine load %.1f"
                                       % (r["n"], r["server_cpu_s"], r["client_cpu_s"], r["load"]) for r in results))
    print("(machine load: the 1-minute load average when the phase began; above the CPU count, other")
    print(" processes compete with the server and the clients, and the latencies show it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
