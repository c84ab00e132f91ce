"""The service under bench_server.py (not a benchmark itself): one node, one node on Redis, two nodes
sharing a redis-server, or one host with two workers; CPU and memory of its processes from /proc.

`Topology(mode).start()` starts it on free loopback ports and returns (visitor port, agent port);
`stats()` sums (RSS bytes, CPU seconds) over every process of the service (workers included);
`redis_cpu()` is Redis's CPU apart; `stop()`.
"""

import os
import socket
import subprocess
import sys
import time

from ws_clients import HOST

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER_ARGS = []


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




def start_server(port, redis_url=None, workers=1):
    env = dict(os.environ, PYTHONPATH=ROOT, COBROWSE_RECONNECT_WINDOW="30")
    # every client socket comes from 127.0.0.1: the per-address budgets (docs/limits.md) are lifted
    env.update({"COBROWSE_LIMIT_SESSION_STARTS": "10000000", "COBROWSE_LIMIT_SOCKETS_PER_ADDRESS": "10000000",
                "COBROWSE_LIMIT_SOCKET_OPENS_PER_S": "10000000", "COBROWSE_LIMIT_SOCKET_OPEN_BURST": "10000000",
                "COBROWSE_LIMIT_SIGNIN_FAILURES": "10000000", "COBROWSE_LIMIT_JOIN_FAILURES": "10000000"})
    env.pop("REDIS_URL", None)
    env.pop("COBROWSE_GROUPS", None)
    extra = ["--demo"]
    if redis_url:   # nodes share the signing key (and Redis) instead of --demo's random one
        env["COBROWSE_SECRET"] = "bench-secret-0123456789"
        extra = ["--redis-url", redis_url]
    prof = ["-m", "cProfile", "-o", "/tmp/cl/prof%d.out" % port] if os.environ.get("BENCH_PROFILE") else []
    proc = subprocess.Popen([sys.executable] + prof + ["-m", "session_server", "--host", HOST, "--port", str(port),
                             "--log-level", "error", "--workers", str(workers)] + extra + SERVER_ARGS, cwd=ROOT, env=env)
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start")


def _children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return out


MODES = ("1 node", "1 node, Redis", "2 nodes", "1 host, 2 workers")


class Topology:
    """The service as one of MODES: "1 node" (one process, no Redis), "1 node, Redis" (one process,
    LocalBackplane swapped for Redis), "2 nodes" (two processes sharing Redis: visitors connect to
    the first, agents to the second, so every action crosses Redis), "1 host, 2 workers"
    (--workers 2 on one port; the kernel spreads the sockets). stats() sums the service's
    processes (workers included); Redis's CPU is redis_cpu(), apart."""

    def __init__(self, mode):
        self.mode = mode
        self.procs = []
        self.redis = None

    def start(self):
        redis_url = None
        if self.mode != "1 node":
            rport = free_port()
            self.redis = subprocess.Popen(["redis-server", "--port", str(rport), "--bind", HOST, "--save", "",
                                           "--appendonly", "no"], stdout=subprocess.DEVNULL)
            redis_url = "redis://%s:%d/0" % (HOST, rport)
            time.sleep(0.3)
        ports = [free_port()]
        if self.mode == "2 nodes":
            ports.append(free_port())
        workers = 2 if self.mode == "1 host, 2 workers" else 1
        self.procs = [start_server(p, redis_url, workers) for p in ports]
        if workers > 1:
            time.sleep(1.5)   # every worker listening
        self.pid = self.procs[0].pid
        return ports[0], ports[-1]

    def pids(self):
        out = []
        for p in self.procs:
            out.append(p.pid)
            out.extend(_children(p.pid))
        return out

    def stats(self):
        rss = cpu = 0
        for pid in self.pids():
            r, c = proc_stats(pid)
            rss, cpu = rss + r, cpu + c
        return rss, cpu

    def redis_cpu(self):
        return proc_stats(self.redis.pid)[1] if self.redis else 0.0

    def stop(self):
        if os.environ.get("BENCH_PROFILE") and self.redis:   # with the profiles: what Redis ran
            port = self.redis.args[2]
            print(subprocess.run(["redis-cli", "-p", port, "INFO", "commandstats"], capture_output=True,
                                 text=True).stdout)
        for p in self.procs + ([self.redis] if self.redis else []):
            if os.environ.get("BENCH_PROFILE") and p is not self.redis:
                p.send_signal(2)   # SIGINT: the profiler (BENCH_PROFILE=1) writes its file on the way out
            else:
                p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
