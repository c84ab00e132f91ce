// Remote control's DOM helpers (visitor_sdk/remote_control.py): rcHelpers() returns
// {setValue, change, closest, up, target}.
(function rcHelpers() {
  "use strict";
  // The parent element of el, across a shadow root (its host) and a frame's document (the iframe element).
  function up(el) {
    if (el.parentElement) return el.parentElement;
    var r = el.getRootNode ? el.getRootNode() : null;
    if (r && r.nodeType === 11) return r.host || null;
    if (r && r.nodeType === 9) { try { var w = r.defaultView; return w && w !== window ? w.frameElement : null; } catch (e) { return null; } }
    return null;
  }
  return {
    setValue: function (el, value) {
      // The element's own window: an element of a frame is not an instance of this window's classes.
      var w = el.ownerDocument.defaultView || window, tag = el.localName;
      var proto = tag === "textarea" ? w.HTMLTextAreaElement.prototype
                : tag === "select" ? w.HTMLSelectElement.prototype : w.HTMLInputElement.prototype;
      var d = Object.getOwnPropertyDescriptor(proto, "value");
      if (d && d.set) d.set.call(el, value); else el.value = value;
      var ev;
      try { ev = new w.InputEvent("input", {bubbles: true, composed: true, inputType: "insertText"}); }
      catch (e) { ev = new w.Event("input", {bubbles: true, composed: true}); }
      el.dispatchEvent(ev);
      return String(el.value);
    },
    change: function (el) { var w = el.ownerDocument.defaultView || window; el.dispatchEvent(new w.Event("change", {bubbles: true})); },
    // Whether el or an ancestor matches sel, each evaluated in its own document / shadow root,
    // then on through the shadow host or the iframe element (masking wins across those borders).
    closest: function (el, sel) {
      for (var d = 0; el && d < 64; d++) {
        if (el.closest(sel) !== null) return true;
        var r = el.getRootNode(), n = null;
        if (r.nodeType === 11) n = r.host;
        else if (r.nodeType === 9) { try { var w = r.defaultView; n = w && w !== window ? w.frameElement : null; } catch (e) { n = null; } }
        el = n;
      }
      return false;
    },
    up: up,
    target: function (ev) { var p = ev.composedPath ? ev.composedPath() : null; return p && p.length ? p[0] : ev.target; }
  };
});
