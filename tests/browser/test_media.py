"""Screen share and video for real: the agent console and a visitor page in one Chromium,
a WebRTC connection on loopback (fake camera and screen), frames really arriving."""
import json

import pytest

from tests.browser.test_session_lifecycle import payloads, shop, start, wait_event
from tests.conftest import poll_wait_for_function

AGENT = ("janet.glance.net", "demo-agent")


def names(page):
    return [e["name"] for e in page.evaluate("window.demoEvents")]


def media_names(page):
    keep = ("screenshare", "viewer", "visitorvideo", "visitorscreen", "pausevisitor", "participantvideo",
            "waitingforcamera", "error")
    return [n for n in names(page) if n.startswith(keep)]


def open_agent(context, server, key):
    console = poll_wait_for_function(context.new_page())   # the console's CSP: no in-page polling
    console.set_default_timeout(10000)
    console.errors = []
    console.on("pageerror", lambda e: console.errors.append(str(e)))
    console.goto(server.url + "/agent")
    console.evaluate("([k, u, p]) => agentConsole.join(72937, k, u, p)", [key, AGENT[0], AGENT[1]])
    console.wait_for_function("agentConsole.status === 'joined'")
    return console


def visitor_event_names(console):
    return console.evaluate("agentConsole.frames.filter(f => f.type === 'visitor_event').map(f => f.name)")


IFRAME_VIDEO = """(id) => { const f = document.getElementById(id); const v = f && f.contentDocument &&
  f.contentDocument.getElementById('glance_video'); return v ? [v.videoWidth, v.videoHeight, v.currentTime,
  v.getVideoPlaybackQuality().totalVideoFrames] : null; }"""


def wait_frames(page, expr_fn, arg, label, timeout=15000):
    """Wait until the video named by `arg` shows a picture, then until its frames advance."""
    page.wait_for_function("([f, a]) => { const r = (eval(f))(a); return r && r[0] > 0 && r[3] > 0; }",
                           arg=[expr_fn, arg], timeout=timeout)
    first = page.evaluate(expr_fn, arg)
    page.wait_for_function("([f, a, n]) => { const r = (eval(f))(a); return r && r[3] > n + 3; }",
                           arg=[expr_fn, arg, first[3]], timeout=timeout)
    last = page.evaluate(expr_fn, arg)
    assert last[0] > 0 and last[1] > 0, label
    assert last[2] >= first[2], label
    return last


def test_agent_screenshare_plays_in_the_iframe_and_survives_navigation(page, context, server):
    shop(page, server)
    start(page, "media-ss-1")
    console = open_agent(context, server, "media-ss-1")
    console.evaluate("agentMedia.shareScreen()")
    wait_event(page, "screenshare")
    assert payloads(page, "screenshare")[0] == {"screenshareView": "glance_screenshare", "agentnum": 1,
                                                "state": "new", "paused": False, "params": {"type": "forward"}}
    wait_frames(page, IFRAME_VIDEO, "glance_screenshare", "agent screen in the visitor iframe")
    assert page.evaluate("document.getElementById('glance_screenshare').hidden") is False   # default UI shows it
    wait_event(page, "viewerinfo")
    info = payloads(page, "viewerinfo")[0]
    assert info["screenshareView"] == "glance_screenshare" and info["screen"]["width"] > 0
    assert 0 < info["scaledview"]["width"] <= 640
    wait_event(page, "viewerinfo", 2, timeout=8000)   # frame-rate statistics follow
    stats = [p for p in payloads(page, "viewerinfo") if "glance_viewer" in p]
    assert stats and stats[0]["glance_viewer"]["stats"]["fpslimit"] == 30

    console.evaluate("agentMedia.pause('glance_screenshare')")
    wait_event(page, "screensharepaused")
    console.evaluate("agentMedia.resume('glance_screenshare')")
    wait_event(page, "screenshareresumed")
    assert payloads(page, "screensharepaused") == [{"screenshareView": "glance_screenshare"}]

    # A new page: `continued`, and the stream is offered again and plays.
    page.click("#nav-product")
    page.wait_for_function("window.demoAttached === true && location.pathname === '/product'")
    wait_event(page, "screenshare")
    assert payloads(page, "screenshare")[0]["state"] == "continued"
    assert names(page).index("sessioncontinue") < names(page).index("screenshare")
    wait_frames(page, IFRAME_VIDEO, "glance_screenshare", "agent screen after navigation")

    console.evaluate("agentMedia.stop('glance_screenshare')")
    wait_event(page, "screenshare", 2)
    assert payloads(page, "screenshare")[1]["state"] == "ended"
    assert page.evaluate("document.getElementById('glance_screenshare').hidden") is True
    assert page.console.errors == [] and console.errors == []


def test_agent_video_with_a_custom_ui_and_a_missing_iframe(page, context, server):
    shop(page, server, query="check=1&ui=none")
    start(page, "media-av-1")
    console = open_agent(context, server, "media-av-1")
    console.evaluate("agentMedia.shareCamera()")
    wait_event(page, "screenshare")
    assert payloads(page, "screenshare")[0]["screenshareView"] == "glance_agentvideo"
    # data-ui="none": the page shows the iframe itself (the SDK leaves it hidden)
    assert page.evaluate("document.getElementById('glance_agentvideo').hidden") is True
    page.evaluate("document.getElementById('glance_agentvideo').hidden = false")
    wait_frames(page, IFRAME_VIDEO, "glance_agentvideo", "agent camera in the visitor iframe")
    console.evaluate("agentMedia.stop('glance_agentvideo')")
    wait_event(page, "screenshare", 2)

    page.evaluate("document.getElementById('glance_screenshare').remove()")
    console.evaluate("agentMedia.shareScreen()")
    wait_event(page, "error")
    err = payloads(page, "error")[0]
    assert err["code"] == "service" and "glance_screenshare" in err["msg"]
    console.wait_for_function("agentConsole.frames.some(f => f.name === 'screenshareerror')")


AGENT_VIDEO = """(stream) => { const v = agentMedia.video(stream); return v && v.srcObject ? [v.videoWidth, v.videoHeight,
  v.currentTime, v.getVideoPlaybackQuality().totalVideoFrames] : null; }"""


def test_visitor_video_reaches_the_agent_pauses_and_continues(page, context, server):
    shop(page, server)
    start(page, "media-vv-1")
    console = open_agent(context, server, "media-vv-1")
    console.evaluate("agentMedia.requestVideo({video: 'small'})")
    wait_event(page, "visitorvideorequested")
    # a request nobody answers stays open; the next one is accepted by the page with VideoParams
    page.evaluate("""() => GLANCE.Cobrowse.Visitor.addEventListener('visitorvideorequested',
        p => p.accept({video: 'small'}))""")
    console.evaluate("agentMedia.requestVideo()")
    wait_event(page, "visitorvideostarted")
    seq = media_names(page)
    assert seq[:6] == ["visitorvideorequested", "visitorvideorequested", "visitorvideoaccepted",
                       "visitorvideocreated", "visitorvideo", "visitorvideostarted"], seq
    acc = payloads(page, "visitorvideoaccepted")[0]
    assert acc["camerastatus"] == "available" and acc["video"] == "small" and acc["videopaused"] is False
    assert payloads(page, "visitorvideo")[0] == {"video": "small", "camerastatus": "available"}
    assert payloads(page, "visitorvideostarted")[0]["width"] > 0
    wait_frames(console, AGENT_VIDEO, "visitorvideo", "visitor camera at the agent")

    assert page.evaluate("GLANCE.Cobrowse.Visitor.toggleVideo()") is True
    wait_event(page, "visitorvideopaused")
    assert page.evaluate("GLANCE.Cobrowse.Visitor.toggleVideo()") is False
    wait_event(page, "visitorvideoresumed")
    console.evaluate("agentMedia.pauseParticipantVideo(0)")
    wait_event(page, "participantvideopaused")
    console.evaluate("agentConsole.action('videosize', {video: 'large'})")
    wait_event(page, "visitorvideoresize")
    assert payloads(page, "visitorvideoresize")[0]["width"] > payloads(page, "visitorvideostarted")[0]["width"]

    page.click("#nav-checkout")
    page.wait_for_function("window.demoAttached === true && location.pathname === '/checkout'")
    wait_event(page, "visitorvideopaused")    # paused by the agent before the navigation
    assert media_names(page)[:2] == ["visitorvideo", "visitorvideopaused"]
    assert payloads(page, "visitorvideo")[0] == {"video": "large", "camerastatus": "available"}
    page.evaluate("GLANCE.Cobrowse.Visitor.toggleVideo()")
    wait_event(page, "visitorvideoresumed")
    console.wait_for_function("agentConsole.frames.filter(f => f.name === 'rtc_offer').length >= 2")
    wait_frames(console, AGENT_VIDEO, "visitorvideo", "visitor camera at the agent after navigation")

    console.evaluate("agentConsole.action('videoend')")
    wait_event(page, "visitorvideostopped")
    assert media_names(page)[-2:] == ["visitorvideoended", "visitorvideostopped"]
    # the event reaches the agent a relay after the page fired it
    console.wait_for_function("agentConsole.frames.some(f => f.type === 'visitor_event' && f.name === 'visitorvideostopped')")
    assert "visitorvideostopped" in visitor_event_names(console)
    assert page.console.errors == [] and console.errors == []


BLOCK_CAMERA = """if (navigator.mediaDevices) navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('no', '%s'));"""


@pytest.mark.parametrize("error, status", [("NotAllowedError", "blocked"), ("NotFoundError", "nocamera")])
def test_camera_blocked_or_absent(browser, server, error, status):
    ctx = browser.new_context()
    try:
        ctx.add_init_script(BLOCK_CAMERA % error)
        page = ctx.new_page()
        page.set_default_timeout(10000)
        shop(page, server, query="check=1&ui=none")
        start(page, "media-cam-" + status)
        console = open_agent(ctx, server, "media-cam-" + status)
        page.evaluate("""() => GLANCE.Cobrowse.Visitor.addEventListener('visitorvideorequested', p => p.accept())""")
        console.evaluate("agentMedia.requestVideo()")
        wait_event(page, "visitorvideoerror")
        assert media_names(page) == ["visitorvideorequested", "visitorvideoaccepted", "visitorvideocreated",
                                     "visitorvideo", "visitorvideoerror"]
        assert payloads(page, "visitorvideoaccepted")[0]["camerastatus"] == status
        assert payloads(page, "visitorvideo")[0] == {"video": "large", "camerastatus": status}
        assert payloads(page, "visitorvideoerror")[0] == {"error": status}
    finally:
        ctx.close()


def test_waiting_for_camera_and_decline(browser, server):
    ctx = browser.new_context()
    try:
        ctx.add_init_script("if (navigator.mediaDevices) navigator.mediaDevices.getUserMedia = () => new Promise(() => {});")
        page = ctx.new_page()
        page.set_default_timeout(10000)
        shop(page, server, query="check=1&ui=none")
        start(page, "media-wait-1")
        console = open_agent(ctx, server, "media-wait-1")
        page.evaluate("""() => { let n = 0; GLANCE.Cobrowse.Visitor.addEventListener('visitorvideorequested',
            p => { if (n++ === 0) p.decline(); else p.accept(); }); }""")
        console.evaluate("agentMedia.requestVideo()")
        wait_event(page, "visitorvideodeclined")
        console.evaluate("agentMedia.requestVideo()")
        wait_event(page, "waitingforcamera", timeout=8000)
        assert media_names(page) == ["visitorvideorequested", "visitorvideodeclined", "visitorvideorequested",
                                     "waitingforcamera"]
        console.wait_for_function("agentConsole.frames.some(f => f.name === 'waitingforcamera')")
    finally:
        ctx.close()


def test_visitor_screenshare_reaches_the_agent(page, context, server):
    shop(page, server)
    start(page, "media-vs-1")
    console = open_agent(context, server, "media-vs-1")
    page.evaluate("""() => { let n = 0; GLANCE.Cobrowse.Visitor.addEventListener('visitorscreensharerequested',
        p => { if (n++ === 0) p.decline(); else p.accept(); }); }""")
    console.evaluate("agentMedia.requestScreenshare()")
    wait_event(page, "visitorscreensharedeclined")
    console.evaluate("agentMedia.requestScreenshare()")
    wait_event(page, "visitorscreensharestarted")
    wait_frames(console, AGENT_VIDEO, "visitorscreen", "visitor screen at the agent")
    page.click("#glance_visitorscreen_bar button")          # default UI: Pause
    wait_event(page, "visitorscreensharepaused")
    page.click("#glance_visitorscreen_bar button")          # Resume
    wait_event(page, "visitorscreensharestarted", 2)
    console.evaluate("agentMedia.stopVisitorScreenshare()")
    wait_event(page, "visitorscreenshareended")
    assert media_names(page) == ["visitorscreensharerequested", "visitorscreensharedeclined",
                                 "visitorscreensharerequested", "visitorscreenshareaccepted",
                                 "visitorscreensharestarted", "visitorscreensharepaused",
                                 "visitorscreensharestarted", "pausevisitorscreenshare", "visitorscreenshareended"]
    assert page.evaluate("document.getElementById('glance_visitorscreen_bar')") is None
    console.wait_for_function("agentConsole.frames.some(f => f.name === 'visitorscreenshareended')")
    assert page.console.errors == [] and console.errors == []


ANSWER = """(() => { const t = setInterval(() => { if (window.GLANCE && GLANCE.Cobrowse && GLANCE.Cobrowse.Visitor) {
  clearInterval(t); GLANCE.Cobrowse.Visitor.addEventListener('urlstartwarning', p => p['%s']()); } }, 1); })()"""


def test_urlstartwarning_continues_a_session_from_another_origin(page, context, server):
    shop(page, server)
    start(page, "media-xd-1")
    wait_event(page, "statereceived")
    shared = json.loads(page.evaluate("localStorage.getItem('glance_cobrowse_shared')"))
    from visitor_sdk.media_core import continue_query
    q = continue_query("media-xd-1", 72937, shared["resume"])
    for answer in ("decline", "accept"):
        other = context.new_page()
        other.set_default_timeout(10000)
        other.add_init_script(ANSWER % answer)
        other.goto(server.alt_url + "/blank?check=1&" + q)
        other.wait_for_function("window.demoAttached === true")
        wait_event(other, "urlstartwarning")
        assert "glance_continue" not in other.url
        if answer == "decline":
            other.wait_for_timeout(300)
            assert other.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
            other.close()
    wait_event(other, "sessioncontinue")
    assert other.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "media-xd-1"
    assert "urlstartwarning" not in [e["name"] for e in page.evaluate("window.demoEvents")]
