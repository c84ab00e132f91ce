// Helpers of visitor_sdk/jsconv.py that look at JS values without Brython's conversions.
// jsconvHelpers() returns {classify, pageGlobal, plainJson}.
(function jsconvHelpers() {
  "use strict";
  // 'null', 'undefined', 'array', 'object' (a plain object), 'other' (any other object) or typeof v.
  function classify(v) {
    if (v === null) return "null";
    if (v === undefined) return "undefined";
    if (Array.isArray(v)) return "array";
    var t = typeof v;
    if (t === "object") {
      var p = Object.getPrototypeOf(v);
      return (p === null || p === Object.prototype) ? "object" : "other";
    }
    return t;
  }

  // The page's global `n` (undefined when it has none).
  function pageGlobal(n) {
    return globalThis[n];
  }

  // JSON text of `v` when it is plain data within the limits (null, undefined (as null), booleans,
  // finite numbers, strings, arrays, plain objects), else null. from_js then converts in one step
  // instead of walking the value from Python, which is many times slower under Brython. Declines
  // when the page has put enumerable properties or toJSON on the prototypes (JSON would see them).
  function plainJson(v, depth, maxDepth, maxItems) {
    for (var p in {}) return null;  // an enumerable property on Object.prototype
    if (Object.prototype.toJSON !== undefined || Array.prototype.toJSON !== undefined) return null;
    function walk(x, d) {
      if (x === null || x === undefined || typeof x === "boolean" || typeof x === "string") return true;
      if (typeof x === "number") return isFinite(x);
      if (typeof x !== "object" || d > maxDepth) return false;
      if (Array.isArray(x)) {
        if (x.length > maxItems) return false;
        for (var i = 0; i < x.length; i++) if (!walk(x[i], d + 1)) return false;
        return true;
      }
      var pr = Object.getPrototypeOf(x);
      if (pr !== null && pr !== Object.prototype) return false;
      var ks = Object.keys(x);
      if (ks.length > maxItems) return false;
      for (var j = 0; j < ks.length; j++) if (!walk(x[ks[j]], d + 1)) return false;
      return true;
    }
    try { return walk(v, depth) ? JSON.stringify(v, function (k, x) { return x === undefined ? null : x; }) : null; }
    catch (e) { return null; }
  }

  return {classify: classify, pageGlobal: pageGlobal, plainJson: plainJson};
});
