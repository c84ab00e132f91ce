"""A tiny event emitter (modelled on mitt) used by GLANCE.Cobrowse.Visitor.

Pure Python: handlers are any callables (JS functions in the browser). Call
`on`/`off` when a page script adds or removes a listener and `emit` when the
SDK fires an event. Dispatch copies the handler list first (a handler may
remove itself or add others), keeps registration order, and a handler that
raises is reported through `report_error` while the others still run.
"""


def _default_report(name, handler, exc):
    raise exc


class Emitter:
    """Registration-ordered listeners per event name.

    `report_error(name, handler, exc)` is called when a handler raises; the
    browser shell passes one that reports it once (log.error_once).
    """

    def __init__(self, report_error=None):
        self._handlers = {}
        self._report = report_error or _default_report

    def on(self, name, handler):
        """Register `handler` for `name`; registering the same handler twice keeps one."""
        lst = self._handlers.setdefault(name, [])
        for h in lst:
            if h is handler:
                return False
        lst.append(handler)
        return True

    def off(self, name, handler):
        """Remove `handler` from `name`; returns False when it was not registered."""
        lst = self._handlers.get(name)
        if not lst:
            return False
        for i, h in enumerate(lst):
            if h is handler:
                del lst[i]
                return True
        return False

    def handlers(self, name):
        """A copy of the handlers registered for `name`, in registration order."""
        return list(self._handlers.get(name, ()))

    def count(self, name):
        """How many handlers are registered for `name`."""
        return len(self._handlers.get(name, ()))

    def emit(self, name, payload=None):
        """Call every handler of `name` with `payload`; returns how many were called."""
        called = 0
        if name not in self._handlers:   # (a dict.get miss raises inside Brython: slow)
            return 0
        for handler in list(self._handlers[name]):
            called += 1
            try:
                handler(payload)
            except Exception as exc:  # one bad handler never stops the others
                self._report(name, handler, exc)
        return called
