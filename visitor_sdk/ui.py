"""The default visitor UI: a small overlay built only on the public events.

Browser shell. A page turns it off with data-ui="none" on the script tag and
builds its own from the events. `bind(visitor)` subscribes to the events.
"""

from browser import document, window


class DefaultUI:
    """Terms dialog and session banner (key display, end button)."""

    def __init__(self, config):
        self.config = config
        self.visitor = None
        self.banner = None

    def bind(self, visitor):
        """Subscribe to the Visitor's events; call once after the runtime starts."""
        self.visitor = visitor

    def _dialog(self, text, on_accept, on_decline, accept_label="Accept", decline_label="Decline"):
        box = document.createElement("div")
        box.setAttribute("role", "dialog")
        box.setAttribute("aria-modal", "true")
        box.className = "glance-dialog"
        box.style.cssText = ("position:fixed;z-index:2147483647;left:50%;top:30%;transform:translate(-50%,0);"
                             "background:#fff;color:#111;border:1px solid #888;border-radius:8px;padding:16px;"
                             "font:14px sans-serif;box-shadow:0 4px 20px rgba(0,0,0,.3);max-width:360px")
        p = document.createElement("p")
        p.textContent = text
        box.appendChild(p)

        def button(label, action):
            b = document.createElement("button")
            b.textContent = label
            b.style.marginRight = "8px"

            def click(ev):
                if box.parentNode:
                    box.parentNode.removeChild(box)
                action()
            b.addEventListener("click", click)
            box.appendChild(b)
            return b

        first = button(accept_label, on_accept)
        button(decline_label, on_decline)
        document.body.appendChild(box)
        first.focus()
        return box

    def show_terms(self, on_accept, on_decline):
        """Show the cobrowse terms; accepting starts the session."""
        self._dialog("An agent will be able to see this page (masked fields excluded). Start a cobrowse session?",
                     on_accept, on_decline, "Start session", "Cancel")
