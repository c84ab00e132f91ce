/*
 * Agent console media: screen share and camera to the visitor, the visitor's
 * camera and screen back, over WebRTC. The session service only relays the
 * signalling (visitor_sdk/media_core.py describes it):
 *
 *   agent -> visitor  agent_action screenshare {screenshareView, state: new|ended, paused, params: {type}}
 *                     agent_action rtc_offer {stream: view, sdp: {type: 'offer', sdp}}
 *                     visitor_event rtc_answer {stream, to: agentnum, sdp}     (answer)
 *                     visitor_event rtc_restart {stream, to}                   (new page: offer again)
 *                     agent_action screensharepause / screenshareresume {screenshareView}
 *   visitor -> agent  visitor_event rtc_offer {stream: visitorvideo|visitorscreen, to, sdp}
 *                     agent_action rtc_answer {stream, sdp}
 *
 * ICE candidates travel inside the SDP (gathering completes before sending).
 * window.agentMedia is the scripting surface (Playwright tests, bench):
 * shareScreen(), shareCamera(), pause(view), resume(view), stop(view),
 * requestVideo(params), requestScreenshare(), stopVisitorScreenshare(),
 * pauseParticipantVideo(agentnum), video(stream) (the <video> showing a
 * visitor stream), firstFrameAt (stream -> performance.now() of its first frame).
 */
(function () {
  "use strict";
  var GATHER_TIMEOUT_MS = 2000;
  var VIEWS = {screen: "glance_screenshare", camera: "glance_agentvideo"};
  var out = {};      // view -> {media, pc, paused}
  var incoming = {}; // visitor stream -> pc
  var api = {firstFrameAt: {}, log: []};

  function $(id) { return document.getElementById(id); }
  function say(text) {
    api.log.push(text);
    var el = $("media-status");
    if (el) el.textContent = text;
  }
  function consoleApi() { return window.agentConsole; }
  function myNum() { var s = consoleApi().session; return s ? s.num : null; }
  function act(name, payload) { return consoleApi().action(name, payload); }

  function gathered(pc) {
    return new Promise(function (resolve) {
      if (pc.iceGatheringState === "complete") { resolve(); return; }
      var timer = setTimeout(resolve, GATHER_TIMEOUT_MS);
      pc.addEventListener("icegatheringstatechange", function () {
        if (pc.iceGatheringState === "complete") { clearTimeout(timer); resolve(); }
      });
    });
  }
  function desc(pc) { return {type: pc.localDescription.type, sdp: pc.localDescription.sdp}; }

  // ------------------------------------------------------------ agent -> visitor
  function offer(view) {
    var o = out[view];
    if (!o) return Promise.resolve();
    if (o.pc) o.pc.close();
    var pc = new RTCPeerConnection({iceServers: []});
    o.pc = pc;
    o.media.getTracks().forEach(function (t) { pc.addTrack(t, o.media); });
    return pc.createOffer().then(function (d) { return pc.setLocalDescription(d); })
      .then(function () { return gathered(pc); })
      .then(function () {
        if (out[view] !== o || o.pc !== pc) return;
        act("rtc_offer", {stream: view, sdp: desc(pc)});
      });
  }

  function share(view, getMedia) {
    if (out[view]) stop(view);
    var t0 = performance.now();
    return getMedia().then(function (media) {
      var o = {media: media, pc: null, paused: false, startedAt: t0};
      out[view] = o;
      media.getVideoTracks().forEach(function (t) {
        t.addEventListener("ended", function () { if (out[view] === o) stop(view); });
      });
      var local = $("media-local");
      if (local) { local.srcObject = media; local.play().catch(function () {}); }
      act("screenshare", {screenshareView: view, state: "new", paused: false, params: {type: "forward"}});
      say("Sharing " + (view === VIEWS.screen ? "screen" : "camera") + ".");
      setPressed(view, true);
      return offer(view).then(function () { return t0; });
    }, function (err) {
      say("Could not capture: " + (err && err.name) + " " + (err && err.message));
      throw err;
    });
  }

  api.shareScreen = function () {
    return share(VIEWS.screen, function () {
      return navigator.mediaDevices.getDisplayMedia({video: {frameRate: 30}, audio: false});
    });
  };
  api.shareCamera = function () {
    return share(VIEWS.camera, function () {
      return navigator.mediaDevices.getUserMedia({video: {width: 640, height: 480}, audio: false});
    });
  };
  function setPaused(view, paused) {
    var o = out[view];
    if (!o || o.paused === paused) return;
    o.paused = paused;
    o.media.getVideoTracks().forEach(function (t) { t.enabled = !paused; });
    act(paused ? "screensharepause" : "screenshareresume", {screenshareView: view});
    say((paused ? "Paused " : "Resumed ") + view + ".");
  }
  api.pause = function (view) { setPaused(view || VIEWS.screen, true); };
  api.resume = function (view) { setPaused(view || VIEWS.screen, false); };
  function stop(view) {
    view = view || VIEWS.screen;
    var o = out[view];
    if (!o) return;
    delete out[view];
    if (o.pc) o.pc.close();
    o.media.getTracks().forEach(function (t) { t.stop(); });
    try { act("screenshare", {screenshareView: view, state: "ended", paused: false, params: {type: "forward"}}); }
    catch (e) { /* the session is gone */ }
    setPressed(view, false);
    say("Stopped " + view + ".");
  }
  api.stop = stop;
  api.sharing = function (view) { return !!out[view || VIEWS.screen]; };

  // ------------------------------------------------------------ visitor -> agent
  api.requestVideo = function (params) { return act("videorequest", params ? {videoParams: params} : {}); };
  api.requestScreenshare = function () { return act("visitorscreensharerequest", {}); };
  api.stopVisitorScreenshare = function () { return act("pausevisitorscreenshare", {}); };
  api.pauseParticipantVideo = function (agentnum) {
    return act("pauseparticipantvideo", {agentnum: typeof agentnum === "number" ? agentnum : 0});
  };
  api.video = function (stream) { return $("media-" + stream); };

  function watchFirstFrame(stream, video) {
    delete api.firstFrameAt[stream];
    var mark = function () { if (!(stream in api.firstFrameAt)) api.firstFrameAt[stream] = performance.now(); };
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(mark);
    else video.addEventListener("loadeddata", mark, {once: true});
  }

  function answerVisitor(p) {
    if (incoming[p.stream]) incoming[p.stream].close();
    var pc = new RTCPeerConnection({iceServers: []});
    incoming[p.stream] = pc;
    pc.ontrack = function (ev) {
      var video = api.video(p.stream);
      if (!video) return;
      watchFirstFrame(p.stream, video);
      video.srcObject = ev.streams[0] || new MediaStream([ev.track]);
      video.hidden = false;
      video.play().catch(function () {});
    };
    pc.setRemoteDescription(p.sdp)
      .then(function () { return pc.createAnswer(); })
      .then(function (d) { return pc.setLocalDescription(d); })
      .then(function () { return gathered(pc); })
      .then(function () { if (incoming[p.stream] === pc) act("rtc_answer", {stream: p.stream, sdp: desc(pc)}); })
      .catch(function (err) { say("Visitor " + p.stream + " failed: " + err); });
  }

  function endVisitor(stream) {
    var pc = incoming[stream];
    delete incoming[stream];
    if (pc) pc.close();
    var video = api.video(stream);
    if (video) { video.srcObject = null; video.hidden = true; }
  }

  function onFrame(f) {
    if (f.type === "end") {
      Object.keys(out).forEach(function (v) { var o = out[v]; delete out[v]; if (o.pc) o.pc.close();
        o.media.getTracks().forEach(function (t) { t.stop(); }); setPressed(v, false); });
      Object.keys(incoming).forEach(endVisitor);
      return;
    }
    if (f.type !== "visitor_event") return;
    var p = f.payload || {};
    var forMe = p.to === undefined || p.to === null || p.to === myNum();
    if (f.name === "rtc_answer" && forMe && out[p.stream] && out[p.stream].pc) {
      out[p.stream].pc.setRemoteDescription(p.sdp).catch(function (err) { say("Answer rejected: " + err); });
    } else if (f.name === "rtc_restart" && forMe && out[p.stream]) {
      offer(p.stream);
    } else if (f.name === "rtc_offer" && forMe && p.sdp) {
      answerVisitor(p);
    } else if (f.name === "visitorvideoended" || f.name === "visitorvideostopped") {
      endVisitor("visitorvideo");
    } else if (f.name === "visitorscreenshareended") {
      endVisitor("visitorscreen");
    }
  }

  // ------------------------------------------------------------------- UI
  function setPressed(view, on) {
    var id = view === VIEWS.screen ? "media-share-screen" : view === VIEWS.camera ? "media-share-camera" : null;
    if (id && $(id)) $(id).setAttribute("aria-pressed", on ? "true" : "false");
  }
  function click(id, fn) {
    var b = $(id);
    if (b) b.addEventListener("click", function () {
      try {
        var r = fn();
        if (r && r.catch) r.catch(function (e) { say(String((e && e.message) || e)); });
      } catch (e) { say(String((e && (e.msg || e.message)) || e)); }
    });
  }
  click("media-share-screen", function () { return api.sharing(VIEWS.screen) ? stop(VIEWS.screen) : api.shareScreen(); });
  click("media-share-camera", function () { return api.sharing(VIEWS.camera) ? stop(VIEWS.camera) : api.shareCamera(); });
  click("media-pause", function () {
    var view = out[VIEWS.screen] ? VIEWS.screen : VIEWS.camera;
    if (!out[view]) { say("Nothing is shared."); return; }
    if (out[view].paused) api.resume(view); else api.pause(view);
    $("media-pause").textContent = out[view] && out[view].paused ? "Resume share" : "Pause share";
  });
  click("media-stop", function () { stop(VIEWS.screen); stop(VIEWS.camera); });
  click("media-pauseparticipantvideo", function () { return api.pauseParticipantVideo(0); });

  if (window.agentConsole && window.agentConsole.onFrame) window.agentConsole.onFrame(onFrame);
  window.agentMedia = api;
})();
