"""The runtime goes live with the core alone; the feature chunk follows.

What a visitor and an agent see when the features arrive late (held back by
the test), and when they never arrive. These pages run without the
data-check-payloads seam, which waits for the features before going live.
"""
from session_server.dist_files import dist_name
from tests.browser.test_session_lifecycle import names, payloads, start, wait_event

FEATURES = dist_name("glance-cobrowse-features.js")


def hold_features(page):
    """Serve the feature chunk wrapped so that it runs only when the test calls
    window.__releaseFeatures()."""
    def handler(route):
        resp = route.fetch()
        body = "window.__releaseFeatures = function () {\n" + resp.text() + "\n};"
        route.fulfill(status=200, content_type="application/javascript", body=body)
    page.route("**/dist/" + FEATURES + "*", handler)


def open_shop(page, server, path="/checkout"):
    page.goto(server.url + path)
    page.wait_for_function("window.demoAttached === true")
    page.evaluate("""() => {
        window.rc = null;
        GLANCE.Cobrowse.Visitor.addEventListener('rcrequested', function (p) { window.rc = p; });
    }""")


def test_live_before_the_features_and_nothing_is_lost_while_they_load(page, server, agents):
    hold_features(page)
    open_shop(page, server)
    start(page, "chunk-late-1")
    wait_event(page, "sessionstart")
    page.wait_for_function("typeof window.__releaseFeatures === 'function'")
    assert page.evaluate("GLANCE.Cobrowse._loader.featuresAt") is None
    assert page.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True

    agent = agents.agent(server.url, "chunk-late-1")
    wait_event(page, "agents", 2)
    # An agent action that only a feature answers: it waits for the features.
    agents.run(agent.rcrequest(id="early-1"))
    page.wait_for_timeout(500)
    assert page.evaluate("window.rc") is None
    assert "rcrequested" not in names(page)

    page.evaluate("window.__releaseFeatures()")
    page.wait_for_function("GLANCE.Cobrowse._loader.featuresAt !== null")
    page.wait_for_function("window.rc !== null")
    # The default UI shows what happened before it existed: the key and the agent.
    page.wait_for_function("document.getElementById('glance-ui-key') !== null")
    assert page.text_content("#glance-ui-key") == "chunk-late-1"
    status = page.text_content("#glance-ui-status")
    assert "Connected with" in status, status
    page.evaluate("window.rc.accept()")
    assert agents.run(agent.next_event("rcaccepted"))["ref"] == "early-1"
    # The cobrowse view heard about the agent that joined before it existed: a snapshot goes out.
    snap = agents.run(agent.next_event("dom_snapshot", timeout=10))
    assert snap["payload"]
    # Each event reached the page's own listeners once (replaying feeds only the features).
    assert names(page).count("sessionstart") == 1
    assert names(page).count("rcrequested") == 1
    assert page.console.errors == []


def test_show_terms_waits_for_the_dialog(page, server):
    hold_features(page)
    page.goto(server.url + "/")
    page.wait_for_function("window.demoAttached === true")
    page.evaluate("GLANCE.Cobrowse.Visitor.showTerms({sessionKey: 'chunk-terms-1'})")
    page.wait_for_function("typeof window.__releaseFeatures === 'function'")
    page.wait_for_timeout(300)
    # No dialog without the UI, and no session started behind the visitor's back.
    assert page.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
    page.evaluate("window.__releaseFeatures()")
    page.wait_for_selector("[role=dialog]")
    page.get_by_role("button", name="Start session").click()
    wait_event(page, "sessionstart")
    assert page.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "chunk-terms-1"


def test_a_missing_feature_chunk_is_an_error_event_and_the_session_goes_on(page, server):
    page.route("**/dist/" + FEATURES + "*", lambda route: route.fulfill(status=404, body="gone"))
    page.console.expect("Failed to load resource").expect("GLANCE: could not load the cobrowse features")
    open_shop(page, server, "/")
    start(page, "chunk-missing-1")
    wait_event(page, "sessionstart")
    wait_event(page, "error")
    err = payloads(page, "error")[0]
    assert err["code"] == "SCRIPT_NOT_LOADED"
    assert err["params"] == {"script": FEATURES}
    assert FEATURES in err["msg"]
    assert any(FEATURES in e for e in page.console.of("error"))
    assert page.evaluate("GLANCE.Cobrowse.Visitor.readyState") == "active"
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    wait_event(page, "sessionend")


def test_a_view_only_session_never_fetches_the_parts_and_an_rc_request_waits_for_its_part(page, server, agents):
    fetched = []
    page.on("request", lambda r: fetched.append(r.url))
    open_shop(page, server)
    start(page, "chunk-parts-1")
    agent = agents.agent(server.url, "chunk-parts-1")
    # The agent only watches: the cobrowse view goes out, no part is fetched.
    snap = agents.run(agent.next_event("dom_snapshot", timeout=10))
    assert snap["payload"]
    page.wait_for_timeout(300)
    parts = [u for u in fetched if "glance-cobrowse-part-" in u]
    assert parts == [], parts
    # The first rcrequest fetches remote control; the request waited for it and is answered.
    agents.run(agent.rcrequest(id="late-part-1"))
    page.wait_for_function("window.rc !== null")
    assert [u for u in fetched if "glance-cobrowse-part-" in u] == [server.url + "/dist/" + dist_name("glance-cobrowse-part-rc.js")]
    page.evaluate("window.rc.accept()")
    assert agents.run(agent.next_event("rcaccepted"))["ref"] == "late-part-1"
    assert names(page).count("rcrequested") == 1
    assert page.console.errors == []
