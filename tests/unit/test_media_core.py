"""media_core: share payloads, the share book kept across pages, signalling checks, VideoParams,
camera statuses, viewer information, the PlayerTooSlow rule and the legacy continue URL."""
import pytest

from visitor_sdk import media_core as core
from visitor_sdk.catalogue import validate_payload


def test_parse_share_defaults_and_catalogue():
    share, why = core.parse_share({}, 2)
    assert why is None
    assert share == {"screenshareView": "glance_screenshare", "agentnum": 2, "state": "new", "paused": False,
                     "params": {"type": "forward"}}
    assert validate_payload("screenshare", share) == []
    share, _ = core.parse_share({"screenshareView": "glance_agentvideo", "state": "ended",
                                 "params": {"type": "reverse"}, "paused": True}, True)
    assert share["agentnum"] == 0 and share["params"]["type"] == "reverse" and share["paused"] is True


@pytest.mark.parametrize("payload", [None, [], {"screenshareView": ""}, {"screenshareView": "a b"},
                                     {"screenshareView": "x" * 65}, {"state": "continued"},
                                     {"params": "forward"}, {"params": {"type": "sideways"}}])
def test_parse_share_refuses(payload):
    share, why = core.parse_share(payload, 1)
    assert share is None and why


def test_share_book_round_trip():
    book = core.ShareBook()
    share, _ = core.parse_share({"screenshareView": "glance_agentvideo"}, 1)
    assert book.start(share)["state"] == "new"
    assert book.set_paused("glance_agentvideo", True) and not book.set_paused("glance_agentvideo", True)
    assert not book.set_paused("nope", True)
    again = core.ShareBook(book.saved())
    cont = again.continued()
    assert cont == [{"screenshareView": "glance_agentvideo", "agentnum": 1, "state": "continued", "paused": True,
                     "params": {"type": "forward"}}]
    assert validate_payload("screenshare", cont[0]) == []
    assert again.end("glance_agentvideo")["state"] == "ended" and again.end("glance_agentvideo") is None
    assert again.saved() is None
    assert core.ShareBook({"bad id": {}, "ok": "x"}).shares == {}


def test_parse_signal():
    good = {"stream": "glance_screenshare", "to": 3, "sdp": {"type": "offer", "sdp": "v=0\r\n..."}}
    sig, why = core.parse_signal(good, "offer")
    assert why is None and sig["to"] == 3 and sig["sdp"]["type"] == "offer"
    assert core.parse_signal(good, "answer")[0] is None
    assert core.parse_signal(dict(good, sdp={"type": "offer", "sdp": "hello"}), "offer")[0] is None
    assert core.parse_signal(dict(good, sdp={"type": "offer", "sdp": "v=0" + "a" * core.MAX_SDP}), "offer")[0] is None
    assert core.parse_signal(dict(good, stream="<x>"), "offer")[0] is None
    assert core.parse_signal("x", "offer")[0] is None


def test_video_params_and_camera_status():
    assert core.parse_video_params(None) == {"video": "large", "videopaused": False, "videosource": "",
                                             "videobgfilter": False, "videobgtype": "blur"}
    p = core.parse_video_params({"video": "small", "videopaused": True, "videosource": "cam", "videobgfilter": True,
                                 "videobgtype": "image", "junk": 1})
    assert p == {"video": "small", "videopaused": True, "videosource": "cam", "videobgfilter": True,
                 "videobgtype": "image"}
    assert core.parse_video_params({"video": "huge", "videopaused": "yes"})["video"] == "large"
    assert core.camera_status("NotAllowedError") == "blocked"
    assert core.camera_status("NotFoundError") == "nocamera"
    assert core.camera_status("NotReadableError") == "error"
    assert core.camera_status("") == "error"
    acc = core.accepted_payload(p, "available", "Fake camera")
    assert validate_payload("visitorvideoaccepted", acc) == [] and acc["videosource"] == "Fake camera"


def test_viewer_info_reports_changes_only():
    info = core.ViewerInfo("glance_screenshare")
    first = info.update(screen={"width": 640, "height": 480}, scaled=core.scaled_view(640, 480, 320, 320))
    assert first == {"screenshareView": "glance_screenshare", "screen": {"width": 640, "height": 480},
                     "scaledview": {"width": 320, "height": 240}}
    assert validate_payload("viewerinfo", first) == []
    assert info.update(screen={"width": 640, "height": 480}) is None
    stats = info.update(stats={"fpslimit": 30, "viewerfps": 29, "displayfps": 30})
    assert stats == {"screenshareView": "glance_screenshare",
                     "glance_viewer": {"stats": {"fpslimit": 30, "viewerfps": 29, "displayfps": 30}}}
    assert validate_payload("viewerinfo", stats) == []
    assert core.scaled_view(0, 10, 10, 10) == {"width": 0, "height": 0}


def test_slow_viewer_closes_once():
    slow = core.SlowViewer(limit=3)
    assert [slow.sample(30, 0.2) for _ in range(2)] == [False, False]
    assert slow.sample(30, 25) is False          # a good sample resets the count
    assert [slow.sample(30, 0) for _ in range(3)] == [False, False, True]
    assert slow.sample(30, 0) is False           # once only
    quiet = core.SlowViewer(limit=2)
    assert [quiet.sample(0, 0), quiet.sample(30, 0, active=False), quiet.sample(2, 0)] == [False, False, False]
    assert core.fps(130, 100, 1.5) == 20.0 and core.fps(5, 10, 1) == 0.0 and core.fps(5, 1, 0) == 0.0


def test_continue_query_round_trip():
    from urllib.parse import parse_qsl
    q = core.continue_query("1234", 72937, "tok.en/=+")
    back = core.parse_continue(dict(parse_qsl(q)))
    assert back == {"key": "1234", "groupid": 72937, "resume": "tok.en/=+"}
    assert core.parse_continue({"glance_continue": "1", "glance_group": "0", "glance_resume": "t"}) is None
    assert core.parse_continue({"glance_continue": "1", "glance_group": "5"}) is None
    assert core.parse_continue({"glance_continue": "", "glance_group": "5", "glance_resume": "t"}) is None
    assert core.parse_continue(None) is None
