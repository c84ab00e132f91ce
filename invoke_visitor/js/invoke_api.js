// GLANCE.Cobrowse.InvokeVisitor's JS side (invoke_visitor/main.py): keeps the visitor's window out of
// Python, throws real Errors for the markers the Python side returns, and installs the API without
// replacing existing GLANCE objects. prepInit(groupid, origin) and prepInvoke(func, args) are the
// Python checks; returns the installed {init, invoke}.
(function installInvokeVisitor(prepInit, prepInvoke) {
  "use strict";
  var api = {}, wnd = null, target = null;
  function fail(r) {
    var C = r.type === "TypeError" ? TypeError : Error;
    throw new C(String(r.__glance_error__));
  }
  function isMarker(r) {
    return r !== null && typeof r === "object" && typeof r.__glance_error__ === "string";
  }
  api.init = function init(w, groupid, origin) {
    wnd = null; target = null;
    var usable = false;
    try { usable = w !== null && w !== undefined && typeof w.postMessage === "function"; } catch (e) { usable = false; }
    if (!usable) {
      throw new TypeError("GLANCE.Cobrowse.InvokeVisitor.init(wnd, groupid, origin): wnd must be the visitor's " +
        "window, such as the result of window.open() or an iframe's contentWindow");
    }
    var r = prepInit(groupid === undefined ? null : groupid, origin === undefined ? null : origin);
    if (isMarker(r)) fail(r);
    wnd = w; target = r.target;
  };
  api.invoke = function invoke(func, args) {
    if (wnd === null) {
      throw new Error("GLANCE.Cobrowse.InvokeVisitor.invoke: call GLANCE.Cobrowse.InvokeVisitor.init(wnd, groupid, origin) first");
    }
    var closed = true;
    try { closed = !!wnd.closed; } catch (e) { closed = true; }
    if (closed) {
      throw new Error("GLANCE.Cobrowse.InvokeVisitor.invoke: the visitor window is closed; open it again and call init");
    }
    var msg = prepInvoke(func === undefined ? null : func, args === undefined ? null : args);
    if (isMarker(msg)) fail(msg);
    try {
      wnd.postMessage(msg, target);
    } catch (e) {
      throw new Error("GLANCE.Cobrowse.InvokeVisitor.invoke: postMessage failed: " + (e && e.message ? e.message : e));
    }
  };
  var G = window.GLANCE;
  if (G === null || (typeof G !== "object" && typeof G !== "function")) { G = window.GLANCE = {}; }
  if (G.Cobrowse === null || (typeof G.Cobrowse !== "object" && typeof G.Cobrowse !== "function")) { G.Cobrowse = {}; }
  G.Cobrowse.InvokeVisitor = api;
  return api;
});
