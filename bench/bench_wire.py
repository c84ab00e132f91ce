"""Bytes over the wire for the SDK's files, as Chromium transfers them; one table.

Run: python bench/bench_wire.py [--runs N]   (needs build/dist: python build/build.py)

For each scenario, in a new browser context (cold HTTP cache), the bytes
Chromium received for the files of build/dist/ (CDP Network.loadingFinished
encodedDataLength: body as sent plus response headers), in the scenario's own
window (a chat window does not count the shop it embeds):
  page      a shop page that is never co-browsed (the loader alone);
  session   a session with every feature used: an agent joins, asks for and
            is given remote control and clicks, shares a PDF the page shows,
            asks for visitor video (fake camera), then the visitor ends it;
  chat      the chat window loaded (GlanceCobrowseInvokeVisitor.js), and
  chat+inv  the same after its first invoke("startSession").
Columns: `identity` asks for no compression (Accept-Encoding: identity, set
through CDP): the bytes the service sent before compressed delivery, when
/dist was served as plain files; `br` is Chromium's own Accept-Encoding
(brotli chosen); `repeat` loads the same scenario again in the same context
(the hashed files come from the cache: immutable; the loader too while its
max-age lasts). Bytes barely vary between runs (headers such as Date); the
table shows the median and the spread over --runs.
"""

import argparse
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from session_server.dist_files import manifest  # noqa: E402
from tests.browser.agents import AgentRunner  # noqa: E402
from tests.conftest import Server, launch_chromium  # noqa: E402

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


class Wire:
    """Counts the bytes of build/dist/ files received by one page's main frame (CDP)."""

    def __init__(self, context, page, identity):
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        if identity:
            self.cdp.send("Network.setExtraHTTPHeaders", {"headers": {"Accept-Encoding": "identity"}})
        self.names = set(manifest()["files"].values())
        self.urls, self.bytes, self.encodings = {}, {}, {}
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)

    def _response(self, ev):
        name = ev["response"]["url"].split("?")[0].rsplit("/", 1)[-1]
        if name in self.names:
            self.urls[ev["requestId"]] = name
            headers = {k.lower(): v for k, v in ev["response"]["headers"].items()}
            self.encodings[name] = headers.get("content-encoding", "identity")

    def _finished(self, ev):
        name = self.urls.get(ev["requestId"])
        if name:
            self.bytes[name] = self.bytes.get(name, 0) + int(ev["encodedDataLength"])

    def take(self):
        total, self.bytes = sum(self.bytes.values()), {}
        return total


def settle(page, ms=600):
    page.wait_for_timeout(ms)


def wait(page, expr, timeout=20000):
    page.wait_for_function(expr, timeout=timeout)


def page_scenario(page, srv, runner, key):
    page.goto(srv.url + "/")
    wait(page, "window.demoAttached === true")
    page.wait_for_load_state("load")
    settle(page)


def session_scenario(page, srv, runner, key):
    page.goto(srv.url + "/checkout")
    wait(page, "window.demoAttached === true")
    page.evaluate("""() => { window.rc = null; window.vr = null;
        GLANCE.Cobrowse.Visitor.addEventListener('rcrequested', (p) => { window.rc = p; }); }""")
    page.evaluate("(k) => GLANCE.Cobrowse.Visitor.startSession(k)", key)
    wait(page, "window.demoEvents.some(e => e.name === 'sessionstart')")
    agent = runner.agent(srv.url, key)
    wait(page, "GLANCE.Cobrowse._loader.featuresAt !== null")
    runner.run(agent.rcrequest(id="r1"))
    wait(page, "window.rc !== null")
    page.evaluate("window.rc.accept()")
    runner.run(agent.next_event("rcenabled"), timeout=20)
    runner.run(agent.rcevent({"type": "agentclick", "path": "body"}))
    runner.run(agent.share_document("prices.pdf", PDF))
    wait(page, "window.demoEvents.some(e => e.name === 'documentviewed')")
    runner.run(agent.videorequest({}))
    settle(page, 1500)
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    wait(page, "window.demoEvents.some(e => e.name === 'sessionend')")
    runner.run(agent.close())
    settle(page)


def chat_scenario(page, srv, runner, key, invoke=False):
    page.goto(srv.alt_url + "/chat")
    wait(page, "window.chatReady === true")
    settle(page)
    if invoke:
        page.evaluate("(k) => window.chatInvoke('startSession', {sessionKey: k})", key)
        settle(page, 2500)
        page.evaluate("window.chatInvoke('stopSession')")
        settle(page)


SCENARIOS = [
    ("page not in a session", page_scenario),
    ("session, every feature used", session_scenario),
    ("chat window loaded", chat_scenario),
    ("chat window after first invoke", lambda *a: chat_scenario(*a, invoke=True)),
]


def measure(browser, srv, runner, scenario, identity, n):
    """(cold bytes, repeat bytes, {file: content-encoding}) of one scenario."""
    ctx = browser.new_context()
    page = ctx.new_page()
    wire = Wire(ctx, page, identity)
    scenario(page, srv, runner, "wire%d%s" % (n, "i" if identity else "b"))
    cold = wire.take()
    scenario(page, srv, runner, "wire%d%sr" % (n, "i" if identity else "b"))
    repeat = wire.take()
    encodings = dict(wire.encodings)
    ctx.close()
    return cold, repeat, encodings


def fmt(xs):
    med = statistics.median(xs)
    spread = max(xs) - min(xs)
    return "%10d %6s" % (med, "±%d" % ((spread + 1) // 2) if spread else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    srv = Server().start()
    runner = AgentRunner()
    rows = []
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            for label, scenario in SCENARIOS:
                ident, br, rep, enc = [], [], [], {}
                for i in range(args.runs):
                    ident.append(measure(browser, srv, runner, scenario, True, len(rows) * 100 + i)[0])
                    cold, repeat, enc = measure(browser, srv, runner, scenario, False, len(rows) * 100 + 50 + i)
                    br.append(cold)
                    rep.append(repeat)
                rows.append((label, ident, br, rep, enc))
            browser.close()
    finally:
        runner.close()
        srv.stop()
    print("SDK bytes over the wire (build/dist/ files, body + response headers, Chromium CDP), %d runs" % args.runs)
    print("%-32s %17s %17s %7s %17s" % ("scenario", "identity (before)", "br (after)", "ratio", "repeat (cached)"))
    for label, ident, br, rep, enc in rows:
        ratio = statistics.median(br) / statistics.median(ident) if statistics.median(ident) else 0
        print("%-32s %s %s %6.1f%% %s" % (label, fmt(ident), fmt(br), 100 * ratio, fmt(rep)))
    print()
    for label, ident, br, rep, enc in rows:
        print("  %-30s %s" % (label, ", ".join("%s: %s" % kv for kv in sorted(enc.items())) or "-"))


if __name__ == "__main__":
    main()
