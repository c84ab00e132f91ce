"""The features a visitor page runs: the entry of the feature chunk.

runtime.py goes live with the core alone and calls `install_chunk` once the
loader has fetched the feature chunk. Browser shell: each entry may import
browser modules. Add a feature in `install`.
"""

from browser import window


def _warn(text):
    window.console.warn(text)



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


def install_chunk(visitor, config, emitter, inbox):
    """Plug in the feature chunk (its modules are registered by then): the UI and
    every feature, which hear the events fired so far; then an open session
    learns their actions and the waiting agent actions and messages are applied."""
    from . import invoke_receiver, ui
    early = emitter.take_early()
    emitter.recording = []
    pending = visitor.ui
    if config["ui"] != "none":
        visitor.ui = ui.DefaultUI(config)
        visitor.ui.bind(visitor)
    else:
        visitor.ui = None
    install(visitor, config)
    handlers, emitter.recording = emitter.recording, None
    for name in visitor.features_installed(lambda: emitter.replay(early, handlers)):
        _warn("GLANCE: no handler for agent action " + repr(name))
    if pending is not None and hasattr(pending, "handover"):  # runtime.PendingUI
        if visitor.ui is not None:
            pending.handover(visitor.ui)
        else:
            for on_accept, on_decline in pending.terms:
                on_accept()
    inbox.ready(invoke_receiver.Receiver(visitor, config))
