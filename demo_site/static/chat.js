/* The demo chat window (templates/chat.html): the shop runs on the other
   origin (the same demo server reached as localhost instead of 127.0.0.1, or
   ?shop=<origin>). An external script, so the page runs under ?csp=tt. */
(function () {
  var GROUPID = document.body.getAttribute("data-groupid");
  var params = new URLSearchParams(location.search);
  function otherOrigin() {
    var u = new URL(location.href);
    if (u.hostname === "localhost") u.hostname = "127.0.0.1";
    else if (u.hostname === "127.0.0.1") u.hostname = "localhost";
    return u.origin;
  }
  var shopOrigin = otherOrigin();
  if (params.has("shop")) {
    try {
      var s = new URL(params.get("shop"));
      if (s.protocol === "http:" || s.protocol === "https:") shopOrigin = s.origin;
    } catch (e) { /* keep the default */ }
  }
  params.delete("shop");
  params.delete("csp");  // the chat's own policy; the shop is served without one
  var shopUrl = shopOrigin + "/" + (params.toString() ? "?" + params.toString() : "");
  document.getElementById("shop-origin").textContent = "visitor page: " + shopUrl;

  window.chatLog = [];
  function log(text) {
    window.chatLog.push(text);
    var li = document.createElement("li");
    li.textContent = text;
    document.getElementById("chat-log").appendChild(li);
  }
  var IV = GLANCE.Cobrowse.InvokeVisitor;
  var frame = document.getElementById("shop");
  window.chatReady = false;
  frame.addEventListener("load", function () {
    if (window.chatPopup) return;
    IV.init(frame.contentWindow, GROUPID, shopOrigin);
    window.chatReady = true;
    log("embedded " + shopUrl);
  });
  frame.src = shopUrl;

  function invoke(func, args) {
    try {
      if (args === undefined) IV.invoke(func); else IV.invoke(func, args);
      log("invoked " + func + (args === undefined ? "" : " " + JSON.stringify(args)));
    } catch (e) {
      log(e.name + ": " + e.message);
    }
  }
  function key() { return document.getElementById("chat-key").value; }
  document.getElementById("chat-start").onclick = function () { invoke("startSession", {sessionKey: key()}); };
  document.getElementById("chat-terms").onclick = function () { invoke("showTerms", {sessionKey: key()}); };
  document.getElementById("chat-stop").onclick = function () { invoke("stopSession"); };
  document.getElementById("chat-popup").onclick = function () {
    var w = window.open(shopUrl, "glance_shop");
    if (!w) { log("the browser blocked the new window"); return; }
    window.chatPopup = w;
    frame.remove();
    IV.init(w, GROUPID, shopOrigin);
    log("opened " + shopUrl + " in a new window");
  };
  window.chatInvoke = invoke;
})();
