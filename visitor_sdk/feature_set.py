"""The features a visitor page runs, installed by runtime.py after the Visitor is built.

Browser shell: each entry may import browser modules. Add a feature here.
"""


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
