"""Session key, startSession/showTerms parameters and page configuration rules."""
import pytest
from hypothesis import given, strategies as st

from visitor_sdk.config import groups_of, parse_config
from visitor_sdk.params import (KEY_CHARS, ParamError, is_valid_key, parse_start_params, parse_terms_params,
                                visitor_field)

rand = iter([0.1 * (i % 10) for i in range(10000)]).__next__


def fixed_rand():
    return 0.42


@pytest.mark.parametrize("key", ["1", "9999", "a" * 50, "abc_DEF-123"])
def test_valid_keys(key):
    assert is_valid_key(key)
    assert parse_start_params(key, groups=[1])["key"] == key


@pytest.mark.parametrize("key", ["", "a" * 51, "a b", "ключ", "a/b", "<script>", "12.5", " 1"])
def test_invalid_keys_raise_clear_errors(key):
    with pytest.raises(ParamError) as e:
        parse_start_params(key, groups=[1])
    assert "session key" in str(e.value)


@pytest.mark.parametrize("bad", [[], ["1"], True, 1.5, -3, object()])
def test_other_types_raise(bad):
    with pytest.raises(ParamError):
        parse_start_params(bad, groups=[1])


def test_forms_of_start_params():
    assert parse_start_params({"sessionKey": "9999"}, groups=[72937]) == {
        "key": "9999", "random": False, "groupid": 72937, "options": {}}
    r = parse_start_params("GLANCE_KEYTYPE_RANDOM", groups=[1], rand=fixed_rand)
    assert r["random"] is True and is_valid_key(r["key"]) and r["key"].isdigit()
    assert parse_start_params(None, visitorid="v-1", groups=[1])["key"] == "v-1"
    assert parse_start_params(None, groups=[1], rand=fixed_rand)["random"] is True
    assert parse_start_params(1234, groups=[1])["key"] == "1234"
    assert parse_start_params({"sessionKey": "k", "groupid": "7"}, groups=[1, 7])["groupid"] == 7
    with pytest.raises(ParamError, match="groupid 8"):
        parse_start_params({"sessionKey": "k", "groupid": 8}, groups=[1, 7])
    with pytest.raises(ParamError, match="unknown option"):
        parse_start_params({"sessionkey": "k"}, groups=[1])
    with pytest.raises(ParamError, match="name must be at most"):
        parse_start_params({"sessionKey": "k", "name": "x" * 63}, groups=[1])


@given(st.text(max_size=60))
def test_key_rule_matches_definition(key):
    expected = 1 <= len(key) <= 50 and all(c in KEY_CHARS for c in key)
    assert is_valid_key(key) == expected


def test_terms_params():
    assert parse_terms_params(None) == {}
    assert parse_terms_params({"sessionKey": "12121212"}) == {"sessionKey": "12121212"}
    for bad in ("x", [], {"other": 1}, {"sessionKey": "a b"}):
        with pytest.raises(ParamError):
            parse_terms_params(bad)


def test_config_data_attributes_win_and_are_checked():
    cfg, problems = parse_config({"groupid": "72937", "site": "staging", "ws": "http://127.0.0.1:8000/",
                                  "additionalgroupids": "5, 6"}, {"groupid": 1, "visitorid": "abc", "name": "Ann"})
    assert problems == []
    assert cfg["groupid"] == 72937 and cfg["additionalgroupids"] == [5, 6]
    assert cfg["ws"] == "http://127.0.0.1:8000" and cfg["site"] == "staging"
    assert cfg["visitor"] == {"visitorid": "abc", "name": "Ann"}
    assert groups_of(cfg) == [72937, 5, 6]


@pytest.mark.parametrize("gid", [None, "", "abc", "0", "-1", "1.5", "99999999999999999999"])
def test_bad_groupid_is_a_problem_not_a_crash(gid):
    cfg, problems = parse_config({"groupid": gid})
    assert cfg["groupid"] is None and groups_of(cfg) == []
    assert any("groupid" in p for p in problems)


def test_bad_visitor_fields_are_ignored_with_a_problem():
    cfg, problems = parse_config({"groupid": "1"}, {"visitorid": "a b", "email": "e" * 100, "phone": 12345})
    assert cfg["visitor"] == {"phone": "12345"}
    assert len(problems) == 2
    with pytest.raises(ParamError):
        visitor_field("name", 5)


def test_show_terms_may_ask_for_a_random_key():
    assert parse_terms_params({"sessionKey": "GLANCE_KEYTYPE_RANDOM"}) == {"sessionKey": "GLANCE_KEYTYPE_RANDOM"}


@pytest.mark.parametrize("raw", [" 72937", "72937 ", "72937\n", "072937", "+72937", "72937.0", "7 2937", "\u0667\u0662"])
def test_data_groupid_is_an_exact_decimal(raw):
    """data-groupid (and GLANCE_COBROWSE.groupid) must be the digits alone: no spaces, sign or leading zeros."""
    cfg, problems = parse_config({"groupid": raw}, {})
    assert cfg["groupid"] is None and problems and "data-groupid" in problems[0]


def test_positive_int_bounds():
    from visitor_sdk.params import positive_int
    assert positive_int("999999999999999", "g") == 999999999999999 and positive_int(5.0, "g") == 5
    for bad in ("1000000000000000", 10 ** 15, "0", 0, -1, "-1", float("inf"), float("nan"), 1.5, True, None, "٥"):
        with pytest.raises(ParamError):
            positive_int(bad, "g")
