"""Browser WebSocket shell between the Visitor core and the session service.

`connector(config)` returns the `connect(visitor, session, resume)` function
the Visitor core calls to open a session connection, or None when the page
has no session service address.
"""

from browser import window


def service_url(config):
    """The visitor WebSocket URL for this page's data-ws (http(s) becomes ws(s))."""
    base = config.get("ws")
    if not base:
        return None
    if base.startswith("http"):
        base = "ws" + base[4:]
    return base + "/ws/visitor"


class WsConnection:
    """One visitor WebSocket; reports failures to the Visitor core."""

    def __init__(self, visitor, session, resume, url):
        self.visitor = visitor
        self.session = session
        self.closed = False
        self.ws = window.WebSocket.new(url)
        self.ws.onerror = self._on_error
        self.ws.onclose = self._on_close

    def _on_error(self, ev):
        pass

    def _on_close(self, ev):
        if not self.closed:
            self.closed = True
            self.visitor.on_error("service", "could not reach the cobrowse service")

    def close(self, reason):
        self.closed = True
        try:
            self.ws.close()
        except Exception:
            pass


def connector(config):
    url = service_url(config)
    if url is None:
        return None

    def connect(visitor, session, resume):
        return WsConnection(visitor, session, resume, url)

    return connect
