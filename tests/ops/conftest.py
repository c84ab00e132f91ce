"""The product as a user installs it: a wheel built from this checkout, installed into a fresh
virtualenv in a temporary folder, and its `cobrowse-server --demo` started from outside the
checkout on a free port (never 8000), with json logs.

The wheel is built by pip from the checkout (setup.py copies build/dist/ and demo_site/ in; the
bundles must have been built: scripts/setup.sh does it). Its dependencies come from the package
index pip is configured with, as for a user's `pip install`.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request
import zipfile

import pytest

from tests.conftest import free_port, wait_http

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIST = os.path.join(ROOT, "build", "dist")
# What the installed server must not see: the checkout, this test run's own settings
DROP_ENV = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "COBROWSE_SECRET", "COBROWSE_SECRET_FILE", "COBROWSE_GROUPS",
            "REDIS_URL", "PORT", "COBROWSE_NODE_ID")


def run(cmd, timeout=180, **kw):
    """Run a command; fail the test with its output when it fails."""
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if p.returncode != 0:
        pytest.fail("%s exited with %d:\n%s\n%s" % (" ".join(cmd), p.returncode, p.stdout[-3000:], p.stderr[-3000:]),
                    pytrace=False)
    return p


def user_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in DROP_ENV}
    env.update(extra)
    return env


class Installed:
    """The wheel file and the fresh virtualenv it was installed into."""

    def __init__(self, wheel, venv):
        self.wheel, self.venv = wheel, venv
        self.bin = os.path.join(venv, "bin")
        self.python = os.path.join(self.bin, "python")
        self.server = os.path.join(self.bin, "cobrowse-server")

    def names(self):
        with zipfile.ZipFile(self.wheel) as z:
            return set(z.namelist())


@pytest.fixture(scope="session")
def installed(tmp_path_factory):
    if not os.path.isfile(os.path.join(DIST, "manifest.json")):
        pytest.fail("build/dist/manifest.json is missing: build the bundles first (make build)", pytrace=False)
    tmp = tmp_path_factory.mktemp("wheel")
    wheels, venv = str(tmp / "wheels"), str(tmp / "venv")
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, ROOT], cwd=str(tmp))
    (wheel,) = [os.path.join(wheels, n) for n in os.listdir(wheels) if n.endswith(".whl")]
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    # the environment's own pip installs into the new virtualenv (--python): the wheel and its dependencies
    run([sys.executable, "-m", "pip", "--python", os.path.join(venv, "bin", "python"), "install", "-q", wheel],
        cwd=str(tmp))
    return Installed(wheel, venv)


class DemoServer:
    """`cobrowse-server --demo` of the installed wheel, started in an empty folder."""

    def __init__(self, inst, folder, args=()):
        self.port = free_port()
        while self.port == 8000:
            self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.alt_url = "http://localhost:%d" % self.port
        self.log_path = os.path.join(folder, "server.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([inst.server, "--demo", "--host", "127.0.0.1", "--port", str(self.port)]
                                     + list(args), cwd=folder, env=user_env(), stdout=self.log,
                                     stderr=subprocess.STDOUT)
        wait_http(self.url + "/healthz", proc=self.proc)

    def get(self, path, headers=None):
        """(status, headers, body bytes) of a GET."""
        req = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def log_lines(self):
        self.log.flush()
        with open(self.log_path, encoding="utf-8") as f:
            return [line for line in f.read().splitlines() if line.strip()]

    def wait_log(self, predicate, timeout=5.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            lines = [json.loads(line) for line in self.log_lines()]
            if any(predicate(e) for e in lines):
                return lines
            time.sleep(0.05)
        raise AssertionError("no such log line in:\n" + "\n".join(self.log_lines()[-20:]))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture(scope="session")
def demo(installed, tmp_path_factory):
    s = DemoServer(installed, str(tmp_path_factory.mktemp("outside")),
                   ["--log-format", "json", "--log-level", "info", "--node-id", "demo-node-1"])
    yield s
    s.stop()
