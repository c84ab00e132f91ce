"""The glance_invoke receiver's checks (visitor_sdk/invoke_rules.py)."""

import time

import pytest
from hypothesis import given, settings, strategies as st

from visitor_sdk.invoke_rules import ALLOWED_FUNCS, MAX_DEPTH, check_invoke, size_problem
from visitor_sdk.origins import origin_allowed
from visitor_sdk.params import ParamError, parse_start_params, parse_terms_params

TRUSTED = ["https://chat.example.com", "https://*.support.example.net", "http://localhost:8001"]
GROUPS = [72937, 555]
GOOD_ORIGIN = "https://chat.example.com"


class Placeholder:
    """What the browser shell hands over for a JS value with no data meaning."""


def msg(func="showTerms", args=None, groupid="72937", **extra):
    inner = {"func": func, "groupid": groupid}
    if args is not None:
        inner["args"] = args
    inner.update(extra)
    return {"glance_invoke": inner}


def check(data, origin=GOOD_ORIGIN, trusted=TRUSTED, groups=GROUPS, **kw):
    return check_invoke(data, origin, trusted, groups, **kw)


def nested(depth):
    value = "x"
    for _ in range(depth):
        value = {"a": [value]}
    return value


# --- accepted -----------------------------------------------------------------------

@pytest.mark.parametrize("data, func, args", [
    # the seed's raw postMessage example
    ({"glance_invoke": {"func": "showTerms", "args": {"sessionKey": "12121212"}, "groupid": "72937"}},
     "showTerms", {"sessionKey": "12121212"}),
    (msg("showTerms"), "showTerms", {}),
    (msg("showTerms", {}), "showTerms", {}),
    (msg("showTerms", {"sessionKey": 1234}), "showTerms", {"sessionKey": "1234"}),
    (msg("showTerms", {"sessionKey": "GLANCE_KEYTYPE_RANDOM"}), "showTerms", {"sessionKey": "GLANCE_KEYTYPE_RANDOM"}),
    # InvokeVisitor.invoke("startSession", {sessionKey: "9999"})
    (msg("startSession", {"sessionKey": "9999"}, 72937), "startSession", {"sessionKey": "9999", "groupid": 72937}),
    (msg("startSession", "9999"), "startSession", {"sessionKey": "9999", "groupid": 72937}),
    (msg("startSession", 9999), "startSession", {"sessionKey": "9999", "groupid": 72937}),
    (msg("startSession"), "startSession", {"sessionKey": "GLANCE_KEYTYPE_RANDOM", "groupid": 72937}),
    (msg("startSession", "GLANCE_KEYTYPE_RANDOM"), "startSession",
     {"sessionKey": "GLANCE_KEYTYPE_RANDOM", "groupid": 72937}),
    (msg("startSession", {"sessionKey": "ab_C-9", "groupid": "555", "name": "Ann", "phone": 5551234,
                          "video": "small", "videoParams": {"camera": "front"}}),
     "startSession", {"sessionKey": "ab_C-9", "groupid": 555, "name": "Ann", "phone": "5551234",
                      "video": "small", "videoParams": {"camera": "front"}}),
    (msg("stopSession"), "stopSession", None),
    (msg("stopSession", {}), "stopSession", None),
    ({"glance_invoke": {"func": "stopSession", "args": None, "groupid": 72937}}, "stopSession", None),
    (msg("toggleVideo", groupid=555), "toggleVideo", None),
    (msg("toggleVideo", groupid=72937.0), "toggleVideo", None),
    # other keys next to glance_invoke are ignored
    ({"glance_invoke": {"func": "stopSession", "groupid": 555}, "source": "x"}, "stopSession", None),
])
def test_accepted(data, func, args):
    assert check(data) == {"ok": True, "func": func, "args": args}


def test_accepted_from_every_kind_of_trusted_origin():
    for origin in ("https://chat.example.com", "https://CHAT.example.com:443", "https://a.support.example.net",
                   "https://a.b.support.example.net", "http://localhost:8001"):
        assert check(msg("stopSession"), origin=origin)["ok"], origin


def test_start_without_key_uses_the_visitorid():
    assert check(msg("startSession"), visitorid="visitor_42") == {
        "ok": True, "func": "startSession", "args": {"sessionKey": "visitor_42", "groupid": 72937}}


def test_a_random_key_is_left_to_the_visitor_even_when_rand_is_given():
    result = check(msg("startSession"), rand=lambda: 0.3)
    assert result["ok"] and result["args"]["sessionKey"] == "GLANCE_KEYTYPE_RANDOM"


def test_normalised_start_args_reparse_to_the_same_session():
    for args in ({"sessionKey": "9999", "name": "Bo"}, "1234", 77, None, {"groupid": 555}):
        result = check(msg("startSession", args))
        assert result["ok"]
        again = parse_start_params(result["args"], groups=GROUPS, rand=lambda: 0.5)
        first = parse_start_params(args, groups=GROUPS, rand=lambda: 0.5)
        assert again == first


def test_args_are_copied_not_shared():
    params = {"camera": ["front"]}
    result = check(msg("startSession", {"sessionKey": "1", "videoParams": params}))
    assert result["args"]["videoParams"] == params and result["args"]["videoParams"] is not params
    params["camera"].append("x")
    assert result["args"]["videoParams"] == {"camera": ["front"]}


# --- rejected: the table -----------------------------------------------------------------

LOOKALIKES = [
    "https://chat.example.com.evil.net", "https://evilchat.example.com", "https://chatexample.com",
    "https://chat.example.com.", "http://chat.example.com", "https://chat.example.com:8443", "null", "",
    "https://support.example.net", "https://a.support.example.net.evil.net", "https://evilsupport.example.net",
    "http://a.support.example.net", "https://localhost:8001", "http://localhost:8000", "http://127.0.0.1:8001",
    "https://chat.ex\u0430mple.com", "https://chat.example\u3002com", "https://chat.example.com/",
    "https://user@chat.example.com", None, 7,
]

REJECTIONS = [
    # shape
    ("not a dict: string", "glance_invoke", GOOD_ORIGIN, "shape"),
    ("null", None, GOOD_ORIGIN, "shape"),
    ("array", [msg()], GOOD_ORIGIN, "shape"),
    ("number", 5, GOOD_ORIGIN, "shape"),
    ("placeholder", Placeholder(), GOOD_ORIGIN, "shape"),
    ("no namespace", {"func": "stopSession", "groupid": 72937}, GOOD_ORIGIN, "shape"),
    ("namespace is a string", {"glance_invoke": "stopSession"}, GOOD_ORIGIN, "shape"),
    ("namespace is null", {"glance_invoke": None}, GOOD_ORIGIN, "shape"),
    ("namespace is an array", {"glance_invoke": ["stopSession", 72937]}, GOOD_ORIGIN, "shape"),
    ("namespace is a placeholder", {"glance_invoke": Placeholder()}, GOOD_ORIGIN, "shape"),
    ("unknown field", msg("stopSession", then="x"), GOOD_ORIGIN, "shape"),
    ("prototype field", msg("stopSession", __proto__={"a": 1}), GOOD_ORIGIN, "shape"),
    ("1 MB string arg", msg("startSession", "k" * 1_000_000), GOOD_ORIGIN, "shape"),
    ("1 MB func", msg("s" * 1_000_000), GOOD_ORIGIN, "shape"),
    ("1 MB next to namespace", {"glance_invoke": {"func": "stopSession", "groupid": 1}, "x": "y" * 1_000_000},
     GOOD_ORIGIN, "shape"),
    ("deeply nested", msg("startSession", {"sessionKey": "1", "videoParams": nested(10_000)}), GOOD_ORIGIN, "shape"),
    ("too many values", msg("startSession", {"sessionKey": "1", "videoParams": list(range(100_000))}),
     GOOD_ORIGIN, "shape"),
    ("wide object", msg("startSession", {"sessionKey": "1", "videoParams": {str(i): i for i in range(5000)}}),
     GOOD_ORIGIN, "shape"),
    ("many mid-size strings", msg("startSession", {"sessionKey": "1", "videoParams": ["z" * 2000] * 20}),
     GOOD_ORIGIN, "shape"),
    ("non-string key", {"glance_invoke": {1: "x", "func": "stopSession", "groupid": 72937}}, GOOD_ORIGIN, "shape"),
    # origin (checked before anything that follows it)
    *[("look-alike " + repr(o), msg("stopSession"), o, "origin") for o in LOOKALIKES],
    ("look-alike with forbidden func", msg("addEventListener"), "https://evil.net", "origin"),
    ("look-alike with bad groupid", msg("stopSession", groupid="1"), "https://evil.net", "origin"),
    # groupid
    ("wrong group", msg("stopSession", groupid=12345), GOOD_ORIGIN, "groupid"),
    ("wrong group string", msg("stopSession", groupid="12345"), GOOD_ORIGIN, "groupid"),
    ("missing group", {"glance_invoke": {"func": "stopSession"}}, GOOD_ORIGIN, "groupid"),
    ("null group", msg("stopSession", groupid=None), GOOD_ORIGIN, "groupid"),
    ("boolean group", msg("stopSession", groupid=True), GOOD_ORIGIN, "groupid"),
    ("zero group", msg("stopSession", groupid=0), GOOD_ORIGIN, "groupid"),
    ("negative group", msg("stopSession", groupid=-72937), GOOD_ORIGIN, "groupid"),
    ("fractional group", msg("stopSession", groupid=72937.5), GOOD_ORIGIN, "groupid"),
    ("NaN group", msg("stopSession", groupid=float("nan")), GOOD_ORIGIN, "groupid"),
    ("infinite group", msg("stopSession", groupid=float("inf")), GOOD_ORIGIN, "groupid"),
    ("hex group", msg("stopSession", groupid="0x11CE9"), GOOD_ORIGIN, "groupid"),
    ("underscore group", msg("stopSession", groupid="72_937"), GOOD_ORIGIN, "groupid"),
    ("unicode digits group", msg("stopSession", groupid="\u0667\u0662\u0669\u0663\u0667"), GOOD_ORIGIN, "groupid"),
    ("group with suffix", msg("stopSession", groupid="72937abc"), GOOD_ORIGIN, "groupid"),
    # the group id is a positive integer or its exact decimal string: nothing around it, no leading zeros
    *[("loose group " + repr(g), msg("stopSession", groupid=g), GOOD_ORIGIN, "groupid") for g in (
        " 555", "555 ", " 555 ", "555\n", "\t555", "0555", "00555", "+555", "555.0", "5 55", "\u00a0555",
        " 72937", "72937\n", "072937", "72937\r\n", "0")],
    ("group list", msg("stopSession", groupid=[72937]), GOOD_ORIGIN, "groupid"),
    ("group object", msg("stopSession", groupid={"id": 72937}), GOOD_ORIGIN, "groupid"),
    ("huge group", msg("stopSession", groupid=10 ** 400), GOOD_ORIGIN, "groupid"),
    ("enormous group", msg("stopSession", groupid=10 ** 5000), GOOD_ORIGIN, "groupid"),
    ("bad group with forbidden func", msg("constructor", groupid=1), GOOD_ORIGIN, "groupid"),
    # func
    *[("forbidden " + f, msg(f), GOOD_ORIGIN, "func") for f in (
        "addEventListener", "removeEventListener", "constructor", "__init__", "__class__", "prototype",
        "__proto__", "__dict__", "__getattribute__", "toString", "valueOf", "hasOwnProperty", "inSession",
        "getKey", "getSessionState", "start_session", "stop_session", "emit", "fail", "on_started", "_ended",
        "StartSession", "startsession", "startSession ", " startSession", "startSession\x00", "", "eval")],
    ("missing func", {"glance_invoke": {"groupid": 72937}}, GOOD_ORIGIN, "func"),
    ("null func", {"glance_invoke": {"func": None, "groupid": 72937}}, GOOD_ORIGIN, "func"),
    ("number func", msg(1), GOOD_ORIGIN, "func"),
    ("list func", msg(["startSession"]), GOOD_ORIGIN, "func"),
    ("object func", msg({"name": "startSession"}), GOOD_ORIGIN, "func"),
    ("placeholder func", msg(Placeholder()), GOOD_ORIGIN, "func"),
    # args
    ("start: bad key chars", msg("startSession", {"sessionKey": "a b"}), GOOD_ORIGIN, "args"),
    ("start: key too long", msg("startSession", "k" * 51), GOOD_ORIGIN, "args"),
    ("start: empty key", msg("startSession", ""), GOOD_ORIGIN, "args"),
    ("start: boolean", msg("startSession", True), GOOD_ORIGIN, "args"),
    ("start: array", msg("startSession", ["9999"]), GOOD_ORIGIN, "args"),
    ("start: float key", msg("startSession", 12.5), GOOD_ORIGIN, "args"),
    ("start: negative key", msg("startSession", -5), GOOD_ORIGIN, "args"),
    ("start: unknown option", msg("startSession", {"sessionKey": "1", "onstart": "alert(1)"}), GOOD_ORIGIN, "args"),
    ("start: foreign groupid", msg("startSession", {"sessionKey": "1", "groupid": 999}), GOOD_ORIGIN, "args"),
    ("start: name too long", msg("startSession", {"sessionKey": "1", "name": "n" * 63}), GOOD_ORIGIN, "args"),
    ("start: name not a string", msg("startSession", {"sessionKey": "1", "name": {"x": 1}}), GOOD_ORIGIN, "args"),
    ("start: placeholder key", msg("startSession", {"sessionKey": Placeholder()}), GOOD_ORIGIN, "args"),
    ("start: placeholder option", msg("startSession", {"sessionKey": "1", "videoParams": {"a": Placeholder()}}),
     GOOD_ORIGIN, "args"),
    ("start: function option", msg("startSession", {"sessionKey": "1", "terms": print}), GOOD_ORIGIN, "args"),
    ("start: placeholder", msg("startSession", Placeholder()), GOOD_ORIGIN, "args"),
    ("terms: string", msg("showTerms", "12121212"), GOOD_ORIGIN, "args"),
    ("terms: bad key", msg("showTerms", {"sessionKey": "a/b"}), GOOD_ORIGIN, "args"),
    ("terms: unknown option", msg("showTerms", {"sessionKey": "1", "x": 1}), GOOD_ORIGIN, "args"),
    ("stop: with a key", msg("stopSession", "9999"), GOOD_ORIGIN, "args"),
    ("stop: with an object", msg("stopSession", {"now": True}), GOOD_ORIGIN, "args"),
    ("stop: with an array", msg("stopSession", []), GOOD_ORIGIN, "args"),
    ("stop: with false", msg("stopSession", False), GOOD_ORIGIN, "args"),
    ("toggle: with a value", msg("toggleVideo", True), GOOD_ORIGIN, "args"),
    ("toggle: with a placeholder", msg("toggleVideo", Placeholder()), GOOD_ORIGIN, "args"),
]


@pytest.mark.parametrize("name, data, origin, failed", REJECTIONS, ids=[r[0][:60] for r in REJECTIONS])
def test_rejected(name, data, origin, failed):
    result = check(data, origin=origin)
    assert result["ok"] is False
    assert result["check"] == failed, result
    assert isinstance(result["reason"], str) and 0 < len(result["reason"]) <= 300
    assert set(result) == {"ok", "check", "reason", "namespaced"}


def test_rejections_of_foreign_messages_are_marked_not_namespaced():
    for data in ("hello", None, [1], {"type": "webpackOk"}, {"source": "react-devtools"}):
        result = check(data)
        assert result["check"] == "shape" and result["namespaced"] is False
    assert check({"glance_invoke": "x"})["namespaced"] is True
    assert check(msg("stopSession"), origin="https://evil.net")["namespaced"] is True


@pytest.mark.parametrize("trusted", [None, [], (), "https://chat.example.com", 5, ["https://*.com"], [None]])
def test_nobody_is_trusted_without_a_valid_trusted_origin(trusted):
    result = check(msg("stopSession"), trusted=trusted)
    assert result["ok"] is False and result["check"] == "origin"


@pytest.mark.parametrize("groups", [None, [], [0], ["abc"], 5, "72937", [None]])
def test_no_group_matches_without_a_valid_page_group(groups):
    result = check(msg("stopSession", groupid=72937), groups=groups)
    assert result["ok"] is False and result["check"] == "groupid"


def test_page_groups_given_as_strings_are_understood():
    assert check(msg("stopSession", groupid=555), groups=["72937", "555"])["ok"]


def test_reasons_name_the_problem():
    assert "https://evil.net" in check(msg("stopSession"), origin="https://evil.net")["reason"]
    assert "12345" in check(msg("stopSession", groupid=12345))["reason"]
    reason = check(msg("addEventListener"))["reason"]
    assert "'addEventListener'" in reason and "startSession" in reason
    assert "session key" in check(msg("startSession", "a b"))["reason"]
    assert "string of 1000000 characters" in check(msg("startSession", "k" * 1_000_000))["reason"]


def test_reasons_never_echo_huge_or_hostile_text():
    result = check(msg("x" * 2000))
    assert len(result["reason"]) <= 300
    result = check(msg("stopSession"), origin="https://evil.net/" + "\x1b[31m" + "a" * 5000)
    assert len(result["reason"]) <= 300 and "\x1b" not in result["reason"]


def test_hostile_sizes_are_refused_quickly():
    big = [
        msg("startSession", "k" * 10_000_000),
        msg("startSession", {"sessionKey": "1", "videoParams": nested(100_000)}),
        msg("startSession", {"sessionKey": "1", "videoParams": [[[]] * 1000] * 1000}),
        {"glance_invoke": {"func": "stopSession", "groupid": 1, "args": {str(i): "v" for i in range(1_000_000)}}},
    ]
    for data in big:
        started = time.perf_counter()
        result = check(data)
        assert result["ok"] is False and result["check"] == "shape"
        assert time.perf_counter() - started < 0.05


def test_a_cycle_is_refused_not_looped():
    args = {"sessionKey": "1", "videoParams": {}}
    args["videoParams"]["self"] = args
    assert check(msg("startSession", args))["check"] == "shape"


def test_size_problem_limits():
    assert size_problem(nested(MAX_DEPTH // 2 - 1)) is None
    assert "nested" in size_problem(nested(MAX_DEPTH))
    assert size_problem({"a": "b" * 2048}) is None
    assert size_problem({"a": "b" * 2049}) is not None


def test_allow_list_is_fixed_and_small():
    assert ALLOWED_FUNCS == ("startSession", "stopSession", "showTerms", "toggleVideo")


def test_a_raising_value_is_a_failure_not_an_exception():
    class Evil(dict):
        def __contains__(self, key):
            raise RuntimeError("boom")

    result = check(Evil())
    assert result["ok"] is False and result["check"] == "shape"

    class EvilGroups(list):
        def __getitem__(self, i):
            raise RuntimeError("boom")

    result = check(msg("stopSession"), groups=EvilGroups([72937]))
    assert result["ok"] is False and result["check"] == "groupid"


# --- fuzz ------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10 ** 20, max_value=10 ** 20), st.floats(),
    st.text(max_size=30), st.sampled_from(["72937", "555", "9999", "12121212", "GLANCE_KEYTYPE_RANDOM", "a b", ""]),
    st.builds(Placeholder),
)
json_like = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=20)
funcs = st.one_of(st.sampled_from(list(ALLOWED_FUNCS) + ["addEventListener", "constructor", "__init__",
                                                       "__class__", "getKey", "prototype"]), json_like)
groupids = st.one_of(st.sampled_from([72937, 555, "72937", "555", 1, "0", None, True, 72937.0]), json_like)
arg_values = st.one_of(
    st.none(), st.just({}), st.sampled_from(["9999", 9999, "GLANCE_KEYTYPE_RANDOM", "a b"]),
    st.fixed_dictionaries({}, optional={"sessionKey": st.one_of(st.sampled_from(["9999", "x y", 12]), json_like),
                                        "groupid": groupids, "name": json_like, "videoParams": json_like}),
    json_like,
)
inner_messages = st.fixed_dictionaries({}, optional={"func": funcs, "args": arg_values, "groupid": groupids,
                                                     "extra": json_like})
datas = st.one_of(json_like, st.builds(lambda m: {"glance_invoke": m}, inner_messages),
                  st.builds(lambda m: {"glance_invoke": m}, json_like))
origins = st.one_of(st.sampled_from(TRUSTED + LOOKALIKES[:-2] + ["https://x.support.example.net"]),
                    st.text(max_size=40))


def expected_ok(data, origin):
    """An independent statement of what must pass."""
    if not (isinstance(data, dict) and isinstance(data.get("glance_invoke"), dict)):
        return False
    m = data["glance_invoke"]
    if set(m) - {"func", "args", "groupid"} or not origin_allowed(origin, TRUSTED):
        return False
    gid = m.get("groupid")
    if isinstance(gid, bool) or gid not in (72937, 555, "72937", "555", 72937.0, 555.0):
        if not (isinstance(gid, str) and gid.strip() in ("72937", "555")):
            return False
    func, args = m.get("func"), m.get("args")
    if func in ("stopSession", "toggleVideo"):
        return args is None or args == {}
    if func == "showTerms":
        try:
            parse_terms_params(args)
        except ParamError:
            return False
        return True
    if func == "startSession":
        try:
            parse_start_params(args, groups=GROUPS, rand=lambda: 0.1)
        except ParamError:
            return False
        return True
    return False


def contains_placeholder(value):
    if isinstance(value, Placeholder):
        return True
    if isinstance(value, dict):
        return any(contains_placeholder(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_placeholder(v) for v in value)
    return False


@settings(max_examples=3000, deadline=None)
@given(datas, origins)
def test_fuzz_never_raises_and_only_valid_messages_pass(data, origin):
    result = check(data, origin=origin)
    assert result["ok"] in (True, False)
    if result["ok"]:
        assert set(result) == {"ok", "func", "args"}
        assert result["func"] in ALLOWED_FUNCS
        assert origin_allowed(origin, TRUSTED)
        assert expected_ok(data, origin)
        assert not contains_placeholder(result["args"])
    else:
        assert result["check"] in ("shape", "origin", "groupid", "func", "args")
        assert isinstance(result["reason"], str) and result["reason"]
        if expected_ok(data, origin) and not contains_placeholder(data):
            pytest.fail("a valid message was refused: " + repr(result))


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(ALLOWED_FUNCS), st.sampled_from([72937, "555", 555.0]), st.sampled_from(TRUSTED[:1] + [
    "https://a.support.example.net", "http://localhost:8001"]))
def test_fuzz_valid_messages_pass(func, groupid, origin):
    assert check(msg(func, groupid=groupid), origin=origin)["ok"]


# --- the chat window's side (invoke_visitor.main, pure part) ----------------------------

from invoke_visitor import main as invoke_main  # noqa: E402  (imports without a browser under CPython)


@pytest.mark.parametrize("groupid, origin, expected", [
    (72937, "*", {"groupid": 72937, "target": "*"}),
    ("72937", "https://Shop.Example.com:443", {"groupid": 72937, "target": "https://shop.example.com"}),
    (555, "shop.example.com", {"groupid": 555, "target": "https://shop.example.com"}),
    (555, "http://localhost:8000", {"groupid": 555, "target": "http://localhost:8000"}),
])
def test_prepare_init(groupid, origin, expected):
    assert invoke_main.prepare_init(groupid, origin) == expected


@pytest.mark.parametrize("groupid, origin, error", [
    (None, "*", TypeError), (72937, None, TypeError), (72937, 5, TypeError), ("abc", "*", ValueError),
    (0, "*", ValueError), (True, "*", ValueError), (72937, "https://shop.example.com/", ValueError),
    (72937, "null", ValueError), (72937, "https://*.example.com", ValueError), (72937, "", ValueError),
])
def test_prepare_init_refuses(groupid, origin, error):
    with pytest.raises(error) as info:
        invoke_main.prepare_init(groupid, origin)
    assert "InvokeVisitor.init" in str(info.value)


def test_prepare_message_builds_what_the_receiver_accepts():
    for func, args in (("startSession", {"sessionKey": "9999"}), ("startSession", None), ("stopSession", None),
                       ("showTerms", {"sessionKey": "12121212"}), ("toggleVideo", {})):
        data = invoke_main.prepare_message(72937, func, args)
        assert data == {"glance_invoke": {"func": func, "args": args, "groupid": 72937}}
        assert check(data)["ok"], (func, args)


@pytest.mark.parametrize("groupid, func, args, error", [
    (None, "stopSession", None, ValueError),            # invoke before init
    (72937, 5, None, TypeError), (72937, None, None, TypeError), (72937, ["startSession"], None, TypeError),
    (72937, "addEventListener", None, ValueError), (72937, "constructor", None, ValueError),
    (72937, "startSession", "a b", ValueError), (72937, "stopSession", "9999", ValueError),
    (72937, "startSession", "k" * 1_000_000, ValueError), (72937, "startSession", {"videoParams": Placeholder()}, ValueError),
    (72937, "showTerms", "1", ValueError),
])
def test_prepare_message_refuses(groupid, func, args, error):
    with pytest.raises(error) as info:
        invoke_main.prepare_message(groupid, func, args)
    assert "InvokeVisitor" in str(info.value)


@given(st.integers(1, 999999999999999))
def test_group_id_exact_decimal_string_is_accepted(gid):
    """A page's group id matches as the integer and as its exact decimal string."""
    r = check_invoke(msg("stopSession", groupid=str(gid)), GOOD_ORIGIN, TRUSTED, [gid])
    assert r["ok"] and r["func"] == "stopSession"
    assert check_invoke(msg("stopSession", groupid=gid), GOOD_ORIGIN, TRUSTED, [gid])["ok"]


PAD = st.text(" \t\n\r\x0b\x0c\u00a0\u2028\u3000+0", max_size=3)


@given(st.integers(1, 999999999999999), PAD, PAD)
def test_group_id_with_anything_around_it_is_refused(gid, before, after):
    """Spaces, newlines, signs or leading zeros around the digits: refused at the groupid check
    (today's code trimmed the string and read "0555" as 555)."""
    text = before + str(gid) + after
    if text == str(gid):
        return
    r = check_invoke(msg("stopSession", groupid=text), GOOD_ORIGIN, TRUSTED, [gid])
    assert not r["ok"] and r["check"] == "groupid", (text, r)
