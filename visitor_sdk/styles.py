"""Style sheets of the SDK's own UI, allowed by a page policy `style-src 'self'`.

Browser shell. Call `ensure(key, css)` before showing UI that needs the sheet
(it is cheap when the sheet is in place; a page that replaced
`document.adoptedStyleSheets` gets it back). The sheet goes, in order of
preference:
1. into `document.adoptedStyleSheets` as a constructable stylesheet
   (`new CSSStyleSheet()` + `replaceSync`), which no CSP restricts;
2. where constructable stylesheets are missing (old browsers), into a
   `<style nonce="...">` element when the tag has `data-nonce="..."` (the
   site's policy names the nonce: `style-src 'self' 'nonce-...'`);
3. else into a plain `<style>` element (works where the page allows inline
   styles; under a strict policy the UI is then unstyled, never broken).
Single elements are styled through the CSSOM (`el.style.cssText`,
`el.style.setProperty`), never through a `style` attribute.
"""

from browser import document, window

from . import log
from .jsconv import is_absent as _none, to_js

_sheets = {}     # key -> the constructed sheet or the <style> element


def _nonce():
    try:
        cfg = window.GLANCE.Cobrowse._loader.config
        n = cfg.nonce
        return None if _none(n) else str(n)
    except Exception:
        return None


def _constructed(css):
    """A constructable stylesheet holding `css`, or None where the browser has none
    (the constructor throws, or documents have no adoptedStyleSheets)."""
    try:
        sheets = document.adoptedStyleSheets
        if _none(sheets):
            return None
        sheet = window.CSSStyleSheet.new()
        sheet.replaceSync(css)
        return sheet
    except Exception as exc:
        log.debug("no constructable stylesheets: " + str(exc))
        return None


def _adopted():
    try:
        return list(document.adoptedStyleSheets)
    except Exception:
        return []


def ensure(key, css):
    """Make sure the sheet `key` (text `css`) styles the document; returns how:
    "adopted", "nonce" or "element"."""
    held = _sheets.get(key)
    if held is None:
        held = _constructed(css)
        if held is None:
            held = document.createElement("style")
            n = _nonce()
            if n:
                held.setAttribute("nonce", n)
            held.setAttribute("data-glance-sheet", key)
            held.textContent = css
        _sheets[key] = held
    if hasattr(held, "replaceSync"):
        sheets = _adopted()
        same = getattr(window.Object, "is")
        for s in sheets:
            if same(s, held):
                return "adopted"
        sheets.append(held)
        document.adoptedStyleSheets = to_js(sheets)
        return "adopted"
    if _none(held.parentNode):
        (document.head if not _none(document.head) else document.documentElement).appendChild(held)
    return "nonce" if held.hasAttribute("nonce") else "element"


def apply(el, css_text):
    """Style one element through the CSSOM (`el.style`), as a policy without
    'unsafe-inline' allows."""
    el.style.cssText = css_text
