"""Login keys (session_server/login_keys.py): HMAC-SHA256 over group id, partner user id and expiry."""

import pytest
from hypothesis import given, strategies as st

from session_server import login_keys as LK

SECRET = "crm-api-secret-0123456789"
NOW = 1_800_000_000


def test_a_minted_key_names_its_agent():
    key = LK.mint(SECRET, 72937, "janet@example.com", NOW + 300)
    assert key.startswith("lk1.72937.%d." % (NOW + 300))
    assert LK.group_of(key) == 72937
    assert LK.verify(key, 72937, SECRET, NOW) == "janet@example.com"
    assert LK.verify(key, 72937, SECRET.encode(), NOW + 300) == "janet@example.com"   # valid up to its expiry


@given(st.integers(1, 999999999999999), st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60),
       st.integers(1, LK.MAX_LIFETIME))
def test_round_trip(gid, puid, ttl):
    assert LK.verify(LK.mint(SECRET, gid, puid, NOW + ttl), gid, SECRET, NOW) == puid


def _code(key, gid=72937, secret=SECRET, now=NOW):
    with pytest.raises(LK.LoginKeyError) as e:
        LK.verify(key, gid, secret, now)
    return e.value.code


def test_expired_wrong_group_and_tampered_keys_have_distinct_codes():
    key = LK.mint(SECRET, 72937, "janet@example.com", NOW + 300)
    assert _code(key, now=NOW + 301) == "loginkey_expired"
    assert _code(key, gid=12345) == "loginkey_group"
    assert _code(LK.mint("another-secret-0123456789", 72937, "janet@example.com", NOW + 300)) == "loginkey_invalid"
    p = key.split(".")
    for i, repl in ((1, "12345"), (2, str(NOW + 3000)), (3, LK._b64(b"mary@example.com"))):
        forged = ".".join(p[:i] + [repl] + p[i + 1:])
        assert _code(forged, gid=int(forged.split(".")[1])) == "loginkey_invalid", i
    assert _code(key[:-2] + ("AA" if key[-2:] != "AA" else "BB")) == "loginkey_invalid"


@pytest.mark.parametrize("bad", [None, 5, "", "lk1", "lk2.72937.1800000300.amFuZXQ.AAAA", "lk1.072937.1.a.b",
                                 "lk1. 72937.1800000300.amFuZXQ." + "A" * 43, "lk1.72937.-5.amFuZXQ." + "A" * 43,
                                 "lk1.72937.1800000300..%s" % ("A" * 43), "lk1.72937.1800000300.amFuZXQ.short",
                                 "lk1.72937.1800000300.amFuZXQ." + "A" * 43 + ".x", "x" * 5000,
                                 "lk1.72937.1800000300.+/+/." + "A" * 43])
def test_malformed_keys_are_invalid(bad):
    assert _code(bad) == "loginkey_invalid"
    assert LK.group_of(bad) is None


def test_keys_valid_for_more_than_a_day_are_refused():
    assert _code(LK.mint(SECRET, 72937, "janet@example.com", NOW + LK.MAX_LIFETIME + 1)) == "loginkey_invalid"
    assert LK.verify(LK.mint(SECRET, 72937, "j", NOW + LK.MAX_LIFETIME), 72937, SECRET, NOW) == "j"


def test_no_secret_refuses_every_key():
    key = LK.mint(SECRET, 72937, "janet@example.com", NOW + 300)
    assert _code(key, secret=None) == "loginkey_invalid" and _code(key, secret=b"") == "loginkey_invalid"
