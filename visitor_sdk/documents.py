"""Document sharing, both ways, and the SDK's document viewer.

Browser shell around doc_rules (the checks) and offers.Offer (consent).
Files travel over HTTP through the session service (session_server/doc_store.py),
not inside frames.

Agent -> visitor: agent action `docshare {name, url, size?}`. The name, URL
and size are checked, the file is fetched and checked again (at most 5 MB,
the first bytes must match pdf/xlsx/xls/csv); then `agentdocshare {name}`
fires, the viewer opens and `documentviewed {name, agentselected: true}`
fires (the agents are told `documentviewed`). The viewer's Download link
fires `visitordownload {name, agentselected: true}`. A refused document
opens nothing; the agents get `docshareerror {name, reason}`.

Visitor -> agent: agent action `docsharerequest` (the service adds a
one-time upload ticket) fires `docsharerequested {accept, decline}`;
decline() gives `docsharestatus {status: 'declined'}`, accept() gives
`docsharestatus {status: 'accepted'}` and opens the file picker (the hidden
input `#glance-doc-input`; `pick_file()` opens it again). A picked file is
checked (a refusal shows a notice with "Choose another file" and tells the
agents `docshareerror`); an accepted one opens the viewer with
`documentviewed {name, visitorselected: true}`, fires `docsharestatus
{status: 'started'}` and is uploaded; the agents then get `visitordocument
{name, size, url}`. When an agent downloads it, the service sends agent
action `agentdownload {name}` and the page fires `agentdownload {name}`.

A click on a link to a PDF or CSV document during a session fires
`documentviewed {url}` (the agents are told the same; document_links.py, which
runs from the session's start while this module is fetched on first use).
"""

import javascript
from browser import document, window

from . import doc_rules, log
from .features import Feature
from .jsconv import guarded as _guard, is_absent as _none, to_js
from .offers import Offer
from .ui import element

VIEWER_ID = "glance-doc-viewer"
INPUT_ID = "glance-doc-input"
PREVIEW_CHARS = 4000
VIEWER_STYLE = ("position:fixed;z-index:2147483646;left:50%;top:8%;transform:translate(-50%,0);width:min(640px,92vw);"
                "max-height:80vh;overflow:auto;background:#fff;color:#111;border:1px solid #666;border-radius:8px;"
                "padding:16px;font:14px/1.4 sans-serif;box-shadow:0 6px 30px rgba(0,0,0,.35)")


def _service_base(config):
    base = config.get("ws") or ""
    if base.startswith("ws"):
        base = "http" + base[2:]
    return base.rstrip("/")


def _head_bytes(blob, done):
    """Call done(list of ints) with the first doc_rules.HEAD_BYTES bytes of a Blob/File."""
    def got(buf):
        arr = window.Uint8Array.new(buf)
        done([arr[i] for i in range(arr.length)])

    def failed(err):
        done(None)
    blob.slice(0, doc_rules.HEAD_BYTES).arrayBuffer().then(_guard("read document", got), failed)


class Viewer:
    """The document viewer overlay (one at a time, Escape or Close hides it). Escape
    works with the focus anywhere in the page (a PDF takes the focus once it has
    loaded: a click in the page brings it back), unless the page handled it."""

    def __init__(self):
        self.box = None
        self.page_keys = None
        self.object_url = None
        self.status = None
        self.returns_to = None

    def close(self, *args):
        if self.box is not None and not _none(self.box.parentNode):
            self.box.parentNode.removeChild(self.box)
        self.box = None
        if self.page_keys is not None:
            document.removeEventListener("keydown", self.page_keys)
            self.page_keys = None
        if self.object_url is not None:
            window.URL.revokeObjectURL(self.object_url)
            self.object_url = None
        back = self.returns_to
        self.returns_to = None
        if back is not None and not _none(back) and hasattr(back, "focus"):
            try:
                back.focus()
            except Exception:
                pass

    def open(self, title, note, actions=()):
        """Open the viewer with a title, a note and buttons/links [(element)]; returns the content div."""
        self.close()
        self.returns_to = document.activeElement
        box = element("div", id=VIEWER_ID, role="dialog", aria_modal="false", aria_labelledby=VIEWER_ID + "-title")
        box.className = "glance-doc-viewer"
        box.style.cssText = VIEWER_STYLE
        h = element("h2", title, id=VIEWER_ID + "-title")
        h.style.cssText = "margin:0 0 8px;font-size:18px;word-break:break-all"
        box.appendChild(h)
        self.status = element("p", note, id=VIEWER_ID + "-status", role="status", aria_live="polite")
        box.appendChild(self.status)
        content = element("div")
        content.className = "glance-doc-content"
        box.appendChild(content)
        bar = element("div")
        bar.style.cssText = "margin-top:12px;display:flex;gap:8px;flex-wrap:wrap"
        for a in actions:
            bar.appendChild(a)
        close = element("button", "Close", type="button", id=VIEWER_ID + "-close")
        close.addEventListener("click", _guard("viewer close", self.close))
        bar.appendChild(close)
        box.appendChild(bar)

        def key(ev):
            if ev.key == "Escape":
                ev.stopPropagation()
                self.close()
        box.addEventListener("keydown", _guard("viewer key", key))

        def page_key(ev):
            if ev.key == "Escape" and not ev.defaultPrevented and self.box is box:
                self.close()
        self.page_keys = _guard("viewer page key", page_key)
        document.addEventListener("keydown", self.page_keys)
        document.body.appendChild(box)
        self.box = box
        close.focus()
        return content

    def say(self, text):
        if self.status is not None:
            self.status.textContent = text

    def preview(self, content, name, blob, url):
        """Show the document itself: PDFs in an iframe, CSVs as text, spreadsheets as a file card."""
        ext = doc_rules.extension(name)
        if ext == "pdf":
            frame = element("iframe", title="Document " + name, src=url)
            frame.style.cssText = "width:100%;height:50vh;border:1px solid #ccc"
            content.appendChild(frame)
        elif ext == "csv":
            pre = element("pre", aria_label="Contents of " + name)
            pre.style.cssText = "max-height:40vh;overflow:auto;background:#f6f6f6;padding:8px;white-space:pre-wrap"
            content.appendChild(pre)

            def show(text):
                pre.textContent = text[:PREVIEW_CHARS]
            blob.slice(0, PREVIEW_CHARS * 4).text().then(_guard("csv preview", show), lambda err: None)
        else:
            content.appendChild(element("p", "Spreadsheet, " + str(int(blob.size)) + " bytes. Download it to open it."))


class Documents(Feature):
    """docshare, docsharerequest, agentdownload and document links (feature_set.install creates it)."""

    def __init__(self, visitor, config):
        Feature.__init__(self, visitor, config)
        self.viewer = Viewer()
        self.request = None      # {"ticket", "path", "ref"} of an accepted docsharerequest awaiting a file
        self.offers = []
        self.input = None
        visitor.documents = self

    def actions(self):
        return {"docshare": _guard("docshare", self._on_docshare),
                "docsharerequest": _guard("docsharerequest", self._on_docsharerequest),
                "agentdownload": _guard("agentdownload", self._on_agentdownload)}

    def session_ended(self, reason):
        for o in self.offers:
            o.withdraw()
        self.offers = []
        self.request = None

    # --- agent -> visitor ---------------------------------------------------------
    def _refuse(self, name, reason, ref):
        log.warn_once("docshare:" + reason, "refused a shared document: " + reason)
        self.visitor.tell_agents("docshareerror", {"name": name if isinstance(name, str) else "", "reason": reason},
                                 ref=ref)

    def _on_docshare(self, payload, frame):
        payload = payload if isinstance(payload, dict) else {}
        ref = frame.get("id") if isinstance(frame, dict) else None
        name, url, size = payload.get("name"), payload.get("url"), payload.get("size")
        problem = doc_rules.name_problem(name) or doc_rules.url_problem(url)
        if problem is None and size is not None:
            problem = doc_rules.size_problem(size)
        if problem:
            self._refuse(name, problem, ref)
            return
        href = str(window.URL.new(url, window.location.href).href)

        def fetched(resp):
            if not resp.ok:
                self._refuse(name, "the document could not be fetched (HTTP " + str(resp.status) + ")", ref)
                return
            length = resp.headers.get("content-length")
            if not _none(length) and str(length).isdigit() and int(str(length)) > doc_rules.MAX_BYTES:
                self._refuse(name, doc_rules.size_problem(int(str(length))), ref)
                return
            resp.blob().then(_guard("docshare blob", lambda blob: self._check_blob(name, blob, ref)), failed)

        def failed(err):
            self._refuse(name, "the document could not be fetched: " + str(err), ref)
        window.fetch(href, to_js({"credentials": "omit"})).then(_guard("docshare fetch", fetched), failed)

    def _check_blob(self, name, blob, ref):
        problem = doc_rules.size_problem(blob.size)
        if problem:
            self._refuse(name, problem, ref)
            return

        def checked(head):
            p = doc_rules.content_problem(name, head) if head is not None else "the document could not be read"
            if p:
                self._refuse(name, p, ref)
            else:
                self._show_agent_doc(name, blob, ref)
        _head_bytes(blob, checked)

    def _show_agent_doc(self, name, blob, ref):
        typed = window.Blob.new(to_js([blob]), to_js({"type": doc_rules.mime_type(name)}))
        url = window.URL.createObjectURL(typed)
        self.visitor.emit("agentdocshare", {"name": name})
        link = document.createElement("a")
        link.id = VIEWER_ID + "-download"
        link.textContent = "Download " + name
        link.setAttribute("href", url)
        link.setAttribute("download", name)

        def downloaded(ev):
            self.visitor.emit("visitordownload", {"name": name, "agentselected": True})
            self.visitor.tell_agents("visitordownload", {"name": name, "agentselected": True}, ref=ref)
        link.addEventListener("click", _guard("visitordownload", downloaded))
        content = self.viewer.open(name, "The agent shared this document with you.", [link])
        self.viewer.object_url = url
        self.viewer.preview(content, name, typed, url)
        self.visitor.emit("documentviewed", {"name": name, "agentselected": True})
        self.visitor.tell_agents("documentviewed", {"name": name, "agentselected": True}, ref=ref)

    def _on_agentdownload(self, payload, frame):
        name = payload.get("name") if isinstance(payload, dict) else None
        if not isinstance(name, str):
            return
        self.visitor.emit("agentdownload", {"name": name})
        self.viewer.say("The agent downloaded " + name + ".")

    # --- visitor -> agent ---------------------------------------------------------
    def _on_docsharerequest(self, payload, frame):
        payload = payload if isinstance(payload, dict) else {}
        ref = frame.get("id") if isinstance(frame, dict) else None
        upload = payload.get("upload")
        if not isinstance(upload, dict) or not isinstance(upload.get("ticket"), str):
            self._refuse(None, "the request carries no upload ticket (is the session service current?)", ref)
            return

        def accepted(*args):
            self.request = {"ticket": upload["ticket"], "path": upload.get("path") or "/api/docs", "ref": ref}
            self._status("accepted", ref)
            self.pick_file()

        def declined(*args):
            self._status("declined", ref)
        offer = Offer(_guard("docsharerequest accept", accepted), _guard("docsharerequest decline", declined))
        self.offers = [o for o in self.offers if o.pending] + [offer]
        self.visitor.emit("docsharerequested", offer.callbacks())

    def _status(self, status, ref):
        self.visitor.emit("docsharestatus", {"status": status})
        self.visitor.tell_agents("docsharestatus", {"status": status}, ref=ref)

    def _file_input(self):
        if self.input is None or _none(self.input.parentNode):
            el = document.createElement("input")
            el.setAttribute("type", "file")
            el.setAttribute("id", INPUT_ID)
            el.setAttribute("accept", doc_rules.ACCEPT)
            el.setAttribute("aria-label", "Choose a document to share with the agent")
            el.setAttribute("tabindex", "-1")
            el.style.cssText = "position:fixed;left:-9999px;width:1px;height:1px;opacity:0"
            el.addEventListener("change", _guard("document picked", self._picked))
            document.body.appendChild(el)
            self.input = el
        return self.input

    def pick_file(self):
        """Open the file picker for an accepted request (call it from a click handler). False when no
        request is waiting for a file."""
        if self.request is None:
            return False
        el = self._file_input()
        el.value = ""
        el.click()
        return True

    def _picked(self, ev):
        files = self.input.files
        if self.request is None or _none(files) or files.length == 0:
            return
        file = files.item(0)
        name, size = str(file.name), file.size
        problem = doc_rules.name_problem(name) or doc_rules.size_problem(size)
        if problem:
            self._refuse_pick(name, problem)
            return

        def checked(head):
            p = doc_rules.content_problem(name, head) if head is not None else "the file could not be read"
            if p:
                self._refuse_pick(name, p)
            else:
                self._send(file, name)
        _head_bytes(file, checked)

    def _refuse_pick(self, name, reason):
        ref = self.request["ref"] if self.request else None
        self._refuse(name, reason, ref)
        again = document.createElement("button")
        again.setAttribute("type", "button")
        again.id = VIEWER_ID + "-again"
        again.textContent = "Choose another file"
        again.addEventListener("click", _guard("choose again", lambda ev: self.pick_file()))
        self.viewer.open(name, "This file cannot be shared: " + reason + ". Only " + doc_rules.TYPES_TEXT
                         + " files up to 5 MB can be shared.", [again])

    def _send(self, file, name):
        req = self.request
        self.request = None
        url = window.URL.createObjectURL(file)
        content = self.viewer.open(name, "Sending this document to the agent\u2026")
        self.viewer.object_url = url
        self.viewer.preview(content, name, file, url)
        self.visitor.emit("documentviewed", {"name": name, "visitorselected": True})
        self._status("started", req["ref"])
        target = (_service_base(self.config) + req["path"] + "?name=" + str(window.encodeURIComponent(name))
                  + "&ticket=" + str(window.encodeURIComponent(req["ticket"])))

        def answered(resp):
            def body(info):
                if resp.status == 201:
                    self.viewer.say("The agent received " + name + ".")
                    self.visitor.tell_agents("visitordocument", {"name": name, "size": info.size,
                                                                 "url": _service_base(self.config) + str(info.url)},
                                             ref=req["ref"])
                else:
                    reason = str(info.error) if not _none(info) and hasattr(info, "error") else "upload refused"
                    self.viewer.say("The document could not be sent: " + reason)
                    self._refuse(name, reason, req["ref"])
            resp.json().then(_guard("upload answer", body), lambda err: body(javascript.NULL))

        def failed(err):
            self.viewer.say("The document could not be sent.")
            self._refuse(name, "the upload failed: " + str(err), req["ref"])
        window.fetch(target, to_js({"method": "POST", "body": file, "credentials": "omit",
                                    "headers": {"Content-Type": "application/octet-stream"}})) \
            .then(_guard("upload", answered), failed)
