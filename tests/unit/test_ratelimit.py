"""The pure rate limiters, budgets and address rules on a fake clock (session_server/ratelimit.py,
limits.py, addresses.py, guards.py), and the guessing arithmetic of docs/limits.md."""

import os
import re

import pytest

from session_server.addresses import client_address, parse_proxies
from session_server.guards import Guards
from session_server.limits import DEFAULTS, ENV_PREFIX, LIMITS, Limits, LimitsError
from session_server.participants import LocalSession
from session_server.ratelimit import Buckets, FailureLimiter, TokenBucket, sustained_rate
from visitor_sdk.params import RANDOM_KEY_DIGITS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_token_bucket_spends_refills_and_allows_one_large_item_into_debt():
    c = Clock()
    b = TokenBucket(10, 20, c)
    assert [b.take() for _ in range(20)] == [0.0] * 20
    assert b.take() == pytest.approx(0.1)          # in debt by one: 0.1 s at 10/s
    c.t += 0.1
    assert b.take() == pytest.approx(0.1)
    c.t += 100
    assert b.take(50) == pytest.approx(3.0)        # larger than the burst: passes, then 3 s of debt
    assert not b.allow(1)
    c.t += 3.2
    assert b.allow(1)


def test_buckets_per_key_are_bounded():
    c = Clock()
    bs = Buckets(1, 2, c, max_keys=3)
    assert bs.allow("a") and bs.allow("a") and not bs.allow("a")
    for k in "bcd":
        bs.allow(k)
    assert len(bs.by_key) == 3 and "a" not in bs.by_key


def test_failures_lock_out_after_the_limit_and_each_lockout_doubles():
    c = Clock()
    f = FailureLimiter(10, 60, 60, 3600, c)
    for _ in range(9):
        assert f.fail("u") == 0.0
        assert f.retry_after("u") == 0.0
    assert f.fail("u") == 60.0                     # the tenth failure within the minute
    assert f.retry_after("u") == pytest.approx(60.0)
    c.t += 61
    assert f.retry_after("u") == 0.0
    for _ in range(9):
        f.fail("u")
    assert f.fail("u") == 120.0
    spans = []
    for _ in range(8):
        c.t += 4000 if spans and spans[-1] == 3600 else spans[-1] + 1 if spans else 121
        for _ in range(9):
            f.fail("u")
        spans.append(f.fail("u"))
    assert spans[:4] == [240.0, 480.0, 960.0, 1920.0] and max(spans) == 3600.0


def test_failures_spread_out_never_lock_and_old_ones_leave_the_window():
    c = Clock()
    f = FailureLimiter(10, 60, 60, 3600, c)
    for _ in range(100):
        assert f.fail("a") == 0.0
        c.t += 6.7                                 # 9 per minute
    assert f.retry_after("a") == 0.0


def test_success_forgets_a_key_and_a_long_quiet_starts_over():
    c = Clock()
    f = FailureLimiter(3, 60, 60, 3600, c)
    f.fail("u"), f.fail("u")
    f.succeed("u")
    assert f.fail("u") == 0.0 and f.fail("u") == 0.0
    assert f.fail("u") == 60.0
    c.t += 61 + 3601                               # quiet for longer than max_lockout
    f.fail("u"), f.fail("u")
    assert f.fail("u") == 60.0                     # level 0 again, not 120


def test_the_guessing_arithmetic_of_the_docs():
    """More than 30 days on average for one address or one account to hit a live random key
    among 10,000 live sessions, at the rates the default limits allow."""
    L = Limits()
    keys = 9 * 10 ** (RANDOM_KEY_DIGITS - 1)
    guesses_needed = keys / 10000
    month = 30 * 86400
    join_rate = L.join_failures / L.failure_window          # per second, never locked out (an upper bound)
    start_rate = 1.0 / L.session_start_every                # misses of the dupkey oracle are session starts
    assert guesses_needed / join_rate > month and guesses_needed / join_rate / 86400 == pytest.approx(62.5)
    assert (guesses_needed - L.session_starts) / start_rate > month
    assert sustained_rate(L.join_failures, L.failure_window, L.lockout, L.max_lockout, month) == 7250
    with open(os.path.join(ROOT, "docs", "limits.md"), encoding="utf-8") as fh:
        doc = fh.read()
    assert "62.5 days" in doc and "41.7 days" in doc and "7,250" in doc
    assert round((guesses_needed - L.session_starts) / start_rate / 86400, 1) == 41.7


def test_every_limit_is_documented_with_its_setting_and_default():
    with open(os.path.join(ROOT, "docs", "limits.md"), encoding="utf-8") as fh:
        doc = fh.read()
    for name, default, unit, what in LIMITS:
        row = re.search(r"^\| `%s` \| `%s` \| [^|]*\(`%s`\) \|" % (name, ENV_PREFIX + name.upper(), re.escape(str(default))),
                        doc, re.M)
        assert row, "docs/limits.md: no row for %s with its setting and default %r" % (name, default)


def test_limits_from_the_environment():
    L = Limits.from_env({"COBROWSE_LIMIT_PARK_BYTES": "1000", "COBROWSE_LIMIT_LOCKOUT": "2.5", "OTHER": "x"})
    assert L.park_bytes == 1000 and L.lockout == 2.5 and L.state_bytes == DEFAULTS["state_bytes"]
    for bad in ("-1", "0", "lots"):
        with pytest.raises(LimitsError) as e:
            Limits.from_env({"COBROWSE_LIMIT_STATE_BYTES": bad})
        assert "COBROWSE_LIMIT_STATE_BYTES" in str(e.value)


def test_source_address_behind_trusted_proxies_only():
    proxies = parse_proxies("127.0.0.1, 10.0.0.0/8")
    assert client_address("198.51.100.1", "1.2.3.4", ()) == "198.51.100.1"            # no proxies: XFF ignored
    assert client_address("198.51.100.1", "1.2.3.4", proxies) == "198.51.100.1"       # peer not a proxy
    assert client_address("127.0.0.1", "1.2.3.4", proxies) == "1.2.3.4"
    assert client_address("127.0.0.1", "6.6.6.6, 1.2.3.4, 10.1.1.1", proxies) == "1.2.3.4"   # right-most untrusted
    assert client_address("127.0.0.1", "garbage, 1.2.3.4", proxies) == "1.2.3.4"
    assert client_address("127.0.0.1", "1.2.3.4, garbage", proxies) == "127.0.0.1"     # unusable: the peer
    assert client_address("127.0.0.1", None, proxies) == "127.0.0.1"
    assert client_address("2001:db8:1:2:3:4:5:6", None, ()) == "2001:db8:1:2::/64"
    assert client_address("::ffff:192.0.2.1", None, ()) == "192.0.2.1"
    assert client_address(None, None, ()) == "unknown"
    with pytest.raises(ValueError):
        parse_proxies("10.0.0.0/8, proxy.example")


def _session(addr="a"):
    s = LocalSession("sid-" + addr, {})
    s.addr = addr
    return s


def test_guards_park_state_and_address_budgets():
    c = Clock()
    g = Guards(Limits(park_bytes=1000, park_frames=3, state_bytes=500, address_bytes=1500, state_burst=3,
                      state_changes_per_s=1), c)
    s = _session()
    assert g.park(s, 400) is None and g.park(s, 400) is None
    assert "wait for an agent" in g.park(s, 400)                 # 1200 > park_bytes
    assert g.park(s, 100) is None
    assert "events" in g.park(s, 10)                             # the fourth frame
    g.unparked(s)
    assert s.parked == [0, 0] and g.held["a"] == 0 if "a" in g.held else True
    assert "state" in g.state(s, 600)
    assert g.state(s, 400) is None and g.state(s, 450) is None and g.state(s, 300) is None
    assert "per second" in g.state(s, 300)
    s2 = _session()                                               # same address, another session
    assert g.park(s2, 900) is None
    assert g.park(s2, 100) is None
    assert "address" in g.park(_session(), 400)                  # 300 + 1000 + 400 > 1500
    g.release(s2)
    assert g.park(_session(), 400) is None
    assert g.park(_session("b"), 900) is None                     # other addresses are not affected


def test_guards_sockets_and_frame_caps():
    g = Guards(Limits(sockets_per_address=2))
    assert g.open_socket("a") and g.open_socket("a") and not g.open_socket("a") and g.open_socket("b")
    g.close_socket("a")
    assert g.open_socket("a")
    assert g.frame_cap("visitor_event", True) == 8192 and g.frame_cap("ack", False) == 4096
    assert g.frame_cap("visitor_event", False) == 256 * 1024 and g.frame_cap("join", False) == 8192
