"""The default visitor UI asks before the visitor's camera or screen goes to the agent, and shows
what is shared with a Stop button (real clicks, Chromium's fake camera and screen, real WebRTC)."""
from tests.browser.test_default_ui import dialog
from tests.browser.test_media import AGENT_VIDEO, media_names, open_agent, wait_frames
from tests.browser.test_session_lifecycle import shop, start, wait_event
from tests.conftest import poll_wait_for_function


def agent_got(console, name, count=1):
    console.wait_for_function("([n, c]) => agentConsole.frames.filter(f => f.type === 'visitor_event' && "
                              "f.name === n).length >= c", arg=[name, count])


def check_dialog(page, kind, title):
    box = dialog(page, kind)
    page.wait_for_selector(box)
    assert page.get_attribute(box, "role") == "dialog" and page.get_attribute(box, "aria-modal") == "true"
    labelled = page.get_attribute(box, "aria-labelledby")
    assert page.text_content("#" + labelled) == title
    assert page.evaluate("document.activeElement.className") == "glance-ui-decline"   # the safe answer
    assert page.get_attribute(box, "style") is None
    return box


def test_visitor_video_consent_bar_and_stop(page, context, server):
    shop(page, server)                                   # the default UI is on
    start(page, "ui-vv-1")
    console = open_agent(context, server, "ui-vv-1")

    # Decline: the agent is told, nothing starts
    console.evaluate("agentMedia.requestVideo()")
    box = check_dialog(page, "visitorvideorequested", "Share your camera")
    page.click(box + " .glance-ui-decline")
    wait_event(page, "visitorvideodeclined")
    agent_got(console, "visitorvideodeclined")
    assert page.query_selector(box) is None and page.query_selector("#glance_visitorvideo_bar") is None

    # Accept: the camera goes to the agent and the bar says so
    console.evaluate("agentMedia.requestVideo()")
    box = check_dialog(page, "visitorvideorequested", "Share your camera")
    page.click(box + " .glance-ui-accept")
    wait_event(page, "visitorvideostarted")
    assert page.query_selector(box) is None
    wait_frames(console, AGENT_VIDEO, "visitorvideo", "visitor camera at the agent")
    bar = "#glance_visitorvideo_bar"
    page.wait_for_selector(bar)
    assert page.text_content(bar + " p") == "Your camera is shared with the agent."
    assert page.get_attribute(bar + " p", "aria-live") == "polite"
    assert page.get_attribute(bar + " button", "aria-label") == "Stop sharing your camera"
    assert page.evaluate("getComputedStyle(document.getElementById('glance_visitorvideo_bar')).position") == "fixed"
    assert page.get_attribute(bar, "style") is None                 # styled by the SDK's sheet only

    page.evaluate("GLANCE.Cobrowse.Visitor.toggleVideo()")
    wait_event(page, "visitorvideopaused")
    assert page.text_content(bar + " p") == "Your camera is paused: the agent sees no picture."
    page.evaluate("GLANCE.Cobrowse.Visitor.toggleVideo()")
    wait_event(page, "visitorvideoresumed")
    assert page.text_content(bar + " p") == "Your camera is shared with the agent."

    page.click(bar + " .glance-ui-media-stop")
    wait_event(page, "visitorvideostopped")
    assert media_names(page)[-2:] == ["visitorvideoended", "visitorvideostopped"]
    page.wait_for_selector(bar, state="detached")
    agent_got(console, "visitorvideoended")
    agent_got(console, "visitorvideostopped")
    assert page.console.errors == [] and console.errors == []


def test_visitor_screenshare_consent_bar_pause_and_stop(page, context, server):
    poll_wait_for_function(page)                       # the strict policy blocks in-page polling of a string
    shop(page, server, path="/strict", query="check=1&csp=strict")   # no 'unsafe-inline' in style-src
    start(page, "ui-vs-1")
    console = open_agent(context, server, "ui-vs-1")

    console.evaluate("agentMedia.requestScreenshare()")
    box = check_dialog(page, "visitorscreensharerequested", "Share your screen")
    page.keyboard.press("Escape")                        # Escape declines
    wait_event(page, "visitorscreensharedeclined")
    agent_got(console, "visitorscreensharedeclined")
    assert page.query_selector(box) is None

    console.evaluate("agentMedia.requestScreenshare()")
    box = check_dialog(page, "visitorscreensharerequested", "Share your screen")
    page.click(box + " .glance-ui-accept")
    wait_event(page, "visitorscreensharestarted")
    wait_frames(console, AGENT_VIDEO, "visitorscreen", "visitor screen at the agent")
    bar = "#glance_visitorscreen_bar"
    page.wait_for_selector(bar)
    assert page.text_content(bar + " p") == "Your screen is shared with the agent."
    page.click(bar + " .glance-ui-media-pause")
    wait_event(page, "visitorscreensharepaused")
    assert page.text_content(bar + " .glance-ui-media-pause") == "Resume"
    assert page.text_content(bar + " p") == "Your screen share is paused."
    page.click(bar + " .glance-ui-media-pause")
    wait_event(page, "visitorscreensharestarted", 2)
    assert page.text_content(bar + " p") == "Your screen is shared with the agent."

    page.click(bar + " .glance-ui-media-stop")
    wait_event(page, "visitorscreenshareended")
    page.wait_for_selector(bar, state="detached")
    agent_got(console, "visitorscreenshareended")
    assert media_names(page) == ["visitorscreensharerequested", "visitorscreensharedeclined",
                                 "visitorscreensharerequested", "visitorscreenshareaccepted",
                                 "visitorscreensharestarted", "visitorscreensharepaused",
                                 "visitorscreensharestarted", "visitorscreenshareended"]
    assert page.evaluate("window.cspViolations") == []    # counted by the page's own script
    assert page.console.errors == [] and console.errors == []


def test_no_default_dialog_with_data_ui_none_or_a_page_that_answers(page, server, agents):
    # data-ui="none": the requests reach the page, the SDK draws nothing
    shop(page, server, query="check=1&ui=none")
    start(page, "ui-vm-none")
    agent = agents.agent(server.url, "ui-vm-none")
    agents.run(agent.action("videorequest"))
    agents.run(agent.action("visitorscreensharerequest"))
    wait_event(page, "visitorvideorequested")
    wait_event(page, "visitorscreensharerequested")
    page.wait_for_timeout(200)
    assert page.query_selector(".glance-ui-dialog") is None
    assert page.evaluate("document.adoptedStyleSheets.length") == 0
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    wait_event(page, "sessionend")

    # the default UI, but the page answers the requests itself (at once, and in a promise callback)
    shop(page, server)
    page.evaluate("""() => {
      GLANCE.Cobrowse.Visitor.addEventListener('visitorvideorequested', p => p.decline());
      GLANCE.Cobrowse.Visitor.addEventListener('visitorscreensharerequested', p => Promise.resolve().then(p.decline));
    }""")
    start(page, "ui-vm-page")
    agent = agents.agent(server.url, "ui-vm-page")
    agents.run(agent.action("videorequest"))
    agents.run(agent.action("visitorscreensharerequest"))
    wait_event(page, "visitorvideodeclined")
    wait_event(page, "visitorscreensharedeclined")
    page.wait_for_timeout(200)
    assert page.query_selector(".glance-ui-dialog") is None
    assert agents.run(agent.next_event("visitorvideodeclined"))["name"] == "visitorvideodeclined"
    assert page.console.errors == []
