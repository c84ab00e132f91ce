"""Benchmark: the cobrowse view's capture against rrweb, on the same generated pages, in one run.

    .venv/bin/python bench/bench_capture.py [--sizes 1000,5000,20000] [--runs 5]

Needs rrweb from the npm registry (benchmark only, in an ignored folder):

    npm install --prefix build/.tools/rrweb rrweb@2.0.0-alpha.4 rrweb-snapshot@2.0.0-alpha.4

For each page size (elements of a generated shop-like page: divs, lists,
links, images, inputs, text) it measures in headless Chromium, median of
`--runs`:

- ours snapshot: the SDK's real snapshot path in a live session (walk, mask,
  serialize, chunk, hand every frame to the session connection, which
  JSON-encodes and sends it; element ids are assigned when the session
  starts, not counted); bytes = UTF-8 bytes of the dom_snapshot frames' payloads.
- rrweb-snapshot: snapshot(document) + JSON.stringify (bytes of the JSON).
- rrweb record: record() until its first full snapshot was emitted (+ JSON.stringify).
- per 1,000 mutations (attributes, text, appends, removals): the extra time
  over the same mutations with no recorder, including the recorder's
  MutationObserver callback and (ours) taking and sending the batch; bytes sent.

With `--churn SECONDS` (default 6; 0 skips it) it also measures a page that
never stops changing (600 rows, every row's text or an attribute changed by
400 characters on every animation frame: far beyond the byte budget) with no
recorder, with ours in a live session watched by a Python agent, and with
rrweb record: frames per second, the longest requestAnimationFrame gap,
frames slower than 200 ms, and the bytes the recorder emitted.
"""
import argparse
import json
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.conftest import Server, launch_chromium  # noqa: E402
from tests.browser.test_cobrowse_view_budget import CHURN  # noqa: E402  (the same churn as the frame-gap test)

RRWEB = os.path.join(ROOT, "build", ".tools", "rrweb", "node_modules")
SNAPSHOT_JS = os.path.join(RRWEB, "rrweb-snapshot", "dist", "rrweb-snapshot.min.js")
RECORD_JS = os.path.join(RRWEB, "rrweb", "dist", "record", "rrweb-record.min.js")

GENERATE = """(n) => {
  // about n elements: cards of 10 elements each (div, h3, p, a, img, ul, li x2, input, span)
  const parts = [];
  for (let i = 0; i < n / 10; i++) {
    parts.push('<div class="card c' + (i % 7) + '" data-i="' + i + '"><h3 class="t">Product ' + i + '</h3>' +
      '<p class="d">Description of product number ' + i + ' with some words</p>' +
      '<a href="/product?id=' + i + '" class="l">Details</a><img src="/static/p' + (i % 50) + '.png" alt="p' + i + '" width="40" height="40">' +
      '<ul><li>size ' + (i % 5) + '</li><li>colour ' + (i % 3) + '</li></ul>' +
      '<input name="q' + i + '" value="' + i + '"><span class="price">' + (i * 3 % 100) + '.99</span></div>');
  }
  const box = document.createElement('div');
  box.id = 'bench';
  box.innerHTML = parts.join('');
  document.body.appendChild(box);
  return document.getElementsByTagName('*').length;
}"""

MUTATE = """async ([n, mode]) => {
  const cards = document.getElementById('bench').children;
  const m = cards.length;
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) {
    const c = cards[(i * 7919) % m], k = i % 4;
    if (k === 0) c.setAttribute('data-x', String(i));
    else if (k === 1) c.firstChild.firstChild.data = 'Product changed ' + i;
    else if (k === 2) { const s = document.createElement('span'); s.textContent = 'new ' + i; c.appendChild(s); }
    else { const last = c.lastChild; if (last && last.localName === 'span') c.removeChild(last); }
  }
  await Promise.resolve();              // MutationObserver callbacks run here
  let bytes = 0;
  if (mode === 'ours') {
    const r = window.__glanceCaptureBench.flush();
    if (r.error) throw new Error(r.error);
    bytes = r.bytes;
  } else if (mode === 'rrweb') {
    await new Promise((r) => setTimeout(r, 0));
    bytes = window.__rr.splice(0).reduce((a, s) => a + new TextEncoder().encode(s).length, 0);
  }
  return {ms: performance.now() - t0, bytes: bytes};
}"""


POOL = """(n) => {
  const box = document.createElement('div'); box.id = 'churn';
  for (let i = 0; i < n; i++) { const d = document.createElement('div'); d.textContent = 'row ' + i; box.appendChild(d); }
  document.body.appendChild(box);
}"""

def median(xs):
    return statistics.median(xs) if xs else float("nan")


def fresh(browser, server, n, session_key=None):
    page = browser.new_page()
    page.goto(server.url + "/blank?check=1")
    page.wait_for_function("window.demoAttached === true")
    count = page.evaluate(GENERATE, n)
    if session_key:
        page.evaluate("(k) => GLANCE.Cobrowse.Visitor.startSession(k)", session_key)
        page.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstart') && !!window.__glanceCaptureBench")
        page.wait_for_timeout(300)
    return page, count


def bench_size(browser, server, n, runs):
    row = {"n": n}
    # ours
    page, row["elements"] = fresh(browser, server, n, "bench-cap-%d" % n)
    snaps = []
    for _ in range(runs):
        r = page.evaluate("window.__glanceCaptureBench.snapshot()")
        if r.get("error"):
            raise SystemExit("snapshot failed: " + r["error"])
        snaps.append(r)
        page.wait_for_timeout(200)
    row["ours_ms"] = median([r["ms"] for r in snaps])
    row["ours_bytes"] = snaps[-1]["bytes"]
    row["ours_frames"] = snaps[-1]["frames"]
    muts = [page.evaluate(MUTATE, [n, "ours"]) for _ in range(runs)]
    row["ours_mut_ms_raw"] = median([m["ms"] for m in muts])
    row["ours_mut_bytes"] = median([m["bytes"] for m in muts])
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    page.close()

    # baseline: the same mutations with no recorder
    page, _ = fresh(browser, server, n)
    base = [page.evaluate(MUTATE, [n, "none"]) for _ in range(runs)]
    row["base_mut_ms"] = median([m["ms"] for m in base])
    page.close()

    # rrweb-snapshot
    page, _ = fresh(browser, server, n)
    page.add_script_tag(path=SNAPSHOT_JS)
    rs = page.evaluate("""(runs) => {
      const out = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const s = rrwebSnapshot.snapshot(document);
        const json = JSON.stringify(s);
        out.push({ms: performance.now() - t0, bytes: new TextEncoder().encode(json).length});
      }
      return out;
    }""", runs)
    row["rrs_ms"] = median([r["ms"] for r in rs])
    row["rrs_bytes"] = rs[-1]["bytes"]
    page.close()

    # rrweb record
    recs, rmuts = [], []
    for _ in range(runs):
        page, _ = fresh(browser, server, n)
        page.add_script_tag(path=RECORD_JS)
        r = page.evaluate("""() => {
          window.__rr = [];
          const t0 = performance.now();
          window.__rrStop = rrwebRecord({emit: (e) => window.__rr.push(JSON.stringify(e))});
          const ms = performance.now() - t0;
          const bytes = window.__rr.splice(0).reduce((a, s) => a + new TextEncoder().encode(s).length, 0);
          return {ms: ms, bytes: bytes};
        }""")
        recs.append(r)
        rmuts.append(page.evaluate(MUTATE, [n, "rrweb"]))
        page.close()
    row["rrr_ms"] = median([r["ms"] for r in recs])
    row["rrr_bytes"] = recs[-1]["bytes"]
    row["rr_mut_ms_raw"] = median([m["ms"] for m in rmuts])
    row["rr_mut_bytes"] = median([m["bytes"] for m in rmuts])
    row["ours_mut_ms"] = max(0.0, row["ours_mut_ms_raw"] - row["base_mut_ms"])
    row["rr_mut_ms"] = max(0.0, row["rr_mut_ms_raw"] - row["base_mut_ms"])
    return row


def bench_churn(browser, server, seconds):
    """Frame gaps of a constantly changing page: no recorder, ours (live session, Python agent), rrweb record."""
    from tests.browser.agents import AgentRunner
    churn = [seconds, 600, 400]
    out = {}

    def page_with_pool():
        page = browser.new_page()
        page.goto(server.url + "/blank?check=1")
        page.wait_for_function("window.demoAttached === true")
        page.evaluate(POOL, 600)
        return page

    page = page_with_pool()
    out["none"] = page.evaluate(CHURN, churn)
    out["none"]["bytes"] = 0
    page.close()

    page = page_with_pool()
    runner = AgentRunner()
    try:
        page.evaluate("(k) => GLANCE.Cobrowse.Visitor.startSession(k)", "bench-churn")
        page.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstart')")
        agent = runner.agent(server.url, "bench-churn")
        runner.run(agent.wait_until(lambda a: any(e.get("name") == "dom_snapshot" for e in a._events), timeout=10))
        page.wait_for_timeout(1500)
        before = len(agent._events)
        out["ours"] = page.evaluate(CHURN, churn)
        page.wait_for_timeout(500)
        out["ours"]["bytes"] = sum(len(json.dumps(e)) for e in agent._events[before:]
                                   if str(e.get("name", "")).startswith("dom_"))
        out["ours"]["stats"] = page.evaluate("window.__glanceCaptureBench.stats()")
        page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    finally:
        runner.close()
    page.close()

    page = page_with_pool()
    page.add_script_tag(path=RECORD_JS)
    page.evaluate("""() => { window.__rrBytes = 0;
      window.__rrStop = rrwebRecord({emit: (e) => { window.__rrBytes += JSON.stringify(e).length; }}); }""")
    page.wait_for_timeout(1500)
    page.evaluate("window.__rrBytes = 0")
    out["rrweb"] = page.evaluate(CHURN, churn)
    page.wait_for_timeout(500)
    out["rrweb"]["bytes"] = page.evaluate("window.__rrBytes")
    page.close()
    return out


def churn_table(c):
    head = ("constant mutation", "frames/s", "longest gap ms", "gaps > 200 ms", "KB sent")
    lines = [" | ".join(head), " | ".join("-" * len(h) for h in head)]
    for name, label in (("none", "no recorder"), ("ours", "ours (live session)"), ("rrweb", "rrweb record")):
        r = c[name]
        lines.append(" | ".join([label, "%.1f" % (r["frames"] / (r["ms"] / 1000.0)), "%.0f" % r["maxGap"],
                                 str(r["over200"]), "%.0f" % (r["bytes"] / 1024)]))
    return "\n".join(lines)


def table(rows):
    head = ("elements", "ours ms", "rrweb-snap ms", "rrweb rec ms", "ours/rrs", "ours KB", "rrweb-snap KB",
            "rrweb rec KB", "1k mut ours ms", "1k mut rrweb ms", "1k mut ours KB", "1k mut rrweb KB")
    lines = [" | ".join(head), " | ".join("-" * len(h) for h in head)]
    for r in rows:
        lines.append(" | ".join([
            str(r["elements"]), "%.1f" % r["ours_ms"], "%.1f" % r["rrs_ms"], "%.1f" % r["rrr_ms"],
            "%.2fx" % (r["ours_ms"] / r["rrs_ms"] if r["rrs_ms"] else float("nan")),
            "%.0f" % (r["ours_bytes"] / 1024), "%.0f" % (r["rrs_bytes"] / 1024), "%.0f" % (r["rrr_bytes"] / 1024),
            "%.1f" % r["ours_mut_ms"], "%.1f" % r["rr_mut_ms"],
            "%.1f" % (r["ours_mut_bytes"] / 1024), "%.1f" % (r["rr_mut_bytes"] / 1024)]))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,5000,20000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--churn", type=float, default=6.0, help="seconds of constant mutation (0: skip)")
    args = ap.parse_args()
    for f in (SNAPSHOT_JS, RECORD_JS):
        if not os.path.exists(f):
            raise SystemExit("missing " + f + "\ninstall: npm install --prefix build/.tools/rrweb "
                             "rrweb@2.0.0-alpha.4 rrweb-snapshot@2.0.0-alpha.4")
    from playwright.sync_api import sync_playwright
    server = Server().start()
    rows = []
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            for n in [int(x) for x in args.sizes.split(",") if x]:
                rows.append(bench_size(browser, server, n, args.runs))
                print("done", n, file=sys.stderr)
            churn = bench_churn(browser, server, args.churn) if args.churn > 0 else None
            browser.close()
    finally:
        server.stop()
    if rows:
        print(table(rows))
    if churn:
        print()
        print(churn_table(churn))
    print(json.dumps({"sizes": rows, "churn": churn}), file=sys.stderr)


if __name__ == "__main__":
    main()
