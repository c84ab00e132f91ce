/* Agent console for the cobrowse demo: sign-in, the session list, the joined session's UI.
 *
 * The protocol itself is not written in JS: agent_session.js wraps the seat of
 * agent_console/ (the visitor SDK's session_client.py and reliability.py,
 * compiled with Brython into /dist/glance-agent-console.js): sequencing, acks,
 * resume, dedup and reconnect are that one Python client's.
 *
 * window.agentConsole is the page's scripting surface (used by the Playwright
 * tests): login(group, user, pass), loginWithKey(loginkey), join(group, key, user, pass, loginkey?),
 * action(name, payload), leave(), end(), frames (every frame received),
 * sent (every frame sent), status, agents, state, presence.
 */
(function () {
  "use strict";

  var PROTOCOL_VERSION = 1;
  var DOC_TYPES = ["pdf", "xlsx", "xls", "csv"];
  var POLL_MS = 2000;
  var MAX_LOG_ITEMS = 400;
  var MAX_FRAMES = 5000;

  var root = document.getElementById("console");
  var BASE = (root && root.getAttribute("data-base")) || location.origin;

  function $(id) { return document.getElementById(id); }

  function consoleError(code, msg) {
    var e = new Error(code + ": " + msg);
    e.code = code;
    e.msg = msg;
    return e;
  }

  function base64(text) {
    var bytes = new TextEncoder().encode(text), bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin);
  }

  function json(value) {
    try { return JSON.stringify(value); } catch (e) { return String(value); }
  }

  function frame(type, fields) {
    var out = {v: PROTOCOL_VERSION, type: type, seq: 0};
    for (var k in fields) if (Object.prototype.hasOwnProperty.call(fields, k)) out[k] = fields[k];
    return out;
  }

  // ---------------------------------------------------------------- UI
  var api = {
    frames: [],          // every frame received, in order
    sent: [],            // every frame sent, in order
    session: null,
    credentials: null    // {group, username, password} or {group, username, loginkey} after a successful login
  };
  var pollTimer = null;
  var paused = false;
  var frameListeners = [];

  /**
   * Extension point (agent_media.js uses it): fn(frame, session) runs for every
   * new reliable frame of the joined session, after the console applied it.
   * A listener that throws is logged and does not stop the others.
   */
  api.onFrame = function (fn) { if (typeof fn === "function") frameListeners.push(fn); };
  // fn(status, detail) on every status change of the joined session; fn(session) when a join starts.
  var statusListeners = [], joinListeners = [];
  api.onStatus = function (fn) { if (typeof fn === "function") statusListeners.push(fn); };
  api.onJoin = function (fn) { if (typeof fn === "function") joinListeners.push(fn); };
  function tell(list, a, b) {
    list.slice().forEach(function (fn) { try { fn(a, b); } catch (e) { console.error("agentConsole listener failed", e); } });
  }

  function say(text) { $("status").textContent = text; }

  function pushCapped(list, item) {
    list.push(item);
    if (list.length > MAX_FRAMES) list.splice(0, list.length - MAX_FRAMES);
  }

  function logLine(dir, f, cls) {
    var li = document.createElement("li");
    li.className = "log-" + (cls || f.type) + " dir-" + dir;
    var time = new Date().toLocaleTimeString();
    var text = (dir === "in" ? "\u2190 " : dir === "out" ? "\u2192 " : "\u2022 ") + time + " " + (f.type || "");
    if (f.seq) text += " #" + f.seq;
    if (f.name) text += " " + f.name;
    if (f.type === "visitor_event" || f.type === "agent_action") {
      if (f.payload !== undefined && f.payload !== null) {
        // The cobrowse view's dom_* frames are big and frequent: their name and size only.
        if (/^dom_/.test(f.name || "")) text += " (" + json(f.payload).length + " chars)";
        else text += " " + json(f.payload);
      }
      if (f.ref) text += " (ref " + f.ref + ")";
    } else if (f.type === "agents") {
      text += " count=" + f.count;
    } else if (f.type === "state") {
      text += " " + json(f.state);
    } else if (f.type === "presence") {
      text += " " + f.status + " tabs=" + f.tabs;
    } else if (f.type === "end") {
      text += " reason=" + f.reason + (f.msg ? " (" + f.msg + ")" : "");
    } else if (f.type === "error") {
      text += " " + f.code + ": " + f.msg;
    } else if (f.type === "join") {
      text += " key=" + f.key + " as " + f.username + (f.resume ? " (resume, last_seq=" + f.last_seq + ")" : "");
    } else if (f.type === "joined") {
      text += " as #" + f.num + (f.exact === false ? " (server lost state: resending)" : "") + " window=" + f.window + "s";
    } else if (f.type === "ack") {
      text += " " + f.ack;
    } else if (f.note) {
      text += f.note;
    }
    li.textContent = text;
    var log = $("log");
    log.appendChild(li);
    while (log.childNodes.length > MAX_LOG_ITEMS) log.removeChild(log.firstChild);
    log.scrollTop = log.scrollHeight;
  }

  function renderParticipants(s) {
    var ul = $("participants");
    ul.textContent = "";
    var list = (s.agents && s.agents.agentlist) || [];
    if (!list.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = "No agents yet.";
      ul.appendChild(none);
      return;
    }
    list.forEach(function (a) {
      var li = document.createElement("li");
      li.className = "participant";
      li.setAttribute("data-username", a.username || "");
      var who = a.role === "guest" ? (a.name || "Guest") : (a.name || a.username) + " (" + a.username + ")";
      var bits = [a.role || "agent"];
      if (a.title) bits.push(a.title);
      if (a.agentrole) bits.push(a.agentrole);
      bits.push("#" + a.num);
      li.textContent = who + " \u2014 " + bits.join(", ") + (a.num === s.num ? " \u00b7 you" : "");
      ul.appendChild(li);
    });
  }

  function renderVisitor(s) {
    var dl = $("visitor-info");
    dl.textContent = "";
    var v = s.visitor || {};
    Object.keys(v).forEach(function (k) {
      if (v[k] === null || v[k] === undefined || v[k] === "") return;
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = k;
      dd.textContent = String(v[k]);
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
  }

  // The buttons that act on the session (not the zoom, the modes' display or the debug toggle).
  var ALWAYS = {"debug-toggle": 1, "zoom-fit": 1, "zoom-100": 1, "zoom-in": 1, "zoom-out": 1, "replay-resync": 1};
  function setActionsEnabled(on) {
    var buttons = $("session-panel").querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) if (!ALWAYS[buttons[i].id]) buttons[i].disabled = !on;
  }

  var STATUS_TEXT = {joining: "joining\u2026", joined: "connected", reconnecting: "reconnecting\u2026",
                     ended: "session ended", left: "left the session", failed: "disconnected", idle: "not connected"};

  var hooks = {
    status: function (s, status, detail) {
      if (s !== api.session) return;
      $("conn-status").textContent = STATUS_TEXT[status] + (detail && status !== "joined" ? " (" + detail + ")" : "");
      setActionsEnabled(status === "joined" || status === "reconnecting");
      if (status === "ended") {
        say("The session ended (" + detail + ").");
        $("presence").textContent = "gone";
      } else if (status === "failed" && detail) {
        $("session-error").textContent = "Disconnected: " + detail;
        say("Disconnected from the session.");
      } else if (status === "reconnecting") {
        say("Connection lost, reconnecting.");
      } else if (status === "joined") {
        $("session-error").textContent = "";
      } else if (status === "left") {
        say("You left the session.");
      }
      refreshSessions();
      tell(statusListeners, status, detail);
    },
    joined: function (s, msg) {
      if (s !== api.session) return;
      renderVisitor(s);
      $("session-key").textContent = s.key;
    },
    received: function (f) {
      pushCapped(api.frames, f);
      if (f.type !== "ack" && f.type !== "pong") logLine("in", f);
    },
    sent: function (f) {
      if (f.type === "join") {   // never keep or show the password or the login key
        f = frame("join", {group: f.group, key: f.key, username: f.username, resume: f.resume || null,
                           last_seq: f.last_seq, acked: f.acked});
      }
      pushCapped(api.sent, f);
      if (f.type !== "ack" && f.type !== "ping") logLine("out", f);
    },
    duplicate: function (f) { logLine("note", {type: "duplicate", note: " seq " + f.seq + " dropped"}, "note"); },
    note: function (text) { logLine("note", {type: "", note: text}, "note"); },
    error: function (s, msg) {
      if (s === api.session) $("session-error").textContent = msg.code + ": " + msg.msg;
    },
    frame: function (s, f) {
      if (s !== api.session) return;
      frameListeners.slice().forEach(function (fn) {
        try { fn(f, s); } catch (e) { console.error("agentConsole.onFrame listener failed", e); }
      });
      if (f.type === "agents") renderParticipants(s);
      else if (f.type === "state") $("session-state").textContent = JSON.stringify(s.state, null, 2);
      else if (f.type === "presence") {
        $("presence").textContent = f.status + (f.tabs ? " (" + f.tabs + " tab" + (f.tabs === 1 ? "" : "s") + ")" : "");
      } else if (f.type === "visitor_event") {
        var li = document.createElement("li");
        li.className = "answer answer-" + f.name;
        li.textContent = f.name + (f.payload === undefined || f.payload === null ? "" :
          /^dom_/.test(f.name || "") ? " (" + json(f.payload).length + " chars)" : " " + json(f.payload));
        if (f.name === "visitordocument" && f.payload && typeof f.payload.url === "string") {
          var get = document.createElement("button");
          get.type = "button";
          get.className = "doc-download";
          get.textContent = "Download " + f.payload.name;
          get.addEventListener("click", function () { downloadDoc(s, f.payload.url, String(f.payload.name)); });
          li.appendChild(document.createTextNode(" "));
          li.appendChild(get);
        }
        if (f.name === "rcrefused" || /refused$|error$/.test(f.name)) li.className += " answer-refused";
        var ul = $("answers");
        ul.insertBefore(li, ul.firstChild);
        while (ul.childNodes.length > 50) ul.removeChild(ul.lastChild);
        if (/^rc/.test(f.name)) rcAnswer(f);
        if (f.name === "sessionpaused" && f.payload && typeof f.payload.paused === "boolean") setPaused(f.payload.paused);
      }
    }
  };

  // ------------------------------------------------------------- login + list
  function sessionsUrl(group) { return BASE + "/api/groups/" + encodeURIComponent(group) + "/sessions"; }

  // What the console says for the refusals of a sign-in (docs/protocol.md, error codes).
  function signInText(code, group, msg) {
    return code === "loginkey_expired" ? "The login key has expired: ask your CRM for a new one."
      : code === "loginkey_group" ? "The login key was made for another group than " + group + "."
      : code === "loginkey_invalid" ? "The login key is not valid (malformed, or altered since it was made)."
      : code === "unauthorized" && msg ? "The login key was refused: " + msg
      : "Wrong username or password for group " + group + ".";
  }

  function fetchSessions(creds) {
    return fetch(sessionsUrl(creds.group), {
      headers: {"Authorization": creds.loginkey ? "LoginKey " + creds.loginkey
                                                : "Basic " + base64(creds.username + ":" + creds.password)},
      cache: "no-store",
      // "omit": a 401 then comes back to this code instead of Chromium holding the
      // request for a login prompt (the API answers WWW-Authenticate: Basic).
      credentials: "omit"
    }).then(function (r) {
      if (r.status === 401) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          var code = typeof body.code === "string" ? body.code : "unauthorized";
          throw consoleError(code, signInText(code, creds.group, creds.loginkey && code === "unauthorized" ?
            String(body.reason || "") : ""));
        });
      }
      if (r.status === 429) throw consoleError("rate_limited", "Too many failed sign-ins for this username or network: " +
                                               "try again in " + (r.headers.get("Retry-After") || "a few") + " seconds.");
      if (r.status === 404) throw consoleError("bad_group", "Group " + creds.group + " is not configured on this service.");
      if (!r.ok) throw consoleError("service", "The session service answered " + r.status + ".");
      return r.json();
    }, function () {
      throw consoleError("service", "The session service at " + BASE + " cannot be reached.");
    });
  }

  function parseGroup(text) {
    text = String(text).trim();
    if (!/^[1-9][0-9]{0,14}$/.test(text)) return null;
    return parseInt(text, 10);
  }

  /** The group id a login key names (lk1.<groupid>.<expires>.<user>.<signature>), else null. */
  function loginKeyGroup(loginkey) {
    var m = /^lk1\.([1-9][0-9]{0,14})\.[0-9]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.exec(String(loginkey));
    return m ? parseInt(m[1], 10) : null;
  }

  /** Sign in with a CRM's login key instead of a password (the key names the group and the agent). */
  api.loginWithKey = function (loginkey) {
    loginkey = String(loginkey || "").trim();
    $("login-error").textContent = "";
    var g = loginKeyGroup(loginkey);
    if (g === null) {
      var e = consoleError("loginkey_invalid", loginkey ? signInText("loginkey_invalid", "") : "Enter a login key.");
      $("login-error").textContent = e.msg;
      return Promise.reject(e);
    }
    return signIn({group: g, username: null, loginkey: loginkey});
  };

  /** Check the credentials against the group's session list; on success show the list and poll it. */
  api.login = function (group, username, password) {
    var g = parseGroup(group);
    $("login-error").textContent = "";
    if (g === null) {
      var e = consoleError("bad_group", "The group id must be a positive number.");
      $("login-error").textContent = e.msg;
      $("login-group").setAttribute("aria-invalid", "true");
      return Promise.reject(e);
    }
    $("login-group").removeAttribute("aria-invalid");
    if (!username || !password) {
      var e2 = consoleError("unauthorized", "Enter a username and a password.");
      $("login-error").textContent = e2.msg;
      return Promise.reject(e2);
    }
    return signIn({group: g, username: username, password: password});
  };

  function signIn(creds) {
    $("login-submit").disabled = true;
    return fetchSessions(creds).then(function (data) {
      $("login-submit").disabled = false;
      if (data.agent && data.agent.username) creds.username = data.agent.username;
      api.credentials = creds;
      $("login-panel").hidden = true;
      $("sessions-panel").hidden = false;
      $("signout").hidden = false;
      $("whoami").textContent = "Signed in as " + creds.username + " \u00b7 group " + creds.group;
      say("Signed in. " + data.sessions.length + " live session" + (data.sessions.length === 1 ? "" : "s") + ".");
      renderSessions(data.sessions);
      startPolling();
      return data.sessions;
    }, function (err) {
      $("login-submit").disabled = false;
      $("login-error").textContent = err.msg;
      throw err;
    });
  }

  api.logout = function () {
    stopPolling();
    var s = api.session;
    if (s && (s.status === "joined" || s.status === "reconnecting")) s.leave();   // give the seat back
    else if (s) s.close();
    api.credentials = null;
    $("sessions-panel").hidden = true;
    $("signout").hidden = true;
    $("login-panel").hidden = false;
    $("whoami").textContent = "";
    $("login-password").focus();
  };

  function startPolling() {
    stopPolling();
    pollTimer = setInterval(refreshSessions, POLL_MS);
  }
  function stopPolling() { clearInterval(pollTimer); pollTimer = null; }

  function refreshSessions() {
    var creds = api.credentials;
    if (!creds) return Promise.resolve([]);
    return fetchSessions(creds).then(function (data) {
      if (api.credentials !== creds) return [];
      $("sessions-error").textContent = "";
      renderSessions(data.sessions);
      return data.sessions;
    }, function (err) {
      $("sessions-error").textContent = err.msg;
      if (err.code === "unauthorized") api.logout();
      return [];
    });
  }
  api.refresh = refreshSessions;

  function visitorText(v) {
    v = v || {};
    var bits = [];
    ["name", "email", "phone", "visitorid"].forEach(function (k) { if (v[k]) bits.push(String(v[k])); });
    return bits.length ? bits.join(" \u00b7 ") : "anonymous";
  }

  function since(created) {
    var sec = Math.max(0, Math.round(Date.now() / 1000 - created));
    return sec < 60 ? sec + " s" : Math.floor(sec / 60) + " min " + (sec % 60) + " s";
  }

  function renderSessions(list) {
    var body = $("sessions-body");
    var seen = {};
    list.forEach(function (s) {
      seen[s.session] = true;
      var row = body.querySelector('tr[data-session="' + CSS.escape(s.session) + '"]');
      if (!row) {
        row = document.createElement("tr");
        row.setAttribute("data-session", s.session);
        row.setAttribute("data-key", s.key);
        for (var i = 0; i < 5; i++) row.appendChild(document.createElement("td"));
        var cell = document.createElement("td"), btn = document.createElement("button");
        btn.type = "button";
        btn.className = "join";
        btn.setAttribute("aria-label", "Join session " + s.key);
        btn.addEventListener("click", function () { joinFromUi(s.key); });
        cell.appendChild(btn);
        row.appendChild(cell);
        body.appendChild(row);
      }
      var cells = row.children;
      cells[0].textContent = s.key;
      cells[1].textContent = visitorText(s.visitor);
      if (s.page && (s.page.title || s.page.url)) {   // shown once the API reports the visitor's page
        var pg = document.createElement("div");
        pg.className = "muted page";
        pg.textContent = "on " + (s.page.title || s.page.url) + (s.page.title && s.page.url ? " (" + s.page.url + ")" : "");
        cells[1].appendChild(pg);
      }
      // A visitor no agent has joined yet is waiting: for how long (the list refreshes every 2 s).
      var waiting = !s.agents;
      row.classList.toggle("waiting", waiting);
      cells[2].textContent = !s.created ? "" : waiting ? "waiting " + since(s.created) :
        "since " + new Date(s.created * 1000).toLocaleTimeString();
      cells[3].textContent = String(s.tabs);
      cells[4].textContent = String(s.agents);
      var joinedHere = api.session && api.session.key === s.key && api.session.group === api.credentials.group &&
        (api.session.status === "joined" || api.session.status === "reconnecting" || api.session.status === "joining");
      var btn2 = cells[5].firstChild;
      btn2.textContent = joinedHere ? "Joined" : "Join";
      btn2.disabled = !!joinedHere;
    });
    Array.prototype.slice.call(body.children).forEach(function (row) {
      if (!seen[row.getAttribute("data-session")]) body.removeChild(row);
    });
    $("sessions-empty").hidden = list.length > 0;
    $("sessions").hidden = list.length === 0;
    $("sessions-updated").textContent = "Updated " + new Date().toLocaleTimeString();
  }

  // ------------------------------------------------------------------ join
  /**
   * Join session `key` of `group` as `username`; leaves the session joined before.
   * Resolves with the `joined` frame; rejects with an Error carrying `code`.
   */
  api.join = function (group, key, username, password, loginkey) {
    var g = typeof group === "number" ? group : parseGroup(group);
    var old = api.session;
    var before = (old && (old.status === "joined" || old.status === "reconnecting")) ? old.leave() : Promise.resolve();
    if (old && old.status === "joining") old.close();
    return before.then(function () {
      api.frames.length = 0;
      api.sent.length = 0;
      $("log").textContent = "";
      $("answers").textContent = "";
      $("session-error").textContent = "";
      $("join-error").textContent = "";
      $("session-state").textContent = "{}";
      $("presence").textContent = "unknown";
      $("participants").textContent = "";
      $("visitor-info").textContent = "";
      setPaused(false);
      var s = new window.AgentSession(BASE, g, String(key), username, password, hooks, loginkey);
      api.session = s;
      $("session-key").textContent = s.key;
      tell(joinListeners, s);
      return s.join().then(function (msg) {
        $("session-panel").hidden = false;
        $("sessions-panel").classList.add("compact");
        if (window.agentReplay && window.agentReplay.layout) window.agentReplay.layout();
        say("Joined session " + s.key + ".");
        refreshSessions();
        return msg;
      }, function (err) {
        var text = err.code === "unauthorized" && !loginkey ? "Wrong username or password for group " + g + "."
          : /^loginkey_/.test(err.code) || err.code === "unauthorized" ? signInText(err.code, g, err.msg)
          : err.code === "nosession" ? "No live session with key " + key + " in group " + g + "."
          : err.code === "bad_key" ? "That is not a valid session key (" + err.msg + ")."
          : err.code === "rate_limited" ? "Too many failed attempts for this account or network (" + err.msg + ")."
          : err.msg;
        $("join-error").textContent = "Could not join: " + text;
        throw err;
      });
    });
  };

  function joinFromUi(key) {
    var c = api.credentials;
    if (!c) return;
    api.join(c.group, key, c.username, c.password, c.loginkey).then(function () {
      $("session-title").focus();
    }, function () { /* shown in #join-error */ });
  }

  function current() {
    if (!api.session) throw consoleError("out_of_order", "join a session first");
    return api.session;
  }

  /** Send agent action `name` (session_server.agent_client.AGENT_ACTIONS) with `payload`. */
  api.action = function (name, payload, extra) { return current().action(name, payload, extra); };
  api.leave = function () { return current().leave(); };
  api.end = function () { return current().end(); };
  Object.defineProperty(api, "status", {get: function () { return api.session ? api.session.status : "idle"; }});
  Object.defineProperty(api, "agents", {get: function () { return api.session && api.session.agents; }});
  Object.defineProperty(api, "state", {get: function () { return api.session && api.session.state; }});
  Object.defineProperty(api, "presence", {get: function () { return api.session && api.session.presence; }});

  function setPaused(p) {
    paused = p;
    var b = $("act-pause");
    b.setAttribute("aria-pressed", p ? "true" : "false");
    b.textContent = p ? "Resume session" : "Pause session";
  }

  function docProblem(name, url) {
    var n = (name || "").trim(), u = (url || "").trim();
    if (!n || !u) return "Enter the document's name and URL.";
    var ext = n.split(".").pop().toLowerCase();
    var uext = u.split(/[?#]/)[0].split(".").pop().toLowerCase();
    if (DOC_TYPES.indexOf(ext) < 0 || DOC_TYPES.indexOf(uext) < 0) {
      return "Only PDF, XLSX, XLS and CSV documents can be shared.";
    }
    return null;
  }

  // Documents travel over HTTP (docs/protocol.md, Documents): the agent's resume token authorizes.
  var MAX_DOC_BYTES = 5 * 1024 * 1024;

  // The agent's token goes to the service's own origin only: a visitor's event names the URL.
  function serviceUrl(url) {
    try {
      var u = new URL(url, BASE), own = new URL(BASE);
      return u.origin === own.origin && u.pathname.indexOf("/api/docs/") === 0 && !u.username && !u.password ? u.href : null;
    } catch (e) { return null; }
  }

  function downloadDoc(s, url, name) {
    var own = serviceUrl(url);
    if (!own) { $("doc-error").textContent = "Download refused: the document is not on this service."; return; }
    fetch(own, {headers: {"Authorization": "Bearer " + s.resume}, cache: "no-store", credentials: "omit",
                redirect: "error", referrerPolicy: "no-referrer"})
      .then(function (r) { if (!r.ok) throw new Error("the service answered " + r.status); return r.blob(); })
      .then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = name;
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
        say("Downloaded " + name + ".");
      })
      .catch(function (e) { $("doc-error").textContent = "Download failed: " + e.message; });
  }

  function uploadAndShare() {
    var input = $("doc-file"), file = input.files && input.files[0];
    if (!file) { $("doc-error").textContent = "Choose a file to share."; return; }
    var ext = file.name.split(".").pop().toLowerCase();
    if (DOC_TYPES.indexOf(ext) < 0) { $("doc-error").textContent = "Only PDF, XLSX, XLS and CSV documents can be shared."; return; }
    if (!file.size || file.size > MAX_DOC_BYTES) { $("doc-error").textContent = "The document must be 1 byte to 5 MB."; return; }
    var s;
    try { s = current(); } catch (e) { $("session-error").textContent = e.msg || e.message; return; }
    $("doc-error").textContent = "";
    fetch(BASE + "/api/docs?name=" + encodeURIComponent(file.name), {
      method: "POST", body: file, credentials: "omit",
      headers: {"Authorization": "Bearer " + s.resume, "Content-Type": "application/octet-stream"}
    }).then(function (r) {
      return r.json().then(function (info) {
        if (r.status !== 201) throw new Error(info.error || ("the service answered " + r.status));
        uiAction("docshare", {name: info.name, url: BASE + info.url, size: info.size});
      });
    }).catch(function (e) { $("doc-error").textContent = "Not shared: " + e.message; });
  }

  function uiAction(name, payload) {
    try {
      current().action(name, payload);
    } catch (e) {
      $("session-error").textContent = e.msg || e.message;
    }
  }

  function numberOf(id) {
    var n = Number($(id).value);
    return isFinite(n) ? n : 0;
  }

  // ---------------------------------------------------- remote control by hand
  var RC_REFUSALS = {
    badpayload: "the request was malformed",
    notenabled: "remote control is not on (request it first)",
    paused: "the session is paused",
    notfound: "no element with that data-gid on the visitor's page",
    nottypable: "that element cannot be typed into",
    notedited: "you have not typed into that field",
    password: "password fields can never be typed into or read",
    masked: "the field is masked",
    maskingunknown: "the page's masking settings are not loaded, so fields are refused",
    maskingerror: "the page's masking settings cannot be used, so fields are refused",
    pending: "a request is already waiting for the visitor"
  };
  var RC_VERBS = {click: "click", agenttyping: "typing", inputchange: "leaving the field"};

  function rcPath() {
    var m = /^(?:\[data-gid=["']?)?(\d{1,12})(?:["']?\])?$/.exec($("rc-gid").value.trim());
    return m && Number(m[1]) > 0 ? '[data-gid="' + Number(m[1]) + '"]' : null;
  }

  function rcResult(text, refused) {
    var el = $("rc-result");
    el.textContent = text;
    el.className = "rc-result" + (refused ? " refused" : "");
  }

  function rcAction(type) {
    var path = rcPath();
    if (!path) { rcResult("Enter the element's data-gid (a number such as 12).", true); return; }
    var payload = {type: type, path: path};
    if (type === "agenttyping") payload.value = $("rc-text").value;
    rcResult("");
    uiAction("rcevent", payload);
  }

  function rcAnswer(f) {
    var p = f.payload || {};
    if (f.name === "rcrefused") {
      var what = (RC_VERBS[p.type] || "remote control") + (p.path ? " on " + p.path : "");
      rcResult("Refused: " + what + " \u2014 " + (RC_REFUSALS[p.reason] || p.reason) + " (" + p.reason + ").", true);
    } else if (f.name === "rcevent") {
      rcResult("Done: " + (RC_VERBS[p.type] || p.type) + " on " + p.path +
               (p.type === "agenttyping" ? ", the field now holds " + json(p.value) : "") + ".");
    } else if (f.name === "rcenabled") {
      $("rc-state").textContent = p.enabled ? "on" : "off";
    } else if (f.name === "rcaccepted") {
      rcResult("The visitor accepted remote control.");
    } else if (f.name === "rcdeclined") {
      rcResult("The visitor declined remote control.", true);
    }
  }

  function wire() {
    $("login").addEventListener("submit", function (ev) {
      ev.preventDefault();
      api.login($("login-group").value, $("login-username").value.trim(), $("login-password").value)
        .catch(function () { $("login-password").focus(); });
    });
    $("login-key-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      api.loginWithKey($("login-key").value).catch(function () { $("login-key").focus(); });
    });
    $("signout").addEventListener("click", api.logout);
    $("join-by-key").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var key = $("join-key").value.trim();
      if (!key) { $("join-error").textContent = "Enter a session key."; return; }
      joinFromUi(key);
    });
    $("session-title").tabIndex = -1;
    var simple = ["rcrequest", "rcend", "docsharerequest", "reverse", "reverseend", "videorequest", "videoend",
                  "visitorscreensharerequest", "pausevisitorscreenshare"];
    simple.forEach(function (name) {
      $("act-" + name).addEventListener("click", function () { uiAction(name); });
    });
    $("act-rcclick").addEventListener("click", function () { rcAction("click"); });
    $("act-rctype").addEventListener("click", function () { rcAction("agenttyping"); });
    $("act-rcleave").addEventListener("click", function () { rcAction("inputchange"); });
    $("act-pause").addEventListener("click", function () {
      var want = !paused;
      try {
        current().action("pause", {paused: want});
        setPaused(want);
      } catch (e) {
        $("session-error").textContent = e.msg || e.message;
      }
    });
    $("nav-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var url = $("nav-url").value.trim();
      if (!url) { $("session-error").textContent = "Enter a URL of the visitor's site."; return; }
      uiAction("navigate", {url: url});
    });
    $("act-back").addEventListener("click", function () { uiAction("navigate", {direction: "back"}); });
    $("act-forward").addEventListener("click", function () { uiAction("navigate", {direction: "forward"}); });
    $("act-outline").addEventListener("click", function () {
      var path = $("outline-path").value.trim();
      uiAction("outline", path ? {path: path} : {x: numberOf("outline-x"), y: numberOf("outline-y")});
    });
    $("act-addguest").addEventListener("click", function () {
      var name = $("guest-name").value.trim();
      if (!name) { $("session-error").textContent = "Enter the guest's name."; return; }
      uiAction("addguest", {name: name});
    });
    $("act-docshare").addEventListener("click", function () {
      var name = $("doc-name").value, url = $("doc-url").value, problem = docProblem(name, url);
      $("doc-error").textContent = problem || "";
      if (!problem) uiAction("docshare", {name: name.trim(), url: url.trim()});
    });
    $("act-docupload").addEventListener("click", uploadAndShare);
    $("leave").addEventListener("click", function () { if (api.session) api.session.leave(); });
    $("end-session").addEventListener("click", function () {
      if (api.session) { try { api.session.end(); } catch (e) { $("session-error").textContent = e.msg || e.message; } }
    });
    setActionsEnabled(false);
  }

  /**
   * A CRM opens the console as /agent#loginkey=<key> (or ?loginkey=<key>): the key is taken out of
   * the address bar at once (history, bookmarks, Referer) and the console signs in with it.
   */
  function loginKeyFromUrl() {
    var hash = new URLSearchParams(location.hash.replace(/^#/, "")), query = new URLSearchParams(location.search);
    var found = hash.get("loginkey") || query.get("loginkey");
    if (!found) return null;
    hash.delete("loginkey");
    query.delete("loginkey");
    var q = query.toString(), h = hash.toString();
    history.replaceState(null, "", location.pathname + (q ? "?" + q : "") + (h ? "#" + h : ""));
    return found;
  }

  wire();
  window.agentConsole = api;
  var urlKey = loginKeyFromUrl();
  if (urlKey) api.loginWithKey(urlKey).catch(function () { $("login-key").focus(); });
})();
