// The cobrowse view's per-node work (visitor_sdk/capture.py makes one recorder per page).
//
// Why JS: a snapshot visits every node of the page, and Brython-compiled Python costs tens of times
// more per operation than JS, so a 20,000-element page would take seconds. The rules stay in Python
// (visitor_sdk/capture_rules.py: what is masked, which attributes are kept or cleared, chunk sizes, the
// byte budget, when to send); capture.py hands the recorder `capture_rules.walker_config(...)` and the
// walker only applies that configuration node by node. Formats: capture_rules' docstring.
//
// makeRecorder(gidOf, onDirty, makeStyles, makeHooks) (the last two: walker_styles.js and
// walker_hooks.js) returns:
//   configure(cfg)   masking selector, page masked, attribute lists, chunk size
//   start()/stop()   MutationObserver + input/scroll/resize/pointer/focus listeners
//   snapshot(meta)   {frames: [...], bytes: [n, ...], nodes}; resets change tracking
//   take()           {batch, bytes} or null: the changes since the last take/snapshot
//   dirty()          whether changes are waiting
// onDirty() is called (once until the next take) when something changed.
//
// Beyond the top document the walker follows same-origin iframes (the frame's document is the iframe
// record's one child; its document is observed and listened to like the top one) and shadow roots (a
// "#shadow" record as the host's first child). Element.prototype.attachShadow is hooked when the walker
// is made (as rrweb does): a root attached to an element already sent goes out at once as an `sh`
// change and is observed from then on, and a closed root is kept (privately, by host) so it is captured
// like an open one (closed roots attached before the SDK loaded cannot be reached). Canvases are sent as
// images (data URLs) at most once per `canvasMs` each, scaled to `canvasPx`, never above `canvasBytes`,
// never when masked; they are read inside an animation frame, and WebGL contexts created after the SDK
// loaded keep their drawing buffer (getContext is hooked to default preserveDrawingBuffer to true), so
// WebGL canvases are not captured blank. Element scroll offsets go into the snapshot, style rules added
// with insertRule/deleteRule (CSSOM) are sent as the style's text, adopted stylesheets and URLs are
// handled by walker_styles.js and the hooks on the page's prototypes live in walker_hooks.js, and values
// set from script (the value/checked/selectedIndex setters, hooked on the prototypes while recording)
// are sent like typed ones: masked fields only as asterisks.
(function makeRecorder(gidOf, onDirty, makeStyles, makeHooks) {
  "use strict";
  var cfg = null, SAFE = {}, URLA = {}, EMPTY = {}, maskSel = "", pageMasked = false, MC = "*";
  var ids = new WeakMap(), nextId = -1;
  var sent = new WeakSet(), maskedOf = new WeakMap(), wasPw = new WeakSet();
  var obs = null, listening = false, notified = false;
  var kids = new Set(), attrs = new Map(), texts = new Set(), vals = new Set(), scrolls = new Set();
  var mouse = null, vp = null, focus = null, snapId = 0, batchNo = 0;
  var docs = new Set(), active = false;
  var canv = new Set(), canvLast = new WeakMap(), canvSent = new WeakMap(), cvs = new Set(), timer = null;
  var cssCh = new Set();  // <style>/<link> elements whose rules a script changed
  // Closed shadow roots by host, kept at attach time: the loader's map (it hooks attachShadow
  // on every page, before the capture loads) or our own.
  var G = window.GLANCE, early = G && G.Cobrowse && G.Cobrowse._loader && G.Cobrowse._loader.closedRoots;
  var closedRoots = early instanceof WeakMap ? early : new WeakMap(), shadows = new Set();
  // Layout-free snapshots: scroll offsets and the viewport are read in full only by the first snapshot after
  // start(); later ones use what scroll/resize events said since (a read forces a layout of a changing page).
  var fullRead = true, scrollPos = new WeakMap(), scrollDirty = new Set(), vpNow = null, suspended = false;
  // While suspended (discard()) only `type` changes are observed: an input that was a password stays masked.
  var pwObs = null, PW_OBS = {attributes: true, attributeFilter: ["type"], attributeOldValue: true, subtree: true};
  var OBS = {childList: true, subtree: true, attributes: true, characterData: true, attributeOldValue: true};
  var NONSPACE = /\S/g, URLFN = /url\s*\([^)]*\)/gi, SVG = "http://www.w3.org/2000/svg";
  // The stylesheet and URL part (walker_styles.js) and the prototype hooks (walker_hooks.js).
  var sheets = makeStyles({
    active: function () { return active; },
    pageMasked: function () { return pageMasked; },
    sent: function (n) { return sent.has(n); },
    docs: function () { return docs; },
    nid: nid, frameOf: frameOf, maskText: maskText, poke: poke,
    styleChanged: function (el) { cssCh.add(el); poke(); }
  });
  var absAttr = sheets.absAttr, absCss = sheets.absCss, baseOf = sheets.baseOf, rulesText = sheets.rulesText;
  var styleCss = sheets.styleCss, adoptedOf = sheets.adoptedOf;
  var hookWin = makeHooks({
    valueSet: function (el) {
      if (active && sent.has(el)) { vals.add(el); poke(); }
    },
    shadowAttached: function (host, sr) {
      if (sr && sr.mode === "closed") closedRoots.set(host, sr);
      if (active && sent.has(host)) { shadows.add(host); poke(); }
    },
    window: sheets.hookSheets
  });

  function list(a) { var o = {}; for (var i = 0; i < a.length; i++) o[a[i]] = 1; return o; }
  function maskText(s) { return s ? s.replace(NONSPACE, MC) : s; }
  function nid(n) {
    if (n.nodeType === 1) { var g = gidOf(n); if (g !== null && g !== undefined) return g; }
    var i = ids.get(n);
    if (i === undefined) { i = nextId--; ids.set(n, i); }
    return i;
  }
  function frameDoc(f) {
    try { var d = f.contentDocument; return d && d.documentElement ? d : null; } catch (e) { return null; }
  }
  // An element's shadow root: open, or closed and attached while this recorder's hook was in place.
  function rootOf(el) { return el.shadowRoot || closedRoots.get(el) || null; }
  function frameOf(d) {
    try { var w = d.defaultView; return w ? w.frameElement : null; } catch (e) { return null; }
  }
  function evTarget(ev) {
    var p = ev.composedPath ? ev.composedPath() : null;
    return p && p.length ? p[0] : ev.target;
  }
  // Is node p (an element, shadow root or document) inside a masked element, across shadow and frame borders?
  function upMasked(p) {
    for (var d = 0; p && d < 64; d++) {
      var m = maskedOf.get(p);
      if (m !== undefined) return m || pageMasked;
      if (p.nodeType === 1) {
        try { if (p.closest(maskSel) !== null) return true; } catch (e) { return true; }
        var r = p.getRootNode();
        p = r.nodeType === 11 ? r.host : r;
      } else if (p.nodeType === 11) {
        p = p.host;
      } else if (p.nodeType === 9) {
        if (p === document) return pageMasked;
        p = frameOf(p);
        if (!p) return true;
      } else return pageMasked;
    }
    return true;
  }
  // A canvas as a data URL (scaled, size-capped), at most once per canvasMs; null if it cannot be read.
  function grab(el) {
    var now = performance.now(), last = canvLast.get(el);
    if (last && now - last.t < cfg.canvasMs) return last.u;
    var u = null;
    try {
      var w = el.width, h = el.height;
      if (w > 0 && h > 0) {
        var src = el, k = Math.min(1, cfg.canvasPx / Math.max(w, h));
        if (k < 1) {
          src = el.ownerDocument.createElement("canvas");
          src.width = Math.max(1, Math.round(w * k)); src.height = Math.max(1, Math.round(h * k));
          src.getContext("2d").drawImage(el, 0, 0, src.width, src.height);
        }
        u = src.toDataURL("image/png");
        if (u.length > cfg.canvasBytes) u = src.toDataURL("image/jpeg", 0.6);
        if (u.length > cfg.canvasBytes) u = null;
      }
    } catch (e) { u = null; }  // a tainted canvas, a lost context
    canvLast.set(el, {t: now, u: u});
    return u;
  }
  // Every canvasMs: adopted sheets changed in place, and canvases read inside an animation frame (right
  // after the page's own frame callbacks drew: a WebGL canvas without preserveDrawingBuffer is blank later).
  function poll() {
    try { sheets.pollAdopted(); } catch (e) { /* never break the page */ }
    if (!active || pageMasked || !canv.size) return;
    requestAnimationFrame(function () { try { pollCanvases(); } catch (e) { /* a canvas gone odd */ } });
  }
  function pollCanvases() {
    if (!active || pageMasked) return;
    canv.forEach(function (el) {
      if (!el.isConnected || !sent.has(el)) { canv.delete(el); return; }
      if (maskedOf.get(el) !== false || upMasked(el.parentNode)) { canv.delete(el); return; }
      var u = grab(el);
      if (u !== canvSent.get(el)) { cvs.add(el); poke(); }
    });
  }
  function listenOn(root, on) {
    var evs = root.nodeType === 9 ? DOC_EVENTS : root.mode === "closed" ? CLOSED_EVENTS : ROOT_EVENTS;
    for (var i = 0; i < evs.length; i++) {
      if (on) root.addEventListener(evs[i][0], evs[i][1], {capture: true, passive: true});
      else root.removeEventListener(evs[i][0], evs[i][1], {capture: true});
    }
  }
  // Observe and listen to a frame's document or a shadow root (the top document is watched by start()).
  function watch(root) {
    if (root === document || docs.has(root)) return;
    docs.add(root);
    if (obs) obs.observe(root, OBS);
    if (listening) listenOn(root, true);
    if (root.nodeType === 9) { try { hookWin(root.defaultView); } catch (e) { /* not ours to hook */ } }
  }
  function pwRecords(rs) {
    for (var i = 0; i < rs.length; i++) {
      var r = rs[i];
      if (r.type === "attributes" && r.attributeName === "type" && r.oldValue && r.oldValue.toLowerCase() === "password")
        wasPw.add(r.target);
    }
  }
  function suspend() {
    pwRecords(obs.takeRecords());
    obs.disconnect(); obs = null;
    if (!active) return;
    suspended = true;
    pwObs = new MutationObserver(pwRecords);
    pwObs.observe(document, PW_OBS);
    docs.forEach(function (r) { try { pwObs.observe(r, PW_OBS); } catch (e) { /* gone */ } });
  }
  function unsuspend() {
    if (pwObs) { pwRecords(pwObs.takeRecords()); pwObs.disconnect(); pwObs = null; }
    suspended = false;
  }
  function unwatchAll() {
    docs.forEach(function (r) { if (listening) try { listenOn(r, false); } catch (e) { /* gone */ } });
    docs = new Set();
    if (obs) { obs.disconnect(); obs.observe(document, OBS); }
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
    var a = el.attributes, o = 0, base = null, hidden = el.localName === "input" && (el.getAttribute("type") || "").toLowerCase() === "hidden";
    for (var i = 0; i < a.length; i++) {
      var name = a[i].name, v = a[i].value;
      if (name === "data-gid" || (name.charCodeAt(0) === 111 && name.charCodeAt(1) === 110)) continue;  // on*
      if (name === "srcdoc") continue;  // a frame's document is captured (masked) as the frame's child instead
      if (URLA[name]) {
        if (m || /^\s*javascript:/i.test(v)) v = ""; else v = absAttr(name, v, base || (base = baseOf(el)));
      } else if (name === "value" && hidden) {
        v = "";
      } else if (m) {
        if (name === "style") v = v.replace(URLFN, "none");
        else if (!SAFE[name]) v = maskText(v);
      } else if (name === "style") v = absCss(v, base || (base = baseOf(el)));
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
    } else if (tag === "canvas") {
      if (!m) { canv.add(el); var u = grab(el); canvSent.set(el, u); if (u) p = {img: u}; }
    } else if (tag === "style" || tag === "link") {
      var css = styleCss(el);
      if (css !== null) p = {css: m ? maskText(css) : css};
    }
    var sl = 0, st = 0;
    if (fullRead) {
      sl = el.scrollLeft; st = el.scrollTop;
      if (sl || st) scrollPos.set(el, [sl, st]); else scrollPos.delete(el);
    } else {
      var known = scrollPos.get(el);
      if (known) { sl = known[0]; st = known[1]; }
    }
    if ((sl || st) && el !== el.ownerDocument.documentElement && el !== el.ownerDocument.body) {
      (p || (p = {})).sc = [Math.round(sl), Math.round(st)];
    }
    return p;
  }
  // Serialize node n (and its subtree) into out; returns the approximate byte size, or -1 if skipped.
  function ser(n, pm, out) {
    var t = n.nodeType;
    if (t === 3) {
      var s = n.data;
      out.push([nid(n), pm ? maskText(s) : styleText(n, s)]);
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
    if (tag === "iframe") {
      var fd = frameDoc(n);
      if (fd) {
        var fsc = docScroll(fd);
        (p || (p = {})).fd = [fd.doctype ? fd.doctype.name : null, fsc[0], fsc[1]];
        var fas = adoptedOf(fd, false);
        if (fas) p.as = fas;
        rec.push(p); size += 40;
        out.push(rec);
        watch(fd);
        var fs = ser(fd.documentElement, m, out);
        if (fs >= 0) { rec[3] = 1; size += fs; }
        return size;
      }
    }
    if (p !== null) { rec.push(p); size += 20 + (p.v ? p.v.length : 0) + (p.img ? p.img.length : 0) + (p.css ? p.css.length : 0); }
    out.push(rec);
    if (EMPTY[n.localName]) return size;
    var cnt = 0, sr = rootOf(n);
    if (sr) { size += serShadow(sr, m, out); cnt++; }
    for (var c = n.firstChild; c !== null; c = c.nextSibling) {
      var cs = ser(c, m, out);
      if (cs >= 0) { cnt++; size += cs; }
    }
    rec[3] = cnt;
    return size;
  }
  // A document's scroll offsets (cached: see fullRead).
  function docScroll(d) {
    var k = scrollPos.get(d);
    if (fullRead || !k) {
      var w = d.defaultView;
      k = w ? [Math.round(w.scrollX), Math.round(w.scrollY)] : [0, 0];
      scrollPos.set(d, k);
    }
    return k;
  }
  // Bring the scroll cache up to date for what scrolled since (reads only those: one layout at most).
  function readScrolled() {
    scrollDirty.forEach(function (el) {
      if (el.nodeType === 9) { var w = el.defaultView; if (w) scrollPos.set(el, [Math.round(w.scrollX), Math.round(w.scrollY)]); }
      else if (el.nodeType === 1) {
        if (el === el.ownerDocument.documentElement || el === el.ownerDocument.scrollingElement) {
          var dw = el.ownerDocument.defaultView;
          if (dw) scrollPos.set(el.ownerDocument, [Math.round(dw.scrollX), Math.round(dw.scrollY)]);
        } else scrollPos.set(el, [el.scrollLeft, el.scrollTop]);
      }
    });
    scrollDirty = new Set();
  }
  // The text of a <style>: its URLs made absolute.
  function styleText(n, s) {
    var p = n.parentNode;
    return p && p.localName === "style" ? absCss(s, baseOf(n)) : s;
  }
  // A shadow root (open or closed): a "#shadow" record first, then its children.
  function serShadow(sr, m, out) {
    var srec = [nid(sr), "#shadow", 0, 0], sc = 0, size = 20, as = adoptedOf(sr, false);
    if (as) srec.push({as: as});
    out.push(srec); sent.add(sr); maskedOf.set(sr, m); watch(sr);
    for (var d = sr.firstChild; d !== null; d = d.nextSibling) {
      var ds = ser(d, m, out);
      if (ds >= 0) { sc++; size += ds; }
    }
    srec[3] = sc;
    return size;
  }
  function utf8Len(s) {
    try { return new TextEncoder().encode(s).length; } catch (e) { return s.length * 3; }
  }
  function parentMasked(n) {
    var p = n.parentNode;
    return p ? upMasked(p) : pageMasked;
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
        if (tg.nodeType === 9 && tg !== document) { var fe = frameOf(tg); if (fe) tg = fe; }
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
  function onInput(ev) { var t = evTarget(ev); if (t && t.nodeType === 1) { vals.add(t); poke(); } }
  function onScroll(ev) { var t = evTarget(ev); scrolls.add(t); scrollDirty.add(t); poke(); }
  function onResize() { vp = vpNow = [window.innerWidth, window.innerHeight]; poke(); }
  function onMove(ev) {
    var x = ev.clientX, y = ev.clientY, w = ev.view;
    try {  // a pointer in a frame: in the top viewport's coordinates
      for (var d = 0; w && w !== window && d < 10; d++) {
        var f = w.frameElement;
        if (!f) break;
        var r = f.getBoundingClientRect();
        x += r.left + f.clientLeft; y += r.top + f.clientTop; w = w.parent;
      }
    } catch (e) { /* keep what we have */ }
    mouse = [Math.round(x), Math.round(y)]; poke();
  }
  function onFocus(ev) { var t = evTarget(ev); if (t && t.nodeType === 1) { focus = t; poke(); } }
  function onLoad(ev) { var t = evTarget(ev); if (t && t.localName === "iframe" && sent.has(t)) { kids.add(t); poke(); } }
  var LISTEN = [[document, "input", onInput], [document, "change", onInput], [document, "scroll", onScroll],
                [window, "resize", onResize], [document, "mousemove", onMove], [document, "focusin", onFocus],
                [document, "load", onLoad]];
  var DOC_EVENTS = [["input", onInput], ["change", onInput], ["scroll", onScroll], ["mousemove", onMove],
                    ["focusin", onFocus], ["load", onLoad]];
  var ROOT_EVENTS = [["scroll", onScroll], ["load", onLoad]];  // shadow roots: input, focus, pointer are composed
  // ...but a listener outside a closed root sees only its host as the target.
  var CLOSED_EVENTS = ROOT_EVENTS.concat([["input", onInput], ["change", onInput], ["focusin", onFocus]]);
  function clearChanges() {
    kids = new Set(); attrs = new Map(); texts = new Set(); vals = new Set(); scrolls = new Set();
    cvs = new Set(); cssCh = new Set(); shadows = new Set(); sheets.clearChanges();
    mouse = null; vp = null; focus = null; notified = false;
  }
  // The child references of a parent for a `c` change: an iframe's are its document's root.
  function childRefs(p, pm) {
    var refs = [];
    if (p.nodeType === 1 && p.localName === "iframe") {
      var fd = frameDoc(p);
      if (fd) {
        watch(fd);
        var root = fd.documentElement;
        if (sent.has(root)) refs.push(nid(root)); else { var o = []; ser(root, pm, o); refs.push(o); }
      }
      return refs;
    }
    for (var k = p.firstChild; k !== null; k = k.nextSibling) {
      var kt = k.nodeType;
      if (kt !== 1 && kt !== 3) continue;
      if (sent.has(k)) refs.push(nid(k));
      else { var o2 = []; ser(k, pm, o2); refs.push(o2); }
    }
    return refs;
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

  hookWin(window);  // now, so closed shadow roots attached from here on are known
  return {
    configure: function (c) {
      cfg = c; SAFE = list(c.safeAttrs); URLA = list(c.urlAttrs); EMPTY = list(c.emptyTags);
      maskSel = c.maskSel; pageMasked = !!c.pageMasked; MC = c.maskChar || "*";
      if (timer !== null) { clearInterval(timer); timer = setInterval(poll, cfg.canvasMs); }
    },
    validSelector: function (sel) {
      try { document.createDocumentFragment().querySelector(sel); return true; } catch (e) { return false; }
    },
    start: function () {
      hookWin(window);
      if (!active) { fullRead = true; scrollDirty = new Set(); }
      active = true;
      if (!obs && !suspended) {
        obs = new MutationObserver(records);
        obs.observe(document, OBS);
        docs.forEach(function (r) { obs.observe(r, OBS); });
      }
      if (!listening) {
        listening = true;
        for (var i = 0; i < LISTEN.length; i++) LISTEN[i][0].addEventListener(LISTEN[i][1], LISTEN[i][2], {capture: true, passive: true});
        docs.forEach(function (r) { listenOn(r, true); });
      }
      if (timer === null && cfg) timer = setInterval(poll, cfg.canvasMs);
    },
    stop: function () {
      active = false; unsuspend();
      if (timer !== null) { clearInterval(timer); timer = null; }
      unwatchAll();
      if (obs) { obs.disconnect(); obs = null; }
      if (listening) {
        listening = false;
        for (var i = 0; i < LISTEN.length; i++) LISTEN[i][0].removeEventListener(LISTEN[i][1], LISTEN[i][2], {capture: true});
      }
      clearChanges();
    },
    running: function () { return obs !== null || suspended; },
    dirty: function () {
      if (obs) { var rs = obs.takeRecords(); if (rs.length) records(rs); }
      return kids.size > 0 || attrs.size > 0 || texts.size > 0 || vals.size > 0 || scrolls.size > 0 ||
             cvs.size > 0 || cssCh.size > 0 || shadows.size > 0 || sheets.changed() || mouse !== null || vp !== null || focus !== null;
    },
    rearm: function () { notified = false; },
    // How many nodes have changes waiting (a cheap size estimate of the next batch).
    pending: function () {
      if (obs) { var rs = obs.takeRecords(); if (rs.length) records(rs); }
      return kids.size + attrs.size + texts.size + vals.size + cvs.size + cssCh.size;
    },
    // Drop the waiting changes (a snapshot will replace them) and stop observing mutations until that
    // snapshot: a page that changes constantly then costs nothing while the capture waits.
    discard: function () {
      if (obs) suspend();
      clearChanges();
    },
    snapshot: function (meta) {
      if (obs) obs.takeRecords();
      else if (active) obs = new MutationObserver(records);  // suspended by discard(): observe again
      unsuspend();
      clearChanges();
      unwatchAll();
      if (!fullRead) readScrolled();
      sent = new WeakSet(); maskedOf = new WeakMap(); canv = new Set(); sheets.newSnapshot();
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
      if (fullRead || !vpNow) vpNow = [window.innerWidth, window.innerHeight];
      meta.vp = vpNow;
      meta.scroll = docScroll(document);
      fullRead = false; scrollDirty = new Set();
      meta.doctype = document.doctype ? document.doctype.name : null;
      meta.masked = pageMasked;
      meta.base = document.baseURI;
      var das = adoptedOf(document, false);
      if (das) meta.as = das;
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
      var b = {s: snapId, q: batchNo + 1}, any = false;  // q counts the batches sent (no gaps)
      if (shadows.size) {
        var sh = [];
        shadows.forEach(function (h) {
          var sr = rootOf(h);
          if (!sr || sent.has(sr) || !sent.has(h) || !h.isConnected) return;
          var o = [];
          serShadow(sr, maskedOf.get(h) || pageMasked, o);
          sh.push([nid(h), o]);
        });
        if (sh.length) { b.sh = sh; any = true; }
      }
      if (kids.size) {
        var c = [];
        kids.forEach(function (p) {
          if (!sent.has(p) || !p.isConnected) return;
          var pm = p.nodeType === 1 || p.nodeType === 11 ? (maskedOf.get(p) || pageMasked) : pageMasked;
          c.push([p.nodeType === 9 ? 0 : nid(p), childRefs(p, pm)]);
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
            if (p && p.nodeType === 9 && p !== document) p = frameOf(p);
            if (p && sent.has(p)) {
              (b.c || (b.c = [])).push([p.nodeType === 9 ? 0 : nid(p), childRefs(p, upMasked(p))]);
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
          t.push([nid(n), parentMasked(n) ? maskText(n.data) : styleText(n, n.data)]);
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
          if (el === document || el === document.documentElement || el === document.scrollingElement) {
            var top = [Math.round(window.scrollX), Math.round(window.scrollY)];
            scrollPos.set(document, top);
            sc.push([0, top[0], top[1]]);
          } else if (el.nodeType === 9) {
            var f = frameOf(el), w = el.defaultView;  // a frame's own scroll: [frame id, x, y, 1]
            if (f && w && sent.has(f)) {
              var fs = [Math.round(w.scrollX), Math.round(w.scrollY)];
              scrollPos.set(el, fs);
              sc.push([nid(f), fs[0], fs[1], 1]);
            }
          } else if (el.nodeType === 1 && sent.has(el)) {
            var es = [el.scrollLeft, el.scrollTop];
            scrollPos.set(el, es);
            sc.push([nid(el), Math.round(es[0]), Math.round(es[1])]);
          }
          scrollDirty.delete(el);
        });
        if (sc.length) { b.sc = sc; any = true; }
      }
      var keep = null;
      if (cvs.size) {
        var cv = [], room = cfg.canvasBytes;
        cvs.forEach(function (el) {
          if (!sent.has(el) || !el.isConnected || maskedOf.get(el) !== false || pageMasked || upMasked(el.parentNode)) return;
          var u = grab(el);
          if (u === canvSent.get(el)) return;
          if (u && u.length > room && cv.length) { (keep || (keep = [])).push(el); return; }  // next batch
          room -= u ? u.length : 0;
          canvSent.set(el, u);
          cv.push([nid(el), u]);
        });
        if (cv.length) { b.cv = cv; any = true; }
      }
      if (cssCh.size) {
        var cs = [];
        cssCh.forEach(function (el) {
          if (!sent.has(el) || !el.isConnected) return;
          var t = rulesText(el.sheet || {});
          if (t !== null) cs.push([nid(el), upMasked(el) ? maskText(t) : t]);
        });
        if (cs.length) { b.css = cs; any = true; }
      }
      if (sheets.takeSheets(b)) any = true;
      if (vp) { b.vp = vp; any = true; }
      if (mouse) { b.m = mouse; any = true; }
      if (focus && sent.has(focus)) { b.f = nid(focus); any = true; }
      clearChanges();
      if (keep) { for (var ki = 0; ki < keep.length; ki++) cvs.add(keep[ki]); }
      if (!any) return null;
      batchNo++;
      return {batch: b, bytes: utf8Len(JSON.stringify(b))};
    }
  };
});
