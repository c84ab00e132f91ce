"""The cobrowse view's hooks on the page's prototypes, as JS spliced into the walker (pure module: a string).

dom_js.WALKER_JS splices HOOKS_JS into its makeRecorder() closure (beside
dom_js_styles.STYLES_JS), so these functions share the walker's state. Each
window (the page's, and each same-origin frame's when the walker first
watches it) is hooked once by hookWin(); every hook calls the original first
and never lets an error of its own reach the page, and does nothing beyond
the original while the walker is not recording, except:

- Element.prototype.attachShadow: a closed shadow root is remembered (by host,
  in the walker's private WeakMap) so the walker can capture it; a root
  attached to an element already sent is sent at once (`sh` change);
- HTMLCanvasElement.prototype.getContext: WebGL contexts default to
  preserveDrawingBuffer: true, so a canvas read between frames is not blank;
- the value/checked/selectedIndex setters (values set from script fire no
  input event) and the CSSStyleSheet/adoptedStyleSheets hooks of
  dom_js_styles (hookSheets).
"""

HOOKS_JS = r"""
  function setHook(el) {
    if (active && sent.has(el)) { vals.add(el); poke(); }
  }
  function hookProp(proto, name) {
    var d = Object.getOwnPropertyDescriptor(proto, name);
    if (!d || !d.set || !d.configurable) return;
    Object.defineProperty(proto, name, {configurable: true, enumerable: d.enumerable, get: d.get,
      set: function (v) { d.set.call(this, v); try { setHook(this); } catch (e) { /* never break the page */ } }});
  }
  // A shadow root attached to an element already sent makes no mutation record: hook attachShadow
  // (as rrweb does) to send it at once, and keep closed roots (privately) so they are captured too.
  function hookShadow(proto) {
    var f = proto.attachShadow;
    if (typeof f !== "function") return;
    proto.attachShadow = function attachShadow() {
      var sr = f.apply(this, arguments);
      try {
        if (sr && sr.mode === "closed") closedRoots.set(this, sr);
        if (active && sent.has(this)) { shadows.add(this); poke(); }
      } catch (e) { /* never break the page */ }
      return sr;
    };
  }
  // WebGL contexts created from now on keep their drawing buffer, so toDataURL sees the last frame at any time.
  function hookGl(proto) {
    var f = proto.getContext;
    if (typeof f !== "function") return;
    proto.getContext = function getContext(type, attrs) {
      if (type === "webgl" || type === "webgl2" || type === "experimental-webgl") {
        var a = null;
        try {
          a = {};
          if (attrs && typeof attrs === "object") for (var k in attrs) a[k] = attrs[k];
          if (a.preserveDrawingBuffer === undefined) a.preserveDrawingBuffer = true;
        } catch (e) { a = null; }
        if (a) return f.call(this, type, a);
      }
      return f.apply(this, arguments);
    };
  }
  // Values set from script fire no input event: hook the setters (once per window; inert when not recording).
  function hookWin(w) {
    if (!w || hookedWins.has(w)) return;
    hookedWins.add(w);
    try { hookShadow(w.Element.prototype); } catch (e) { /* an old or odd window */ }
    try { hookGl(w.HTMLCanvasElement.prototype); } catch (e) { /* an old or odd window */ }
    try {
      hookProp(w.HTMLInputElement.prototype, "value"); hookProp(w.HTMLInputElement.prototype, "checked");
      hookProp(w.HTMLTextAreaElement.prototype, "value");
      hookProp(w.HTMLSelectElement.prototype, "value"); hookProp(w.HTMLSelectElement.prototype, "selectedIndex");
      hookSheets(w);
    } catch (e) { /* an old or odd window */ }
  }
"""
