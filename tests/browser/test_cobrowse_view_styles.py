"""The cobrowse view's stylesheets and URLs in the agent's copy (the /lab page):

- constructed sheets in adoptedStyleSheets (of the document and of a shadow root), in the snapshot and
  as changes (the setter, an in-place push, insertRule/replaceSync on an adopted sheet);
- insertRule/deleteRule on the sheets of a <link> and a <style>;
- relative URLs resolve against their own document's base URL in the copy: in a same-origin iframe
  loaded from another path (attributes, srcset, inline styles, <style> text) and in the page itself
  after history.pushState moved its URL.
"""
from tests.browser.test_cobrowse_view import open_console, wait_for
from tests.browser.test_cobrowse_view_lab import lab
from tests.browser.test_session_lifecycle import start

STYLES = """() => {
  const d = window.agentReplay.doc();
  const color = (el) => el ? el.ownerDocument.defaultView.getComputedStyle(el).color : null;
  const host = d.getElementById('lab-host'), sr = host && host.shadowRoot;
  const deco = (el) => el ? el.ownerDocument.defaultView.getComputedStyle(el).textDecorationLine : null;
  const frameEl = (id) => { const f = d.getElementById('lab-frame'), fd = f && f.contentDocument;
                            return fd && fd.getElementById(id); };
  return {
    linked: color(d.getElementById('lab-linked')),
    adopted: color(d.getElementById('lab-adopted')),
    adoptedDeco: deco(d.getElementById('lab-adopted')),
    shadow: color(sr && sr.getElementById('in-shadow')),
    intro: color(d.getElementById('lab-intro')),
    late: color(d.getElementById('lab-late')),
    media: color(d.getElementById('lab-media')),
    frame: color(frameEl('in-frame')), frameDeco: deco(frameEl('in-frame')),
    mediaDeco: deco(d.getElementById('lab-media')),
  };
}"""


def wait_copy(console, want, timeout=5000):
    last = {}

    def ok():
        last.update(console.evaluate(STYLES))
        return all(last.get(k) == v for k, v in want.items())
    try:
        wait_for(console, ok, timeout=timeout)
    except AssertionError:
        raise AssertionError("copy styles %r, wanted %r" % (last, want))


def test_adopted_and_script_changed_stylesheets_reach_the_copy(page, context, server):
    lab(page, server)
    page.wait_for_function("document.getElementById('lab-link').sheet && "
                           "document.getElementById('lab-link').sheet.cssRules.length === 2")
    page.evaluate("""() => {   // a sheet adopted by the same-origin frame's document
      const fd = document.getElementById('lab-frame').contentDocument;
      const s = new fd.defaultView.CSSStyleSheet();
      s.replaceSync('#in-frame { color: rgb(90, 91, 92) }');
      fd.adoptedStyleSheets = [s];
    }""")
    start(page, "styles-1")
    console = open_console(context, server, "styles-1")
    console.wait_for_function("window.agentReplay.snapshots >= 1")
    # the snapshot: the linked sheet as a link, adopted sheets of the document and of a shadow root
    wait_copy(console, {"linked": "rgb(7, 8, 9)", "adopted": "rgb(20, 21, 22)", "shadow": "rgb(30, 31, 32)",
                        "frame": "rgb(90, 91, 92)"})
    snaps = console.evaluate("window.agentReplay.snapshots")

    # changes: rules of the <link>'s and the <style>'s sheets; adopted sheets changed and re-adopted
    page.evaluate("""() => {
      const link = document.getElementById('lab-link').sheet;
      link.deleteRule(0);
      link.insertRule('#lab-linked { color: rgb(10, 11, 12) }', link.cssRules.length);
      const css = document.getElementById('lab-css').sheet;
      css.insertRule('#lab-intro { color: rgb(40, 41, 42) }', css.cssRules.length);
      window.labSheets.doc.insertRule('#lab-adopted { text-decoration: underline }', 0);
      window.labSheets.shadow.replaceSync('#in-shadow { color: rgb(33, 34, 35) }');
      document.body.insertAdjacentHTML('beforeend', '<p id="lab-late">late</p>');
      const late = new CSSStyleSheet();
      late.replaceSync('#lab-late { color: rgb(50, 51, 52) }');
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, late];     // the setter
    }""")
    wait_copy(console, {"linked": "rgb(10, 11, 12)", "intro": "rgb(40, 41, 42)", "adopted": "rgb(20, 21, 22)",
                        "adoptedDeco": "underline", "shadow": "rgb(33, 34, 35)", "late": "rgb(50, 51, 52)"})
    page.evaluate("""() => {
      const more = new CSSStyleSheet();
      more.replaceSync('#lab-late { color: rgb(60, 61, 62) }');
      document.adoptedStyleSheets.push(more);                                    // in place: no setter
    }""")
    wait_copy(console, {"late": "rgb(60, 61, 62)"}, timeout=5000)
    # rules inside @media, and a rule's declaration changed with setProperty
    page.evaluate("""() => {
      const css = document.getElementById('lab-css').sheet;
      css.insertRule('@media all { #lab-media { color: rgb(70, 71, 72) } }', css.cssRules.length);
      document.body.insertAdjacentHTML('beforeend', '<p id="lab-media">media</p>');
    }""")
    wait_copy(console, {"media": "rgb(70, 71, 72)"})
    page.evaluate("""() => {
      const css = document.getElementById('lab-css').sheet;
      css.cssRules[css.cssRules.length - 1].insertRule('#lab-media { text-decoration: underline }', 1);
      const link = document.getElementById('lab-link').sheet;
      link.cssRules[link.cssRules.length - 1].style.setProperty('color', 'rgb(80, 81, 82)');
    }""")
    wait_copy(console, {"mediaDeco": "underline", "linked": "rgb(80, 81, 82)"})
    page.evaluate("""() => {
      const fd = document.getElementById('lab-frame').contentDocument;
      const s = new fd.defaultView.CSSStyleSheet();
      s.replaceSync('#in-frame { text-decoration: underline }');
      fd.adoptedStyleSheets = [...fd.adoptedStyleSheets, s];
    }""")
    wait_copy(console, {"frame": "rgb(90, 91, 92)", "frameDeco": "underline"})
    assert console.evaluate("window.agentReplay.snapshots") == snaps, "changes came by a resync snapshot"

    # a new agent's snapshot has the changed rules too
    console2 = open_console(context, server, "styles-1")
    console2.wait_for_function("window.agentReplay.snapshots >= 1")
    wait_copy(console2, {"linked": "rgb(80, 81, 82)", "intro": "rgb(40, 41, 42)", "adoptedDeco": "underline",
                         "shadow": "rgb(33, 34, 35)", "late": "rgb(60, 61, 62)", "mediaDeco": "underline"})
    for c in (console, console2):
        assert c.errors == [] and c.evaluate("window.agentReplay.errors") == []
    assert page.console.errors == []


URLS = """() => {
  const d = window.agentReplay.doc();
  const f = d.getElementById('lab-frame2'), fd = f && f.contentDocument;
  const q = (id) => fd && fd.getElementById(id);
  const bg = (el) => el ? el.ownerDocument.defaultView.getComputedStyle(el).backgroundImage : null;
  return {
    text: q('f-text') ? q('f-text').textContent : null,
    img: q('f-img') ? q('f-img').src : null,
    link: q('f-link') ? q('f-link').href : null,
    srcset: q('f-srcset') ? q('f-srcset').getAttribute('srcset') : null,
    bg: bg(q('f-bg')), styled: bg(q('f-styled')),
    late: d.getElementById('late-img') ? d.getElementById('late-img').src : null,
    lateBg: bg(d.getElementById('late-bg')),
  };
}"""


def test_relative_urls_resolve_against_their_own_document(page, context, server):
    lab(page, server)
    page.wait_for_function("(() => { const f = document.getElementById('lab-frame2').contentDocument;"
                           " return f && f.getElementById('f-srcset'); })()")
    start(page, "urls-1")
    console = open_console(context, server, "urls-1")
    console.wait_for_function("window.agentReplay.snapshots >= 1")
    console.wait_for_function("(" + URLS + ")().text === 'Second frame'")
    got = console.evaluate(URLS)
    lab_dir = server.url + "/static/lab/"
    assert got["img"] == lab_dir + "img/pic.png"
    assert got["link"] == lab_dir + "page2.html"
    assert got["srcset"] == lab_dir + "img/a.png 1x, " + lab_dir + "img/b.png 2x"
    assert lab_dir + "img/bg.png" in got["bg"]
    assert lab_dir + "img/styled.png" in got["styled"]

    # the page's own URL moves (pushState): relative URLs added later resolve against the new one
    page.evaluate("""() => {
      history.pushState({}, '', '/deep/dir/page?check=1');
      document.body.insertAdjacentHTML('beforeend', '<img id="late-img" src="rel.png" alt="late" width="5" height="5">' +
        '<div id="late-bg" style="background-image: url(bg2.png)">x</div>');
    }""")
    console.wait_for_function("(" + URLS + ")().late !== null")
    got = console.evaluate(URLS)
    assert got["late"] == server.url + "/deep/dir/rel.png"
    assert server.url + "/deep/dir/bg2.png" in got["lateBg"]
    assert console.errors == [] and console.evaluate("window.agentReplay.errors") == []
