"""The pure emitter: order, copy before dispatch, isolation of raising handlers, dedupe."""
from hypothesis import given, strategies as st

from visitor_sdk.emitter import Emitter


def make():
    errors = []
    return Emitter(lambda name, h, exc: errors.append((name, str(exc)))), errors


def test_registration_order_and_payload():
    em, _ = make()
    calls = []
    em.on("x", lambda p: calls.append(("a", p)))
    em.on("x", lambda p: calls.append(("b", p)))
    assert em.emit("x", 1) == 2
    assert calls == [("a", 1), ("b", 1)]


def test_same_handler_twice_is_called_once():
    em, _ = make()
    calls = []
    h = calls.append
    assert em.on("x", h) is True
    assert em.on("x", h) is False
    em.emit("x", 5)
    assert calls == [5]


def test_raising_handler_does_not_stop_others():
    em, errors = make()
    calls = []

    def bad(p):
        raise RuntimeError("boom")
    em.on("x", bad)
    em.on("x", calls.append)
    em.emit("x", 1)
    assert calls == [1]
    assert errors == [("x", "boom")]


def test_handler_removing_itself_and_others_during_dispatch():
    em, _ = make()
    calls = []

    def once(p):
        calls.append("once")
        em.off("x", once)
    em.on("x", once)
    em.on("x", calls.append)
    em.emit("x", 1)
    em.emit("x", 2)
    assert calls == ["once", 1, 2]


def test_handler_added_during_dispatch_runs_next_time():
    em, _ = make()
    calls = []

    def adder(p):
        em.on("x", calls.append)
    em.on("x", adder)
    em.emit("x", 1)
    assert calls == []
    em.emit("x", 2)
    assert calls == [2]


def test_off_unknown():
    em, _ = make()
    assert em.off("x", print) is False
    assert em.emit("nothing") == 0


@given(st.lists(st.tuples(st.sampled_from(["on", "off"]), st.integers(0, 4))))
def test_model(ops):
    em, _ = make()
    handlers = [lambda p, i=i: None for i in range(5)]
    model = []
    for op, i in ops:
        h = handlers[i]
        if op == "on":
            em.on("e", h)
            if h not in model:
                model.append(h)
        else:
            em.off("e", h)
            if h in model:
                model.remove(h)
    assert em.handlers("e") == model
