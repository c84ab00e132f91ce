"""The SDK's one way to speak on the page's console.

The SDK is a guest: in a normal session it writes nothing (the site's error
monitoring counts every line). Call
- `warn_once(key, msg)` for a real fault the site should know about (a failed
  connection, an invalid masking selector, a refused argument from the page's
  own script): the first call per key writes one "GLANCE: ..." warning, the
  others stay silent (they still show with debug on);
- `error_once(key, msg)` for a fault that breaks a feature (a missing bundle,
  an internal error): the same, as console.error;
- `warn(msg)` for one refused input of many (a dropped glance_invoke message):
  one warning each;
- `debug(msg)` for diagnostics: written only with `data-debug="true"` on the tag.

Pure Python: the browser shell (runtime.start) calls `configure(sink, debug)`
with a sink that writes to the browser console; tests pass any
`sink(level, text)`. Until configured nothing is written. At most MAX_KEYS
keys are remembered; past that, warnings are written with debug on only.
"""

PREFIX = "GLANCE: "
MAX_KEYS = 200


class Log:
    """Once-per-key warnings and debug-only diagnostics through `sink(level, text)`
    (level is "warn", "error" or "debug")."""

    def __init__(self, sink=None, debug=False):
        self.sink = sink
        self.debug_on = bool(debug)
        self.said = set()

    def _write(self, level, msg):
        if self.sink is None:
            return
        text = msg if msg.startswith(PREFIX) else PREFIX + msg
        try:
            self.sink(level, text)
        except Exception:
            pass  # a broken console must not break the SDK

    def _once(self, level, key, msg):
        if key in self.said:
            if self.debug_on:
                self._write("debug", msg)
            return False
        if len(self.said) >= MAX_KEYS:
            if self.debug_on:
                self._write(level, msg)
            return False
        self.said.add(key)
        self._write(level, msg)
        return True

    def warn_once(self, key, msg):
        """Warn about `key` once; True when this call wrote the warning."""
        return self._once("warn", key, str(msg))

    def error_once(self, key, msg):
        """console.error about `key` once; True when this call wrote it."""
        return self._once("error", key, str(msg))

    def warn(self, msg):
        """One warning for one refused input (each glance_invoke message dropped
        gets its own, as invoke_receiver documents)."""
        self._write("warn", str(msg))

    def debug(self, msg):
        """A diagnostic line, only with debug on."""
        if self.debug_on:
            self._write("debug", str(msg))


LOG = Log()


def configure(sink, debug=False):
    """Route the SDK's messages to `sink(level, text)`; `debug` turns on diagnostics.
    Keeps the keys already warned about."""
    LOG.sink = sink
    LOG.debug_on = bool(debug)


def warn_once(key, msg):
    return LOG.warn_once(key, msg)


def error_once(key, msg):
    return LOG.error_once(key, msg)


def warn(msg):
    LOG.warn(msg)


def debug(msg):
    LOG.debug(msg)


def failed(where, exc):
    """An exception caught at a boundary (a callback the browser runs): an SDK
    bug, reported once per place; with debug on, every time."""
    error_once("failed:" + where, "internal error in " + where + ": " + str(exc))


def debug_on():
    return LOG.debug_on
