"""The service's logs: plain text lines, or one JSON object a line (`--log-format json`).

`configure(level, fmt, node)` is called once by `python -m session_server` /
`cobrowse-server` before the server starts; uvicorn's own loggers (its errors
and the access log) then go through the same handler, so every line on
stderr has one format. A JSON line holds `ts` (UTC, ISO 8601 with
milliseconds), `level`, `logger`, `msg` (the formatted message), `node`,
the fields a caller passed with `extra={...}` (an access line: client,
method, path, http, status), and `exc` (the traceback
text) when there is one; newlines stay inside the JSON strings, so a log
shipper reads one event per line. `uvicorn_log_config(fmt)` is the
`log_config` argument for uvicorn.run.
"""

import json
import logging
import sys
import time

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# attributes every LogRecord has: what is left over came from extra={...}
_RECORD_KEYS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName",
                                                                             "color_message"}   # uvicorn's
ACCESS_FIELDS = ("client", "method", "path", "http", "status")   # uvicorn.access's args, in its order


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def __init__(self, node=""):
        super().__init__()
        self.node = node   # a name, or a function that returns it (metrics.node)

    def format(self, record):
        out = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + ".%03dZ" % record.msecs,
               "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage(),
               "node": self.node() if callable(self.node) else self.node}
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            out.update(zip(ACCESS_FIELDS, record.args))
        for key, value in vars(record).items():
            if key not in _RECORD_KEYS and key not in out and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc"] = record.exc_text
        return json.dumps(out, default=str, ensure_ascii=False)


def configure(level="warning", fmt="text", node="", stream=None):
    """Send every log record at `level` or above to stderr (or `stream`), as `fmt` ("text" or "json");
    `node` (a name or a function returning it) fills the json lines' `node`."""
    if fmt not in FORMATS:
        raise ValueError("log format must be one of " + ", ".join(FORMATS))
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(node) if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):   # their records reach the root's handler
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


def uvicorn_log_config(fmt):
    """uvicorn.run's log_config: None under json (uvicorn keeps configure()'s handler), else its default."""
    if fmt == "json":
        return None
    import uvicorn.config
    return uvicorn.config.LOGGING_CONFIG
