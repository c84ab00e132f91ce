// The cobrowse view's hooks on the page's prototypes (part of the walker: visitor_sdk/js/walker.js makes
// them with makeHooks(on) and calls the hookWin(w) it returns for the page's window and for each
// same-origin frame's window when it first watches it; each window is hooked once). Every hook calls
// the original first and never lets an error of its own reach the page; what it tells the walker:
// - on.valueSet(el): the value/checked/selectedIndex setters (values set from script fire no input event);
// - on.shadowAttached(host, root): Element.prototype.attachShadow (the walker keeps a closed root
//   privately, by host, so it can capture it, and sends a root attached to an element already sent);
// - on.window(w): the window's CSSStyleSheet/adoptedStyleSheets hooks (walker_styles.js: hookSheets).
// HTMLCanvasElement.prototype.getContext is hooked too: WebGL contexts default to
// preserveDrawingBuffer: true, so a canvas read between frames is not blank.
(function makeHooks(on) {
  "use strict";
  var hookedWins = new WeakSet();
  function hookProp(proto, name) {
    var d = Object.getOwnPropertyDescriptor(proto, name);
    if (!d || !d.set || !d.configurable) return;
    Object.defineProperty(proto, name, {configurable: true, enumerable: d.enumerable, get: d.get,
      set: function (v) { d.set.call(this, v); try { on.valueSet(this); } catch (e) { /* never break the page */ } }});
  }
  // A shadow root attached to an element already sent makes no mutation record: hook attachShadow
  // (as rrweb does) so the walker can send it at once and keep closed roots (privately) to capture them too.
  function hookShadow(proto) {
    var f = proto.attachShadow;
    if (typeof f !== "function") return;
    proto.attachShadow = function attachShadow() {
      var sr = f.apply(this, arguments);
      try { on.shadowAttached(this, sr); } catch (e) { /* never break the page */ }
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
      on.window(w);
    } catch (e) { /* an old or odd window */ }
  }
  return hookWin;
});
