"""HTTP side of the session service: the demo site (Jinja2), the agent console and the built bundles.

`routes(settings)` returns the Starlette routes that session_server.app mounts
beside the WebSocket endpoints. Demo pages accept a few query parameters that
override the script tag's data-* attributes (groupid, ui, site, ws,
additionalgroupids, debug, nonce, check): tests use them to load a page with a bad group id
or without the default UI; the demo itself uses the defaults. Two more set the
tag's own attributes: `src` (the loader's URL, on a loopback host only: a copy
of build/dist/ on another server) and `integrity` (adds integrity=... and
crossorigin="anonymous"). `?csp=strict` serves a page with the strict Content-Security-Policy a bank's site would send
(no 'unsafe-inline', no 'unsafe-eval'; the SDK's and the service's origins
filled in), and `?csp=tt` adds Trusted Types (`require-trusted-types-for
'script'; trusted-types glance-cobrowse`); /strict and /chat have no inline
script or style, so they run under either. `?csp=strict-report` and
`?csp=tt-report` send the same policies as Content-Security-Policy-Report-Only
(violations are reported to the page, nothing is blocked).
`?csp=styles` and `?csp=styles-nonce` serve style-only policies (the demo's
inline scripts still run).
"""

import logging
import os
from urllib.parse import urlsplit

from visitor_sdk.catalogue import EVENT_NAMES
from . import console_policy
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from session_server.dist_files import DistFiles
from session_server.resources import DIST, SITE   # inside the installed package, or the checkout's

log = logging.getLogger("session_server.web")
DEFAULT_GROUP = "72937"
TAG_PARAMS = ("groupid", "ui", "site", "ws", "additionalgroupids", "debug", "nonce")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
# ?csp=<name>: serve the page with this Content-Security-Policy (tests of the SDK under a policy)
STYLE_CSP = {
    # styles without 'unsafe-inline' (the demo's own inline scripts still run)
    "styles": "style-src 'self'; script-src 'self' 'unsafe-eval' 'unsafe-inline'",
    # the same with a style nonce (for data-nonce="glance-test-nonce")
    "styles-nonce": "style-src 'self' 'nonce-glance-test-nonce'; script-src 'self' 'unsafe-eval' 'unsafe-inline'",
}

PAGES = {
    "/": ("shop_home.html", "Home"),
    "/product": ("shop_product.html", "Product"),
    "/checkout": ("shop_checkout.html", "Checkout"),
    "/blank": ("blank.html", "Blank"),
    "/lab": ("lab.html", "Capture lab"),
    "/chat": ("chat.html", "Chat"),
    "/strict": ("strict.html", "Strict guest page"),
    "/agent": ("agent.html", "Agent console"),
}

_env = Environment(loader=FileSystemLoader(os.path.join(SITE, "templates")),
                   autoescape=select_autoescape(["html"]))


class NoCacheStatic(StaticFiles):
    """Static files that browsers revalidate, so a rebuilt bundle is picked up."""

    def file_response(self, *args, **kwargs):
        resp = super().file_response(*args, **kwargs)
        resp.headers["Cache-Control"] = "no-cache"
        return resp


def tag_attrs(request):
    """The data-* attributes of the demo's cobrowse script tag for this request."""
    base = str(request.base_url).rstrip("/")
    attrs = {"groupid": DEFAULT_GROUP, "site": "staging", "ws": base}
    for key in TAG_PARAMS:
        if key in request.query_params:
            value = request.query_params[key]
            if value == "-":  # "-" removes the attribute
                attrs.pop(key, None)
            else:
                attrs[key] = value
    return attrs


def _origin(url):
    parts = urlsplit(url)
    return parts.scheme + "://" + parts.netloc


def _other_loopback(origin):
    """The same server's other loopback origin (localhost <-> 127.0.0.1): the chat's shop frame."""
    if "//localhost" in origin:
        return origin.replace("//localhost", "//127.0.0.1", 1)
    return origin.replace("//127.0.0.1", "//localhost", 1)


CSP_MODES = ("strict", "tt", "strict-report", "tt-report")  # -report: Content-Security-Policy-Report-Only


def content_security_policy(mode, sdk, service, frames=()):
    """The policy a strict site sends (mode "strict"), plus Trusted Types (mode
    "tt"): `sdk` is the origin the bundles come from, `service` the session
    service's (http and ws), `frames` origins the page may frame."""
    ws = service.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
    policy = ["default-src 'self'", "script-src 'self' " + sdk, "style-src 'self' " + sdk,
              "connect-src " + service + " " + ws, "img-src 'self' data:", "object-src 'none'", "base-uri 'self'"]
    if frames:
        policy.append("frame-src 'self' " + " ".join(frames))
    if mode.startswith("tt"):
        policy += ["require-trusted-types-for 'script'", "trusted-types glance-cobrowse"]
    return "; ".join(policy)


def tag_src(request):
    """The ?src= override of the loader's URL, if it is an http(s) URL on a loopback host."""
    src = request.query_params.get("src")
    if not src:
        return None
    parts = urlsplit(src)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK:
        return None
    return src


def console_headers(request):
    """The agent console's own Content-Security-Policy (console_policy.py)."""
    ws = str(request.base_url).rstrip("/").replace("http", "ws", 1)
    return {"Content-Security-Policy": console_policy.console_csp(ws), "Referrer-Policy": "no-referrer"}


PAGE_HEADERS = {"/agent": console_headers}


def page(template, title, headers=None):
    async def endpoint(request):
        attrs = tag_attrs(request)
        base = str(request.base_url).rstrip("/")
        html = _env.get_template(template).render(
            title=title, attrs=attrs, check=request.query_params.get("check") == "1",
            notag=request.query_params.get("notag") == "1", tagv=request.query_params.get("tagv"), base=base,
            src=tag_src(request), integrity=request.query_params.get("integrity"),
            query=request.url.query, events=list(EVENT_NAMES))
        resp = HTMLResponse(html, headers=headers(request) if headers else None)
        mode = request.query_params.get("csp")
        if mode in CSP_MODES:
            service = _origin(attrs["ws"]) if attrs.get("ws") else base
            frames = []
            if template == "chat.html":  # its shop frame: the other loopback origin, or ?shop=
                shop = request.query_params.get("shop")
                frames = [_origin(shop) if shop and urlsplit(shop).scheme in ("http", "https") else _other_loopback(base)]
            header = "Content-Security-Policy" + ("-Report-Only" if mode.endswith("-report") else "")
            resp.headers[header] = content_security_policy(mode, base, service, frames)
        elif mode in STYLE_CSP:
            resp.headers["Content-Security-Policy"] = STYLE_CSP[mode]
        return resp
    return endpoint


def copy_page(settings):
    """GET /agent/copy?group=G&doctype=NAME: the empty document the console fills with its copy of a
    visitor's page, under the copy's CSP (the group's agent_asset_origins may be loaded directly)."""
    async def endpoint(request):
        raw = request.query_params.get("group", "")
        group = settings.groups.get(int(raw)) if settings is not None and raw.isdigit() else None
        origins = getattr(group, "agent_asset_origins", None) or []
        headers = dict(console_policy.COPY_HEADERS)
        headers["Content-Security-Policy"] = console_policy.copy_csp(origins)
        return HTMLResponse(console_policy.copy_document(request.query_params.get("doctype")), headers=headers)
    return endpoint


async def favicon(request):
    return Response(status_code=204)


def routes(settings=None):
    """The demo pages, /dist/ (the bundles, session_server/dist_files.py) and /static/ (the demo's assets)."""
    if not os.path.isfile(os.path.join(DIST, "manifest.json")):
        log.warning("no bundles in %s: build them first (`make build`); /dist answers 404 meanwhile", DIST)
    out = [Route(path, page(t, title, PAGE_HEADERS.get(path))) for path, (t, title) in PAGES.items()]
    out += [
        Route("/agent/copy", copy_page(settings)),
        Route("/favicon.ico", favicon),
        Mount("/dist", app=DistFiles(DIST), name="dist"),
        Mount("/static", app=NoCacheStatic(directory=os.path.join(SITE, "static")), name="static"),
    ]
    return out
