/* Agent console: one agent seat, on the Python session code.
 *
 * The protocol (join/joined, sequencing, acks, resume, dedup, reconnect) is
 * not written here: it is agent_console/ (the visitor SDK's
 * session_client.py and reliability.py underneath), compiled with Brython
 * into /dist/glance-agent-console.js, which the page loads first and which
 * puts window.agentSessionCore on the page. This file only turns its
 * callbacks into Promises for the console's UI (agent.js).
 *
 * window.AgentSession(base, group, key, username, password, hooks, loginkey)
 *   join() -> Promise of the `joined` frame (rejects with an Error carrying `code`);
 *   action(name, payload, extra) -> seq; leave() / end() -> Promise; close();
 *   info() -> {status, num, resume, window, visitor, agents, state, presence, pending, inbox, ...};
 *   dropSocket() (as a network failure would), inject(frame) (as if the service sent it).
 * hooks: status(s, status, detail), joined(s, f), received(f), sent(f), frame(s, f), error(s, f).
 */
(function () {
  "use strict";

  function consoleError(code, msg) {
    var e = new Error(code + ": " + msg);
    e.code = code;
    e.msg = msg;
    return e;
  }

  function Session(base, group, key, username, password, hooks, loginkey) {
    this.base = base;
    this.group = group;
    this.key = key;
    this.username = username;
    this.password = password;
    this.loginkey = loginkey || null;
    this.hooks = hooks;
    this.status = "idle";     // joining, joined, reconnecting, ended, left, failed
    this.endReason = null;
    this.seat = null;
    this.endWaiters = [];
  }

  ["num", "resume", "window", "visitor", "agents", "state", "presence"].forEach(function (name) {
    Object.defineProperty(Session.prototype, name, {get: function () { return this.info()[name]; }});
  });

  Session.prototype.info = function () { return this.seat ? this.seat.info() : {status: this.status, state: {}}; };

  Session.prototype.join = function () {
    var self = this, core = window.agentSessionCore;
    if (!core) return Promise.reject(consoleError("service", "the console's session code did not load"));
    return new Promise(function (resolve, reject) {
      var joining = true;
      self.seat = core.open({base: self.base, group: self.group, key: self.key, username: self.username,
                             password: self.password, loginkey: self.loginkey}, {
        status: function (status, detail) {
          self.status = status;
          self.hooks.status(self, status, detail || "");
        },
        received: function (f) { self.hooks.received(f); },
        sent: function (f) { self.hooks.sent(f); },
        joined: function (f) {
          joining = false;
          self.hooks.joined(self, f);
          resolve(f);
        },
        frame: function (f) { self.hooks.frame(self, f); },
        refused: function (f) { self.hooks.error(self, f); },
        failed: function (code, msg) {
          if (joining) { joining = false; reject(consoleError(code, msg)); }
          else self.hooks.error(self, {code: code, msg: msg});
        },
        ended: function (reason) {
          self.endReason = reason;
          self.endWaiters.splice(0).forEach(function (w) { w(); });
        }
      });
    });
  };

  Session.prototype.over = function () {
    return this.status === "ended" || this.status === "left" || this.status === "failed";
  };

  /** Send agent_action `name` with `payload`; returns its seq. Visitor answers carry ref = the action id. */
  Session.prototype.action = function (name, payload, extra) {
    if (!this.seat) throw consoleError("out_of_order", "join a session first");
    var r = this.seat.action(name, payload === undefined ? null : payload, extra && extra.state || null);
    if (r.code) throw consoleError(r.code, r.msg);
    return r.seq;
  };

  /** Leave the session (it goes on for the visitor); resolves once the socket is closed. */
  Session.prototype.leave = function () {
    var seat = this.seat;
    if (!seat || this.over()) return Promise.resolve();
    return new Promise(function (resolve) {
      var done = false;
      function finish() { if (!done) { done = true; resolve(); } }
      seat.leave(finish);
      setTimeout(finish, 2000);
    });
  };

  /** End the session for everyone; resolves when the service confirms with `end`. */
  Session.prototype.end = function () {
    var self = this;
    if (this.status === "ended") return Promise.resolve(this.endReason);
    if (!this.seat) return Promise.reject(consoleError("out_of_order", "join a session first"));
    var r = this.seat.end();
    if (r.code) throw consoleError(r.code, r.msg);
    return new Promise(function (resolve) {
      var timer = setTimeout(function () { resolve(self.endReason); }, 5000);
      self.endWaiters.push(function () { clearTimeout(timer); resolve(self.endReason); });
    });
  };

  /** Drop the socket without leaving (the service keeps the seat for its reconnect window). */
  Session.prototype.close = function () { if (this.seat) this.seat.close(); };
  Session.prototype.dropSocket = function () { if (this.seat) this.seat.dropSocket(); };
  Session.prototype.inject = function (f) { if (this.seat) this.seat.inject(f); };

  window.AgentSession = Session;
})();
