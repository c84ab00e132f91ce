"""The service's own HTTP endpoints for operators (load balancers, orchestrators, Prometheus).

`routes(hub)` returns them; session_server/app.py mounts them whether or not the
demo site is served:

  GET /healthz   200 "ok" while the process serves HTTP (liveness: restart the node when it fails)
  GET /readyz    200 "ready", or 503 "not ready: <why>" while the backplane is not usable (Redis
                 down or unreachable, or the backplane still starting): a proxy sends no new
                 connections to this node meanwhile. Asks `await backplane.ready()` when the
                 backplane has it (the Redis backplane pings Redis), within READY_TIMEOUT seconds.
  GET /metrics   Prometheus text format (session_server/metrics.py)
"""

import asyncio
import logging

from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from . import metrics

log = logging.getLogger("session_server.health")
READY_TIMEOUT = 2.0   # seconds /readyz waits for the backplane's answer
NO_STORE = {"Cache-Control": "no-store"}


async def backplane_ready(hub):
    """(ready, reason): asks the hub's backplane; one without ready() is always ready (LocalBackplane)."""
    backplane = getattr(hub, "backplane", None) or getattr(hub, "bp", None)
    check = getattr(backplane, "ready", None)
    if check is None:
        return True, ""
    try:
        ok = await asyncio.wait_for(check(), READY_TIMEOUT)
    except asyncio.TimeoutError:
        return False, "the backplane did not answer within %g s" % READY_TIMEOUT
    except Exception as exc:   # a broken connection is an answer: not ready
        return False, "the backplane failed: %s" % (str(exc)[:200] or type(exc).__name__)
    return (True, "") if ok else (False, "the backplane (Redis) is not reachable")


def routes(hub):
    """/healthz, /readyz and /metrics for this hub."""
    async def healthz(request):
        return PlainTextResponse("ok", headers=NO_STORE)

    was_ready = [True]

    async def readyz(request):
        ok, why = await backplane_ready(hub)
        if ok != was_ready[0]:   # one line per change, not one per probe
            was_ready[0] = ok
            if ok:
                log.warning("ready again")
            else:
                log.warning("not ready: %s", why)
        if ok:
            return PlainTextResponse("ready", headers=NO_STORE)
        return PlainTextResponse("not ready: " + why, status_code=503, headers=NO_STORE)

    async def metrics_page(request):
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type, headers=NO_STORE)

    return [Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics_page)]
