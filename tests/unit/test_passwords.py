"""Password hashes (session_server/passwords.py): scrypt, salted, parameters in the stored string."""

import hashlib

import pytest
from hypothesis import given, settings, strategies as st

from session_server import passwords as PW

FAST = dict(n=PW.MIN_N, r=1, p=1)   # the cheapest parameters the loader accepts, to keep tests quick


def test_stored_form_names_scheme_parameters_salt_and_hash():
    h = PW.hash_password("demo-agent")
    scheme, params, salt, digest = h.split("$")
    assert scheme == "scrypt" and params == "n=16384,r=8,p=1"
    n, r, p, salt_b, digest_b = PW.parse_hash(h)
    assert (n, r, p) == (16384, 8, 1) and len(salt_b) == 16 and len(digest_b) == 32
    assert PW.verify(h, "demo-agent") and not PW.verify(h, "demo-agenT") and not PW.verify(h, "")


def test_each_hash_has_its_own_salt():
    a, b = PW.hash_password("same", **FAST), PW.hash_password("same", **FAST)
    assert a != b and PW.verify(a, "same") and PW.verify(b, "same")


@settings(max_examples=15, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_round_trip_any_text(pw):
    try:
        h = PW.hash_password(pw, **FAST)
    except ValueError:   # lone surrogates cannot be encoded: refused, never hashed
        assert any(0xD800 <= ord(c) <= 0xDFFF for c in pw)
        return
    assert PW.verify(h, pw) and not PW.verify(h, pw + "x")


@pytest.mark.parametrize("bad", [
    "demo-agent", "scrypt$n=16384,r=8,p=1$abc", "scrypt$n=1000,r=8,p=1$AAAAAAAAAAA$" + "A" * 43,
    "scrypt$n=1024,r=8,p=1$AAAAAAAAAAA$" + "A" * 43,                     # n below the minimum
    "scrypt$n=16384,r=8$AAAAAAAAAAA$" + "A" * 43, "scrypt$n=16384,r=8,p=1,x=2$AAAAAAAAAAA$" + "A" * 43,
    "scrypt$n=16384,r=8,p=1$AAAAAAAAAAA$AAAA", "scrypt$n=16384,r=8,p=1$!!!$" + "A" * 43,
    "scrypt$n=2097152,r=8,p=1$AAAAAAAAAAA$" + "A" * 43])
def test_malformed_hashes_are_refused_with_a_reason(bad):
    with pytest.raises(ValueError):
        PW.parse_hash(bad)
    assert PW.verify(bad, "demo-agent") is False


def test_wrong_and_unknown_cost_one_scrypt_run_each(monkeypatch):
    """An unknown username (stored None) runs scrypt with the default parameters, like a wrong password."""
    calls = []
    real = hashlib.scrypt

    def counting(pw, **kw):
        calls.append((kw["n"], kw["r"], kw["p"]))
        return real(pw, **kw)
    h = PW.hash_password("right")
    monkeypatch.setattr(hashlib, "scrypt", counting)
    assert PW.verify(h, "wrong") is False
    assert PW.verify(None, "wrong") is False
    assert PW.verify(None, None) is False and PW.verify(h, 12) is False
    assert calls == [(16384, 8, 1)] * 4


def test_overlong_passwords_are_never_hashed():
    with pytest.raises(ValueError):
        PW.hash_password("x" * (PW.MAX_PASSWORD_BYTES + 1))
    h = PW.hash_password("x" * PW.MAX_PASSWORD_BYTES, **FAST)
    assert PW.verify(h, "x" * PW.MAX_PASSWORD_BYTES) and not PW.verify(h, "x" * (PW.MAX_PASSWORD_BYTES + 1))


def test_verified_cache_keeps_successes_for_ttl_only():
    c = PW.VerifiedCache(ttl=10, size=2)
    h = PW.hash_password("pw", **FAST)
    assert not c.hit(h, "pw", 0)
    c.add(h, "pw", 0)
    assert c.hit(h, "pw", 5) and not c.hit(h, "other", 5)
    assert not c.hit(h, "pw", 11) and not c.hit(h, "pw", 5)   # expired entries are dropped
    c.add(h, "a", 0), c.add(h, "b", 0), c.add(h, "c", 0)
    assert not c.hit(h, "a", 1) and c.hit(h, "b", 1) and c.hit(h, "c", 1)   # at most `size` entries
    assert len(c._seen) == 2 and all(len(k) == 32 for k in c._seen)   # HMACs, never the passwords
