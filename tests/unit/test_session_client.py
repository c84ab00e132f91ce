"""The visitor's sans-I/O session client: frames in, frames out, Visitor core callbacks."""
from hypothesis import given, strategies as st

from visitor_sdk import protocol as P
from visitor_sdk.config import parse_config
from visitor_sdk.emitter import Emitter
from visitor_sdk.session_client import ReconnectPolicy, SessionClient
from visitor_sdk.visitor import Visitor


def make(saved=None):
    cfg, _ = parse_config({"groupid": "72937"})
    events = []
    em = Emitter()
    for n in ("sessionstarting", "sessionstart", "sessioncontinue", "leavesession", "sessionend", "error", "connection", "agents",
              "statereceived", "focus", "blur"):
        em.on(n, lambda p, n=n: events.append((n, p)))
    holder = {}

    def connect(v, s, r):
        holder["client"] = SessionClient(v, s, "tab-1", saved, warn=holder.setdefault("warnings", []).append)
        return holder["client"]
    v = Visitor(cfg, em, {}, connect=connect, rand=lambda: 0.5, check_payloads=True)
    v.start_session("k1")
    return v, holder["client"], events, holder["warnings"]


def started(**kw):
    f = P.frame("started", 0, session="s1", resume="tok", group=72937, key="k1", tab="tab-1", focused=True,
                resumed=False, exact=True, ack=0, window=30)
    f.update(kw)
    return f


def test_hello_then_started_then_state():
    v, c, events, _ = make()
    c.opened()
    hello = c.data_to_send()[0]
    assert hello["type"] == "hello" and hello["group"] == 72937 and hello["key"] == "k1" and "resume" not in hello
    assert P.validate(hello, "visitor")[0]
    c.receive(started())
    c.receive(P.frame("agents", 1, count=0, agentlist=[]))
    c.receive(P.frame("state", 2, state={"paused": False}))
    assert [e[0] for e in events] == ["sessionstarting", "sessionstart", "sessioncontinue", "agents", "statereceived"]
    assert c.data_to_send()[-1] == P.frame("ack", 0, ack=2)
    assert v.focused is True and v.ready_state() == "active"


def test_duplicates_are_dropped_and_gaps_wait():
    v, c, events, warnings = make()
    c.opened()
    c.receive(started())
    c.receive(P.frame("focus", 1))
    c.receive(P.frame("focus", 1))
    c.receive(P.frame("blur", 3))
    assert [e[0] for e in events].count("focus") == 1
    assert "blur" not in [e[0] for e in events]
    assert any("missing" in w for w in warnings)
    c.receive(P.frame("blur", 2))
    assert [e[0] for e in events][-1] == "blur" and v.focused is False


def test_bad_frames_are_dropped_with_a_warning():
    v, c, events, warnings = make()
    c.opened()
    for bad in ({"type": "started"}, P.frame("nonsense", 0), P.frame("hello", 0, group=1), "text", None,
                P.frame("agents", 0, count=1, agentlist=[])):
        c.receive(bad)
    assert len(warnings) == 6 and [e[0] for e in events] == ["sessionstarting"]


def test_reconnect_within_window_then_ok_and_resend():
    v, c, events, _ = make()
    c.opened()
    c.receive(started())
    c.send_event("rcaccepted")
    c.data_to_send()
    assert c.closed(100.0) == 0.25
    assert events[-1] == ("connection", {"status": "reconnecting"}) and v.ready_state() == "reconnecting"
    assert c.closed(100.3) == 0.5   # a failed attempt: longer delay, no second event
    assert [e[0] for e in events].count("connection") == 1
    c.opened()
    hello = c.data_to_send()[0]
    assert hello["resume"] == "tok" and hello["acked"] == 0
    c.receive(started(resumed=True, ack=0))
    out = c.data_to_send()
    assert [f["type"] for f in out] == ["visitor_event"] and out[0]["seq"] == 1
    assert events[-1] == ("connection", {"status": "ok"}) and v.ready_state() == "active"
    assert [e[0] for e in events].count("sessionstart") == 1


def test_conndrop_after_window():
    v, c, events, _ = make()
    c.opened()
    c.receive(started(window=2))
    assert c.closed(10.0) is not None
    assert c.closed(12.5) is None
    assert events[-2:] == [("error", {"code": "conndrop", "msg": events[-2][1]["msg"]}), ("sessionend", {"reason": "error"})]
    assert not v.in_session()


def test_never_started_is_a_service_error_and_dupkey_is_reported():
    v, c, events, _ = make()
    c.opened()
    assert c.closed(1.0) is None
    assert events[-1][0] == "error" and events[-1][1]["code"] == "service"
    v, c, events, _ = make()
    c.opened()
    c.receive(P.error_frame("dupkey", "key in use"))
    assert events[-1] == ("error", {"code": "dupkey", "msg": "key in use"})
    assert not v.in_session()


def test_saved_state_continues_the_streams_on_the_next_page():
    v, c, events, _ = make()
    c.opened()
    c.receive(started())
    c.receive(P.frame("agents", 1, count=0, agentlist=[]))
    c.send_event("x")
    saved = c.saved()
    assert saved["last_seq"] == 1 and saved["next_seq"] == 2 and len(saved["pending"]) == 1
    c2 = SessionClient(v, v.session, "tab-1", saved)
    c2.opened()
    hello = c2.data_to_send()[0]
    assert hello["last_seq"] == 1 and hello["resume"] == "tok"
    c2.receive(P.frame("agents", 1, count=0, agentlist=[]))   # a resend: dropped
    assert [e[0] for e in events].count("agents") == 1


def test_agent_actions_route_to_handlers():
    v, c, events, warnings = make()
    c.opened()
    c.receive(started())
    got = []
    c.on_action("pause", lambda payload, frame: got.append(payload))
    c.receive(P.frame("agent_action", 1, name="pause", payload={"paused": True}))
    c.receive(P.frame("agent_action", 2, name="unknown"))
    assert got == [{"paused": True}] and any("unknown" in w for w in warnings)


@given(st.floats(0.1, 120), st.lists(st.floats(0, 200), max_size=20))
def test_policy_never_waits_past_the_window(window, times):
    p = ReconnectPolicy(window)
    for i, t in enumerate(sorted(times)):
        d = p.next_retry(t, i)
        if t >= window:
            assert d is None
        else:
            assert d is not None and 0 < d <= max(0.05, window - t) + 1e-9 and d <= p.longest


def test_stop_while_starting_still_tells_the_service():
    v, c, events, _ = make()
    c.opened()
    c.data_to_send()
    v.stop_session()
    out = c.data_to_send()
    assert [f["type"] for f in out] == ["end"] and out[0]["reason"] == "visitor"
    assert [e[0] for e in events] == ["sessionstarting", "leavesession", "sessionend"]


def test_actions_wait_for_a_feature_chunk_that_is_still_loading():
    """The runtime goes live before its feature chunk: agent actions that no
    handler answers yet wait, then run in arrival order once the features are in."""
    from visitor_sdk.features import Feature
    v, c, events, warnings = make()
    v.features_pending = True
    c.opened()
    c.receive(started())
    c.receive(P.frame("agent_action", 1, name="rcrequest", payload={"n": 1}))
    c.receive(P.frame("agent_action", 2, name="nobody", payload=None))
    c.receive(P.frame("agent_action", 3, name="rcrequest", payload={"n": 2}))
    c.receive(P.frame("agent_action", 4, name="pause", payload={"paused": True}))  # the core answers at once
    assert v.is_session_paused() and warnings == []
    log = []

    class RemoteControl(Feature):
        def actions(self):
            return {"rcrequest": lambda payload, frame: log.append(("rc", payload["n"], v.state))}

        def session_opened(self, resumed):
            log.append(("opened", resumed))
    v.add_feature(RemoteControl(v, v.config))
    unknown = v.features_installed(lambda: log.append(("catch-up",)))
    assert log == [("opened", False), ("catch-up",), ("rc", 1, "active"), ("rc", 2, "active")]
    assert unknown == ["nobody"] and v.features_pending is False
    c.receive(P.frame("agent_action", 5, name="rcrequest", payload={"n": 3}))   # now routed directly
    assert log[-1] == ("rc", 3, "active")


def test_features_that_arrive_after_the_session_ended_start_nothing():
    from visitor_sdk.features import Feature
    v, c, events, warnings = make()
    v.features_pending = True
    c.opened()
    c.receive(started())
    c.receive(P.frame("agent_action", 1, name="rcrequest", payload={}))
    v.stop_session()
    opened = []

    class F(Feature):
        def session_opened(self, resumed):
            opened.append(resumed)
    v.add_feature(F(v, v.config))
    assert v.features_installed() == [] and opened == []


def test_a_frame_sent_again_after_a_restart_of_the_service_is_applied_once():
    """The service relayed an agent action, then died before acknowledging it to
    the agent; the agent sends it again to the restarted service, which relays it
    with the same origin (o = [agent epoch, agent seq]) but its own new numbering."""
    v, c, events, warnings = make()
    applied = []
    c.on_action("outline", lambda payload, frame: applied.append(payload["n"]))
    c.opened()
    assert c.data_to_send()[0].get("epoch") is None   # make() gives no epoch: none is sent
    c.receive(started())
    c.receive(P.frame("agent_action", 1, name="outline", payload={"n": 1}, o=["agentA", 7]))
    c.receive(P.frame("agent_action", 2, name="outline", payload={"n": 2}, o=["agentA", 8]))
    # the service restarts: exact=false, numbering goes on from what the tab had
    c.closed(1.0)
    c.opened()
    c.receive(started(exact=False, resumed=True))
    c.receive(P.frame("agent_action", 3, name="outline", payload={"n": 2}, o=["agentA", 8]))   # sent again
    c.receive(P.frame("agent_action", 4, name="outline", payload={"n": 3}, o=["agentA", 9]))
    c.receive(P.frame("agent_action", 5, name="outline", payload={"n": 1}, o=["agentB", 1]))  # another sender
    c.receive(P.frame("agent_action", 6, name="outline", payload={"n": 4}))                   # no origin: applied
    assert applied == [1, 2, 3, 1, 4]
    assert c.data_to_send()[-1] == P.frame("ack", 0, ack=6)
    # the next page of the tab remembers the origins and its own epoch
    saved = c.saved()
    assert saved["origins"] == {"agentA": 9, "agentB": 1}
    c2 = SessionClient(v, v.session, "tab-1", saved, epoch="new-one")
    assert c2.epoch == "new-one" and c2.origins.fresh(["agentA", 9]) is False


def test_the_tab_names_its_outbox_in_hello_and_keeps_the_name_across_pages():
    v, c, events, warnings = make()
    c2 = SessionClient(v, v.session, "tab-1", None, epoch="e123")
    c2.opened()
    hello = c2.data_to_send()[0]
    assert hello["epoch"] == "e123" and P.validate(hello, "visitor") == (True, None)
    assert SessionClient(v, v.session, "tab-1", c2.saved(), epoch="e999").epoch == "e123"
    assert P.validate(dict(hello, epoch=""), "visitor")[0] is False
    assert P.validate(dict(hello, epoch="x" * 65), "visitor")[0] is False


def test_origins_keep_the_last_seq_per_epoch_and_forget_the_oldest():
    from visitor_sdk.reliability import Origins
    o = Origins()
    assert o.fresh(None) and o.fresh(["a", 1]) and not o.fresh(["a", 1]) and o.fresh(["a", 3])
    assert not o.fresh(["a", 2]) and o.fresh(["bad"]) and o.fresh([1, 2]) and o.fresh(["a", True])
    for i in range(Origins.LIMIT):
        o.fresh(["e%d" % i, 1])
    assert len(o.marks) == Origins.LIMIT and "a" not in o.marks
