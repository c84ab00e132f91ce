// The page's masking descriptor (visitor_sdk/capture.py): calls GLANCE_COBROWSE.getMaskingDescriptor()
// (its result or a Promise of it) and answers done(ok, value) exactly once: done(true, null) when the page
// has none, done(true, {maskedSelectors: [string or null, ...] or null or "bad"}), or done(false, why)
// when it throws, rejects or does not answer within timeoutMs.
(function askDescriptor(gc, timeoutMs, done) {
  "use strict";
  var finished = false;
  function finish(ok, v) { if (finished) return; finished = true; try { done(ok, v); } catch (e) { console.error("GLANCE: " + e); } }
  var f = gc && typeof gc.getMaskingDescriptor === "function" ? gc.getMaskingDescriptor : null;
  if (!f) { finish(true, null); return; }
  setTimeout(function () { finish(false, "getMaskingDescriptor() did not answer within " + timeoutMs + " ms"); }, timeoutMs);
  try {
    Promise.resolve(f.call(gc)).then(function (v) {
      var out = null;
      if (v && typeof v === "object") {
        var s = v.maskedSelectors;
        out = {maskedSelectors: Array.isArray(s) ? s.slice(0, 1000).map(function (x) { return typeof x === "string" ? x : null; }) : (s === undefined || s === null ? null : "bad")};
      }
      finish(true, out);
    }, function (e) { finish(false, "getMaskingDescriptor() failed: " + e); });
  } catch (e) { finish(false, "getMaskingDescriptor() threw: " + e); }
});
