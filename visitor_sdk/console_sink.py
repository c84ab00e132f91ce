"""The browser's console as visitor_sdk.log's sink: the one module of the SDK that writes to it.

Call `log.configure(console_sink.write, debug)` once when a bundle starts: the
visitor runtime does in runtime.start(), InvokeVisitor when it loads.
"""

from browser import window


def write(level, text):
    """Write one line: 'warn' and 'error' as such, anything else (debug) as console.info."""
    c = window.console
    if level == "warn":
        c.warn(text)
    elif level == "error":
        c.error(text)
    else:
        c.info(text)
