"""The cobrowse view's rules, without a DOM: what is masked, what is sent, when, and how much.

Pure Python (imports only other pure modules), tested on CPython. The browser
shell (`capture.py`) feeds this module the page's facts and does what it
says; the per-node work runs in a small JS walker (visitor_sdk/js/walker.js) that is
configured from `walker_config()` here, because Brython-compiled Python is far
too slow to visit 20,000 nodes per snapshot (see bench/bench_capture.py).

Wire format (visitor_event frames, relayed by the service to every agent):

    dom_snapshot {s, i, n, nodes, meta?}
        one chunk (i of n, 0-based) of full snapshot number `s`; `meta` only in
        chunk 0: {url, title, doctype, vp: [w, h], scroll: [x, y], masked, base (the
        document's base URL), as? (its adoptedStyleSheets: see js/walker_styles.js)}
        `nodes` is a flat pre-order list of node records:
            element  [id, tag, attrs | 0, nchildren, props?]
            text     [id, text]
        ids > 0 are the element's data-gid, ids < 0 name text nodes (and
        elements without a data-gid). `tag` is lower case, "svg:" prefixed in
        the SVG namespace. props: {v: value, c: checked, x: selectedIndex,
        sc: [x, y] the element's scroll offsets, img: a canvas as a data URL,
        css: a <style>'s (or same-origin <link>'s) rules when they are not its
        text (insertRule/deleteRule), fd: [doctype, x, y] a same-origin iframe:
        its one child is the root element of its document, x/y the frame's
        scroll, as: the frame document's adoptedStyleSheets}.
            shadow   [id, "#shadow", 0, nchildren, {as}?]  a shadow root (open,
                     or closed and attached after the SDK loaded), the first
                     child of its host (the host's light children follow)
        URLs (attributes, url(...) in styles and rules) are absolute: resolved
        on the visitor's page against their own document's base URL.
    dom_changes  {s, q, c?, a?, t?, v?, sc?, vp?, m?, f?}
        changes since the previous batch of snapshot `s` (q counts batches):
        c  [[parent id, [child id | [records of a new subtree], ...]], ...]
           the parent's full, ordered child list (children not listed go)
        a  [[id, {attr: value | null}], ...]       t  [[id, text], ...]
        v  [[id, value, checked], ...]             sc [[id (0 = window), x, y], ...]
           (an iframe's child list is [its document's root]; a shadow root
           is a parent like an element)
        sc entries [frame id, x, y, 1] are the scroll of a frame's document
        cv [[canvas id, data URL | null], ...]    css [[style id, rules text], ...]
        sh [[host id, [#shadow record, its subtree...]], ...] a shadow root
           attached to an element already sent (applied before `c`)
        as [[root id, [sheet refs], 1?], ...]  ss [[sheet id, rules], ...]
           adopted stylesheets (js/walker_styles.js)
        vp [w, h]      m [x, y] pointer (viewport px)      f id focused
Agent action `resync` {} asks for a new full snapshot.

Masking (before anything leaves the page): masking_rules decides which
elements are masked (password inputs, glance_masked attribute or class, the
group's selectors, and everything under them); this module adds inputs that
were ever password inputs (a "show password" toggle), password autocomplete
fields and selectors from GLANCE_COBROWSE.getMaskingDescriptor(). In a masked
element every text and attribute value becomes asterisks of the same length
(`mask_text`), except layout attributes (SAFE_ATTRS) and URL attributes, which
are cleared (images, links, srcset); form values are masked the same way;
hidden inputs never send a value. A selector that cannot be used masks the
whole page (visitor.page_masked).
"""

from .masking_rules import BUILTIN_SELECTORS, clean_selectors, mask_selector

SNAPSHOT = "dom_snapshot"
CHANGES = "dom_changes"
RESYNC = "resync"

MASK_CHAR = "*"
# Extra built-in rules of the cobrowse view (beyond masking_rules.BUILTIN_SELECTORS).
EXTRA_SELECTORS = ('input[autocomplete~="current-password"]', 'input[autocomplete~="new-password"]')

# Attributes kept as they are on a masked element (layout, not visitor data).
SAFE_ATTRS = ("class", "id", "style", "type", "name", "width", "height", "role", "dir", "lang", "hidden",
              "disabled", "readonly", "tabindex", "colspan", "rowspan", "size", "maxlength", "minlength",
              "rows", "cols", "for", "rel", "media", "placeholder", "autocomplete", "inputmode", "glance_masked",
              "aria-hidden", "viewbox", "xmlns")
# Attributes holding URLs: cleared on a masked element (no masked image or link URL is sent).
URL_ATTRS = ("href", "src", "srcset", "poster", "data", "action", "formaction", "xlink:href", "background",
             "cite", "longdesc", "ping", "imagesrcset")
# Elements sent without their content (their text never matters to the copy).
EMPTY_TAGS = ("script", "noscript", "template")

CHUNK_BYTES = 180 * 1024        # one dom_snapshot frame's nodes, in bytes (frames are at most 256 KB)
RATE_BYTES = 512 * 1024         # byte budget per second for the capture of one page
BURST_BYTES = 1024 * 1024       # how far ahead of the budget a page may send at once
MAX_BATCH_BYTES = 200 * 1024    # a bigger batch of changes is replaced by a new snapshot
MAX_DEFER_S = 5.0               # changes held back longer than this are replaced by a new snapshot
MAX_BACKLOG = 64                # unacknowledged frames: above this the agents are behind
MIN_SNAPSHOT_INTERVAL_S = 2.0   # never two snapshots closer than this (each one costs the page a frame)
SNAPSHOT_BYTE_SHARE = 0.5       # ...nor closer than its bytes at this share of RATE_BYTES (a big page waits longer)
SNAPSHOT_CPU_SHARE = 0.1        # ...nor closer than its own duration / this (at most 10% of the page's time)
MAX_SNAPSHOT_INTERVAL_S = 4.0   # ...but those two never space snapshots further than this (the budget still may)
MAX_PENDING_NODES = 2048        # more nodes with changes waiting than this: a snapshot replaces them
DESCRIPTOR_TIMEOUT_MS = 3000    # GLANCE_COBROWSE.getMaskingDescriptor() must answer within this
CANVAS_INTERVAL_MS = 1000       # a canvas is read (toDataURL) at most once per this, and only when unmasked
CANVAS_MAX_PX = 800             # longest side of a canvas image (bigger canvases are scaled down)
CANVAS_MAX_BYTES = 96 * 1024    # a canvas image above this (PNG, then JPEG) is not sent; also per batch


def mask_text(text):
    """`text` with every non-space character replaced by an asterisk (same length, layout kept)."""
    if not text:
        return text or ""
    return "".join(c if c in " \t\n\r\f" else MASK_CHAR for c in text)


def descriptor_selectors(value):
    """Selectors from a getMaskingDescriptor() answer {maskedSelectors: [...]}, or None if unusable."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return None
    sels = value.get("maskedSelectors")
    if sels is None:
        return []
    return clean_selectors(sels)


def masking_plan(group_selectors, extra_selectors=(), is_valid=None):
    """What to mask: {selector, page_masked, error}.

    `group_selectors` is group_settings.masking_selectors() (None: unknown, so
    the page is masked as a whole), `extra_selectors` those added at run time
    (None: unusable), `is_valid(selector)` tells whether the browser accepts a
    selector. A selector that is not valid masks the page and names the error
    (for an `error {code: 'maskingerror'}` event).
    """
    base = list(BUILTIN_SELECTORS) + list(EXTRA_SELECTORS)
    if group_selectors is None:
        return {"selector": ", ".join(base), "page_masked": True,
                "error": "the group's masking selectors are not known: the page is masked"}
    if extra_selectors is None:
        return {"selector": ", ".join(base), "page_masked": True,
                "error": "getMaskingDescriptor() gave no usable selectors: the page is masked"}
    sels = list(group_selectors) + list(extra_selectors)
    for s in sels:
        if is_valid is not None and not is_valid(s):
            return {"selector": ", ".join(base), "page_masked": True,
                    "error": "invalid masking selector " + repr(s)[:200] + ": the page is masked"}
    return {"selector": mask_selector(list(EXTRA_SELECTORS) + sels), "page_masked": False, "error": None}


def walker_config(selector, page_masked):
    """The JS walker's configuration (plain data) for a masking plan."""
    return {"maskSel": selector, "pageMasked": bool(page_masked), "maskChar": MASK_CHAR,
            "safeAttrs": list(SAFE_ATTRS), "urlAttrs": list(URL_ATTRS), "emptyTags": list(EMPTY_TAGS),
            "chunkBytes": CHUNK_BYTES, "canvasMs": CANVAS_INTERVAL_MS, "canvasPx": CANVAS_MAX_PX,
            "canvasBytes": CANVAS_MAX_BYTES}


class ByteBudget:
    """A token bucket: `rate` bytes per second, at most `burst` saved up.

    Sending is allowed while the balance is not negative; a send may take it
    below zero (a snapshot must go whole), and later sends wait until the
    debt is repaid, so the average stays at `rate`.
    """

    def __init__(self, rate=RATE_BYTES, burst=BURST_BYTES, now=0.0):
        self.rate = float(rate)
        self.burst = float(burst)
        self.balance = float(burst)
        self.t = now

    def _refill(self, now):
        if now > self.t:
            self.balance = min(self.burst, self.balance + (now - self.t) * self.rate)
        self.t = max(self.t, now)

    def can_send(self, now):
        self._refill(now)
        return self.balance >= 0

    def spend(self, nbytes, now):
        self._refill(now)
        self.balance -= nbytes

    def wait_s(self, now):
        """Seconds until sending is allowed again (0 when it is)."""
        self._refill(now)
        return 0.0 if self.balance >= 0 else -self.balance / self.rate


# What CapturePolicy.decide() answers.
IDLE = "idle"            # nothing to do
WAIT = "wait"            # something to send, but not now (changes kept): ask again after `delay`
DROP = "drop"            # a snapshot is due but not yet allowed: drop the waiting changes (and stop
                         # recording them), ask again after `delay`
SEND_SNAPSHOT = "snapshot"
SEND_CHANGES = "changes"


class CapturePolicy:
    """When the page sends a full snapshot, a batch of changes, or nothing.

    Call `agents(count)` when the session's agent count is known,
    `request_snapshot()` on a resync, a new page or a masking change,
    `decide(now, paused, backlog, dirty, pending)` on every animation frame
    that has something pending, and `sent(nbytes, now, snapshot)` after
    sending.

    Bounded cost on a page that changes constantly: snapshots are at least
    `min_interval` apart and only taken while the byte budget allows; until
    one is allowed the waiting changes are dropped (DROP: the snapshot
    replaces them), so the page pays for one snapshot per interval at most
    and nothing in between; a big or slow snapshot spaces the next one
    further (SNAPSHOT_BYTE_SHARE, SNAPSHOT_CPU_SHARE). Small changes over the budget wait (WAIT) until
    it allows them, for `max_defer` at most; more than `max_pending` nodes
    waiting, or a batch above `max_batch`, is replaced by a snapshot.
    """

    def __init__(self, budget=None, max_batch=MAX_BATCH_BYTES, max_defer=MAX_DEFER_S, max_backlog=MAX_BACKLOG,
                 min_interval=MIN_SNAPSHOT_INTERVAL_S, max_pending=MAX_PENDING_NODES):
        self.budget = budget or ByteBudget()
        self.max_batch = max_batch
        self.max_defer = max_defer
        self.max_backlog = max_backlog
        self.min_interval = min_interval
        self.max_pending = max_pending
        self.last_snapshot = None
        self.next_snapshot = None   # the earliest time of the next snapshot
        self.count = 0
        self.need_snapshot = False
        self.was_paused = False
        self.behind = False
        self.deferred_since = None
        self.snapshots = 0

    @property
    def watching(self):
        """True while at least one agent is in the session (capture runs only then)."""
        return self.count > 0

    def agents(self, count):
        """The agent count changed; a new agent needs a full snapshot. Returns True if capture must run."""
        count = count if isinstance(count, int) and count > 0 else 0
        if count > self.count:
            self.need_snapshot = True
        self.count = count
        return count > 0

    def request_snapshot(self):
        self.need_snapshot = True

    def snapshot_allowed(self, now):
        """True when a snapshot may be sent now (budget and minimum interval)."""
        if self.next_snapshot is not None and now < self.next_snapshot:
            return False
        return self.budget.can_send(now)

    def decide(self, now, paused=False, backlog=0, dirty=True, pending=0):
        """One of IDLE, WAIT, DROP, SEND_SNAPSHOT, SEND_CHANGES."""
        if not self.watching:
            return IDLE
        if paused:
            # While paused nothing is sent (or recorded); afterwards the agents get a fresh snapshot.
            self.was_paused = True
            return DROP
        if self.was_paused:
            self.was_paused = False
            self.need_snapshot = True
        if backlog > self.max_backlog:
            self.behind = True
            return DROP
        if self.behind:
            self.behind = False
            self.need_snapshot = True
        if not self.need_snapshot and pending > self.max_pending:
            self.need_snapshot = True
        if self.need_snapshot:
            self.deferred_since = None
            return SEND_SNAPSHOT if self.snapshot_allowed(now) else DROP
        if not dirty:
            self.deferred_since = None
            return IDLE
        if not self.budget.can_send(now):
            if self.deferred_since is None:
                self.deferred_since = now
            elif now - self.deferred_since > self.max_defer:
                self.need_snapshot = True  # too far behind: a snapshot replaces the held changes
                return DROP
            return WAIT
        self.deferred_since = None
        return SEND_CHANGES

    def batch_fits(self, nbytes):
        """A batch of changes bigger than max_batch is dropped for a new snapshot."""
        if nbytes > self.max_batch:
            self.need_snapshot = True
            return False
        return True

    def sent(self, nbytes, now, snapshot=False, duration=0.0):
        """Something was sent; for a snapshot, `duration` is what taking it cost the page (s)."""
        self.budget.spend(nbytes, now)
        if snapshot:
            self.need_snapshot = False
            self.snapshots += 1
            self.last_snapshot = now
            self.next_snapshot = now + self.snapshot_interval(nbytes, duration)

    def snapshot_interval(self, nbytes, duration=0.0):
        """The least time between a snapshot of `nbytes` that took `duration` s and the next one."""
        spaced = max(nbytes / (self.budget.rate * SNAPSHOT_BYTE_SHARE), duration / SNAPSHOT_CPU_SHARE)
        return max(self.min_interval, min(MAX_SNAPSHOT_INTERVAL_S, spaced))

    def delay(self, now):
        """Seconds to wait before asking again after WAIT or DROP."""
        if self.was_paused:
            return 0.5      # paused: nothing to do but notice the end of the pause
        wait = self.budget.wait_s(now)
        if self.need_snapshot and self.next_snapshot is not None:
            wait = max(wait, self.next_snapshot - now)
        return min(2.0 if self.need_snapshot else 1.0, max(0.05, wait))


def chunk_count(sizes, limit=CHUNK_BYTES):
    """How a list of record sizes splits greedily into chunks of at most `limit` (a chunk holds >= 1 record)."""
    chunks, cur = 0, None
    for s in sizes:
        if cur is None or cur + s > limit:
            chunks += 1
            cur = s
        else:
            cur += s
    return chunks
