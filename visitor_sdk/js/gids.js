// Element ids (visitor_sdk/element_ids.py): every element of the page gets a unique integer
// attribute `attr` (data-gid), kept for the element's whole life (ids live in a WeakMap) and put back
// when a page script changes or removes it. A MutationObserver gives ids to elements added later;
// same-origin frame documents and open shadow roots share the counter and are observed too.
// makeGids(attr) returns {start, stop, flush, running, find, gidOf, ensure, listen}.
(function makeGids(attr) {
  "use strict";
  var next = 1, ids = new WeakMap(), obs = null;
  var OPTS = {childList: true, subtree: true, attributes: true, attributeFilter: [attr]};
  var roots = new Set(), listeners = [];   // frame documents and open shadow roots beyond the top document
  function tag(el) {
    var g = ids.get(el);
    if (g === undefined) { g = next++; ids.set(el, g); }
    var s = String(g);
    if (el.getAttribute(attr) !== s) el.setAttribute(attr, s);
  }
  function frameDoc(f) {
    try { var d = f.contentDocument; return d && d.documentElement ? d : null; } catch (e) { return null; }
  }
  // A root is live while its document is shown: a reloaded frame's old document has no window any more.
  function live(r) {
    if (r.nodeType === 9) {
      var w = r.defaultView, f = null;
      try { f = w ? w.frameElement : null; } catch (e) { f = null; }
      return !!(f && f.isConnected && f.contentDocument === r);
    }
    var h = r.host;
    return !!(h && h.isConnected && h.ownerDocument.defaultView);
  }
  function onLoad(ev) {
    var t = ev.composedPath ? ev.composedPath()[0] : ev.target;
    if (obs && t && t.nodeType === 1 && t.localName === "iframe") frame(t);
  }
  function addRoot(r) {
    if (r === document || roots.has(r)) return false;
    roots.add(r);
    if (obs) obs.observe(r, OPTS);
    r.addEventListener("load", onLoad, true);
    if (r.nodeType === 9) for (var i = 0; i < listeners.length; i++) r.addEventListener(listeners[i][0], listeners[i][1], true);
    return true;
  }
  function frame(f) {
    var d = frameDoc(f);
    if (!d) return;
    addRoot(d);
    walk(d.documentElement);
  }
  function inner(el) {
    var sr = el.shadowRoot;
    if (sr) { addRoot(sr); walkKids(sr); }
    if (el.localName === "iframe") frame(el);
  }
  function walkKids(root) {
    var all = root.querySelectorAll("*"), n = all.length, list = [];
    for (var i = 0; i < n; i++) list.push(all[i]);
    for (i = 0; i < n; i++) { tag(list[i]); if (list[i].shadowRoot || list[i].localName === "iframe") inner(list[i]); }
  }
  function walk(root) {
    if (!root || root.nodeType !== 1) return;
    tag(root);
    inner(root);
    walkKids(root);
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
  function prune() {
    roots.forEach(function (r) { if (!live(r)) roots.delete(r); });
  }
  function flush() { if (obs) changed(obs.takeRecords()); }
  return {
    start: function () {
      if (obs) return;
      obs = new MutationObserver(changed);
      obs.observe(document.documentElement, OPTS);
      document.addEventListener("load", onLoad, true);
      roots.forEach(function (r) { obs.observe(r, OPTS); });
      walk(document.documentElement);
    },
    stop: function () {
      if (!obs) return;
      changed(obs.takeRecords());
      obs.disconnect();
      obs = null;
      document.removeEventListener("load", onLoad, true);
      roots.forEach(function (r) { try { r.removeEventListener("load", onLoad, true); } catch (e) { /* gone */ } });
      roots = new Set();
    },
    flush: flush,
    running: function () { return obs !== null; },
    find: function (gid) {
      flush();
      var sel = "[" + attr + "=\"" + gid + "\"]", el = document.querySelector(sel);
      if (el) return el;
      prune();
      var found = null;
      roots.forEach(function (r) {
        if (found) return;
        var e = r.querySelector(sel);
        if (e && ids.get(e) === gid) found = e;
      });
      return found;
    },
    gidOf: function (el) {
      if (!el || el.nodeType !== 1) return null;
      var g = ids.get(el);
      return g === undefined ? null : g;
    },
    // The id of `el`, given now if it has none yet (an element the observer has not reached:
    // e.g. inside a shadow root attached after the host was added); null when not running.
    ensure: function (el) {
      if (!el || el.nodeType !== 1) return null;
      var g = ids.get(el);
      if (g !== undefined) return g;
      if (!obs || !el.isConnected) return null;
      var r = el.getRootNode();
      if (r !== document && (r.nodeType === 11 || r.nodeType === 9) && addRoot(r)) {
        if (r.nodeType === 11) walkKids(r); else walk(r.documentElement);
      }
      if (ids.get(el) === undefined) tag(el);
      return ids.get(el);
    },
    // A capture-phase listener on the top document and on every same-origin frame document, now and later.
    listen: function (type, fn) {
      listeners.push([type, fn]);
      document.addEventListener(type, fn, true);
      roots.forEach(function (r) { if (r.nodeType === 9) r.addEventListener(type, fn, true); });
    }
  };
});
