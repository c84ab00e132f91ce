"""InvokeVisitor's traps, pure part: a bare hostname's scheme, and the one warning for a message that got no answer."""
import pytest

from invoke_visitor.main import prepare_init
from invoke_visitor.reach import ACK_KEY, Reach
from visitor_sdk.origins import target_origin

ACK = {ACK_KEY: True}


@pytest.mark.parametrize("value, page, expected", [
    ("localhost:8000", "http://localhost:8000", "http://localhost:8000"),
    ("LocalHost:8000", "http://localhost:9000", "http://localhost:8000"),       # the host matches, the port is given
    ("shop.example.com", "http://shop.example.com", "http://shop.example.com"),
    ("shop.example.com", "http://shop.example.com:8080", "http://shop.example.com"),  # no port: the default
    ("shop.example.com", "https://shop.example.com", "https://shop.example.com"),
    ("shop.example.com", "http://chat.example.com", "https://shop.example.com"),      # another host: https
    ("127.0.0.1:8000", "http://localhost:8000", "https://127.0.0.1:8000"),
    ("shop.example.com", "http://shop.example.com.evil.net", "https://shop.example.com"),
    ("shop.example.com", None, "https://shop.example.com"),
    ("shop.example.com", "null", "https://shop.example.com"),                        # a sandboxed chat window
    ("shop.example.com", "file://", "https://shop.example.com"),
    ("http://shop.example.com", "https://shop.example.com", "http://shop.example.com"),  # a full origin wins
    ("*", "http://localhost:8000", "*"),
])
def test_a_bare_hostname_takes_the_chat_windows_scheme_on_its_own_host(value, page, expected):
    assert target_origin(value, page) == expected


def test_init_uses_the_page_origin():
    assert prepare_init("72937", "localhost:8000", "http://localhost:8000") == {"groupid": 72937,
                                                                                "target": "http://localhost:8000"}
    assert prepare_init(72937, "localhost:8000")["target"] == "https://localhost:8000"


def test_an_answered_message_is_not_reported():
    r = Reach()
    r.init("http://shop.test", "shop.test")
    t = r.posted("startSession")
    assert r.answered(ACK, "http://shop.test") is True
    assert r.overdue(t) is None


def test_no_answer_warns_once_per_target_with_what_init_was_given():
    r = Reach()
    r.init("https://127.0.0.1:8000", "127.0.0.1:8000")
    t1, t2 = r.posted("startSession"), r.posted("stopSession")
    line = r.overdue(t1)
    assert line.startswith("GLANCE.Cobrowse.InvokeVisitor.invoke('startSession'): no cobrowse page answered")
    assert "origin https://127.0.0.1:8000 (from init's '127.0.0.1:8000')" in line and "\n" not in line
    assert r.overdue(t2) is None
    r.init("https://127.0.0.1:8000", "https://127.0.0.1:8000")   # init again, same target: still once
    assert r.overdue(r.posted("startSession")) is None
    r.init("http://127.0.0.1:8000", "http://127.0.0.1:8000")     # another target warns again
    line = r.overdue(r.posted("showTerms"))
    assert "'showTerms'" in line and "from init" not in line


def test_answers_count_only_from_the_target_origin_and_in_shape():
    r = Reach()
    r.init("http://shop.test", "http://shop.test")
    t = r.posted("startSession")
    for data, origin in [(ACK, "http://evil.test"), ({ACK_KEY: 1}, "http://shop.test"), ("x", "http://shop.test"),
                         (None, "http://shop.test"), ({"glance_invoke": {}}, "http://shop.test")]:
        assert r.answered(data, origin) is False
    assert r.overdue(t) is not None


def test_a_wildcard_target_takes_an_answer_from_any_origin_and_old_tokens_are_dropped():
    r = Reach()
    r.init("*", "*")
    t = r.posted("startSession")
    assert r.answered(ACK, "http://anything.test")
    assert r.overdue(t) is None
    old = r.posted("stopSession")
    r.init("http://shop.test", "http://shop.test")   # a new window: the old post is not this window's
    assert r.overdue(old) is None
    assert r.overdue(r.posted("stopSession")) is not None
    r.init("*", "*")
    line = r.overdue(r.posted("startSession"))
    assert "It was posted to the visitor window. Check" in line


def test_a_message_counts_as_answered_only_once_all_before_it_were():
    r = Reach()
    r.init("http://shop.test", "shop.test")
    t1, t2 = r.posted("startSession"), r.posted("stopSession")
    r.answered(ACK, "http://shop.test")
    assert r.overdue(t1) is None
    assert r.overdue(t2) is not None
