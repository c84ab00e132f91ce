"""The default visitor UI: a small, accessible overlay built only on the public events.

Browser shell. runtime.py creates it unless the script tag says
data-ui="none" (a site then builds its own UI from the same events) and
calls `bind(visitor)`, which subscribes to the Visitor's emitter exactly as
a page script's addEventListener would (handlers get the plain JS payloads).

What it shows during a session (bottom right, `#glance-ui`, role=region):
the session key, a status line (aria-live) for agents joining, pause,
connection and remote control, a "Stop remote control" button while
rcenabled is on, an accessibility toggle (aria-pressed) and "End session".
Consent dialogs (role=dialog, aria-modal, labelled and described, focus
kept inside, Escape declines, focus returns to where it was) answer
rcrequested, addguestrequested, docsharerequested and reverseconfirm through
the payload's accept/decline (ui_media.py asks for visitor video and screen
share and shows what is shared); one dialog shows at a time, later requests
wait in a queue. A dialog leaves when its request is answered elsewhere
(rcaccepted/rcdeclined, addguestaccepted/addguestdeclined, docsharestatus),
withdrawn (reverseended) or the session ends. The only calls it makes
besides the callbacks are the public ones behind its buttons:
stopSession(), the remote-control feature's stop() and the accessibility
feature's toggle().
"""

from browser import document, window

from . import log, styles, ui_media
from .jsconv import guarded, is_absent as _none


def _guard(name, fn):
    return guarded("default UI " + name, fn)


PANEL_ID = "glance-ui"
STYLE_ID = "glance-ui-style"
CSS = """
#glance-ui{position:fixed;right:16px;bottom:16px;z-index:2147483645;max-width:300px;background:#fff;color:#111;
 border:2px solid #1d4ed8;border-radius:10px;padding:12px 14px;font:14px/1.4 system-ui,sans-serif;
 box-shadow:0 6px 24px rgba(0,0,0,.25)}
#glance-ui p{margin:0 0 6px}
#glance-ui .glance-ui-key strong{font-size:18px;letter-spacing:.05em}
#glance-ui .glance-ui-buttons{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}
#glance-ui button,.glance-ui-dialog button{font:inherit;padding:6px 10px;border-radius:6px;border:1px solid #1d4ed8;
 background:#fff;color:#1d4ed8;cursor:pointer}
#glance-ui button:focus-visible,.glance-ui-dialog button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
#glance-ui button.glance-ui-danger{background:#b91c1c;border-color:#b91c1c;color:#fff}
#glance-ui[data-paused="true"]{border-color:#b45309}
#glance-ui .glance-ui-paused{display:none;font-weight:bold;color:#b45309}
#glance-ui[data-paused="true"] .glance-ui-paused{display:block}
.glance-ui-dialog{position:fixed;z-index:2147483647;left:50%;top:25%;transform:translate(-50%,0);background:#fff;
 color:#111;border:2px solid #1d4ed8;border-radius:10px;padding:16px 18px;font:15px/1.4 system-ui,sans-serif;
 box-shadow:0 8px 32px rgba(0,0,0,.35);max-width:380px}
.glance-ui-dialog h2{margin:0 0 8px;font-size:17px}
.glance-ui-dialog .glance-ui-buttons{display:flex;gap:8px;margin-top:12px}
.glance-ui-dialog button.glance-ui-accept{background:#1d4ed8;color:#fff}
.glance-ui-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.glance-a11y #glance-ui,.glance-a11y .glance-ui-dialog,.glance-a11y #glance-doc-viewer{font-size:18px;
 background:#000;color:#fff;border-color:#ff0}
.glance-a11y #glance-ui button,.glance-a11y .glance-ui-dialog button{background:#000;color:#ff0;border:2px solid #ff0}
"""

# kind -> (title, text, accept label, decline label)
CONSENTS = {
    "rcrequested": ("Remote control", "The agent asks to control this page: click and type for you. "
                    "Fields hidden from the agent stay hidden.", "Allow", "Decline"),
    "addguestrequested": ("Add a guest", "The agent asks to add a guest to this session. "
                          "The guest will see this page.", "Allow", "Decline"),
    "docsharerequested": ("Share a document", "The agent asks you to share a document from your device "
                          "(PDF, XLSX, XLS or CSV, up to 5 MB).", "Choose a file", "Decline"),
    "reverseconfirm": ("View the agent's screen", "The agent invites you to view their screen.", "Join", "Decline"),
}
# events that answer a consent kind without this UI (another handler called accept/decline)
ANSWERED_BY = {"rcaccepted": "rcrequested", "rcdeclined": "rcrequested",
               "addguestaccepted": "addguestrequested", "addguestdeclined": "addguestrequested",
               "reverseended": "reverseconfirm"}




def _field(payload, name):
    """payload[name] for a JS payload (None when absent)."""
    if _none(payload):
        return None
    try:
        v = getattr(payload, name)
    except Exception:
        return None
    return None if _none(v) else v


def element(tag, text=None, **attrs):
    """A new DOM element with optional text and attributes (foo_bar= sets foo-bar)."""
    el = document.createElement(tag)
    if text is not None:
        el.textContent = text
    for k, v in attrs.items():
        el.setAttribute(k.replace("_", "-"), v)
    return el


class Dialog:
    """One modal consent dialog; `close()` removes it and gives focus back."""

    def __init__(self, ui, kind, title, text, accept_label, decline_label, on_accept, on_decline):
        self.ui = ui
        self.kind = kind
        self.on_accept = on_accept
        self.on_decline = on_decline
        self.box = None
        self.spec = (title, text, accept_label, decline_label)
        self.returns_to = None

    def show(self):
        title, text, accept_label, decline_label = self.spec
        self.returns_to = document.activeElement
        n = self.ui.next_id()
        box = element("div", role="dialog", aria_modal="true", aria_labelledby="glance-ui-dlg-t" + n,
                  aria_describedby="glance-ui-dlg-d" + n, data_kind=self.kind)
        box.className = "glance-ui-dialog"
        box.appendChild(element("h2", title, id="glance-ui-dlg-t" + n))
        box.appendChild(element("p", text, id="glance-ui-dlg-d" + n))
        bar = element("div")
        bar.className = "glance-ui-buttons"
        accept = element("button", accept_label, type="button")
        accept.className = "glance-ui-accept"
        decline = element("button", decline_label, type="button")
        decline.className = "glance-ui-decline"
        accept.addEventListener("click", _guard("accept", lambda ev: self.answer(True)))
        decline.addEventListener("click", _guard("decline", lambda ev: self.answer(False)))
        bar.appendChild(accept)
        bar.appendChild(decline)
        box.appendChild(bar)

        def key(ev):
            if ev.key == "Escape":
                ev.preventDefault()
                ev.stopPropagation()
                self.answer(False)
            elif ev.key == "Tab":   # keep focus inside the dialog
                first, last = accept, decline
                if ev.shiftKey and first.isSameNode(document.activeElement):
                    ev.preventDefault()
                    last.focus()
                elif not ev.shiftKey and last.isSameNode(document.activeElement):
                    ev.preventDefault()
                    first.focus()
        box.addEventListener("keydown", _guard("dialog key", key))
        document.body.appendChild(box)
        self.box = box
        decline.focus()   # the safe answer has the focus: Enter never grants by accident

    def answer(self, yes):
        self.close()
        try:
            (self.on_accept if yes else self.on_decline)()
        finally:
            self.ui.dialog_closed(self)

    def close(self):
        box, self.box = self.box, None
        if box is not None and not _none(box.parentNode):
            box.parentNode.removeChild(box)
            back = self.returns_to
            if back is not None and not _none(back) and hasattr(back, "focus") and back.isConnected:
                try:
                    back.focus()
                except Exception:
                    pass


class DefaultUI:
    """Session panel and consent dialogs (see the module docstring)."""

    def __init__(self, config):
        self.config = config
        self.visitor = None
        self.panel = None
        self.parts = {}
        self.current = None      # the Dialog on screen
        self.queue = []          # Dialogs waiting
        self.counter = 0
        self.a11y = False

    def next_id(self):
        self.counter += 1
        return str(self.counter)

    # --- wiring -------------------------------------------------------------
    def bind(self, visitor):
        """Subscribe to the Visitor's events; call once after the runtime starts."""
        self.visitor = visitor
        handlers = {
            "sessionstarting": self._on_starting,
            "sessionstart": self._on_session,
            "sessioncontinue": self._on_session,
            "sessionend": self._on_end,
            "agents": self._on_agents,
            "sessionpaused": self._on_paused,
            "connection": self._on_connection,
            "rcenabled": self._on_rcenabled,
            "accessibility": self._on_accessibility,
            "docsharestatus": self._on_docsharestatus,
            "agentdownload": lambda p: self.say("The agent downloaded " + str(_field(p, "name")) + "."),
            "addguestaccepted": lambda p: self.say("A guest may join the session."),
            "reverseended": lambda p: self.say("The agent ended the screen view."),
        }
        for kind in CONSENTS:
            handlers[kind] = self._consent_handler(kind)
        for name, fn in handlers.items():
            visitor.emitter.on(name, _guard(name, fn))
        for name, kind in ANSWERED_BY.items():
            visitor.emitter.on(name, _guard(name, lambda p, kind=kind: self.withdraw(kind)))
        ui_media.MediaUI(self).bind(visitor)
        acc = getattr(visitor, "accessibility", None)
        self.a11y = bool(acc is not None and acc.enabled)
        self._apply_a11y()

    # --- panel --------------------------------------------------------------
    def _style(self):
        styles.ensure(STYLE_ID, CSS)

    def _panel(self):
        if self.panel is not None and not _none(self.panel.parentNode):
            return self.panel
        self._style()
        p = element("div", id=PANEL_ID, role="region", aria_label="Cobrowse session")
        key = element("p")
        key.className = "glance-ui-key"
        key.appendChild(document.createTextNode("Session key: "))
        key_value = element("strong", "", id="glance-ui-key")
        key.appendChild(key_value)
        p.appendChild(key)
        paused = element("p", "Paused by the agent")
        paused.className = "glance-ui-paused"
        p.appendChild(paused)
        status = element("p", "", id="glance-ui-status", role="status", aria_live="polite")
        p.appendChild(status)
        bar = element("div")
        bar.className = "glance-ui-buttons"
        rc = element("button", "Stop remote control", type="button", id="glance-ui-rc-stop")
        rc.hidden = True
        rc.addEventListener("click", _guard("stop remote control", self._stop_rc))
        a11y = element("button", "Accessibility mode", type="button", id="glance-ui-a11y", aria_pressed="false")
        a11y.addEventListener("click", _guard("accessibility toggle", self._toggle_a11y))
        end = element("button", "End session", type="button", id="glance-ui-end")
        end.className = "glance-ui-danger"
        end.addEventListener("click", _guard("end session", lambda ev: self.visitor.stop_session()))
        for b in (rc, a11y, end):
            bar.appendChild(b)
        p.appendChild(bar)
        alert = element("div", "", id="glance-ui-alert", role="alert")
        alert.className = "glance-ui-sr"
        p.appendChild(alert)
        document.body.appendChild(p)
        self.panel = p
        self.parts = {"key": key_value, "status": status, "rc": rc, "a11y": a11y, "alert": alert}
        self._apply_a11y()
        return p

    def say(self, text):
        """Put `text` in the status line (announced politely; assertively in accessibility mode)."""
        if self.panel is None:
            return
        self.parts["status"].textContent = text
        if self.a11y:
            self.parts["alert"].textContent = text

    def _remove_panel(self):
        if self.panel is not None and not _none(self.panel.parentNode):
            self.panel.parentNode.removeChild(self.panel)
        self.panel = None
        self.parts = {}

    def _on_starting(self, payload):
        self._panel()
        self.say("Starting the cobrowse session\u2026")

    def _on_session(self, payload):
        self._panel()
        key = self.visitor.get_key()
        self.parts["key"].textContent = key or ""
        self.panel.setAttribute("data-paused", "true" if self.visitor.is_session_paused() else "false")
        self.say("Session active. Give the key to the agent.")

    def _on_end(self, payload):
        reason = _field(payload, "reason")
        self.withdraw(None)
        self._remove_panel()
        self._announce_outside({"agent": "The agent ended the session.", "visitor": "You ended the session.",
                                "error": "The session ended because of an error."}.get(reason, "The session ended."))

    def _announce_outside(self, text):
        """A short announcement after the panel is gone (screen readers hear that the session ended)."""
        self._style()
        el = document.getElementById("glance-ui-ended")
        if _none(el):
            el = element("div", "", id="glance-ui-ended", role="status", aria_live="polite")
            el.className = "glance-ui-sr"
            document.body.appendChild(el)
        el.textContent = text

    def _on_agents(self, payload):
        if self.panel is None:
            return
        lst = _field(payload, "agentlist")
        names, guests = [], []
        if lst is not None:
            for i in range(lst.length):
                a = lst[i]
                label = str(_field(a, "name") or _field(a, "username") or "an agent")
                (guests if _field(a, "role") == "guest" else names).append(label)
        if not names and not guests:
            self.say("Waiting for an agent to join.")
            return
        text = "Connected with " + ", ".join(names) if names else "Connected"
        if guests:
            text += " and guest " + ", ".join(guests)
        self.say(text + ".")

    def _on_paused(self, payload):
        if self.panel is None:
            return
        paused = bool(_field(payload, "paused"))
        self.panel.setAttribute("data-paused", "true" if paused else "false")
        self.say("The agent paused the session: they cannot see this page now." if paused
                 else "The session is live again.")

    def _on_connection(self, payload):
        self.say("Connection lost, reconnecting\u2026" if _field(payload, "status") == "reconnecting"
                 else "Connection restored.")

    def _on_rcenabled(self, payload):
        on = bool(_field(payload, "enabled"))
        if self.panel is None:
            self._panel()
        self.parts["rc"].hidden = not on
        self.say("Remote control is on: the agent can click and type on this page." if on
                 else "Remote control is off.")

    def _stop_rc(self, ev):
        rc = getattr(self.visitor, "remote_control", None)
        if rc is not None and hasattr(rc, "stop"):
            rc.stop()
        else:
            log.warn_once("rc stop", "remote control cannot be stopped from this page (no remote control feature)")

    def _on_docsharestatus(self, payload):
        status = _field(payload, "status")
        if status in ("accepted", "declined"):
            self.withdraw("docsharerequested")
        if status == "started":
            self.say("Sending your document to the agent.")

    # --- accessibility --------------------------------------------------------
    def _toggle_a11y(self, ev):
        acc = getattr(self.visitor, "accessibility", None)
        if acc is not None:
            acc.toggle()

    def _on_accessibility(self, payload):
        self.a11y = bool(_field(payload, "enabled"))
        self._apply_a11y()
        self.say("Accessibility mode is on." if self.a11y else "Accessibility mode is off.")

    def _apply_a11y(self):
        root = document.documentElement
        if self.a11y:
            root.classList.add("glance-a11y")
        else:
            root.classList.remove("glance-a11y")
        if self.parts.get("a11y") is not None:
            self.parts["a11y"].setAttribute("aria-pressed", "true" if self.a11y else "false")

    # --- consent dialogs --------------------------------------------------------
    def _consent_handler(self, kind):
        def handler(payload):
            accept, decline = _field(payload, "accept"), _field(payload, "decline")
            if accept is None or decline is None:
                return
            if kind == "reverseconfirm":
                self.withdraw(kind)   # a newer request replaces a waiting one
            self.ask(kind, CONSENTS[kind], accept, decline)
        return handler

    def ask(self, kind, spec, accept, decline):
        """Show (or queue) a consent dialog; spec is (title, text, accept label, decline label)."""
        title, text, yes, no = spec
        self._style()
        d = Dialog(self, kind, title, text, yes, no, accept, decline)
        if self.current is None:
            self.current = d
            d.show()
        else:
            self.queue.append(d)
        if self.a11y:
            self.say(title + ": " + text)

    def dialog_closed(self, d):
        if self.current is d:
            self.current = None
            while self.queue and self.current is None:
                self.current = self.queue.pop(0)
                self.current.show()

    def withdraw(self, kind):
        """Remove the dialogs of `kind` (all when None) without answering them."""
        self.queue = [d for d in self.queue if kind is not None and d.kind != kind]
        if self.current is not None and (kind is None or self.current.kind == kind):
            d = self.current
            d.close()
            self.dialog_closed(d)

    # --- showTerms ----------------------------------------------------------------
    def show_terms(self, on_accept, on_decline):
        """Show the cobrowse terms; accepting starts the session."""
        self._style()
        d = Dialog(self, "terms", "Cobrowse", "An agent will be able to see this page (masked fields excluded). "
                   "Start a cobrowse session?", "Start session", "Cancel", on_accept, on_decline)
        if self.current is None:
            self.current = d
            d.show()
        else:
            self.queue.append(d)
