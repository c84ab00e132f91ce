"""The cobrowse view's per-node work, as a JS function body (pure module: a string constant).

Why JS: a snapshot visits every node of the page, and Brython-compiled Python
costs tens of times more per operation than JS, so a 20,000-element page would
take seconds. The rules stay in Python (capture_rules: what is masked, which
attributes are kept or cleared, chunk sizes, the byte budget, when to send);
capture.py builds this walker once with `window.Function.new(WALKER_JS)()`
and hands it `capture_rules.walker_config(...)`. The walker only applies that
configuration node by node. Formats: capture_rules' docstring.

makeRecorder(gidOf, onDirty) returns:
  configure(cfg)   masking selector, page masked, attribute lists, chunk size
  start()/stop()   MutationObserver + input/scroll/resize/pointer/focus listeners
  snapshot(meta)   {chunks: [[records], ...], bytes: [n, ...]}; resets change tracking
  take()           {batch, bytes} or null: the changes since the last take/snapshot
  dirty()          whether changes are waiting
onDirty() is called (once until the next take) when something changed.
"""

WALKER_JS = r"""
return function makeRecorder(gidOf, onDirty) {
  var cfg = null, SAFE = {}, URLA = {}, EMPTY = {}, maskSel = "", pageMasked = false, MC = "*";
  var ids = new WeakMap(), nextId = -1;
  var sent = new WeakSet(), maskedOf = new WeakMap(), wasPw = new WeakSet();
  var obs = null, listening = false, notified = false;
  var kids = new Set(), attrs = new Map(), texts = new Set(), vals = new Set(), scrolls = new Set();
  var mouse = null, vp = null, focus = null, snapId = 0, batchNo = 0;
  var NONSPACE = /\S/g, URLFN = /url\s*\([^)]*\)/gi, SVG = "http://www.w3.org/2000/svg";

  function list(a) { var o = {}; for (var i = 0; i < a.length; i++) o[a[i]] = 1; return o; }
  function maskText(s) { return s ? s.replace(NONSPACE, MC) : s; }
  function nid(n) {
    if (n.nodeType === 1) { var g = gidOf(n); if (g !== null && g !== undefined) return g; }
    var i = ids.get(n);
    if (i === undefined) { i = nextId--; ids.set(n, i); }
    return i;
  }
  function isMasked(el, pm) {
    if (pm || pageMasked) return true;
    if (el.localName === "input") {
      var t = el.getAttribute("type");
      if (t && t.toLowerCase() === "password") { wasPw.add(el); return true; }
      if (wasPw.has(el)) return true;
    }
    try { return el.matches(maskSel); } catch (e) { return true; }
  }
  function attrsOf(el, m) {
    var a = el.attributes, o = 0, hidden = el.localName === "input" && (el.getAttribute("type") || "").toLowerCase() === "hidden";
    for (var i = 0; i < a.length; i++) {
      var name = a[i].name, v = a[i].value;
      if (name === "data-gid" || (name.charCodeAt(0) === 111 && name.charCodeAt(1) === 110)) continue;  // on*
      if (URLA[name]) {
        if (m) v = ""; else if (/^\s*javascript:/i.test(v)) v = "";
      } else if (name === "value" && hidden) {
        v = "";
      } else if (m) {
        if (name === "style") v = v.replace(URLFN, "none");
        else if (!SAFE[name]) v = maskText(v);
      }
      if (o === 0) o = {};
      o[name] = v;
    }
    return o;
  }
  function propsOf(el, m) {
    var tag = el.localName, p = null;
    if (tag === "input") {
      var t = (el.type || "").toLowerCase();
      if (t === "checkbox" || t === "radio") { if (el.checked !== el.hasAttribute("checked")) p = {c: el.checked}; }
      else if (t !== "hidden" && t !== "file") {
        var v = el.value;
        if (v !== (el.getAttribute("value") || "")) p = {v: m ? maskText(v) : v};
      }
    } else if (tag === "textarea") {
      if (el.value !== el.defaultValue) p = {v: m ? maskText(el.value) : el.value};
    } else if (tag === "select") {
      if (!m) p = {x: el.selectedIndex};
    }
    return p;
  }
  // Serialize node n (and its subtree) into out; returns the approximate byte size, or -1 if skipped.
  function ser(n, pm, out) {
    var t = n.nodeType;
    if (t === 3) {
      var s = n.data;
      out.push([nid(n), pm ? maskText(s) : s]);
      sent.add(n);
      return s.length + 12;
    }
    if (t !== 1) return -1;
    var m = isMasked(n, pm), tag = n.localName;
    if (n.namespaceURI === SVG) tag = "svg:" + tag;
    maskedOf.set(n, m);
    sent.add(n);
    var at = attrsOf(n, m), rec = [nid(n), tag, at, 0], size = 16 + tag.length;
    if (at !== 0) for (var k in at) size += k.length + at[k].length + 6;
    var p = propsOf(n, m);
    if (p !== null) { rec.push(p); size += 20 + (p.v ? p.v.length : 0); }
    out.push(rec);
    if (EMPTY[n.localName]) return size;
    var cnt = 0;
    for (var c = n.firstChild; c !== null; c = c.nextSibling) {
      var cs = ser(c, m, out);
      if (cs >= 0) { cnt++; size += cs; }
    }
    rec[3] = cnt;
    return size;
  }
  function utf8Len(s) {
    try { return new TextEncoder().encode(s).length; } catch (e) { return s.length * 3; }
  }
  function parentMasked(n) {
    var p = n.parentNode;
    if (!p || p.nodeType !== 1) return pageMasked;
    var m = maskedOf.get(p);
    if (m === undefined) {
      try { m = p.closest(maskSel) !== null; } catch (e) { m = true; }
    }
    return m || pageMasked;
  }
  function poke() {
    if (!notified) {
      notified = true;
      try { onDirty(); } catch (e) { console.error("GLANCE: capture tick failed: " + e); }
    }
  }
  function records(rs) {
    for (var i = 0; i < rs.length; i++) {
      var r = rs[i], tg = r.target;
      if (r.type === "childList") {
        kids.add(tg);
        for (var j = 0; j < r.removedNodes.length; j++) sent.delete(r.removedNodes[j]);
      } else if (r.type === "attributes") {
        var name = r.attributeName;
        if (name === "data-gid") continue;
        if (name === "type" && r.oldValue && r.oldValue.toLowerCase() === "password") wasPw.add(tg);
        var s = attrs.get(tg);
        if (s === undefined) { s = new Set(); attrs.set(tg, s); }
        s.add(name);
      } else {
        texts.add(tg);
      }
    }
    if (rs.length) poke();
  }
  function onInput(ev) { var t = ev.target; if (t && t.nodeType === 1) { vals.add(t); poke(); } }
  function onScroll(ev) { scrolls.add(ev.target); poke(); }
  function onResize() { vp = [window.innerWidth, window.innerHeight]; poke(); }
  function onMove(ev) { mouse = [Math.round(ev.clientX), Math.round(ev.clientY)]; poke(); }
  function onFocus(ev) { var t = ev.target; if (t && t.nodeType === 1) { focus = t; poke(); } }
  var LISTEN = [[document, "input", onInput], [document, "change", onInput], [document, "scroll", onScroll],
                [window, "resize", onResize], [document, "mousemove", onMove], [document, "focusin", onFocus]];
  function clearChanges() {
    kids = new Set(); attrs = new Map(); texts = new Set(); vals = new Set(); scrolls = new Set();
    mouse = null; vp = null; focus = null; notified = false;
  }
  function valueOf(el) {
    var m = maskedOf.get(el), tag = el.localName;
    if (m === undefined) m = parentMasked(el) || isMasked(el, false);
    if (tag === "input") {
      var t = (el.type || "").toLowerCase();
      if (t === "hidden" || t === "file") return null;
      if (t === "password") { wasPw.add(el); m = true; }
      if (wasPw.has(el)) m = true;
      if (t === "checkbox" || t === "radio") return [nid(el), null, el.checked];
      return [nid(el), m ? maskText(el.value) : el.value, null];
    }
    if (tag === "textarea") return [nid(el), m ? maskText(el.value) : el.value, null];
    if (tag === "select") return m ? null : [nid(el), el.selectedIndex, null];
    return null;
  }

  return {
    configure: function (c) {
      cfg = c; SAFE = list(c.safeAttrs); URLA = list(c.urlAttrs); EMPTY = list(c.emptyTags);
      maskSel = c.maskSel; pageMasked = !!c.pageMasked; MC = c.maskChar || "*";
    },
    validSelector: function (sel) {
      try { document.createDocumentFragment().querySelector(sel); return true; } catch (e) { return false; }
    },
    start: function () {
      if (!obs) {
        obs = new MutationObserver(records);
        obs.observe(document, {childList: true, subtree: true, attributes: true, characterData: true,
                               attributeOldValue: true});
      }
      if (!listening) {
        listening = true;
        for (var i = 0; i < LISTEN.length; i++) LISTEN[i][0].addEventListener(LISTEN[i][1], LISTEN[i][2], {capture: true, passive: true});
      }
    },
    stop: function () {
      if (obs) { obs.disconnect(); obs = null; }
      if (listening) {
        listening = false;
        for (var i = 0; i < LISTEN.length; i++) LISTEN[i][0].removeEventListener(LISTEN[i][1], LISTEN[i][2], {capture: true});
      }
      clearChanges();
    },
    running: function () { return obs !== null; },
    dirty: function () {
      if (obs) { var rs = obs.takeRecords(); if (rs.length) records(rs); }
      return kids.size > 0 || attrs.size > 0 || texts.size > 0 || vals.size > 0 || scrolls.size > 0 ||
             mouse !== null || vp !== null || focus !== null;
    },
    rearm: function () { notified = false; },
    snapshot: function (meta) {
      if (obs) obs.takeRecords();
      clearChanges();
      sent = new WeakSet(); maskedOf = new WeakMap();
      snapId++; batchNo = 0;
      var out = [], root = document.documentElement, size = 0;
      if (root) size = ser(root, pageMasked, out);
      // Chunks: greedy by the estimated size, then checked in real UTF-8 bytes.
      var chunks = [], bytes = [], cur = [], est = 0, limit = cfg.chunkBytes;
      function close(list) {
        if (!list.length) return;
        var json = JSON.stringify(list), b = utf8Len(json);
        if (b > limit && list.length > 1) {
          var h = list.length >> 1;
          close(list.slice(0, h)); close(list.slice(h));
          return;
        }
        chunks.push(list); bytes.push(b);
      }
      for (var i = 0; i < out.length; i++) {
        var r = out[i], rs = r.length === 2 ? r[1].length + 12 : 40 + JSON.stringify(r[2]).length;
        if (est + rs > limit / 3 * 2 && cur.length) { close(cur); cur = []; est = 0; }
        cur.push(r); est += rs;
      }
      close(cur);
      if (!chunks.length) { chunks.push([]); bytes.push(2); }
      meta.vp = [window.innerWidth, window.innerHeight];
      meta.scroll = [Math.round(window.scrollX), Math.round(window.scrollY)];
      meta.doctype = document.doctype ? document.doctype.name : null;
      meta.masked = pageMasked;
      var frames = [];
      for (i = 0; i < chunks.length; i++) {
        var f = {s: snapId, i: i, n: chunks.length, nodes: chunks[i]};
        if (i === 0) f.meta = meta;
        frames.push(f);
      }
      return {frames: frames, bytes: bytes, nodes: out.length};
    },
    take: function () {
      if (obs) { var rs = obs.takeRecords(); if (rs.length) records(rs); }
      var b = {s: snapId, q: ++batchNo}, any = false;
      if (kids.size) {
        var c = [];
        kids.forEach(function (p) {
          if (!sent.has(p) || !p.isConnected) return;
          var pm = p.nodeType === 1 ? (maskedOf.get(p) || pageMasked) : pageMasked, refs = [];
          for (var k = p.firstChild; k !== null; k = k.nextSibling) {
            var kt = k.nodeType;
            if (kt !== 1 && kt !== 3) continue;
            if (sent.has(k)) refs.push(nid(k));
            else { var o = []; ser(k, pm, o); refs.push(o); }
          }
          c.push([p.nodeType === 9 ? 0 : nid(p), refs]);
        });
        if (c.length) { b.c = c; any = true; }
      }
      if (attrs.size) {
        var a = [];
        attrs.forEach(function (names, el) {
          if (!sent.has(el) || !el.isConnected || el.nodeType !== 1) return;
          var was = maskedOf.get(el), m = isMasked(el, parentMasked(el));
          if (was !== m) {
            // Masked <-> unmasked: the element is sent again as a whole, under the new rule.
            sent.delete(el);
            var p = el.parentNode, o = [];
            if (p && sent.has(p)) {
              var refs = [];
              for (var k = p.firstChild; k !== null; k = k.nextSibling) {
                var kt = k.nodeType;
                if (kt !== 1 && kt !== 3) continue;
                if (sent.has(k)) refs.push(nid(k)); else { o = []; ser(k, parentMasked(k), o); refs.push(o); }
              }
              (b.c || (b.c = [])).push([p.nodeType === 9 ? 0 : nid(p), refs]);
              any = true;
            }
            return;
          }
          var all = attrsOf(el, m), d = {};
          names.forEach(function (n) {
            if (n === "data-gid") return;
            d[n] = all !== 0 && Object.prototype.hasOwnProperty.call(all, n) ? all[n] : null;
          });
          a.push([nid(el), d]);
        });
        if (a.length) { b.a = a; any = true; }
      }
      if (texts.size) {
        var t = [];
        texts.forEach(function (n) {
          if (!sent.has(n) || !n.isConnected || n.nodeType !== 3) return;
          t.push([nid(n), parentMasked(n) ? maskText(n.data) : n.data]);
        });
        if (t.length) { b.t = t; any = true; }
      }
      if (vals.size) {
        var v = [];
        vals.forEach(function (el) { if (sent.has(el) && el.isConnected) { var x = valueOf(el); if (x) v.push(x); } });
        if (v.length) { b.v = v; any = true; }
      }
      if (scrolls.size) {
        var sc = [];
        scrolls.forEach(function (el) {
          if (el === document || el === document.documentElement || el === document.scrollingElement)
            sc.push([0, Math.round(window.scrollX), Math.round(window.scrollY)]);
          else if (el.nodeType === 1 && sent.has(el)) sc.push([nid(el), Math.round(el.scrollLeft), Math.round(el.scrollTop)]);
        });
        if (sc.length) { b.sc = sc; any = true; }
      }
      if (vp) { b.vp = vp; any = true; }
      if (mouse) { b.m = mouse; any = true; }
      if (focus && sent.has(focus)) { b.f = nid(focus); any = true; }
      clearChanges();
      if (!any) return null;
      return {batch: b, bytes: utf8Len(JSON.stringify(b))};
    }
  };
};
"""
