"""The Starlette application: HTTP routes (web.py), the WebSocket endpoints and the group API.

`create_app(settings)` returns the ASGI app; `settings` is a config.Settings
(default: from the environment). Endpoints:

  /ws/visitor                      visitor sockets (protocol: docs/protocol.md)
  /ws/agent                        agent sockets (under `python -m session_server` both are
                                   served by sockets.WsSocket before they reach this app)
  GET /api/groups/{id}/public      the group's public settings, CORS *
  GET /api/groups/{id}/sessions    live sessions, HTTP Basic auth with agent credentials or
                                   `Authorization: LoginKey <key>` (docs/agent-sign-in.md)
  GET /api/stats                   relayed-frame counters (benchmarks)
  GET /healthz, /readyz, /metrics  liveness, readiness (the backplane, Redis) and Prometheus
                                   metrics (health.py, metrics.py)

and the demo site, the agent console and the bundles at /dist (web.py).
"""

import base64
import logging
import os
import uuid
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from .addresses import client_address
from .backplane import LocalBackplane, RedisBackplane
from . import doc_store, health, metrics, sockets, web
from .config import Settings
from .hub import Hub

log = logging.getLogger("session_server")
CORS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-cache"}


def _group_or_404(settings, request):
    raw = request.path_params["groupid"]   # exact decimal: no sign, no leading zero, ASCII digits only
    if not raw.isascii() or not raw.isdigit() or raw[0] == "0" or len(raw) > 15:
        return None
    return settings.groups.get(int(raw))


def create_app(settings=None):
    settings = settings or Settings.from_env()
    if settings.redis_url:
        bp = RedisBackplane(settings.redis_url, uuid.uuid4().hex[:12])
    else:
        bp = LocalBackplane()
    hub = Hub(settings, bp)
    metrics.watch_hub(hub)

    async def public(request):
        g = _group_or_404(settings, request)
        if g is None:
            return JSONResponse({"error": "unknown group"}, status_code=404, headers=CORS)
        return JSONResponse(g.public(), headers=CORS)

    async def sessions(request):
        g = _group_or_404(settings, request)
        if g is None:
            return JSONResponse({"error": "unknown group"}, status_code=404)
        auth = request.headers.get("authorization", "")
        user = pw = key = None
        if auth[:6].lower() == "basic ":
            try:
                user, _, pw = base64.b64decode(auth[6:]).decode("utf-8").partition(":")
            except Exception:
                pass
        elif auth[:9].lower() == "loginkey ":
            key = auth[9:].strip()
        addr = client_address(request.client.host if request.client else None,
                              request.headers.get("x-forwarded-for"), settings.trusted_proxies)
        profile, err, wait = (None, ("unauthorized", ""), 0) if user is None and key is None else \
            await hub.sign_in(g, user, pw, addr, key)
        if wait:
            return JSONResponse({"error": "too many failed sign-ins for this agent or address", "code": "rate_limited",
                                 "retry_after": int(wait) + 1}, status_code=429,
                                headers={"Retry-After": str(int(wait) + 1)})
        if profile is None:
            return JSONResponse({"error": "agent credentials for this group are required (HTTP Basic, or "
                                 "Authorization: LoginKey <key>)" + (": " + err[1] if err[1] else ""),
                                 "code": err[0], "reason": err[1]},
                                status_code=401, headers={"WWW-Authenticate": 'Basic realm="cobrowse"'})
        return JSONResponse({"groupid": g.groupid, "agent": {"username": profile["username"], "name": profile["name"]},
                             "sessions": await hub.live_sessions(g.groupid)})

    async def stats(request):
        return JSONResponse({"sessions": len(hub.sessions), **hub.stats, "pid": os.getpid()})

    async def ws_visitor(ws):   # reached only through an ASGI server's own WebSocket implementation:
        await sockets.serve_asgi(hub, ws, "visitor")   # `python -m session_server` serves these paths itself

    async def ws_agent(ws):
        await sockets.serve_asgi(hub, ws, "agent")

    routes = [
        WebSocketRoute("/ws/visitor", ws_visitor),
        WebSocketRoute("/ws/agent", ws_agent),
        Route("/api/groups/{groupid}/public", public),
        Route("/api/groups/{groupid}/sessions", sessions),
        Route("/api/stats", stats),
    ]
    routes += doc_store.routes(hub)
    routes += health.routes(hub)
    routes += list(web.routes(settings))

    @asynccontextmanager
    async def lifespan(app):
        await bp.start()
        try:
            yield
        finally:
            await bp.close()
            hub.auth.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.hub = hub
    app.state.settings = settings
    return app
