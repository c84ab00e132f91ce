"""Service settings and the group configuration file (TOML, see docs/groups.md).

`load_groups(path)` parses and checks the file and raises ConfigError naming
the group and field that is wrong; `Settings.from_env()` reads the
environment (PORT, REDIS_URL, COBROWSE_GROUPS, COBROWSE_RECONNECT_WINDOW,
COBROWSE_SECRET, COBROWSE_SECRET_FILE) and refuses to start without a
signing secret unless `demo=True` (`python -m session_server --demo`).
Password hashes and API secrets never leave this module except through
`Group.check_agent` / `Group.agent_by_partneruserid` / `Group.api_secret`;
`Group.public()` is what the SDK may see.

In `trusted_origins` and `site_origins`, `${PORT}` stands for the port the
service listens on (Settings.port: --port, else PORT, else 8000): the demo
file's loopback origins follow `PORT=9000 make demo`.
"""

import os
import secrets
import tomllib
from dataclasses import dataclass, field

from visitor_sdk.origins import origin_allowed, parse_trusted

from .addresses import parse_proxies
from .limits import Limits

from .console_policy import origin_problem

from . import passwords
from .login_keys import MIN_SECRET_BYTES
from .resources import demo_groups

DEFAULT_GROUPS = demo_groups()   # the sample file shipped in the package
DEFAULT_PORT = 8000
PORT_PLACEHOLDER = "${PORT}"
AGENT_FIELDS = ("username", "password_hash", "partnerid", "partneruserid", "name", "title", "agentrole")
PROFILE_FIELDS = tuple(k for k in AGENT_FIELDS if k != "password_hash")
MIN_SECRET_CHARS = 16   # COBROWSE_SECRET
HASH_HOWTO = ("store a hash instead: `python -m session_server.agents hash-file --groups FILE` replaces every "
              "clear-text password of the file with its scrypt hash, and `python -m session_server.agents "
              "set-password --groups FILE --group ID --username NAME` sets one (docs/agent-sign-in.md)")


class ConfigError(ValueError):
    """The group configuration file is malformed; the message names the place."""


@dataclass
class Group:
    groupid: int
    name: str = ""
    trusted_origins: list = field(default_factory=list)
    allow_duplicate_keys: bool = False
    masking_selectors: list = field(default_factory=list)
    agents: dict = field(default_factory=dict)   # username -> agent dict (with password_hash)
    api_secret: bytes | None = field(default=None, repr=False)   # signs login keys; None: no login keys
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
        """The agent's profile (without hash) when the credentials are right, else None.

        Slow on purpose (one scrypt run, also for an unknown username or an agent
        without a password): the service calls agent_auth.AgentAuth.check_password,
        which runs it in a thread, never in the event loop."""
        return self.profile(username) if passwords.verify(self.password_hash(username), password) else None

    def password_hash(self, username):
        """The agent's stored hash; None for an unknown username or an agent without a password."""
        agent = self.agents.get(username) if isinstance(username, str) else None
        return agent.get("password_hash") if agent is not None else None

    def profile(self, username):
        """The agent's profile (what `agents` frames show), never its hash; None when unknown."""
        agent = self.agents.get(username) if isinstance(username, str) else None
        return self._profile(agent) if agent is not None else None

    def agent_by_partneruserid(self, partneruserid):
        """The profile of the agent a login key names, else None."""
        for agent in self.agents.values():
            if agent["partneruserid"] == partneruserid:
                return self._profile(agent)
        return None

    @staticmethod
    def _profile(agent):
        return {k: agent[k] for k in PROFILE_FIELDS}


def _str_list(value, where):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(where + " must be a list of strings")
    return list(value)


def _origin_list(value, where, port):
    """An origin list of the file with `${PORT}` replaced by the service's port."""
    return [v.replace(PORT_PLACEHOLDER, str(port)) for v in _str_list(value, where)]


def _service_port(env, port):
    """The port `${PORT}` stands for: `port`, else the environment's PORT, else 8000."""
    if port is not None:
        return int(port)
    try:
        return int(env.get("PORT") or DEFAULT_PORT)
    except ValueError:
        raise ConfigError("PORT must be a port number, not %r" % env.get("PORT"))


def _asset_origins(value, where):
    """agent_asset_origins: origins the agent console's copy loads images, fonts, styles from directly."""
    origins = _str_list(value, where + " agent_asset_origins")
    for o in origins:
        if origin_problem(o):
            raise ConfigError(where + " agent_asset_origins: " + origin_problem(o))
    return origins


def _group_id(text):
    """A group id key of the file: an exact positive decimal (no sign, spaces or leading zeros)."""
    text = str(text)
    if not text.isascii() or not text.isdigit() or text[0] == "0" or len(text) > 15:
        return None
    return int(text)


def _api_secret(g, where, env):
    """The group's login-key API secret from api_secret_env / api_secret_file (never from the file itself)."""
    if "api_secret" in g:
        raise ConfigError(where + ": api_secret may not be written in the groups file; name an environment "
                          "variable (api_secret_env) or a file (api_secret_file) that holds it")
    name, path = g.get("api_secret_env"), g.get("api_secret_file")
    if name is None and path is None:
        return None
    if name is not None and path is not None:
        raise ConfigError(where + ": set api_secret_env or api_secret_file, not both")
    if name is not None:
        if not isinstance(name, str) or not name:
            raise ConfigError(where + " api_secret_env must be the name of an environment variable")
        value = env.get(name, "")
        if not value:
            raise ConfigError(where + " api_secret_env: the environment variable " + name + " is not set")
        what = "the environment variable " + name
    else:
        if not isinstance(path, str) or not path:
            raise ConfigError(where + " api_secret_file must be a file path")
        try:
            with open(path, encoding="utf-8") as fh:
                value = fh.read().strip()
        except (OSError, UnicodeError) as exc:
            raise ConfigError(where + " api_secret_file: cannot read " + path + ": " + str(exc))
        what = "the file " + path
    secret = value.encode("utf-8")
    if len(secret) < MIN_SECRET_BYTES:
        raise ConfigError(where + ": the API secret in " + what + " is too short (at least %d bytes)"
                          % MIN_SECRET_BYTES)
    return secret


def parse_groups(data, source="groups file", env=None, port=None):
    """Check a decoded TOML document ({"groups": {id: {...}}}) and return {groupid: Group}.
    `env` (default os.environ) resolves api_secret_env; `port` fills `${PORT}` in origins
    (default: the environment's PORT, else 8000)."""
    env = os.environ if env is None else env
    port = _service_port(env, port)
    groups_raw = data.get("groups")
    if not isinstance(groups_raw, dict) or not groups_raw:
        raise ConfigError(source + ": needs at least one [groups.<id>] table")
    out = {}
    for gid_text, g in groups_raw.items():
        where = source + ": [groups." + str(gid_text) + "]"
        if _group_id(gid_text) is None:
            raise ConfigError(where + ": the group id must be a positive integer (digits, no leading zero)")
        if not isinstance(g, dict):
            raise ConfigError(where + " must be a table")
        unknown = set(g) - {"name", "trusted_origins", "allow_duplicate_keys", "masking_selectors", "agents",
                            "site_origins", "agent_asset_origins", "api_secret", "api_secret_env", "api_secret_file"}
        if unknown:
            raise ConfigError(where + ": unknown setting(s) " + ", ".join(sorted(unknown)))
        gid = _group_id(gid_text)
        api_secret = _api_secret(g, where, env)
        origins = _origin_list(g.get("trusted_origins", []), where + " trusted_origins", port)
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
            if not isinstance(a.get("username"), str) or not a.get("username"):
                raise ConfigError(aw + ": username is required (a non-empty string)")
            if a["username"] in agents:
                raise ConfigError(aw + ": duplicate username " + a["username"])
            if "password" in a:
                raise ConfigError(aw + " (" + a["username"] + "): clear-text passwords are refused; " + HASH_HOWTO)
            bad = set(a) - set(AGENT_FIELDS)
            if bad:
                raise ConfigError(aw + ": unknown field(s) " + ", ".join(sorted(bad)))
            pw_hash = a.get("password_hash")
            if pw_hash is None and api_secret is None:
                raise ConfigError(aw + ": password_hash is required (agents without one sign in by login key "
                                  "only, which needs the group's api_secret_env or api_secret_file)")
            if pw_hash is not None:
                if not passwords.looks_hashed(pw_hash):
                    raise ConfigError(aw + " password_hash is not a hash (clear text?); " + HASH_HOWTO)
                try:
                    passwords.parse_hash(pw_hash)
                except ValueError as exc:
                    raise ConfigError(aw + " password_hash: " + str(exc))
            puid = str(a.get("partneruserid", a["username"]))
            if any(x["partneruserid"] == puid for x in agents.values()):
                raise ConfigError(aw + ": duplicate partneruserid " + puid + " (login keys name agents by it)")
            agents[a["username"]] = {"username": a["username"], "password_hash": pw_hash,
                                     "partnerid": a.get("partnerid", gid),
                                     "partneruserid": puid,
                                     "name": str(a.get("name", a["username"])), "title": str(a.get("title", "")),
                                     "agentrole": str(a.get("agentrole", ""))}
        out[gid] = Group(gid, str(g.get("name", "")), origins, dup,
                         _str_list(g.get("masking_selectors", []), where + " masking_selectors"), agents,
                         api_secret)
        out[gid].agent_asset_origins = _asset_origins(g.get("agent_asset_origins", []), where)
        if "site_origins" in g:
            sites = _origin_list(g["site_origins"], where + " site_origins", port)
            out[gid]._site_entries, problems = parse_trusted(sites)
            if problems:
                raise ConfigError(where + " site_origins: " + "; ".join(problems))
            out[gid].site_origins = sites
    return out


def load_groups(path=None, env=None, port=None):
    """Read and check the groups TOML file (default: the shipped demo file); `port`: parse_groups."""
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
    return parse_groups(data, path, env, port), raw


def _signing_secret(env, demo, redis_url):
    """The key of resume, guest and upload tokens: COBROWSE_SECRET (or the file COBROWSE_SECRET_FILE
    names); in demo mode, when neither is set, a random key for this process only."""
    secret = env.get("COBROWSE_SECRET", "")
    path = env.get("COBROWSE_SECRET_FILE", "")
    if secret and path:
        raise ConfigError("set COBROWSE_SECRET or COBROWSE_SECRET_FILE, not both")
    if path:
        try:
            with open(path, encoding="utf-8") as fh:
                secret = fh.read().strip()
        except (OSError, UnicodeError) as exc:
            raise ConfigError("COBROWSE_SECRET_FILE: cannot read " + path + ": " + str(exc))
    if secret:
        if len(secret) < MIN_SECRET_CHARS:
            raise ConfigError("the signing secret (%s) is too short: use at least %d random characters"
                              % ("COBROWSE_SECRET_FILE" if path else "COBROWSE_SECRET", MIN_SECRET_CHARS))
        return secret.encode("utf-8")
    if not demo:
        raise ConfigError("no signing secret: set COBROWSE_SECRET (or COBROWSE_SECRET_FILE) to a long random "
                          "value, the same on every node, e.g. `python -c 'import secrets; "
                          "print(secrets.token_urlsafe(32))'`; it signs resume, guest and upload tokens. "
                          "For a throwaway demo, pass --demo")
    if redis_url:
        raise ConfigError("--demo with a Redis backplane needs COBROWSE_SECRET: every node must sign tokens "
                          "with the same key, and a demo key is random per process")
    return secrets.token_bytes(32)


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    redis_url: str | None = None
    groups_path: str = DEFAULT_GROUPS
    reconnect_window: float = 30.0
    secret: bytes = field(default=b"", repr=False)
    groups: dict = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)   # budgets and rate limits (limits.py, docs/limits.md)
    trusted_proxies: tuple = ()   # COBROWSE_TRUSTED_PROXIES: whose X-Forwarded-For is believed (addresses.py)
    agent_origins: list = field(default_factory=list)   # COBROWSE_AGENT_ORIGINS: pages that may embed the console
    demo: bool = False

    @classmethod
    def from_env(cls, env=None, demo=False, **overrides):
        """Settings from the environment; keyword overrides (CLI flags) win when not None.

        Without COBROWSE_SECRET / COBROWSE_SECRET_FILE this raises ConfigError, unless
        `demo` (then tokens are signed with a random key of this process: they do not
        survive a restart, and several nodes cannot share sessions)."""
        env = os.environ if env is None else env
        s = cls()
        s.demo = bool(demo)
        s.port = int(env.get("PORT", s.port))
        s.redis_url = env.get("REDIS_URL") or None
        s.groups_path = env.get("COBROWSE_GROUPS") or DEFAULT_GROUPS
        s.reconnect_window = float(env.get("COBROWSE_RECONNECT_WINDOW", s.reconnect_window))
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
        s.secret = _signing_secret(env, s.demo, s.redis_url)
        s.groups, _ = load_groups(s.groups_path, env, s.port)
        return s
