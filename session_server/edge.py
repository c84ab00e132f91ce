"""The edge of the service: what is checked about a connection before the hub sees it.

- `guarded_http(limits)`: uvicorn's HTTP protocol class with a handshake
  timeout: a connection whose first request (or WebSocket upgrade request)
  is not complete `handshake_timeout` seconds after it opened is closed.
  uvicorn itself has no such timer (its keep-alive timer starts only after a
  response), so half-open handshakes would stay open for ever.
- `agent_origin_allowed(settings, origin, host)`: which pages may open
  /ws/agent (the service's own console, COBROWSE_AGENT_ORIGINS).
- `SocketBudget`: bytes and frames per second of one socket.

Called by sockets.py (the WebSocket layer) and __main__.py (uvicorn's `http=`).
"""

import asyncio

from visitor_sdk.origins import origin_allowed, parse_origin

from .ratelimit import TokenBucket


def guarded_http(limits):
    """uvicorn's `http=` class: httptools' protocol (else h11's) with the handshake timeout."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as Base
    except ImportError:   # httptools not installed
        from uvicorn.protocols.http.h11_impl import H11Protocol as Base

    class GuardedHttp(Base):
        def connection_made(self, transport):
            super().connection_made(transport)
            self._guard = asyncio.get_running_loop().call_later(limits.handshake_timeout, self._handshake_due)

        def _handshake_due(self):
            # still this protocol (not upgraded to a WebSocket) and no request ever completed its headers
            if self.transport.get_protocol() is self and self.cycle is None and not self.transport.is_closing():
                self.transport.close()

        def _unguard(self):
            g = getattr(self, "_guard", None)
            if g is not None:
                g.cancel()   # a timer left pending would keep this protocol (and its connection) alive
                self._guard = None

        def handle_websocket_upgrade(self, *args):
            self._unguard()
            return super().handle_websocket_upgrade(*args)

        def on_headers_complete(self):
            self._unguard()
            return super().on_headers_complete()

        def connection_lost(self, exc):
            self._unguard()
            super().connection_lost(exc)

    return GuardedHttp


def header(request, name):
    v = request.headers.get(name)
    return v if isinstance(v, str) else None


def own_origin(origin, host):
    """True when `origin` names the host (and port) this request was sent to (`Host` header):
    the service's own pages, such as its agent console, whatever scheme a proxy in front ended."""
    try:
        scheme, ohost, oport = parse_origin(origin)
        if not host:
            return False
        h, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
        if not h or not port.isdigit():
            h, port = host, ""
        return ohost == h.lower() and (oport == int(port) if port else oport == DEFAULT_PORTS.get(scheme))
    except Exception:
        return False


DEFAULT_PORTS = {"http": 80, "https": 443}


def agent_origin_allowed(settings, origin, host):
    """/ws/agent: no Origin (not a browser page), the service's own origin, or COBROWSE_AGENT_ORIGINS."""
    if origin is None:
        return True
    return own_origin(origin, host) or origin_allowed(origin, settings.agent_origins)


class SocketBudget:
    """Bytes and frames per second of one socket (two ratelimit.TokenBuckets). `mode(live)` picks the
    visitor-alone or the live rates; `take(n)` answers the seconds to stop reading (0.0: go on)."""

    __slots__ = ("limits", "live", "bytes", "frames", "over_since")

    def __init__(self, limits, live, clock):
        self.limits = limits
        self.live = None
        self.bytes = TokenBucket(1, 1, clock)
        self.frames = TokenBucket(1, 1, clock)
        self.over_since = None
        self.mode(live)

    def mode(self, live):
        if live is self.live:
            return
        L = self.limits
        self.live = live
        self.bytes.rate, self.bytes.burst = ((L.live_bytes_per_s, L.live_burst_bytes) if live
                                             else (L.visitor_bytes_per_s, L.visitor_burst_bytes))
        self.frames.rate, self.frames.burst = ((L.live_frames_per_s, L.live_burst_frames) if live
                                               else (L.visitor_frames_per_s, L.visitor_burst_frames))
        self.bytes.tokens = min(self.bytes.tokens, self.bytes.burst)
        self.frames.tokens = min(self.frames.tokens, self.frames.burst)

    def take(self, nbytes, nframes, now):
        """Spend `nbytes` bytes read and `nframes` frames; the seconds to pause reading (0.0: none)."""
        wait = max(self.bytes.take(nbytes) if nbytes else 0.0, self.frames.take(nframes) if nframes else 0.0)
        if wait <= 0:
            self.over_since = None
        elif self.over_since is None:
            self.over_since = now
        return wait

    def over_for(self, now):
        return 0.0 if self.over_since is None else now - self.over_since
