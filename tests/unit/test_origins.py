"""Origin parsing and trusted-origin matching (visitor_sdk/origins.py)."""

import pytest
from hypothesis import given, settings, strategies as st

from visitor_sdk.origins import (
    OriginError, match_origin, normalize_origin, origin_allowed, parse_entry, parse_origin, parse_trusted,
    target_origin,
)

TRUSTED = [
    "https://example.com",
    "https://*.shop.example.org",
    "http://localhost:8000",
    "http://127.0.0.1:8001",
    "https://[::1]:8443",
]


# --- parse_origin -------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("https://example.com", ("https", "example.com", 443)),
    ("http://example.com", ("http", "example.com", 80)),
    ("https://example.com:443", ("https", "example.com", 443)),
    ("http://example.com:443", ("http", "example.com", 443)),
    ("https://example.com:8443", ("https", "example.com", 8443)),
    ("HTTPS://Example.COM", ("https", "example.com", 443)),
    ("http://localhost:8000", ("http", "localhost", 8000)),
    ("http://127.0.0.1:8001", ("http", "127.0.0.1", 8001)),
    ("https://[::1]:8443", ("https", "[::1]", 8443)),
    ("https://[2001:DB8::1]", ("https", "[2001:db8::1]", 443)),
    ("https://xn--bcher-kva.example", ("https", "xn--bcher-kva.example", 443)),
    ("https://a-b_c.example.com", ("https", "a-b_c.example.com", 443)),
])
def test_parse_origin_accepts(text, expected):
    assert parse_origin(text) == expected


@pytest.mark.parametrize("text", [
    "null", "NULL", "", "example.com", "//example.com", "https://", "https://:443",
    "ftp://example.com", "file:///etc/passwd", "javascript://example.com", "data://x", "ws://example.com",
    "https://example.com/", "https://example.com/path", "https://example.com?q", "https://example.com#f",
    "https://user@example.com", "https://user:pw@example.com", "https://evil.com@example.com",
    "https://example.com.", "https://example..com", "https://.example.com",
    " https://example.com", "https://example.com ", "https://exa mple.com", "https://example.com\n",
    "https://example.com\t", "https://example.com\x00", "https\t://example.com",
    "https://example.com:", "https://example.com:0x1bb", "https://example.com:99999", "https://example.com:-1",
    "https://example.com:44 3", "https://example.com:443:443", "https://example.com:１２３",
    "https://b\u00fccher.example",         # Unicode host: browsers send punycode
    "https://exampl\u212a.com",            # KELVIN SIGN lower-cases to 'k'
    "https://example\u3002com",            # ideographic full stop
    "https://example\uff0ecom",            # fullwidth full stop
    "https://\u0435xample.com",            # Cyrillic e
    "https://example.com\u200b",           # zero-width space
    "https://ex%61mple.com", "https://example.com\\@evil.net", "https://*.example.com",
    "https://exa*mple.com", "https://0x7f.0.0.1", "https://127.1", "https://127.0.0.01", "https://256.0.0.1",
    "https://1.2.3.4.5", "https://[::1", "https://[::1]x", "https://[:::1]", "https://[]",
    "https://" + "a" * 64 + ".com", "https://" + "a." * 130 + "com",
    None, 443, b"https://example.com", ["https://example.com"],
])
def test_parse_origin_rejects(text):
    with pytest.raises(OriginError):
        parse_origin(text)


def test_normalize_origin_drops_default_port():
    assert normalize_origin("HTTPS://Shop.Example.com:443") == "https://shop.example.com"
    assert normalize_origin("http://localhost:8000") == "http://localhost:8000"
    assert normalize_origin("http://localhost:443") == "http://localhost:443"


# --- entries ----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("https://example.com", ("https", ("example", "com"), 443, False)),
    ("https://*.example.com", ("https", ("example", "com"), 443, True)),
    ("http://*.a.example.com:8080", ("http", ("a", "example", "com"), 8080, True)),
    ("  https://Example.com  ", ("https", ("example", "com"), 443, False)),
    ("http://localhost:8000", ("http", ("localhost",), 8000, False)),
])
def test_parse_entry_accepts(text, expected):
    assert parse_entry(text) == expected


@pytest.mark.parametrize("text", [
    "*", "https://*", "https://*.com", "https://*.*.example.com", "https://a.*.example.com",
    "https://*example.com", "https://*.example.com:*", "https://**.example.com", "*.example.com",
    "https://*.0.0.1", "https://*.[::1]", "https://example.com/", "null", "https://example.com.",
    "https://*.example.com.", "https://*.b\u00fccher.example",
])
def test_parse_entry_rejects(text):
    with pytest.raises(OriginError):
        parse_entry(text)


def test_parse_trusted_reports_bad_entries_and_keeps_good_ones():
    entries, problems = parse_trusted("https://a.example.com, https://*.com;https://b.example.com/x  http://c.example")
    assert entries == [("https", ("a", "example", "com"), 443, False), ("http", ("c", "example"), 80, False)]
    assert len(problems) == 2 and all("entry ignored" in p for p in problems)
    assert parse_trusted(None) == ([], [])
    assert parse_trusted(["https://a.example.com", 5])[0] == [("https", ("a", "example", "com"), 443, False)]
    assert parse_trusted(5)[0] == []
    assert parse_trusted({"x": 1})[0] == []


# --- origin_allowed: the table ------------------------------------------------------

@pytest.mark.parametrize("origin, allowed", [
    ("https://example.com", True),
    ("https://EXAMPLE.COM", True),
    ("https://example.com:443", True),
    ("https://a.shop.example.org", True),
    ("https://a.b.shop.example.org", True),
    ("http://localhost:8000", True),
    ("http://127.0.0.1:8001", True),
    ("https://[::1]:8443", True),
    # look-alikes
    ("https://example.com.evil.net", False),
    ("https://evilexample.com", False),
    ("https://example.co", False),
    ("https://example.com.", False),
    ("https://www.example.com", False),          # no wildcard for example.com
    ("https://shop.example.org", False),         # wildcard never matches its apex
    ("https://evilshop.example.org", False),
    ("https://a.shop.example.org.evil.net", False),
    ("https://shop.example.org.evil.net", False),
    ("https://a.shop.example.org.", False),
    ("https://a.shop-example.org", False),
    ("https://a.shop.example.org/", False),
    ("https://exampl\u212a.com", False),
    ("https://example\u3002com", False),
    ("https://xn--exmple-cua.com", False),
    # scheme and port
    ("http://example.com", False),
    ("https://example.com:8443", False),
    ("http://a.shop.example.org", False),
    ("https://a.shop.example.org:444", False),
    ("http://localhost:8001", False),
    ("https://localhost:8000", False),
    ("http://localhost", False),
    ("http://127.0.0.1:8000", False),
    ("http://[::1]:8443", False),
    # not origins at all
    ("null", False), ("", False), (None, False), (5, False), ("*", False), ("https://*.shop.example.org", False),
    ("https://user@example.com", False), ("https://example.com/path", False), ("x" * 1_000_000, False),
])
def test_origin_allowed_table(origin, allowed):
    assert origin_allowed(origin, TRUSTED) is allowed


def test_origin_allowed_with_nothing_trusted():
    for entries in ([], (), None, "https://example.com", {"https://example.com": 1}, 5):
        assert origin_allowed("https://example.com", entries) is False


def test_origin_allowed_skips_bad_entries_and_takes_parsed_ones():
    assert origin_allowed("https://example.com", [None, 5, "https://*.com", "https://example.com"]) is True
    entries, _ = parse_trusted(TRUSTED)
    assert origin_allowed("https://a.shop.example.org", entries) is True
    assert origin_allowed("https://shop.example.org", entries) is False
    assert match_origin(parse_origin("https://x.shop.example.org"), entries) is True


def test_entry_with_explicit_default_port_matches_origin_without_it():
    assert origin_allowed("https://example.com", ["https://example.com:443"])
    assert origin_allowed("https://a.example.com", ["https://*.example.com:443"])
    assert not origin_allowed("https://a.example.com", ["https://*.example.com:8443"])


# --- target_origin (InvokeVisitor.init) --------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("*", "*"),
    ("https://shop.example.com", "https://shop.example.com"),
    ("HTTPS://Shop.Example.com:443", "https://shop.example.com"),
    ("http://localhost:8000", "http://localhost:8000"),
    ("shop.example.com", "https://shop.example.com"),
    ("Shop.Example.com:8443", "https://shop.example.com:8443"),
])
def test_target_origin(value, expected):
    assert target_origin(value) == expected


@pytest.mark.parametrize("value", [
    None, 5, "", "null", "**", "*.example.com", "https://*.example.com", "https://shop.example.com/",
    "shop.example.com/path", "ftp://shop.example.com", "shop example", "user@shop.example.com",
])
def test_target_origin_rejects(value):
    with pytest.raises(OriginError):
        target_origin(value)


# --- properties ----------------------------------------------------------------------

label = st.from_regex(r"[a-z](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
hosts = st.lists(label, min_size=2, max_size=5).map(".".join)
schemes = st.sampled_from(["http", "https"])
ports = st.one_of(st.none(), st.integers(min_value=1, max_value=65535))


def origin_text(scheme, host, port):
    return scheme + "://" + host + ("" if port is None else ":" + str(port))


@given(schemes, hosts, ports)
def test_an_origin_matches_its_own_entry_and_roundtrips(scheme, host, port):
    text = origin_text(scheme, host, port)
    assert origin_allowed(text, [text])
    assert origin_allowed(text.upper(), [text])
    assert parse_origin(normalize_origin(text)) == parse_origin(text)


@given(schemes, hosts, ports, st.one_of(label, hosts), st.sampled_from([".", "", "-", "_"]))
def test_appending_to_an_allowed_host_never_matches(scheme, host, port, extra, joiner):
    entry = origin_text(scheme, host, port)
    assert not origin_allowed(origin_text(scheme, host + joiner + extra, port), [entry])
    assert not origin_allowed(origin_text(scheme, host + ".", port), [entry])


@given(schemes, hosts, ports, st.one_of(label, hosts), st.sampled_from(["", "-", "_"]))
def test_prepending_to_an_allowed_host_never_matches_an_exact_entry(scheme, host, port, extra, joiner):
    entry = origin_text(scheme, host, port)
    assert not origin_allowed(origin_text(scheme, extra + "." + host, port), [entry])
    assert not origin_allowed(origin_text(scheme, extra + joiner + host, port), [entry])


@given(schemes, hosts, ports, hosts, st.one_of(label, hosts))
def test_wildcard_matches_subdomains_only_of_its_own_suffix(scheme, apex, port, sub, other):
    entry = origin_text(scheme, "*." + apex, port)
    assert origin_allowed(origin_text(scheme, sub + "." + apex, port), [entry])
    assert not origin_allowed(origin_text(scheme, apex, port), [entry])
    for host in (sub + "." + apex + "." + other, sub + "." + other + apex, sub + "." + apex + "-" + other,
                 sub + "." + other, other + apex, apex + "." + other):
        # the oracle: one or more whole labels in front of the apex's labels
        assert origin_allowed(origin_text(scheme, host, port), [entry]) is host.endswith("." + apex)


@given(schemes, hosts, ports, ports)
def test_scheme_and_port_must_match_exactly(scheme, host, port, other_port):
    entry = origin_text(scheme, host, port)
    flipped = "http" if scheme == "https" else "https"
    assert not origin_allowed(origin_text(flipped, host, port), [entry])
    default = 443 if scheme == "https" else 80
    same = (port or default) == (other_port or default)
    assert origin_allowed(origin_text(scheme, host, other_port), [entry]) is same


@settings(max_examples=500)
@given(st.one_of(st.text(max_size=80), st.none(), st.integers(), st.binary(max_size=20), st.lists(st.text(max_size=5))),
       st.one_of(st.lists(st.one_of(st.text(max_size=40), st.none(), st.integers()), max_size=5),
                 st.text(max_size=40), st.none()))
def test_origin_allowed_never_raises(origin, entries):
    assert origin_allowed(origin, entries) in (True, False)
    assert origin_allowed(origin, TRUSTED) in (True, False)


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x3000), max_size=40))
def test_arbitrary_text_after_a_trusted_prefix_is_only_allowed_when_it_is_a_port_or_case_change(tail):
    origin = "https://example.com" + tail
    if origin_allowed(origin, ["https://example.com"]):
        assert tail in ("", ":443") or (tail.startswith(":") and tail[1:].isdigit() and int(tail[1:]) == 443)


@settings(max_examples=300)
@given(st.text(max_size=60))
def test_parse_functions_raise_only_origin_error(text):
    for fn in (parse_origin, parse_entry, target_origin):
        try:
            fn(text)
        except OriginError:
            pass
    parse_trusted(text)


@given(st.text(alphabet=st.characters(min_codepoint=128, max_codepoint=0x2FFFF), min_size=1, max_size=3), hosts)
def test_any_non_ascii_host_is_refused(odd, host):
    assert not origin_allowed("https://" + odd + host, ["https://*." + host, "https://" + host])
    assert not origin_allowed("https://" + host + odd, ["https://" + host])
