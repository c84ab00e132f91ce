"""The demo's agent console page (/agent) against the real session service.

A visitor page (the demo shop) starts a session; the console, in another
page, signs in, finds the session in its live list, joins it by clicking, and
drives it. Reliability (seq, acks, resend after a reconnect) is checked by
dropping the console's socket mid-session.
"""
import json
import signal
import time

from session_server import login_keys
from tests.conftest import TEST_API_SECRET, Server, free_port, poll, poll_wait_for_function
from tests.browser.test_session_lifecycle import payloads, shop, start, wait_event

USER, PASSWORD = "janet.glance.net", "demo-agent"


def open_console(context, server, login=True):
    page = poll_wait_for_function(context.new_page())   # the console's CSP: no in-page polling
    page.set_default_timeout(10000)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    page.goto(server.url + "/agent")
    page.wait_for_function("!!window.agentConsole")
    if login:
        # the form comes filled in with the demo's janet credentials
        assert page.input_value("#login-group") == "72937"
        assert page.input_value("#login-username") == USER
        page.click("#login-submit")
        page.wait_for_selector("#sessions-panel:not([hidden])")
    return page


def session_row(console, key):
    return console.locator('#sessions-body tr[data-key="%s"]' % key)


def test_console_lists_joins_and_ends_a_session(page, context, server):
    shop(page, server)
    start(page, "console-1")
    console = open_console(context, server)

    row = session_row(console, "console-1")
    row.wait_for()
    assert row.locator("td").nth(3).inner_text() == "1"    # tabs
    assert row.locator("td").nth(4).inner_text() == "0"    # agents
    row.get_by_role("button", name="Join session console-1").click()

    # the visitor sees the agent arrive
    wait_event(page, "agents", 2)
    entry = payloads(page, "agents")[-1]
    assert entry["count"] == 1 and entry["agentlist"][0]["username"] == USER

    # the console shows the participant, the visitor's presence and the session
    console.wait_for_selector('#participants li[data-username="%s"]' % USER)
    assert "you" in console.inner_text("#participants")
    console.wait_for_function("document.getElementById('presence').textContent.startsWith('connected')")
    assert console.inner_text("#conn-status") == "connected"
    assert console.inner_text("#session-key") == "console-1"
    # the list refreshes (every 2 s) and shows the agent count and the joined state
    console.wait_for_function("document.querySelector('#sessions-body tr[data-key=\"console-1\"] td:nth-child(5)')"
                              ".textContent === '1'", timeout=5000)
    assert row.locator("button").inner_text() == "Joined"

    # every reliable frame received was acknowledged, in order, without gaps
    frames = console.evaluate("agentConsole.frames")
    seqs = [f["seq"] for f in frames if f["type"] in ("agents", "state", "presence")]
    assert seqs == sorted(seqs) and seqs[0] == 1
    console.wait_for_function("agentConsole.sent.filter(f => f.type === 'ack').map(f => f.ack)"
                              ".includes(Math.max(...agentConsole.frames.filter(f => f.seq > 0).map(f => f.seq)))")

    # an action button reaches the visitor's session (the console logs its frame)
    console.click("#act-rcrequest")
    console.wait_for_function("agentConsole.sent.some(f => f.type === 'agent_action' && f.name === 'rcrequest')")
    assert console.locator("#log").is_hidden()            # the raw frame log sits behind the Debug toggle
    console.click("#debug-toggle")
    console.wait_for_selector("#log li.log-agent_action")

    console.click("#end-session")
    wait_event(page, "sessionend")
    assert payloads(page, "sessionend") == [{"reason": "agent"}]
    console.wait_for_function("agentConsole.status === 'ended'")
    assert console.inner_text("#conn-status").startswith("session ended")
    assert console.locator("#act-rcrequest").is_disabled()
    # the ended session leaves the list
    session_row(console, "console-1").wait_for(state="detached", timeout=5000)
    assert console.console_errors == []


def test_wrong_credentials_show_a_clear_error(context, server):
    console = open_console(context, server, login=False)
    console.fill("#login-password", "wrong")
    console.click("#login-submit")
    console.wait_for_selector("#login-error:not(:empty)")
    assert console.inner_text("#login-error") == "Wrong username or password for group 72937."
    assert console.is_hidden("#sessions-panel")
    console.fill("#login-group", "abc")
    console.click("#login-submit")
    console.wait_for_function("document.getElementById('login-error').textContent.includes('positive number')")
    assert console.get_attribute("#login-group", "aria-invalid") == "true"
    # joining through the socket with a wrong password is refused with the protocol's code
    code = console.evaluate("agentConsole.join(72937, 'nobody-here', 'janet.glance.net', 'nope')"
                            ".then(() => 'joined', e => e.code)")
    assert code == "unauthorized"
    assert "Wrong username or password" in console.inner_text("#join-error")
    # signed in with the right password, joining an unknown key by hand says so
    console.fill("#login-group", "72937")
    console.fill("#login-password", PASSWORD)
    console.click("#login-submit")
    console.wait_for_selector("#sessions-panel:not([hidden])")
    assert console.inner_text("#login-error") == ""
    console.fill("#join-key", "no-such-key")
    console.click("#join-key-submit")
    console.wait_for_function("document.getElementById('join-error').textContent.includes('No live session')")
    assert console.inner_text("#join-error") == "Could not join: No live session with key no-such-key in group 72937."
    assert console.console_errors == []


def test_scripted_join_actions_reconnect_and_leave(page, context, server):
    shop(page, server)
    start(page, "console-2")
    console = open_console(context, server, login=False)
    joined = console.evaluate("agentConsole.join('72937', 'console-2', %s, %s).then(m => m)"
                              % (json.dumps(USER), json.dumps(PASSWORD)))
    assert joined["type"] == "joined" and joined["key"] == "console-2" and joined["window"] > 0
    wait_event(page, "agents", 2)

    # drop the socket: the console rejoins with its resume token; an action sent
    # while it is down is queued in the outbox and delivered once, after the rejoin
    console.evaluate("""() => {
        agentConsole.session.dropSocket();
        agentConsole.action('pause', {paused: true});
    }""")
    console.wait_for_function("agentConsole.sent.filter(f => f.type === 'join').length === 2")
    console.wait_for_function("agentConsole.status === 'joined'")
    sent_actions = console.evaluate("agentConsole.sent.filter(f => f.type === 'agent_action')")
    assert [a["name"] for a in sent_actions] == ["pause"]
    rejoin = console.evaluate("agentConsole.sent.filter(f => f.type === 'join')[1]")
    assert rejoin["resume"] and rejoin["last_seq"] >= 1
    console.wait_for_function("agentConsole.session.info().pending === 0")
    wait_event(page, "sessionpaused")            # the queued pause reached the visitor ...
    # still one agent: the rejoin took the same seat
    page.wait_for_timeout(300)
    assert payloads(page, "agents")[-1]["count"] == 1
    assert console.evaluate("agentConsole.agents.count") == 1
    assert payloads(page, "sessionpaused") == [{"paused": True}]   # ... once

    # a reliable frame seen before is acked and dropped; so is one after a gap (the console's
    # session code is the visitor SDK's SessionClient: it acks what it has and waits for the resend)
    probe = """seq => {
        const s = agentConsole.session, acks = agentConsole.sent.filter(f => f.type === 'ack').length;
        s.inject({v: 1, type: 'state', seq: seq === 'gap' ? s.info().inbox + 5 : 1, state: {injected: true}});
        return new Promise(r => setTimeout(() => r({injected: 'injected' in s.state,
            acked: agentConsole.sent.filter(f => f.type === 'ack').slice(acks).map(f => f.ack)[0] === s.info().inbox}), 50));
    }"""
    assert console.evaluate(probe, "dup") == {"injected": False, "acked": True}
    assert console.evaluate(probe, "gap") == {"injected": False, "acked": True}
    assert console.evaluate("agentConsole.status") == "joined"
    assert console.evaluate("'injected' in agentConsole.state") is False

    console.evaluate("agentConsole.leave()")
    page.wait_for_function("JSON.parse(window.demoEvents.filter(e => e.name === 'agents').pop().payload).count === 0")
    assert console.evaluate("agentConsole.status") == "left"
    assert page.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    wait_event(page, "sessionend")
    assert console.console_errors == []


def test_console_rejoins_after_a_server_restart(browser):
    port = free_port()
    srv = Server(port=port).start()
    ctx = browser.new_context()
    page = ctx.new_page()
    # the service is down for a while: the browser's own line per failed attempt, the SDK's warning once
    # (a quick restart may leave no failed attempt)
    page.console.allow("WebSocket connection to").allow("GLANCE: could not connect to ws://")
    try:
        shop(page, srv)
        start(page, "console-3")
        console = open_console(ctx, srv)
        console.console.allow("WebSocket connection to")   # the console's own rejoin attempts while it is down
        session_row(console, "console-3").get_by_role("button", name="Join session console-3").click()
        console.wait_for_function("agentConsole.status === 'joined'")
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait()
        console.wait_for_function("agentConsole.status === 'reconnecting'")
        assert console.inner_text("#conn-status").startswith("reconnecting")
        console.click("#act-rcrequest")          # queued while the service is down
        srv = Server(port=port).start()
        wait_event(page, "connection", 2)        # the visitor resumes first, then the console rejoins
        console.wait_for_function("agentConsole.status === 'joined'", timeout=15000)
        joined = console.evaluate("agentConsole.frames.filter(f => f.type === 'joined')")
        assert len(joined) == 2 and joined[1]["exact"] is False   # a fresh server: everything unacked is resent
        console.wait_for_function("agentConsole.session.info().pending === 0")
        sent = console.evaluate("agentConsole.sent.filter(f => f.type === 'agent_action')")
        assert len({(f["name"], f["seq"]) for f in sent}) == 1 and sent[0]["name"] == "rcrequest"   # one frame, one seq
        console.click("#end-session")
        wait_event(page, "sessionend")
        assert payloads(page, "sessionend") == [{"reason": "agent"}]
        assert console.console_errors == []
    finally:
        ctx.close()
        srv.stop()


def test_console_remote_control_by_hand(page, context, server):
    """Click / Type / Leave field on a data-gid from the console's form; refusals are shown plainly."""
    from tests.browser.test_remote_control import RC_PROBE, field_log, gid
    shop(page, server, "/checkout")
    page.evaluate(RC_PROBE)
    start(page, "console-rc-1")
    page.evaluate("GLANCE.Cobrowse.Visitor.addEventListener('rcrequested', p => p.accept())")
    console = open_console(context, server)
    session_row(console, "console-rc-1").get_by_role("button", name="Join session console-rc-1").click()
    console.wait_for_function("agentConsole.status === 'joined'")
    console.click("#debug-toggle")                      # acting by data-gid is a debug tool now

    # before remote control is on, the visitor's page refuses
    console.fill("#rc-gid", str(gid(page, "#fullname")))
    console.click("#act-rcclick")
    console.wait_for_selector("#rc-result.refused")
    assert "remote control is not on" in console.inner_text("#rc-result")

    console.click("#act-rcrequest")
    wait_event(page, "rcenabled")
    console.wait_for_function("document.getElementById('rc-state').textContent === 'on'")

    console.fill("#rc-text", "Ada Lovelace")
    console.click("#act-rctype")
    page.wait_for_function("document.getElementById('fullname').value === 'Ada Lovelace'")
    console.wait_for_function("document.getElementById('rc-result').textContent.startsWith('Done: typing')")
    assert '"Ada Lovelace"' in console.inner_text("#rc-result")
    console.click("#act-rcleave")
    wait_event(page, "rcevent", 2)
    assert [p["type"] for p in payloads(page, "rcevent")] == ["agenttyping", "inputchange"]
    assert payloads(page, "rcevent")[0]["value"] == "Ada Lovelace"
    # a path typed in full works too; a click really clicks
    console.fill("#rc-gid", '[data-gid="%d"]' % gid(page, "#email"))
    console.click("#act-rcclick")
    wait_event(page, "rcevent", 3)
    assert payloads(page, "rcevent")[2]["type"] == "click"
    assert field_log(page)[-1] == "click:email"
    assert "change:fullname" in field_log(page)

    # a password field and a masked one: refused, nothing typed, and the console says why
    for selector, reason, words in (("#password", "password", "password fields can never"),
                                    ("#card", "masked", "masked")):
        console.fill("#rc-gid", str(gid(page, selector)))
        console.fill("#rc-text", "secret")
        console.click("#act-rctype")
        console.wait_for_function("(r) => document.getElementById('rc-result').textContent.includes('(' + r + ')')",
                                  arg=reason)
        text = console.inner_text("#rc-result")
        assert text.startswith("Refused: typing on [data-gid=") and words in text
        assert console.locator("#rc-result.refused").count() == 1
        assert page.input_value(selector) == ""
    assert console.locator("#answers li.answer-rcrefused.answer-refused").count() == 3

    # junk in the id field never leaves the console
    sent = console.evaluate("agentConsole.sent.filter(f => f.name === 'rcevent').length")
    console.fill("#rc-gid", "abc")
    console.click("#act-rcclick")
    assert "Enter the element's data-gid" in console.inner_text("#rc-result")
    assert console.evaluate("agentConsole.sent.filter(f => f.name === 'rcevent').length") == sent

    console.click("#act-rcend")
    console.wait_for_function("document.getElementById('rc-state').textContent === 'off'")
    assert console.console_errors == [] and page.console.errors == []


def test_console_pause_button_follows_another_agents_pause(page, context, server, agents):
    """The visitor tells every agent sessionpaused, so the console's Pause button stays in step."""
    shop(page, server)
    start(page, "console-pause-2")
    console = open_console(context, server)
    session_row(console, "console-pause-2").get_by_role("button", name="Join session console-pause-2").click()
    console.wait_for_function("agentConsole.status === 'joined'")
    other = agents.agent(server.url, "console-pause-2", creds=("mary.glance.net", "demo-supervisor"))
    agents.run(other.pause({"paused": True}))
    wait_event(page, "sessionpaused")
    console.wait_for_function("document.getElementById('act-pause').getAttribute('aria-pressed') === 'true'")
    assert console.inner_text("#act-pause") == "Resume session"
    console.click("#act-pause")                      # the console resumes it
    wait_event(page, "sessionpaused", 2)
    assert payloads(page, "sessionpaused") == [{"paused": True}, {"paused": False}]
    assert agents.run(other.next_event("sessionpaused"))["payload"] == {"paused": True}
    assert agents.run(other.next_event("sessionpaused"))["payload"] == {"paused": False}


def mint(puid="janet@example.com", group=72937, ttl=300):
    return login_keys.mint(TEST_API_SECRET, group, puid, int(time.time()) + ttl)


def test_console_signs_in_with_a_crm_login_key(page, context, server):
    """A CRM opens /agent#loginkey=<key>: the console signs in as the key's agent without a password,
    takes the key out of the address bar, joins with it, and says in words why a bad key is refused."""
    shop(page, server)
    start(page, "console-lk")
    console = context.new_page()
    console.set_default_timeout(10000)
    errors = []
    console.on("pageerror", lambda e: errors.append(str(e)))
    console.goto(server.url + "/agent?tab=1#loginkey=" + mint())
    console.wait_for_selector("#sessions-panel:not([hidden])")
    assert console.evaluate("location.href") == server.url + "/agent?tab=1"
    assert console.inner_text("#whoami") == "Signed in as " + USER + " \u00b7 group 72937"
    row = session_row(console, "console-lk")
    row.wait_for()
    row.get_by_role("button", name="Join session console-lk").click()
    wait_event(page, "agents", 2)
    assert payloads(page, "agents")[-1]["agentlist"][0]["username"] == USER
    joins = console.evaluate("agentConsole.sent.filter(f => f.type === 'join')")
    assert joins and all("loginkey" not in f and "password" not in f for f in joins)   # never kept or shown
    console.evaluate("agentConsole.logout()")

    # refused keys, typed into the form: the console says why, in words
    tampered = mint()[:-4] + ("AAAA" if not mint().endswith("AAAA") else "BBBB")
    for key, words in ((mint(ttl=-10), "The login key has expired: ask your CRM for a new one."),
                       (tampered, "The login key is not valid (malformed, or altered since it was made)."),
                       ("not a key", "The login key is not valid (malformed, or altered since it was made)."),
                       (mint("nobody@example.com"), "The login key was refused: the login key names partner "
                                                    "user id 'nobody@example.com', which is not an agent of group 72937")):
        console.fill("#login-key", key)
        console.click("#login-key-submit")
        assert poll(console, "document.getElementById('login-error').textContent") == words
        assert console.is_hidden("#sessions-panel")
        console.evaluate("document.getElementById('login-error').textContent = ''")
    # a login key the socket refuses (expired by the time of the join) gets the same words on join
    code = console.evaluate("(k) => agentConsole.join(72937, 'console-lk', null, null, k).then(() => 'joined', e => e.code)",
                            mint(ttl=-10))
    assert code == "loginkey_expired"
    assert console.inner_text("#join-error") == "Could not join: The login key has expired: ask your CRM for a new one."
    assert errors == []


def test_copy_field_the_agent_types_in_takes_the_pages_own_value(page, context, server):
    """While the agent types in a copied field, echoes of its keystrokes are not written back over newer ones,
    but a value the page's own script sets (a field cleared after use) reaches the copy at once."""
    from tests.browser.test_cobrowse_view import open_console as open_copy
    from tests.browser.test_remote_control import gid
    shop(page, server, "/checkout", "ui=none")
    start(page, "console-echo-1")
    page.evaluate("GLANCE.Cobrowse.Visitor.addEventListener('rcrequested', p => p.accept())")
    console = open_copy(context, server, "console-echo-1")
    console.wait_for_function("window.agentReplay.snapshots >= 1")
    console.click("#act-rcrequest")
    console.wait_for_function("window.agentReplay.rcEnabled")
    field = console.frame_locator("#replay-frame").locator('[data-gid="%d"]' % gid(page, "#fullname"))
    field.type("Ada Lovelace")
    page.wait_for_function("document.getElementById('fullname').value === 'Ada Lovelace'")
    page.wait_for_timeout(300)                              # the echoes have come back
    assert field.input_value() == "Ada Lovelace"
    page.evaluate("document.getElementById('fullname').value = ''")
    console.wait_for_function("window.agentReplay.doc().activeElement.value === ''", timeout=3000)
    assert field.evaluate("el => el === el.ownerDocument.activeElement")
    assert console.errors == [] and page.console.errors == []


def test_console_says_in_words_when_sign_in_is_rate_limited(browser):
    srv = Server(env={"COBROWSE_LIMIT_SIGNIN_FAILURES": "3"}).start()   # the service's rule, at 3 failures
    ctx = browser.new_context()
    try:
        console = open_console(ctx, srv, login=False)
        console.fill("#login-password", "wrong")
        for _ in range(3):
            console.click("#login-submit")
            poll(console, "document.getElementById('login-error').textContent.indexOf('Wrong') === 0")
            console.evaluate("document.getElementById('login-error').textContent = ''")
        console.fill("#login-password", PASSWORD)                           # even the right one, while locked
        console.click("#login-submit")
        poll(console, "document.getElementById('login-error').textContent !== ''")
        text = console.inner_text("#login-error")
        assert text.startswith("Too many failed sign-ins") and "try again in" in text and "seconds" in text, text
        assert console.is_hidden("#sessions-panel")
    finally:
        ctx.close()
        srv.stop()
