"""Page configuration: the script tag's data-* attributes and window.GLANCE_COBROWSE.

Pure Python. `parse_config(attrs, glance_cobrowse)` takes two plain dicts and
returns (config, problems): the config always exists (no crash on bad input)
and `problems` lists what was wrong, for console messages and an `error`
event. data-* attributes win over GLANCE_COBROWSE for the same setting.
"""

from .params import ParamError, positive_int, visitor_field, VISITOR_FIELD_LIMITS

SITES = ("staging", "production")
UI_MODES = ("default", "none")


def _split_ids(value):
    if isinstance(value, (list, tuple)):
        return list(value)
    return [p for p in str(value).replace(";", ",").replace(" ", ",").split(",") if p]


def _field(d, k):
    """d[k], or None when `k` is absent. (Runs as the page starts: in Brython a
    dict.get() miss raises and catches a KeyError, which is slow.)"""
    return d[k] if k in d else None


def parse_config(attrs, glance_cobrowse=None):
    """Build the page configuration.

    `attrs` holds the script tag's attributes without the `data-` prefix
    (groupid, site, ws, additionalgroupids, ui); `glance_cobrowse` holds
    window.GLANCE_COBROWSE's plain fields. Returns (config, problems) where
    config["groupid"] is None when the group id is missing or invalid.
    """
    gc = glance_cobrowse or {}
    problems = []
    merged = {}
    for k in ("groupid", "site", "ws", "additionalgroupids", "ui"):
        if _field(gc, k) is not None:
            merged[k] = gc[k]
    for k, v in attrs.items():
        if v is not None:
            merged[k] = v

    config = {"groupid": None, "additionalgroupids": [], "site": "production", "ws": None, "ui": "default", "visitor": {}}
    raw = _field(merged, "groupid")
    if raw is None or raw == "":
        problems.append("data-groupid is missing: add data-groupid=\"<your group id>\" to the cobrowse script tag")
    else:
        try:
            config["groupid"] = positive_int(raw, "data-groupid")
        except ParamError as e:
            problems.append(str(e))
    if _field(merged, "additionalgroupids"):
        for part in _split_ids(merged["additionalgroupids"]):
            try:
                gid = positive_int(part, "data-additionalgroupids entry")
                if gid not in config["additionalgroupids"] and gid != config["groupid"]:
                    config["additionalgroupids"].append(gid)
            except ParamError as e:
                problems.append(str(e))
    site = _field(merged, "site")
    if site is not None:
        if site in SITES:
            config["site"] = site
        else:
            problems.append("data-site must be staging or production, got " + repr(site) + "; using production")
    ws = _field(merged, "ws")
    if ws is not None:
        if isinstance(ws, str) and (ws.startswith("http://") or ws.startswith("https://") or ws.startswith("ws://") or ws.startswith("wss://")):
            config["ws"] = ws.rstrip("/")
        else:
            problems.append("data-ws must be an http(s) or ws(s) URL, got " + repr(ws))
    ui = _field(merged, "ui")
    if ui is not None:
        if ui in UI_MODES:
            config["ui"] = ui
        else:
            problems.append("data-ui must be 'none' or 'default', got " + repr(ui))
    for name in VISITOR_FIELD_LIMITS:
        if _field(gc, name) is not None:
            try:
                config["visitor"][name] = visitor_field(name, gc[name])
            except ParamError as e:
                problems.append("GLANCE_COBROWSE." + name + " ignored: " + str(e))
    return config, problems


def groups_of(config):
    """The page's group id followed by its additional group ids (empty when invalid)."""
    if _field(config, "groupid") is None:
        return []
    return [config["groupid"]] + list(_field(config, "additionalgroupids") or [])
