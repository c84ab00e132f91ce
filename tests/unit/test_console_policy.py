"""console_policy: the agent console's CSPs and the copy's empty document (pure, on CPython)."""
import pytest

from session_server import config, passwords
from session_server.console_policy import console_csp, copy_csp, copy_document, origin_problem


def directives(csp):
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}


def test_the_console_runs_its_own_files_only():
    d = directives(console_csp("ws://127.0.0.1:8000"))
    assert d["script-src"] == ["'self'"] and d["style-src"] == ["'self'"]
    assert d["object-src"] == ["'none'"] and d["base-uri"] == ["'none'"]
    assert d["connect-src"] == ["'self'", "ws://127.0.0.1:8000"] and d["frame-src"] == ["'self'"]


def test_the_copy_runs_nothing_and_loads_only_the_service_data_and_opted_in_origins():
    d = directives(copy_csp())
    assert d["default-src"] == ["'none'"] and d["script-src"] == ["'none'"] and d["connect-src"] == ["'none'"]
    assert d["img-src"] == ["'self'", "data:"] and d["font-src"] == ["'self'", "data:"]
    assert d["style-src"] == ["'self'", "'unsafe-inline'"] and d["form-action"] == ["'none'"]
    d = directives(copy_csp(["https://cdn.example.com", "https://*.shop.example", "bad; script-src *"]))
    assert d["img-src"] == ["'self'", "data:", "https://cdn.example.com", "https://*.shop.example"]
    assert d["script-src"] == ["'none'"]


def test_the_copy_document_rebuilds_a_checked_doctype_name():
    assert copy_document("html") == "<!DOCTYPE html><html><head></head><body></body></html>"
    for bad in ["html><script>alert(1)</script", "html PUBLIC \"x\"", "", None, "h" * 65, "1html"]:
        assert copy_document(bad) == "<html><head></head><body></body></html>"


def test_asset_origins_are_checked_in_the_groups_file():
    for good in ["https://cdn.example.com", "http://127.0.0.1:8000", "https://*.example.com"]:
        assert origin_problem(good) is None
    for bad in ["cdn.example.com", "https://x.com/path", "javascript:x", "*", "https://a.com; script-src *",
                "data:", 5]:
        assert origin_problem(bad)
    data = {"groups": {"1": {"agents": [{"username": "a", "password_hash": passwords.hash_password("p")}],
                             "agent_asset_origins": ["https://cdn.example.com"]}}}
    assert config.parse_groups(data)[1].agent_asset_origins == ["https://cdn.example.com"]
    data["groups"]["1"]["agent_asset_origins"] = ["https://x.com/evil"]
    with pytest.raises(config.ConfigError, match="agent_asset_origins"):
        config.parse_groups(data)
