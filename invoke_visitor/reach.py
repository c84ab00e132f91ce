"""Did invoke()'s message reach a cobrowse page? One warning when it did not.

Pure Python, no imports: runs under CPython and inside the Brython bundle.

A postMessage whose target origin is not the origin of the page the window
shows is dropped by the browser without a word, and so is one to a page
without the cobrowse tag. The chat window cannot read a cross-origin window's
origin, so the visitor page's loader answers every glance_invoke message it
receives with {glance_invoke_ack: true}, posted back to the sender's origin
(build/loader.template.js). This module keeps count:

    reach = Reach()
    reach.init(target, given)            # InvokeVisitor.init: new window or origin
    token = reach.posted(func)           # invoke() posted a message
    reach.answered(data, origin)         # a window `message` event arrived
    warning = reach.overdue(token)       # ANSWER_MS after posting: None, or
                                         # the one line to console.warn

Counts, not ids (the message's fields are fixed: invoke_rules.MESSAGE_KEYS):
a message is taken as delivered when, ANSWER_MS after it was posted, as many
answers have come as messages were posted up to it. `overdue` gives a warning
at most once per target origin and InvokeVisitor (a chat window that keeps
invoking does not flood the console).
"""

ACK_KEY = "glance_invoke_ack"
ANSWER_MS = 3000   # the loader answers at once; a busy visitor page still answers well within this

API = "GLANCE.Cobrowse.InvokeVisitor"


class Reach:
    """The posts and answers of one InvokeVisitor (see the module docstring)."""

    def __init__(self):
        self.generation = 0
        self.target = None
        self.given = None
        self.sent = 0
        self.answers = 0
        self.warned = set()

    def init(self, target, given):
        """A successful init(): `target` the postMessage target origin, `given` what init was passed."""
        self.generation += 1
        self.target = target
        self.given = given
        self.sent = 0
        self.answers = 0

    def posted(self, func):
        """invoke(func) is posting a message; returns the token for `overdue`."""
        self.sent += 1
        return (self.generation, self.sent, func)

    def answered(self, data, origin):
        """Count a `message` event's data and origin if it is the visitor page's answer. Never raises."""
        try:
            if not isinstance(data, dict) or data.get(ACK_KEY) is not True:
                return False
            if self.target is None or (self.target != "*" and origin != self.target):
                return False
            self.answers += 1
            return True
        except Exception:
            return False

    def overdue(self, token):
        """The warning line when the message of `token` got no answer, else None (at most once per target)."""
        generation, number, func = token
        if generation != self.generation or self.answers >= number or self.target in self.warned:
            return None
        self.warned.add(self.target)
        if self.target == "*":
            where = "the visitor window"
        else:
            where = "the visitor window; the browser delivers it only to a page of origin " + self.target
            if self.given != self.target:
                where += " (from init's " + repr(self.given) + ")"
        return (API + ".invoke(" + repr(func) + "): no cobrowse page answered within " + str(ANSWER_MS // 1000)
                + " s, so the message most likely did not arrive. It was posted to " + where
                + ". Check that the window shows the page with the cobrowse tag, and pass that page's exact origin "
                "(scheme://host[:port]) to init.")
