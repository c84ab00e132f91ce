/*
 * Agent console: what the agent's mouse and keys do on the copy of the visitor's page.
 *
 * Three modes (setMode): "view" (the default), "control", "draw".
 * - view: nothing on the visitor's page is clicked or typed into. A click on
 *   the copy shows the visitor where the agent points: outline {x, y} (a
 *   short-lived box there). An edit of a copied field is put back at once.
 * - control (acts only once the visitor has accepted remote control,
 *   agentReplay.rcEnabled): agent_action rcevent with {type, gid, ...}:
 *   click {gid, x, y, modifiers?} (checkboxes and radios too), dblclick {gid},
 *   agenttyping {gid, value} (the field's whole new value), inputchange {gid,
 *   value} (a text field left after typing; a <select>'s option value), key
 *   {gid?, key, modifiers?} (Enter, Tab, Escape, Backspace, arrows and
 *   printable keys outside text fields: no gid = the visitor's focused
 *   element), focus {gid} (a keyboard focus move), scroll {gid?, x, y}
 *   (absolute offsets; no gid = the page) for scrolling the agent does.
 *   A refusal (rcrefused) of an edit puts the copy's field back to the
 *   visitor's value at once (agentReplay.revert).
 * - draw: a rectangle dragged on the copy (with Alt: a freehand line, its
 *   bounding box) becomes outline {x, y, w, h} on the visitor's page.
 * In every mode, Shift+click outlines the element: outline {gid}.
 * Coordinates are the visitor's viewport pixels (the copy is the visitor's
 * viewport, scaled). What each gesture did is said in #ws-feedback
 * (agent_workspace.js) and shown on the copy for a moment.
 *
 * window.agentControl: mode, setMode(m), hook(doc), attach(box), layout(scale),
 * sent (every rcevent/outline payload sent, for tests).
 */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var KEYS = {Enter: 1, Tab: 1, Escape: 1, Backspace: 1, ArrowUp: 1, ArrowDown: 1, ArrowLeft: 1, ArrowRight: 1};
  var TEXT_TYPES = {text: 1, search: 1, email: 1, url: 1, tel: 1, password: 1, number: 1, "": 1};
  var api = {mode: "view", sent: []};
  var box = null, overlay = null, scale = 1, lastPointer = 0, userScroll = 0, scrollTimers = new Map();

  function replay() { return window.agentReplay; }
  function feedback(text, kind) { if (window.agentWorkspace) window.agentWorkspace.feedback(text, kind); }
  function controlling() { return api.mode === "control" && replay() && replay().rcEnabled; }

  function send(name, payload) {
    api.sent.push({name: name, payload: payload});
    if (api.sent.length > 200) api.sent.shift();
    try { window.agentConsole.action(name, payload); return true; } catch (e) { feedback(String(e && e.msg || e), "refused"); return false; }
  }

  // The real target of an event (inside a copied shadow root, not its host).
  function target(ev) {
    var p = ev.composedPath ? ev.composedPath() : null;
    return p && p.length ? p[0] : ev.target;
  }
  // The element's own data-gid, or its nearest ancestor's (through a copied shadow root to its host).
  function gidEl(el) {
    for (var d = 0; el && d < 64; d++) {
      if (el.nodeType !== 1) { el = el.parentNode; continue; }
      var g = el.closest ? el.closest("[data-gid]") : null;
      if (g) return g;
      var r = el.getRootNode ? el.getRootNode() : null;
      el = r && r.nodeType === 11 ? r.host : null;
    }
    return null;
  }
  function gidOf(el) { var g = gidEl(el); return g ? Number(g.getAttribute("data-gid")) : null; }

  function describe(el) {
    if (!el || el.nodeType !== 1) return "the page";
    var tag = el.localName, label = "";
    if (el.labels && el.labels.length) label = el.labels[0].textContent;
    label = label || el.getAttribute("aria-label") || el.getAttribute("placeholder") || el.getAttribute("name") ||
      (/^(button|a|option|label|h\d|summary|li)$/.test(tag) ? el.textContent : "") || el.id || "";
    label = String(label).replace(/\s+/g, " ").trim().slice(0, 40);
    return tag + (label ? " \u201c" + label + "\u201d" : "");
  }

  function modifiers(ev) {
    var m = {shift: !!ev.shiftKey, ctrl: !!ev.ctrlKey, alt: !!ev.altKey, meta: !!ev.metaKey};
    return m.shift || m.ctrl || m.alt || m.meta ? m : null;
  }

  function textField(el) {
    if (!el || el.nodeType !== 1) return false;
    if (el.localName === "textarea") return true;
    if (el.localName === "input") return !!TEXT_TYPES[(el.getAttribute("type") || "").toLowerCase()];
    return !!el.isContentEditable;
  }

  // A point of `doc` (the copy or a frame inside it) in the copy's top viewport.
  function topPoint(doc, x, y) {
    var w = doc.defaultView;
    for (var d = 0; w && w.frameElement && d < 8; d++) {
      var r = w.frameElement.getBoundingClientRect();
      x += r.left + w.frameElement.clientLeft;
      y += r.top + w.frameElement.clientTop;
      w = w.parent;
    }
    return [Math.round(x), Math.round(y)];
  }

  // ------------------------------------------------------------ marks on the copy
  function mark(cls, x, y, w, h) {
    if (!overlay) return;
    var m = document.createElement("div");
    m.className = "copy-mark " + cls;
    m.style.left = x + "px";
    m.style.top = y + "px";
    if (w !== undefined) { m.style.width = w + "px"; m.style.height = h + "px"; }
    overlay.appendChild(m);
    setTimeout(function () { m.remove(); }, 1500);
  }

  // ------------------------------------------------------------ the copy's events
  api.hook = function (doc) {
    doc.addEventListener("pointerdown", function () { lastPointer = Date.now(); userScroll = Date.now() + 1500; }, true);
    doc.addEventListener("wheel", function () { userScroll = Date.now() + 1000; }, {capture: true, passive: true});
    doc.addEventListener("click", function (ev) {
      var t = target(ev), gid = gidOf(t), pt = topPoint(doc, ev.clientX, ev.clientY);
      if (ev.shiftKey) {
        if (gid === null) return;
        if (send("outline", {gid: gid})) feedback("Outlined " + describe(gidEl(t)) + " for the visitor.");
        return;
      }
      if (api.mode === "draw") return;
      if (controlling()) {
        if (gid === null) return;
        var p = {type: "click", gid: gid, x: pt[0], y: pt[1]}, m = modifiers(ev);
        if (m) p.modifiers = m;
        if (send("rcevent", p)) { feedback("Clicking " + describe(gidEl(t)) + " on the visitor\u2019s page\u2026"); mark("click", pt[0], pt[1]); }
        return;
      }
      if (send("outline", {x: pt[0], y: pt[1]})) {
        feedback("Showed the visitor where you pointed (view mode: nothing was clicked).");
        mark("point", pt[0], pt[1]);
      }
    }, true);
    doc.addEventListener("dblclick", function (ev) {
      var gid = gidOf(target(ev));
      if (controlling() && gid !== null) send("rcevent", {type: "dblclick", gid: gid});
    }, true);
    doc.addEventListener("input", function (ev) {
      var t = target(ev), gid = gidOf(t);
      if (!controlling() || gid === null) {
        replay().revert(t);
        if (!controlling()) feedback(api.mode === "control" ? "Waiting for the visitor to accept remote control." :
                                     "Switch to Control mode to type on the visitor\u2019s page.", "refused");
        return;
      }
      if (t.localName === "select") {
        var opt = t.options[t.selectedIndex];
        send("rcevent", {type: "inputchange", gid: gid, value: opt ? opt.value : ""});
        feedback("Choosing \u201c" + (opt ? opt.textContent.trim().slice(0, 40) : "") + "\u201d in " + describe(t) + "\u2026");
        return;
      }
      if (t.localName === "input" && /^(checkbox|radio)$/i.test(t.type)) return;   // the click said it
      var value = t.isContentEditable && t.localName !== "input" && t.localName !== "textarea" ? t.textContent : String(t.value);
      replay().typed(t, value);
      send("rcevent", {type: "agenttyping", gid: gid, value: value});
    }, true);
    doc.addEventListener("change", function (ev) {
      var t = target(ev), gid = gidOf(t);
      if (controlling() && gid !== null && textField(t) && t.localName !== "select") {
        send("rcevent", {type: "inputchange", gid: gid, value: String(t.value)});
      }
    }, true);
    doc.addEventListener("keydown", function (ev) {
      userScroll = Date.now() + 1000;
      var t = target(ev), inText = textField(t), k = ev.key;
      if (!controlling()) {
        if (k === "Escape" && window.agentWorkspace) window.agentWorkspace.setMode("view");
        return;
      }
      var special = !!KEYS[k], printable = k && k.length === 1;
      if (inText && (printable || k === "Backspace") && !ev.ctrlKey && !ev.metaKey) return;   // the input event carries it
      if (inText && (ev.ctrlKey || ev.metaKey) && !special) return;   // copy / paste / select all: local
      if (!special && !printable) return;
      var gid = t && t.nodeType === 1 && t !== doc.body && t !== doc.documentElement ? gidOf(t) : null;
      var p = {type: "key", key: k}, m = modifiers(ev);
      if (gid !== null) p.gid = gid;
      if (m) p.modifiers = m;
      send("rcevent", p);
      feedback("Pressed " + (m ? Object.keys(m).filter(function (n) { return m[n]; }).join("+") + "+" : "") +
               (k === " " ? "Space" : k) + " on the visitor\u2019s page.");
      if (!inText || k === "Tab" || k === "Enter" || k === "Escape") ev.preventDefault();
    }, true);
    doc.addEventListener("focusin", function (ev) {
      var t = target(ev), gid = gidOf(t);
      if (controlling() && gid !== null && Date.now() - lastPointer > 500) send("rcevent", {type: "focus", gid: gid});
    }, true);
    doc.addEventListener("focusout", function (ev) { replay().untyped(target(ev)); }, true);
    doc.addEventListener("scroll", function (ev) { scrolled(doc, ev.target); }, true);
  };

  // Scrolling the agent did (wheel, keys, a scrollbar), never the copy following the visitor.
  function scrolled(doc, el) {
    if (!controlling() || Date.now() > userScroll) return;
    var page = el === doc || el === doc.documentElement || el === doc.scrollingElement;
    if (page && doc.defaultView && doc.defaultView.frameElement) return;   // a frame's own page: not in the contract
    var key = page ? doc : el;
    if (scrollTimers.has(key)) return;
    scrollTimers.set(key, setTimeout(function () {
      scrollTimers.delete(key);
      var w = doc.defaultView;
      if (page) send("rcevent", {type: "scroll", x: Math.round(w.scrollX), y: Math.round(w.scrollY)});
      else {
        var gid = gidOf(el);
        if (gid !== null) send("rcevent", {type: "scroll", gid: gid, x: Math.round(el.scrollLeft), y: Math.round(el.scrollTop)});
      }
    }, 120));
  }

  // ------------------------------------------------------------ draw
  api.attach = function (frameBox) {
    box = frameBox;
    overlay = document.createElement("div");
    overlay.id = "copy-overlay";
    overlay.className = "copy-overlay";
    overlay.setAttribute("aria-hidden", "true");
    box.appendChild(overlay);
    var start = null, shape = null, points = [];
    function at(ev) {
      var r = box.getBoundingClientRect();
      return [Math.round((ev.clientX - r.left) / scale), Math.round((ev.clientY - r.top) / scale)];
    }
    overlay.addEventListener("pointerdown", function (ev) {
      if (api.mode !== "draw") return;
      ev.preventDefault();
      overlay.setPointerCapture(ev.pointerId);
      start = at(ev);
      points = [start];
      if (ev.altKey) {
        shape = document.createElementNS(SVG, "svg");
        shape.setAttribute("class", "copy-mark freehand");
        var pl = document.createElementNS(SVG, "polyline");
        shape.appendChild(pl);
      } else {
        shape = document.createElement("div");
        shape.className = "copy-mark rect drawing";
      }
      overlay.appendChild(shape);
      move(start);
    });
    function move(p) {
      if (!shape) return;
      points.push(p);
      if (shape.localName === "svg") {
        shape.firstChild.setAttribute("points", points.map(function (q) { return q[0] + "," + q[1]; }).join(" "));
      } else {
        shape.style.left = Math.min(start[0], p[0]) + "px";
        shape.style.top = Math.min(start[1], p[1]) + "px";
        shape.style.width = Math.abs(p[0] - start[0]) + "px";
        shape.style.height = Math.abs(p[1] - start[1]) + "px";
      }
    }
    overlay.addEventListener("pointermove", function (ev) { if (shape) move(at(ev)); });
    overlay.addEventListener("pointerup", function (ev) {
      if (!shape) return;
      move(at(ev));
      var xs = points.map(function (q) { return q[0]; }), ys = points.map(function (q) { return q[1]; });
      var x = Math.min.apply(null, xs), y = Math.min.apply(null, ys);
      var w = Math.max.apply(null, xs) - x, h = Math.max.apply(null, ys) - y, s = shape;
      shape = null;
      setTimeout(function () { s.remove(); }, 1500);
      if (w < 4 && h < 4) { send("outline", {x: x, y: y}); feedback("Showed the visitor a point."); return; }
      if (send("outline", {x: x, y: y, w: Math.max(w, 1), h: Math.max(h, 1)})) {
        feedback("Outlined a " + w + "\u00d7" + h + " area of the visitor\u2019s page.");
      }
    });
  };

  /** The copy's scale changed (agent_replay.js). */
  api.layout = function (s) { scale = s || 1; };

  /** "view", "control" or "draw". */
  api.setMode = function (m) {
    api.mode = m === "control" || m === "draw" ? m : "view";
    if (overlay) overlay.classList.toggle("drawing", api.mode === "draw");
    return api.mode;
  };

  // A refused edit: the copy's field goes back to the visitor's value at once.
  function answered(f) {
    if (f.type !== "visitor_event" || f.name !== "rcrefused" || !f.payload) return;
    var p = f.payload, gid = typeof p.gid === "number" ? p.gid : null;
    if (p.type !== "agenttyping" && p.type !== "inputchange") return;   // only edits change the copy's fields
    if (gid === null && typeof p.path === "string") {
      var m = /^\[data-gid="?(\d+)"?\]$/.exec(p.path);
      if (m) gid = Number(m[1]);
    }
    var el = gid !== null && replay() ? replay().byGid(gid) : null;
    if (el) replay().revert(el);
  }
  function listen() {
    if (!window.agentConsole || typeof window.agentConsole.onFrame !== "function") return false;
    window.agentConsole.onFrame(answered);
    return true;
  }
  if (!listen()) document.addEventListener("DOMContentLoaded", listen);
  window.agentControl = api;
})();
