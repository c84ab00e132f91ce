"""Shared fixtures: the real session service on a free loopback port, and Chromium.

The browser is Debian's /usr/bin/chromium (or CHROMIUM_PATH), falling back to
Playwright's own build where one is installed. Servers are real processes,
started here and stopped after.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage",
                 "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=20.0, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("server exited with " + str(proc.returncode))
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError("server did not answer at " + url)


TEST_LIMITS = {"COBROWSE_LIMIT_SESSION_STARTS": "100000", "COBROWSE_LIMIT_SIGNIN_FAILURES": "100000",
               "COBROWSE_LIMIT_JOIN_FAILURES": "100000", "COBROWSE_LIMIT_DUPKEY_FAILURES": "100000",
               "COBROWSE_LIMIT_SOCKETS_PER_ADDRESS": "100000",
               "COBROWSE_LIMIT_SOCKET_OPENS_PER_S": "100000", "COBROWSE_LIMIT_SOCKET_OPEN_BURST": "100000"}


class Server:
    """A session service process on a free loopback port."""

    def __init__(self, extra_args=(), env=None, port=None):
        self.port = port or free_port()
        self.extra_args = list(extra_args)
        # every browser test connects from 127.0.0.1: per-address guessing limits a whole run stays under
        self.env = dict(os.environ, **dict(TEST_LIMITS, **(env or {})))
        self.proc = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def alt_url(self):
        """The same server on a second origin (localhost instead of 127.0.0.1)."""
        return "http://localhost:%d" % self.port

    def write_groups(self):
        """The shipped demo groups with this server's own origins trusted for glance_invoke."""
        with open(os.path.join(ROOT, "session_server", "groups.toml"), encoding="utf-8") as f:
            text = f.read().replace(":8000", ":%d" % self.port)
        path = os.path.join(tempfile.mkdtemp(prefix="cobrowse-groups-"), "groups.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        self.env.setdefault("COBROWSE_GROUPS", path)

    def start(self):
        self.write_groups()
        cmd = [sys.executable, "-m", "session_server", "--host", "127.0.0.1", "--port", str(self.port)] + self.extra_args
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_http(self.url + "/healthz", proc=self.proc)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class External(Server):
    """A server that is already running (COBROWSE_TEST_SERVER=http://127.0.0.1:PORT)."""

    def start(self):
        wait_http(self.url + "/healthz")
        return self

    def stop(self):
        pass


@pytest.fixture(scope="session")
def server():
    external = os.environ.get("COBROWSE_TEST_SERVER")
    s = External(port=int(external.rsplit(":", 1)[1])) if external else Server()
    s.start()
    yield s
    s.stop()


def chromium_executable():
    """CHROMIUM_PATH, else Debian's chromium, else None (Playwright's own browser)."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    return path


def launch_chromium(playwright):
    """Chromium for tests and benchmarks: headless, fake camera and screen."""
    kwargs = {"args": CHROMIUM_ARGS}
    exe = chromium_executable()
    if exe:
        kwargs["executable_path"] = exe
    return playwright.chromium.launch(**kwargs)


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    b = launch_chromium(playwright_instance)
    yield b
    b.close()


class Console:
    """Console messages and uncaught errors of one page."""

    def __init__(self, page):
        self.messages = []
        self.errors = []
        page.on("console", lambda m: self.messages.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def of(self, kind):
        return [t for k, t in self.messages if k == kind]


@pytest.fixture
def context(browser):
    ctx = browser.new_context()
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    p = context.new_page()
    p.console = Console(p)
    p.set_default_timeout(10000)
    return p


@pytest.fixture
def agents():
    from tests.browser.agents import AgentRunner
    runner = AgentRunner()
    yield runner
    runner.close()


def _wait_port(port, proc, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("process exited with " + str(proc.returncode))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on port %d" % port)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server on a free loopback port (scripts/setup.sh test installs it)."""
    exe = shutil.which("redis-server") or ("/usr/sbin/redis-server" if os.path.exists("/usr/sbin/redis-server") else None)
    if exe is None:
        message = "redis-server is not installed (apt-get install redis-server); the several-node tests need it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    d = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(d)], stdout=subprocess.DEVNULL)
    _wait_port(port, proc)
    yield "redis://127.0.0.1:%d/0" % port
    proc.terminate()
    proc.wait(5)
