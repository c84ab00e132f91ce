"""Parts of the SDK fetched on first use, and the stand-ins that wait for them.

Pure Python (no browser import): the build reads `PARTS` to put each part's
modules in a chunk of its own (build/build.py), feature_set.py plugs a
`LazyFeature` into the Visitor for each part's features, and the shell gives
it `load(part, ready, failed)` (the loader fetches the chunk) and
`make(module, class_name)` (imports the module once its chunk is registered).

A session where the agent only watches never fetches these parts:
- "rc": remote control, on the first rcrequest (or rcend/rcevent);
- "docs": documents, on the first docshare, docsharerequest or agentdownload;
- "media": agent screen share and visitor video/screen share, on the first of
  their actions (screenshare, videorequest, visitorscreensharerequest, ...);
- "invoke": the glance_invoke receiver, on the first glance_invoke message
  (feature_set.LazyReceiver).
Nothing is lost while a part loads: its agent actions wait, in arrival order,
and are applied once it is there. The events fired on the page before it
arrived are replayed to the handlers the part registers (its
`sessioncontinue` handler, for instance), after it heard that the session is
open. A part used in a session is fetched again as soon as the session opens on
the session's next pages (`USED_KEY` in sessionStorage), so what it carries
over (remote control on, a screen share, a video) goes on there.
"""

from .features import Feature

# part -> {"features": ((module, class), ...), "actions": (agent action names, ...)}.
# The build checks each part's action names against its features' actions()
# (build/build.py check_parts), so a new action cannot be missed here.
PARTS = {
    "rc": {"features": (("visitor_sdk.remote_control", "RemoteControl"),),
           "actions": ("rcrequest", "rcend", "rcevent")},
    "docs": {"features": (("visitor_sdk.documents", "Documents"),),
             "actions": ("docshare", "docsharerequest", "agentdownload")},
    "media": {"features": (("visitor_sdk.screenshare", "AgentShares"), ("visitor_sdk.visitor_video", "VisitorMedia")),
              "actions": ("screenshare", "screensharepause", "screenshareresume", "rtc_offer",
                          "videorequest", "videoend", "videosize", "pauseparticipantvideo",
                          "visitorscreensharerequest", "pausevisitorscreenshare", "rtc_answer")},
    "invoke": {"features": (), "modules": ("visitor_sdk.invoke_receiver",), "actions": ()},
}
USED_KEY = "glance_cobrowse_parts"   # tab store: the parts this session has used
MAX_WAITING = 200                    # agent actions kept while a part loads


def part_modules(part):
    """The entry modules of `part` (the build adds what they import)."""
    spec = PARTS[part]
    return tuple(spec.get("modules", ())) + tuple(m for m, _ in spec["features"])


class LazyFeature(Feature):
    """Stands in for the features of one part until its chunk has arrived.

    `load(part, ready, failed)` fetches the chunk once; `make(module, name)`
    returns the class; `replay(create)` runs `create()` and replays the page's
    events so far to the handlers it registered; `warn(key, msg)` warns once."""

    def __init__(self, visitor, config, part, load, make, replay, warn):
        Feature.__init__(self, visitor, config)
        self.part = part
        self._load, self._make, self._replay, self._warn = load, make, replay, warn
        self.state = "absent"        # absent -> loading -> ready | failed
        self.real = []
        self.waiting = []            # (name, payload, frame)
        self.ready_callbacks = []

    def actions(self):
        return {name: self._handler(name) for name in PARTS[self.part]["actions"]}

    def _handler(self, name):
        def handle(payload, frame):
            if self.state == "ready":
                return self._apply(name, payload, frame)
            if self.state == "failed":
                self._warn("action:" + name, "no handler for agent action " + repr(name))
                return None
            if len(self.waiting) < MAX_WAITING:
                self.waiting.append((name, payload, frame))
            else:
                self._warn("lazy:" + self.part, "too many agent actions while the " + self.part
                           + " part loads; action dropped")
            self.fetch()
        return handle

    def _apply(self, name, payload, frame):
        for f in self.real:
            handler = f.actions().get(name)
            if handler is not None:
                return handler(payload, frame)
        self._warn("action:" + name, "no handler for agent action " + repr(name))

    def session_opened(self, resumed):
        used = self.visitor.store.get(USED_KEY) if hasattr(self.visitor.store, "get") else None
        if resumed and isinstance(used, list) and self.part in used:
            self.fetch()

    def fetch(self, ready=None):
        """Fetch the part (once); `ready()` runs when it is there (at once if it is)."""
        if ready is not None:
            if self.state == "ready":
                return ready()
            self.ready_callbacks.append(ready)
        if self.state != "absent":
            return
        self.state = "loading"
        self._load(self.part, self._arrived, self._failed)

    def _remember(self):
        if not hasattr(self.visitor.store, "get") or self.visitor.session is None:
            return
        used = self.visitor.store.get(USED_KEY)
        used = list(used) if isinstance(used, list) else []
        if self.part not in used:
            self.visitor.store[USED_KEY] = used + [self.part]

    def _arrived(self):
        v = self.visitor

        def create():
            for module, name in PARTS[self.part]["features"]:
                f = self._make(module, name)(v, self.config)
                self.real.append(f)
                v.add_feature(f)    # the Visitor tells it when the session ends
        self._replay(create, self._opened)
        self.state = "ready"
        self._remember()
        waiting, self.waiting = self.waiting, []
        for name, payload, frame in waiting:
            self._apply(name, payload, frame)
        callbacks, self.ready_callbacks = self.ready_callbacks, []
        for cb in callbacks:
            cb()

    def _opened(self):
        """A session that is open hears of the part's features: they learn that it
        is open (before the page's events are replayed to them)."""
        v = self.visitor
        if v.conn is None:
            return
        for f in self.real:
            for name, handler in f.actions().items():
                if name not in PARTS[self.part]["actions"]:
                    v.conn.on_action(name, handler)
            f.session_opened(v._opened_resume)

    def _failed(self, msg):
        self.state = "failed"
        self._warn("lazy failed:" + self.part, msg)
        for name, _, _ in self.waiting:
            self._warn("action:" + name, "no handler for agent action " + repr(name))
        self.waiting = []
        self.ready_callbacks = []
