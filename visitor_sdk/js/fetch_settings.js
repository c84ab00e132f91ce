// The group's public settings (visitor_sdk/group_settings.py): GET url without credentials, then
// ok({masking_selectors, trusted_origins}) (each a list of at most 1000 strings or nulls, or null)
// or fail(why) once, also when no answer comes within timeoutMs.
(function fetchSettings(url, ok, fail, timeoutMs) {
  "use strict";
  var done = false, ctl = null, timer = null;
  function finish(f, v) {
    if (done) return;
    done = true;
    if (timer !== null) clearTimeout(timer);
    try { f(v); } catch (e) { console.error("GLANCE: the group settings callback failed: " + e); }
  }
  try { ctl = new AbortController(); } catch (e) { ctl = null; }
  timer = setTimeout(function () {
    try { if (ctl) ctl.abort(); } catch (e) {}
    finish(fail, "no answer within " + Math.round(timeoutMs / 1000) + " s");
  }, timeoutMs);
  try {
    fetch(url, {credentials: "omit", cache: "no-store", mode: "cors", signal: ctl ? ctl.signal : undefined})
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status + " from " + url);
        return r.json();
      })
      .then(function (j) {
        if (!j || typeof j !== "object" || Array.isArray(j)) throw new Error("the answer from " + url + " is not an object");
        var out = {masking_selectors: null, trusted_origins: null};
        ["masking_selectors", "trusted_origins"].forEach(function (k) {
          var m = j[k];
          if (!Array.isArray(m)) return;
          out[k] = [];
          for (var i = 0; i < m.length && i < 1000; i++) out[k].push(typeof m[i] === "string" ? m[i].slice(0, 1000) : null);
        });
        finish(ok, out);
      })
      .catch(function (e) { finish(fail, String(e && e.message ? e.message : e)); });
  } catch (e) {
    finish(fail, String(e && e.message ? e.message : e));
  }
});
