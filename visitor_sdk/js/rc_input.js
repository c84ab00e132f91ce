// Remote control's input on the page (visitor_sdk/remote_control.py): rcInput() returns
// {click, dblclick, key, focus, focused, scrollPage, scroll, valueOf, isSelect, setValue}.
// Events made here have isTrusted === false (no page can tell a script's event from an agent's
// otherwise); the browser's default action of a key is done here, as the browser would.
(function rcInput() {
  "use strict";
  var TEXT_TYPES = {"": 1, text: 1, search: 1, email: 1, tel: 1, url: 1, number: 1};
  var CODES = {Enter: 13, Tab: 9, Escape: 27, Backspace: 8, ArrowLeft: 37, ArrowUp: 38, ArrowRight: 39, ArrowDown: 40};
  var FOCUSABLE = "a[href], area[href], button, input, select, textarea, iframe, summary, [tabindex], [contenteditable]";

  function win(el) { return (el && el.ownerDocument && el.ownerDocument.defaultView) || window; }
  function mods(m) {
    m = m || {};
    return {shiftKey: !!m.shift, ctrlKey: !!m.ctrl, altKey: !!m.alt, metaKey: !!m.meta};
  }
  function assign(a, b) { for (var k in b) a[k] = b[k]; return a; }
  function isText(el) {
    if (!el) return false;
    var tag = el.localName;
    if (tag === "textarea") return true;
    return tag === "input" && TEXT_TYPES.hasOwnProperty((el.getAttribute("type") || "").toLowerCase());
  }
  // The value setter of the element's own class (React's value tracker hides the instance's own setter).
  function setNative(el, value) {
    var w = win(el), tag = el.localName;
    var proto = tag === "textarea" ? w.HTMLTextAreaElement.prototype
              : tag === "select" ? w.HTMLSelectElement.prototype : w.HTMLInputElement.prototype;
    var d = Object.getOwnPropertyDescriptor(proto, "value");
    if (d && d.set) d.set.call(el, value); else el.value = value;
  }
  function inputEvent(el, type, data) {
    var w = win(el), ev;
    try { ev = new w.InputEvent("input", {bubbles: true, composed: true, inputType: type, data: data}); }
    catch (e) { ev = new w.Event("input", {bubbles: true, composed: true}); }
    el.dispatchEvent(ev);
  }
  function caret(el) {
    try {
      if (typeof el.selectionStart === "number") return [el.selectionStart, el.selectionEnd];
    } catch (e) { /* email/number inputs have no selection */ }
    var n = String(el.value).length;
    return [n, n];
  }
  function setCaret(el, at) { try { el.setSelectionRange(at, at); } catch (e) { /* no selection API */ } }

  function focusable(el) {
    if (!el || el.disabled) return false;
    if (el.tabIndex < 0 && !el.hasAttribute("tabindex")) return false;
    if (el.localName === "input" && el.type === "hidden") return false;
    return el.getClientRects().length > 0;
  }
  function focusIn(el) { try { el.focus(); } catch (e) { /* not focusable */ } }
  // What a real press gives the focus: the nearest focusable ancestor, else nothing (the field loses it).
  function pressFocus(el) {
    var f = el.closest ? el.closest(FOCUSABLE) : null;
    if (f && focusable(f)) { if (el.ownerDocument.activeElement !== f) focusIn(f); return; }
    var a = el.ownerDocument.activeElement;
    if (a && a !== el.ownerDocument.body && a.blur) a.blur();
  }
  function point(el, x, y) {
    if (typeof x === "number" && typeof y === "number") return {clientX: x, clientY: y};
    var r = el.getBoundingClientRect();
    return {clientX: r.left + r.width / 2, clientY: r.top + r.height / 2};
  }
  function mouse(el, type, init) {
    var w = win(el), Ctor = /^pointer/.test(type) && w.PointerEvent ? w.PointerEvent : w.MouseEvent;
    var ev = new Ctor(type, assign({bubbles: true, cancelable: true, composed: true, view: w, button: 0,
                                    buttons: /down$/.test(type) ? 1 : 0, pointerId: 1, isPrimary: true,
                                    pointerType: "mouse"}, init));
    return el.dispatchEvent(ev);
  }
  // A full press: pointerdown, mousedown (focus moves unless it is cancelled), pointerup, mouseup, click.
  // The click is dispatched, so a checkbox or radio toggles and a link or submit button acts.
  function click(el, x, y, m, detail) {
    var init = assign(point(el, x, y), mods(m));
    init.detail = detail || 1;
    mouse(el, "pointerdown", init);
    if (mouse(el, "mousedown", init)) pressFocus(el);
    mouse(el, "pointerup", init);
    mouse(el, "mouseup", init);
    mouse(el, "click", init);
  }

  function code(key) {
    if (CODES.hasOwnProperty(key)) return CODES[key];
    var c = key.toUpperCase().charCodeAt(0);
    return (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ? c : key === " " ? 32 : c;
  }
  function keyEvent(el, type, key, m) {
    var w = win(el), printable = key.length === 1, kc = type === "keypress" ? (printable ? key.charCodeAt(0) : 13) : code(key);
    var init = assign({key: key, code: printable ? "" : key, bubbles: true, cancelable: true, composed: true, view: w,
                       keyCode: kc, which: kc, charCode: type === "keypress" ? kc : 0}, mods(m));
    var ev = new w.KeyboardEvent(type, init);
    // Chromium ignores keyCode/which/charCode in the init dictionary: pages reading them (jQuery's
    // e.which, Backbone TodoMVC) get them from the event itself.
    try {
      if (ev.keyCode !== kc) {
        Object.defineProperty(ev, "keyCode", {value: kc});
        Object.defineProperty(ev, "which", {value: kc});
        Object.defineProperty(ev, "charCode", {value: type === "keypress" ? kc : 0});
      }
    } catch (e) { /* frozen event: keep the browser's values */ }
    return el.dispatchEvent(ev);
  }
  function tabbables(doc) {
    var all = Array.prototype.slice.call(doc.querySelectorAll(FOCUSABLE)).filter(function (e) {
      return focusable(e) && e.tabIndex >= 0;
    });
    var pos = all.filter(function (e) { return e.tabIndex > 0; }).sort(function (a, b) { return a.tabIndex - b.tabIndex; });
    return pos.concat(all.filter(function (e) { return e.tabIndex === 0; }));
  }
  function moveFocus(el, back) {
    var list = tabbables(el.ownerDocument);
    if (!list.length) return;
    var i = list.indexOf(el);
    var next = i < 0 ? (back ? list.length - 1 : 0) : (i + (back ? -1 : 1) + list.length) % list.length;
    focusIn(list[next]);
  }
  function edit(el, text, type) {
    var v = String(el.value), c = caret(el), start = c[0], end = c[1];
    if (type === "deleteContentBackward") {
      if (start === end) { if (start === 0) return; start -= 1; }
      text = "";
    }
    setNative(el, v.slice(0, start) + text + v.slice(end));
    setCaret(el, start + text.length);
    inputEvent(el, type, text || null);
  }
  function submit(el) {
    var form = el.form;
    if (!form) return;
    var button = form.querySelector("button:not([type]), button[type=submit], input[type=submit], input[type=image]");
    if (button && !button.disabled) { click(button); return; }
    var fields = Array.prototype.filter.call(form.elements, isText);
    if (fields.length === 1 && form.requestSubmit) form.requestSubmit();
  }
  // The browser's default action of a key on el (after keydown and keypress went uncancelled).
  function defaultAction(el, key, m) {
    var tag = el.localName, text = isText(el);
    if (key === "Tab") { moveFocus(el, !!(m && m.shift)); return; }
    if (m && (m.ctrl || m.meta || m.alt)) return;
    if (key.length === 1 && text && !el.readOnly && !el.disabled) { edit(el, key, "insertText"); return; }
    if (key === " " && (tag === "button" || (tag === "input" && /^(checkbox|radio|button|submit|reset)$/.test(el.type)))) {
      click(el); return;
    }
    if (key === "Backspace" && text && !el.readOnly && !el.disabled) { edit(el, "", "deleteContentBackward"); return; }
    if (key === "Enter") {
      if (tag === "textarea") { if (!el.readOnly && !el.disabled) edit(el, "\n", "insertLineBreak"); return; }
      if (tag === "input" && text) { submit(el); return; }
      if (tag === "button" || tag === "a" || tag === "summary" || (tag === "input" && /^(button|submit|reset|image)$/.test(el.type))) {
        el.click();
      }
      return;
    }
    if (/^Arrow/.test(key)) {
      if (text && (key === "ArrowLeft" || key === "ArrowRight")) {
        var c = caret(el), n = String(el.value).length;
        setCaret(el, key === "ArrowLeft" ? Math.max(0, c[0] - 1) : Math.min(n, c[1] + 1));
        return;
      }
      if (text && tag === "textarea") return;
      var w = win(el), dy = key === "ArrowUp" ? -40 : key === "ArrowDown" ? 40 : 0;
      var dx = key === "ArrowLeft" ? -40 : key === "ArrowRight" ? 40 : 0;
      w.scrollBy({left: dx, top: dy, behavior: "instant"});
    }
  }
  function scroller(el) {
    var doc = el.ownerDocument;
    return el === doc.documentElement || el === doc.body || el === doc.scrollingElement;
  }

  return {
    click: function (el, x, y, m) { click(el, x, y, m, 1); },
    // Two presses, then dblclick (as a real double click: click detail 1 and 2, dblclick detail 2).
    dblclick: function (el) {
      click(el, null, null, null, 1);
      click(el, null, null, null, 2);
      var init = point(el);
      init.detail = 2;
      mouse(el, "dblclick", init);
    },
    // keydown, keypress (printable keys and Enter, without ctrl/alt/meta), the default action, keyup.
    // Returns the field's value after it (null for an element that is not a text field).
    key: function (el, key, m) {
      var go = keyEvent(el, "keydown", key, m);
      if (go && (key.length === 1 || key === "Enter") && !(m && (m.ctrl || m.alt || m.meta))) {
        go = keyEvent(el, "keypress", key, m);
      }
      if (go) defaultAction(el, key, m);
      // keyup goes to the element that has the focus now (Tab moved it)
      var doc = el.ownerDocument, after = doc.activeElement && doc.activeElement !== doc.body ? doc.activeElement : el;
      keyEvent(after, "keyup", key, m);
      return isText(el) ? String(el.value) : null;
    },
    focus: focusIn,
    // The element with the focus, inside open shadow roots and same-origin frames; null when it is the body.
    focused: function () {
      var a = document.activeElement;
      for (var d = 0; a && d < 32; d++) {
        if (a.shadowRoot && a.shadowRoot.activeElement) { a = a.shadowRoot.activeElement; continue; }
        if (a.localName === "iframe") {
          var inner = null;
          try { inner = a.contentDocument && a.contentDocument.activeElement; } catch (e) { inner = null; }
          if (inner && inner !== a.contentDocument.body) { a = inner; continue; }
        }
        break;
      }
      return a && a !== document.body && a !== document.documentElement ? a : null;
    },
    // Scroll the page to x, y (CSS px). Returns [x, y] reached.
    scrollPage: function (x, y) {
      window.scrollTo({left: x, top: y, behavior: "instant"});
      return [window.scrollX, window.scrollY];
    },
    // Scroll el to x, y (CSS px). Returns [x, y] reached, or null if el cannot scroll.
    scroll: function (el, x, y) {
      if (scroller(el)) {
        var w = win(el);
        w.scrollTo({left: x, top: y, behavior: "instant"});
        return [w.scrollX, w.scrollY];
      }
      if (el.scrollHeight <= el.clientHeight && el.scrollWidth <= el.clientWidth) return null;
      el.scrollTo({left: x, top: y, behavior: "instant"});
      return [el.scrollLeft, el.scrollTop];
    },
    // A form field's value (null for anything else).
    valueOf: function (el) {
      var tag = el.localName;
      return tag === "input" || tag === "textarea" || tag === "select" ? String(el.value) : null;
    },
    isSelect: function (el) { return el.localName === "select"; },
    setValue: function (el, value) { setNative(el, value); inputEvent(el, "insertReplacementText", value); return String(el.value); }
  };
});
