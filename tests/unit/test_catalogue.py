"""The event catalogue matches the seed reference exactly, and validates payloads."""
import os
import re

import pytest

from visitor_sdk import catalogue

SEED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "seed", "visitor-events.txt")
# The seed's event names, kept in the repository: a user's clone has no shared/ folder beside it.
KEPT = os.path.join(os.path.dirname(__file__), "seed_event_names.txt")


def seed_event_names():
    text = open(SEED, encoding="utf-8").read()
    events_part = text.split("Invoking The Visitor API From Another Window")[0]
    names = set(re.findall(r"^([a-z]+)$", events_part, re.M))
    names |= set(re.findall(r"^([a-z]+) (?:is fired|fires) ", events_part, re.M))
    return names


def kept_event_names():
    with open(KEPT, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def test_kept_list_matches_the_seed_when_the_seed_is_there():
    """Where the reference copy is beside the clone (developers, CI), the kept list is that copy's."""
    if not os.path.exists(SEED):
        pytest.skip("no shared/seed beside this clone: the kept list stands in for it")
    assert sorted(kept_event_names()) == sorted(seed_event_names())


def test_every_seed_event_is_in_the_catalogue_and_nothing_invented():
    seed = seed_event_names() if os.path.exists(SEED) else set(kept_event_names())
    assert len(seed) == 58
    assert set(catalogue.EVENT_NAMES) == seed
    assert len(catalogue.EVENT_NAMES) == len(set(catalogue.EVENT_NAMES)) == 58


def test_every_event_has_a_group_and_a_doc():
    for ev in catalogue.EVENTS:
        assert ev["group"] in catalogue.GROUPS, ev["name"]
        assert ev["doc"] and len(ev["doc"]) < 140, ev["name"]
        for f in ev["fields"]:
            assert f["type"] in catalogue.FIELD_TYPES


@pytest.mark.parametrize("name,field,values", [
    ("sessionend", "reason", ["agent", "visitor", "error"]),
    ("error", "code", ["service", "conndrop", "dupkey", "maskingerror", "SCRIPT_NOT_LOADED"]),
    ("connection", "status", ["ok", "reconnecting"]),
    ("visitorvideo", "camerastatus", ["blocked", "nocamera", "available", "error"]),
    ("docsharestatus", "status", ["accepted", "declined", "started"]),
    ("screenshare", "state", ["new", "continued", "ended"]),
])
def test_allowed_values_from_the_seed(name, field, values):
    spec = [f for f in catalogue.event(name)["fields"] if f["name"] == field][0]
    assert spec["values"] == values


def test_seed_examples_validate():
    agents = {"count": 3, "agentlist": [
        {"username": "abc.glance.net", "partnerid": 12345, "partneruserid": "abc@company.com", "name": "Janet Wills",
         "title": "Senior Representative", "role": "agent", "guestid": 1162611, "num": 1, "agentrole": "Account Support"},
        {"role": "guest", "name": "Betty Rubble", "guestid": 1164652162, "num": 3}]}
    assert catalogue.validate_payload("agents", agents) == []
    assert catalogue.validate_payload("screenshare", {"screenshareView": "glance_video_1", "agentnum": 1, "state": "new",
                                                      "paused": False, "params": {"type": "forward"}}) == []
    assert catalogue.validate_payload("rcevent", {"type": "click", "agent": {"username": "u", "puid": "p", "num": 1},
                                                  "path": '[data-gid="167"]'}) == []
    assert catalogue.validate_payload("rcrequested", {"accept": lambda: 1, "decline": lambda: 1}) == []
    assert catalogue.validate_payload("leavesession", None) == []


def test_bad_payloads_are_reported():
    assert catalogue.validate_payload("sessionend", {"reason": "bored"})
    assert catalogue.validate_payload("sessionend", {})
    assert catalogue.validate_payload("connection", {"status": "ok", "extra": 1})
    assert catalogue.validate_payload("agents", {"count": "3", "agentlist": []})
    assert catalogue.validate_payload("nosuchevent", {})
    assert catalogue.validate_payload("error", "text")


def test_closest_event():
    assert catalogue.closest_event("sesionstart") == "sessionstart"
    assert catalogue.closest_event("RCENABLED") == "rcenabled"
    assert catalogue.closest_event("screensharepause") == "screensharepaused"
