"""Checks on a visitor's events before the service relays them to the session's agents.

A visitor is anonymous: anything in its events that an agent's browser (or the
Python agent client) acts on is checked here. The hub calls
`visitor_event_problem(docs, sid, name, payload)` once per visitor_event,
before relaying it; None lets the event go on, a sentence means the event is
dropped and the visitor gets a (non-fatal) `error bad_frame` with it.

- `visitordocument {name, size, url}`: `url` must be the URL this service
  issued for a document the visitor uploaded to this same session, spelled as
  the visitor's page reaches the service: `<scheme>://<host of the upload>` +
  `/api/docs/<id>/<name>` (doc_store.doc_url). Anything else (another server,
  another session's document, an agent's document, a path with extra parts)
  is refused, so the agent's token is never sent where the visitor chooses.
"""

from urllib.parse import urlsplit

from .doc_store import doc_url

MAX_URL = 2048


def document_url_problem(url, sid, lookup):
    """None when `url` names a visitor document of session `sid`; `lookup(doc_id)` gives a stored
    document record (doc_store.DocStore.get) or None."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        return "visitordocument needs the url the service gave for the upload"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "visitordocument url is not a URL"
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc \
            or parts.query or parts.fragment:
        return "visitordocument url must be the service's own http(s) URL for the document"
    path = parts.path
    if not path.startswith("/api/docs/"):
        return "visitordocument url must be a document URL this service issued (/api/docs/...)"
    doc_id = path[len("/api/docs/"):].split("/", 1)[0]
    doc = lookup(doc_id) if doc_id else None
    if doc is None or doc.get("sid") != sid or doc.get("owner") != "visitor":
        return "visitordocument url does not name a document the visitor uploaded to this session"
    if path != doc_url(doc):
        return "visitordocument url does not match the URL the service issued for the document"
    issued = doc.get("origin")   # the host the upload came to, as its request named it
    if issued and parts.netloc.lower() != issued.lower():
        return "visitordocument url must be on the service the document was uploaded to (%s)" % issued
    return None


def visitor_event_problem(docs, sid, name, payload):
    """None when the visitor event `name` may be relayed to the agents of `sid`, else why not.
    `docs` is the hub's doc_store.DocStore."""
    if name == "visitordocument":
        url = payload.get("url") if isinstance(payload, dict) else None
        return document_url_problem(url, sid, docs.get)
    return None
