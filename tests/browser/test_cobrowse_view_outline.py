"""Outline gestures made on the agent's copy (shift+click) for elements inside iframes: the outline the
visitor sees surrounds the element where it is on the visitor's page (its box in the top page's
viewport: the frame's position and border added), and the `outline` event says the same point."""
import json

from tests.browser.test_cobrowse_view import open_console
from tests.browser.test_cobrowse_view_lab import lab
from tests.browser.test_session_lifecycle import start, wait_event

TARGET = """([frame, id]) => {
  const f = document.getElementById(frame), fr = f.getBoundingClientRect();
  const cs = getComputedStyle(f);
  const r = f.contentDocument.getElementById(id).getBoundingClientRect();
  return [fr.left + f.clientLeft + parseFloat(cs.paddingLeft) + r.left,
          fr.top + f.clientTop + parseFloat(cs.paddingTop) + r.top, r.width, r.height];
}"""

OUTLINE = """() => { const d = document.querySelector('.glance-outline'); if (!d) return null;
  const r = d.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }"""


def test_outline_on_an_element_in_an_iframe_surrounds_it_on_the_visitor_page(page, context, server):
    lab(page, server)
    # a frame with a thick border and padding, away from the page's corner; the page scrolled a little
    page.evaluate("""() => { const f = document.getElementById('lab-frame');
      f.style.border = '7px solid #999'; f.style.padding = '5px'; f.style.marginLeft = '90px';
      document.body.style.minHeight = '3000px'; window.scrollTo(0, 40); }""")
    start(page, "outline-frame-1")
    console = open_console(context, server, "outline-frame-1")
    console.wait_for_function("window.agentReplay.snapshots >= 1")
    copy = console.frame_locator("#replay-frame")
    for n, (frame, el) in enumerate((("lab-frame", "in-frame"), ("lab-frame", "frame-plain")), 1):
        copy.frame_locator("#" + frame).locator("#" + el).click(modifiers=["Shift"])
        wait_event(page, "outline", n)
        page.wait_for_selector(".glance-outline", state="attached")
        want = page.evaluate(TARGET, [frame, el])
        got = page.evaluate(OUTLINE)
        pad = 4
        expect = [want[0] - pad, want[1] - pad, want[2] + 2 * pad, want[3] + 2 * pad]
        assert all(abs(a - b) <= 1.01 for a, b in zip(got, expect)), (got, expect)
        ev = [json.loads(e["payload"]) for e in page.evaluate("window.demoEvents") if e["name"] == "outline"][-1]
        assert abs(ev["x"] - want[0]) <= 1.01 and abs(ev["y"] - want[1]) <= 1.01, (ev, want)
        page.wait_for_selector(".glance-outline", state="detached", timeout=4000)
    assert console.errors == [] and page.console.errors == []
