"""Shared fixtures: the real session service on a free loopback port, and Chromium.

The browser is Debian's /usr/bin/chromium (or CHROMIUM_PATH), falling back to
Playwright's own build where one is installed. Servers are real processes,
started here and stopped after.
"""
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The signing secret of every server these tests start (restarts and Redis nodes share it);
# group 72937's login-key API secret (the demo file names it with api_secret_env).
TEST_SECRET = secrets.token_urlsafe(32)
TEST_API_SECRET = secrets.token_urlsafe(32)
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
        self.env.setdefault("COBROWSE_SECRET", TEST_SECRET)
        self.env.setdefault("COBROWSE_TEST_API_SECRET", TEST_API_SECRET)
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
            text = f.read().replace(":8000", ":%d" % self.port).replace(
                '# api_secret_env = "COBROWSE_API_SECRET_72937"', 'api_secret_env = "COBROWSE_TEST_API_SECRET"')
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


SDK_TEXT_PREFIXES = ("GLANCE", "Traceback (most recent call last)")


def is_sdk_message(kind, text, url):
    """True for a console message the SDK wrote: its location is one of the
    bundles (under /dist/), or its text is the SDK's ("GLANCE...") or a Python
    traceback that Brython's runtime printed."""
    return "/dist/" in (url or "") or text.lstrip().startswith(SDK_TEXT_PREFIXES)


class Console:
    """Every console message and uncaught error of one page.

    `messages` holds (type, text), `entries` (type, text, location url) and
    `errors` the uncaught errors (pageerror). At the end of each test the
    autouse fixture `quiet_sdk` fails the test on any message from the SDK
    (is_sdk_message) and on any uncaught error, unless the test declared it
    with `expect(substring)` (it must then appear) or `allow(substring)`.
    """

    def __init__(self, page):
        self.messages = []
        self.entries = []
        self.errors = []
        self.expected = []
        self.allowed = []
        self.url = ""
        page.on("console", self._on_console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("framenavigated", self._on_navigated)
        self._page = page

    def _on_navigated(self, frame):
        if frame.parent_frame is None:
            self.url = frame.url

    def _on_console(self, m):
        try:
            url = (m.location or {}).get("url") or ""
        except Exception:
            url = ""
        self.messages.append((m.type, m.text))
        self.entries.append((m.type, m.text, url))

    def of(self, kind):
        return [t for k, t in self.messages if k == kind]

    def expect(self, substring):
        """Declare that a console message or uncaught error containing
        `substring` is expected in this test (and must appear)."""
        self.expected.append(substring)
        return self

    def allow(self, substring):
        """Declare that a message containing `substring` may appear (timing decides,
        e.g. a reconnect that fails once or not at all)."""
        self.allowed.append(substring)
        return self

    def sdk_messages(self):
        return [(k, t, u) for k, t, u in self.entries if is_sdk_message(k, t, u)]

    def problems(self):
        """What this page did wrong: SDK messages and uncaught errors not
        declared with expect(), and declared ones that never appeared."""
        out = []
        seen = [t for _, t, _ in self.entries] + self.errors
        for k, t, u in self.sdk_messages():
            if not any(s in t for s in self.expected + self.allowed):
                out.append("console.%s from the SDK: %r (at %s)" % (k, t[:500], u))
        for e in self.errors:
            if not any(s in e for s in self.expected + self.allowed):
                out.append("uncaught error: %r" % e[:500])
        for s in self.expected:
            if not any(s in t for t in seen):
                out.append("expected console message never appeared: %r" % s)
        return out


_WATCHED = []


def watch(page):
    """The Console of `page`, created the first time (every page of a test's
    contexts is watched this way, see quiet_sdk)."""
    c = getattr(page, "console", None)
    if not isinstance(c, Console):
        c = Console(page)
        page.console = c
        _WATCHED.append(c)
    return c


@pytest.fixture(autouse=True)
def quiet_sdk(request):
    """Watch the console of every page a test opens (through any context it
    creates) and fail at teardown on any message from the SDK or uncaught error
    the test did not declare with `page.console.expect(...)`."""
    if not {"browser", "context", "page", "playwright_instance"} & set(request.fixturenames):
        yield
        return
    from playwright.sync_api import Browser, BrowserContext
    new_context, new_page = Browser.new_context, BrowserContext.new_page
    browser_new_page = Browser.new_page

    def watched_context(self, *a, **kw):
        ctx = new_context(self, *a, **kw)
        ctx.on("page", watch)
        return ctx

    def watched_page(self, *a, **kw):
        p = new_page(self, *a, **kw)
        watch(p)
        return p

    def watched_browser_page(self, *a, **kw):
        p = browser_new_page(self, *a, **kw)
        watch(p)
        return p

    Browser.new_context, BrowserContext.new_page, Browser.new_page = \
        watched_context, watched_page, watched_browser_page
    del _WATCHED[:]
    try:
        yield
    finally:
        Browser.new_context, BrowserContext.new_page, Browser.new_page = new_context, new_page, browser_new_page
    problems = []
    for c in _WATCHED:
        problems += ["%s: %s" % (c.url or "page", p) for p in c.problems()]
    del _WATCHED[:]
    if problems:
        pytest.fail("the SDK was not silent:\n  " + "\n  ".join(problems[:30]), pytrace=False)


def poll(page, expression, arg=None, timeout=15.0, step=0.05):
    """Wait until `expression` (a function of `arg` when given) is truthy in the page, polling
    page.evaluate from here: a strict CSP (no 'unsafe-eval') blocks Playwright's wait_for_function."""
    end = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression, arg) if arg is not None else page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError("timed out after %.1f s waiting for %s" % (timeout, expression[:200]))
        time.sleep(step)


def poll_wait_for_function(page, step=0.05):
    """Make page.wait_for_function poll page.evaluate from here (poll()): the agent console's strict CSP
    blocks Playwright's in-page polling of a string. Same predicate, same timeout."""
    def wait_for_function(expression, arg=None, timeout=None, polling=None):
        return poll(page, expression, arg, (timeout if timeout is not None else 10000) / 1000.0, step)
    page.wait_for_function = wait_for_function
    return page


@pytest.fixture
def context(browser):
    ctx = browser.new_context()
    ctx.on("page", watch)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    p = context.new_page()
    watch(p)
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
