"""Session lifecycle events for real: the visitor page in Chromium, the session service, Python agents."""
import signal

import pytest

from tests.browser.agents import DEMO_AGENT, OTHER_GROUP_AGENT, SECOND_AGENT
from tests.conftest import Server, free_port
from session_server.agent_client import AgentError


def shop(page, server, path="/", query="check=1"):
    page.goto(server.url + path + "?" + query)
    page.wait_for_function("window.demoAttached === true")


def names(page):
    return [e["name"] for e in page.evaluate("window.demoEvents")]


def payloads(page, name):
    import json
    return [json.loads(e["payload"]) for e in page.evaluate("window.demoEvents") if e["name"] == name]


def wait_event(page, name, count=1, timeout=10000):
    page.wait_for_function("([n, c]) => window.demoEvents.filter(e => e.name === n).length >= c", arg=[name, count],
                           timeout=timeout)


def start(page, key):
    page.evaluate("(k) => GLANCE.Cobrowse.Visitor.startSession(k)", key)
    wait_event(page, "sessionstart")


def test_start_confirm_and_stop(page, server):
    shop(page, server)
    page.evaluate("GLANCE.Cobrowse.Visitor.startSession({sessionKey: 'life-1'})")
    assert page.evaluate("GLANCE.Cobrowse.Visitor.readyState") == "starting"
    wait_event(page, "statereceived")
    assert names(page)[:5] == ["sessionstarting", "sessionstart", "sessioncontinue", "agents", "statereceived"]
    assert page.evaluate("[GLANCE.Cobrowse.Visitor.inSession(), GLANCE.Cobrowse.Visitor.getKey(), "
                         "GLANCE.Cobrowse.Visitor.readyState]") == [True, "life-1", "active"]
    assert payloads(page, "agents")[0] == {"count": 0, "agentlist": []}
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    wait_event(page, "sessionend")
    assert names(page)[-2:] == ["leavesession", "sessionend"]
    assert payloads(page, "sessionend") == [{"reason": "visitor"}]
    assert page.evaluate("[GLANCE.Cobrowse.Visitor.inSession(), GLANCE.Cobrowse.Visitor.getKey(), "
                         "GLANCE.Cobrowse.Visitor.readyState]") == [False, None, "idle"]
    assert page.console.errors == []


def test_navigation_continues_the_session(page, server, agents):
    shop(page, server)
    start(page, "nav-1")
    agent = agents.agent(server.url, "nav-1")
    wait_event(page, "agents", 2)
    page.click("#nav-product")
    page.wait_for_function("window.demoAttached === true && location.pathname === '/product'")
    wait_event(page, "statereceived")
    assert names(page) == ["sessioncontinue", "agents", "statereceived"]
    assert page.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "nav-1"
    assert payloads(page, "agents")[0]["count"] == 1
    assert page.evaluate("typeof GLANCE.Cobrowse.Visitor.getSessionState()") == "object"
    page.reload()
    page.wait_for_function("window.demoAttached === true")
    wait_event(page, "statereceived")
    assert names(page) == ["sessioncontinue", "agents", "statereceived"]
    agents.run(agent.close())


def test_agent_join_and_end_by_agent(page, server, agents):
    shop(page, server)
    start(page, "agent-end-1")
    agent = agents.agent(server.url, "agent-end-1")
    wait_event(page, "agents", 2)
    entry = payloads(page, "agents")[-1]
    assert entry["count"] == 1
    a = entry["agentlist"][0]
    assert a["role"] == "agent" and a["username"] == DEMO_AGENT[0] and a["num"] >= 1
    assert {"partnerid", "partneruserid", "name", "title", "guestid", "agentrole"} <= set(a)
    second = agents.agent(server.url, "agent-end-1", creds=SECOND_AGENT)
    wait_event(page, "agents", 3)
    assert payloads(page, "agents")[-1]["count"] == 2
    agents.run(second.leave())
    wait_event(page, "agents", 4)
    assert payloads(page, "agents")[-1]["count"] == 1
    agents.run(agent.end())
    wait_event(page, "sessionend")
    assert payloads(page, "sessionend") == [{"reason": "agent"}]
    assert page.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False


def test_agent_authentication_and_group_isolation(page, server, agents):
    shop(page, server)
    start(page, "auth-1")
    with pytest.raises(AgentError) as e:
        agents.agent(server.url, "auth-1", creds=(DEMO_AGENT[0], "wrong"))
    assert e.value.code == "unauthorized"
    with pytest.raises(AgentError) as e:
        agents.agent(server.url, "auth-1", creds=OTHER_GROUP_AGENT)
    assert e.value.code == "unauthorized"
    with pytest.raises(AgentError) as e:
        agents.agent(server.url, "auth-1", creds=OTHER_GROUP_AGENT, group=12345)
    assert e.value.code == "nosession"
    page.wait_for_timeout(200)
    assert payloads(page, "agents")[-1]["count"] == 0


def test_dupkey(context, server):
    a, b = context.browser.new_context().new_page(), context.browser.new_context().new_page()
    for p in (a, b):
        shop(p, server)
    start(a, "dup-1")
    b.evaluate("GLANCE.Cobrowse.Visitor.startSession('dup-1')")
    wait_event(b, "error")
    assert payloads(b, "error")[0]["code"] == "dupkey"
    assert "sessionstart" not in names(b)
    assert b.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
    assert a.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True
    for p in (a, b):
        p.context.close()


def test_service_unreachable(page, server):
    page.console.expect("WebSocket connection to").expect("GLANCE: could not connect to ws://")
    shop(page, server, query="check=1&ws=http://127.0.0.1:%d" % free_port())
    page.evaluate("GLANCE.Cobrowse.Visitor.startSession('svc-1')")
    wait_event(page, "error")
    assert names(page) == ["sessionstarting", "error"]
    assert payloads(page, "error")[0]["code"] == "service"
    assert page.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False


def test_two_tabs_focus_and_blur(context, server, agents):
    one = context.new_page()
    shop(one, server)
    start(one, "tabs-1")
    two = context.new_page()
    shop(two, server, path="/product")
    wait_event(two, "sessioncontinue")
    assert two.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "tabs-1"
    assert "sessionstart" not in names(two)
    agent = agents.agent(server.url, "tabs-1")
    one.bring_to_front()
    one.click("h1")
    wait_event(one, "focus")
    wait_event(two, "blur")
    two.bring_to_front()
    two.click("h1")
    wait_event(two, "focus")
    wait_event(one, "blur")
    agents.run(agent.end())
    wait_event(one, "sessionend")
    wait_event(two, "sessionend")


def test_server_restart_reconnects_without_loss(browser, agents, tmp_path):
    port = free_port()
    srv = Server(port=port).start()
    page = browser.new_context().new_page()
    page.console.allow("WebSocket connection to").allow("GLANCE: could not connect to ws://")   # the restart may be quick enough for no failed attempt
    try:
        shop(page, srv)
        start(page, "restart-1")
        agent = agents.agent(srv.url, "restart-1")
        wait_event(page, "agents", 2)
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait()
        wait_event(page, "connection")
        assert payloads(page, "connection")[0] == {"status": "reconnecting"}
        assert page.evaluate("GLANCE.Cobrowse.Visitor.readyState") == "reconnecting"
        # the agent acts while the service is down: the action waits in its outbox
        agents.run(agent.pause({"paused": True}))
        srv = Server(port=port).start()
        wait_event(page, "connection", 2)
        assert payloads(page, "connection")[1] == {"status": "ok"}
        assert page.evaluate("GLANCE.Cobrowse.Visitor.readyState") == "active"
        # the agent rejoins the resumed session and its action arrives once
        wait_event(page, "sessionpaused")
        page.wait_for_timeout(500)
        assert payloads(page, "sessionpaused") == [{"paused": True}]
        assert page.evaluate("GLANCE.Cobrowse.Visitor.isSessionPaused()") is True
        agents.run(agent.pause({"paused": False}))
        wait_event(page, "sessionpaused", 2)
        assert payloads(page, "sessionpaused") == [{"paused": True}, {"paused": False}]
        agents.run(agent.end())
        wait_event(page, "sessionend")
        assert names(page).count("sessionstart") == 1
        assert payloads(page, "sessionend") == [{"reason": "agent"}]
    finally:
        page.context.close()
        srv.stop()


def test_conndrop_when_the_service_stays_down(browser):
    srv = Server(env={"COBROWSE_RECONNECT_WINDOW": "2"}).start()
    page = browser.new_context().new_page()
    page.console.expect("WebSocket connection to").expect("GLANCE: could not connect to ws://")
    try:
        shop(page, srv)
        start(page, "drop-1")
        srv.stop()
        wait_event(page, "error", timeout=15000)
        assert payloads(page, "connection")[0] == {"status": "reconnecting"}
        assert payloads(page, "error") == [{"code": "conndrop", "msg": payloads(page, "error")[0]["msg"]}]
        wait_event(page, "sessionend")
        assert payloads(page, "sessionend") == [{"reason": "error"}]
        assert page.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
    finally:
        page.context.close()
        srv.stop()


def test_two_nodes_share_a_session_through_redis(browser, agents, redis_url):
    node1 = Server(extra_args=["--redis-url", redis_url]).start()
    node2 = Server(extra_args=["--redis-url", redis_url]).start()
    page = browser.new_context().new_page()
    try:
        shop(page, node1)
        start(page, "nodes-1")
        agent = agents.agent(node2.url, "nodes-1")
        wait_event(page, "agents", 2)
        assert payloads(page, "agents")[-1]["agentlist"][0]["username"] == DEMO_AGENT[0]
        assert agent.visitor is not None
        agents.run(agent.end())
        wait_event(page, "sessionend")
        assert payloads(page, "sessionend") == [{"reason": "agent"}]
    finally:
        page.context.close()
        node1.stop()
        node2.stop()
