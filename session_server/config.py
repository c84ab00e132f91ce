"""Service settings and the group configuration file (TOML, see docs/groups.md).

`load_groups(path)` parses and checks the file and raises ConfigError naming
the group and field that is wrong; `Settings.from_env()` reads the
environment (PORT, REDIS_URL, COBROWSE_GROUPS, COBROWSE_RECONNECT_WINDOW,
COBROWSE_SECRET). Passwords never leave this module except through
`Group.check_agent`; `Group.public()` is what the SDK may see.
"""

import hashlib
import hmac
import os
import tomllib
from dataclasses import dataclass, field

from visitor_sdk.origins import origin_allowed, parse_trusted

from .addresses import parse_proxies
from .limits import Limits

from .console_policy import origin_problem

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_GROUPS = os.path.join(HERE, "groups.toml")
AGENT_FIELDS = ("username", "password", "partnerid", "partneruserid", "name", "title", "agentrole")


class ConfigError(ValueError):
    """The group configuration file is malformed; the message names the place."""


@dataclass
class Group:
    groupid: int
    name: str = ""
    trusted_origins: list = field(default_factory=list)
    allow_duplicate_keys: bool = False
    masking_selectors: list = field(default_factory=list)
    agents: dict = field(default_factory=dict)   # username -> agent dict (with password)
    site_origins: list | None = None   # origins whose pages may open visitor sockets; None: any (warned)
    agent_asset_origins: list = field(default_factory=list)   # the console's copy may load these directly

    def site_allowed(self, origin):
        """May a visitor socket whose handshake said `Origin: origin` (None: no header) join this group?"""
        if self.site_origins is None or origin is None:   # no header: not a browser page (docs/groups.md)
            return True
        return origin_allowed(origin, getattr(self, "_site_entries", self.site_origins))

    def public(self):
        """The settings the visitor SDK fetches: never credentials."""
        return {"groupid": self.groupid, "name": self.name, "trusted_origins": list(self.trusted_origins),
                "allow_duplicate_keys": self.allow_duplicate_keys,
                "masking_selectors": list(self.masking_selectors)}

    def check_agent(self, username, password):
        """The agent's profile (without password) when the credentials are right, else None."""
        agent = self.agents.get(username) if isinstance(username, str) else None
        if agent is None or not isinstance(password, str):
            hmac.compare_digest(b"x", b"y")
            return None
        if not hmac.compare_digest(agent["password"].encode(), password.encode()):
            return None
        return {k: agent[k] for k in AGENT_FIELDS if k != "password"}


def _str_list(value, where):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(where + " must be a list of strings")
    return list(value)


def _asset_origins(value, where):
    """agent_asset_origins: origins the agent console's copy loads images, fonts, styles from directly."""
    origins = _str_list(value, where + " agent_asset_origins")
    for o in origins:
        if origin_problem(o):
            raise ConfigError(where + " agent_asset_origins: " + origin_problem(o))
    return origins


def parse_groups(data, source="groups file"):
    """Check a decoded TOML document ({"groups": {id: {...}}}) and return {groupid: Group}."""
    groups_raw = data.get("groups")
    if not isinstance(groups_raw, dict) or not groups_raw:
        raise ConfigError(source + ": needs at least one [groups.<id>] table")
    out = {}
    for gid_text, g in groups_raw.items():
        where = source + ": [groups." + str(gid_text) + "]"
        if not str(gid_text).isdigit() or int(gid_text) <= 0:
            raise ConfigError(where + ": the group id must be a positive integer")
        if not isinstance(g, dict):
            raise ConfigError(where + " must be a table")
        unknown = set(g) - {"name", "trusted_origins", "allow_duplicate_keys", "masking_selectors", "agents",
                            "site_origins", "agent_asset_origins"}
        if unknown:
            raise ConfigError(where + ": unknown setting(s) " + ", ".join(sorted(unknown)))
        gid = int(gid_text)
        origins = _str_list(g.get("trusted_origins", []), where + " trusted_origins")
        _, problems = parse_trusted(origins)
        if problems:
            raise ConfigError(where + " trusted_origins: " + "; ".join(problems))
        dup = g.get("allow_duplicate_keys", False)
        if not isinstance(dup, bool):
            raise ConfigError(where + " allow_duplicate_keys must be true or false")
        agents = {}
        for i, a in enumerate(g.get("agents", [])):
            aw = where + " agents[" + str(i) + "]"
            if not isinstance(a, dict):
                raise ConfigError(aw + " must be a table")
            for k in ("username", "password"):
                if not isinstance(a.get(k), str) or not a.get(k):
                    raise ConfigError(aw + ": " + k + " is required (a non-empty string)")
            if a["username"] in agents:
                raise ConfigError(aw + ": duplicate username " + a["username"])
            bad = set(a) - set(AGENT_FIELDS)
            if bad:
                raise ConfigError(aw + ": unknown field(s) " + ", ".join(sorted(bad)))
            agents[a["username"]] = {"username": a["username"], "password": a["password"],
                                     "partnerid": a.get("partnerid", gid),
                                     "partneruserid": str(a.get("partneruserid", a["username"])),
                                     "name": str(a.get("name", a["username"])), "title": str(a.get("title", "")),
                                     "agentrole": str(a.get("agentrole", ""))}
        out[gid] = Group(gid, str(g.get("name", "")), origins, dup,
                         _str_list(g.get("masking_selectors", []), where + " masking_selectors"), agents)
        out[gid].agent_asset_origins = _asset_origins(g.get("agent_asset_origins", []), where)
        if "site_origins" in g:
            sites = _str_list(g["site_origins"], where + " site_origins")
            out[gid]._site_entries, problems = parse_trusted(sites)
            if problems:
                raise ConfigError(where + " site_origins: " + "; ".join(problems))
            out[gid].site_origins = sites
    return out


def load_groups(path=None):
    """Read and check the groups TOML file (default: the shipped demo file)."""
    path = path or DEFAULT_GROUPS
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ConfigError("cannot read groups file " + path + ": " + str(exc))
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(path + ": not valid TOML: " + str(exc))
    return parse_groups(data, path), raw


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    redis_url: str | None = None
    groups_path: str = DEFAULT_GROUPS
    reconnect_window: float = 30.0
    secret: bytes = b""
    groups: dict = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)   # budgets and rate limits (limits.py, docs/limits.md)
    trusted_proxies: tuple = ()   # COBROWSE_TRUSTED_PROXIES: whose X-Forwarded-For is believed (addresses.py)
    agent_origins: list = field(default_factory=list)   # COBROWSE_AGENT_ORIGINS: pages that may embed the console

    @classmethod
    def from_env(cls, env=None, **overrides):
        """Settings from the environment; keyword overrides (CLI flags) win when not None."""
        env = os.environ if env is None else env
        s = cls()
        s.port = int(env.get("PORT", s.port))
        s.redis_url = env.get("REDIS_URL") or None
        s.groups_path = env.get("COBROWSE_GROUPS") or DEFAULT_GROUPS
        s.reconnect_window = float(env.get("COBROWSE_RECONNECT_WINDOW", s.reconnect_window))
        secret = env.get("COBROWSE_SECRET", "")
        for k, v in overrides.items():
            if v is not None:
                setattr(s, k, v)
        if s.reconnect_window <= 0:
            raise ConfigError("COBROWSE_RECONNECT_WINDOW must be > 0 seconds")
        try:
            s.limits = Limits.from_env(env)
            s.trusted_proxies = parse_proxies(env.get("COBROWSE_TRUSTED_PROXIES", ""))
        except ValueError as exc:
            raise ConfigError(str(exc))
        s.agent_origins, problems = parse_trusted(env.get("COBROWSE_AGENT_ORIGINS") or None)
        if problems:
            raise ConfigError("COBROWSE_AGENT_ORIGINS: " + "; ".join(problems))
        s.groups, raw = load_groups(s.groups_path)
        # Resume tokens must stay valid across a restart: without COBROWSE_SECRET
        # the key is derived from the groups file (which holds the agents'
        # passwords and is protected like a secret). Set COBROWSE_SECRET in production.
        s.secret = secret.encode() if secret else hashlib.sha256(b"cobrowse-resume\0" + raw).digest()
        return s
