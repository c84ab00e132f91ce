"""Hostile visitor clients against the session service: what they cost it, what a bystander notices.

    python bench/bench_hostile.py                      # 100 clients, 10 s, 3 runs each
    python bench/bench_hostile.py --clients 50 100 --duration 10 --runs 2 [--modes park,state]

For each run a fresh service (`python -m session_server`, one process, its default limits,
COBROWSE_TRUSTED_PROXIES=127.0.0.1 so that each hostile client has its own address) is started on a
free loopback port. A bystander session (one visitor, one agent, joined first) sends an agent_action
every 20 ms and times its arrival at the visitor; a new visitor session is started every 0.5 s and
timed to `started`; the service's VmRSS is sampled every 100 ms (tests/server/bystander.py). The
control run has no attackers; the attack runs the clients of tests/server/hostile.py (parked
floods, state churn without acks, session churn with dupkey guesses, stalled handshakes and frames,
password and key guessing, oversized and malformed frames) for --duration seconds.

Printed per run: RSS before and at its peak (MB), growth per hostile client (kB), bystander p50 /
p99 / max (ms) and the slowest session start (ms), then the median over the runs. The service and
the bystander run under SCHED_FIFO when allowed (root): the machine may be shared, and the numbers
should be the service's, not the neighbours' (see bystander.py); "rt" says whether that held.
"""

import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.server.bystander import measure, percentile  # noqa: E402
from tests.server.conftest import GROUPS_TOML, Server  # noqa: E402


def one(clients, duration, modes):
    path = os.path.join(tempfile.mkdtemp(prefix="bench-hostile-"), "groups.toml")
    with open(path, "w") as fh:
        fh.write(GROUPS_TOML)
    server = Server(path, limits={}, env={"COBROWSE_TRUSTED_PROXIES": "127.0.0.1"})
    server.start()
    try:
        r = measure(server, clients=clients, duration=duration, modes=modes)
    finally:
        server.stop()
    lat = r["latencies"]
    grown = r["rss_peak"] - r["rss_before"]
    return {"before": r["rss_before"] / 1024.0, "peak": r["rss_peak"] / 1024.0, "grown": grown / 1024.0,
            "per": grown / clients if clients else 0.0, "p50": percentile(lat, 50), "p99": percentile(lat, 99),
            "max": max(lat) if lat else float("nan"), "start": 1000 * max(r["starts"] or [0]), "rt": r["raised"],
            "n": len(lat), "stats": r["stats"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, nargs="+", default=[100])
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--modes", default=None)
    a = ap.parse_args()
    head = "%-14s %4s %9s %9s %9s %11s %8s %8s %8s %10s %3s" % (
        "run", "#", "RSS MB", "peak MB", "+MB", "kB/client", "p50 ms", "p99 ms", "max ms", "start ms", "rt")
    print(head)
    print("-" * len(head))
    for clients in [0] + a.clients:
        label = "control" if clients == 0 else "%d hostile" % clients
        rows = []
        for i in range(a.runs):
            r = one(clients, a.duration if clients else min(a.duration, 5.0), a.modes)
            rows.append(r)
            print("%-14s %4d %9.1f %9.1f %9.1f %11.0f %8.2f %8.2f %8.1f %10.0f %3s" % (
                label, i + 1, r["before"], r["peak"], r["grown"], r["per"], r["p50"], r["p99"], r["max"],
                r["start"], "y" if r["rt"] else "n"))
            sys.stdout.flush()
        med = {k: statistics.median(r[k] for r in rows) for k in ("grown", "per", "p50", "p99", "max", "start")}
        print("%-14s %4s %9s %9s %9.1f %11.0f %8.2f %8.2f %8.1f %10.0f" % (
            label, "med", "", "", med["grown"], med["per"], med["p50"], med["p99"], med["max"], med["start"]))
        if clients:
            print("  hostile clients' own counts (last run): %s" % rows[-1]["stats"])


if __name__ == "__main__":
    main()
