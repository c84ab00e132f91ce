"""Benchmark of a real connected session against rrweb record, one run, one table.

Run: python bench/bench_session.py [--runs N]   (make bench runs it after scripts/setup.sh bench)

The page (a table of 400 rows, about 1,250 elements) is served over real HTTP
by a small server of this file on its own port; the SDK's files come from the
real session service (its /dist, brotli and gzip by Accept-Encoding), whose
group 72937 lists the page's origin as a site origin, so the visitor's
WebSocket really connects and a real agent (session_server.agent_client)
joins. Side by side in one run, on the same page, in alternating order:

  sdk       the tag; startSession(); an agent joins once sessionstart fired
            (its cobrowse view: the first dom_snapshot frame the page sends);
            then, for the bytes only, the agent asks for remote control
            (accepted), shares a document and requests video.
  rrweb     rrweb record (the record-only build, installed from npm for the
            bench: scripts/setup.sh bench), loaded and started; its first
            full snapshot stands for sessionstart and for the snapshot.
  rrweb-all rrweb's full build (record and replay), the same way.
  none      no recorder: the same window of time, nothing started.

Figures: bytes fetched (brotli and gzip sizes of each file the page fetched
after its load, read from the copies served) at each stage; main-thread task
time (the renderer main thread's top-level tasks in a Chromium trace, clipped
to the window) and long tasks (> 50 ms) from startSession() (the recorder's
start) until sessionstart, until the first snapshot, until the features are
installed; JS heap added (used heap after a forced GC, before the start and
once the session settled); all of it again under CDP CPU throttling x4.
Each figure is the median of --runs runs; beside it its noise: the median of
the odd runs against that of the even runs (the same measurement, twice),
so a difference smaller than that is inside the machine's noise.
A per-part table of the shipped Brython runtime follows (bench/runtime_parts.py).

Targets (issue 21): session with the cobrowse view <= 180 KB brotli; task time
to the first snapshot <= 2.5x rrweb record's; unthrottled, no long task where
rrweb has none; JS heap added <= 5 MB; at x4: startSession() to sessionstart
<= 1.5x rrweb's full build load+start, longest task <= 1.5x rrweb's longest;
loader alone <= 5 KB gzip.
"""

import argparse
import gzip
import http.server
import json
import os
import statistics
import sys
import threading
import time

import brotli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.conftest import Server, free_port, launch_chromium  # noqa: E402
from tests.browser.agents import AgentRunner  # noqa: E402

DIST = os.path.join(ROOT, "build", "dist")
RRWEB = os.path.join(ROOT, "build", ".tools", "rrweb", "node_modules", "rrweb", "dist")
HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = 400
LONG_TASK_MS = 50.0
TRACE_CATEGORIES = ["disabled-by-default-devtools.timeline", "blink.user_timing", "toplevel"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def read(path):
    with open(path, "rb") as f:
        return f.read()


def page_html(head):
    rows = "\n".join('<tr><td>Item %d</td><td class="price">%d.%02d EUR</td></tr>' % (i, i * 3, i % 100)
                     for i in range(ROWS))
    return ("<!doctype html><html><head><meta charset='utf-8'><title>bench session</title>"
            "<script src='/bench/session_page.js'></script>%s</head><body><h1>Orders</h1>"
            "<p>A page of %d rows.</p><table><thead><tr><th>Item</th><th>Price</th></tr></thead><tbody>\n%s\n"
            "</tbody></table><form><input name='q'><button type='button'>Search</button></form></body></html>"
            % (head, ROWS, rows)).encode()


class PageServer:
    """The bench pages, session_page.js and rrweb (with br/gz copies) over real HTTP."""

    def __init__(self, service_url, port):
        self.port = port
        tag = ('<script async id="glance-cobrowse" src="%s/dist/glance-cobrowse.js" data-groupid="72937" '
               'data-ws="%s"></script>' % (service_url, service_url))
        self.files = {"/page/sdk.html": (page_html(tag), "text/html"),
                      "/page/plain.html": (page_html(""), "text/html"),
                      "/bench/session_page.js": (read(os.path.join(HERE, "session_page.js")), "text/javascript"),
                      "/rrweb/record.js": (read(os.path.join(RRWEB, "record", "rrweb-record.min.js")), "text/javascript"),
                      "/rrweb/all.js": (read(os.path.join(RRWEB, "rrweb.min.js")), "text/javascript")}
        self.copies = {p: {"br": brotli.compress(d, quality=11), "gzip": gzip.compress(d, 9, mtime=0)}
                       for p, (d, _) in self.files.items()}
        files, copies = self.files, self.copies

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                path = self.path.split("?")[0]
                if path not in files:
                    self.send_error(404)
                    return
                data, ctype = files[path]
                accept = self.headers.get("Accept-Encoding", "")
                coding = "br" if "br" in accept else "gzip" if "gzip" in accept else None
                if coding:
                    data = copies[path][coding]
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                if coding:
                    self.send_header("Content-Encoding", coding)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def sizes(self, url):
        """(brotli, gzip) bytes of a URL this server or the service's /dist served, or None."""
        path = "/" + url.split("//", 1)[1].split("/", 1)[1].split("?")[0]
        if path in self.copies:
            return len(self.copies[path]["br"]), len(self.copies[path]["gzip"])
        if path.startswith("/dist/"):
            name = os.path.join(DIST, path[len("/dist/"):])
            if os.path.exists(name + ".br"):
                return os.path.getsize(name + ".br"), os.path.getsize(name + ".gz")
        return None

    def stop(self):
        self.httpd.shutdown()


class BenchService(Server):
    """The session service, whose group 72937 accepts visitor sockets from the bench page's origin."""

    def __init__(self, page_port):
        Server.__init__(self)
        self.page_port = page_port

    def write_groups(self):
        Server.write_groups(self)
        path = self.env["COBROWSE_GROUPS"]
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("site_origins = [", 'site_origins = ["http://127.0.0.1:%d", ' % self.page_port, 1))


def main_thread_tasks(trace):
    """(t0 mark's ts in us, [(start us, dur us)] of the page's renderer main thread's top-level tasks)."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    marks = [e for e in events if e.get("name") == "bench-t0"]
    if not marks:
        raise SystemExit("bench: no bench-t0 mark in the trace")
    pid = marks[-1]["pid"]
    main = [e["tid"] for e in events if e.get("ph") == "M" and e.get("name") == "thread_name"
            and e.get("pid") == pid and e["args"].get("name") == "CrRendererMain"]
    tid = main[0] if main else marks[-1]["tid"]
    tasks = [(e["ts"], e.get("dur", 0)) for e in events if e.get("pid") == pid and e.get("tid") == tid
             and e.get("ph") == "X" and e.get("name") in ("RunTask", "ThreadControllerImpl::RunTask")]
    merged = []   # nested task events (a task inside a task) counted once: the outermost
    for start, dur in sorted(tasks):
        if merged and start < merged[-1][0] + merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], start + dur - last[0]))
        else:
            merged.append((start, dur))
    return marks[-1]["ts"], merged


def window_figures(t0_ts, tasks, end_ms):
    """(task ms, long tasks, longest ms) of the tasks within [t0, t0 + end_ms] (clipped).
    The task holding the t0 mark counts from its start: startSession() runs in it."""
    end = t0_ts + end_ms * 1000
    total, longs, longest = 0.0, 0, 0.0
    for start, dur in tasks:
        stop = start + dur
        if stop < t0_ts or start > end:
            continue
        part = (min(stop, end) - max(start, t0_ts if not (start <= t0_ts <= stop) else start)) / 1000
        total += part
        if dur / 1000 > LONG_TASK_MS:
            longs += 1
        longest = max(longest, dur / 1000)
    return total, longs, longest


def poll(page, expr, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        v = page.evaluate(expr)
        if v:
            return v
        time.sleep(0.02)
    raise SystemExit("bench: timed out waiting for " + expr + ": " + json.dumps(page.evaluate("() => [window.__b, window.GLANCE && GLANCE.Cobrowse.Visitor.readyState]")))


def heap(cdp):
    cdp.send("HeapProfiler.collectGarbage")
    cdp.send("HeapProfiler.collectGarbage")
    return cdp.send("Runtime.getHeapUsage")["usedSize"]


def one_run(browser, pages, service, agents, kind, throttle, n):
    """One measured start of `kind` on a fresh context; {figure: value}."""
    ctx = browser.new_context()
    page = ctx.new_page()
    fetched = []   # (stage, url)
    stage = ["page"]
    page.on("requestfinished", lambda r: fetched.append((stage[0], r.url)))
    cdp = ctx.new_cdp_session(page)
    cdp.send("HeapProfiler.enable")
    page.goto(pages.url + ("/page/sdk.html" if kind == "sdk" else "/page/plain.html"), wait_until="load")
    page.wait_for_timeout(400)
    if throttle > 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    heap0 = heap(cdp)
    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    stage[0] = "start"
    key = "bench%d%d" % (n, int(time.time() * 1000) % 100000)
    if kind == "sdk":
        page.evaluate("(k) => __b.startSdk(k)", key)
        poll(page, "__b.sessionstart !== null")
        stage[0] = "view"
        agent = agents.agent(service.url, key)
        poll(page, "__b.snapshot !== null && __b.features !== null")
    elif kind == "none":
        page.evaluate("() => __b.startNone()")
    else:
        page.evaluate("([s, g]) => __b.startRrweb(s, g)", ["/rrweb/record.js", "rrwebRecord"] if kind == "rrweb"
                      else ["/rrweb/all.js", "rrweb"])
        poll(page, "__b.snapshot !== null")
    page.wait_for_timeout(1500 if throttle == 1 else 3000)   # settle: what runs after the milestones
    b = page.evaluate("() => ({t0: __b.t0, s: __b.sessionstart, snap: __b.snapshot, f: __b.features, now: performance.now()})")
    trace = json.loads(browser.stop_tracing())
    heap1 = heap(cdp)
    t0_ts, tasks = main_thread_tasks(trace)
    out = {"heap": (heap1 - heap0) / 1e6}
    for name, at in (("sessionstart", b["s"]), ("snapshot", b["snap"]), ("features", b["f"]), ("settled", b["now"])):
        ms = at - b["t0"]
        out["ms_" + name] = ms
        out["task_" + name], out["long_" + name], out["longest_" + name] = window_figures(t0_ts, tasks, ms)
    if kind == "sdk":
        stage[0] = "rc"
        agents.run(agent.rcrequest(id="bench-rc"))
        agents.run(agent.next_event("rcaccepted", timeout=20))
        page.wait_for_timeout(300)
        stage[0] = "docs"
        agents.run(agent.share_document("bench.pdf", PDF))
        poll(page, "__b.events.indexOf('agentdocshare') >= 0", 20)
        page.wait_for_timeout(300)
        stage[0] = "media"
        agents.run(agent.videorequest())
        poll(page, "__b.events.indexOf('visitorvideorequested') >= 0", 20)
        page.wait_for_timeout(300)
        page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
        agents.run(agent.close())
    for st in ("page", "start", "view", "rc", "docs", "media"):
        br = gz = 0
        for s, url in fetched:
            sz = pages.sizes(url) if s == st and not url.endswith(".html") and "session_page.js" not in url else None
            if sz:
                br, gz = br + sz[0], gz + sz[1]
        out["br_" + st], out["gz_" + st] = br, gz
    out["files_" + "all"] = [u.rsplit("/", 1)[1] for s, u in fetched if pages.sizes(u)]
    ctx.close()
    return out


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def noise(xs):
    """|median of the odd runs - median of the even runs|: the same measurement twice."""
    if len(xs) < 2:
        return float("nan")
    return abs(median(xs[0::2]) - median(xs[1::2]))


KINDS = ("sdk", "rrweb", "rrweb-all", "none")


def table(results, throttle, out):
    r = {k: results[(k, throttle)] for k in KINDS}

    def cell(k, f, fmt="%.1f"):
        xs = [x[f] for x in r[k]]
        return (fmt % median(xs)) + " (±" + (fmt % noise(xs)) + ")"

    out("")
    out("### CPU throttling x%d (medians of %d runs; in brackets the noise: odd runs against even runs)"
        % (throttle, len(r["sdk"])))
    out("")
    out("| figure | SDK | rrweb record | rrweb full | no recorder | SDK / rrweb record |")
    out("|---|---:|---:|---:|---:|---:|")
    rows = [("startSession()/start to sessionstart (ms)", "ms_sessionstart"),
            ("start to first snapshot sent (ms)", "ms_snapshot"),
            ("start to features ready (ms)", "ms_features"),
            ("main-thread task time to sessionstart (ms)", "task_sessionstart"),
            ("main-thread task time to first snapshot (ms)", "task_snapshot"),
            ("main-thread task time to features ready (ms)", "task_features"),
            ("main-thread task time until settled (ms)", "task_settled"),
            ("long tasks (> 50 ms) to sessionstart", "long_sessionstart"),
            ("long tasks (> 50 ms) to first snapshot", "long_snapshot"),
            ("long tasks (> 50 ms) until settled", "long_settled"),
            ("longest task until settled (ms)", "longest_settled"),
            ("JS heap added (MB)", "heap")]
    for label, f in rows:
        base = median([x[f] for x in r["rrweb"]])
        ratio = "%.2f" % (median([x[f] for x in r["sdk"]]) / base) if base > 0 else "-"
        out("| %s | %s | %s | %s | %s | %s |" % (label, cell("sdk", f), cell("rrweb", f), cell("rrweb-all", f),
                                                cell("none", f), ratio))
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=6)
    ap.add_argument("--out", help="also write the tables to this file")
    args = ap.parse_args()
    lines = []

    def out(s):
        print(s)
        lines.append(s)

    from playwright.sync_api import sync_playwright
    page_port = free_port()
    service = BenchService(page_port).start()
    pages = PageServer(service.url, page_port)
    agents = AgentRunner()
    results = {}
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            for throttle in (1, 4):
                for i in range(args.runs):
                    order = KINDS if i % 2 == 0 else tuple(reversed(KINDS))
                    for kind in order:
                        results.setdefault((kind, throttle), []).append(
                            one_run(browser, pages, service, agents, kind, throttle, i))
            browser.close()
    finally:
        agents.close()
        pages.stop()
        service.stop()
    manifest = json.load(open(os.path.join(DIST, "manifest.json")))
    out("# Real session against rrweb record (headless Chromium, page of %d rows, real HTTP, a real agent)" % ROWS)
    out("")
    out("Bytes fetched by the page (brotli / gzip; the SDK's stages add up; rrweb's is its one script):")
    out("")
    out("| stage | brotli | gzip | files |")
    out("|---|---:|---:|---|")
    sdk = results[("sdk", 1)]
    cum_br = cum_gz = 0
    files = sdk[0]["files_all"]
    for st, label in (("page", "page not in a session (the loader)"), ("start", "session start (until sessionstart)"),
                      ("view", "agent joined (cobrowse view)"), ("rc", "remote control used"),
                      ("docs", "documents (first share)"), ("media", "media (first video request)")):
        br, gz = median([x["br_" + st] for x in sdk]), median([x["gz_" + st] for x in sdk])
        cum_br, cum_gz = cum_br + br, cum_gz + gz
        out("| %s | +%d (total %d) | +%d (total %d) | |" % (label, br, cum_br, gz, cum_gz))
    view_br = sum(median([x["br_" + s] for x in sdk]) for s in ("page", "start", "view"))
    for kind, label in (("rrweb", "rrweb record"), ("rrweb-all", "rrweb full build")):
        x = results[(kind, 1)]
        out("| %s | %d | %d | |" % (label, median([y["br_start"] for y in x]), median([y["gz_start"] for y in x])))
    out("")
    out("SDK files fetched in one session: " + ", ".join(files))
    out("Session with the cobrowse view: %d B brotli (target <= 180 KB = 184,320 B)" % view_br)
    out("Loader alone: %d B gzip (target <= 5 KB)" % manifest["sizes"]["glance-cobrowse.js"]["gzip"])
    r1 = table(results, 1, out)
    r4 = table(results, 4, out)

    def med(r, k, f):
        return median([x[f] for x in r[k]])
    out("")
    out("Targets:")
    out("- task time to first snapshot: %.2fx rrweb record's start (target <= 2.5x)"
        % (med(r1, "sdk", "task_snapshot") / med(r1, "rrweb", "task_snapshot")))
    out("- unthrottled long tasks until settled: SDK %.0f, rrweb record %.0f (target: none where rrweb has none)"
        % (med(r1, "sdk", "long_settled"), med(r1, "rrweb", "long_settled")))
    out("- JS heap added: %.1f MB (target <= 5 MB)" % med(r1, "sdk", "heap"))
    out("- x4: startSession() to sessionstart %.0f ms = %.2fx rrweb full build load+start %.0f ms (target <= 1.5x)"
        % (med(r4, "sdk", "ms_sessionstart"), med(r4, "sdk", "ms_sessionstart") / med(r4, "rrweb-all", "ms_snapshot"),
           med(r4, "rrweb-all", "ms_snapshot")))
    out("- x4: longest task %.0f ms = %.2fx rrweb full build's %.0f ms (target <= 1.5x)"
        % (med(r4, "sdk", "longest_settled"), med(r4, "sdk", "longest_settled") / max(med(r4, "rrweb-all", "longest_settled"), 1e-9),
           med(r4, "rrweb-all", "longest_settled")))
    try:
        sys.path.insert(0, HERE)
        import runtime_parts
        runtime_parts.report(out)
    except ImportError:
        pass
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
