"""capture_rules: masking text, the masking plan, the byte budget and the send policy (pure, no browser)."""
import os

from hypothesis import given, strategies as st

from visitor_sdk import capture_rules as R

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, "visitor_sdk", "js", "walker.js"), encoding="utf-8") as _f:
    WALKER_JS = _f.read()


@given(st.text(max_size=200))
def test_mask_text_same_length_no_characters_kept(text):
    m = R.mask_text(text)
    assert len(m) == len(text)
    for a, b in zip(text, m):
        assert b == a if a in " \t\n\r\f" else b == "*"


def test_mask_text_examples():
    assert R.mask_text("4111 1111") == "**** ****"
    assert R.mask_text("") == ""
    assert R.mask_text(None) == ""


def test_descriptor_selectors():
    assert R.descriptor_selectors(None) == []
    assert R.descriptor_selectors({}) == []
    assert R.descriptor_selectors({"maskedSelectors": [".a", " #b "]}) == [".a", "#b"]
    assert R.descriptor_selectors({"maskedSelectors": [".a", 3]}) is None
    assert R.descriptor_selectors({"maskedSelectors": "bad"}) is None
    assert R.descriptor_selectors("x") is None


def test_masking_plan_valid_selectors():
    plan = R.masking_plan([".secret", "#card-number"], [".more"], lambda s: True)
    assert plan["page_masked"] is False and plan["error"] is None
    for s in (".secret", "#card-number", ".more", "[glance_masked]", ".glance_masked", "input[type=password]",
              'input[autocomplete~="current-password"]'):
        assert s in plan["selector"]


def test_masking_plan_fails_closed():
    bad = R.masking_plan(["div[", ".ok"], [], lambda s: s != "div[")
    assert bad["page_masked"] is True and "div[" in bad["error"]
    assert "div[" not in bad["selector"]
    unknown = R.masking_plan(None, [], lambda s: True)
    assert unknown["page_masked"] is True and unknown["error"]
    nodesc = R.masking_plan([], None, lambda s: True)
    assert nodesc["page_masked"] is True and "getMaskingDescriptor" in nodesc["error"]


def test_walker_config_is_plain_data():
    cfg = R.walker_config("a, b", False)
    assert cfg["maskSel"] == "a, b" and cfg["pageMasked"] is False
    assert "href" in cfg["urlAttrs"] and "src" in cfg["urlAttrs"] and "srcset" in cfg["urlAttrs"]
    assert "value" not in cfg["safeAttrs"] and "alt" not in cfg["safeAttrs"] and "title" not in cfg["safeAttrs"]
    assert set(cfg["safeAttrs"]).isdisjoint(cfg["urlAttrs"])
    assert cfg["chunkBytes"] < 256 * 1024


def test_walker_js_names_what_it_needs():
    for word in ("configure", "snapshot", "take", "MutationObserver", "maskText", "wasPw"):
        assert word in WALKER_JS


def test_budget_allows_bursts_then_paces():
    b = R.ByteBudget(rate=1000, burst=2000, now=0.0)
    assert b.can_send(0.0)
    b.spend(5000, 0.0)             # a snapshot goes whole and leaves a debt
    assert not b.can_send(0.0)
    assert abs(b.wait_s(0.0) - 3.0) < 1e-9
    assert not b.can_send(2.9)
    assert b.can_send(3.0)
    b.spend(100, 3.0)
    assert b.can_send(100.0) and b.balance == 2000   # never saves more than the burst


def test_policy_needs_agents_and_snapshots_each_new_one():
    p = R.CapturePolicy(budget=R.ByteBudget(rate=1000, burst=1000))
    assert p.decide(0.0) == R.IDLE
    assert p.agents(1) and p.need_snapshot
    assert p.decide(0.0) == R.SEND_SNAPSHOT
    p.sent(500, 0.0, snapshot=True)
    assert p.decide(0.0, dirty=True) == R.SEND_CHANGES
    assert p.decide(0.0, dirty=False) == R.IDLE
    p.agents(2)
    assert p.decide(0.5) == R.DROP             # not two snapshots closer than MIN_SNAPSHOT_INTERVAL_S
    assert p.decide(R.MIN_SNAPSHOT_INTERVAL_S) == R.SEND_SNAPSHOT
    p.sent(10, 2.0, snapshot=True)
    p.agents(1)                    # an agent left: no snapshot needed
    assert p.decide(2.0, dirty=False) == R.IDLE
    assert not p.agents(0)
    assert p.decide(0.0) == R.IDLE


def test_policy_pause_and_backlog_give_a_fresh_snapshot():
    p = R.CapturePolicy()
    p.agents(1)
    p.sent(10, 0.0, snapshot=True)
    assert p.decide(0.0, paused=True) == R.DROP          # nothing recorded while paused
    assert p.decide(1.0, paused=False, dirty=False) == R.DROP   # a snapshot is due, not yet allowed
    assert p.decide(2.0, dirty=False) == R.SEND_SNAPSHOT
    p.sent(10, 2.0, snapshot=True)
    assert p.decide(3.0, backlog=R.MAX_BACKLOG + 1) == R.DROP
    assert p.decide(5.0, backlog=0, dirty=False) == R.SEND_SNAPSHOT


def test_policy_over_budget_waits_then_resyncs():
    p = R.CapturePolicy(budget=R.ByteBudget(rate=1000, burst=1000), max_defer=5.0)
    p.agents(1)
    p.sent(100000, 0.0, snapshot=True)       # 99 s of debt
    assert p.decide(1.0) == R.WAIT
    assert 0.05 <= p.delay(1.0) <= 1.0
    assert p.decide(3.0) == R.WAIT and not p.need_snapshot
    assert p.decide(7.0) == R.DROP and p.need_snapshot  # held too long: a snapshot will replace the changes
    assert p.decide(8.0) == R.DROP                      # ...when the budget allows it; until then drop
    assert 0.05 <= p.delay(8.0) <= R.MIN_SNAPSHOT_INTERVAL_S
    assert p.decide(200.0) == R.SEND_SNAPSHOT


def test_policy_big_batch_becomes_a_snapshot():
    p = R.CapturePolicy(max_batch=1000)
    p.agents(1)
    p.sent(1, 0.0, snapshot=True)
    assert p.batch_fits(1000)
    assert not p.batch_fits(1001) and p.need_snapshot


def test_average_rate_is_bounded():
    """A page that changes on every frame for 10 s sends at most rate * 10 + burst (+ one batch)."""
    rate, burst, batch = 10000, 20000, 3000
    p = R.CapturePolicy(budget=R.ByteBudget(rate=rate, burst=burst))
    p.agents(1)
    p.sent(0, 0.0, snapshot=True)
    total, t = 0, 0.0
    while t < 10.0:
        if p.decide(t, dirty=True) == R.SEND_CHANGES:
            p.sent(batch, t)
            total += batch
        t += 1 / 60.0
    assert total <= rate * 10 + burst + batch


def test_chunk_count():
    assert R.chunk_count([]) == 0
    assert R.chunk_count([10, 10, 10], limit=20) == 2
    assert R.chunk_count([30], limit=20) == 1


def test_policy_many_pending_nodes_become_a_snapshot():
    p = R.CapturePolicy(max_pending=100)
    p.agents(1)
    p.sent(1, 0.0, snapshot=True)
    assert p.decide(0.1, dirty=True, pending=100) == R.SEND_CHANGES
    assert p.decide(0.2, dirty=True, pending=101) == R.DROP and p.need_snapshot
    assert abs(p.delay(0.2) - (R.MIN_SNAPSHOT_INTERVAL_S - 0.2)) < 1e-9
    assert p.decide(R.MIN_SNAPSHOT_INTERVAL_S, dirty=True, pending=5) == R.SEND_SNAPSHOT


def test_big_or_slow_snapshots_are_spaced_further():
    p = R.CapturePolicy(budget=R.ByteBudget(rate=1000, burst=10 ** 9))
    assert p.snapshot_interval(10) == R.MIN_SNAPSHOT_INTERVAL_S
    assert p.snapshot_interval(1000 * R.SNAPSHOT_BYTE_SHARE * 3) == 3.0            # bytes: half the rate at most
    assert abs(p.snapshot_interval(10, duration=0.3) - 0.3 / R.SNAPSHOT_CPU_SHARE) < 1e-9  # a share of the time
    assert p.snapshot_interval(10 ** 7, duration=10.0) == R.MAX_SNAPSHOT_INTERVAL_S
    p.agents(1)
    p.sent(1000 * R.SNAPSHOT_BYTE_SHARE * 3, 0.0, snapshot=True)
    p.request_snapshot()
    assert p.decide(2.9) == R.DROP and p.decide(3.0) == R.SEND_SNAPSHOT


def test_constant_mutation_snapshots_are_spaced_and_changes_dropped_between():
    """A page whose every frame makes a too-big batch: at most one snapshot per interval, nothing else sent
    in between, and the total stays within the budget."""
    rate, burst, snap, big = 100000, 200000, 150000, 50000
    p = R.CapturePolicy(budget=R.ByteBudget(rate=rate, burst=burst), max_batch=40000)
    p.agents(1)
    times, total, t, drops = [], 0, 0.0, 0
    while t < 20.0:
        act = p.decide(t, dirty=True, pending=500)
        if act == R.SEND_SNAPSHOT:
            p.sent(snap, t, snapshot=True)
            times.append(t)
            total += snap
        elif act == R.SEND_CHANGES:
            assert not p.batch_fits(big)
        elif act == R.DROP:
            drops += 1
        t += 1 / 60.0
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert times and min(gaps) >= R.MIN_SNAPSHOT_INTERVAL_S - 1e-9
    assert len(times) <= 20.0 / R.MIN_SNAPSHOT_INTERVAL_S + 1
    assert total <= rate * 20 + burst + snap
    assert drops > 0
