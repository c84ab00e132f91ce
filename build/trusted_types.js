  // Trusted Types (build/trusted_types.js, put here by build/build.py): one policy,
  // "glance-cobrowse", made on first use (only where the browser has Trusted
  // Types); it makes script URLs under this script's own base URL (`base`) only.
  var policy = null;
  function scriptURL(url) {
    var tt = W.trustedTypes;
    if (!tt || typeof tt.createPolicy !== "function") return url;
    if (!policy) policy = tt.createPolicy("glance-cobrowse", {createScriptURL: function (u) {
      u = String(u);
      var rest = u.slice(base.length);
      if (!base || u.slice(0, base.length) !== base || rest.indexOf("..") >= 0 || rest.indexOf("\\") >= 0) {
        throw new TypeError("GLANCE: refusing to load " + u + ": not under the cobrowse script's URL " + (base || "(unknown)"));
      }
      return u;
    }});
    return policy.createScriptURL(url);
  }
