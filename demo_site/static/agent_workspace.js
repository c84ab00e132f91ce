/*
 * Agent console: the workspace's toolbar (demo_site/templates/agent.html, #toolbar).
 *
 * - The state badge (#ws-state) says what is happening, most important first:
 *   "session ended", "reconnecting…" (the agent's own connection), "visitor
 *   reconnecting", "paused by visitor" / "paused", "requesting control…",
 *   "control on", "view only".
 * - Modes View / Control / Draw (agent_control.js). Control asks the visitor
 *   for remote control when it is off (rcrequest); once the visitor accepts
 *   (rcenabled) the workspace is in Control mode, and back in View when it ends.
 * - Zoom: Fit, 100%, -, + (agentReplay.setZoom).
 * - The visitor's URL: the address field follows the copy's page; Back,
 *   Forward and Go navigate the visitor (agent.js sends them).
 * - Keyboard shortcuts (outside text fields and outside the copy): V, C, D,
 *   0, 1, +, -, Alt+Left / Alt+Right, L, P, G, Shift+E, Shift+D, Escape.
 * - #ws-feedback tells the agent what a gesture or an action did, and what
 *   the visitor answered.
 *
 * window.agentWorkspace: state, setMode(m), feedback(text, kind), toggleDebug(open?).
 */
(function () {
  "use strict";
  var api = {state: "view"};
  var rcPending = false, pausedBy = null, visitorPresence = null;

  function $(id) { return document.getElementById(id); }
  function consoleApi() { return window.agentConsole; }
  function control() { return window.agentControl; }
  function replay() { return window.agentReplay; }

  var REFUSALS = {
    badpayload: "the request was malformed",
    notenabled: "remote control is not on",
    paused: "the session is paused",
    notfound: "that element is no longer on the visitor\u2019s page",
    nottypable: "that element cannot be typed into",
    notedited: "you have not typed into that field",
    password: "password fields can never be typed into or read",
    masked: "the field is masked",
    maskingunknown: "the page\u2019s masking settings are not loaded",
    maskingerror: "the page\u2019s masking settings cannot be used",
    pending: "a request is already waiting for the visitor"
  };
  var VERBS = {click: "Clicked", dblclick: "Double-clicked", agenttyping: "Typed into", inputchange: "Changed",
               key: "Pressed a key on", focus: "Moved the focus to", scroll: "Scrolled"};

  api.feedback = function (text, kind) {
    var el = $("ws-feedback");
    if (!el) return;
    el.textContent = text;
    el.className = "feedback" + (kind ? " " + kind : "");
  };

  // ------------------------------------------------------------ state
  function render() {
    var s = consoleApi() && consoleApi().session, st = s ? s.status : "idle", rc = replay() && replay().rcEnabled;
    var state, text;
    if (st === "ended" || st === "left" || st === "failed") { state = "over"; text = st === "left" ? "you left" : st === "failed" ? "disconnected" : "session ended"; }
    else if (st === "reconnecting" || st === "joining") { state = "reconnecting"; text = st === "joining" ? "joining\u2026" : "reconnecting\u2026"; }
    else if (visitorPresence === "reconnecting") { state = "visitor-reconnecting"; text = "visitor reconnecting"; }
    else if (visitorPresence === "gone") { state = "visitor-gone"; text = "visitor left"; }
    else if (pausedBy) { state = "paused"; text = pausedBy === "visitor" ? "paused by visitor" : "paused"; }
    else if (rcPending) { state = "requesting"; text = "requesting control\u2026"; }
    else if (rc) { state = "control"; text = "control on"; }
    else { state = "view"; text = "view only"; }
    api.state = state;
    var badge = $("ws-state");
    if (badge && badge.textContent !== text) badge.textContent = text;
    if (badge) badge.className = "badge state-" + state;
    var mode = control() ? control().mode : "view";
    ["view", "control", "draw"].forEach(function (m) {
      var b = $("mode-" + m);
      if (b) b.setAttribute("aria-pressed", mode === m ? "true" : "false");
    });
    var stage = $("stage");
    if (stage) stage.setAttribute("data-mode", mode);
  }

  /** "view", "control" (asks the visitor for remote control when it is off) or "draw". */
  api.setMode = function (m) {
    if (!control()) return;
    if (m === "control" && !(replay() && replay().rcEnabled) && !rcPending) {
      try {
        consoleApi().action("rcrequest");
        rcPending = true;
        api.feedback("Asked the visitor for remote control\u2026");
      } catch (e) { api.feedback(String(e && e.msg || e), "refused"); return; }
    }
    control().setMode(m);
    render();
  };

  function frame(f) {
    if (f.type === "presence") visitorPresence = f.status;
    else if (f.type === "end") visitorPresence = null;
    if (f.type === "visitor_event") {
      var p = f.payload || {};
      if (f.name === "rcaccepted") { rcPending = false; api.feedback("The visitor accepted remote control: your clicks and keys act on their page."); }
      else if (f.name === "rcdeclined") { rcPending = false; api.feedback("The visitor declined remote control.", "refused"); if (control()) control().setMode("view"); }
      else if (f.name === "rcenabled") {
        rcPending = false;
        if (control()) control().setMode(p.enabled ? "control" : (control().mode === "draw" ? "draw" : "view"));
        if (!p.enabled) api.feedback("Remote control is off" + (p.by === "visitor" ? ": the visitor ended it." : "."));
      } else if (f.name === "rcrefused") {
        if (p.reason === "pending") rcPending = true;
        else rcPending = false;
        api.feedback("Refused: " + (VERBS[p.type] ? VERBS[p.type].toLowerCase() + " the element" : "remote control") +
                     " \u2014 " + (REFUSALS[p.reason] || p.reason) + ".", "refused");
      } else if (f.name === "rcevent") {
        api.feedback((VERBS[p.type] || "Did " + p.type + " on") + " " + (p.type === "scroll" && !p.path ? "the page" : "the element") +
                     " on the visitor\u2019s page" + (p.type === "agenttyping" ? "" : ".") + (p.type === "agenttyping" ? " (the field holds what you typed)." : ""));
      } else if (f.name === "outlinerefused") {
        api.feedback("The outline could not be shown: " + (p.reason === "notfound" ? "that element is gone" : p.reason) + ".", "refused");
      } else if (f.name === "sessionpaused") {
        pausedBy = p.paused ? (api.pauseWanted === true ? "agent" : "visitor") : null;
        api.pauseWanted = null;
      } else if (f.name === "navigation" && typeof p.url === "string") {
        $("nav-url").value = p.url;
      }
    }
    render();
  }

  // ------------------------------------------------------------ zoom
  function zoom(z) {
    if (!replay() || !replay().setZoom) return;
    replay().setZoom(z);
  }
  document.addEventListener("agentreplay:zoom", function (ev) {
    var d = ev.detail, lvl = $("zoom-level");
    if (lvl) lvl.textContent = Math.round(d.scale * 100) + "%";
    $("zoom-fit").setAttribute("aria-pressed", d.zoom === "fit" ? "true" : "false");
    $("zoom-100").setAttribute("aria-pressed", d.zoom === 1 ? "true" : "false");
  });
  document.addEventListener("agentreplay:snapshot", function (ev) {
    var url = ev.detail && ev.detail.url, field = $("nav-url");
    if (url && field && document.activeElement !== field) field.value = url;
  });
  document.addEventListener("agentreplay:rc", function () { render(); });

  // ------------------------------------------------------------ debug
  api.toggleDebug = function (open) {
    var panel = $("debug-panel"), btn = $("debug-toggle");
    var want = open === undefined ? panel.hidden : !!open;
    panel.hidden = !want;
    btn.setAttribute("aria-expanded", want ? "true" : "false");
    return want;
  };

  // ------------------------------------------------------------ keyboard
  function typingIn(el) {
    return el && (el.isContentEditable || /^(input|textarea|select)$/i.test(el.localName));
  }
  function click(id) { var b = $(id); if (b && !b.disabled && !b.closest("[hidden]")) b.click(); }
  function shortcut(ev) {
    if ($("session-panel").hidden || ev.ctrlKey || ev.metaKey) return;
    var k = ev.key, el = document.activeElement;
    if (ev.altKey) {
      if (k === "ArrowLeft") { click("act-back"); ev.preventDefault(); }
      else if (k === "ArrowRight") { click("act-forward"); ev.preventDefault(); }
      return;
    }
    if (k === "Escape") { api.setMode("view"); return; }
    if (typingIn(el) || (el && el.localName === "iframe")) return;
    var done = true;
    if (k === "v" || k === "V" && !ev.shiftKey) api.setMode("view");
    else if (k === "c") api.setMode("control");
    else if (k === "d") api.setMode("draw");
    else if (k === "D") api.toggleDebug();
    else if (k === "0") zoom("fit");
    else if (k === "1") zoom(1);
    else if (k === "+" || k === "=") zoom("in");
    else if (k === "-") zoom("out");
    else if (k === "l" || k === "L") { $("nav-url").focus(); $("nav-url").select(); }
    else if (k === "p" || k === "P") click("act-pause");
    else if (k === "g") { $("guest-name").focus(); $("guest-name").select(); }
    else if (k === "E") click("end-session");
    else done = false;
    if (done) ev.preventDefault();
  }

  function wire() {
    ["view", "control", "draw"].forEach(function (m) {
      $("mode-" + m).addEventListener("click", function () { api.setMode(m); });
    });
    $("zoom-fit").addEventListener("click", function () { zoom("fit"); });
    $("zoom-100").addEventListener("click", function () { zoom(1); });
    $("zoom-in").addEventListener("click", function () { zoom("in"); });
    $("zoom-out").addEventListener("click", function () { zoom("out"); });
    $("debug-toggle").addEventListener("click", function () { api.toggleDebug(); });
    $("act-pause").addEventListener("click", function () { api.pauseWanted = $("act-pause").getAttribute("aria-pressed") !== "true"; }, true);
    $("act-rcrequest").addEventListener("click", function () { if (!(replay() && replay().rcEnabled)) { rcPending = true; render(); } });
    document.addEventListener("keydown", shortcut);
    if (consoleApi()) {
      consoleApi().onFrame(frame);
      consoleApi().onStatus(render);
      consoleApi().onJoin(function () {
        rcPending = false; pausedBy = null; visitorPresence = null;
        if (control()) control().setMode("view");
        api.feedback("");
        render();
      });
    }
    render();
  }
  wire();
  window.agentWorkspace = api;
})();
