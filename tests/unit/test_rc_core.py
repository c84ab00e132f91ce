"""Pure tests of remote control, navigation and gesture rules (rc_core) and masking rules."""
import pytest

from visitor_sdk import masking_rules as M
from visitor_sdk import rc_core as R
from visitor_sdk.catalogue import validate_payload


# --- a fake DOM -------------------------------------------------------------------
class Node:
    def __init__(self, tag, parent=None, attrs=None, classes=(), **props):
        self.tag, self.parent, self.attrs, self.classes = tag, parent, dict(attrs or {}), set(classes)
        self.value = props.pop("value", "")
        self.props = props
        self.events = []


class FakeDom:
    """Both masking_rules' and RcCore's adapter; selectors: '#id', '.class', 'tag', 'input[type=password]'."""

    def __init__(self, selectors=()):
        self.nodes = {}
        self.selectors = list(selectors)

    def add(self, gid, node):
        self.nodes[gid] = node
        return node

    # masking_rules adapter
    def tag(self, n):
        return n.tag

    def attr(self, n, name):
        return n.attrs.get(name)

    def has_class(self, n, name):
        return name in n.classes

    def parent(self, n):
        return n.parent

    def _match(self, n, sel):
        if sel.startswith("#"):
            return n.attrs.get("id") == sel[1:]
        if sel.startswith("."):
            return sel[1:] in n.classes
        if sel == "input[type=password]":
            return n.tag == "input" and n.attrs.get("type") == "password"
        if sel.isalpha():
            return n.tag == sel
        raise ValueError("bad selector " + sel)

    def closest(self, n, sel):
        while n is not None:
            if self._match(n, sel):
                return True
            n = n.parent
        return False

    # RcCore adapter
    def find(self, gid):
        return self.nodes.get(gid)

    def masked(self, el):
        return M.masked_reason(el, self, self.selectors)

    def typable(self, el):
        return R.typable_reason(el.tag, el.attrs.get("type", "text"), el.props.get("readonly"), el.props.get("disabled"))

    def selectable(self, el):
        return None if el.tag == "select" else self.typable(el)

    def click(self, el, act):
        el.events.append("click")

    def dblclick(self, el, act):
        el.events.append("dblclick")

    def focus(self, el):
        el.events.append("focus")
        self.active = el

    def focused(self):
        return getattr(self, "active", None)

    def gid_of(self, el):
        return [g for g, n in self.nodes.items() if n is el][0]

    def key(self, el, act):
        el.events.append("key:" + act["key"])
        if el.tag not in ("input", "textarea"):
            return None
        if len(act["key"]) == 1:
            el.value += act["key"]
        elif act["key"] == "Backspace":
            el.value = el.value[:-1]
        return el.value

    def scroll(self, el, x, y):
        if el is not None and not el.props.get("scrolls"):
            return None
        return [x, min(y, 500)]

    def value_of(self, el):
        return el.value if el.tag in ("input", "textarea", "select") else None

    def set_value(self, el, value):
        el.value = value
        el.events.append("input")
        return value

    def fire_change(self, el):
        el.events.append("change")


class FakeVisitor:
    def __init__(self):
        self.events, self.told = [], []
        self.store = {}
        self.paused = False
        self.session = {"key": "k1"}
        self.active = True

    def emit(self, name, payload=None):
        problems = validate_payload(name, payload)
        assert not problems, problems
        self.events.append((name, payload))

    def tell_agents(self, name, payload=None, ref=None, state=None):
        self.told.append((name, payload, ref))

    def in_session(self):
        return self.active

    def names(self):
        return [e[0] for e in self.events]


AGENT = {"agent": {"username": "janet.glance.net", "puid": "janet@example.com", "num": 1}}


def frame(id=None):
    f = dict(AGENT)
    if id:
        f["id"] = id
    return f


@pytest.fixture
def world():
    v = FakeVisitor()
    dom = FakeDom(selectors=["#card-number"])
    body = dom.add(1, Node("body"))
    dom.add(2, Node("input", body, {"id": "name"}))
    dom.add(3, Node("input", body, {"id": "pw", "type": "password"}))
    dom.add(4, Node("input", body, {"id": "card-number"}))
    masked_div = dom.add(5, Node("div", body, {"glance_masked": "true"}))
    dom.add(6, Node("input", masked_div, {"id": "inner"}))
    dom.add(7, Node("button", body, {"id": "go"}))
    dom.add(8, Node("input", body, {"id": "cls"}, classes=["glance_masked"]))
    dom.add(9, Node("input", body, {"id": "box", "type": "checkbox"}))
    dom.add(10, Node("textarea", body, {"id": "notes"}))
    core = R.RcCore(v, dom)
    return v, dom, core


def enable(v, core, id="r1"):
    core.on_request({}, frame(id))
    consent = v.events[-1][1]
    consent["accept"]()
    return consent


# --- paths and payloads ---------------------------------------------------------------
@pytest.mark.parametrize("value,gid", [
    ('[data-gid="167"]', 167), ("[data-gid='3']", 3), ("[data-gid=42]", 42), (" [data-gid=\"7\"] ", 7),
    (5, 5), ("12", 12), (5.0, 5),
    ('[data-gid="0"]', None), ('[data-gid="-1"]', None), ('[data-gid="1"] , body', None), ("#x", None),
    ('[data-gid="1e3"]', None), (True, None), (None, None), ("", None), ('[data-gid="' + "9" * 20 + '"]', None),
    ([], None), (5.5, None),
])
def test_parse_gid(value, gid):
    assert R.parse_gid(value) == gid


def test_gid_path_round_trip():
    assert R.gid_path(167) == '[data-gid="167"]'
    assert R.parse_gid(R.gid_path(167)) == 167


def test_parse_rc_event():
    assert R.parse_rc_event({"type": "click", "path": '[data-gid="3"]'}) == (
        {"type": "click", "gid": 3, "value": None, "key": None, "x": None, "y": None,
         "modifiers": {"shift": False, "ctrl": False, "alt": False, "meta": False}}, None)
    assert R.parse_rc_event({"type": "agenttyping", "gid": 4, "value": "ab"})[0]["value"] == "ab"
    assert R.parse_rc_event({"type": "agenttyping", "gid": 4})[0]["value"] == ""
    for bad in (None, [], {"type": "hover", "gid": 1}, {"type": "click"}, {"type": "click", "path": "#a"},
                {"type": "agenttyping", "gid": 1, "value": 5},
                {"type": "agenttyping", "gid": 1, "value": "x" * (R.MAX_VALUE_LEN + 1)}):
        assert R.parse_rc_event(bad) == (None, "badpayload")


def test_agent_info_and_payloads_fit_the_catalogue():
    a = R.agent_info(frame())
    assert a == {"username": "janet.glance.net", "puid": "janet@example.com", "num": 1}
    assert R.agent_info({}) == {"username": "", "puid": "", "num": 0}
    assert R.agent_info({"agent": {"num": True}})["num"] == 0
    for p in (R.rc_event_payload("click", a, 3), R.rc_event_payload("agenttyping", a, 3, "x"),
              R.rc_event_payload("inputchange", a, 3)):
        assert validate_payload("rcevent", p) == []
    assert "value" not in R.rc_event_payload("click", a, 3)
    assert validate_payload("outline", R.outline_payload(1, 2, None, a)) == []
    assert validate_payload("outline", R.outline_payload(1.5, 2, 9, a)) == []


def test_typable_reason():
    assert R.typable_reason("input", "text", False, False) is None
    assert R.typable_reason("INPUT", "Email", False, False) is None
    assert R.typable_reason("textarea", "", False, False) is None
    for args in (("input", "checkbox", False, False), ("input", "file", False, False), ("div", "", False, False),
                 ("input", "text", True, False), ("input", "text", False, True), ("input", "hidden", False, False)):
        assert R.typable_reason(*args) == "nottypable"


# --- masking rules ---------------------------------------------------------------------------
def test_masking_rules(world):
    _, dom, _ = world
    reason = lambda gid, sel=("#card-number",): M.masked_reason(dom.find(gid), dom, list(sel))  # noqa: E731
    assert reason(2) is None
    assert reason(3) == M.PASSWORD
    assert reason(4) == M.MASKED
    assert reason(4, ()) is None
    assert reason(5) == M.MASKED and reason(6) == M.MASKED and reason(8) == M.MASKED
    assert M.masked_reason(dom.find(2), dom, None) == M.UNKNOWN          # selectors not known: fail closed
    assert M.masked_reason(dom.find(3), dom, None) == M.PASSWORD
    assert reason(2, ("a[b",)) == M.BAD_SELECTOR                          # bad selector: fail closed
    assert reason(2, ("body",)) == M.MASKED                               # an ancestor matches


def test_clean_selectors_and_mask_selector():
    assert M.clean_selectors([".a", " #b ", None, ""]) == [".a", "#b"]
    assert M.clean_selectors("x") is None and M.clean_selectors(None) is None
    assert M.clean_selectors(["x" * (M.MAX_SELECTOR_LEN + 1)]) is None
    assert M.clean_selectors([5]) is None
    assert M.mask_selector(["#c"]) == "[glance_masked], .glance_masked, input[type=password], #c"
    assert M.mask_selector(None) == "[glance_masked], .glance_masked, input[type=password]"


# --- consent ------------------------------------------------------------------------------------
def test_accept_once(world):
    v, _, core = world
    assert core.on_request({}, frame("r1")) == "asked"
    name, consent = v.events[-1]
    assert name == "rcrequested"
    consent["accept"]()
    consent["accept"]()
    consent["decline"]()
    assert v.names() == ["rcrequested", "rcaccepted", "rcenabled"]
    assert v.events[-1][1] == {"enabled": True}
    assert v.told == [("rcaccepted", None, "r1"), ("rcenabled", {"enabled": True}, None)]
    assert core.enabled and v.store[R.RC_KEY] == {"key": "k1", "enabled": True}
    # asked again while on: the agent is told it is on, the visitor is not asked
    assert core.on_request({}, frame("r2")) == "enabled"
    assert v.told[-1] == ("rcenabled", {"enabled": True}, "r2")


def test_decline_once_and_pending(world):
    v, _, core = world
    core.on_request({}, frame("r1"))
    consent = v.events[-1][1]
    assert core.on_request({}, frame("r2")) == "pending"
    assert v.told[-1] == ("rcrefused", {"reason": "pending"}, "r2")
    consent["decline"]()
    consent["decline"]()
    consent["accept"]()
    assert v.names() == ["rcrequested", "rcdeclined"]
    assert ("rcdeclined", None, "r1") in v.told and not core.enabled
    assert R.RC_KEY not in v.store


def test_rcend_withdraws_a_waiting_request(world):
    v, _, core = world
    core.on_request({}, frame("r1"))
    consent = v.events[-1][1]
    core.on_end({}, frame("e1"))
    consent["accept"]()
    assert not core.enabled and v.names() == ["rcrequested"]
    assert v.told[-1] == ("rcenabled", {"enabled": False}, "e1")


def test_accept_after_the_session_ended_does_nothing(world):
    v, _, core = world
    core.on_request({}, frame("r1"))
    consent = v.events[-1][1]
    v.active = False
    core.session_ended("agent")
    consent["accept"]()
    assert not core.enabled and v.names() == ["rcrequested"]


def test_agent_and_visitor_end(world):
    v, _, core = world
    enable(v, core)
    core.on_end({}, frame("e1"))
    assert v.events[-1] == ("rcenabled", {"enabled": False})
    assert v.told[-1] == ("rcenabled", {"enabled": False, "by": "agent"}, "e1")
    assert R.RC_KEY not in v.store
    assert core.stop() is False
    v.events.clear()
    enable(v, core, "r2")
    assert core.stop() is True
    assert v.events[-1] == ("rcenabled", {"enabled": False})
    assert v.told[-1] == ("rcenabled", {"enabled": False, "by": "visitor"}, None)


def test_kept_across_pages_of_the_same_session(world):
    v, dom, core = world
    enable(v, core)
    page2 = R.RcCore(v, dom)
    v.events.clear()
    v.told.clear()
    page2.session_opened(True)
    assert page2.enabled and v.events == []          # announced once the connection is up
    page2.connected()
    page2.connected()
    assert v.events == [("rcenabled", {"enabled": True})]
    assert v.told == [("rcenabled", {"enabled": True}, None)]
    # another session's record, or a new session: off, record dropped
    v.session = {"key": "k2"}
    page3 = R.RcCore(v, dom)
    page3.session_opened(True)
    page3.connected()
    assert not page3.enabled and R.RC_KEY not in v.store


def test_session_end_turns_rc_off(world):
    v, _, core = world
    enable(v, core)
    core.session_ended("visitor")
    assert v.events[-1] == ("rcenabled", {"enabled": False}) and not core.enabled
    assert R.RC_KEY not in v.store


# --- agent actions ------------------------------------------------------------------------------------
def test_typing_click_and_inputchange(world):
    v, dom, core = world
    enable(v, core)
    v.events.clear()
    v.told.clear()
    for text in ("a", "ab"):
        assert core.on_event({"type": "agenttyping", "path": '[data-gid="2"]', "value": text}, frame()) is None
    assert dom.find(2).value == "ab"
    assert [p["value"] for n, p in v.events] == ["a", "ab"]
    assert v.events[0][1]["agent"] == AGENT["agent"] and v.events[0][1]["path"] == '[data-gid="2"]'
    # clicking another element leaves the edited field first
    assert core.on_event({"type": "click", "gid": 7}, frame("c1")) is None
    assert [p["type"] for n, p in v.events[2:]] == ["inputchange", "click"]
    assert dom.find(2).events == ["focus", "input", "focus", "input", "change"]
    assert dom.find(7).events == ["click"]
    assert v.told[-1] == ("rcevent", {"type": "click", "path": '[data-gid="7"]'}, "c1")
    # explicit inputchange needs an edit
    assert core.on_event({"type": "inputchange", "gid": 2}, frame("i1")) == "notedited"
    core.on_event({"type": "agenttyping", "gid": 10, "value": "note"}, frame())
    assert core.on_event({"type": "inputchange", "gid": 10}, frame("i2")) is None
    assert v.events[-1][1]["type"] == "inputchange" and "value" not in v.events[-1][1]
    assert dom.find(10).events[-1] == "change"
    # the visitor leaving the field
    core.on_event({"type": "agenttyping", "gid": 2, "value": "abc"}, frame())
    core.left(7)
    assert v.events[-1][1]["type"] == "agenttyping"
    core.left(2)
    assert v.events[-1][1]["type"] == "inputchange"


@pytest.mark.parametrize("gid,reason", [(3, "password"), (4, "masked"), (6, "masked"), (8, "masked")])
def test_masked_fields_are_refused(world, gid, reason):
    v, dom, core = world
    enable(v, core)
    n = len(v.events)
    for t in ("agenttyping", "click"):
        assert core.on_event({"type": t, "gid": gid, "value": "x"}, frame("t")) == reason
        refusal = {"reason": reason, "type": t, "path": R.gid_path(gid)}
        if t == "agenttyping":
            refusal["value"] = ""          # what the copy shows: the field's (masked) value, to put back
        assert v.told[-1] == ("rcrefused", refusal, "t")
    assert dom.find(gid).value == "" and dom.find(gid).events == []
    assert len(v.events) == n


def test_unknown_selectors_refuse_everything(world):
    v, dom, core = world
    dom.selectors = None
    enable(v, core)
    assert core.on_event({"type": "agenttyping", "gid": 2, "value": "x"}, frame()) == M.UNKNOWN


def test_refusals(world):
    v, dom, core = world
    assert core.on_event({"type": "click", "gid": 7}, frame()) == "notenabled"
    enable(v, core)
    assert core.on_event({"type": "click", "gid": 99}, frame()) == "notfound"
    assert core.on_event({"type": "agenttyping", "gid": 9, "value": "x"}, frame()) == "nottypable"
    assert core.on_event({"type": "agenttyping", "gid": 7, "value": "x"}, frame()) == "nottypable"
    assert core.on_event({"type": "click", "path": "body"}, frame()) == "badpayload"
    assert v.told[-1] == ("rcrefused", {"reason": "badpayload", "type": "click"}, None)
    assert dom.find(7).events == [] and dom.find(9).events == []


def test_nothing_of_the_page_is_sent_while_paused(world):
    v, dom, core = world
    enable(v, core)
    core.on_event({"type": "agenttyping", "gid": 2, "value": "x"}, frame())
    v.paused = True
    v.told.clear()
    n = len(v.events)
    assert core.on_event({"type": "click", "gid": 7}, frame("p")) == "paused"
    assert dom.find(7).events == []
    assert v.told == [("rcrefused", {"reason": "paused", "type": "click", "path": '[data-gid="7"]'}, "p")]
    core.left(2)  # the visitor leaves the field while paused: the page hears it, the agents do not
    assert v.events[n][1]["type"] == "inputchange"
    assert [t[0] for t in v.told] == ["rcrefused"]


# --- navigation -----------------------------------------------------------------------------------------
def resolver(base_origin="http://shop.test"):
    def resolve(url):
        if url.startswith("/"):
            return base_origin + url, base_origin, "http:"
        if "://" in url:
            scheme, rest = url.split("://", 1)
            host = rest.split("/", 1)[0]
            return url, scheme + "://" + host, scheme + ":"
        if url.startswith("javascript:"):
            return url, "null", "javascript:"
        return None
    return resolve


def test_parse_navigate():
    res, here = resolver(), "http://shop.test"
    assert R.parse_navigate({"url": "/product"}, here, res) == ({"url": "http://shop.test/product", "direction": "url"}, None)
    assert R.parse_navigate({"url": "http://shop.test/x", "direction": "url"}, here, res)[0]["url"] == "http://shop.test/x"
    assert R.parse_navigate({"direction": "back"}, here, res) == ({"direction": "back"}, None)
    assert R.parse_navigate({"direction": "forward"}, here, res) == ({"direction": "forward"}, None)
    # nothing to go back / forward to: refused; unknown (None): allowed; URLs never ask
    for answer, want in ((False, (None, "nohistory")), (None, ({"direction": "back"}, None)),
                         (True, ({"direction": "back"}, None))):
        assert R.parse_navigate({"direction": "back"}, here, res, lambda d: answer) == want
    asked = []
    assert R.parse_navigate({"direction": "forward"}, here, res, lambda d: asked.append(d) or False) == (None, "nohistory")
    assert asked == ["forward"]
    assert R.parse_navigate({"url": "/product"}, here, res, lambda d: False)[1] is None
    assert R.parse_navigate({"direction": "up"}, here, res, lambda d: False) == (None, "badpayload")
    for url in ("http://shop.test.evil.net/", "https://shop.test/", "javascript:alert(1)", "http://other.test/"):
        assert R.parse_navigate({"url": url}, here, res) == (None, "crossorigin")
    assert R.parse_navigate({"url": "??"}, here, res) == (None, "badurl")
    for bad in (None, {}, {"url": ""}, {"url": 5}, {"direction": "up"}, {"direction": "back", "url": "/x"},
                {"url": "/" + "x" * R.MAX_URL_LEN}):
        assert R.parse_navigate(bad, here, res) == (None, "badpayload")
    for p in ({"url": "http://shop.test/product", "direction": "url"}, {"direction": "back"}):
        assert validate_payload("navigation", p) == []


# --- gestures ------------------------------------------------------------------------------------------------
def test_parse_outline_and_box():
    assert R.parse_outline({"x": 10, "y": 20}) == ({"x": 10, "y": 20}, None)
    assert R.parse_outline({"x": 10, "y": 20, "w": 5, "h": 6}) == ({"x": 10, "y": 20, "w": 5, "h": 6}, None)
    assert R.parse_outline({"path": '[data-gid="4"]'}) == ({"gid": 4}, None)
    assert R.parse_outline({"gid": 4}) == ({"gid": 4}, None)
    for bad in (None, {}, {"x": 1}, {"x": "1", "y": 2}, {"x": True, "y": 2}, {"x": float("nan"), "y": 1},
                {"x": 1, "y": 2, "w": 0, "h": 3}, {"x": 1, "y": 2, "w": 3}, {"path": "#a"}, {"x": 1e9, "y": 0}):
        assert R.parse_outline(bad) == (None, "badpayload")
    assert R.outline_box({"x": 100, "y": 50}) == (70, 20, 60, 60)
    assert R.outline_box({"x": 1, "y": 2, "w": 3, "h": 4}) == (1, 2, 3, 4)


# --- the other remote-control actions (rc_events) --------------------------------------------------
def test_parse_the_new_types():
    act, why = R.parse_rc_event({"type": "key", "key": "Enter", "modifiers": {"shift": True}})
    assert why is None and act["gid"] is None and act["modifiers"]["shift"] is True
    assert R.parse_rc_event({"type": "scroll", "x": 0, "y": 30})[0]["y"] == 30
    assert R.parse_rc_event({"type": "inputchange", "gid": 2, "value": "b"})[0]["value"] == "b"
    for bad in ({"type": "key", "key": "F1"}, {"type": "key", "key": "ab", "gid": 1}, {"type": "dblclick"},
                {"type": "scroll", "x": 1}, {"type": "scroll", "x": "1", "y": 2}, {"type": "focus"},
                {"type": "key", "key": "a", "modifiers": {"hyper": True}}, {"type": "key", "key": "a", "path": "#x"},
                {"type": "click", "gid": 1, "x": float("nan"), "y": 1}):
        assert R.parse_rc_event(bad) == (None, "badpayload"), bad


def test_dblclick_focus_key_scroll(world):
    v, dom, core = world
    enable(v, core)
    assert core.on_event({"type": "dblclick", "gid": 7}, frame("d")) is None
    assert dom.find(7).events == ["dblclick"]
    assert v.told[-1] == ("rcevent", {"type": "dblclick", "path": '[data-gid="7"]'}, "d")
    assert core.on_event({"type": "focus", "gid": 2}, frame()) is None
    # no gid: the focused element gets the key; a printable key edits it
    assert core.on_event({"type": "key", "key": "a"}, frame("k")) is None
    assert dom.find(2).value == "a"
    assert v.told[-1] == ("rcevent", {"type": "key", "path": '[data-gid="2"]', "value": "a", "key": "a"}, "k")
    assert v.events[-1][1]["key"] == "a" and v.events[-1][1]["value"] == "a"
    assert core.edited == 2
    core.on_event({"type": "key", "gid": 7, "key": "Enter"}, frame())   # leaving the field: inputchange first
    assert [e[1]["type"] for e in v.events[-2:]] == ["inputchange", "key"]
    assert "value" not in v.events[-1][1]
    # scrolling: the page (no path) or a scrolling element; an element that cannot scroll is refused
    assert core.on_event({"type": "scroll", "x": 0, "y": 900}, frame("s")) is None
    assert v.told[-1] == ("rcevent", {"type": "scroll", "x": 0, "y": 500}, "s")
    assert "path" not in v.events[-1][1]
    assert core.on_event({"type": "scroll", "gid": 7, "x": 0, "y": 9}, frame()) == "noscroll"


def test_select_choice_and_key_refusals(world):
    v, dom, core = world
    body = dom.find(1)
    dom.add(11, Node("select", body, {"id": "size"}, value="s"))
    enable(v, core)
    assert core.on_event({"type": "inputchange", "gid": 11, "value": "m"}, frame("c")) is None
    assert dom.find(11).value == "m" and dom.find(11).events == ["input", "change"]
    assert v.told[-1] == ("rcevent", {"type": "inputchange", "path": '[data-gid="11"]', "value": "m"}, "c")
    assert core.on_event({"type": "inputchange", "gid": 9, "value": "on"}, frame()) == "nottypable"
    # nothing focused: a key has no element
    assert core.on_event({"type": "key", "key": "Tab"}, frame()) == "notfound"
    # a key into a masked field is refused, with its masked value for the copy to put back
    dom.find(4).value = "4111 1111"
    assert core.on_event({"type": "key", "gid": 4, "key": "x"}, frame("m")) == "masked"
    assert v.told[-1] == ("rcrefused", {"reason": "masked", "type": "key", "path": '[data-gid="4"]',
                                        "value": "**** ****"}, "m")
    assert dom.find(4).value == "4111 1111" and dom.find(4).events == []
    # typing into a read-only-like element (a checkbox) is refused with the field's value as it is
    dom.find(9).value = "on"
    core.on_event({"type": "agenttyping", "gid": 9, "value": "x"}, frame())
    assert v.told[-1][1]["value"] == "on"
