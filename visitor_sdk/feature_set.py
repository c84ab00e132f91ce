"""The features a visitor page runs: the entry of the feature chunk.

runtime.py goes live with the core alone and calls `install_chunk` once the
loader has fetched the feature chunk. Browser shell: each entry may import
browser modules. Add a feature in `install`.
"""

from browser import window

from . import log
from .lazy_parts import LazyFeature
from .params import MAX_PENDING_MESSAGES


def install(visitor, config, load=None, replay=None):
    """Create every feature of this page and plug it into `visitor`: those a
    session needs at once, and a lazy_parts.LazyFeature for each part fetched
    on first use (`load(part, ready, failed)`: the loader fetches its chunk;
    `replay(create, opened)`: see JsEmitter.replay_to)."""
    from . import element_ids, gestures, navigation
    visitor.add_feature(element_ids.ElementIds(visitor, config))  # first: ids exist before rc/gestures run
    visitor.add_feature(navigation.Navigation(visitor, config))
    visitor.add_feature(gestures.Gestures(visitor, config))
    from . import accessibility, document_links, guests, reverse
    visitor.add_feature(guests.Guests(visitor, config))
    visitor.add_feature(document_links.DocumentLinks(visitor, config))
    visitor.add_feature(reverse.Reverse(visitor, config))
    visitor.add_feature(accessibility.Accessibility(visitor, config))
    from . import legacy
    visitor.add_feature(legacy.UrlStart(visitor, config))
    from . import capture  # issue 7: the cobrowse view (masked DOM capture)
    visitor.add_feature(capture.Capture(visitor, config))
    visitor.parts = {}
    for part in ("rc", "docs", "media"):   # remote control, documents, screen share and video (issue 21)
        lazy = LazyFeature(visitor, config, part, load or _no_load, import_class, replay or _no_replay, log.warn_once)
        visitor.parts[part] = lazy
        visitor.add_feature(lazy)
    return visitor.features


def import_class(module, name):
    """The class `name` of `module` (a dotted name of a registered chunk's module), imported now."""
    mod = __import__(module)
    for attr in module.split(".")[1:]:
        mod = getattr(mod, attr)
    return getattr(mod, name)


def _no_load(part, ready, failed):
    failed("the " + part + " part cannot be loaded here")


def _no_replay(create, opened):
    create()
    opened()


class LazyReceiver:
    """Stands in for invoke_receiver.Receiver until the invoke part has arrived:
    glance_invoke messages wait (at most MAX_PENDING_MESSAGES) in arrival order."""

    def __init__(self, visitor, config, load):
        self.visitor, self.config, self._load = visitor, config, load
        self.real = None
        self.messages = []
        self.state = "absent"

    def on_message(self, m):
        if self.real is not None:
            return self.real.on_message(m)
        if self.state == "failed":
            return None
        if len(self.messages) < MAX_PENDING_MESSAGES:
            self.messages.append(m)
        else:
            log.warn_once("early messages", "too many glance_invoke messages before the SDK was ready; message dropped")
        if self.state == "absent":
            self.state = "loading"
            self._load("invoke", self._arrived, self._failed)

    def _arrived(self):
        self.real = import_class("visitor_sdk.invoke_receiver", "Receiver")(self.visitor, self.config)
        self.state = "ready"
        messages, self.messages = self.messages, []
        for m in messages:
            self.real.on_message(m)

    def _failed(self, msg):
        self.state = "failed"
        self.messages = []
        log.warn_once("lazy failed:invoke", msg)


def emit_sample(visitor, name):
    """Test seam (only with data-check-payloads): fire `name` with the catalogue's
    sample payload through the real emitter; callbacks record their calls."""
    from .catalogue import sample_payload

    def make_callback(field):
        def callback(*args):
            window.__glanceSampleCalls.push(name + "." + field)
        return callback
    if not hasattr(window, "__glanceSampleCalls"):
        window.__glanceSampleCalls = window.Array.new()
    return visitor.emit(name, sample_payload(name, make_callback))


def _replay(events, handlers, report):
    """Give `handlers` [(name, fn)] the `events` [(name, payload)] they missed, in order."""
    for name, payload in events:
        for hname, fn in handlers:
            if hname == name:
                try:
                    fn(payload)
                except Exception as exc:
                    report(name, fn, exc)


def install_chunk(visitor, config, emitter, waiting, load=None):
    """Plug in the feature chunk (its modules are registered by then): the UI and
    every feature, which hear the events fired so far (`emitter` is the
    runtime's JsEmitter); then an open session learns their actions, and the
    agent actions, showTerms() calls and glance_invoke messages that waited
    (`waiting`: runtime.Waiting) are applied in arrival order. `load(part, ready,
    failed)` fetches a part of lazy_parts.PARTS (the glance_invoke receiver among
    them) when first needed."""
    from . import ui
    early = emitter.take_early()
    emitter.recording = []
    if config["ui"] != "none":
        visitor.ui = ui.DefaultUI(config)
        visitor.ui.bind(visitor)
    else:
        visitor.ui = None
    install(visitor, config, load, emitter.replay_to)
    handlers, emitter.recording = emitter.recording, None
    for name in visitor.features_installed(lambda: _replay(early, handlers, emitter._report)):
        log.warn_once("action:" + name, "no handler for agent action " + repr(name))
    waiting.hand_over_terms(visitor.ui)
    waiting.receiver = LazyReceiver(visitor, config, load or _no_load)
    messages, waiting.messages = waiting.messages, []
    for m in messages:
        waiting.receiver.on_message(m)
