"""Agent navigation: the agent sends the visitor to a URL of the same site, or back/forward.

Browser shell around rc_core.parse_navigate. Agent action `navigate` with
{url} (resolved against the current page; same origin, http(s) only) or
{direction: 'back' | 'forward'}. The page fires `navigation` ({url,
direction: 'url'} or {direction}), the agents get the same payload as a
`navigation` visitor event (ref = the action's id), then the page really
navigates; the session continues on the new page. A refused request fires
nothing on the page and the agents get `navigationrefused {reason[, url]}`
(reasons: badpayload, badurl, crossorigin, nohistory).

Back and forward with nothing to go to are refused with `nohistory`, so the
agents are never told `navigation` for a page that stays. Where the browser
has the Navigation API (`navigation.canGoBack` / `canGoForward`, Chromium)
both directions are checked, and only entries of this site count (going back
to another site would leave the session's pages). Without it only back can
be checked (`history.length <= 1`: this tab has no other entry); forward
cannot be (history.length counts entries both ways), so forward is sent on
and does nothing visible when there is no next page.
"""

import javascript

from browser import window

from . import log
from .features import Feature
from .rc_core import parse_navigate

NAVIGATE_DELAY_MS = 20   # let the answer to the agents leave before the page unloads


def _can_go(direction):
    """Whether this tab can go `direction` ('back' | 'forward'): True, False, or None (cannot tell)."""
    try:
        nav = window.navigation
        if nav is not javascript.UNDEFINED and nav is not javascript.NULL and nav is not None:
            flag = nav.canGoBack if direction == "back" else nav.canGoForward
            if flag is True or flag is False:
                return flag
    except Exception:
        pass
    if direction == "back":
        try:
            return int(window.history.length) > 1
        except Exception:
            return None
    return None


def _resolve(url):
    try:
        u = window.URL.new(url, window.location.href)
        return str(u.href), str(u.origin), str(u.protocol)
    except Exception:
        return None


class Navigation(Feature):
    """The `navigate` agent action (feature_set.install creates it)."""

    def actions(self):
        def navigate(payload, frame):
            try:
                self.on_navigate(payload, frame)
            except Exception as exc:
                log.failed("navigate", exc)
        return {"navigate": navigate}

    def on_navigate(self, payload, frame):
        ref = frame.get("id") if isinstance(frame, dict) else None
        if not self.visitor.in_session():
            return
        nav, why = parse_navigate(payload, str(window.location.origin), _resolve, _can_go)
        if why is not None:
            refusal = {"reason": why}
            url = payload.get("url") if isinstance(payload, dict) else None
            if isinstance(url, str):
                refusal["url"] = url[:200]
            self.visitor.tell_agents("navigationrefused", refusal, ref)
            return
        self.visitor.emit("navigation", nav)
        self.visitor.tell_agents("navigation", nav, ref)

        def go():
            try:
                if nav["direction"] == "back":
                    window.history.back()
                elif nav["direction"] == "forward":
                    window.history.forward()
                else:
                    window.location.assign(nav["url"])
            except Exception as exc:
                log.warn_once("navigation", "navigation failed: " + str(exc))
        window.setTimeout(go, NAVIGATE_DELAY_MS)
