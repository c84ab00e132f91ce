"""Origin parsing and trusted-origin matching for cross-window invoke.

Pure Python, no imports: runs under CPython and inside the Brython bundle.

Call `origin_allowed(event.origin, trusted_entries)` for every glance_invoke
message before looking at anything else in it; it never raises and answers
False for anything it does not fully understand. Call `parse_trusted` once
when the group's trusted-origin setting arrives, to report bad entries to the
integrator. Call `target_origin` when a chat window gives
InvokeVisitor.init the origin of the visitor page.

Origins
    "scheme://host[:port]", scheme http or https, compared after parsing as
    (scheme, host, port): scheme and host lower-cased, the default port
    filled in (http 80, https 443), so "https://Shop.Example.com:443" equals
    "https://shop.example.com". Rejected: "null", other schemes, any path
    (even "/"), query, fragment, userinfo ("user@"), whitespace or control
    characters anywhere, an empty host, empty labels ("a..b"), a trailing dot
    ("example.com." is a different origin in browsers and is never trusted),
    any non-ASCII character (browsers serialise internationalised hosts as
    punycode "xn--..."; a Unicode host in an origin is a spoof, and lower-casing
    it first could turn e.g. KELVIN SIGN into "k"), "%" escapes, backslashes,
    an empty or out-of-range port, and an IPv4-looking host that is not the
    canonical dotted quad a browser would send.

Trusted-origin entries
    Parsed the same way. An entry may also be a wildcard subdomain,
    "https://*.example.com": the first label is exactly "*" and it stands for
    ONE OR MORE labels, so it matches "https://a.example.com" and
    "https://a.b.example.com" but NOT the bare "https://example.com" (list that
    separately if it is trusted too). Matching is label by label from the
    right, never by string prefix or suffix, so "https://example.com.evil.net"
    and "https://evilexample.com" never match. A wildcard entry needs at least
    two labels after "*" ("https://*.com" is refused) and cannot stand for an
    IP address; the scheme and the port must still match exactly (no "*" in a
    port). This module has no public-suffix list, so "https://*.co.uk" is
    accepted: do not configure such entries.
"""

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_ORIGIN_LEN = 300      # a host is at most 253 characters
MAX_HOST_LEN = 253
MAX_LABEL_LEN = 63
MAX_ENTRIES = 500
HOST_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_"
DIGITS = "0123456789"
HEX_CHARS = "0123456789abcdef"


class OriginError(ValueError):
    """An origin or trusted-origin entry is malformed; the message says why."""


def _short(text, limit=80):
    if len(text) > limit:
        return repr(text[:limit]) + "..."
    return repr(text)


def _check_chars(text, what):
    for ch in text:
        code = ord(ch)
        if code > 126:
            raise OriginError(what + " contains the non-ASCII character U+" + _hex4(code)
                              + "; write internationalised hosts in punycode (xn--...)")
        if code <= 32 or code == 127:
            raise OriginError(what + " contains whitespace or a control character")


def _hex4(code):
    out = ""
    while code:
        out = "0123456789ABCDEF"[code % 16] + out
        code = code // 16
    while len(out) < 4:
        out = "0" + out
    return out


def _split_origin(text, what):
    """(scheme, hostport) of a string already checked to be short printable ASCII."""
    if text.lower() == "null":
        raise OriginError(what + " is 'null' (a sandboxed frame, file: page or data: URL): never trusted")
    sep = text.find("://")
    if sep < 0:
        raise OriginError(what + " " + _short(text) + " must look like scheme://host[:port], e.g. https://shop.example.com")
    scheme = text[:sep].lower()
    if scheme not in DEFAULT_PORTS:
        raise OriginError(what + " " + _short(text) + ": only http and https origins are supported")
    rest = text[sep + 3:]
    for ch, name in (("/", "a path"), ("?", "a query"), ("#", "a fragment"), ("@", "user information"),
                     ("\\", "a backslash"), ("%", "a %-escape")):
        if ch in rest:
            raise OriginError(what + " " + _short(text) + " has " + name + "; an origin is only scheme://host[:port]")
    return scheme, rest


def _parse_port(text, scheme, what, original):
    if text == "":
        raise OriginError(what + " " + _short(original) + " has an empty port")
    if len(text) > 5:
        raise OriginError(what + " " + _short(original) + " has an invalid port")
    for ch in text:
        if ch not in DIGITS:
            raise OriginError(what + " " + _short(original) + " has an invalid port")
    port = int(text)
    if port > 65535:
        raise OriginError(what + " " + _short(original) + " has a port above 65535")
    return port


def _split_hostport(rest, scheme, what, original):
    """(host, port) with host lower-cased but not yet validated."""
    if rest.startswith("["):
        end = rest.find("]")
        if end < 0:
            raise OriginError(what + " " + _short(original) + " has an unterminated IPv6 address")
        host = rest[:end + 1].lower()
        after = rest[end + 1:]
        if after == "":
            return host, DEFAULT_PORTS[scheme]
        if not after.startswith(":"):
            raise OriginError(what + " " + _short(original) + " has text after the IPv6 address")
        return host, _parse_port(after[1:], scheme, what, original)
    colon = rest.find(":")
    if colon < 0:
        return rest.lower(), DEFAULT_PORTS[scheme]
    return rest[:colon].lower(), _parse_port(rest[colon + 1:], scheme, what, original)


def _is_numeric_label(label):
    if label == "":
        return False
    if label.startswith("0x"):
        return all(ch in HEX_CHARS for ch in label[2:])
    return all(ch in DIGITS for ch in label)


def _check_ipv6(host, what, original):
    inner = host[1:-1]
    if inner == "" or inner.count("::") > 1 or ":::" in inner:
        raise OriginError(what + " " + _short(original) + " has an invalid IPv6 address")
    for ch in inner:
        if ch not in HEX_CHARS and ch != ":" and ch != ".":
            raise OriginError(what + " " + _short(original) + " has an invalid IPv6 address")
    return (host,)


def _host_labels(host, what, original, allow_wildcard=False):
    """The host's labels as a tuple; raises OriginError when the host is not acceptable."""
    if host == "":
        raise OriginError(what + " " + _short(original) + " has an empty host")
    if host.startswith("["):
        if allow_wildcard and "*" in host:
            raise OriginError(what + " " + _short(original) + ": a wildcard cannot stand for an IP address")
        return _check_ipv6(host, what, original)
    if len(host) > MAX_HOST_LEN:
        raise OriginError(what + " " + _short(original) + " has a host longer than 253 characters")
    if host.endswith("."):
        raise OriginError(what + " " + _short(original) + " ends with a dot; write the host without the trailing dot")
    labels = host.split(".")
    for i, label in enumerate(labels):
        if label == "":
            raise OriginError(what + " " + _short(original) + " has an empty label in its host")
        if label == "*" and allow_wildcard and i == 0:
            continue
        if "*" in label:
            raise OriginError(what + " " + _short(original) + ": a wildcard must be the whole first label, as in https://*.example.com")
        if len(label) > MAX_LABEL_LEN:
            raise OriginError(what + " " + _short(original) + " has a host label longer than 63 characters")
        for ch in label:
            if ch not in HOST_CHARS:
                raise OriginError(what + " " + _short(original) + " has the character " + repr(ch) + " in its host")
    if _is_numeric_label(labels[-1]):
        # Browsers parse a host whose last label is a number as IPv4 and send
        # the canonical dotted quad; anything else could never be an origin.
        if allow_wildcard and labels[0] == "*":
            raise OriginError(what + " " + _short(original) + ": a wildcard cannot stand for part of an IP address")
        if len(labels) != 4:
            raise OriginError(what + " " + _short(original) + " is not a canonical IPv4 address")
        for label in labels:
            if not all(ch in DIGITS for ch in label) or len(label) > 3 or (len(label) > 1 and label[0] == "0") \
                    or int(label) > 255:
                raise OriginError(what + " " + _short(original) + " is not a canonical IPv4 address")
    return tuple(labels)


def _prepare(text, what):
    if not isinstance(text, str):
        raise OriginError(what + " must be a string")
    if len(text) > MAX_ORIGIN_LEN:
        raise OriginError(what + " is longer than " + str(MAX_ORIGIN_LEN) + " characters")
    _check_chars(text, what)
    return text


# Memo of parse_origin: a page sees the same few event.origin values again and
# again, and the character-by-character parse costs about 0.6 ms per call
# under Brython. Bounded: cleared when full, so hostile input cannot grow it.
_ORIGIN_MEMO = {}
MEMO_SIZE = 64


def _parse_origin(text):
    _prepare(text, "origin")
    scheme, rest = _split_origin(text, "origin")
    host, port = _split_hostport(rest, scheme, "origin", text)
    _host_labels(host, "origin", text)
    return scheme, host, port


def parse_origin(text):
    """Parse an origin such as event.origin into (scheme, host, port).

    Raises OriginError (a ValueError) with a message for the integrator when
    `text` is not an http(s) origin; see the module docstring for the rules.
    Results (and errors) for strings are memoised in a small bounded table.
    """
    if not isinstance(text, str):
        return _parse_origin(text)
    hit = _ORIGIN_MEMO.get(text)
    if hit is None:
        try:
            hit = (True, _parse_origin(text))
        except OriginError as exc:
            hit = (False, str(exc))
        if len(_ORIGIN_MEMO) >= MEMO_SIZE:
            _ORIGIN_MEMO.clear()
        _ORIGIN_MEMO[text] = hit
    if hit[0]:
        return hit[1]
    raise OriginError(hit[1])


def parse_entry(text):
    """Parse one trusted-origin entry into (scheme, labels, port, wildcard).

    `labels` is the tuple of host labels AFTER the wildcard (so
    "https://*.example.com" gives ("https", ("example", "com"), 443, True)).
    Surrounding whitespace is ignored (entries come from a settings page).
    Raises OriginError when the entry is malformed.
    """
    if isinstance(text, str):
        text = text.strip()
    _prepare(text, "trusted origin")
    scheme, rest = _split_origin(text, "trusted origin")
    host, port = _split_hostport(rest, scheme, "trusted origin", text)
    labels = _host_labels(host, "trusted origin", text, allow_wildcard=True)
    if labels[0] == "*":
        labels = labels[1:]
        if len(labels) < 2:
            raise OriginError("trusted origin " + _short(text) + ": a wildcard needs at least two labels after it, "
                              "as in https://*.example.com")
        return scheme, labels, port, True
    return scheme, labels, port, False


def serialize_origin(parsed):
    """The canonical text of a parsed origin: the default port is left out."""
    scheme, host, port = parsed
    if DEFAULT_PORTS.get(scheme) == port:
        return scheme + "://" + host
    return scheme + "://" + host + ":" + str(port)


def normalize_origin(text):
    """`text` as the canonical origin a browser would send; raises OriginError."""
    return serialize_origin(parse_origin(text))


def parse_trusted(value):
    """Parse a group's trusted-origin setting into (entries, problems).

    `value` is a list of entry strings, or one string of entries separated by
    commas, semicolons or whitespace; None means none. `entries` holds the
    parsed entries (for `match_origin`), `problems` one message per entry
    that was ignored. Never raises.
    """
    entries = []
    problems = []
    try:
        if value is None:
            return entries, problems
        if isinstance(value, str):
            if len(value) > MAX_ENTRIES * MAX_ORIGIN_LEN:
                return entries, ["the trusted-origin setting is too long"]
            items = value.replace(";", " ").replace(",", " ").replace("\t", " ").replace("\n", " ").replace("\r", " ").split(" ")
            items = [item for item in items if item]
        elif isinstance(value, (list, tuple)):
            items = list(value)
        else:
            return entries, ["the trusted-origin setting must be a list of origins"]
        if len(items) > MAX_ENTRIES:
            problems.append("only the first " + str(MAX_ENTRIES) + " trusted origins are used")
            items = items[:MAX_ENTRIES]
        for item in items:
            try:
                entries.append(parse_entry(item))
            except OriginError as exc:
                problems.append(str(exc) + "; entry ignored")
            except Exception:
                problems.append("a trusted origin entry could not be read; entry ignored")
    except Exception:
        problems.append("the trusted-origin setting could not be read")
    return entries, problems


def match_origin(parsed, entries):
    """True when the parsed origin (scheme, host, port) matches a parsed entry."""
    scheme, host, port = parsed
    labels = (host,) if host.startswith("[") else tuple(host.split("."))
    for entry in entries:
        e_scheme, e_labels, e_port, wildcard = entry
        if e_scheme != scheme or e_port != port:
            continue
        if not wildcard:
            if labels == e_labels:
                return True
            continue
        n = len(e_labels)
        if len(labels) > n and labels[len(labels) - n:] == e_labels:
            return True
    return False


def origin_allowed(origin, entries):
    """True only when `origin` (e.g. event.origin) is exactly allowed by `entries`.

    `entries` is a list of trusted-origin strings (or of entries already
    parsed by `parse_entry`/`parse_trusted`); malformed entries are skipped.
    Anything unexpected (a non-string origin, 'null', a non-list) gives
    False. Never raises.
    """
    try:
        if not isinstance(entries, (list, tuple)):
            return False
        parsed = parse_origin(origin)
        ready = []
        for entry in entries[:MAX_ENTRIES]:
            if isinstance(entry, tuple) and len(entry) == 4:
                ready.append(entry)
                continue
            try:
                ready.append(parse_entry(entry))
            except Exception:
                continue
        return match_origin(parsed, ready)
    except Exception:
        return False


def target_origin(value, page_origin=None):
    """The postMessage target origin for what a chat window passed to InvokeVisitor.init.

    "*" stays "*" (post to whatever page the window shows). A full origin
    ("https://shop.example.com", "http://localhost:8000") is checked and
    returned in canonical form. A bare hostname, as the reference
    documentation suggests ("shop.example.com", optionally with ":port"),
    takes the scheme of `page_origin` (the chat window's own origin,
    location.origin) when its host is the same host: on
    "http://localhost:8000", "localhost:8000" becomes "http://localhost:8000".
    Any other bare hostname becomes an https origin ("https://shop.example.com");
    to target an http page on another host, pass the full "http://..." origin.
    A bare hostname without a port gets the default port of its scheme. Anything
    else (a path, a wildcard host, 'null', a non-string) raises OriginError.
    An unusable `page_origin` (None, "null", a file: page) is ignored.
    """
    if not isinstance(value, str):
        raise OriginError("origin must be a string such as \"https://shop.example.com\" or \"*\"")
    if value == "*":
        return "*"
    if value.strip().lower() == "null":
        raise OriginError("origin 'null' cannot be targeted; pass the visitor page's origin or \"*\"")
    if "://" in value:
        return normalize_origin(value)
    try:
        parsed = parse_origin("https://" + value)
    except OriginError:
        raise OriginError("origin " + _short(value) + " is neither \"*\", an origin such as "
                          "\"https://shop.example.com\", nor a bare hostname such as \"shop.example.com\"")
    scheme = bare_host_scheme(parsed[1], page_origin)
    if scheme == "https":
        return serialize_origin(parsed)
    return normalize_origin(scheme + "://" + value)


def bare_host_scheme(host, page_origin):
    """The scheme a bare hostname `host` (lower case) is read with: that of
    `page_origin` when it is an origin of the same host, else "https". Never raises."""
    try:
        page_scheme, page_host, _ = parse_origin(page_origin)
    except Exception:
        return "https"
    return page_scheme if page_host == host else "https"
