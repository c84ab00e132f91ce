"""The features a visitor page runs: the entry of the feature chunk.

runtime.py goes live with the core alone and calls `install_chunk` once the
loader has fetched the feature chunk. Browser shell: each entry may import
browser modules. Add a feature in `install`.
"""

from browser import window

from . import log


def install(visitor, config):
    """Create every feature of this page and plug it into `visitor`."""
    from . import element_ids, gestures, navigation, remote_control
    visitor.add_feature(element_ids.ElementIds(visitor, config))  # first: ids exist before rc/gestures run
    visitor.add_feature(remote_control.RemoteControl(visitor, config))
    visitor.add_feature(navigation.Navigation(visitor, config))
    visitor.add_feature(gestures.Gestures(visitor, config))
    from . import accessibility, documents, guests, reverse
    visitor.add_feature(guests.Guests(visitor, config))
    visitor.add_feature(documents.Documents(visitor, config))
    visitor.add_feature(reverse.Reverse(visitor, config))
    visitor.add_feature(accessibility.Accessibility(visitor, config))
    from . import screenshare  # issue 6: screen share and video over WebRTC
    visitor.add_feature(screenshare.AgentShares(visitor, config))
    from . import legacy, visitor_video
    visitor.add_feature(visitor_video.VisitorMedia(visitor, config))
    visitor.add_feature(legacy.UrlStart(visitor, config))
    from . import capture  # issue 7: the cobrowse view (masked DOM capture)
    visitor.add_feature(capture.Capture(visitor, config))
    return visitor.features


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


def install_chunk(visitor, config, emitter, waiting):
    """Plug in the feature chunk (its modules are registered by then): the UI and
    every feature, which hear the events fired so far (`emitter` is the
    runtime's JsEmitter); then an open session learns their actions, and the
    agent actions, showTerms() calls and glance_invoke messages that waited
    (`waiting`: runtime.Waiting) are applied in arrival order."""
    from . import invoke_receiver, ui
    early = emitter.take_early()
    emitter.recording = []
    if config["ui"] != "none":
        visitor.ui = ui.DefaultUI(config)
        visitor.ui.bind(visitor)
    else:
        visitor.ui = None
    install(visitor, config)
    handlers, emitter.recording = emitter.recording, None
    for name in visitor.features_installed(lambda: _replay(early, handlers, emitter._report)):
        log.warn_once("action:" + name, "no handler for agent action " + repr(name))
    waiting.hand_over_terms(visitor.ui)
    waiting.receiver = invoke_receiver.Receiver(visitor, config)
    messages, waiting.messages = waiting.messages, []
    for m in messages:
        waiting.receiver.on_message(m)
