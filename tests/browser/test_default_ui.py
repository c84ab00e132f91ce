"""The default visitor UI driven by real clicks and keys (Playwright), and data-ui="none"."""
import pytest

from tests.browser.test_session_lifecycle import names, payloads, shop, wait_event

CSV = b"a,b\n1,2\n"


def dialog(page, kind):
    return '.glance-ui-dialog[data-kind="%s"]' % kind


def test_default_ui_by_clicks(page, server, agents):
    shop(page, server)                                   # check=1, the default UI is on
    assert page.query_selector("#glance-ui") is None
    page.click("#start-session")                         # the demo's own button: a random key
    wait_event(page, "sessioncontinue")
    key = page.evaluate("GLANCE.Cobrowse.Visitor.getKey()")
    page.wait_for_selector("#glance-ui")
    assert page.text_content("#glance-ui-key") == key
    assert page.get_attribute("#glance-ui", "role") == "region"
    assert page.get_attribute("#glance-ui-status", "aria-live") == "polite"

    agent = agents.agent(server.url, key)
    page.wait_for_function("document.getElementById('glance-ui-status').textContent.includes('Janet Wills')")

    # a guest request: a modal dialog with the focus on Decline; Escape declines
    agents.run(agent.addguest({"name": "Betty"}))
    page.wait_for_selector(dialog(page, "addguestrequested"))
    box = dialog(page, "addguestrequested")
    assert page.get_attribute(box, "role") == "dialog" and page.get_attribute(box, "aria-modal") == "true"
    assert page.evaluate("document.activeElement.className") == "glance-ui-decline"
    page.keyboard.press("Tab")                            # focus stays inside the dialog
    assert page.evaluate("document.activeElement.className") == "glance-ui-accept"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "glance-ui-decline"
    page.keyboard.press("Escape")
    wait_event(page, "addguestdeclined")
    assert agents.run(agent.next_event("addguestdeclined"))["payload"] == {"name": "Betty"}
    assert page.query_selector(box) is None

    # guest accepted by a click
    agents.run(agent.addguest({"name": "Fred"}))
    page.click(dialog(page, "addguestrequested") + " .glance-ui-accept")
    wait_event(page, "addguestaccepted")

    # a reverse request withdrawn by the agent: the dialog goes away unanswered
    agents.run(agent.reverse())
    page.wait_for_selector(dialog(page, "reverseconfirm"))
    agents.run(agent.reverseend())
    wait_event(page, "reverseended")
    page.wait_for_selector(dialog(page, "reverseconfirm"), state="detached")
    agents.run(agent.reverse())
    page.click(dialog(page, "reverseconfirm") + " .glance-ui-accept")
    agents.run(agent.next_event("reverseaccepted"))

    # a document request: "Choose a file" opens the picker (a real user gesture)
    agents.run(agent.docsharerequest())
    page.wait_for_selector(dialog(page, "docsharerequested"))
    with page.expect_file_chooser() as fc:
        page.click(dialog(page, "docsharerequested") + " .glance-ui-accept")
    fc.value.set_files(files=[{"name": "mine.csv", "mimeType": "text/csv", "buffer": CSV}])
    wait_event(page, "documentviewed")
    assert payloads(page, "documentviewed") == [{"name": "mine.csv", "visitorselected": True}]
    agents.run(agent.next_event("visitordocument"))
    page.click("#glance-doc-viewer-close")

    # remote control: Allow, then the overlay's Stop button
    agents.run(agent.rcrequest())
    page.click(dialog(page, "rcrequested") + " .glance-ui-accept")
    wait_event(page, "rcenabled")
    page.wait_for_selector("#glance-ui-rc-stop", state="visible")
    page.click("#glance-ui-rc-stop")
    wait_event(page, "rcenabled", 2)
    assert payloads(page, "rcenabled")[-1] == {"enabled": False}
    page.wait_for_selector("#glance-ui-rc-stop", state="hidden")

    # pause is shown
    agents.run(agent.pause({"paused": True}))
    wait_event(page, "sessionpaused")
    page.wait_for_selector('#glance-ui[data-paused="true"]')
    agents.run(agent.pause({"paused": False}))
    page.wait_for_selector('#glance-ui[data-paused="false"]')

    # accessibility toggle
    assert page.get_attribute("#glance-ui-a11y", "aria-pressed") == "false"
    page.click("#glance-ui-a11y")
    wait_event(page, "accessibility")
    assert payloads(page, "accessibility") == [{"enabled": True}]
    assert page.get_attribute("#glance-ui-a11y", "aria-pressed") == "true"
    assert page.evaluate("document.documentElement.classList.contains('glance-a11y')")
    assert agents.run(agent.next_event("accessibility"))["payload"] == {"enabled": True}
    page.click("#glance-ui-a11y")
    wait_event(page, "accessibility", 2)
    assert payloads(page, "accessibility")[-1] == {"enabled": False}

    # end the session from the overlay
    page.click("#glance-ui-end")
    wait_event(page, "sessionend")
    assert payloads(page, "sessionend") == [{"reason": "visitor"}]
    page.wait_for_selector("#glance-ui", state="detached")
    assert page.console.errors == []


def test_data_ui_none_keeps_the_events_without_the_overlay(page, server, agents):
    shop(page, server, query="check=1&ui=none")
    page.evaluate("GLANCE.Cobrowse.Visitor.startSession('ui-none-1')")
    wait_event(page, "sessioncontinue")
    agent = agents.agent(server.url, "ui-none-1")
    for action in ("addguest", "reverse", "docsharerequest", "rcrequest"):
        agents.run(agent.action(action))
    for ev in ("addguestrequested", "reverseconfirm", "docsharerequested", "rcrequested"):
        wait_event(page, ev)
    page.wait_for_timeout(200)
    assert page.query_selector("#glance-ui") is None
    assert page.query_selector(".glance-ui-dialog") is None
    assert page.evaluate("document.getElementById('glance-ui-style')") is None
    assert page.evaluate("document.adoptedStyleSheets.length") == 0
    assert page.console.errors == []
