"""The agent console's security headers, and the empty document its copy of the visitor's page starts as.

Pure Python (no Starlette), tested on CPython; web.py serves what it returns.
See docs/agent-console-security.md.

- `console_csp(ws_origin)`: the Content-Security-Policy of the /agent page: its
  own scripts and styles only (no inline script or style, no eval), WebSocket
  and fetch to the service only, frames from the service only.
- `copy_csp(asset_origins)`: the policy of /agent/copy, the empty document the
  console fills with its copy of the visitor's page (a sandboxed frame without
  allow-scripts). No script at all; images, fonts, stylesheets and media only
  from the service itself, inlined data: images and fonts, and the group's
  `agent_asset_origins` (empty by default: the visitor's own URLs are blocked,
  so a visitor never learns the agent's address or when they are watching).
  Frames inside the copy are about:blank documents the console fills; they
  inherit this policy.
- `copy_document(doctype)`: the HTML of that empty document, its doctype
  rebuilt from a checked name (never the text a visitor sent).
"""

import re

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}\Z")
# Origins a group may let the copy load from directly: http(s), a host (or *.domain), an optional port.
_ORIGIN = re.compile(r"https?://(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?\Z")

COPY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                "X-DNS-Prefetch-Control": "off", "Cache-Control": "no-store"}


def origin_problem(origin):
    """None when `origin` may be listed in agent_asset_origins, else why not."""
    if not isinstance(origin, str) or not _ORIGIN.match(origin):
        return "%r is not an http(s) origin such as https://cdn.example.com or https://*.example.com" % (origin,)
    return None


def doctype_name(value):
    """The doctype name to rebuild, or None (no doctype: the copy renders in quirks mode, like the page)."""
    if isinstance(value, str) and _NAME.match(value):
        return value
    return None


def copy_document(doctype):
    """The empty copy document for a visitor page whose doctype name is `doctype`."""
    name = doctype_name(doctype)
    return ("<!DOCTYPE %s>" % name if name else "") + "<html><head></head><body></body></html>"


def console_csp(ws_origin=None):
    """The /agent page's policy; `ws_origin`: the service's ws(s)://host (for browsers where 'self'
    does not cover WebSockets)."""
    connect = "'self'" + (" " + ws_origin if ws_origin else "")
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            "font-src 'self'; media-src 'self' blob: mediastream:; connect-src " + connect + "; "
            "frame-src 'self'; child-src 'self'; worker-src 'none'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'self'")


def copy_csp(asset_origins=()):
    """The copy document's policy: `asset_origins` (checked with origin_problem) may be loaded directly."""
    extra = "".join(" " + o for o in asset_origins if origin_problem(o) is None)
    return ("default-src 'none'; script-src 'none'; object-src 'none'; connect-src 'none'; worker-src 'none'; "
            "img-src 'self' data:" + extra + "; style-src 'self' 'unsafe-inline'" + extra + "; "
            "font-src 'self' data:" + extra + "; media-src 'self'" + extra + "; "
            "frame-src 'self'; form-action 'none'")
