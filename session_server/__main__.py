"""`cobrowse-server` (installed) or `python -m session_server` (a checkout): the session service.

--workers: processes sharing the port (SO_REUSEPORT, session_server/workers.py), joined through
Redis; by default one per core with a Redis URL, one without (deploy/README.md).

`cobrowse-server --help` lists the flags (--host, --port, --redis-url, --groups,
--demo, --log-format, --node-id, ...). Environment: PORT, REDIS_URL, COBROWSE_GROUPS,
COBROWSE_RECONNECT_WINDOW, COBROWSE_NODE_ID, COBROWSE_SECRET or COBROWSE_SECRET_FILE
(flags win over the environment).
Without a signing secret the service refuses to start (one line on stderr,
exit status 2) unless --demo: then tokens are signed with a random key of
this process. Agents and passwords: `python -m session_server.agents`.
"""

import argparse
import gc
import os
import sys

import uvicorn

from . import log_format, metrics, sockets, workers
from .app import create_app
from .edge import guarded_http
from .config import ConfigError, Settings

GC_YOUNG = 10000   # allocations (net) between young collections; CPython's default is 700


def main(argv=None):
    installed = os.path.basename(sys.argv[0]).startswith("cobrowse-server")   # the console script
    prog = "cobrowse-server" if installed else "python -m session_server"
    ap = argparse.ArgumentParser(prog=prog, description="cobrowse session service")
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on; default 127.0.0.1 (0.0.0.0: all)")
    ap.add_argument("--port", type=int, default=None, help="default: $PORT or 8000")
    ap.add_argument("--redis-url", default=None, help="default: $REDIS_URL; without it, one process, no Redis")
    ap.add_argument("--groups", default=None, help="group TOML file; default: $COBROWSE_GROUPS or the demo file")
    ap.add_argument("--reconnect-window", type=float, default=None, help="seconds; default 30")
    ap.add_argument("--ws", default="lean", help="WebSocket implementation: lean (default: the service's own, "
                    "session_server/sockets.py) or one of uvicorn's (websockets, websockets-sansio, wsproto)")
    ap.add_argument("--workers", type=int, default=None, help="worker processes sharing the port (SO_REUSEPORT), "
                    "joined through Redis; default: the core count with --redis-url, else 1 (without Redis "
                    "one process serves everything)")
    ap.add_argument("--log-level", default="warning", help="debug, info (one line per request), warning "
                    "(default), error")
    ap.add_argument("--log-format", default="text", choices=log_format.FORMATS,
                    help="text (default) or json: one JSON object a line on stderr")
    ap.add_argument("--node-id", default=None, help="this node's name in /metrics and json logs; "
                    "default: $COBROWSE_NODE_ID or hostname:pid")
    ap.add_argument("--demo", action="store_true", help="a throwaway demo: without COBROWSE_SECRET, sign tokens "
                    "with a random key of this process (they do not survive a restart; not with --redis-url)")
    args = ap.parse_args(argv)
    metrics.set_node(args.node_id or os.environ.get("COBROWSE_NODE_ID"))
    log_format.configure(args.log_level, args.log_format, metrics.node)
    try:
        settings = Settings.from_env(demo=args.demo, host=args.host, port=args.port, redis_url=args.redis_url,
                                     groups_path=args.groups, reconnect_window=args.reconnect_window)
    except (ConfigError, ValueError) as exc:
        print("session_server: " + str(exc), file=sys.stderr)
        return 2
    count = args.workers if args.workers is not None else workers.default_count(settings.redis_url)
    if count > 1 and not settings.redis_url:
        print("session_server: --workers %d needs --redis-url (the workers share sessions through Redis)" % count,
              file=sys.stderr)
        return 2
    return workers.serve(count, settings.host, settings.port, lambda sock: _run(args, settings, sock))


def _run(args, settings, sock):
    """One process of the service, serving on the bound socket `sock`."""
    app = create_app(settings)
    ws = sockets.protocol_factory(app.state.hub) if args.ws == "lean" else args.ws
    # The collector: what exists now (modules, classes, functions: ~50,000 objects) is never
    # garbage, so full collections skip it; and young collections run less often (each one
    # scans only what is still alive, so its cost does not grow with the threshold).
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, 20, 10)
    config = uvicorn.Config(app, log_level=args.log_level, http=guarded_http(settings.limits), ws=ws,
                            ws_max_size=settings.limits.frame_bytes + 4 * 1024, lifespan="on",
                            log_config=log_format.uvicorn_log_config(args.log_format))
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
