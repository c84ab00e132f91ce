"""Delivery as a site sees it: compressed hashed bundles, a loader pinned with integrity=, a copy on another server."""
import os
import shutil
import subprocess
import sys
from urllib.parse import quote

import pytest

from session_server.dist_files import DIST, dist_name, manifest
from tests.browser.test_session_lifecycle import wait_event
from tests.conftest import free_port, wait_http


def dist_responses(page):
    """{file name: (status, headers)} of every response for a file of build/dist/."""
    seen = {}

    def on_response(r):
        name = r.url.split("?")[0].rsplit("/", 1)[-1]
        if name in manifest()["files"].values():
            seen[name] = (r.status, r.all_headers())
    page.on("response", on_response)
    return seen


def start_and_wait_for_features(page, key):
    page.wait_for_function("window.demoAttached === true")
    page.evaluate("(k) => GLANCE.Cobrowse.Visitor.startSession(k)", key)
    wait_event(page, "sessionstart")
    page.wait_for_function("GLANCE.Cobrowse._loader.featuresAt !== null")


def test_a_session_loads_hashed_brotli_bundles(page, server):
    seen = dist_responses(page)
    page.goto(server.url + "/")
    start_and_wait_for_features(page, "wire-1")
    runtime, features = dist_name("glance-cobrowse-runtime.js"), dist_name("glance-cobrowse-features.js")
    for name in ("glance-cobrowse.js", runtime, features):
        status, headers = seen[name]
        assert status == 200 and headers["content-encoding"] == "br", (name, headers)
    assert seen[runtime][1]["cache-control"] == "public, max-age=31536000, immutable"
    assert seen["glance-cobrowse.js"][1]["cache-control"].startswith("public, max-age=")
    assert page.console.errors == []


def test_the_loader_pinned_with_integrity_from_another_origin(page, server):
    """The README's tag: integrity= and crossorigin="anonymous", the SDK on another origin (CORS)."""
    sri = manifest()["integrity"]["glance-cobrowse.js"]
    src = server.url + "/dist/glance-cobrowse.js"
    seen = dist_responses(page)
    page.goto(server.alt_url + "/?src=" + quote(src, safe="") + "&integrity=" + quote(sri, safe=""))
    assert page.evaluate("document.getElementById('glance-cobrowse').integrity") == sri
    start_and_wait_for_features(page, "sri-1")
    assert seen["glance-cobrowse.js"][1]["access-control-allow-origin"] == "*"
    assert page.console.errors == []


def test_a_loader_that_does_not_match_its_integrity_never_runs(page, server):
    wrong = "sha384-" + "A" * 64
    src = server.url + "/dist/glance-cobrowse.js"
    page.goto(server.alt_url + "/?src=" + quote(src, safe="") + "&integrity=" + quote(wrong, safe=""))
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.GLANCE") == "undefined"
    assert any("integrity" in t for _, t in page.console.messages), page.console.messages


@pytest.fixture
def plain_cdn(tmp_path):
    """A plain copy of build/dist/ served by `python -m http.server` (no content negotiation)."""
    root = tmp_path / "cdn"
    shutil.copytree(DIST, root)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http("http://127.0.0.1:%d/glance-cobrowse.js" % port, proc=proc)
        yield "http://127.0.0.1:%d" % port
    finally:
        proc.terminate()
        proc.wait(5)


def test_a_plain_copy_of_build_dist_on_another_server_works(page, server, plain_cdn):
    seen = dist_responses(page)
    urls = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(server.url + "/?src=" + quote(plain_cdn + "/glance-cobrowse.js", safe=""))
    start_and_wait_for_features(page, "cdn-1")
    for logical in ("glance-cobrowse.js", "glance-cobrowse-runtime.js", "glance-cobrowse-features.js"):
        assert plain_cdn + "/" + dist_name(logical) in urls, urls
        status, headers = seen[dist_name(logical)]
        assert status == 200 and "content-encoding" not in headers
    assert not [u for u in urls if "/dist/" in u], urls
    assert page.console.errors == []
    assert os.path.exists(os.path.join(DIST, dist_name("glance-cobrowse-runtime.js")))
