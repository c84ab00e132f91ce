"""Legacy cross-domain continuation: the deprecated `urlstartwarning` event (browser shell).

A page of another domain links here with ?glance_continue=KEY&glance_group=GROUP&glance_resume=TOKEN
(continue_rules.continue_query builds it from the session's resume token). When
this tab is not in a session, the page fires `urlstartwarning {accept,
decline}`: accept() joins that session as a new tab (sessioncontinue),
decline() does nothing more. Either way the parameters are removed from the
address bar; only the first call counts.
"""

from browser import window

from . import continue_rules as core
from .config import groups_of
from .features import Feature
from .jsconv import guarded as guard
from .offers import Offer


def _query():
    out = {}
    try:
        q = window.URLSearchParams.new(window.location.search)
        for name in core.CONTINUE_PARAMS:
            if q.has(name):
                out[name] = str(q.get(name))
    except Exception:
        pass
    return out


def _strip():
    try:
        u = window.URL.new(window.location.href)
        for name in core.CONTINUE_PARAMS:
            u.searchParams.delete(name)
        window.history.replaceState(window.history.state, "", u.href)
    except Exception:
        pass


class UrlStart(Feature):
    """Offers to continue a session named in the URL (feature_set.install creates it)."""

    def __init__(self, visitor, config):
        Feature.__init__(self, visitor, config)
        self.offer = None
        wanted = core.parse_continue(_query())
        if wanted is not None and wanted["groupid"] in groups_of(config):
            window.setTimeout(guard("urlstartwarning", lambda: self._warn(wanted)), 0)

    def _warn(self, wanted):
        if self.visitor.in_session():
            _strip()
            return
        me = self

        def accept(*args):
            _strip()
            if not me.visitor.in_session():
                me.visitor.resume({"key": wanted["key"], "groupid": wanted["groupid"], "random": False,
                                   "resume": wanted["resume"], "resumed": True})

        def decline(*args):
            _strip()
        self.offer = Offer(guard("urlstartwarning accept", accept), guard("urlstartwarning decline", decline))
        self.visitor.emit("urlstartwarning", self.offer.callbacks())
