"""Element ids: during a session every element of the page carries a unique integer `data-gid`.

Browser shell. One pass over the document when a session connection opens,
then a MutationObserver gives ids to elements added later. An element keeps
its id for its whole life (also when it is moved: ids live in a WeakMap), a
clone of an element gets its own id, and a page script that changes or
removes a `data-gid` gets it put back. Numbering starts at 1 on every page.
When the session ends the observer stops; the attributes stay.

Agents name elements by the path '[data-gid="N"]' (rc_core.gid_path);
`find(gid)` returns the element or None.
"""

import javascript
from browser import window

from .features import Feature

_GIDS_JS = """
return function makeGids(attr) {
  var next = 1, ids = new WeakMap(), obs = null;
  function tag(el) {
    var g = ids.get(el);
    if (g === undefined) { g = next++; ids.set(el, g); }
    var s = String(g);
    if (el.getAttribute(attr) !== s) el.setAttribute(attr, s);
  }
  function walk(root) {
    if (!root || root.nodeType !== 1) return;
    tag(root);
    var all = root.getElementsByTagName("*"), n = all.length, list = [];
    for (var i = 0; i < n; i++) list.push(all[i]);
    for (i = 0; i < n; i++) tag(list[i]);
  }
  function changed(records) {
    for (var i = 0; i < records.length; i++) {
      var r = records[i];
      if (r.type === "childList") {
        for (var j = 0; j < r.addedNodes.length; j++) walk(r.addedNodes[j]);
      } else if (r.type === "attributes" && r.target.nodeType === 1 && r.target.isConnected) {
        tag(r.target);
      }
    }
  }
  return {
    start: function () {
      if (obs) return;
      walk(document.documentElement);
      obs = new MutationObserver(changed);
      obs.observe(document.documentElement, {childList: true, subtree: true, attributes: true, attributeFilter: [attr]});
    },
    stop: function () {
      if (!obs) return;
      changed(obs.takeRecords());
      obs.disconnect();
      obs = null;
    },
    flush: function () { if (obs) changed(obs.takeRecords()); },
    running: function () { return obs !== null; },
    find: function (gid) {
      if (obs) changed(obs.takeRecords());
      return document.querySelector("[" + attr + "=\\"" + gid + "\\"]");
    },
    gidOf: function (el) {
      if (!el || el.nodeType !== 1) return null;
      var g = ids.get(el);
      return g === undefined ? null : g;
    }
  };
};
"""

GID_ATTR = "data-gid"
_gids = window.Function.new(_GIDS_JS)()(GID_ATTR)


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
            window.console.error("GLANCE: element ids could not start: " + str(exc))

    def session_ended(self, reason):
        try:
            stop()
        except Exception as exc:
            window.console.error("GLANCE: element ids could not stop: " + str(exc))
