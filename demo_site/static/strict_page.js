/* The page's own script on /strict (runs before the cobrowse tag): it holds
   its own values under the names Brython would use, notes the global names
   and every Content-Security-Policy violation, and builds the same event log
   as the other demo pages, on the public GLANCE.Cobrowse.Visitor events. */
(function () {
  window.$B = "the page's own $B";
  window.key = "the page's own key";
  window.docs = "the page's own docs";
  window.__BRYTHON__ = "the page's own __BRYTHON__";
  window.process = {env: {}, browser: true};  // as webpack's process shim (no process.release)
  window.cspViolations = [];
  document.addEventListener("securitypolicyviolation", function (e) {
    window.cspViolations.push({directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
                               line: e.lineNumber, sample: e.sample});
  });
  window.demoEvents = [];
  window.demoAttached = false;
  window.demoEventNames = [];
  window.rc = null;  // the rcrequested payload (tests)
  window.pageGlobals = null;  // set below, so it is among the names it lists
  window.pageGlobals = Object.getOwnPropertyNames(window);

  function log(name, payload) {
    var text;
    try { text = JSON.stringify(payload, function (k, v) { return typeof v === "function" ? "[function]" : v; }); } catch (e) { text = String(payload); }
    window.demoEvents.push({name: name, payload: text});
    var li = document.createElement("li");
    li.className = "event-" + name;
    li.textContent = name + " " + text;
    document.getElementById("event-log").appendChild(li);
  }
  function attach() {
    if (window.demoAttached) return;
    window.demoAttached = true;
    var V = GLANCE.Cobrowse.Visitor;
    window.demoEventNames.forEach(function (name) { V.addEventListener(name, function (p) { log(name, p); }); });
    document.getElementById("start-session").addEventListener("click", function () { V.startSession("GLANCE_KEYTYPE_RANDOM"); });
    document.getElementById("stop-session").addEventListener("click", function () { V.stopSession(); });
    document.getElementById("strict-button").addEventListener("click", function () {
      document.getElementById("strict-hello").textContent = "Hello " + document.getElementById("strict-name").value;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    window.demoEventNames = JSON.parse(document.body.getAttribute("data-events") || "[]");
    if (window.GLANCE && GLANCE.Cobrowse && GLANCE.Cobrowse.Visitor) attach();
    else document.getElementById("glance-cobrowse").addEventListener("load", attach);
  });
})();
