"""Documents shared in a session, both ways, over HTTP beside the WebSocket.

Frames are limited to 256 KB and the SDK keeps unacknowledged frames in
sessionStorage, so files do not travel inside frames: they are uploaded to
the session service and fetched from it. `DocStore` holds them in this
process's memory, per session, until the session ends (or DOC_TTL passes);
`routes(hub)` gives the HTTP endpoints that session_server.app mounts:

  POST /api/docs?name=<file name>      upload (body: the raw file bytes)
       Authorization: Bearer <agent resume token>   an agent shares a document
       or ?ticket=<upload ticket>                   the visitor answers a docsharerequest
                                                    (the hub puts a one-time ticket in it)
       -> 201 {"id", "name", "size", "type", "url": "/api/docs/<id>/<name>"}
       400/401/403/413/415 {"error": "..."} otherwise
  GET  /api/docs/<id>/<name>
       an agent's document: anyone holding the URL (an unguessable capability; the visitor's page fetches it)
       a visitor's document: agents of that session only (Bearer agent resume token); the
       visitor's page then gets agent_action `agentdownload {name}` (the `agentdownload` event)

Every upload is checked with visitor_sdk.doc_rules (pdf, xlsx, xls, csv; at
most 5 MB; the first bytes must match the type). With several nodes (a
durable backplane: Redis) every document is also written to Redis before
the upload is answered, and any node fetches it from there (`ensure`), so
/api/docs/* may reach any node; upload tickets are used once across nodes.
"""

import base64
import collections
import json
import secrets
import time
from urllib.parse import quote

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from visitor_sdk import doc_rules

from .addresses import client_address

DOC_TTL = 3600                  # seconds a document is kept at most
MAX_TOTAL = 256 * 1024 * 1024   # bytes of documents this node keeps; the oldest go first
MAX_PER_SESSION = 20
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Authorization, Content-Type",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS", "Access-Control-Max-Age": "600"}


class DocStore:
    """Shared documents of this node: id -> {id, sid, owner, name, type, size, data, created}."""

    max_bytes = doc_rules.MAX_BYTES

    def __init__(self, max_total=MAX_TOTAL, per_session=MAX_PER_SESSION, ttl=DOC_TTL):
        self.docs = collections.OrderedDict()
        self.total = 0
        self.max_total = max_total
        self.per_session = per_session
        self.ttl = ttl
        self.used_tickets = collections.OrderedDict()
        self.shared = None   # a durable backplane (Redis): documents and ticket uses shared by every node

    async def persist(self, doc):
        """With a shared store, write the document there (call before answering the upload)."""
        if self.shared is not None:
            meta = {k: v for k, v in doc.items() if k != "data"}
            meta["data"] = base64.b64encode(doc["data"]).decode("ascii")
            await self.shared.wire.call("SET", "cb:doc:" + doc["id"], json.dumps(meta), "EX", int(self.ttl))

    async def ensure(self, doc_id):
        """With a shared store, fetch a document this node does not hold (uploaded through another node)."""
        if self.shared is None or not doc_id or doc_id in self.docs:
            return
        raw = await self.shared.wire.call("GET", "cb:doc:" + doc_id)
        if raw:
            doc = json.loads(raw)
            doc["data"] = base64.b64decode(doc["data"])
            if doc_id not in self.docs:
                self.docs[doc_id] = doc
                self.total += doc["size"]
                self._expire()

    async def ensure_url(self, payload):
        """ensure() the document a visitordocument payload's url names (relay_checks reads it next)."""
        url = payload.get("url") if isinstance(payload, dict) else None
        if isinstance(url, str) and "/api/docs/" in url:
            await self.ensure(url.split("/api/docs/", 1)[1].split("/", 1)[0][:64])

    async def use_ticket_shared(self, ticket_id):
        """use_ticket() across every node when the store is shared."""
        if self.shared is not None:
            return await self.shared.use_once("t" + ticket_id, self.ttl)
        return self.use_ticket(ticket_id)

    def use_ticket(self, ticket_id):
        """True the first time an upload ticket id is used, False after."""
        if ticket_id in self.used_tickets:
            return False
        self.used_tickets[ticket_id] = True
        while len(self.used_tickets) > 100000:
            self.used_tickets.popitem(last=False)
        return True

    def _expire(self):
        now = time.time()
        while self.docs:
            doc = next(iter(self.docs.values()))
            if now - doc["created"] < self.ttl and self.total <= self.max_total:
                break
            self._remove(doc["id"])

    def _remove(self, doc_id):
        doc = self.docs.pop(doc_id, None)
        if doc is not None:
            self.total -= doc["size"]

    def put(self, sid, owner, name, data, origin=None):
        """Keep a checked document; returns its record. `origin`: the host (Host header) the upload
        came to: a visitordocument URL must name it (relay_checks.py)."""
        mine = [d for d in self.docs.values() if d["sid"] == sid]
        if len(mine) >= self.per_session:
            self._remove(mine[0]["id"])
        doc = {"id": secrets.token_urlsafe(18), "sid": sid, "owner": owner, "name": name,
               "type": doc_rules.mime_type(name), "size": len(data), "data": data, "created": time.time(),
               "origin": origin}
        self.docs[doc["id"]] = doc
        self.total += doc["size"]
        self._expire()
        return doc

    def get(self, doc_id):
        self._expire()
        return self.docs.get(doc_id)

    def drop_session(self, sid):
        """The session ended: forget its documents."""
        for doc_id in [d["id"] for d in self.docs.values() if d["sid"] == sid]:
            self._remove(doc_id)


def doc_url(doc):
    return "/api/docs/" + doc["id"] + "/" + quote(doc["name"])


def _error(status, msg):
    return JSONResponse({"error": msg}, status_code=status, headers=CORS)


async def _read_limited(request, limit):
    """The request body, or None when it is longer than `limit` bytes (stops reading there)."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        return None
    chunks, n = [], 0
    async for chunk in request.stream():
        n += len(chunk)
        if n > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def routes(hub):
    """The /api/docs endpoints for `hub` (a session_server.hub.Hub)."""
    store = hub.docs
    flight = {"bytes": 0, "by": {}}   # upload bodies being read: bytes reserved, uploads per address

    def bearer(request):
        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            return None
        tok = hub._untoken(auth[7:].strip())
        return tok if tok and tok.get("r") == "a" else None

    async def live(sid):
        return await hub.bp.get_session(sid) is not None

    async def upload(request):
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=CORS)
        name = request.query_params.get("name")
        ticket = request.query_params.get("ticket")
        if ticket:
            tok = hub._untoken(ticket)
            if not tok or tok.get("r") != "u" or tok.get("x", 0) < time.time():
                return _error(401, "the upload ticket is not valid (or it expired)")
            owner = "visitor"
        else:
            tok = bearer(request)
            if tok is None:
                return _error(401, "an agent resume token (Authorization: Bearer) or an upload ticket is required")
            if tok.get("q") is not None:
                return _error(403, "guests cannot share documents")
            owner = "agent"
        if not await live(tok["s"]):
            return _error(403, "the session is over")
        problem = doc_rules.name_problem(name)
        if problem:
            return _error(415, problem)
        addr = client_address(request.client.host if request.client else None,
                              request.headers.get("x-forwarded-for"), hub.settings.trusted_proxies)
        L = hub.limits
        if (flight["bytes"] + doc_rules.MAX_BYTES > L.upload_bytes_in_flight
                or flight["by"].get(addr, 0) >= L.uploads_per_address):
            return JSONResponse({"error": "too many uploads in flight; try again shortly", "code": "over_budget"},
                                status_code=503, headers=dict(CORS, **{"Retry-After": "2"}))
        flight["bytes"] += doc_rules.MAX_BYTES   # reserved: what this body may grow to
        flight["by"][addr] = flight["by"].get(addr, 0) + 1
        try:
            data = await _read_limited(request, doc_rules.MAX_BYTES)
        finally:
            flight["bytes"] -= doc_rules.MAX_BYTES
            n = flight["by"].pop(addr) - 1
            if n:
                flight["by"][addr] = n
        if data is None:
            return _error(413, doc_rules.size_problem(doc_rules.MAX_BYTES + 1))
        problem = doc_rules.size_problem(len(data)) or doc_rules.content_problem(name, data[:doc_rules.HEAD_BYTES])
        if problem:
            return _error(415 if "empty" not in problem else 400, problem)
        if owner == "visitor" and not await store.use_ticket_shared(tok["i"]):
            return _error(401, "the upload ticket was already used")
        doc = store.put(tok["s"], owner, name, data, origin=request.headers.get("host"))
        await store.persist(doc)
        return JSONResponse({"id": doc["id"], "name": doc["name"], "size": doc["size"], "type": doc["type"],
                             "url": doc_url(doc)}, status_code=201, headers=CORS)

    async def download(request):
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=CORS)
        await store.ensure(request.path_params["doc_id"][:64])
        doc = store.get(request.path_params["doc_id"])
        if doc is None:
            return _error(404, "no such document (it may have expired with its session)")
        tok = None
        if doc["owner"] == "visitor":
            tok = bearer(request)
            if tok is None or tok.get("s") != doc["sid"]:
                return _error(401, "the visitor's documents are for the session's agents (Authorization: Bearer)")
            if tok.get("q") is not None:
                return _error(403, "guests cannot download the visitor's documents")
        headers = dict(CORS)
        headers.update({"Content-Disposition": "attachment; filename*=UTF-8''" + quote(doc["name"]),
                        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})
        resp = Response(doc["data"], media_type=doc["type"], headers=headers)
        if tok is not None:
            s = hub.sessions.get(doc["sid"])
            agent = s.agents.get(tok.get("a")) if s is not None else None
            ref = agent.info["ref"] if agent is not None and agent.info else \
                {"username": tok.get("u"), "puid": tok.get("u"), "num": tok.get("n")}
            await hub.send_to_visitor(doc["sid"], "agentdownload", {"name": doc["name"]}, ref)
        return resp

    return [
        Route("/api/docs", upload, methods=["POST", "OPTIONS"]),
        Route("/api/docs/{doc_id}/{name:path}", download, methods=["GET", "OPTIONS"]),
    ]
