"""Fixtures for the cluster tests: a real redis-server (append-only file, fsync always), two real
nodes of the service, and real HAProxy from Debian running deploy/haproxy.cfg in front of them,
all on free loopback ports. Nodes and Redis can be killed (SIGKILL) and started again."""

import os
import shutil
import signal
import subprocess

import httpx
import pytest

from tests.conftest import _wait_port, free_port
from tests.server.conftest import GROUPS_TOML, Server

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _exe(name, package):
    exe = shutil.which(name) or ("/usr/sbin/" + name if os.path.exists("/usr/sbin/" + name) else None)
    if exe is None:
        message = "%s is not installed (apt-get install %s; scripts/setup.sh test does)" % (name, package)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return exe


class Redis:
    """redis-server whose every write is in its append-only file before it answers."""

    def __init__(self, directory):
        self.exe = _exe("redis-server", "redis-server")
        self.port = free_port()
        self.dir = directory
        self.url = "redis://127.0.0.1:%d/0" % self.port
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.dir)],
                                     stdout=subprocess.DEVNULL)
        _wait_port(self.port, self.proc)
        return self

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(5)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)


class Proxy:
    """haproxy -f deploy/haproxy.cfg with the nodes' loopback ports."""

    def __init__(self, nodes, port=None):
        self.exe = _exe("haproxy", "haproxy")
        self.port = port or free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.env = dict(os.environ, COBROWSE_PROXY_BIND="127.0.0.1:%d" % self.port,
                        COBROWSE_STATS_BIND="127.0.0.1:%d" % free_port(),
                        COBROWSE_NODE1="127.0.0.1:%d" % nodes[0].port, COBROWSE_NODE2="127.0.0.1:%d" % nodes[1].port)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([self.exe, "-db", "-f", os.path.join(ROOT, "deploy", "haproxy.cfg")],
                                     env=self.env, stdout=subprocess.DEVNULL)
        _wait_port(self.port, self.proc)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)


class Cluster:
    def __init__(self, redis, nodes, proxy):
        self.redis, self.nodes, self.proxy = redis, nodes, proxy
        self.base = proxy.base

    def holder(self):
        """The node that has a session in memory (call while one node alone serves it)."""
        held = [n for n in self.nodes if n.proc.poll() is None and httpx.get(n.base + "/api/stats").json()["sessions"]]
        assert len(held) == 1, "expected one node to hold the session, got %d" % len(held)
        return held[0]

    def other(self, node):
        return next(n for n in self.nodes if n is not node)


@pytest.fixture(scope="module")
def groups_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("cfg") / "groups.toml"
    p.write_text(GROUPS_TOML)
    return str(p)


@pytest.fixture
def cluster(groups_file, tmp_path):
    """Redis, two nodes (one worker each, reconnect window 30 s) and HAProxy in front; all stopped after."""
    redis = Redis(tmp_path).start()
    nodes = [Server(groups_file, redis_url=redis.url, args=["--workers", "1"]).start() for _ in range(2)]
    proxy = Proxy(nodes).start()
    yield Cluster(redis, nodes, proxy)
    proxy.stop()
    for n in nodes:
        n.stop()
    redis.stop()
