"""The cobrowse view beyond the top document (the /lab page): same-origin iframes, open shadow roots,
canvases, element scroll offsets, script-added style rules and values set from script.

Masking is checked on the wire (every frame the visitor page sends and receives, and every frame a
Python agent receives): masked fields inside the iframe and the shadow root, a masked canvas and a
masked field whose value is set from script never leave the page. The copy is checked in the agent
console's sandboxed iframe.
"""
import json

from tests.browser.test_cobrowse_view import Wire, agent_events, open_console, rebuild, wait_for
from tests.browser.test_session_lifecycle import shop, start

LAB_SECRETS = {
    "frame": "FrameSecret4471",
    "framelater": "FrameTypedLater93",
    "shadowpw": "ShadowPw5521",
    "shadowlater": "ShadowLaterField77",
    "scripted": "ScriptSetSecret62",
}


def lab(page, server):
    shop(page, server, "/lab")
    page.wait_for_function("(() => { const d = document.getElementById('lab-frame').contentDocument;"
                           " return d && d.getElementById('frame-secret'); })()")


def test_iframe_shadow_canvas_masked_on_the_wire(page, server, agents):
    wire = Wire(page)
    lab(page, server)
    frame = page.frame_locator("#lab-frame")
    frame.locator("#frame-secret").fill(LAB_SECRETS["frame"])
    page.fill("#shadow-secret", LAB_SECRETS["shadowpw"])        # Playwright's CSS pierces open shadow roots
    masked_png = page.evaluate("document.getElementById('lab-canvas-masked').toDataURL('image/png')")
    start(page, "lab-mask-1")
    agent = agents.agent(server.url, "lab-mask-1")
    agents.run(agent.wait_until(lambda a: agent_events(a, "dom_snapshot")))
    _, records = rebuild([e["payload"] for e in agent_events(agent, "dom_snapshot")])
    by_id = {r[2]["id"]: r for r in records if len(r) >= 3 and isinstance(r[2], dict) and "id" in r[2]}
    texts = [r[1] for r in records if len(r) == 2]
    # the frame's document, the shadow root and the canvases are in the snapshot
    assert "Frame text" in texts and "Shadow text" in texts
    assert any(len(r) > 2 and r[1] == "#shadow" for r in records)
    assert "fd" in by_id["lab-frame"][4]
    assert by_id["frame-secret"][4]["v"] == "*" * len(LAB_SECRETS["frame"])
    assert by_id["shadow-secret"][4]["v"] == "*" * len(LAB_SECRETS["shadowpw"])
    assert by_id["lab-canvas"][4]["img"].startswith("data:image/")
    assert len(by_id["lab-canvas-masked"]) == 4 or "img" not in by_id["lab-canvas-masked"][4]
    assert "srcdoc" not in by_id["lab-frame"][2]

    # after load: typing in the frame and the shadow root, a masked field added later in the shadow root,
    # values set from script (no input event), the masked canvas redrawn
    frame.locator("#frame-secret").type("x")
    frame.locator("#frame-secret").fill(LAB_SECRETS["framelater"])
    frame.locator("#frame-plain").fill("FramePlainOK")
    page.fill("#shadow-plain", "ShadowPlainOK")
    page.evaluate("""(s) => {
      const root = document.getElementById('lab-host').shadowRoot;
      const box = document.createElement('div'); box.className = 'glance_masked';
      box.innerHTML = '<input id="shadow-later">'; root.appendChild(box);
      root.getElementById('shadow-later').value = s.shadowlater;
      document.getElementById('lab-scripted-secret').value = s.scripted;
      document.getElementById('lab-scripted').value = 'ScriptedPlainOK';
      const g = document.getElementById('lab-canvas-masked').getContext('2d');
      g.fillStyle = 'rgb(0, 200, 0)'; g.fillRect(0, 0, 60, 60);
    }""", LAB_SECRETS)
    masked_png2 = page.evaluate("document.getElementById('lab-canvas-masked').toDataURL('image/png')")
    for plain in ("FramePlainOK", "ShadowPlainOK", "ScriptedPlainOK"):
        wait_for(page, lambda: any(plain in t for t in wire.sent))
    page.wait_for_timeout(1200)   # a canvas poll
    agents.run(agent.wait_until(lambda a: any("ScriptedPlainOK" in json.dumps(e) for e in a._events)))
    everything = "\n".join(wire.sent + wire.received) + json.dumps(agent._events)
    for name, secret in LAB_SECRETS.items():
        assert secret not in everything, name + " leaked"
    for png in (masked_png, masked_png2):
        assert png[30:200] not in everything, "the masked canvas leaked"
    assert "*" * len(LAB_SECRETS["scripted"]) in everything
    assert page.console.errors == []


COPY = """() => {
  const d = window.agentReplay.doc();
  const f = d.getElementById('lab-frame'), fd = f && f.contentDocument;
  const host = d.getElementById('lab-host'), sr = host && host.shadowRoot;
  const px = (id) => { const c = d.getElementById(id); if (!c || !c.getAttribute('data-painted')) return null;
                       return Array.from(c.getContext('2d').getImageData(5, 5, 1, 1).data.slice(0, 3)); };
  return {
    frameText: fd && fd.getElementById('in-frame') ? fd.getElementById('in-frame').textContent : null,
    frameLater: fd && fd.getElementById('frame-later') ? fd.getElementById('frame-later').textContent : null,
    framePlain: fd && fd.getElementById('frame-plain') ? fd.getElementById('frame-plain').value : null,
    frameScroll: fd && fd.getElementById('frame-scroll') ? fd.getElementById('frame-scroll').scrollTop : null,
    shadowText: sr && sr.getElementById('in-shadow') ? sr.getElementById('in-shadow').textContent : null,
    shadowScroll: sr && sr.getElementById('shadow-scroll') ? sr.getElementById('shadow-scroll').scrollTop : null,
    canvas: px('lab-canvas'), masked: px('lab-canvas-masked'),
    scroll: d.getElementById('lab-scroll').scrollTop,
    color: d.defaultView.getComputedStyle(d.getElementById('lab-intro')).color,
    scripted: d.getElementById('lab-scripted').value,
  };
}"""


def test_copy_has_frames_shadow_roots_canvases_scroll_and_css(page, context, server):
    lab(page, server)
    page.evaluate("""() => {
      document.getElementById('lab-frame').contentDocument.getElementById('frame-scroll').scrollTop = 60;
      document.getElementById('lab-host').shadowRoot.getElementById('shadow-scroll').scrollTop = 45;
    }""")
    start(page, "lab-copy-1")
    console = open_console(context, server, "lab-copy-1")
    console.wait_for_function("window.agentReplay.snapshots >= 1")
    console.wait_for_function("(" + COPY + ")().canvas !== null && (" + COPY + ")().frameText !== null")
    got = console.evaluate(COPY)
    assert got["frameText"] == "Frame text" and got["shadowText"] == "Shadow text"
    assert got["canvas"] == [200, 0, 0] and got["masked"] is None
    assert got["scroll"] == 120 and got["frameScroll"] == 60 and got["shadowScroll"] == 45
    assert got["color"] == "rgb(1, 2, 3)"

    # changes: in the frame, in the shadow root, the canvas, a rule and a value from script
    page.evaluate("""() => {
      const fd = document.getElementById('lab-frame').contentDocument;
      fd.body.insertAdjacentHTML('beforeend', '<p id="frame-later">Frame later</p>');
      document.getElementById('lab-host').shadowRoot.getElementById('in-shadow').firstChild.data = 'Shadow changed';
      const g = document.getElementById('lab-canvas').getContext('2d');
      g.fillStyle = 'rgb(0, 0, 250)'; g.fillRect(0, 0, 120, 60);
      document.getElementById('lab-css').sheet.insertRule('#lab-intro { color: rgb(4, 5, 6) }', 1);
      document.getElementById('lab-scripted').value = 'set by script';
    }""")
    page.frame_locator("#lab-frame").locator("#frame-plain").fill("typed in frame")
    console.wait_for_function("(" + COPY + ")().canvas[2] === 250", timeout=5000)
    want = {"frameLater": "Frame later", "framePlain": "typed in frame", "shadowText": "Shadow changed",
            "color": "rgb(4, 5, 6)", "scripted": "set by script"}
    wait_for(console, lambda: all(console.evaluate(COPY)[k] == v for k, v in want.items()), timeout=5000)
    assert console.errors == [] and page.console.errors == []
    assert console.evaluate("window.agentReplay.errors") == []


def lab_with_control(page, context, server, key):
    """The lab page in session `key`, its agent console showing the copy with remote control granted."""
    lab(page, server)
    page.evaluate("window.rc = null; GLANCE.Cobrowse.Visitor.addEventListener('rcrequested', (p) => { window.rc = p; })")
    start(page, key)
    console = open_console(context, server, key)
    console.wait_for_function("window.agentReplay.snapshots >= 1")
    console.click("#act-rcrequest")
    page.wait_for_function("window.rc !== null")
    page.evaluate("window.rc.accept()")
    console.wait_for_function("window.agentReplay.rcEnabled === true")
    return console


def test_copy_click_and_typing_in_frame_and_shadow_root_control_the_page(page, context, server):
    console = lab_with_control(page, context, server, "lab-rc-copy-1")
    copy = console.frame_locator("#replay-frame")
    copy.locator("#shadow-button").click()               # inside the copy's shadow root
    page.wait_for_function("document.getElementById('lab-host').shadowRoot"
                           ".getElementById('shadow-clicks').textContent === '1 click'")
    copy.frame_locator("#lab-frame").locator("#frame-plain").fill("typed on the copy")
    page.wait_for_function("document.getElementById('lab-frame').contentDocument"
                           ".getElementById('frame-plain').value === 'typed on the copy'")
    assert console.errors == [] and page.console.errors == []
