"""The group's public settings from the session service, fetched once per page.

Browser shell. GET {data-ws}/api/groups/{groupid}/public answers
{trusted_origins, masking_selectors, ...} (docs/groups.md); the glance_invoke
receiver and masking both read this one fetch. Call
`load(config, on_ready)` when a feature needs the settings; the first call
starts the one fetch of the page, later calls share it. `on_ready(settings,
error)` runs once the answer is there (at once if it already is): `settings`
is a dict, or None with `error` saying why. `masking_selectors()` gives the
group's selectors (masking_rules.clean_selectors), or None while they are not
known, so that callers fail closed.
"""

from browser import window

from . import log
from .jsconv import from_js
from .jsfiles import js
from .masking_rules import clean_selectors

FETCH_TIMEOUT_MS = 10000

def public_settings_url(config):
    """The group's public settings URL on the session service, or None without data-ws / groupid."""
    base = config.get("ws")
    gid = config.get("groupid")
    if not base or gid is None:
        return None
    if base.startswith("wss://"):
        base = "https://" + base[6:]
    elif base.startswith("ws://"):
        base = "http://" + base[5:]
    return base.rstrip("/") + "/api/groups/" + str(gid) + "/public"


_fetch = js("fetch_settings")  # visitor_sdk/js/fetch_settings.js
_state = {"status": "idle", "settings": None, "error": None, "waiters": []}


def _settle(settings, error):
    _state["status"] = "loaded" if settings is not None else "failed"
    _state["settings"] = settings
    _state["error"] = error
    waiters, _state["waiters"] = _state["waiters"], []
    for w in waiters:
        try:
            w(settings, error)
        except Exception as exc:
            log.failed("a group settings callback", exc)


def load(config, on_ready=None):
    """Start (once) the fetch of the group's public settings; `on_ready(settings, error)` when known."""
    if on_ready is not None:
        if _state["status"] in ("loaded", "failed"):
            on_ready(_state["settings"], _state["error"])
        else:
            _state["waiters"].append(on_ready)
    if _state["status"] != "idle":
        return
    _state["status"] = "loading"
    url = public_settings_url(config)
    if url is None:
        _settle(None, "this page has no session service (data-ws) or no valid data-groupid")
        return

    def ok(value):
        try:
            data = from_js(value)
            _settle(data if isinstance(data, dict) else None, None if isinstance(data, dict) else "bad answer")
        except Exception as exc:
            _settle(None, "the answer could not be read: " + str(exc))

    def fail(why):
        _settle(None, str(why)[:200] if why else "unknown error")
    try:
        _fetch(url, ok, fail, FETCH_TIMEOUT_MS)
    except Exception as exc:
        _settle(None, str(exc))


def masking_selectors():
    """The group's masking selectors (list of str), or None while unknown (not loaded, failed, unusable)."""
    s = _state["settings"]
    if not isinstance(s, dict):
        return None
    return clean_selectors(s.get("masking_selectors"))
