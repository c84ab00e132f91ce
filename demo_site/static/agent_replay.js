/*
 * Agent console: the cobrowse view. Rebuilds the visitor's page from the
 * visitor's dom_snapshot frames in a sandboxed iframe and keeps it in step
 * with dom_changes (formats: visitor_sdk/capture_rules.py).
 *
 * - The copy lives in <iframe sandbox="allow-same-origin"> (no allow-scripts:
 *   nothing of the visitor's page ever runs here), a document the service
 *   serves at /agent/copy under its own CSP (no script; images, fonts and
 *   styles only from the service, data: and the group's agent_asset_origins);
 *   every click and form submit in it is cancelled, so links never navigate
 *   the agent. Frames that arrive while it loads wait (in order) for it.
 * - A visitor is anonymous: every element and attribute goes through the
 *   allow-list of replay_rules.js (case-insensitive; no handlers, srcdoc,
 *   refresh, script/object/embed/base, active URL schemes); doctypes are
 *   rebuilt from their checked name; canvases are painted only from data:
 *   images, decoded in the copy's own document.
 * - The visitor's pointer (a dot, inside the copy), scroll positions and
 *   viewport size are shown. The copy is fitted to the stage (#stage) at the
 *   visitor's aspect and centred, or zoomed (setZoom("fit" | scale | "in" | "out")).
 * - What the agent's mouse and keys do on the copy (gestures, remote control)
 *   is agent_control.js's; this file keeps, for each copied field, the value
 *   the visitor's page last reported (revert(el) puts it back: a refused edit
 *   never leaves text in the copy that the visitor does not have). In the
 *   field the agent types in, the page's echoes of the agent's own values are
 *   not written back; the page's own values (a field its script cleared) are.
 * - A change that cannot be applied (an unknown id) or a missed batch asks the
 *   visitor for a new snapshot (agent action resync), at most once a second.
 * - Same-origin iframes of the visitor's page are rebuilt inside the copy's
 *   iframes (about:blank, sandboxed like the copy); open shadow roots are
 *   attached in the copy (attachShadow from this page's script: the copy's
 *   document is same-origin and scripts never run in it); where the copy
 *   cannot attach one, the shadow content is flattened into a
 *   display:contents element; a shadow root attached later arrives as an `sh`
 *   change. Canvases are painted from their images, element scroll offsets
 *   applied, style rules added by script kept (a <link> whose rules changed
 *   becomes a <style> with them), adopted stylesheets rebuilt as constructed
 *   sheets of the copy's documents. URLs arrive absolute.
 *
 * window.agentReplay: doc() (the copy's document), snapshots, batches,
 * lastSnapshot, rcEnabled, scale, zoom, size, pointer, resync(), frame(f),
 * setZoom(z), byGid(n), revert(el), typed(el, value), untyped(el).
 */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var rules = window.agentReplayRules;
  var MAX_BACKLOG = 5000;   // frames kept while the copy's document loads (then a resync)
  var api = {snapshots: 0, batches: 0, lastSnapshot: null, rcEnabled: false, errors: []};
  var parts = {}, current = null, map = new Map(), iframe = null, frameBox = null, pointer = null, status = null;
  var lastResync = 0, base = null, ids = new WeakMap(), lastQ = 0;
  var frames = new WeakMap(), extras = new WeakSet(), pendingFrames = [], pendingScroll = [];
  var blocked = new WeakSet(), loading = false, backlog = [];
  // Values the agent typed into each copied field (the visitor's page echoes them back, perhaps late): while
  // the agent types, an echo is not written over newer keystrokes; any other value (the page's own) is.
  var typed = new WeakMap(), TYPED_MAX = 64;

  function $(id) { return document.getElementById(id); }

  function ui() {
    if (frameBox) return;
    var stage = $("stage"), panel = $("session-panel") || document.body;
    var sec = document.createElement("section");
    sec.id = "replay-panel";
    sec.className = "replay-panel";
    sec.setAttribute("aria-label", "Visitor\u2019s page");
    sec.innerHTML = '<p class="replay-head"><span id="replay-status" class="muted">waiting for the page\u2026</span> ' +
      '<span id="replay-size" class="muted"></span> ' +
      '<button type="button" id="replay-resync" class="quiet">Refresh view</button></p>' +
      '<div id="replay-viewport" class="replay-viewport"><div id="replay-sizer" class="replay-sizer">' +
      '<div id="replay-box" class="replay-box"></div></div></div>';
    if (stage) stage.appendChild(sec);
    else panel.insertBefore(sec, panel.querySelector(".columns") || null);
    frameBox = $("replay-box");
    status = $("replay-status");
    $("replay-resync").addEventListener("click", function () { api.resync(true); });
    window.addEventListener("resize", function () { layout(); });
    if (window.agentControl) window.agentControl.attach(frameBox);
  }

  function say(text) { if (status) status.textContent = text; }

  function action(name, payload) {
    try { window.agentConsole.action(name, payload); } catch (e) { api.errors.push(String(e && e.msg || e)); }
  }

  api.resync = function (force) {
    var now = Date.now();
    if (!force && now - lastResync < 1000) return;
    lastResync = now;
    action("resync", {});
  };

  // ------------------------------------------------------------ building
  function build(doc, recs, st) {
    var r = recs[st.i++];
    if (r.length === 2) {
      var t = doc.createTextNode(r[1]);
      map.set(r[0], t);
      ids.set(t, r[0]);
      return t;
    }
    var tag = String(r[1]), el, p = r.length > 4 && r[4] && typeof r[4] === "object" ? r[4] : null;
    if (tag.toLowerCase() === "link" && p && typeof p.css === "string") tag = "style";  // a <link> whose rules were changed
    var want = rules.element(tag);
    try {
      el = want.svg ? doc.createElementNS(SVG, want.name) : doc.createElement(want.name);
    } catch (e) {
      el = doc.createElement("span");
    }
    if (want.blocked) { blocked.add(el); el.hidden = true; p = null; }  // an inert, empty placeholder
    else setAttrs(el, r[2]);
    if (typeof r[0] === "number" && r[0] > 0) el.setAttribute("data-gid", String(r[0]));
    if (el.localName === "iframe") el.setAttribute("src", "about:blank");
    map.set(r[0], el);
    ids.set(el, r[0]);
    if (p && p.fd) {
      // A same-origin frame: its one child is its document's root, put in place once the frame is connected.
      pendingFrames.push(el);
      var info = {root: null, dt: p.fd[0], sc: [p.fd[1], p.fd[2]], as: p.as || null};
      frames.set(el, info);
      if (r[3] > 0) info.root = build(doc, recs, st);
    } else {
      for (var c = 0; c < r[3]; c++) {
        var cr = recs[st.i];
        if (cr.length > 2 && cr[1] === "#shadow") {
          st.i++;
          var sr = shadowOf(el, cr[0], doc);
          for (var k = 0; k < cr[3]; k++) sr.appendChild(build(doc, recs, st));
          if (cr[4] && cr[4].as) adopt(sr, cr[4].as);
        } else el.appendChild(build(doc, recs, st));
      }
    }
    if (p) props(el, p);
    return el;
  }

  // The copy of an open shadow root: attached to the host, or a display:contents stand-in where that is refused.
  function shadowOf(host, id, doc) {
    var sr = null;
    try { sr = host.shadowRoot || host.attachShadow({mode: "open"}); } catch (e) { sr = null; }
    if (!sr) {
      sr = doc.createElement("glance-shadow");
      sr.style.display = "contents";
      extras.add(sr);
      host.insertBefore(sr, host.firstChild);
    } else {
      while (sr.firstChild) sr.removeChild(sr.firstChild);
    }
    map.set(id, sr);
    ids.set(sr, id);
    return sr;
  }

  function fillFrame(f) {
    var info = frames.get(f), d;
    if (!info || !f.isConnected) return;
    try { d = f.contentDocument; } catch (e) { d = null; }
    if (!d) return;
    if (!f.__glanceHooked) {
      f.__glanceHooked = true;
      f.addEventListener("load", function () { fillFrame(f); });  // a moved frame reloads: fill it again
    }
    if (!info.root) { if (d.documentElement) d.removeChild(d.documentElement); return; }
    if (d.documentElement === info.root) return;
    var dt = rules.doctype(info.dt);
    d.open();
    d.write(dt ? dt.text : "");   // rebuilt from its checked name, never the text the visitor sent
    d.close();
    var root = d.adoptNode(info.root);
    if (d.documentElement) d.replaceChild(root, d.documentElement); else d.appendChild(root);
    hook(d);
    if (info.as) adopt(d, info.as);
    try { d.defaultView.scrollTo(info.sc[0], info.sc[1]); } catch (e) { /* no scroll */ }
  }

  // After a build is in the document: fill the frames, then apply scroll offsets (they need layout).
  function settle() {
    var fs = pendingFrames, ss = pendingScroll;
    pendingFrames = []; pendingScroll = [];
    for (var i = 0; i < fs.length; i++) fillFrame(fs[i]);
    for (i = 0; i < ss.length; i++) { ss[i][0].scrollLeft = ss[i][1]; ss[i][0].scrollTop = ss[i][2]; }
  }

  function paint(el, url) {
    if (el.localName !== "canvas") return;
    var g;
    try { g = el.getContext("2d"); } catch (e) { return; }
    if (!g) return;
    if (!rules.canvasImage(url)) { g.clearRect(0, 0, el.width, el.height); return; }
    // Decoded by an <img> of the copy's own document (its CSP applies), never by this page.
    var im = el.ownerDocument.createElement("img");
    im.addEventListener("load", function () {
      try { g.clearRect(0, 0, el.width, el.height); g.drawImage(im, 0, 0, el.width, el.height); el.setAttribute("data-painted", "1"); }
      catch (e) { /* a resized or gone canvas */ }
    });
    im.src = url;
  }

  function setCss(el, text) {
    if (el.localName === "link") {
      // A <link> whose rules changed: a <style> with the rules (with the link's id and attributes) from now on.
      var st = el.ownerDocument.createElement("style"), id = idOf(el);
      for (var i = 0; i < el.attributes.length; i++) st.setAttribute(el.attributes[i].name, el.attributes[i].value);
      if (el.parentNode) el.parentNode.replaceChild(st, el);
      if (id !== null) { map.set(id, st); ids.set(st, id); }
      el = st;
    }
    var t = el.firstChild;
    if (t && t.nodeType === 3) t.data = text;
    else el.insertBefore(el.ownerDocument.createTextNode(text), el.firstChild);
  }

  // ------------------------------------------------------------ adopted stylesheets
  // A sheet id's rules, and its constructed sheets (one per document of the copy that adopts it).
  var sheetText = new Map(), sheetInst = new Map();
  function defineSheet(id, text) {
    sheetText.set(id, text);
    (sheetInst.get(id) || []).forEach(function (sh) { try { sh.replaceSync(text); } catch (e) { /* bad CSS */ } });
  }
  function sheetFor(id, doc) {
    var list = sheetInst.get(id) || [];
    for (var i = 0; i < list.length; i++) if (list[i].__glanceDoc === doc) return list[i];
    var sh = new doc.defaultView.CSSStyleSheet();
    try { sh.replaceSync(sheetText.get(id) || ""); } catch (e) { /* bad CSS */ }
    sh.__glanceDoc = doc;
    list.push(sh);
    sheetInst.set(id, list);
    return sh;
  }
  // refs: sheet ids, or [id, rules] where a sheet is first named.
  function adopt(root, refs) {
    var doc = root.nodeType === 9 ? root : root.ownerDocument, out = [];
    if (!doc || !doc.defaultView || !("adoptedStyleSheets" in root)) return;
    for (var i = 0; i < refs.length; i++) {
      var r = refs[i], id = r;
      if (Array.isArray(r)) { id = r[0]; defineSheet(id, r[1]); }
      out.push(sheetFor(id, doc));
    }
    try { root.adoptedStyleSheets = out; } catch (e) { api.errors.push("adoptedStyleSheets: " + e); }
  }

  function setAttrs(el, attrs) {
    if (!attrs || typeof attrs !== "object" || blocked.has(el)) return;
    var svg = el.namespaceURI === SVG;
    for (var k in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
      var a = rules.attr(el.localName, k, attrs[k], svg);   // null: refused (replay_rules.js)
      if (!a) continue;
      try {
        if (a[1] === null) el.removeAttribute(a[0]); else el.setAttribute(a[0], a[1]);
      } catch (e) { /* a name the agent's browser refuses */ }
    }
  }

  function props(el, p) {
    if ("v" in p) { el.value = p.v; seen(el).v = p.v; }
    if ("c" in p) { el.checked = !!p.c; seen(el).c = !!p.c; }
    if ("x" in p) { el.selectedIndex = p.x; seen(el).x = p.x; }
    if (p.sc) pendingScroll.push([el, p.sc[0], p.sc[1]]);
    if ("img" in p) paint(el, p.img);
    if (typeof p.css === "string") setCss(el, p.css);
  }

  // The copy's empty document, served by the service under the copy's CSP (session_server/console_policy.py).
  function copyUrl(meta) {
    var c = window.agentConsole, s = c && c.session, dt = rules.doctype(meta.doctype);
    return "/agent/copy?group=" + encodeURIComponent(s && s.group || "") +
      "&doctype=" + encodeURIComponent(dt ? dt.name : "");
  }

  // A new copy frame; ready(doc) once its document has loaded (frames meanwhile wait in the backlog).
  function newFrame(meta, ready) {
    ui();
    var f = document.createElement("iframe");
    f.id = "replay-frame";
    f.setAttribute("sandbox", "allow-same-origin");
    f.setAttribute("title", "Copy of the visitor's page");
    f.style.border = "0";
    f.style.background = "#fff";
    var w = meta.vp && meta.vp[0] || 1024, h = meta.vp && meta.vp[1] || 768;
    if (iframe) iframe.remove();
    frameBox.appendChild(f);
    iframe = f;
    pointer = document.createElement("div");
    pointer.id = "replay-pointer";
    pointer.style.cssText = "position:absolute;width:12px;height:12px;margin:-6px 0 0 -6px;border-radius:6px;" +
      "background:rgba(220,0,0,.7);pointer-events:none;display:none;z-index:2";
    frameBox.appendChild(pointer);
    resize(w, h);
    loading = true;
    f.addEventListener("load", function loaded() {
      var doc = null;
      try { doc = f.contentDocument; } catch (e) { doc = null; }
      if (doc && doc.URL === "about:blank") return;   // the initial about:blank
      f.removeEventListener("load", loaded);
      if (f !== iframe) return;
      if (!doc || !/\/agent\/copy/.test(doc.URL)) {   // an error page: the service cannot be reached
        loading = false; backlog = [];
        say("the copy of the page could not be loaded; retrying\u2026");
        setTimeout(function () { api.resync(true); }, 2000);
        return;
      }
      hook(doc);
      loading = false;
      try { ready(doc); } catch (e) { api.errors.push(String(e)); console.error("replay: snapshot failed", e); api.resync(); }
      var q = backlog, over = q.over;
      backlog = [];
      for (var i = 0; i < q.length; i++) api.frame(q[i]);
      if (over) api.resync(true);
    });
    f.src = copyUrl(meta);
  }

  function resize(w, h) {
    if (!iframe) return;
    iframe.style.width = w + "px";
    iframe.style.height = h + "px";
    api.size = [w, h];
    layout();
  }

  // Zoom: "fit" (the whole copy in the stage, at the visitor's aspect, centred) or a scale (1 = 100%).
  var zoom = "fit", ZOOM_MIN = 0.25, ZOOM_MAX = 3, FIT_MAX = 1.5;
  function layout() {
    var vpEl = $("replay-viewport"), sizer = $("replay-sizer");
    if (!iframe || !vpEl || !api.size) return;
    var w = api.size[0], h = api.size[1];
    var availW = Math.max(vpEl.clientWidth, 50), availH = Math.max(vpEl.clientHeight, 50);
    var scale = zoom === "fit" ? Math.min(availW / w, availH / h, FIT_MAX) : zoom;
    scale = Math.max(ZOOM_MIN / 2, Math.round(scale * 1000) / 1000);
    var sw = w * scale, sh = h * scale;
    var left = Math.max(0, Math.floor((availW - sw) / 2)), top = Math.max(0, Math.floor((availH - sh) / 2));
    frameBox.style.transform = "scale(" + scale + ")";
    frameBox.style.left = left + "px";
    frameBox.style.top = top + "px";
    sizer.style.width = Math.max(availW, Math.ceil(sw)) + "px";
    sizer.style.height = Math.max(availH, Math.ceil(sh)) + "px";
    api.scale = scale;
    api.zoom = zoom;
    var size = $("replay-size");
    if (size) size.textContent = w + "\u00d7" + h + (w < 700 ? " (phone-sized)" : "");
    if (window.agentControl) window.agentControl.layout(scale, left, top);
    document.dispatchEvent(new CustomEvent("agentreplay:zoom", {detail: {scale: scale, zoom: zoom}}));
  }

  /** Zoom the copy: "fit", a scale (1 = 100%), or "in" / "out" (a step from the current scale). */
  api.setZoom = function (z) {
    var cur = api.scale || 1;
    if (z === "in") z = Math.min(ZOOM_MAX, Math.round((cur * 1.25) * 100) / 100);
    else if (z === "out") z = Math.max(ZOOM_MIN, Math.round((cur / 1.25) * 100) / 100);
    zoom = z === "fit" ? "fit" : Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, Number(z) || 1));
    layout();
    return api.scale;
  };
  api.layout = layout;

  function snapshot(s) {
    var chunks = parts[s], meta = chunks[0].meta || {}, recs = [];
    for (var i = 0; i < chunks[0].n; i++) recs = recs.concat(chunks[i].nodes);
    delete parts[s];
    map = new Map();
    sheetText = new Map(); sheetInst = new Map();
    pendingFrames = []; pendingScroll = [];
    newFrame(meta, function (doc) { fill(doc, s, meta, recs); });
  }

  function fill(doc, s, meta, recs) {
    if (recs.length) {
      var root = build(doc, recs, {i: 0});
      doc.replaceChild(root, doc.documentElement);
    }
    settle();
    if (meta.as) adopt(doc, meta.as);
    lastQ = 0;
    base = doc.createElement("base");
    var href = String(meta.base || meta.url || "");
    if (/^https?:\/\//i.test(href) && rules.safeUrl(href)) base.setAttribute("href", href);
    ensureBase(doc);
    try { iframe.contentWindow.scrollTo(meta.scroll[0], meta.scroll[1]); } catch (e) { /* no scroll */ }
    current = s;
    api.snapshots++;
    api.lastSnapshot = {s: s, nodes: recs.length, url: meta.url, title: meta.title, masked: !!meta.masked};
    document.dispatchEvent(new CustomEvent("agentreplay:snapshot", {detail: {url: meta.url, title: meta.title}}));
    say((meta.title || meta.url || "") + (meta.masked ? " \u2014 the page is masked" : "") + " (" + recs.length + " nodes)");
  }

  function ensureBase(doc) {
    var head = doc.head;
    if (!head) return;
    if (head.firstChild !== base) head.insertBefore(base, head.firstChild);
  }

  // ------------------------------------------------------------ changes
  function children(p, refs, doc) {
    if (p.nodeType === 1 && p.localName === "iframe") {
      // A frame's "children" are its document's root.
      var info = frames.get(p) || {root: null, dt: "html", sc: [0, 0]};
      frames.set(p, info);
      var r = refs.length ? refs[0] : null;
      info.root = r === null ? null : (typeof r === "number" ? map.get(r) : build(doc, r, {i: 0}));
      if (r !== null && !info.root) throw new Error("unknown node " + r);
      pendingFrames.push(p);
      return;
    }
    var want = [];
    for (var i = 0; i < refs.length; i++) {
      var ref = refs[i], n;
      if (typeof ref === "number") {
        n = map.get(ref);
        if (!n) throw new Error("unknown node " + ref);
      } else {
        n = build(doc, ref, {i: 0});
      }
      want.push(n);
    }
    var keepBase = p === doc.head;
    var at = p.firstChild;
    function skip() { while (at && ((keepBase && at === base) || extras.has(at))) at = at.nextSibling; }
    skip();
    for (i = 0; i < want.length; i++) {
      if (at !== want[i]) p.insertBefore(want[i], at);
      else { at = at.nextSibling; skip(); }
    }
    while (at) { var next = at.nextSibling; if (!(keepBase && at === base) && !extras.has(at)) forget(p.removeChild(at)); at = next; }
    if (keepBase) ensureBase(doc);
  }

  function forget(n) {
    var id = idOf(n);
    if (id !== null && map.get(id) === n) map.delete(id);
  }

  function idOf(n) {
    var id = ids.get(n);
    return id === undefined ? null : id;
  }

  // The values the visitor's page last reported for each copied field ({v, c, x}): a refused or
  // unauthorised edit of the copy is put back to them at once (the copy never shows text the visitor lacks).
  var visitorValues = new WeakMap();
  function seen(el) {
    var r = visitorValues.get(el);
    if (!r) { r = {}; visitorValues.set(el, r); }
    return r;
  }

  /** The copy's element with data-gid `gid` (a number), or null. */
  api.byGid = function (gid) { var n = map.get(Number(gid)); return n && n.nodeType === 1 ? n : null; };
  /** Put `el` back to what the visitor's page has (after a refused edit, or an edit outside control). */
  api.revert = function (el) {
    var r = el && visitorValues.get(el);
    typed.delete(el);
    if (!r) { if (el && "value" in el && el.localName !== "select" && el.localName !== "button") el.value = el.defaultValue || ""; return; }
    if ("v" in r) el.value = r.v;
    if ("c" in r) el.checked = r.c;
    if ("x" in r) el.selectedIndex = r.x;
  };
  /** Forget the agent's typing in `el` (it left the field). */
  api.untyped = function (el) { typed.delete(el); };
  /** Note a value the agent typed into `el` (its echo from the page is then not written over newer typing). */
  api.typed = function (el, value) {
    var mine = typed.get(el) || [];
    mine.push(String(value));
    if (mine.length > TYPED_MAX) mine.shift();
    typed.set(el, mine);
  };

  function apply(b) {
    var doc = iframe.contentDocument, i;
    (b.sh || []).forEach(function (s) {
      // A shadow root attached to an element the copy already has: [host id, [#shadow record, its subtree...]].
      var host = map.get(s[0]), recs = s[1], st = {i: 1};
      if (!host) throw new Error("unknown host " + s[0]);
      var sr = shadowOf(host, recs[0][0], host.ownerDocument);
      for (var k = 0; k < recs[0][3]; k++) sr.appendChild(build(host.ownerDocument, recs, st));
      if (recs[0][4] && recs[0][4].as) adopt(sr, recs[0][4].as);
    });
    (b.c || []).forEach(function (c) {
      var p = c[0] === 0 ? doc : map.get(c[0]);
      if (!p) throw new Error("unknown parent " + c[0]);
      if (p === doc) {
        var el = null;
        for (i = 0; i < c[1].length; i++) {
          var r = c[1][i];
          el = typeof r === "number" ? map.get(r) : build(doc, r, {i: 0});
        }
        if (el && el !== doc.documentElement) { doc.replaceChild(el, doc.documentElement); ensureBase(doc); }
        return;
      }
      children(p, c[1], doc);
    });
    (b.a || []).forEach(function (a) {
      var el = map.get(a[0]);
      if (!el) throw new Error("unknown element " + a[0]);
      setAttrs(el, a[1]);
    });
    (b.t || []).forEach(function (t) {
      var n = map.get(t[0]);
      if (!n) throw new Error("unknown text " + t[0]);
      n.data = t[1];
    });
    (b.v || []).forEach(function (v) {
      var el = map.get(v[0]);
      if (!el) return;
      if (v[2] !== null && v[2] !== undefined) { el.checked = !!v[2]; seen(el).c = !!v[2]; }
      else if (el.localName === "select") { el.selectedIndex = v[1]; seen(el).x = v[1]; }
      else {
        seen(el).v = v[1];
        if (el.ownerDocument.activeElement !== el || !api.rcEnabled || !typed.has(el) || typed.get(el).indexOf(v[1]) < 0) {
          el.value = v[1];
        }
      }
    });
    settle();
    (b.sc || []).forEach(function (s) {
      if (s[0] === 0) { iframe.contentWindow.scrollTo(s[1], s[2]); return; }
      var el = map.get(s[0]);
      if (!el) return;
      if (s[3]) { try { el.contentWindow.scrollTo(s[1], s[2]); } catch (e) { /* not filled */ } }
      else { el.scrollLeft = s[1]; el.scrollTop = s[2]; }
    });
    (b.cv || []).forEach(function (c) { var el = map.get(c[0]); if (el) paint(el, c[1]); });
    (b.css || []).forEach(function (c) { var el = map.get(c[0]); if (el) setCss(el, c[1]); });
    (b.ss || []).forEach(function (x) { defineSheet(x[0], x[1]); });
    (b.as || []).forEach(function (x) {
      if (x[0] === 0) { adopt(doc, x[1]); return; }
      var r = map.get(x[0]);
      if (!r) return;
      if (x[2]) {  // a frame's document: now if it is filled, else when it is
        var info = frames.get(r);
        if (info) info.as = x[1];
        try { if (r.contentDocument && r.contentDocument.documentElement === (info && info.root)) adopt(r.contentDocument, x[1]); }
        catch (e) { /* not filled */ }
      } else adopt(r, x[1]);
    });
    if (b.vp) resize(b.vp[0], b.vp[1]);
    if (b.sc && b.sc.length) document.dispatchEvent(new CustomEvent("agentreplay:scrolled"));
    if (b.m && pointer) {
      // The visitor's pointer, where it is on their screen (viewport px), kept inside the copy.
      var sz = api.size || [1e6, 1e6];
      pointer.style.display = "block";
      pointer.style.left = Math.max(0, Math.min(sz[0], b.m[0])) + "px";
      pointer.style.top = Math.max(0, Math.min(sz[1], b.m[1])) + "px";
      api.pointer = b.m;
    }
    if (b.f !== undefined) api.focused = b.f;
    api.batches++;
  }

  // ------------------------------------------------------------ agent input
  // Links never navigate the agent and forms never submit; what the agent's mouse and keys do on the
  // copy (a gesture, or remote control) is agent_control.js's.
  function hook(doc) {
    doc.addEventListener("click", function (ev) { ev.preventDefault(); }, true);
    doc.addEventListener("submit", function (ev) { ev.preventDefault(); }, true);
    if (window.agentControl) window.agentControl.hook(doc);
  }

  // ------------------------------------------------------------ frames
  api.frame = function (f) {
    if (loading) {   // the copy's document is loading: keep the order, then replay
      if (backlog.length < MAX_BACKLOG) backlog.push(f); else backlog.over = true;
      return;
    }
    if (f.type === "end") { say("the session ended"); return; }
    if (f.type !== "visitor_event") return;
    var p = f.payload;
    if (f.name === "rcenabled" && p) {
      api.rcEnabled = !!p.enabled;
      document.dispatchEvent(new CustomEvent("agentreplay:rc", {detail: {enabled: api.rcEnabled}}));
      return;
    }
    if (f.name === "dom_snapshot" && p && typeof p.s === "number") {
      (parts[p.s] = parts[p.s] || {})[p.i] = p;
      var have = Object.keys(parts[p.s]).length;
      if (have === p.n && parts[p.s][0]) {
        try { snapshot(p.s); } catch (e) { api.errors.push(String(e)); console.error("replay: snapshot failed", e); api.resync(); }
      }
      return;
    }
    if (f.name === "dom_changes" && p) {
      if (p.s !== current || !iframe) return;
      if (typeof p.q === "number") {
        var gap = lastQ && p.q !== lastQ + 1;
        lastQ = p.q;
        if (gap) { api.resync(); return; }  // a batch went missing: this copy is behind
      }
      try { apply(p); } catch (e) { api.errors.push(String(e)); console.warn("replay: change not applied", e); api.resync(); }
    }
  };

  api.doc = function () { return iframe ? iframe.contentDocument : null; };

  function attach() {
    if (!window.agentConsole || typeof window.agentConsole.onFrame !== "function") return false;
    window.agentConsole.onFrame(function (f) { api.frame(f); });
    return true;
  }
  if (!attach()) document.addEventListener("DOMContentLoaded", attach);
  window.agentReplay = api;
})();
