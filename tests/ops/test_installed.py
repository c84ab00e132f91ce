"""`pip install .` gives the whole product: `cobrowse-server --demo` serves the demo from the installed
wheel alone, with the service's own health, readiness and metrics endpoints and json logs."""

import json
import os
import re
import subprocess

from tests.ops.conftest import DIST, ROOT, run, user_env


def manifest():
    with open(os.path.join(DIST, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def test_the_wheel_carries_the_bundles_the_demo_site_and_the_sample_groups_file(installed):
    names = installed.names()
    built = set(manifest()["files"].values())
    assert built and {"session_server/dist/" + n for n in built} <= names
    assert "session_server/dist/manifest.json" in names
    for template in os.listdir(os.path.join(ROOT, "demo_site", "templates")):
        assert "session_server/demo_site/templates/" + template in names
    assert "session_server/demo_site/static/chat.js" in names and "session_server/demo_site/static/agent.js" in names
    assert "session_server/groups.toml" in names
    entry_points = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    with __import__("zipfile").ZipFile(installed.wheel) as z:
        assert "cobrowse-server = session_server.__main__:main" in z.read(entry_points[0]).decode()
    assert not [n for n in names if n.startswith(("tests/", "build/", "bench/")) or "__pycache__" in n]


def test_the_installed_package_is_the_one_that_runs(installed, tmp_path):
    out = run([installed.python, "-c", "import session_server.resources as r, session_server.config as c; "
               "print(r.DIST); print(r.SITE); print(c.DEFAULT_GROUPS)"], cwd=str(tmp_path), env=user_env()).stdout
    venv = os.path.realpath(installed.venv)
    for line in out.split():
        assert os.path.realpath(line).startswith(venv + os.sep), out


def test_cobrowse_server_demo_serves_the_shop_the_bundles_and_the_service_endpoints(demo):
    status, headers, body = demo.get("/")
    assert status == 200 and b'id="glance-cobrowse"' in body and b'data-groupid="72937"' in body
    runtime = manifest()["files"]["glance-cobrowse-runtime.js"]
    status, headers, body = demo.get("/dist/" + runtime)
    with open(os.path.join(DIST, runtime), "rb") as f:
        assert status == 200 and body == f.read()
    assert headers["Cache-Control"].endswith("immutable")
    status, _, body = demo.get("/dist/glance-cobrowse.js", {"Accept-Encoding": "br"})
    assert status == 200 and body
    assert demo.get("/static/chat.js")[0] == 200 and demo.get("/chat")[0] == 200 and demo.get("/agent")[0] == 200
    assert demo.get("/healthz")[:3:2] == (200, b"ok")
    assert demo.get("/readyz")[:3:2] == (200, b"ready")   # no Redis: one node, always ready
    status, headers, body = demo.get("/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    text = body.decode()
    for family in ("cobrowse_sessions", "cobrowse_sockets", "cobrowse_frames_relayed_total",
                   "cobrowse_frames_dropped_by_budget", "cobrowse_resumes", "cobrowse_redis_errors_total"):
        assert "# TYPE " + family.replace("_total", "") in text, family
    assert 'cobrowse_sessions{node="demo-node-1"} 0.0' in text
    # the demo group's origins follow the port (the shipped file says ${PORT})
    public = json.loads(demo.get("/api/groups/72937/public")[2])
    assert public["trusted_origins"] == [demo.alt_url, demo.url]


def test_json_logs_one_object_a_line(demo):
    demo.get("/healthz?from=log-test")
    lines = demo.wait_log(lambda e: e.get("path") == "/healthz?from=log-test")
    assert lines and all(set(e) >= {"ts", "level", "logger", "msg", "node"} for e in lines)
    access = [e for e in lines if e.get("path") == "/healthz?from=log-test"][0]
    assert access["status"] == 200 and access["method"] == "GET" and access["node"] == "demo-node-1"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", access["ts"])


def test_the_readme_shows_the_help_of_cobrowse_server(installed, tmp_path):
    text = run([installed.server, "--help"], cwd=str(tmp_path), env=user_env(COLUMNS="100")).stdout
    assert text.startswith("usage: cobrowse-server ")
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    assert text.strip() in readme, "README.md must show `cobrowse-server --help` (COLUMNS=100):\n" + text


def test_without_a_secret_and_without_demo_it_refuses_to_start(installed, tmp_path):
    p = subprocess.run([installed.server, "--port", "1"], cwd=str(tmp_path), env=user_env(), capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 2 and "COBROWSE_SECRET" in p.stderr and "--demo" in p.stderr
