"""/dist is served as a CDN would: compressed by Accept-Encoding, hashed names immutable, the loader short-lived."""
import brotli
import gzip
import hashlib
import os

import httpx

from session_server.dist_files import DIST, STABLE_MAX_AGE, accepted, dist_name


def raw(name):
    with open(os.path.join(DIST, name), "rb") as f:
        return f.read()


def get(server, name, encoding, **headers):
    # httpx would decode the body itself; read the bytes as they came over the wire.
    with httpx.stream("GET", server.base + "/dist/" + name, headers=dict({"Accept-Encoding": encoding}, **headers),
                      timeout=10) as r:
        return r, b"".join(r.iter_raw())


def test_each_bundle_comes_as_brotli_gzip_or_identity_as_asked(server):
    for logical in ("glance-cobrowse-runtime.js", "glance-cobrowse-features.js", "glance-cobrowse.js",
                    "GlanceCobrowseInvokeVisitor.js"):
        name = dist_name(logical)
        plain = raw(name)
        r, body = get(server, name, "gzip, deflate, br, zstd")
        assert r.status_code == 200 and r.headers["content-encoding"] == "br"
        assert brotli.decompress(body) == plain and len(body) < len(plain) / 2.5
        assert int(r.headers["content-length"]) == len(body)
        assert r.headers["vary"] == "Accept-Encoding"
        assert r.headers["content-type"] == "text/javascript; charset=utf-8"
        assert r.headers["access-control-allow-origin"] == "*"
        r, body = get(server, name, "gzip")
        assert r.headers["content-encoding"] == "gzip" and gzip.decompress(body) == plain
        r, body = get(server, name, "identity")
        assert "content-encoding" not in r.headers and body == plain
        assert int(r.headers["content-length"]) == len(plain)
        r, body = get(server, name, "br;q=0, gzip;q=0.5")
        assert r.headers["content-encoding"] == "gzip"


def test_hashed_names_are_immutable_and_the_loader_is_not(server):
    runtime = dist_name("glance-cobrowse-runtime.js")
    assert runtime != "glance-cobrowse-runtime.js"
    assert runtime.split(".")[1] == hashlib.sha256(raw(runtime)).hexdigest()[:8]
    r, _ = get(server, runtime, "br")
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    r, _ = get(server, "glance-cobrowse.js", "br")
    assert r.headers["cache-control"] == "public, max-age=%d" % STABLE_MAX_AGE
    # The loader names this build's hashed files.
    loader = raw("glance-cobrowse.js").decode()
    assert runtime in loader and dist_name("glance-cobrowse-features.js") in loader
    assert "glance-cobrowse-runtime.js" not in loader


def test_etags_differ_per_encoding_and_answer_304(server):
    name = dist_name("glance-cobrowse-features.js")
    r_br, _ = get(server, name, "br")
    r_gz, _ = get(server, name, "gzip")
    assert r_br.headers["etag"] != r_gz.headers["etag"]
    r, body = get(server, name, "br", **{"If-None-Match": r_br.headers["etag"]})
    assert r.status_code == 304 and body == b""
    r, body = get(server, name, "gzip", **{"If-None-Match": r_br.headers["etag"]})
    assert r.status_code == 200 and gzip.decompress(body) == raw(name)


def test_only_flat_names_of_build_dist_are_served(server):
    for path in ("/dist/glance-cobrowse.js.br", "/dist/../pyproject.toml", "/dist/%2e%2e/pyproject.toml",
                 "/dist/.hidden", "/dist/nope.js", "/dist/sub/glance-cobrowse.js"):
        assert server.get(path).status_code == 404, path
    r = httpx.post(server.base + "/dist/glance-cobrowse.js")
    assert r.status_code == 405


def test_accept_encoding_parsing():
    assert accepted("gzip, deflate, br") == {"gzip", "deflate", "br"}
    assert accepted("br;q=0, GZIP;q=0.8") == {"gzip"}
    assert accepted("*") >= {"br", "gzip"} and accepted("*, br;q=0") == {"*", "gzip"}
    assert accepted("") == set() and accepted("gzip;q=nonsense") == set()
