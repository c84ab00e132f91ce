"""Fixtures: the real session service in a subprocess on a free loopback port, and redis-server."""

import os
import signal
import subprocess
import sys

import httpx
import pytest

from session_server.passwords import hash_password
from tests.conftest import _wait_port, free_port  # noqa: F401  (redis_url comes from tests/conftest.py too)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

API_SECRET = "test-api-secret-72937-0123456789"   # group 72937's login-key secret (api_secret_env)
SECRET = "test-secret-0123456789"                  # COBROWSE_SECRET of every test server

GROUPS_TOML = """
[groups.72937]
api_secret_env = "COBROWSE_TEST_API_SECRET"
trusted_origins = ["http://localhost:8000", "http://127.0.0.1:8000", "https://*.shop.test"]
allow_duplicate_keys = false
masking_selectors = [".secret"]

[[groups.72937.agents]]
username = "janet.glance.net"
password_hash = "%(pw_janet)s"
partnerid = 72937
partneruserid = "janet@example.com"
name = "Janet Wills"
title = "Senior Representative"
agentrole = "Account Support"

[[groups.72937.agents]]
username = "mary.glance.net"
password_hash = "%(pw_mary)s"
partnerid = 72937
partneruserid = "mary@example.com"
name = "Mary Supervisor"
title = "Supervisor"
agentrole = "Supervisor"

[[groups.72937.agents]]
username = "carl.crm"
partneruserid = "carl@example.com"
name = "Carl Crm"

[groups.12345]
trusted_origins = []
allow_duplicate_keys = true

[[groups.12345.agents]]
username = "bob.other"
password_hash = "%(pw_bob)s"
partnerid = 12345
name = "Bob Other"
""" % {k: hash_password(v) for k, v in (("pw_janet", "pw-janet"), ("pw_mary", "pw-mary"), ("pw_bob", "pw-bob"))}

# Every test connects from 127.0.0.1: the shared servers get per-address limits a whole test run
# stays under. Tests of the limits themselves start servers with limits={} (the service's defaults).
TEST_LIMITS = {"COBROWSE_LIMIT_SESSION_STARTS": "100000", "COBROWSE_LIMIT_SIGNIN_FAILURES": "100000",
               "COBROWSE_LIMIT_JOIN_FAILURES": "100000", "COBROWSE_LIMIT_DUPKEY_FAILURES": "100000",
               "COBROWSE_LIMIT_SOCKETS_PER_ADDRESS": "100000",
               "COBROWSE_LIMIT_SOCKET_OPENS_PER_S": "100000", "COBROWSE_LIMIT_SOCKET_OPEN_BURST": "100000"}

JANET = ("janet.glance.net", "pw-janet")
MARY = ("mary.glance.net", "pw-mary")
BOB = ("bob.other", "pw-bob")


class Server:
    """`python -m session_server` on 127.0.0.1:port; kill() and start() again on the same port."""

    def __init__(self, groups_path, window=30.0, redis_url=None, port=None, args=(), limits=None, env=None):
        self.args = list(args)
        self.port = port or free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.env = dict(os.environ, COBROWSE_GROUPS=groups_path, COBROWSE_RECONNECT_WINDOW=str(window),
                        COBROWSE_SECRET=SECRET, COBROWSE_TEST_API_SECRET=API_SECRET, PYTHONPATH=ROOT)
        self.env.update(TEST_LIMITS if limits is None else limits)
        self.env.update(env or {})
        self.env.pop("REDIS_URL", None)
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([sys.executable, "-m", "session_server", "--host", "127.0.0.1",
                                      "--port", str(self.port)] + self.args, cwd=ROOT, env=self.env)
        _wait_port(self.port, self.proc)
        return self

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(5)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()

    def get(self, path, **kw):
        return httpx.get(self.base + path, timeout=5, **kw)


@pytest.fixture(scope="session")
def groups_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("cfg") / "groups.toml"
    p.write_text(GROUPS_TOML)
    return str(p)


@pytest.fixture(scope="session")
def server(groups_file):
    """One shared server for the tests that do not kill it (reconnect window 30 s)."""
    s = Server(groups_file).start()
    yield s
    s.stop()


@pytest.fixture
def make_server(groups_file):
    """Start private servers: make_server(window=1.0, redis_url=None, port=None, args=[...], limits={...}, env={...}),
    limits: COBROWSE_LIMIT_* settings (None: the generous TEST_LIMITS; {}: the service's defaults)."""
    started = []

    def make(**kw):
        s = Server(groups_file, **kw).start()
        started.append(s)
        return s
    yield make
    for s in started:
        s.stop()
