"""Screen share and video, the harder cases: a viewer that cannot keep up (PlayerTooSlow) and a tab that
regains focus (visitorvideo again). Real WebRTC on loopback with Chromium's fake devices."""
from tests.browser.test_media import (AGENT_VIDEO, IFRAME_VIDEO, media_names, names, open_agent, visitor_event_names,
                                      wait_frames)
from tests.browser.test_session_lifecycle import payloads, shop, start, wait_event

VIEWER = "document.getElementById('glance_screenshare').contentDocument.getElementById('glance_video')"


def test_viewer_that_shows_no_frames_closes_with_player_too_slow(page, context, server):
    shop(page, server)
    start(page, "media-slow-1")
    console = open_agent(context, server, "media-slow-1")
    console.evaluate("agentMedia.shareScreen()")
    wait_event(page, "screenshare")
    wait_frames(page, IFRAME_VIDEO, "glance_screenshare", "agent screen in the visitor iframe")
    wait_event(page, "viewerinfo", 2, timeout=8000)      # statistics of a viewer that keeps up
    assert "viewerclosing" not in names(page)

    # The player stops presenting frames while the agent's track stays live and frames keep arriving
    # and being decoded: the visitor's viewer no longer keeps up with the stream.
    page.evaluate(VIEWER + ".pause()")
    shown = page.evaluate(IFRAME_VIDEO, "glance_screenshare")[3]
    wait_event(page, "viewerclosing", timeout=15000)
    assert payloads(page, "viewerclosing") == [{"closereason": "PlayerTooSlow"}]
    assert page.evaluate(VIEWER + ".srcObject.getVideoTracks()[0].readyState") == "live"
    assert page.evaluate(IFRAME_VIDEO, "glance_screenshare")[3] == shown          # really nothing shown
    stats = [p["glance_viewer"]["stats"] for p in payloads(page, "viewerinfo") if "glance_viewer" in p]
    assert stats[-1]["viewerfps"] == 0 and stats[-1]["displayfps"] >= 5, stats
    console.wait_for_function("agentConsole.frames.some(f => f.name === 'viewerclosing')")
    ev = console.evaluate("agentConsole.frames.filter(f => f.name === 'viewerclosing')[0].payload")
    assert ev == {"screenshareView": "glance_screenshare", "closereason": "PlayerTooSlow"}

    page.wait_for_timeout(4500)                                                   # two more statistics periods
    assert names(page).count("viewerclosing") == 1
    assert page.console.errors == [] and console.errors == []


def test_visitorvideo_fires_again_when_the_tab_regains_focus(page, context, server):
    shop(page, server)
    start(page, "media-refocus-1")
    console = open_agent(context, server, "media-refocus-1")
    # Playwright emulates focus for every page (all of them always focused); turn that off so that
    # bringing another tab to the front really blurs the visitor's tab and bringing it back focuses it.
    for p in (page, console):
        context.new_cdp_session(p).send("Emulation.setFocusEmulationEnabled", {"enabled": False})
    page.bring_to_front()
    page.wait_for_function("document.hasFocus()")
    page.evaluate("""() => GLANCE.Cobrowse.Visitor.addEventListener('visitorvideorequested',
        p => p.accept({video: 'small'}))""")
    console.evaluate("agentMedia.requestVideo()")
    wait_event(page, "visitorvideostarted")
    wait_frames(console, AGENT_VIDEO, "visitorvideo", "visitor camera at the agent")
    assert media_names(page).count("visitorvideo") == 1

    console.bring_to_front()
    page.wait_for_function("!document.hasFocus()")
    page.wait_for_timeout(200)
    assert media_names(page).count("visitorvideo") == 1       # going away says nothing
    page.bring_to_front()
    wait_event(page, "visitorvideo", 2)
    assert payloads(page, "visitorvideo")[1] == {"video": "small", "camerastatus": "available"}
    console.wait_for_function("agentConsole.frames.filter(f => f.name === 'visitorvideo').length >= 2")

    # focus moving into a frame of the page and back is not the tab regaining focus
    page.evaluate("""() => { const f = document.getElementById('glance_screenshare');
        f.hidden = false; f.contentWindow.focus(); }""")
    page.wait_for_function("document.activeElement === document.getElementById('glance_screenshare')")
    page.evaluate("window.focus()")
    page.wait_for_timeout(300)
    assert media_names(page).count("visitorvideo") == 2

    # paused video: visitorvideo then visitorvideopaused on the next return
    page.evaluate("GLANCE.Cobrowse.Visitor.toggleVideo()")
    wait_event(page, "visitorvideopaused")
    console.bring_to_front()
    page.wait_for_function("!document.hasFocus()")
    page.bring_to_front()
    wait_event(page, "visitorvideopaused", 2)
    tail = media_names(page)[-2:]
    assert tail == ["visitorvideo", "visitorvideopaused"], media_names(page)
    assert names(page).count("visitorvideo") == 3
    assert "visitorvideo" in visitor_event_names(console)
    assert page.console.errors == [] and console.errors == []
