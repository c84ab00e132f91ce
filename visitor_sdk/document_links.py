"""Clicks on links to documents during a session (feature_set.install creates it).

A click on a link to a PDF or CSV document while the page is in a session fires
`documentviewed {url}` on the page and tells the agents the same; the link
opens as usual. This is the part of documents that runs from the session's
start; the rest (docshare, docsharerequest, agentdownload: documents.py) is
fetched on the first of those agent actions (lazy_parts.py).
"""

from browser import document

from . import doc_rules
from .features import Feature
from .jsconv import guarded as _guard, is_absent as _none


class DocumentLinks(Feature):
    """Listens for clicks on document links from the first session of the page on."""

    def __init__(self, visitor, config):
        Feature.__init__(self, visitor, config)
        self.listening = False

    def session_opened(self, resumed):
        if not self.listening:
            self.listening = True
            document.addEventListener("click", _guard("document link", self._on_click), True)

    def _on_click(self, ev):
        if not self.visitor.in_session():
            return
        target = ev.target
        if _none(target) or not hasattr(target, "closest"):
            return
        try:
            a = target.closest("a[href]")
        except KeyError:      # Brython's closest() raises where the DOM's returns null: a click outside a link
            return
        if _none(a):
            return
        href = str(a.href)
        if doc_rules.is_document_link(href):
            self.visitor.emit("documentviewed", {"url": href})
            self.visitor.tell_agents("documentviewed", {"url": href})
