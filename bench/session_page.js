/* The bench page's own script (bench/bench_session.py serves it before the
   recorder under test): milestones as performance.now() values in window.__b,
   read by the bench. Not part of the product. */
(function () {
  "use strict";
  var b = window.__b = {t0: null, sessionstart: null, snapshot: null, features: null, events: []};
  // The first dom_snapshot frame the page sends (the SDK's cobrowse view).
  var send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (d) {
    if (b.snapshot === null && typeof d === "string" && d.slice(0, 400).indexOf("dom_snapshot") >= 0) b.snapshot = performance.now();
    return send.apply(this, arguments);
  };
  function mark() { performance.mark("bench-t0"); b.t0 = performance.now(); }
  // SDK: startSession() until sessionstart; the agent's rc request is accepted.
  b.startSdk = function (key) {
    var V = GLANCE.Cobrowse.Visitor;
    ["sessionstart", "rcrequested", "visitorvideorequested", "agentdocshare", "agents", "error", "sessionstarting", "sessionend"].forEach(function (n) {
      V.addEventListener(n, function (p) {
        b.events.push(n === "error" ? n + ":" + JSON.stringify(p) : n);
        if (n === "sessionstart" && b.sessionstart === null) b.sessionstart = performance.now();
        if (n === "rcrequested" && p && p.accept) p.accept();
      });
    });
    var poll = setInterval(function () {
      var L = GLANCE.Cobrowse._loader;
      if (L.featuresAt !== null) { b.features = L.featuresAt; clearInterval(poll); }
    }, 20);
    mark();
    V.startSession(key);
  };
  // rrweb: load the script, start recording; its full snapshot is the first snapshot.
  b.startRrweb = function (src, global) {
    mark();
    var s = document.createElement("script");
    s.src = src;
    s.onload = function () {
      var record = global === "rrwebRecord" ? window.rrwebRecord : window.rrweb.record;
      record({emit: function (e) {
        if (e.type === 2 && b.snapshot === null) {
          b.snapshot = b.sessionstart = b.features = performance.now();
        }
      }});
    };
    document.head.appendChild(s);
  };
  // No recorder: the same window of time, nothing started.
  b.startNone = function () {
    mark();
    b.sessionstart = b.snapshot = b.features = performance.now();
  };
})();
