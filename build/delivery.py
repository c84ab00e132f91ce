"""How build/dist/ is delivered: content-hashed names, brotli and gzip copies, SRI.

Called by build/build.py once the bundles' text is known, in two steps:

1. `publish(dist, {logical name: text})` for every file a browser may cache
   for a year (the runtime, the features, ...): each is written as
   `stem.<hash>.ext` (the first HASH_LEN hex digits of its sha256), with a
   `.br` (brotli, quality 11) and a `.gz` (gzip level 9, mtime 0) copy beside
   it; older hashed copies of the same logical names are removed. Returns
   {logical name: hashed name}.
2. `fill(text, placeholders, names)` puts those hashed names into the files
   that keep a stable name (the loader, the chat window's script: a page's
   tag names them), then `publish_stable(dist, {name: text})` writes them with
   their compressed copies.

`integrity(data)` is the Subresource Integrity value ("sha384-...") of a file
a site pins with `<script integrity=...>`. `HASHED` tells a hashed name from a
stable one (session_server/dist_files.py serves the first as immutable).

Every output depends only on the input bytes: the same sources give the same
build/dist/, byte for byte.
"""

import base64
import gzip
import hashlib
import json
import os
import re

import brotli

HASH_LEN = 8
ENCODINGS = ((".br", "br"), (".gz", "gzip"))
HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{%d})(?P<ext>\.[A-Za-z0-9]+)$" % HASH_LEN)


def compressed(data):
    """{suffix: bytes} of `data`: ".br" (brotli, max quality) and ".gz" (gzip 9, no timestamp)."""
    return {".br": brotli.compress(data, quality=11),
            ".gz": gzip.compress(data, compresslevel=9, mtime=0)}


def hashed_name(logical, data):
    """`glance-cobrowse-runtime.js` -> `glance-cobrowse-runtime.<hash>.js` for these bytes."""
    stem, ext = os.path.splitext(logical)
    return stem + "." + hashlib.sha256(data).hexdigest()[:HASH_LEN] + ext


def integrity(data):
    """The Subresource Integrity value of `data`: "sha384-<base64>"."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def _write_with_copies(dist, name, data):
    _write(os.path.join(dist, name), data)
    sizes = {"identity": len(data)}
    for suffix, data_c in compressed(data).items():
        _write(os.path.join(dist, name + suffix), data_c)
        sizes[dict(ENCODINGS)[suffix]] = len(data_c)
    return sizes


def _remove_old(dist, logical, keep):
    """Delete hashed copies of `logical` (and their .br/.gz) other than `keep`."""
    stem, ext = os.path.splitext(logical)
    for fn in os.listdir(dist):
        base = fn
        for suffix, _ in ENCODINGS:
            if base.endswith(suffix):
                base = base[:-len(suffix)]
        m = HASHED.match(base)
        if m and m.group("stem") == stem and m.group("ext") == ext and base != keep:
            os.remove(os.path.join(dist, fn))


def publish(dist, files):
    """Write each {logical name: text} under its hashed name with .br and .gz copies.

    Returns ({logical: hashed name}, {logical: {"identity"|"br"|"gzip": bytes}}).
    Hashed copies left by earlier builds are removed.
    """
    names, sizes = {}, {}
    for logical, text in files.items():
        data = text.encode("utf-8") if isinstance(text, str) else text
        name = hashed_name(logical, data)
        sizes[logical] = _write_with_copies(dist, name, data)
        names[logical] = name
        _remove_old(dist, logical, name)
        # An unhashed copy from a build before hashed names would be served stale.
        for stale in (logical, logical + ".br", logical + ".gz"):
            if os.path.exists(os.path.join(dist, stale)):
                os.remove(os.path.join(dist, stale))
    return names, sizes


def publish_stable(dist, files):
    """Write each {name: text} under its own (stable) name with .br and .gz copies.

    Returns ({name: name}, {name: sizes}, {name: SRI value}).
    """
    names, sizes, sri = {}, {}, {}
    for name, text in files.items():
        data = text.encode("utf-8") if isinstance(text, str) else text
        sizes[name] = _write_with_copies(dist, name, data)
        names[name] = name
        sri[name] = integrity(data)
    return names, sizes, sri


def fill(text, placeholders, names):
    """`text` with each placeholder ("@RUNTIME@") replaced by the JSON string of
    the hashed name of its logical file: `placeholders` is {"@RUNTIME@": logical}."""
    for token, logical in placeholders.items():
        text = text.replace(token, json.dumps(names[logical]))
    return text
