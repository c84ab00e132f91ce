"""Serving build/dist/ as a CDN would, and finding a bundle's built name.

`DistFiles(directory)` is the ASGI app session_server.web mounts at /dist:
- the brotli (`name.br`) or gzip (`name.gz`) copy the build wrote beside a
  file when the request's Accept-Encoding allows it (brotli first), else the
  file itself; with Content-Encoding, `Vary: Accept-Encoding`, Content-Type,
  Content-Length and a strong ETag per representation (If-None-Match -> 304);
- `Cache-Control: public, max-age=31536000, immutable` for content-hashed
  names (`glance-cobrowse-runtime.3f9a1c2b.js`: a new build gives a new
  name), `public, max-age=300` (STABLE_MAX_AGE) for the rest, above all the
  loader `glance-cobrowse.js`, which names the hashed files of its release;
- `Access-Control-Allow-Origin: *` (a tag with `integrity=` and
  `crossorigin="anonymous"` fetches the loader with CORS) and
  `Cross-Origin-Resource-Policy: cross-origin`.
Only flat file names are served (no sub-directories, no dot files); the
`.br`/`.gz` copies are not served under their own names.

`dist_name(logical)` is the name a file was built under, read from
build/dist/manifest.json: call it wherever code or a test names a bundle by
its logical name ("glance-cobrowse-runtime.js").
"""

import hashlib
import json
import mimetypes
import os
import re

from .resources import DIST   # the installed package's dist/, or the checkout's build/dist/
IMMUTABLE = "public, max-age=31536000, immutable"
STABLE_MAX_AGE = 300   # seconds a browser or CDN may keep the loader before asking again
HASHED = re.compile(r"^.+\.[0-9a-f]{8}\.[A-Za-z0-9]+$")   # build/delivery.py: HASH_LEN 8
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
TYPES = {".js": "text/javascript; charset=utf-8", ".json": "application/json",
         ".ts": "text/plain; charset=utf-8", ".map": "application/json"}
COPIES = ((".br", "br"), (".gz", "gzip"))


def manifest(directory=DIST):
    """build/dist/manifest.json as a dict (the build writes it)."""
    with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def dist_name(logical, directory=DIST):
    """The file name `logical` ("glance-cobrowse-runtime.js") was built under."""
    return manifest(directory)["files"][logical]


def accepted(header):
    """The content codings an Accept-Encoding header value accepts (q > 0), lower-cased."""
    out, refused = set(), set()
    for part in (header or "").split(","):
        bits = part.strip().split(";")
        coding = bits[0].strip().lower()
        if not coding:
            continue
        q = 1.0
        for param in bits[1:]:
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        (out if q > 0 else refused).add(coding)
    if "*" in out:
        out |= {c for _, c in COPIES} - refused
    return out


def content_type(name):
    ext = os.path.splitext(name)[1].lower()
    return TYPES.get(ext) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def cache_control(name):
    """Cache-Control for a file of build/dist/ named `name`."""
    return IMMUTABLE if HASHED.match(name) else "public, max-age=%d" % STABLE_MAX_AGE


class DistFiles:
    """ASGI app serving a build/dist/ directory (see the module docstring)."""

    def __init__(self, directory=DIST):
        self.directory = directory
        self._cache = {}   # path -> ((mtime_ns, size), bytes, etag)

    def _read(self, path):
        st = os.stat(path)
        key = (st.st_mtime_ns, st.st_size)
        hit = self._cache.get(path)
        if hit and hit[0] == key:
            return hit[1], hit[2]
        with open(path, "rb") as f:
            data = f.read()
        etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
        if len(self._cache) > 64:
            self._cache.clear()
        self._cache[path] = (key, data, etag)
        return data, etag

    def choose(self, name, accept_encoding):
        """(path, Content-Encoding or None) of the representation to send, or None."""
        if not SAFE_NAME.match(name) or name.endswith((".br", ".gz")):
            return None
        path = os.path.join(self.directory, name)
        if not os.path.isfile(path):
            return None
        ok = accepted(accept_encoding)
        for suffix, coding in COPIES:
            if coding in ok and os.path.isfile(path + suffix):
                return path + suffix, coding
        return path, None

    async def __call__(self, scope, receive, send):
        assert scope["type"] == "http"
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path, root = scope["path"], scope.get("root_path", "")
        name = (path[len(root):] if root and path.startswith(root) else path).lstrip("/")
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            return await self._plain(send, 405, b"method not allowed", [(b"allow", b"GET, HEAD")])
        chosen = self.choose(name, headers.get("accept-encoding", ""))
        if chosen is None:
            return await self._plain(send, 404, b"not found")
        path, coding = chosen
        data, etag = self._read(path)
        out = [(b"content-type", content_type(name).encode()),
               (b"cache-control", cache_control(name).encode()),
               (b"vary", b"Accept-Encoding"),
               (b"etag", etag.encode()),
               (b"access-control-allow-origin", b"*"),
               (b"cross-origin-resource-policy", b"cross-origin"),
               (b"x-content-type-options", b"nosniff")]
        if coding:
            out.append((b"content-encoding", coding.encode()))
        inm = headers.get("if-none-match")
        if inm and (inm.strip() == "*" or etag in [t.strip() for t in inm.split(",")]):
            await send({"type": "http.response.start", "status": 304, "headers": out})
            return await send({"type": "http.response.body", "body": b""})
        out.append((b"content-length", str(len(data)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": out})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else data})

    @staticmethod
    async def _plain(send, status, body, extra=()):
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())] + list(extra)})
        await send({"type": "http.response.body", "body": body})
