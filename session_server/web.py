"""HTTP side of the session service: the demo site (Jinja2) and the built bundles.

`routes(settings)` returns the Starlette routes that session_server.app mounts
beside the WebSocket endpoints. Demo pages accept a few query parameters that
override the script tag's data-* attributes (groupid, ui, site, ws,
additionalgroupids, debug, nonce, check) and `csp` serves a policy (CSP): tests use them to load a page with a bad group id
or without the default UI; the demo itself uses the defaults.
"""

import os

from visitor_sdk.catalogue import EVENT_NAMES
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIST = os.path.join(ROOT, "build", "dist")
SITE = os.path.join(ROOT, "demo_site")
DEFAULT_GROUP = "72937"
TAG_PARAMS = ("groupid", "ui", "site", "ws", "additionalgroupids", "debug", "nonce")
# ?csp=<name>: serve the page with this Content-Security-Policy (tests of the SDK under a policy)
CSP = {
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


def page(template, title):
    async def endpoint(request):
        attrs = tag_attrs(request)
        html = _env.get_template(template).render(
            title=title, attrs=attrs, check=request.query_params.get("check") == "1",
            notag=request.query_params.get("notag") == "1", tagv=request.query_params.get("tagv"), base=str(request.base_url).rstrip("/"),
            query=request.url.query, events=list(EVENT_NAMES))
        resp = HTMLResponse(html)
        policy = CSP.get(request.query_params.get("csp"))
        if policy:
            resp.headers["Content-Security-Policy"] = policy
        return resp
    return endpoint


async def health(request):
    return PlainTextResponse("ok")


async def favicon(request):
    return Response(status_code=204)


def routes(settings=None):
    """The demo pages, /dist/ (the bundles) and /static/ (the demo's assets)."""
    out = [Route(path, page(t, title)) for path, (t, title) in PAGES.items()]
    out += [
        Route("/healthz", health),
        Route("/favicon.ico", favicon),
        Mount("/dist", app=NoCacheStatic(directory=DIST, check_dir=False), name="dist"),
        Mount("/static", app=NoCacheStatic(directory=os.path.join(SITE, "static")), name="static"),
    ]
    return out
