// The glance_invoke receiver's copy of a message (visitor_sdk/invoke_receiver.py): makeCopy(NODES, DEPTH)
// returns copy(m), which encodes m.data as nested JS arrays that Brython hands to Python as lists
// without any per-key attribute lookups (reading keys such as "toString" or "hasOwnProperty" through
// a JSObject is not safe), with a hard budget: at most NODES values, nested at most DEPTH + 1 deep,
// so cycles or huge arrays cost nothing. copy(m) returns [data, origin, problem]:
//   null/undefined -> null          string, number, boolean -> itself
//   array -> ["a", item, ...]        plain object -> ["o", key, value, ...]
//   anything else (Date, Map, typed array, BigInt, ...) -> ["x", typeof/kind]
// Own enumerable keys only; a key named like a property of Object.prototype ("__proto__",
// "hasOwnProperty", ...) is left out and reported as the problem.
(function makeCopy(NODES, DEPTH) {
  "use strict";
  var RESERVED = Object.getOwnPropertyNames(Object.prototype);
  return function copy(m) {
    var budget = NODES, problem = null;
    function walk(v, depth) {
      budget--;
      if (v === null || v === undefined) return null;
      var t = typeof v;
      if (t === "string" || t === "boolean" || t === "number") return v;
      if (t !== "object") return ["x", t];
      if (depth > DEPTH) return ["a"];
      var r, i, n;
      if (Array.isArray(v)) {
        r = ["a"];
        n = v.length;
        for (i = 0; i < n && budget > 0; i++) r.push(walk(v[i], depth + 1));
        return r;
      }
      var p = Object.getPrototypeOf(v);
      if (p !== null && p !== Object.prototype) {
        var name = "object";
        try { name = Object.prototype.toString.call(v).slice(8, -1); } catch (e) {}
        return ["x", name];
      }
      r = ["o"];
      var keys = Object.keys(v);
      for (i = 0; i < keys.length && budget > 0; i++) {
        budget--;
        if (RESERVED.indexOf(keys[i]) >= 0) {
          if (problem === null) problem = "the message has the reserved object key '" + keys[i] + "'";
          continue;
        }
        r.push(keys[i], walk(v[keys[i]], depth + 1));
      }
      return r;
    }
    var data = null, origin = "";
    try { data = walk(m.data, 0); } catch (e) { data = ["x", "unreadable"]; }
    try { origin = typeof m.origin === "string" ? m.origin.slice(0, 400) : ""; } catch (e) { origin = ""; }
    return [data, origin, problem];
  };
});
