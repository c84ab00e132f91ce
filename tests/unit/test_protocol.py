"""The shared message schema and the sans-I/O sequencing (pure, no server)."""

import ast
import os

import pytest
from hypothesis import given, settings, strategies as st

from session_server import agent_frames as AF
from visitor_sdk import protocol as P
from visitor_sdk.reliability import DUP, GAP, NEW, Inbox, Outbox, OutboxFull

SDK = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "visitor_sdk")


@pytest.mark.parametrize("mod", ["protocol.py", "reliability.py", "params.py"])
def test_modules_import_no_stdlib(mod):
    """They run under Brython without brython_stdlib.js: only relative imports of pure modules."""
    tree = ast.parse(open(os.path.join(SDK, mod)).read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            pytest.fail(mod + " imports " + ", ".join(a.name for a in node.names))
        if isinstance(node, ast.ImportFrom):
            assert node.level == 1 and node.module in ("params",), mod + " imports " + str(node.module)


SAMPLES = {
    "hello": (P.V2S, P.hello(72937, "1234", "tab-1", visitor={"name": "V"}, resume="tok", last_seq=3, acked=2)),
    "started": (P.S2V, P.frame("started", 0, session="s", resume="t", group=1, key="k", tab="t", focused=True,
                               resumed=False, exact=False, ack=0, window=30)),
    "join": (P.A2S, AF.join(72937, "1234", "u", "p")),
    "joined": (P.S2A, P.frame("joined", 0, session="s", resume="t", group=1, key="k", num=1, visitor={},
                              exact=True, ack=0, window=30.0)),
    "agents": (P.S2V, P.frame("agents", 1, **AF.agents_payload([AF.agent_entry("u", 1, "p", "n", "t", "agent", 5, 1, "r")]))),
    "state": (P.S2A, P.frame("state", 2, state={"paused": True})),
    "agent_action": (P.A2S, P.frame("agent_action", 1, name="pause", payload={"paused": True}, state={"paused": True})),
    "visitor_event": (P.V2S, P.frame("visitor_event", 4, name="rcaccepted", payload=None, ref="x")),
    "focus": (P.V2S, P.frame("focus", 9)),
    "blur": (P.S2V, P.frame("blur", 9)),
    "presence": (P.S2A, P.frame("presence", 1, status="reconnecting", tabs=0)),
    "leave": (P.A2S, P.frame("leave", 2)),
    "end": (P.V2S, P.frame("end", 5, reason="visitor")),
    "error": (P.S2V, P.error_frame("dupkey", "in use")),
    "ack": (P.A2S, P.frame("ack", 0, ack=7)),
    "ping": (P.S2V, P.frame("ping", 0, t=1.5)),
    "pong": (P.V2S, P.frame("pong", 0)),
}


def test_every_message_type_has_a_valid_sample():
    assert set(SAMPLES) == set(P.MESSAGES)
    for name, (direction, msg) in SAMPLES.items():
        assert P.validate(msg, direction) == (True, None), name
        assert msg["v"] == P.PROTOCOL_VERSION


def test_message_specs_are_well_formed():
    for name, spec in P.MESSAGES.items():
        assert set(spec) == {"dirs", "reliable", "fields"}
        assert spec["dirs"] and all(d in P.DIRECTIONS for d in spec["dirs"])
        for f, (kind, required) in spec["fields"].items():
            assert kind.rstrip("?") in ("str", "int", "bool", "num", "dict", "list", "any")
    assert P.error_frame("dupkey", "x")["fatal"] is True
    assert P.error_frame("bad_frame", "x")["fatal"] is False
    assert set(P.FATAL_ERRORS) <= set(P.ERROR_CODES)


@pytest.mark.parametrize("msg,direction,code", [
    ("text", "visitor", "bad_frame"),
    ({"type": "ping", "seq": 0}, "visitor", "bad_frame"),
    ({"v": 2, "type": "ping", "seq": 0}, "visitor", "bad_version"),
    ({"v": 1, "type": "ping", "seq": "0"}, "visitor", "bad_frame"),
    ({"v": 1, "type": "ping", "seq": True}, "visitor", "bad_frame"),
    (P.frame("warp", 0), "visitor", "unknown_type"),
    (P.frame("agent_action", 1, name="x"), "visitor", "forbidden"),     # a visitor can never act as an agent
    (AF.join(1, "k", "u", "p"), "visitor", "forbidden"),
    (P.frame("visitor_event", 1, name="x"), "agent", "forbidden"),
    (P.frame("started", 0), "visitor", "forbidden"),
    (P.frame("agent_action", 0, name="x"), "agent", "bad_frame"),       # reliable frames need seq >= 1
    (P.frame("ping", 3), "agent", "bad_frame"),                         # control frames carry seq 0
    (P.frame("agent_action", 1), "agent", "bad_frame"),
    (P.frame("agent_action", 1, name=""), "agent", "bad_frame"),
    (P.frame("agent_action", 1, name="x" * 65), "agent", "bad_frame"),
    (P.frame("agent_action", 1, name="x", state=[1]), "agent", "bad_frame"),
    (P.hello("72937", "k", "t"), "visitor", "bad_frame"),
    (P.hello(0, "k", "t"), "visitor", "bad_group"),
    (P.hello(True, "k", "t"), "visitor", "bad_frame"),
    (P.hello(1, "a b", "t"), "visitor", "bad_key"),
    (P.hello(1, "k", ""), "visitor", "bad_frame"),
    (P.hello(1, "k", "t", visitor={"name": "x" * 63}), "visitor", "bad_frame"),
    (P.hello(1, "k", "t", visitor={"ssn": "1"}), "visitor", "bad_frame"),
    (P.hello(1, "k", "t", resume="x" * 600), "visitor", "bad_frame"),
    (dict(P.hello(1, "k", "t"), last_seq=-1), "visitor", "bad_frame"),
    (P.frame("end", 1, reason="bored"), "visitor", "bad_frame"),
    (P.frame("presence", 1, status="asleep", tabs=1), P.S2A, "bad_frame"),
])
def test_invalid_frames_are_refused_with_a_code(msg, direction, code):
    got, text = P.check(msg, direction)
    assert got == code and text
    assert P.validate(msg, direction) == (False, text)


def test_agents_payload_orders_by_num_and_counts():
    a = AF.agent_entry("a", 1, "a@x", "A", "", "agent", 11, 2, "")
    g = {"role": "guest", "name": "Betty", "guestid": 3, "num": 1}
    assert AF.agents_payload([a, g]) == {"count": 2, "agentlist": [g, a]}


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3), max_leaves=10),
       st.sampled_from(P.DIRECTIONS + ("visitor", "agent")))
def test_validate_never_raises(value, direction):
    ok, err = P.validate(value, direction)
    assert ok is (err is None)


@given(st.dictionaries(st.sampled_from(["v", "type", "seq", "ack", "name", "group", "key", "tab", "reason", "payload"]),
                       st.none() | st.integers(-2, 3) | st.text(max_size=4) | st.sampled_from(list(P.MESSAGES)),
                       max_size=8), st.sampled_from(P.DIRECTIONS))
def test_validate_never_raises_on_frame_like_dicts(msg, direction):
    code, err = P.check(msg, direction)
    assert (code is None) == (err is None)
    assert code is None or code in P.ERROR_CODES


# ------------------------------------------------------------------ reliability

def test_outbox_inbox_basics():
    out, inb = Outbox(), Inbox()
    frames = [out.push({"n": i}) for i in range(5)]
    assert [f["seq"] for f in frames] == [1, 2, 3, 4, 5]
    assert [inb.receive(s) for s in (1, 2, 2, 4, 3)] == [NEW, NEW, DUP, GAP, NEW]
    assert inb.last == 3
    assert out.ack(3) == 3 and [f["seq"] for f in out.pending()] == [4, 5]
    assert out.ack(2) == 0 and out.acked == 3
    assert out.ack(99) == 2 and out.acked == 5 and len(out) == 0
    small = Outbox(limit=2)
    small.push({})
    small.push({})
    with pytest.raises(OutboxFull):
        small.push({})
    fresh = Outbox(first_seq=8)
    assert fresh.push({})["seq"] == 8 and fresh.acked == 7
    inb.resync(10)
    assert inb.receive(11) == NEW
    inb.reset()
    assert inb.receive(1) == NEW


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["send", "deliver", "drop_next", "ack", "reconnect", "restart_peer"]),
                          st.integers(0, 3)), max_size=80))
def test_nothing_lost_nothing_twice(ops):
    """A sender and a receiver over a lossy connection with reconnects, and a peer restart that loses the
    receiver-side numbering: after a final reconnect, the receiver has applied every frame once, in order."""
    out = Outbox()
    inbox = Inbox()
    wire = []          # frames in flight on the current connection
    applied = []
    sent = 0

    def reconnect():
        # hello: receiver tells last_seq; sender drops acked and resends the rest
        wire.clear()
        out.ack(inbox.last)
        wire.extend(dict(f) for f in out.pending())

    for op, n in ops:
        if op == "send":
            for _ in range(n + 1):
                f = out.push({"payload": sent})
                sent += 1
                wire.append(dict(f))
        elif op == "deliver":
            for _ in range(min(n + 1, len(wire))):
                f = wire.pop(0)
                r = inbox.receive(f["seq"])
                if r == NEW:
                    applied.append(f["payload"])
        elif op == "drop_next" and wire:
            wire.pop(0)          # lost with the connection: everything after it will GAP until reconnect
        elif op == "ack":
            out.ack(inbox.last)
        elif op == "reconnect":
            reconnect()
        elif op == "restart_peer":
            # the relay restarted: it tells the receiver side nothing new; sender resends from its acked point
            reconnect()
    reconnect()
    while wire:
        f = wire.pop(0)
        if inbox.receive(f["seq"]) == NEW:
            applied.append(f["payload"])
    assert applied == list(range(sent))


def _protocol_doc():
    import os
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "protocol.md"), encoding="utf-8") as f:
        return f.read()


def test_the_protocol_reference_documents_every_frame_field_and_error_code():
    """docs/protocol.md is the prose of the schema: each frame type has a section
    that names each of its fields, and each error code has a row."""
    import re
    doc = _protocol_doc()
    for name, spec in P.MESSAGES.items():
        sections = re.findall(r"^### [^\n]*`%s`[^\n]*\n.*?(?=^##)" % re.escape(name), doc, re.M | re.S)
        assert sections, "docs/protocol.md has no section for " + name
        text = "".join(sections)
        for field in spec["fields"]:
            assert re.search(r"\b%s\b" % field, text), "docs/protocol.md: " + name + " does not describe " + field
    for code in P.ERROR_CODES:
        assert re.search(r"^\| %s \|" % code, doc, re.M), "docs/protocol.md: no row for error code " + code
