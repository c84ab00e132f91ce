"""Element ids: during a session every element of the page carries a unique integer `data-gid`.

Browser shell. One pass over the document when a session connection opens,
then a MutationObserver gives ids to elements added later. An element keeps
its id for its whole life (also when it is moved: ids live in a WeakMap), a
clone of an element gets its own id, and a page script that changes or
removes a `data-gid` gets it put back. Numbering starts at 1 on every page.
When the session ends the observer stops; the attributes stay.

Beyond the top document: elements inside same-origin iframes (also after a
frame reloads: its `load` gives the new document ids) and inside open shadow
roots get ids from the same counter, and those documents and roots are
observed like the top one. A shadow root attached to an element that is
already in the page makes no mutation record; its elements get ids when the
capture first meets them (`ensure`).

Agents name elements by the path '[data-gid="N"]' (rc_core.gid_path);
`find(gid)` returns the element or None, across the top document,
same-origin frames and open shadow roots.
"""

import javascript
from browser import window

from . import log
from .features import Feature
from .jsfiles import js

GID_ATTR = "data-gid"
_gids = js("gids")(GID_ATTR)  # visitor_sdk/js/gids.js


def start():
    """Give every element an id and watch for new ones (idempotent)."""
    _gids.start()


def stop():
    """Stop watching (ids already given stay on the elements)."""
    _gids.stop()


def running():
    return bool(_gids.running())


def find(gid):
    """The element with id `gid` (int), or None."""
    el = _gids.find(int(gid))
    return None if el is javascript.NULL or el is javascript.UNDEFINED else el


def ensure(el):
    """The id of element `el`, given now if it has none yet (None when not running)."""
    g = _gids.ensure(el)
    return None if g is javascript.NULL or g is javascript.UNDEFINED else int(g)


def listen(event_type, handler):
    """A capture-phase listener on the top document and every same-origin frame document (now and later)."""
    _gids.listen(event_type, handler)


def gid_of(el):
    """The id of element `el`, or None when it has none."""
    g = _gids.gidOf(el)
    return None if g is javascript.NULL or g is javascript.UNDEFINED else int(g)


class ElementIds(Feature):
    """Starts the ids when a session connection opens on this page, stops them when the session ends."""

    def session_opened(self, resumed):
        try:
            start()
        except Exception as exc:
            log.failed("element ids start", exc)

    def session_ended(self, reason):
        try:
            stop()
        except Exception as exc:
            log.failed("element ids stop", exc)
