"""The Visitor API core with fakes for the browser (emitter, tab store, connection)."""
import pytest

from visitor_sdk.config import parse_config
from visitor_sdk.emitter import Emitter
from visitor_sdk.params import ParamError
from visitor_sdk.states import StateError
from visitor_sdk.visitor import STORE_KEY, Visitor


class FakeConn:
    def __init__(self, visitor, session, resume):
        self.visitor, self.session, self.resume, self.closed = visitor, session, resume, None
        self.actions = {}

    def on_action(self, name, handler):
        self.actions[name] = handler

    def send_event(self, name, payload=None, ref=None, state=None):
        self.sent = getattr(self, "sent", []) + [(name, payload, ref)]

    def close(self, reason):
        self.closed = reason


def make(attrs=None, connect=True):
    cfg, _ = parse_config(attrs or {"groupid": "72937"}, {"visitorid": "vis-1"})
    events = []
    em = Emitter()
    for name in ("sessionstarting", "sessionstart", "sessioncontinue", "sessionend", "leavesession", "error",
                 "connection", "statereceived"):
        em.on(name, lambda p, n=name: events.append((n, p)))
    conns = []

    def conn(v, s, r):
        conns.append(FakeConn(v, s, r))
        return conns[-1]
    store = {}
    v = Visitor(cfg, em, store, connect=conn if connect else None, rand=lambda: 0.5, check_payloads=True)
    return v, events, store, conns


def test_start_then_confirm_then_stop():
    v, events, store, conns = make()
    v.start_session("1234")
    assert v.in_session() and v.get_key() == "1234" and v.ready_state() == "starting"
    assert store[STORE_KEY]["key"] == "1234"
    v.on_started({"resume": "tok"})
    assert v.ready_state() == "active"
    v.stop_session()
    assert conns[0].closed == "visitor"
    assert [e[0] for e in events] == ["sessionstarting", "sessionstart", "sessioncontinue", "leavesession", "sessionend"]
    assert events[-1][1] == {"reason": "visitor"}
    assert not v.in_session() and v.get_key() is None and STORE_KEY not in store


def test_default_key_is_visitorid_and_random_keys_are_flagged():
    v, *_ = make()
    v.start_session()
    assert v.get_key() == "vis-1" and not v.is_random_key()
    v2, *_ = make()
    v2.start_session("GLANCE_KEYTYPE_RANDOM")
    assert v2.is_random_key() and v2.get_key().isdigit()


def test_service_failure_and_dupkey():
    v, events, store, _ = make(connect=False)
    v.start_session("1")
    assert events[-1] == ("error", {"code": "service", "msg": "no session service is configured (data-ws)"})
    assert not v.in_session() and STORE_KEY not in store
    v, events, store, _ = make()
    v.start_session("1")
    v.on_error("dupkey", "key in use")
    assert events[-1] == ("error", {"code": "dupkey", "msg": "key in use"})
    assert not v.in_session()


def test_agent_end_and_fatal_end():
    v, events, *_ = make()
    v.start_session("1")
    v.on_started({})
    v.on_end("agent")
    assert events[-1] == ("sessionend", {"reason": "agent"})
    v.start_session("2")
    v.on_started({})
    v.on_error("conndrop", "gone")
    assert events[-2:] == [("error", {"code": "conndrop", "msg": "gone"}), ("sessionend", {"reason": "error"})]


def test_invalid_group_fails_with_error_event():
    v, events, *_ = make({"groupid": "abc"})
    with pytest.raises(ParamError, match="data-groupid"):
        v.start_session("1")
    assert events[-1][0] == "error" and events[-1][1]["code"] == "service"


def test_second_start_with_other_key_names_the_state():
    v, *_ = make()
    v.start_session("1")
    with pytest.raises(StateError, match="starting"):
        v.start_session("2")
    v.start_session("1")  # same key: no-op


def test_resume_emits_continue_not_start():
    v, events, store, conns = make()
    v.resume({"key": "77", "groupid": 72937, "resumed": True, "resume": "tok"})
    assert conns[0].resume is True
    v.on_started({"resume": "tok2"})
    v.on_state({"paused": False, "url": "/x"})
    assert [e[0] for e in events] == ["sessioncontinue", "statereceived"]
    assert v.get_session_state() == {"paused": False, "url": "/x"} and v.get_session_state("url") == "/x"


def test_session_less_answers():
    v, *_ = make()
    assert v.get_session_state() is None and not v.is_session_paused() and not v.is_page_masked()
    with pytest.raises(StateError):
        v.toggle_video()
    with pytest.raises(ParamError):
        v.get_session_state(5)
    assert v.stop_session() is None


def test_agent_pause_and_resume():
    v, events, store, conns = make()
    paused = []
    v.emitter.on("sessionpaused", paused.append)
    v.start_session("1")
    v.on_started({})
    conns[0].actions["pause"]({"paused": True}, {})
    assert v.is_session_paused() and store[STORE_KEY]["paused"] is True
    conns[0].actions["pause"]({"paused": True}, {})
    conns[0].actions["pause"]({"paused": False}, {})
    assert paused == [{"paused": True}, {"paused": False}] and not v.is_session_paused()
    # the agents are told each change once, with the action's id as ref
    conns[0].actions["pause"]({"paused": True}, {"id": "p9"})
    assert conns[0].sent == [("sessionpaused", {"paused": True}, None), ("sessionpaused", {"paused": False}, None),
                             ("sessionpaused", {"paused": True}, "p9")]
