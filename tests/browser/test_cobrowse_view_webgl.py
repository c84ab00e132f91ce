"""WebGL canvases in the cobrowse view: captured as images that are not blank.

A WebGL canvas without preserveDrawingBuffer is cleared once a frame is presented, so reading it at an
arbitrary time gives a blank image. The capture reads canvases inside an animation frame (right after
the page's own frame callbacks drew) and defaults preserveDrawingBuffer to true for contexts created
after the SDK loaded. Checked on the agent's copy: one canvas animated by the page since before the
session (context made before the SDK loaded), one drawn once after the session started.
"""
from tests.browser.test_cobrowse_view import open_console
from tests.browser.test_session_lifecycle import shop, start

ANIMATED = """() => {
  const c = document.createElement('canvas'); c.id = 'gl-anim'; c.width = 60; c.height = 40;
  document.querySelector('main').appendChild(c);
  const gl = c.getContext('webgl');
  if (!gl) return false;
  window.glColor = [0, 1, 0];
  (function frame() {
    gl.clearColor(window.glColor[0], window.glColor[1], window.glColor[2], 1); gl.clear(gl.COLOR_BUFFER_BIT);
    requestAnimationFrame(frame);
  })();
  return true;
}"""

ONCE = """() => {
  const c = document.createElement('canvas'); c.id = 'gl-once'; c.width = 60; c.height = 40;
  document.querySelector('main').appendChild(c);
  const gl = c.getContext('webgl');
  gl.clearColor(0, 0, 1, 1); gl.clear(gl.COLOR_BUFFER_BIT);
}"""

PX = """(id) => {
  const c = window.agentReplay.doc().getElementById(id);
  if (!c || !c.getAttribute('data-painted')) return null;
  return Array.from(c.getContext('2d').getImageData(10, 10, 1, 1).data);
}"""


def test_webgl_canvases_are_not_captured_blank(page, context, server):
    shop(page, server, "/blank")
    assert page.evaluate(ANIMATED), "no WebGL in this browser"
    start(page, "webgl-1")
    console = open_console(context, server, "webgl-1")
    console.wait_for_function("window.agentReplay.snapshots >= 1")
    page.evaluate(ONCE)
    page.wait_for_timeout(300)      # presented: the drawing buffer of a default context is gone by now
    console.wait_for_function("(([px, id]) => { const p = eval(px)(id); return p && p[1] === 255; })",
                              arg=[PX, "gl-anim"], timeout=5000)
    console.wait_for_function("(([px, id]) => { const p = eval(px)(id); return p && p[2] === 255; })",
                              arg=[PX, "gl-once"], timeout=5000)
    assert console.evaluate(PX, "gl-anim") == [0, 255, 0, 255]
    assert console.evaluate(PX, "gl-once") == [0, 0, 255, 255]
    # the animated canvas changes colour: the copy follows (at the bounded canvas rate)
    page.evaluate("window.glColor = [1, 0, 0]")
    console.wait_for_function("(([px, id]) => { const p = eval(px)(id); return p && p[0] === 255 && p[1] === 0; })",
                              arg=[PX, "gl-anim"], timeout=5000)
    assert console.errors == [] and page.console.errors == []
    assert console.evaluate("window.agentReplay.errors") == []
