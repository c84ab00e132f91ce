"""Benchmark of screen share and video start-up over WebRTC in headless Chromium (fake media).

Run: python bench/bench_media.py [--runs N]   (needs build/dist: python build/build.py)

Per run, a fresh visitor page (demo shop, default UI) starts a session and a
fresh agent console page joins it, both in one Chromium on loopback with the
session service relaying the signalling. Two times are measured on the
machine's clock (performance.timeOrigin + performance.now() in each page):

  1. share -> first frame: from the agent console calling agentMedia.shareScreen()
     (before getDisplayMedia) to the first frame presented by the <video> in the
     visitor's glance_screenshare iframe (requestVideoFrameCallback);
  2. accept -> first frame: from the visitor page calling accept() on
     visitorvideorequested to the first frame presented by the agent's
     visitor-camera <video>.

Prints the median, min and max of each over the runs.
"""

import argparse
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.conftest import Server, launch_chromium  # noqa: E402

AGENT = ("janet.glance.net", "demo-agent")

# In the visitor page: resolve with the wall time of the first frame shown in the screenshare iframe.
VISITOR_FIRST_FRAME = """() => { window.__firstFrame = new Promise(resolve => {
  const t = setInterval(() => {
    const f = document.getElementById('glance_screenshare');
    const v = f && f.contentDocument && f.contentDocument.getElementById('glance_video');
    if (v && v.srcObject) { clearInterval(t);
      v.requestVideoFrameCallback(now => resolve(performance.timeOrigin + now)); }
  }, 2);
}); }"""

ACCEPT_VIDEO = """() => { window.__acceptedAt = null; GLANCE.Cobrowse.Visitor.addEventListener('visitorvideorequested',
  p => { window.__acceptedAt = performance.timeOrigin + performance.now(); p.accept({video: 'large'}); }); }"""


def one_run(ctx, server, n):
    key = "bench-media-%d-%d" % (os.getpid(), n)
    visitor = ctx.new_page()
    visitor.set_default_timeout(20000)
    visitor.goto(server.url + "/blank")
    visitor.wait_for_function("window.demoAttached === true")
    visitor.evaluate("(k) => GLANCE.Cobrowse.Visitor.startSession(k)", key)
    visitor.wait_for_function("GLANCE.Cobrowse.Visitor.readyState === 'active'")
    agent = ctx.new_page()
    agent.set_default_timeout(20000)
    agent.goto(server.url + "/agent")
    agent.evaluate("([k, u, p]) => agentConsole.join(72937, k, u, p)", [key, AGENT[0], AGENT[1]])
    agent.wait_for_function("agentConsole.status === 'joined'")

    visitor.evaluate(VISITOR_FIRST_FRAME)
    t0 = agent.evaluate("""() => { const t = performance.timeOrigin + performance.now();
        agentMedia.shareScreen(); return t; }""")
    shown = visitor.evaluate("window.__firstFrame")
    share_ms = shown - t0

    visitor.evaluate(ACCEPT_VIDEO)
    agent.evaluate("agentMedia.requestVideo()")
    agent.wait_for_function("agentMedia.firstFrameAt.visitorvideo !== undefined")
    accepted = visitor.evaluate("window.__acceptedAt")
    at_agent = agent.evaluate("performance.timeOrigin + agentMedia.firstFrameAt.visitorvideo")
    video_ms = at_agent - accepted

    agent.evaluate("agentConsole.end()")
    agent.close()
    visitor.close()
    return share_ms, video_ms


def summary(label, xs):
    return "%-46s median %7.1f ms   min %7.1f   max %7.1f   (n=%d)" % (
        label, statistics.median(xs), min(xs), max(xs), len(xs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    server = Server().start()
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            ctx = browser.new_context()
            one_run(ctx, server, -1)   # warm-up (bundle cache, first getDisplayMedia)
            shares, videos = [], []
            for i in range(args.runs):
                s, v = one_run(ctx, server, i)
                shares.append(s)
                videos.append(v)
            browser.close()
    finally:
        server.stop()
    print(summary("agent share -> first frame at visitor", shares))
    print(summary("visitor accepts video -> first frame at agent", videos))


if __name__ == "__main__":
    main()
