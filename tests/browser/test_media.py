"""Screen share and video for real: the agent console and a visitor page in one Chromium,
a WebRTC connection on loopback (fake camera and screen), frames really arriving."""
import json

import pytest

from tests.browser.test_session_lifecycle import payloads, shop, start, wait_event

AGENT = ("janet.glance.net", "demo-agent")


def names(page, prefix=None):
    out = [e["name"] for e in page.evaluate("window.demoEvents")]
    return out


def media_names(page):
    keep = ("screenshare", "viewer", "visitorvideo", "visitorscreen", "pausevisitor", "participantvideo",
            "waitingforcamera", "error")
    return [n for n in names(page) if n.startswith(keep)]


def open_agent(context, server, key):
    console = context.new_page()
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
