"""The loader and the page's load: while glance-cobrowse.js runs it touches no element and no
storage (on a page no script has touched yet, the first element costs more than the rest of the
loader), and reads its tag's configuration later, from a tag it finds by its URL."""
import base64
import os

DIST = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "build", "dist")

GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

# Records, from before any page script, each access to an element, to storage or to the
# resource timing entries made
# while the cobrowse loader itself is running (document.currentScript is then its tag).
WATCH = """(() => {
  window.__loaderTouched = [];
  const current = Object.getOwnPropertyDescriptor(Document.prototype, 'currentScript').get;
  const inLoader = () => { const s = current.call(document); return !!(s && s.id === 'glance-cobrowse'); };
  const note = (what) => { if (inLoader()) window.__loaderTouched.push(what); };
  Object.defineProperty(Document.prototype, 'currentScript', {configurable: true,
    get() { note('document.currentScript'); return current.call(this); }});
  for (const [proto, names] of [[Element.prototype, ['getAttribute', 'hasAttribute', 'querySelector']],
                                [Document.prototype, ['getElementsByTagName', 'querySelector']],
                                [Storage.prototype, ['getItem', 'setItem']],
                                [Performance.prototype, ['getEntries', 'getEntriesByType', 'getEntriesByName']]]) {
    for (const name of names) {
      const f = proto[name];
      proto[name] = function () { note(name); return f.apply(this, arguments); };
    }
  }
  let attach = Element.prototype.attachShadow;
  Object.defineProperty(Element.prototype, 'attachShadow', {configurable: true,
    get() { return attach; }, set(v) { note('attachShadow hooked'); attach = v; }});
})();"""


class HeldImage:
    """Holds the page's load event: an image the page adds at DOMContentLoaded that loads on release()."""

    def __init__(self, page):
        self.routes, self.released = [], False
        page.route("**/held.gif", self._route)
        page.add_init_script(HOLD_LOAD)

    def _route(self, route):
        if self.released:
            return route.fulfill(status=200, content_type="image/gif", body=GIF)
        self.routes.append(route)

    def release(self):
        self.released = True
        for r in self.routes:
            r.fulfill(status=200, content_type="image/gif", body=GIF)


HOLD_LOAD = """document.addEventListener('DOMContentLoaded', () => {
  const img = document.createElement('img'); img.src = '/static/held.gif'; document.body.appendChild(img); });"""


def test_the_loader_touches_no_element_storage_or_timing_entry_while_it_runs(page, server):
    page.add_init_script(WATCH)
    page.goto(server.url + "/blank?check=1")
    page.wait_for_function("window.demoAttached === true")
    assert page.evaluate("typeof GLANCE.Cobrowse.Visitor.startSession") == "function"
    page.wait_for_timeout(300)    # past the load event: the loader has read its tag since
    assert page.evaluate("window.__loaderTouched") == []
    assert page.evaluate("GLANCE.Cobrowse._loader.config.groupid") == "72937"
    assert page.console.errors == []


def test_the_loader_finds_its_tag_when_its_url_has_a_query_and_starts_a_session(page, server):
    page.goto(server.url + "/blank?check=1&tagv=3&groupid=72937&ws=" + server.url)
    page.wait_for_function("window.demoAttached === true")
    assert page.evaluate("document.getElementById('glance-cobrowse').getAttribute('src')") == "/dist/glance-cobrowse.js?v=3"
    config = page.evaluate("(() => { const c = GLANCE.Cobrowse._loader.config;"
                           " return {groupid: c.groupid, ws: c.ws, site: c.site, base: c.base}; })()")
    assert config == {"groupid": "72937", "ws": server.url, "site": "staging", "base": server.url + "/dist/"}
    page.evaluate("""window.seen = []; GLANCE.Cobrowse.Visitor.addEventListener('sessionstart', () => seen.push('start'));
                     GLANCE.Cobrowse.Visitor.startSession('tagquery-1')""")
    page.wait_for_function("window.seen.length === 1")
    assert page.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "tagquery-1"
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    assert page.console.errors == []


def test_the_loader_finds_its_tag_by_name_when_the_page_cleared_its_timings_and_another_script_has_a_groupid(page, server):
    """A page that clears its resource timings before the loader reads its tag, with another
    vendor's script carrying a data-groupid before the cobrowse tag: the loader takes the tag
    whose file is glance-cobrowse.js, and its runtime loads from beside it."""
    page.route("**/static/other-vendor.js", lambda r: r.fulfill(status=200, content_type="text/javascript", body="1"))
    page.add_init_script("""document.addEventListener('DOMContentLoaded', () => {
        const s = document.createElement('script'); s.src = '/static/other-vendor.js'; s.dataset.groupid = '5';
        document.head.prepend(s); });
      window.addEventListener('load', () => performance.clearResourceTimings());""")
    page.goto(server.url + "/blank?check=1")
    page.wait_for_function("window.demoAttached === true")
    page.wait_for_timeout(300)
    assert page.evaluate("performance.getEntriesByType('resource').filter(e => e.name.includes('glance-cobrowse')).length") == 0
    config = page.evaluate("(() => { const c = GLANCE.Cobrowse._loader.config; return {groupid: c.groupid, base: c.base}; })()")
    assert config == {"groupid": "72937", "base": server.url + "/dist/"}
    page.evaluate("""window.seen = []; GLANCE.Cobrowse.Visitor.addEventListener('sessionstart', () => seen.push('start'));
                     GLANCE.Cobrowse.Visitor.startSession('cleared-timings-1')""")
    page.wait_for_function("window.seen.length === 1")
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    assert page.console.errors == []


def test_a_call_before_the_load_event_reads_the_tag_at_once(page, server):
    """startSession() from the page before the loader has read its tag (the page is still
    loading) checks data-groupid then and there, and the session starts."""
    held = HeldImage(page)
    page.goto(server.url + "/blank?check=1", wait_until="domcontentloaded")
    page.wait_for_function("window.GLANCE && GLANCE.Cobrowse && GLANCE.Cobrowse.Visitor")
    assert page.evaluate("document.readyState") != "complete"
    page.evaluate("""window.seen = []; GLANCE.Cobrowse.Visitor.addEventListener('sessionstart', () => seen.push('start'));
                     GLANCE.Cobrowse.Visitor.startSession('early-call-1')""")
    page.wait_for_function("window.seen.length === 1")
    assert page.evaluate("document.readyState") != "complete"
    held.release()
    page.wait_for_function("document.readyState === 'complete'")
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    assert page.console.errors == []


def test_a_bad_groupid_is_reported_once_the_page_has_loaded_and_a_call_before_gets_the_error(page, server):
    held = HeldImage(page)
    page.console.expect('GLANCE: data-groupid must be a positive integer, got "abc"; cobrowse is disabled')
    page.goto(server.url + "/blank?check=1&groupid=abc", wait_until="domcontentloaded")
    page.wait_for_function("window.GLANCE && GLANCE.Cobrowse && GLANCE.Cobrowse.Visitor")
    page.evaluate("window.errs = []; GLANCE.Cobrowse.Visitor.addEventListener('error', (p) => errs.push(p.msg))")
    err = page.evaluate("() => { try { GLANCE.Cobrowse.Visitor.startSession('1234'); return null; }"
                        " catch (e) { return e.message; } }")
    assert "data-groupid" in err
    page.console.expect("GLANCE: " + err)
    held.release()
    page.wait_for_function("window.errs.length === 2")
    errs = page.evaluate("errs")
    assert "data-groupid" in errs[0] and errs[1] == 'data-groupid must be a positive integer, got "abc"'
    assert any("data-groupid must be a positive integer" in e for e in page.console.of("error"))
    assert page.console.errors == []


def test_a_tag_manager_can_insert_the_loader_under_another_name(page, server):
    """A tag manager adds the loader from its own script, renamed: the loader finds no resource
    timing entry of its name, and takes the page's one script tag with a data-groupid."""
    with open(os.path.join(DIST, "glance-cobrowse.js"), "rb") as f:
        loader = f.read()
    page.route("**/dist/cobrowse-by-tag-manager.js",
               lambda r: r.fulfill(status=200, content_type="text/javascript", body=loader))
    page.goto(server.url + "/blank?notag=1")
    page.evaluate("""(ws) => { const s = document.createElement('script');
        s.src = '/dist/cobrowse-by-tag-manager.js'; s.dataset.groupid = '72937'; s.dataset.ws = ws;
        document.head.appendChild(s); }""", server.url)
    page.wait_for_function("window.GLANCE && GLANCE.Cobrowse && GLANCE.Cobrowse.Visitor")
    assert page.evaluate("GLANCE.Cobrowse._loader.config.groupid") == "72937"
    page.evaluate("""window.seen = []; GLANCE.Cobrowse.Visitor.addEventListener('sessionstart', () => seen.push('start'));
                     GLANCE.Cobrowse.Visitor.startSession('tag-manager-1')""")
    page.wait_for_function("window.seen.length === 1")
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    assert page.console.errors == []
