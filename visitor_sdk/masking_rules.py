"""Which elements are masked from agents: the rules, without a DOM.

Pure Python (no imports), so it runs on CPython in unit tests and in the
Brython bundle. An element is masked when

1. it is a password input (`<input type="password">`), or
2. it or one of its ancestors has the `glance_masked` attribute or class, or
3. it or one of its ancestors matches one of the group's masking selectors
   (GET {ws}/api/groups/{id}/public -> masking_selectors).

Fail closed: when the group's selectors are not known (`None`: not loaded
yet, or the fetch failed) or a selector cannot be evaluated, the element
counts as masked.

Call `masked_reason(node, dom, selectors)` before an agent reads or changes
an element; `dom` is an adapter with `tag(node)` (lower-case tag name),
`attr(node, name)` (str or None), `has_class(node, name)`, `parent(node)`
(the parent element or None) and `closest(node, selector)` (True when the
node or an ancestor matches; raises ValueError on a bad selector).
For bulk work (masking a whole DOM) `mask_selector(selectors)` gives one CSS
selector list for querySelectorAll / closest.
"""

MASK_NAME = "glance_masked"
BUILTIN_SELECTORS = ("[" + MASK_NAME + "]", "." + MASK_NAME, "input[type=password]")

# Reasons (what an agent is told when a masked element is refused).
PASSWORD = "password"
MASKED = "masked"
UNKNOWN = "maskingunknown"      # the group's masking selectors are not known
BAD_SELECTOR = "maskingerror"   # a group selector could not be evaluated

MAX_SELECTORS = 200
MAX_SELECTOR_LEN = 500
MAX_DEPTH = 1000


def clean_selectors(value):
    """The group's masking selectors as a list of non-empty strings (bounded), or None if unusable."""
    if not isinstance(value, (list, tuple)):
        return None
    out = []
    for s in value[:MAX_SELECTORS]:
        if s is None or (isinstance(s, str) and not s.strip()):
            continue
        if not isinstance(s, str) or len(s) > MAX_SELECTOR_LEN:
            return None  # a selector we cannot use: fail closed
        out.append(s.strip())
    return out


def mask_selector(selectors):
    """One CSS selector list matching every masked element (built-in rules + the group's)."""
    return ", ".join(list(BUILTIN_SELECTORS) + list(selectors or ()))


def is_password(node, dom):
    """True for <input type="password">."""
    if dom.tag(node) != "input":
        return False
    t = dom.attr(node, "type")
    return isinstance(t, str) and t.strip().lower() == "password"


def _marked(node, dom):
    a = dom.attr(node, MASK_NAME)
    return a is not None or dom.has_class(node, MASK_NAME)


def masked_reason(node, dom, selectors):
    """Why `node` is masked from agents (PASSWORD, MASKED, UNKNOWN, BAD_SELECTOR), or None if it is not."""
    if is_password(node, dom):
        return PASSWORD
    n, depth = node, 0
    while n is not None and depth < MAX_DEPTH:
        if _marked(n, dom):
            return MASKED
        n = dom.parent(n)
        depth += 1
    if selectors is None:
        return UNKNOWN
    for sel in selectors:
        try:
            if dom.closest(node, sel):
                return MASKED
        except Exception:
            return BAD_SELECTOR
    return None
