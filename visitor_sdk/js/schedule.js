// Capture scheduling (visitor_sdk/capture.py): run fn once, after ms milliseconds, or with ms <= 0 at the
// next animation frame (or after 100 ms when no frame comes: a hidden tab has none).
(function schedule(fn, ms) {
  "use strict";
  var done = false;
  function run() { if (!done) { done = true; fn(); } }
  if (ms > 0) setTimeout(run, ms);
  else { requestAnimationFrame(run); setTimeout(run, 100); }
});
