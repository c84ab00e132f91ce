// An element's box in the top page's viewport (visitor_sdk/gestures.py): [x, y, width, height]. Its own
// box is relative to its frame's viewport, so the boxes (plus border and padding) of the iframes it is
// in are added.
(function topBox(el) {
  "use strict";
  var r = el.getBoundingClientRect(), x = r.left, y = r.top, w = el.ownerDocument.defaultView;
  try {
    for (var d = 0; w && w !== window && d < 10; d++) {
      var f = w.frameElement;
      if (!f) break;
      var fr = f.getBoundingClientRect(), cs = w.parent.getComputedStyle(f);
      x += fr.left + f.clientLeft + (parseFloat(cs.paddingLeft) || 0);
      y += fr.top + f.clientTop + (parseFloat(cs.paddingTop) || 0);
      w = w.parent;
    }
  } catch (e) { /* a frame we may not read: keep what we have */ }
  return [x, y, r.width, r.height];
});
