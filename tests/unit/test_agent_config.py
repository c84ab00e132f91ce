"""The groups file's agent credentials and the service's secrets (session_server/config.py),
and the CLI that edits agents (session_server/agents.py)."""

import io
import os
import shutil
import tomllib

import pytest

from session_server import agents as CLI
from session_server.config import DEFAULT_GROUPS, ConfigError, Settings, load_groups, parse_groups
from session_server.passwords import MIN_N, hash_password

FAST_HASH = hash_password("pw", n=MIN_N, r=1, p=1)
GOOD_ENV = {"COBROWSE_SECRET": "s" * 32}


def doc(agent=None, **group):
    g = {"agents": [agent if agent is not None else {"username": "ann", "password_hash": FAST_HASH}]}
    g.update(group)
    return {"groups": {"7": g}}


def test_clear_text_passwords_are_refused_with_the_command_that_hashes_them():
    with pytest.raises(ConfigError) as e:
        parse_groups(doc({"username": "ann", "password": "secret"}), "f.toml")
    msg = str(e.value)
    assert "clear-text passwords are refused" in msg and "ann" in msg
    assert "python -m session_server.agents hash-file --groups FILE" in msg and "set-password" in msg
    assert "\n" not in msg and "secret" not in msg.replace("clear-text", "")


@pytest.mark.parametrize("value", ["secret", "scrypt$n=16384,r=8,p=1$x$y", ""])
def test_password_hash_must_be_a_hash(value):
    with pytest.raises(ConfigError):
        parse_groups(doc({"username": "ann", "password_hash": value}))


def test_check_agent_against_the_hash():
    g = parse_groups(doc())[7]
    assert g.check_agent("ann", "pw")["username"] == "ann"
    assert "password_hash" not in g.check_agent("ann", "pw")
    assert g.check_agent("ann", "PW") is None and g.check_agent("bob", "pw") is None
    assert g.check_agent(None, "pw") is None and g.check_agent("ann", None) is None


def test_the_demo_file_holds_hashes_and_keeps_the_demo_logins():
    groups, raw = load_groups(DEFAULT_GROUPS, env={})
    assert b'password = "' not in raw and b"password_hash" in raw
    assert groups[72937].check_agent("janet.glance.net", "demo-agent")["name"] == "Janet Wills"
    assert groups[72937].check_agent("mary.glance.net", "demo-supervisor") is not None
    assert groups[12345].check_agent("bob.other.example", "other-agent") is not None
    assert all(g.api_secret is None for g in groups.values())   # the demo file is never the source of a secret


def test_api_secret_comes_from_the_environment_or_a_file_never_the_groups_file(tmp_path):
    with pytest.raises(ConfigError, match="api_secret may not be written"):
        parse_groups(doc(api_secret="x" * 32), env={})
    assert parse_groups(doc(api_secret_env="CRM"), env={"CRM": "k" * 20})[7].api_secret == b"k" * 20
    with pytest.raises(ConfigError, match="CRM is not set"):
        parse_groups(doc(api_secret_env="CRM"), env={})
    with pytest.raises(ConfigError, match="too short"):
        parse_groups(doc(api_secret_env="CRM"), env={"CRM": "short"})
    f = tmp_path / "secret"
    f.write_text("f" * 24 + "\n")
    assert parse_groups(doc(api_secret_file=str(f)), env={})[7].api_secret == b"f" * 24
    with pytest.raises(ConfigError, match="not both"):
        parse_groups(doc(api_secret_file=str(f), api_secret_env="CRM"), env={"CRM": "k" * 20})
    with pytest.raises(ConfigError, match="cannot read"):
        parse_groups(doc(api_secret_file=str(tmp_path / "nope")), env={})


def test_login_key_only_agents_need_an_api_secret():
    a = {"username": "carl", "partneruserid": "carl@crm"}
    with pytest.raises(ConfigError, match="password_hash is required"):
        parse_groups(doc(a), env={})
    g = parse_groups(doc(a, api_secret_env="CRM"), env={"CRM": "k" * 20})[7]
    assert g.agent_by_partneruserid("carl@crm")["username"] == "carl" and g.check_agent("carl", "") is None
    with pytest.raises(ConfigError, match="duplicate partneruserid"):
        parse_groups({"groups": {"7": {"api_secret_env": "CRM", "agents": [a, dict(a, username="c2")]}}},
                     env={"CRM": "k" * 20})


@pytest.mark.parametrize("gid", ["07", "+7", " 7", "0", "\u0667"])
def test_group_ids_of_the_file_are_exact_decimals(gid):
    with pytest.raises(ConfigError, match="positive integer"):
        parse_groups({"groups": {gid: {"agents": []}}})


# ------------------------------------------------------------------ secrets
def settings(env, **kw):
    return Settings.from_env(env=dict(env, COBROWSE_GROUPS=DEFAULT_GROUPS), **kw)


def test_no_signing_secret_outside_the_demo_refuses_to_start():
    with pytest.raises(ConfigError) as e:
        settings({})
    assert "COBROWSE_SECRET" in str(e.value) and "--demo" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(ConfigError, match="too short"):
        settings({"COBROWSE_SECRET": "short"})
    assert settings(GOOD_ENV).secret == b"s" * 32


def test_demo_mode_uses_a_random_secret_per_process_never_the_groups_file():
    a, b = settings({}, demo=True), settings({}, demo=True)
    assert len(a.secret) == 32 and a.secret != b.secret
    with open(DEFAULT_GROUPS, "rb") as fh:
        raw = fh.read()
    import hashlib
    assert a.secret != hashlib.sha256(b"cobrowse-resume\0" + raw).digest()   # what today's code derived
    assert settings(GOOD_ENV, demo=True).secret == b"s" * 32                 # a configured secret still wins


def test_demo_mode_with_redis_needs_a_shared_secret():
    with pytest.raises(ConfigError, match="Redis"):
        settings({"REDIS_URL": "redis://127.0.0.1:1"}, demo=True)
    assert settings(dict(GOOD_ENV, REDIS_URL="redis://127.0.0.1:1"), demo=True).secret == b"s" * 32


def test_secret_file(tmp_path):
    f = tmp_path / "s"
    f.write_text("t" * 40 + "\n")
    assert settings({"COBROWSE_SECRET_FILE": str(f)}).secret == b"t" * 40
    with pytest.raises(ConfigError, match="not both"):
        settings(dict(GOOD_ENV, COBROWSE_SECRET_FILE=str(f)))


# --------------------------------------------------------------------- CLI
@pytest.fixture
def demo_copy(tmp_path):
    p = tmp_path / "groups.toml"
    shutil.copy(DEFAULT_GROUPS, p)
    return str(p)


def run(*argv, stdin=""):
    out = io.StringIO()
    rc = CLI.main(list(argv), stdin=io.StringIO(stdin), stdout=out)
    return rc, out.getvalue()


def test_cli_add_agent_then_sign_in(demo_copy):
    before = open(demo_copy).read()
    rc, out = run("add", "--groups", demo_copy, "--group", "72937", "--username", "zoe.glance.net",
                  "--name", "Zoe \"Z\" Ng", "--partneruserid", "zoe@example.com", "--password-stdin",
                  stdin="zoe's pw\n")
    assert rc == 0 and "added" in out
    after = open(demo_copy).read()
    old_lines, new_lines = before.splitlines(), after.splitlines()
    it = iter(new_lines)
    assert all(line in it for line in old_lines)          # every line kept, in order (comments and layout)
    assert len(new_lines) - len(old_lines) == 6
    # the new agent table ends group 72937, before the comment that introduces the next group
    at = new_lines.index("[groups.12345]")
    assert new_lines[at - 1].startswith("# A second group") and new_lines.index('username = "zoe.glance.net"') < at
    g = load_groups(demo_copy, env={})[0]
    assert g[72937].check_agent("zoe.glance.net", "zoe's pw")["name"] == 'Zoe "Z" Ng'
    assert g[72937].check_agent("janet.glance.net", "demo-agent") is not None
    assert "zoe.glance.net" not in g[12345].agents
    assert run("add", "--groups", demo_copy, "--group", "72937", "--username", "zoe.glance.net",
               "--password-stdin", stdin="x\n")[0] == 2


def test_cli_set_password(demo_copy):
    rc, _ = run("set-password", "--groups", demo_copy, "--group", "72937", "--username", "janet.glance.net",
                "--password-stdin", stdin="new-pw\r\n")
    assert rc == 0
    g = load_groups(demo_copy, env={})[0][72937]
    assert g.check_agent("janet.glance.net", "new-pw") is not None and g.check_agent("janet.glance.net", "demo-agent") is None
    assert g.check_agent("mary.glance.net", "demo-supervisor") is not None
    assert open(demo_copy).read().count("password_hash") == 3
    assert run("set-password", "--groups", demo_copy, "--group", "12345", "--username", "janet.glance.net",
               "--password-stdin", stdin="x\n")[0] == 2


def test_cli_hash_file_converts_clear_text_files(tmp_path, capsys):
    p = tmp_path / "g.toml"
    p.write_text('# mine\n[groups.5]\nname = "A"\n\n[[groups.5.agents]]\nusername = "u"\n  password = "p w"  # old\n'
                 'name = "U"\n\n[groups.6]\n[[groups.6.agents]]\nusername = "v"\npassword = \'q\'\n')
    with pytest.raises(ConfigError, match="clear-text"):
        load_groups(str(p), env={})
    rc, out = run("hash-file", "--groups", str(p))
    assert rc == 0 and "2 clear-text passwords replaced" in out
    text = p.read_text()
    assert text.startswith("# mine\n") and "  password_hash = " in text and "p w" not in text
    g = load_groups(str(p), env={})[0]
    assert g[5].check_agent("u", "p w")["name"] == "U" and g[6].check_agent("v", "q") is not None
    assert run("hash-file", "--groups", str(p))[1].startswith(str(p) + ": 0 ")


def test_cli_hash_prints_a_hash():
    rc, out = run("hash", "--password-stdin", stdin="demo-agent\n")
    h = out.strip()
    assert rc == 0 and h.startswith("scrypt$n=16384,r=8,p=1$")
    assert parse_groups(doc({"username": "a", "password_hash": h}))[7].check_agent("a", "demo-agent")
    assert run("hash", "--password-stdin", stdin="\n")[0] == 2
