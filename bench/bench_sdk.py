"""Benchmark of the SDK's weight and start-up in headless Chromium, one run, one table.

Run: python bench/bench_sdk.py [--runs N]   (make bench runs it after scripts/setup.sh)

Measures, side by side in one run on the same machine:
  1. bytes raw and gzip of the loader, of brython.js, and of the SDK's own
     precompiled share of the runtime bundle (the core that goes live); the
     feature chunk fetched after it is listed too;
  2. a page that is never co-browsed: the bytes it fetched for the SDK and its
     load event time, against the same page with an async no-op script of the
     loader's size (control), --load-pairs times per run in alternating
     order, since one page load varies far more than the 5% measured (all
     of these first, then the session measurements below). Each load is the
     first page in a new browser context (a cold renderer: the strict case,
     the target's row); a second row loads the same pages one after the
     other in one tab with the HTTP cache off, as a visitor's next pages.
     Beside the ratio: its 95% bootstrap interval over the pairs, and the
     control's odd pairs against its even pairs, which shows how far apart
     two measurements of the very same page come out on this machine;
  3. the median time from startSession() to the SDK being live (the runtime
     has attached its API to the loader: calls and events are the SDK's own),
     against (b) brython.js alone running a two-line script, and (d) the same
     SDK core compiled in the page from its Python source (live, (b) and
     (b') below --live-pairs times per run, (d) once). The times until
     the replayed startSession() fires `sessionstarting` and until the feature
     chunk is installed as well are printed beside it. The order rotates
     between runs.
     The runtime the SDK ships is brython.js without its compiler chain (the
     SDK is precompiled; build/brython_runtime.py), so SDK live is also set
     against (b') that runtime running the same two lines precompiled: the
     SDK's own cost over the runtime it ships. Those rows split the time
     where the runtime has run (its boot begins): the part before is the
     same work for both (fetch, compile and run the runtime, plus the SDK's
     bytes), the part after is what the SDK itself costs, next to what (b')'s
     two lines cost. The part before varies by far more between page loads on
     a shared machine than what is measured, so a last row pools it: the
     median of both groups' samples of that part, plus each group's median of
     the part after.
Ratios are of the medians; the median of the per-pair ratios is
printed too, as it is less sensitive to the machine's load drifting during
the run.
Targets (from the issue): load ratio <= 1.05; SDK live <= 1.15 x (b);
(d) >= 2 x the precompiled SDK; SDK gzip share <= 40 KB; loader <= 5 KB gzip.
"""

import argparse
import gzip
import json
import os
import random
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "build"))

from session_server.dist_files import dist_name  # noqa: E402
from tests.conftest import Server, launch_chromium  # noqa: E402

DIST = os.path.join(ROOT, "build", "dist")


def gz(data):
    return len(gzip.compress(data, 9, mtime=0))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def sizes():
    import importlib.util
    spec = importlib.util.spec_from_file_location("cobrowse_build", os.path.join(ROOT, "build", "build.py"))
    b = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(b)
    loader = read(os.path.join(DIST, "glance-cobrowse.js"))
    runtime = read(os.path.join(DIST, dist_name("glance-cobrowse-runtime.js")))
    brython = read(b.brython_js())
    shipped = b.runtime().encode("utf-8")
    assert shipped in runtime   # inside the boot's wrapper (build/boot.template.js)
    share = runtime.replace(shipped, b"", 1)
    features = read(os.path.join(DIST, dist_name("glance-cobrowse-features.js")))
    return b, {"loader": (len(loader), gz(loader)), "brython.js": (len(brython), gz(brython)),
               SHIPPED: (len(shipped), gz(shipped)),
               "SDK precompiled share": (len(share), gz(runtime) - gz(shipped)),
               "runtime bundle": (len(runtime), gz(runtime)),
               "feature chunk (after live)": (len(features), gz(features))}


SHIPPED = "Brython runtime shipped (brython.js without its compiler chain)"


def two_lines_precompiled(b):
    """(b') the runtime the SDK ships, running the same two lines precompiled
    (the runtime cannot compile them in the page): what Brython alone costs
    the SDK, before any of the SDK's own code."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench_two_lines.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(TWO_LINES_PY)
        mods = [("bench_two_lines", path, False)]
        bundle, _ = b.runtime_bundle("bench_two_lines", b.precompile(mods)["modules"], mods, lazy=False)
    return bundle.encode("utf-8")


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>bench</title>%s</head>
<body><h1>Bench page</h1><p>%s</p><img src="/static/shop.css?img" alt=""></body></html>"""


def source_bundle(b):
    """brython.js + the SDK core's Python sources in the VFS (compiled in the page) + a boot."""
    mods = b.all_modules()
    needed = b.closure("visitor_sdk.runtime", mods, lazy=False)
    vfs = {}
    for name, path, pkg in mods:
        if name in needed:
            with open(path, encoding="utf-8") as f:
                src = f.read()
            vfs[name] = [".py", src, [], 1] if pkg else [".py", src, []]
    boot = ("(function(){var B=__BRYTHON__;B.use_VFS=true;B.update_VFS(%s);"
            "B.parser.brython({debug:1,indexeddb:false,cache:false,ids:[]});"
            "B.runPythonSource('import visitor_sdk.runtime');})();" % json.dumps(vfs))
    return read(b.brython_js()) + b"\n;\n" + boot.encode()


TWO_LINES_PY = "from browser import window\nwindow.benchLive = window.performance.now()\n"
TWO_LINES = ("(function(){window.benchBoot=performance.now();var B=__BRYTHON__;"
             "B.parser.brython({debug:1,indexeddb:false,cache:false,ids:[]});"
             "B.runPythonSource(%s);})();" % json.dumps(TWO_LINES_PY)).encode()


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def measure_live(fresh, base, results):
    """startSession() on a page with the tag: until the SDK is live, fires sessionstarting, has its features."""
    ctx, page = fresh()
    page.goto(base + "/bench/tag.html?live", wait_until="load")
    page.wait_for_function("window.GLANCE && GLANCE.Cobrowse && GLANCE.Cobrowse._loader")
    page.evaluate("""() => { window.t0 = performance.now();
        GLANCE.Cobrowse.Visitor.addEventListener('sessionstarting', () => { window.tStarting = performance.now(); });
        GLANCE.Cobrowse.Visitor.startSession('bench-' + Math.floor(Math.random() * 1e9)); }""")
    page.wait_for_function("GLANCE.Cobrowse._loader.liveAt", timeout=30000)
    results["live"].append(page.evaluate("GLANCE.Cobrowse._loader.liveAt - t0"))
    results["live_boot"].append(page.evaluate("GLANCE.Cobrowse._loader.runtimeAt - t0"))
    page.wait_for_function("window.tStarting", timeout=30000)
    results["starting"].append(page.evaluate("window.tStarting - t0"))
    page.wait_for_function("GLANCE.Cobrowse._loader.featuresAt", timeout=30000)
    results["features"].append(page.evaluate("GLANCE.Cobrowse._loader.featuresAt - t0"))
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    ctx.close()


def measure_script(fresh, base, results, kind):
    """(b) brython.js alone with a two-line script, (b') the shipped runtime with
    the two lines precompiled, or (d) the SDK compiled from source, on the same page."""
    path, done = {"b": ("/dist/bench-brython2.js", "window.benchLive"),
                  "b2": ("/dist/bench-runtime2.js", "window.benchLive"),
                  "d": ("/dist/bench-source.js", "GLANCE.Cobrowse._loader.liveAt")}[kind]
    ctx, page = fresh()
    page.goto(base + "/bench/tag.html?" + kind, wait_until="load")
    page.wait_for_function("window.GLANCE && GLANCE.Cobrowse && GLANCE.Cobrowse._loader")
    if kind == "b2":   # the runtime hands itself to the loader that asked for it, which starts the entry
        page.evaluate("""() => { const L = GLANCE.Cobrowse._loader; L.runtimeWanted = true;
                          L.runtimeArrived = (api) => api.start('bench_two_lines'); }""")
    page.evaluate("""(src) => { window.t0 = performance.now(); const s = document.createElement('script');
                      s.src = src; document.head.appendChild(s); }""", path)
    page.wait_for_function(done, timeout=60000)
    results[kind].append(page.evaluate(done + " - t0"))
    if kind == "b":
        results["b_boot"].append(page.evaluate("window.benchBoot - t0"))
    if kind == "b2":   # the runtime's boot records when the runtime has run, as for the SDK
        results["b2_boot"].append(page.evaluate("GLANCE.Cobrowse._loader.runtimeAt - t0"))
    ctx.close()


def paired(xs, ys):
    """Median of the ratios x/y of samples taken side by side (same run)."""
    return median([x / y for x, y in zip(xs, ys)])


def interval(xs, ys, draws=2000):
    """95% bootstrap interval of median(xs) / median(ys), resampling the pairs."""
    rng = random.Random(0)
    n = len(xs)
    ratios = []
    for _ in range(draws):
        idx = [rng.randrange(n) for _ in range(n)]
        ratios.append(median([xs[i] for i in idx]) / median([ys[i] for i in idx]))
    ratios.sort()
    return ratios[int(0.025 * draws)], ratios[int(0.975 * draws) - 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=31)
    ap.add_argument("--load-pairs", type=int, default=12,
                    help="tag/control page loads per run (cheap, and the load event is the noisiest figure)")
    ap.add_argument("--live-pairs", type=int, default=2,
                    help="SDK live, (b) and (b') samples per run (the ratio the 15%% target is on; (d) is measured once per run)")
    ap.add_argument("--raw", action="store_true", help="also print every sample, sorted")
    args = ap.parse_args()
    b, size = sizes()
    loader_len = size["loader"][0]
    from playwright.sync_api import sync_playwright

    srv = Server().start()
    base = srv.url
    tag = ('<script async id="glance-cobrowse" src="/dist/glance-cobrowse.js" data-groupid="72937" '
           'data-ws="%s"></script>' % base)
    noop = b"/*" + b" " * (loader_len - 4) + b"*/"
    pages = {
        "/bench/tag.html": PAGE % (tag, "x" * 2000),
        "/bench/control.html": PAGE % ('<script async src="/dist/bench-noop.js"></script>', "x" * 2000),
        "/bench/empty.html": PAGE % ("", ""),
    }
    # Served by the real server from build/dist/ like the SDK itself (removed at the end).
    assets = {"bench-noop.js": noop, "bench-brython2.js": read(b.brython_js()) + b"\n;\n" + TWO_LINES,
              "bench-runtime2.js": two_lines_precompiled(b), "bench-source.js": source_bundle(b)}
    for name, data in assets.items():
        with open(os.path.join(DIST, name), "wb") as f:
            f.write(data)
    results = {k: [] for k in ("tag", "control", "tag_tab", "control_tab", "live", "starting", "features",
                               "b", "b2", "d", "live_boot", "b_boot", "b2_boot")}
    fetched = []
    with sync_playwright() as p:
        browser = launch_chromium(p)

        def route(r):
            path = r.request.url[len(base):].split("?")[0]
            if path in pages:
                return r.fulfill(status=200, content_type="text/html", body=pages[path])
            return r.continue_()

        def fresh():
            ctx = browser.new_context()
            ctx.route(base + "/bench/**", route)
            return ctx, ctx.new_page()

        load_time = "performance.getEntriesByType('navigation')[0].loadEventStart"
        # The pages not in a session first, apart from the session measurements,
        # whose teardown (sessions closing at the server) would fall on them.
        for i in range(args.runs):
            for j in range(args.load_pairs):
                for kind in (("tag", "control") if (i + j) % 2 == 0 else ("control", "tag")):
                    ctx, page = fresh()
                    urls = []
                    page.on("response", lambda resp: urls.append(resp.url))
                    page.goto(base + "/bench/%s.html" % kind, wait_until="load")
                    results[kind].append(page.evaluate(load_time))
                    if kind == "tag":
                        page.wait_for_timeout(100)
                        fetched.append(sum(len(read(os.path.join(DIST, u.rsplit("/", 1)[1].split("?")[0])))
                                           for u in urls if "/dist/" in u))
                        assert not [u for u in urls if "runtime" in u], urls
                    ctx.close()
        # The same pages as the next pages of a site in one tab (the browser's
        # process is warm; the HTTP cache is off, so each load fetches the script).
        ctx, page = fresh()
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        for i in range(args.runs * args.load_pairs):
            for kind in (("tag", "control") if i % 2 == 0 else ("control", "tag")):
                page.goto(base + "/bench/%s.html" % kind, wait_until="load")
                results[kind + "_tab"].append(page.evaluate(load_time))
                page.goto("about:blank")
        ctx.close()
        for i in range(args.runs):
            # SDK live after startSession(), (b) and (b'), --live-pairs times, and (d)
            # once; the order rotates between runs and groups
            steps = []
            for j in range(args.live_pairs):
                k = (i + j) % 3
                steps += (["live", "b", "b2"] * 2)[k:k + 3]
            steps.insert(1 if i % 2 == 0 else len(steps) - 1, "d")
            for step in steps:
                if step == "live":
                    measure_live(fresh, base, results)
                else:
                    measure_script(fresh, base, results, step)
        browser.close()
    srv.stop()
    for name in assets:
        os.remove(os.path.join(DIST, name))

    m = {k: median(v) for k, v in results.items()}
    if args.raw:
        for k, v in results.items():
            print("%-9s %s" % (k, " ".join("%.0f" % x for x in sorted(v))))
    print()
    print("SDK size and start-up (headless Chromium, %d runs, medians)" % args.runs)
    print()
    print("| item | raw bytes | gzip bytes | target |")
    print("|---|---:|---:|---|")
    for name, target in (("loader", "<= 5 KB gzip"), ("brython.js", ""), (SHIPPED, ""),
                         ("SDK precompiled share", "<= 40 KB gzip"), ("runtime bundle", ""),
                         ("feature chunk (after live)", "")):
        print("| %s | %d | %d | %s |" % (name, size[name][0], size[name][1], target))
    print()
    print("| measurement | value | compared with | ratio | target |")
    print("|---|---:|---|---:|---|")
    print("| bytes fetched for the SDK, page not in a session | %d | loader alone: %d | %.2f | loader only |"
          % (median(fetched), size["loader"][0], median(fetched) / size["loader"][0]))
    print("| load event, page with the tag (ms) | %.1f | control, async no-op of the loader's size: %.1f | %.3f | <= 1.05 |"
          % (m["tag"], m["control"], m["tag"] / m["control"]))
    print("| load event, paired (median of tag/control per pair) | | | %.3f | |"
          % paired(results["tag"], results["control"]))
    print("| load event, 95%% interval of the tag/control ratio (bootstrap over the pairs) | | | %.3f-%.3f | |"
          % interval(results["tag"], results["control"]))
    print("| load event, this measurement's own noise: the control's odd pairs against its even pairs (ms) | %.1f | %.1f | %.3f | |"
          % (median(results["control"][1::2]), median(results["control"][0::2]),
             median(results["control"][1::2]) / median(results["control"][0::2])))
    print("| load event, what the tag adds: median of tag - control per pair (ms) | %+.1f | | | |"
          % median([x - y for x, y in zip(results["tag"], results["control"])]))
    print("| load event, next page of the site in the same tab (ms) | %.1f | control: %.1f | %.3f | |"
          % (m["tag_tab"], m["control_tab"], m["tag_tab"] / m["control_tab"]))
    print("| startSession() to SDK live (ms) | %.1f | (b) brython.js + 2-line script: %.1f | %.2f | <= 1.15 |"
          % (m["live"], m["b"], m["live"] / m["b"]))
    print("| SDK live, paired (median of live/(b) per group) | | | %.2f | |" % paired(results["live"], results["b"]))
    after = {k: median([x - y for x, y in zip(results[k], results[k + "_boot"])]) for k in ("live", "b", "b2")}
    print("| of which, (b): startSession() until brython.js has run, then its two lines (ms) | %.1f | | +%.1f ms | |"
          % (m["b_boot"], after["b"]))
    print("| startSession() to SDK live, against the runtime it ships (ms) | %.1f | (b') %s + the two lines "
          "precompiled: %.1f | %.2f | |" % (m["live"], SHIPPED, m["b2"], m["live"] / m["b2"]))
    print("| SDK live, paired (median of live/(b') per group) | | | %.2f | |" % paired(results["live"], results["b2"]))
    print("| of which: startSession() until the runtime has run (ms) | %.1f | (b'): %.1f | %.2f | |"
          % (m["live_boot"], m["b2_boot"], m["live_boot"] / m["b2_boot"]))
    print("| of which: the runtime has run until live: the SDK's own start (ms) | %.1f | (b'), its two lines: %.1f "
          "| +%.1f ms | |" % (after["live"], after["b2"], after["live"] - after["b2"]))
    common = median(results["live_boot"] + results["b2_boot"])
    print("| SDK live against (b'), the part before the runtime has run pooled from both (ms) | %.1f | (b'): %.1f "
          "| %.2f | |" % (common + after["live"], common + after["b2"],
                          (common + after["live"]) / (common + after["b2"])))
    print("| (d) SDK core compiled in the page from Python (ms) | %.1f | precompiled SDK live: %.1f | %.2f | >= 2 |"
          % (m["d"], m["live"], m["d"] / m["live"]))
    print("| startSession() to its sessionstarting event (ms) | %.1f | (b): %.1f | %.2f | |"
          % (m["starting"], m["b"], m["starting"] / m["b"]))
    print("| startSession() to features installed too (ms) | %.1f | (b): %.1f | %.2f | |"
          % (m["features"], m["b"], m["features"] / m["b"]))
    print()


if __name__ == "__main__":
    main()
