"""The SDK's console: silent by default, one warning per real fault, diagnostics with data-debug."""
from visitor_sdk import log
from visitor_sdk.log import MAX_KEYS, Log


def sink_into(lines):
    return lambda level, text: lines.append((level, text))


def test_nothing_is_written_until_a_sink_is_configured():
    lines = []
    lg = Log()
    lg.warn_once("k", "lost")
    lg.debug("lost too")
    lg.sink = sink_into(lines)
    lg.warn_once("k2", "said")
    assert lines == [("warn", "GLANCE: said")]


def test_a_fault_is_said_once_per_key():
    lines = []
    lg = Log(sink_into(lines))
    assert lg.warn_once("connect", "cannot open ws://x") is True
    assert lg.warn_once("connect", "cannot open ws://x") is False
    assert lg.error_once("bug", "internal error in tick: boom") is True
    lg.error_once("bug", "internal error in tick: boom again")
    lg.warn_once("other", "GLANCE: already prefixed")
    assert lines == [("warn", "GLANCE: cannot open ws://x"), ("error", "GLANCE: internal error in tick: boom"),
                     ("warn", "GLANCE: already prefixed")]


def test_debug_lines_and_repeats_show_only_with_debug_on():
    quiet, loud = [], []
    a, b = Log(sink_into(quiet)), Log(sink_into(loud), debug=True)
    for lg in (a, b):
        lg.debug("snapshot sent")
        lg.warn_once("k", "x")
        lg.warn_once("k", "x")
    assert quiet == [("warn", "GLANCE: x")]
    assert loud == [("debug", "GLANCE: snapshot sent"), ("warn", "GLANCE: x"), ("debug", "GLANCE: x")]


def test_per_input_warnings_are_each_written():
    lines = []
    lg = Log(sink_into(lines))
    lg.warn("GLANCE: glance_invoke message dropped (origin check failed): a")
    lg.warn("GLANCE: glance_invoke message dropped (origin check failed): a")
    assert len(lines) == 2


def test_the_remembered_keys_are_bounded():
    lines = []
    lg = Log(sink_into(lines))
    for i in range(MAX_KEYS + 50):
        lg.warn_once("k%d" % i, "fault %d" % i)
    assert len(lg.said) == MAX_KEYS and len(lines) == MAX_KEYS


def test_a_broken_sink_does_not_break_the_caller():
    def broken(level, text):
        raise RuntimeError("console is gone")
    Log(broken).warn_once("k", "x")


def test_failed_reports_an_exception_once_per_place():
    lines = []
    saved = (log.LOG.sink, log.LOG.debug_on, set(log.LOG.said))
    try:
        log.configure(sink_into(lines), debug=False)
        log.LOG.said.clear()
        for _ in range(3):
            log.failed("outline", KeyError("no parent"))
        assert lines == [("error", "GLANCE: internal error in outline: 'no parent'")]
        assert log.debug_on() is False
    finally:
        log.LOG.sink, log.LOG.debug_on, log.LOG.said = saved[0], saved[1], saved[2]


def test_the_sdk_speaks_only_through_the_log_module():
    """Python code of the SDK never calls window.console itself (console_sink.py is the one place)."""
    import os
    import re
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    found = []
    for d in ("visitor_sdk", "invoke_visitor"):
        for name in sorted(os.listdir(os.path.join(root, d))):
            if not name.endswith(".py"):
                continue
            with open(os.path.join(root, d, name), encoding="utf-8") as f:
                for i, line in enumerate(f, 1):
                    if re.search(r"window\.console\b", line) and line.strip() != "c = window.console":
                        found.append("%s/%s:%d: %s" % (d, name, i, line.strip()))
    assert found == []
