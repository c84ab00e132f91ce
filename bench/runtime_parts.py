"""Per-part table of the Brython runtime the SDK ships: bytes and start-up time of each part.

Run: python bench/runtime_parts.py [--runs N]   (bench/bench_session.py prints it too)

brython.js is the concatenation of Brython's source files, each a top-level
`(function($B){...})(__BRYTHON__)`; the shipped runtime (build/build.py
runtime(): without the compiler chain, the cuts and patches of
build/brython_runtime.py) is split there. For each part: its raw, gzip and
brotli bytes (each compressed alone, so they add up to a little more than the
whole), the `$B.` names it defines first (which say what it is), and the time
running it takes in headless Chromium (median of --runs page loads, with the
noise: odd loads against even ones), so the next cut is chosen from data.
"""

import argparse
import gzip
import importlib.util
import os
import re
import statistics
import sys

import brotli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
_START = re.compile(r"\n;?\(function\(\$B\)")
_DEFINES = re.compile(r"\$B\.([A-Za-z_$][\w$]*)\s*=(?!=)")


def build_module():
    spec = importlib.util.spec_from_file_location("cobrowse_build", os.path.join(ROOT, "build", "build.py"))
    b = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(b)
    return b


def parts(text):
    """[(label, text)] of the shipped runtime's top-level parts, in order."""
    cuts = [0] + [m.start() + 1 for m in _START.finditer(text)] + [len(text)]
    out = []
    for i in range(len(cuts) - 1):
        chunk = text[cuts[i]:cuts[i + 1]]
        names = []
        for n in _DEFINES.findall(chunk):
            if n not in names:
                names.append(n)
        label = ", ".join(names[:3]) or chunk.strip()[:40].replace("\n", " ").replace("|", "/")
        if "brython compiler chain: not shipped" in chunk:
            label = "(build/no_compiler.js) " + label
        out.append(("#%d %s" % (i, label), chunk))
    return out


def timings(chunks, runs):
    """[[ms of part i] per load]: each part run in turn inside one function, as the boot runs them."""
    from playwright.sync_api import sync_playwright
    from tests.conftest import launch_chromium
    body = "".join(c + "\n;__T.push(performance.now());\n" for c in chunks)
    script = "(function(){var __T=[performance.now()];(function(){\n" + body + "\n})();window.__T=__T;})();"
    loads = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for _ in range(runs):
            page = browser.new_page()
            page.on("pageerror", lambda e: print("pageerror:", str(e)[:300]))
            # brython.js reads its own script's URL: serve the script from one
            page.route("http://parts.bench/**", lambda r: r.fulfill(
                status=200, content_type="text/html" if r.request.url.endswith("/") else "text/javascript",
                body="<!doctype html><title>parts</title><script src='/parts.js'></script>"
                if r.request.url.endswith("/") else script))
            page.goto("http://parts.bench/")
            t = page.evaluate("window.__T")
            loads.append([t[i + 1] - t[i] for i in range(len(t) - 1)])
            page.close()
        browser.close()
    return loads


def report(out, runs=7):
    b = build_module()
    shipped = b.runtime()
    ps = parts(shipped)
    loads = timings([c for _, c in ps], runs)
    out("")
    out("### Per-part table of the shipped Brython runtime (%d parts, %d bytes raw; start-up: median of %d loads, "
        "in brackets the noise: odd loads against even)" % (len(ps), len(shipped.encode()), runs))
    out("")
    out("| part (first names it defines) | raw | gzip | brotli | start-up ms |")
    out("|---|---:|---:|---:|---:|")
    rows = []
    for i, (label, chunk) in enumerate(ps):
        data = chunk.encode()
        ms = [load[i] for load in loads]
        noise = abs(statistics.median(ms[0::2]) - statistics.median(ms[1::2])) if len(ms) > 1 else float("nan")
        rows.append((len(data), label, len(gzip.compress(data, 9, mtime=0)), len(brotli.compress(data, quality=11)),
                     statistics.median(ms), noise))
    for raw, label, gz, br, ms, noise in rows:
        out("| %s | %d | %d | %d | %.2f (±%.2f) |" % (label[:90], raw, gz, br, ms, noise))
    total = [sum(load) for load in loads]
    out("| all parts | %d | | | %.1f |" % (sum(r[0] for r in rows), statistics.median(total)))
    out("")
    out("Largest parts by raw bytes: " + "; ".join("%s (%d B)" % (r[1][:50], r[0])
                                                   for r in sorted(rows, reverse=True)[:6]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    report(print, args.runs)


if __name__ == "__main__":
    main()
