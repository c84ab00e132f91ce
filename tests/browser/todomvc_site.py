"""TodoMVC apps no one here wrote, served for real with their own Content-Security-Policy and the cobrowse tag.

scripts/setup.sh test installs the npm `todomvc` package (TODOMVC_VERSION) into
build/.tools/todomvc. `TodoSite(app, service_url).start()` serves one example
directory of it on a free loopback port (its own origin, not the service's):
index.html gets the cobrowse script tag (none with `?notag=1`), every response
the app's policy, `policy(app, service_url)` (and with `?probe=1` report-only
variants, `TodoSite.variants()`). Call `.stop()` when done.

The policy of each app is the strict policy of issue 19 (what the SDK needs)
plus what the app itself needs (APPS[app].extra, with the reason). The SDK
must never need a source beyond STRICT: tests/browser/test_todomvc.py proves
each extra source is needed by the app alone, and that the SDK triggers no
violation under the result.
"""
import os
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TODOMVC_VERSION = "0.1.1"
EXAMPLES = os.path.join(ROOT, "build", ".tools", "todomvc", "node_modules", "todomvc", "examples")
MODULES = os.path.join(ROOT, "build", ".tools", "todomvc", "node_modules")
# The package's `jquery` example ships without its bower_components (its .npmignore drops them). Its
# bower.json names them: scripts/setup.sh test installs those versions from npm beside the package, and the
# site serves each bower path from there. Written as "npm-package@version path-in-it", one a bower path.
JQUERY_BOWER = {
    "bower_components/todomvc-common/base.css": "todomvc-common@0.3.0 base.css",
    "bower_components/todomvc-common/base.js": "todomvc-common@0.3.0 base.js",
    "bower_components/jquery/dist/jquery.js": "jquery@2.1.1 dist/jquery.js",
    "bower_components/handlebars/handlebars.js": "handlebars@2.0.0 dist/handlebars.js",
    "bower_components/director/build/director.js": "director@1.2.8 build/director.js",
}


def bower_file(app, path):
    """The file that serves `path` (relative to the app's root) from the npm copies of its bower
    components, or None (the app's own file)."""
    spec = JQUERY_BOWER.get(path) if app == "jquery" else None
    if spec is None:
        return None
    package, inner = spec.split(" ", 1)
    return os.path.join(MODULES, package.split("@")[0], inner)
GROUP = "72937"
TAG = ('<script async src="{service}/dist/glance-cobrowse.js" data-groupid="' + GROUP + '" '
       'data-ws="{service}"></script>\n')

# Issue 19's strict policy. SERVICE is the session service's origin (it serves the SDK's files), SERVICE_WS the
# same origin as the SDK's WebSocket reaches it (ws: for http:, wss: for https:): Chromium does not let an
# http(s): source cover a ws(s): URL, so "connect-src <service>" is written with both.
SERVICE = "<service>"
SERVICE_WS = "<service ws>"
STRICT = (
    ("default-src", ("'self'",)),
    ("script-src", ("'self'", SERVICE)),
    ("style-src", ("'self'", SERVICE)),
    ("connect-src", (SERVICE, SERVICE_WS)),
    ("img-src", ("'self'", "data:")),
    ("object-src", ("'none'",)),
    ("base-uri", ("'self'",)),
)

# todomvc-common/base.js, loaded by every example, asks the site root for learn.json (an XHR) to build its
# info sidebar. The server answers 204 (no sidebar: the sidebar's template compiles with new Function), so
# every app needs connect-src 'self' for that one request and nothing else for it.
LEARN = {"connect-src": ("'self'",)}


@dataclass(frozen=True)
class App:
    """One example: what its own code needs on top of STRICT (directive -> sources), and why."""
    name: str
    why: str
    extra: dict = field(default_factory=dict)


def _app(name, why, **extra):
    merged = {k: tuple(v) for k, v in LEARN.items()}
    for directive, sources in extra.items():
        merged[directive.replace("_", "-")] = merged.get(directive.replace("_", "-"), ()) + tuple(sources)
    return App(name, why, merged)


# Found by running each app without the tag under STRICT + LEARN and reading its violations; each extra source
# is the narrowest that clears one (a hash rather than 'unsafe-inline'). test_todomvc.py checks both ways.
APPS = {a.name: a for a in (
    _app("vanillajs", "Plain DOM code and a string-replace template: nothing beyond the strict policy (and LEARN)."),
    _app("react", "React 0.12 with JSXTransformer: it fetches js/*.jsx (connect-src 'self') and runs each "
         "transformed file as an inline <script>: one hash per .jsx file (todoItem, footer, app), as "
         "Chromium reports them for the pinned JSXTransformer.",
         script_src=["'sha256-wlK6AtkHRCOMcMxxNFcf/Px5YOpyhbEfCqkng4TcY2Q='",
                     "'sha256-2WsUQlAnS+EwmsAwE5AJZwsYKiRbEZ70qvd/o2qLbG4='",
                     "'sha256-pH1h/qsxR5cetdYY71JHdqcnCTz2y1tJMvMRiQp9cpA='"]),
    _app("vue", "Vue 0.10 compiles every binding expression with new Function.",
         script_src=["'unsafe-eval'"]),
    _app("angularjs", "AngularJS 1.3 (no ng-csp): it probes new Function and then compiles expressions "
         "with it; index.html has a <style> for ng-cloak and angular.js adds its own <style>.",
         script_src=["'unsafe-eval'"],
         style_src=["'sha256-pgRDen+O1F0fJR5YU1O9Y61KfG7o1N3YMQRoQ/UdBGI='",      # index.html's [ng-cloak]
                    "'sha256-KfN5eZAfZP1NeNvo+BmHMi5+jl3xaUsm0uIl65WQUXw='"]),    # angular.js's ng-cloak/ng-hide
    _app("backbone", "Backbone 1.1 views render Underscore templates, compiled with new Function.",
         script_src=["'unsafe-eval'"]),
    _app("jquery", "jQuery 2.1 with Handlebars 2.0 templates, compiled with new Function (its bower "
         "components from npm: JQUERY_BOWER).",
         script_src=["'unsafe-eval'"]),
    # Spine: jQuery 1.8 with Handlebars templates, another stack no one here wrote.
    _app("spine", "Spine on jQuery; its views are Handlebars templates, compiled with new Function.",
         script_src=["'unsafe-eval'"]),
)}


def policy(app, service_url, without=None):
    """The Content-Security-Policy header of `app` on a service at `service_url`.

    `without=(directive, source)` leaves out one of the app's extra sources (to show it is needed)."""
    extra = APPS[app].extra
    named = {SERVICE: service_url, SERVICE_WS: "ws" + service_url[len("http"):]}
    parts = []
    for directive, sources in STRICT:
        srcs = [named.get(s, s) for s in sources]
        srcs += [s for s in extra.get(directive, ()) if (directive, s) != without]
        parts.append(directive + " " + " ".join(srcs))
    return "; ".join(parts)


def installed():
    """True when setup.sh has installed the package (the pinned version)."""
    import json
    pkg = os.path.join(os.path.dirname(EXAMPLES), "package.json")
    try:
        with open(pkg, encoding="utf-8") as f:
            return json.load(f).get("version") == TODOMVC_VERSION
    except OSError:
        return False


class TodoSite:
    """One TodoMVC example on its own loopback port, its index.html with the tag, every response with its policy."""

    def __init__(self, app, service_url, port=0):
        self.app = app
        self.port = port   # 0: any free one
        self.service_url = service_url
        self.directory = os.path.join(EXAMPLES, app)
        self.csp = policy(app, service_url)
        self.httpd = None

    @property
    def url(self):
        return "http://127.0.0.1:%d/" % self.httpd.server_address[1]

    def start(self):
        site = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=site.directory, **kwargs)

            def log_message(self, *args):
                pass

            def end_headers(self):
                self.send_header("Content-Security-Policy", site.csp)
                if urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("probe") == ["1"]:
                    for variant in site.variants().values():
                        self.send_header("Content-Security-Policy-Report-Only", variant)
                self.send_header("Cache-Control", "no-cache")
                super().end_headers()

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                if url.path in ("/learn.json", "/favicon.ico"):
                    self.send_response(204)
                    self.end_headers()
                    return
                if url.path in ("/", "/index.html"):
                    query = urllib.parse.parse_qs(url.query)
                    body = site.index_html(tag=query.get("notag") != ["1"]).encode("utf-8")
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                bower = bower_file(site.app, url.path.lstrip("/"))
                if bower is not None:
                    with open(bower, "rb") as f:
                        body = f.read()
                    self.send_response(200)
                    self.send_header("Content-Type", self.guess_type(bower))
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                super().do_GET()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def variants(self):
        """{(directive, source): the policy without that one extra source}: with `?probe=1` on a URL, each is
        sent as a Content-Security-Policy-Report-Only header beside the enforced policy, so one page load
        shows which of them the app would violate (securitypolicyviolation: disposition "report")."""
        return {(d, src): policy(self.app, self.service_url, without=(d, src))
                for d, sources in APPS[self.app].extra.items() for src in sources}

    def index_html(self, tag=True):
        with open(os.path.join(self.directory, "index.html"), encoding="utf-8") as f:
            html = f.read()
        if tag:
            html = html.replace("</head>", TAG.format(service=self.service_url) + "</head>", 1)
        return html

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None
