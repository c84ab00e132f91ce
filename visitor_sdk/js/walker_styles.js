// The cobrowse view's stylesheet and URL work (part of the walker: visitor_sdk/js/walker.js makes it with
// makeStyles(rec), where rec is what the walker lets it read and do: active(), pageMasked(), sent(node),
// docs() (the frame documents and shadow roots watched), nid(node), frameOf(doc), maskText(s), poke()
// (something changed) and styleChanged(el) (a <style>/<link> element's rules changed)).
//
// URLs: the agent's copy lives in documents with other base URLs (the console's iframe, about:blank
// frames), so every URL the copy would resolve is made absolute here, against the base URL of the
// document it came from: URL attributes (`absAttr`: href, src, srcset, ...), `url(...)` and `@import` in
// style attributes, <style> text and stylesheet rules (`absCss`; rules of a <link>'s sheet resolve
// against the sheet's own URL).
//
// Stylesheets beyond the elements' text:
// - rules changed with CSSStyleSheet insertRule/deleteRule on the sheet of a <style> or a same-origin
//   <link> (the element's `css` prop: the rules as text);
// - constructed sheets in `adoptedStyleSheets` of the document, of a frame's document and of shadow
//   roots. A sheet is named by a sheet id; a list of adopted sheets on the wire holds ids, or
//   [id, rules] the first time a sheet appears in a snapshot. Changes: `as` [[root id (0: the document;
//   a frame's document: the iframe's id with a third item 1), [refs]], ...] and `ss` [[sheet id, rules],
//   ...] for sheets whose rules changed (insertRule, deleteRule, replace, replaceSync; insertRule/
//   deleteRule of @media-like rules and setProperty/removeProperty on a rule's declarations are seen
//   too; `rule.style.color = ...` is not). The adoptedStyleSheets setter is hooked; in-place changes of
//   the array (push) are found by a poll (pollAdopted).
(function makeStyles(rec) {
  "use strict";
  // ------------------------------------------------------------ URLs
  var ABS = /^(?:[a-z][a-z0-9+.\-]*:|#)/i;
  var CSSURL = /url\(\s*(['"]?)([^'")]*)\1\s*\)/gi, CSSIMPORT = /@import\s+(['"])([^'"]*)\1/gi;
  function absUrl(v, base) {
    if (!v || ABS.test(v)) return v;
    try { return new URL(v.trim(), base).href; } catch (e) { return v; }
  }
  function absSrcset(v, base) {
    return v.split(/,\s+/).map(function (part) {
      var s = part.trim(), i = s.search(/\s/);
      return i < 0 ? absUrl(s, base) : absUrl(s.slice(0, i), base) + s.slice(i);
    }).join(", ");
  }
  function absAttr(name, v, base) {
    return name === "srcset" || name === "imagesrcset" ? absSrcset(v, base) : absUrl(v, base);
  }
  function absCss(text, base) {
    if (!text || (text.indexOf("url(") < 0 && text.indexOf("@import") < 0)) return text;
    return text.replace(CSSURL, function (m, q, u) {
      return !u || ABS.test(u) ? m : "url(" + q + absUrl(u, base) + q + ")";
    }).replace(CSSIMPORT, function (m, q, u) {
      return ABS.test(u) ? m : "@import " + q + absUrl(u, base) + q;
    });
  }
  function baseOf(n) {
    var d = n.ownerDocument || n;
    return d.baseURI || document.baseURI;
  }

  // ------------------------------------------------------------ sheets
  var sheetIds = new WeakMap(), nextSheet = 1, sheetSent = new WeakSet(), sheetCh = new Set(), adoptCh = new Set();
  var adoptedLast = new WeakMap(), cssTouched = new WeakSet();  // <style>/<link> elements whose rules a script changed
  function rulesText(sheet) {
    try {
      var r = sheet.cssRules, a = [];
      for (var i = 0; i < r.length; i++) a.push(r[i].cssText);
      var o = sheet.ownerNode;
      return absCss(a.join("\n"), sheet.href || (o ? baseOf(o) : document.baseURI));
    } catch (e) { return null; }  // a cross-origin sheet
  }
  function styleCss(el) {
    // The rules of a <style> when they are not its text (changed from script, or a text-less CSS-in-JS
    // sheet), or of a <link> whose rules were changed from script.
    var sh = el.sheet;
    if (!sh) return null;
    if (cssTouched.has(el) || (el.localName === "style" && !el.firstChild && sh.cssRules && sh.cssRules.length))
      return rulesText(sh);
    return null;
  }
  function sheetId(sh) {
    var i = sheetIds.get(sh);
    if (i === undefined) { i = nextSheet++; sheetIds.set(sh, i); }
    return i;
  }
  function sheetsOf(root) {
    try { var a = root.adoptedStyleSheets; return a && a.length !== undefined ? a : null; } catch (e) { return null; }
  }
  // The adopted sheets of a document or shadow root as wire refs (null when none and none before).
  function adoptedOf(root, always) {
    var a = sheetsOf(root);
    if (!a) return null;
    adoptedLast.set(root, Array.prototype.slice.call(a));
    if (!a.length && !always) return null;
    var out = [];
    for (var i = 0; i < a.length; i++) {
      var sh = a[i], id = sheetId(sh);
      if (sheetSent.has(sh)) { out.push(id); continue; }
      sheetSent.add(sh);
      var t = rulesText(sh);
      out.push([id, t === null ? "" : rec.pageMasked() ? rec.maskText(t) : t]);
    }
    return out;
  }
  function sheetTouched(sh) {
    if (!rec.active()) return;
    var o = sh.ownerNode;
    if (o && (o.localName === "style" || o.localName === "link")) {
      cssTouched.add(o);
      if (rec.sent(o)) rec.styleChanged(o);
    } else if (!o && sheetSent.has(sh)) { sheetCh.add(sh); rec.poke(); }
  }
  // Wrap proto[name] so that a call marks the sheet sheetOf(this) as changed (never breaking the call).
  function hookCss(proto, name, sheetOf) {
    var f = proto[name];
    if (typeof f !== "function") return;
    setMethod(proto, name, function () {
      var r = f.apply(this, arguments), sh = null;
      if (!rec.active()) return r;
      try {
        sh = sheetOf ? sheetOf(this) : this;
        if (!sh) return r;
        if (name === "replace" && r && typeof r.then === "function")
          r.then(function () { try { sheetTouched(sh); } catch (e) { /* never break the page */ } }, function () {});
        else sheetTouched(sh);
      } catch (e) { /* never break the page */ }
      return r;
    });
  }
  // proto[name] = f, unless the page froze the prototype (then that method is not hooked).
  function setMethod(proto, name, f) {
    try { proto[name] = f; } catch (e) { /* a frozen prototype */ }
  }
  function hookAdopt(proto) {
    var d = Object.getOwnPropertyDescriptor(proto, "adoptedStyleSheets");
    if (!d || !d.set || !d.configurable) return;
    Object.defineProperty(proto, "adoptedStyleSheets", {configurable: true, enumerable: d.enumerable, get: d.get,
      set: function (v) {
        d.set.call(this, v);
        try { if (rec.active()) { adoptCh.add(this); rec.poke(); } } catch (e) { /* never break the page */ }
      }});
  }
  function hookSheets(w) {
    var p = w.CSSStyleSheet.prototype;
    hookCss(p, "insertRule"); hookCss(p, "deleteRule"); hookCss(p, "replace"); hookCss(p, "replaceSync");
    hookCss(p, "addRule"); hookCss(p, "removeRule");
    // rules inside @media/@supports, and declarations of rules changed with setProperty/removeProperty
    // (an element's own style attribute is seen by the MutationObserver instead)
    function ruleSheet(rule) { return rule.parentStyleSheet; }
    function declSheet(decl) { var pr = decl.parentRule; return pr ? pr.parentStyleSheet : null; }
    if (w.CSSGroupingRule) { hookCss(w.CSSGroupingRule.prototype, "insertRule", ruleSheet); hookCss(w.CSSGroupingRule.prototype, "deleteRule", ruleSheet); }
    if (w.CSSStyleDeclaration) {
      hookCss(w.CSSStyleDeclaration.prototype, "setProperty", declSheet);
      hookCss(w.CSSStyleDeclaration.prototype, "removeProperty", declSheet);
    }
    if (w.Document) hookAdopt(w.Document.prototype);
    if (w.ShadowRoot) hookAdopt(w.ShadowRoot.prototype);
  }
  // In-place changes of an adoptedStyleSheets array (push, splice) have no setter: compare now and then.
  function pollAdopted() {
    if (!rec.active()) return;
    function check(r) {
      var a = sheetsOf(r);
      if (!a) return;
      var last = adoptedLast.get(r) || [];
      var same = last.length === a.length;
      for (var i = 0; same && i < a.length; i++) same = a[i] === last[i];
      if (!same) { adoptCh.add(r); rec.poke(); }
    }
    check(document);
    rec.docs().forEach(check);
  }
  // The `as` and `ss` entries of a batch.
  function takeSheets(b) {
    var any = false;
    if (adoptCh.size) {
      var as = [];
      adoptCh.forEach(function (r) {
        var refs;
        if (r === document) { refs = adoptedOf(r, true); if (refs) as.push([0, refs]); return; }
        if (r.nodeType === 9) {
          var f = rec.frameOf(r);
          if (f && rec.sent(f) && rec.docs().has(r)) { refs = adoptedOf(r, true); if (refs) as.push([rec.nid(f), refs, 1]); }
          return;
        }
        if (rec.sent(r) && r.host && r.host.isConnected) { refs = adoptedOf(r, true); if (refs) as.push([rec.nid(r), refs]); }
      });
      if (as.length) { b.as = as; any = true; }
    }
    if (sheetCh.size) {
      var ss = [];
      sheetCh.forEach(function (sh) {
        if (!sheetSent.has(sh)) return;
        var t = rulesText(sh);
        if (t !== null) ss.push([sheetId(sh), rec.pageMasked() ? rec.maskText(t) : t]);
      });
      if (ss.length) { b.ss = ss; any = true; }
    }
    return any;
  }

  // ------------------------------------------------------------ the walker's view
  // A new snapshot sends every adopted sheet's rules again.
  function newSnapshot() { sheetSent = new WeakSet(); }
  function clearChanges() { sheetCh = new Set(); adoptCh = new Set(); }
  function changed() { return sheetCh.size > 0 || adoptCh.size > 0; }
  return {absAttr: absAttr, absCss: absCss, baseOf: baseOf, rulesText: rulesText, styleCss: styleCss,
          adoptedOf: adoptedOf, hookSheets: hookSheets, pollAdopted: pollAdopted, takeSheets: takeSheets,
          newSnapshot: newSnapshot, clearChanges: clearChanges, changed: changed};
});
