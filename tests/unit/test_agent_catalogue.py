"""The agent action catalogue (visitor_sdk/agent_actions.py): validation, and what is generated from it."""
import os
import sys

from session_server.action_checks import action_problem
from session_server.agent_client import AGENT_ACTIONS
from visitor_sdk import agent_actions as A, catalogue, field_specs, rc_core
from tests.unit.test_agent_actions_documented import handled_actions

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import gen_docs  # noqa: E402


def test_both_catalogues_use_one_field_spec_language():
    assert catalogue.F is field_specs.F and A.F is field_specs.F
    assert catalogue.validate_payload("sessionend", {"reason": "nope"}) == ["sessionend.reason must be one of "
                                                                             "agent|visitor|error"]
    assert field_specs.render([field_specs.F("x", "number", optional=True),
                               field_specs.F("t", "string", ["a", "b"])]) == '{x?: number, t: "a" | "b"}'


def test_the_contract_payloads_are_valid():
    ok = [("rcevent", {"type": "click", "gid": 3, "x": 1, "y": 2, "modifiers": {"shift": True}}),
          ("rcevent", {"type": "dblclick", "path": '[data-gid="3"]'}),
          ("rcevent", {"type": "agenttyping", "gid": 3, "value": "Joe"}),
          ("rcevent", {"type": "inputchange", "gid": 3, "value": "b"}),
          ("rcevent", {"type": "inputchange", "path": '[data-gid="3"]'}),
          ("rcevent", {"type": "key", "key": "Enter"}),
          ("rcevent", {"type": "key", "gid": 3, "key": "a", "modifiers": {"ctrl": True}}),
          ("rcevent", {"type": "focus", "gid": 3}),
          ("rcevent", {"type": "scroll", "x": 0, "y": 400}),
          ("rcevent", {"type": "scroll", "gid": 3, "x": 0, "y": 40.5}),
          ("rcrequest", None), ("rcrequest", {}), ("pause", {"paused": True}),
          ("navigate", {"direction": "back"}), ("outline", {"x": 1, "y": 2}),
          ("screenshare", {"screenshareView": "glance_screenshare", "anything": 1})]
    for name, payload in ok:
        assert A.validate_action(name, payload) == [], (name, payload)


def test_bad_payloads_are_named():
    bad = [("rcevent", {"type": "hover", "gid": 3}, "rcevent.type must be one of"),
           ("rcevent", {"type": "click"}, "needs gid or path"),
           ("rcevent", {"type": "click", "gid": "3"}, "rcevent click.gid should be a number"),
           ("rcevent", {"type": "key", "key": "F13"}, ".key must be one of"),
           ("rcevent", {"type": "key", "key": "ab"}, ".key must be one of"),
           ("rcevent", {"type": "key"}, "rcevent key.key is missing"),
           ("rcevent", {"type": "scroll", "x": 1}, "rcevent scroll.y is missing"),
           ("rcevent", {"type": "focus", "gid": 1, "value": "x"}, "focus.value is not a documented field"),
           ("rcevent", {"type": "agenttyping", "gid": 1, "value": "x" * 10001}, "longer than 10000"),
           ("rcevent", {"type": "click", "gid": 1, "modifiers": {"shift": 1}}, "shift should be a boolean"),
           ("rcevent", [1], "payload should be an object"),
           ("pause", {}, "pause.paused is missing"),
           ("navigate", {"direction": "sideways"}, "navigate.direction must be one of")]
    for name, payload, words in bad:
        problems = A.validate_action(name, payload)
        assert any(words in p for p in problems), (name, payload, problems)
        assert words in action_problem({"name": name, "payload": payload})


def test_the_service_relays_names_outside_the_catalogue():
    assert action_problem({"name": "ping_probe", "payload": {"t": 1}}) is None
    assert action_problem({"name": "rcevent", "payload": {"type": "click", "gid": 2}}) is None


def test_the_visitor_handles_every_catalogue_action_by_its_name():
    assert handled_actions() == set(A.ACTION_NAMES)
    assert set(rc_core.RC_TYPES) == set(A.RC_TYPE_NAMES)
    reasons = {r for r, _ in A.RC_REASONS}
    assert set(rc_core.RC_REASONS) <= reasons


def test_the_agent_client_list_is_generated():
    assert AGENT_ACTIONS == A.summaries()
    assert set(AGENT_ACTIONS) == set(A.AGENT_SENT) == set(A.ACTION_NAMES) - {"agentdownload"}
    assert "dblclick" in AGENT_ACTIONS["rcevent"] and "scroll {x: number, y: number}" in AGENT_ACTIONS["rcevent"]


def test_protocol_doc_action_table_is_current():
    with open(gen_docs.PROTOCOL, encoding="utf-8") as f:
        text = f.read()
    assert gen_docs.rendered_protocol(text) == text, "run `python scripts/gen_docs.py` to regenerate protocol.md"
    for name in A.ACTION_NAMES:
        assert "| `" + name + "` |" in text
    for t in A.RC_TYPE_NAMES:
        assert "| `" + t + "` |" in text


def test_page_rcevent_types_are_the_action_types():
    rcevent = catalogue.event("rcevent")
    types = [f for f in rcevent["fields"] if f["name"] == "type"][0]["values"]
    assert tuple(types) == A.RC_TYPE_NAMES
