"""Agent sign-in cost: scrypt password checks, login keys, and the event loop meanwhile.

    python bench/bench_sign_in.py [--rounds 15] [--burst 8]

In this process (no server): the time of one password check through
session_server.agent_auth.AgentAuth (scrypt n=16384, r=8, p=1 in its thread
pool) for a right password (cache cold), a wrong one and an unknown username,
a cached right password, and one login-key check; then `--burst` wrong-password
checks started at once, with the event loop's largest lag (a 1 ms ticker)
while they run: scrypt runs in the pool, so the loop stays responsive and the
burst takes about burst/WORKERS x one check; the same ticker's lag
with nothing running is printed as the baseline (the machine's own noise).
Printed: median and spread (min-max) over --rounds runs, in ms.
"""

import argparse
import asyncio
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from session_server import login_keys  # noqa: E402
from session_server.agent_auth import AgentAuth  # noqa: E402
from session_server.config import parse_groups  # noqa: E402
from session_server.passwords import hash_password  # noqa: E402

SECRET = "bench-api-secret-0123456789"


def row(name, values):
    ms = sorted(v * 1000 for v in values)
    print("%-34s %9.2f   %7.2f-%.2f" % (name, statistics.median(ms), ms[0], ms[-1]))


async def main(rounds, burst):
    os.environ["BENCH_API_SECRET"] = SECRET
    group = parse_groups({"groups": {"7": {"api_secret_env": "BENCH_API_SECRET", "agents": [
        {"username": "ann", "partneruserid": "ann@x", "password_hash": hash_password("right")}]}}})[7]
    results = {k: [] for k in ("right (cold)", "wrong", "unknown user", "right (cached)", "login key")}
    for _ in range(rounds):
        auth = AgentAuth()
        for name, user, pw in (("right (cold)", "ann", "right"), ("wrong", "ann", "nope"),
                               ("unknown user", "bob", "nope"), ("right (cached)", "ann", "right")):
            t = time.perf_counter()
            await auth.check_password(group, user, pw)
            results[name].append(time.perf_counter() - t)
        key = login_keys.mint(SECRET, 7, "ann@x", int(time.time()) + 300)
        t = time.perf_counter()
        auth.check_login_key(group, key)
        results["login key"].append(time.perf_counter() - t)
        auth.close()
    print("%-34s %9s   %s" % ("check", "median ms", "min-max ms"))
    for k, v in results.items():
        row(k, v)

    lags, totals, idle = [], [], []
    for _ in range(max(3, rounds // 3)):
        auth = AgentAuth()
        worst = [0.0]
        stop = [False]
        last = time.perf_counter()
        for _ in range(200):   # the same ticker with nothing else running: the machine's own noise
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            worst[0], last = max(worst[0], now - last - 0.001), now
        idle.append(worst[0])
        worst[0] = 0.0

        async def ticker():
            last = time.perf_counter()
            while not stop[0]:
                await asyncio.sleep(0.001)
                now = time.perf_counter()
                worst[0] = max(worst[0], now - last - 0.001)
                last = now
        tk = asyncio.create_task(ticker())
        t = time.perf_counter()
        await asyncio.gather(*(auth.check_password(group, "ann", "wrong%d" % i) for i in range(burst)))
        totals.append(time.perf_counter() - t)
        stop[0] = True
        await tk
        lags.append(worst[0])
        auth.close()
    row("burst of %d wrong checks (total)" % burst, totals)
    row("event-loop lag during the burst", lags)
    row("event-loop lag, idle (baseline)", idle)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--burst", type=int, default=8)
    a = ap.parse_args()
    asyncio.run(main(a.rounds, a.burst))
