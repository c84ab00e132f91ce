"""Cross-window invoke in Chromium, across real origins (issue 4).

The shop (the visitor page with the cobrowse tag) always runs on the
server's 127.0.0.1 origin. Senders run on other origins:

- the demo chat page (/chat) on http://localhost:PORT, the second origin of
  the same server, which the test groups file trusts for group 72937;
- "rig" pages served with Playwright's `context.route` on any origin we need
  (look-alikes such as http://localhost.evil.net:PORT, https instead of http,
  a wrong port, ...): route.fulfill lets a page exist on an origin without a
  network, so those pages really post messages from that origin;
- a sandboxed srcdoc frame for the `null` origin.

The shop pages use ?check=1, which exposes the receiver's counters as
window.__glanceInvokeStats() (test seam, data-check-payloads only).
"""
import json
import random
import re
import time

import pytest

from visitor_sdk.invoke_rules import check_invoke

GROUP = 72937
WARN = "GLANCE: glance_invoke"
# Keys the receiver refuses as a shape problem before check_invoke (Object.prototype's own names).
RESERVED_KEYS = {"constructor", "__defineGetter__", "__defineSetter__", "hasOwnProperty", "__lookupGetter__",
                 "__lookupSetter__", "isPrototypeOf", "propertyIsEnumerable", "toString", "valueOf", "__proto__",
                 "toLocaleString"}

SENDER_HTML = "<!doctype html><title>sender</title><script>window.post = function (m) { parent.frames[0].postMessage(m, '*'); };</script>"


def trusted(server):
    return [server.alt_url, server.url]


# --- rigs ---------------------------------------------------------------------------

def open_rig(context, server, senders=(), shop_query="check=1", null_sender=False):
    """The demo chat page on the trusted origin (localhost) with the shop (127.0.0.1) as frames[0],
    plus one frame per sender origin, served with context.route.

    (A routed page cannot be the top page: Chromium's private network access
    rules then refuse to load the shop from 127.0.0.1 in a frame.) Every
    frame gets `post(message)`, which posts to the shop with target "*".
    Returns (page, shop_frame, {origin: frame}) where the chat page's frame is
    under server.alt_url.
    """
    def handler(route):
        route.fulfill(status=200, content_type="text/html", body=SENDER_HTML)

    context.route(re.compile(r"^https?://[^/]+/__sender$"), handler)
    page = context.new_page()
    from tests.conftest import watch
    watch(page)
    page.set_default_timeout(15000)
    page.goto(server.alt_url + "/chat?" + shop_query)
    page.wait_for_function("window.chatReady === true")
    shop = page.frame(name="shop")
    shop.wait_for_function("window.demoAttached === true")
    page.evaluate("""([origins, withNull, html]) => {
        window.post = function (m) { frames[0].postMessage(m, '*'); };
        origins.forEach((o, i) => {
            const f = document.createElement('iframe');
            f.name = 's' + i; f.src = o + '/__sender';
            document.body.appendChild(f);
        });
        if (withNull) {
            const f = document.createElement('iframe');
            f.name = 'snull'; f.setAttribute('sandbox', 'allow-scripts'); f.srcdoc = html;
            document.body.appendChild(f);
        }
    }""", [list(senders), null_sender, SENDER_HTML])
    out = {server.alt_url: page.main_frame}
    for i, o in enumerate(senders):
        page.wait_for_function("(n) => !!frames[n]", arg="s%d" % i)
        f = None
        deadline = time.time() + 10
        while f is None and time.time() < deadline:
            f = page.frame(name="s%d" % i)
            if f is None:
                page.wait_for_timeout(20)
        f.wait_for_function("typeof window.post === 'function'")
        out[o] = f
    if null_sender:
        page.wait_for_timeout(100)
        f = page.frame(name="snull")
        f.wait_for_function("typeof window.post === 'function'")
        out["null"] = f
    return page, shop, out


def stats(shop):
    return shop.evaluate("window.__glanceInvokeStats ? window.__glanceInvokeStats() : null")


def wait_received(shop, n):
    shop.wait_for_function(
        "(n) => window.__glanceInvokeStats && __glanceInvokeStats().received >= n && __glanceInvokeStats().waiting === 0",
        arg=n)


def invoke_warnings(page):
    return [t for t in page.console.of("warning") if t.startswith(WARN)]


def wait_warnings(page, n, timeout=5.0):
    deadline = time.time() + timeout
    while len(invoke_warnings(page)) < n and time.time() < deadline:
        page.wait_for_timeout(20)
    return invoke_warnings(page)


def event_names(shop):
    return shop.evaluate("window.demoEvents.map(e => e.name)")


def assert_idle(shop):
    assert shop.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
    assert shop.evaluate("GLANCE.Cobrowse.Visitor.getKey()") is None
    names = event_names(shop)
    for name in ("sessionstarting", "sessionstart", "sessionend", "error"):
        assert name not in names, names


def start_msg(key="31313131", groupid=GROUP):
    return {"glance_invoke": {"func": "startSession", "args": {"sessionKey": key}, "groupid": groupid}}


# --- the chat page: InvokeVisitor.invoke across origins -----------------------------

def test_chat_page_starts_and_stops_a_real_session_through_invoke(page, server):
    page.goto(server.alt_url + "/chat?check=1")
    page.wait_for_function("window.chatReady === true")
    shop = page.frame(name="shop")
    assert shop.url.startswith(server.url + "/")          # the shop is on the other origin
    assert page.evaluate("location.origin") == server.alt_url
    shop.wait_for_function("window.demoAttached === true")
    assert_idle(shop)

    page.fill("#chat-key", "4455")
    page.click("#chat-start")
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstarting')")
    assert shop.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True
    assert shop.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "4455"
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstart')")

    page.click("#chat-stop")
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionend')")
    assert shop.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
    end = [json.loads(e["payload"]) for e in shop.evaluate("window.demoEvents") if e["name"] == "sessionend"]
    assert end == [{"reason": "visitor"}]
    s = stats(shop)
    assert s["calls"]["startSession"] == 1 and s["calls"]["stopSession"] == 1 and s["accepted"] == 2
    assert invoke_warnings(page) == []
    assert page.evaluate("chatLog.filter(t => /Error/.test(t))") == []
    assert page.console.errors == []


MISTAKES = """(fs) => {
    const IV = GLANCE.Cobrowse.InvokeVisitor, out = [];
    for (const f of fs) {
        try { (new Function('IV', f))(IV); out.push(null); } catch (e) { out.push([e instanceof Error, e.name, e.message]); }
    }
    return out; }"""


def test_invoke_visitor_errors_are_thrown_in_the_chat_window(page, server):
    page.goto(server.alt_url + "/chat?check=1")
    page.wait_for_function("window.chatReady === true")
    # The stub (before the first invoke loads the runtime) throws what it can check alone, and loads nothing.
    errors = page.evaluate(MISTAKES, ["IV.invoke('addEventListener', {})", "IV.invoke(5)"])
    assert errors[0][0] and "cannot be invoked from another window" in errors[0][2]
    assert errors[1][1] == "TypeError"
    assert page.evaluate("GLANCE.Cobrowse._invokeLoader.runtimeWanted") is False
    # A call kept until the runtime arrives, whose arguments are then refused: one console error, nothing posted.
    page.console.expect("GLANCE: GLANCE.Cobrowse.InvokeVisitor.invoke: startSession")
    page.evaluate("GLANCE.Cobrowse.InvokeVisitor.invoke('startSession', {sessionKey: 'a b'})")
    page.wait_for_function("GLANCE.Cobrowse._invokeLoader.liveAt !== null")
    kept = [t for t in page.console.of("error") if "startSession" in t]
    assert len(kept) == 1 and kept[0].startswith("GLANCE: GLANCE.Cobrowse.InvokeVisitor.invoke: startSession"), kept
    # Once InvokeVisitor is live, every mistake throws at once.
    errors = page.evaluate(MISTAKES, ["IV.invoke('addEventListener', {})", "IV.invoke(5)",
                                      "IV.invoke('startSession', {sessionKey: 'a b'})"])
    assert errors[0][0] and "cannot be invoked from another window" in errors[0][2]
    assert errors[1][1] == "TypeError"
    assert errors[2][0] and "startSession" in errors[2][2]
    shop = page.frame(name="shop")
    shop.wait_for_timeout(300)
    assert stats(shop) is None   # no glance_invoke message reached the shop (one would load its runtime)


# --- the raw postMessage form of the seed ----------------------------------------

def test_seed_raw_postmessage_show_terms_from_a_trusted_origin(context, server):
    page, shop, _ = open_rig(context, server)
    # Exactly the seed's example (groupid as a string, target "*").
    page.evaluate("""() => frames[0].postMessage({ glance_invoke: { func: "showTerms", args: { sessionKey: "12121212" },
                                                                    groupid: "72937"} }, "*")""")
    dialog = shop.locator("[role=dialog]")
    dialog.wait_for()
    assert shop.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False   # terms first
    dialog.get_by_role("button", name="Start session").click()
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstarting')")
    assert shop.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "12121212"
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstart')")
    assert stats(shop)["calls"]["showTerms"] == 1
    assert invoke_warnings(page) == []
    assert page.console.errors == []


# --- rejections: one warning each, no state change ---------------------------------

def lookalike_origins(server):
    port = server.port
    return [
        "https://example.com.evil.net",             # untrusted
        "http://localhost.evil.net:%d" % port,       # trusted host as a prefix
        "http://127.0.0.1.evil.net:%d" % port,
        "http://evillocalhost:%d" % port,            # trusted host as a suffix
        "http://sub.localhost:%d" % port,            # a subdomain (no wildcard entry)
        "https://localhost:%d" % port,               # https in place of http
        "http://localhost:%d" % (port + 1),          # wrong port
        "http://localhost",                          # default port
        "http://127.0.0.2:%d" % port,
    ]


def test_untrusted_and_lookalike_origins_are_refused(context, server):
    origins = lookalike_origins(server)
    page, shop, senders = open_rig(context, server, senders=origins, null_sender=True)
    page.console.expect(WARN)   # each refused message gets its warning
    order = origins + ["null"]
    for i, origin in enumerate(order):
        got = senders[origin].evaluate("() => location.origin")
        assert got == origin, (got, origin)
        senders[origin].evaluate("(m) => post(m)", start_msg())
        wait_received(shop, i + 1)
    warns = wait_warnings(page, len(order))
    assert len(warns) == len(order), warns
    for origin, w in zip(order, warns):
        assert "(origin check failed)" in w, w
        assert origin in w or origin == "null", (origin, w)
    s = stats(shop)
    assert s["accepted"] == 0 and s["rejected"]["origin"] == len(order)
    assert_idle(shop)
    assert page.console.errors == []


MIB_STRING = "'x'.repeat(1 << 20)"

# (label, message as a JS expression posted from the trusted origin, expected check or None when the
# loader ignores it without a word because it is not a glance_invoke message at all)
REJECTIONS = [
    # not glance_invoke messages: other scripts' postMessages are ignored silently
    ("data is a string", "'startSession'", None),
    ("data is null", "null", None),
    ("data is an array", "[{glance_invoke: {func: 'startSession', groupid: 72937}}]", None),
    ("data without glance_invoke", "{func: 'startSession', groupid: 72937}", None),
    # malformed glance_invoke
    ("glance_invoke is a string", "{glance_invoke: 'startSession'}", "shape"),
    ("glance_invoke is null", "{glance_invoke: null}", "shape"),
    ("glance_invoke is an array", "{glance_invoke: ['startSession', {}, 72937]}", "shape"),
    ("glance_invoke has an extra field", "{glance_invoke: {func: 'stopSession', groupid: 72937, then: 'x'}}", "shape"),
    ("a 1 MB string", "{glance_invoke: {func: %s, groupid: 72937}}" % MIB_STRING, "shape"),
    ("a 1 MB string in args", "{glance_invoke: {func: 'startSession', groupid: 72937, args: {name: %s}}}" % MIB_STRING,
     "shape"),
    ("deeply nested garbage", "(() => { let a = 1; for (let i = 0; i < 200; i++) a = {a: [a]}; "
                              "return {glance_invoke: {func: 'startSession', groupid: 72937, args: a}}; })()", "shape"),
    ("a cycle", "(() => { const a = {}; a.a = a; return {glance_invoke: {func: 'stopSession', groupid: 72937, args: a}}; })()",
     "shape"),
    ("100,000 values", "{glance_invoke: {func: 'stopSession', groupid: 72937, args: Array.from({length: 100000}, (_, i) => i)}}",
     "shape"),
    ("a __proto__ key", "{glance_invoke: JSON.parse('{\"func\": \"stopSession\", \"groupid\": 72937, \"__proto__\": {\"func\": \"x\"}}')}",
     "shape"),
    ("a hasOwnProperty key", "{glance_invoke: {func: 'stopSession', groupid: 72937, args: {hasOwnProperty: 1}}}", "shape"),
    # group id
    ("missing groupid", "{glance_invoke: {func: 'startSession', args: {sessionKey: '1234'}}}", "groupid"),
    ("another group's id", "{glance_invoke: {func: 'startSession', args: {sessionKey: '1234'}, groupid: 12345}}", "groupid"),
    ("groupid as a wrong string", "{glance_invoke: {func: 'startSession', groupid: '72937abc'}}", "groupid"),
    ("groupid 0", "{glance_invoke: {func: 'startSession', groupid: 0}}", "groupid"),
    ("groupid -72937", "{glance_invoke: {func: 'startSession', groupid: -72937}}", "groupid"),
    ("groupid 72937.5", "{glance_invoke: {func: 'startSession', groupid: 72937.5}}", "groupid"),
    ("groupid huge", "{glance_invoke: {func: 'startSession', groupid: 1e300}}", "groupid"),
    ("groupid an object", "{glance_invoke: {func: 'startSession', groupid: {valueOf: 72937}}}", "shape"),
    ("groupid an array", "{glance_invoke: {func: 'startSession', groupid: [72937]}}", "groupid"),
    # func
    ("missing func", "{glance_invoke: {groupid: 72937, args: {}}}", "func"),
    ("func addEventListener", "{glance_invoke: {func: 'addEventListener', args: 'sessionstart', groupid: 72937}}", "func"),
    ("func removeEventListener", "{glance_invoke: {func: 'removeEventListener', groupid: 72937}}", "func"),
    ("func constructor", "{glance_invoke: {func: 'constructor', groupid: 72937}}", "func"),
    ("func __init__", "{glance_invoke: {func: '__init__', groupid: 72937}}", "func"),
    ("func __class__", "{glance_invoke: {func: '__class__', groupid: 72937}}", "func"),
    ("func __proto__", "{glance_invoke: {func: '__proto__', groupid: 72937}}", "func"),
    ("func unknown", "{glance_invoke: {func: 'unknown', groupid: 72937}}", "func"),
    ("func inSession (read-only)", "{glance_invoke: {func: 'inSession', groupid: 72937}}", "func"),
    ("func start_session (Python name)", "{glance_invoke: {func: 'start_session', groupid: 72937}}", "func"),
    ("func StartSession (case)", "{glance_invoke: {func: 'StartSession', groupid: 72937}}", "func"),
    ("func a number", "{glance_invoke: {func: 5, groupid: 72937}}", "func"),
    ("func an array", "{glance_invoke: {func: ['startSession'], groupid: 72937}}", "func"),
    # args
    ("startSession key with a space", "{glance_invoke: {func: 'startSession', args: {sessionKey: 'a b'}, groupid: 72937}}", "args"),
    ("startSession key too long", "{glance_invoke: {func: 'startSession', args: {sessionKey: '1'.repeat(200)}, groupid: 72937}}",
     "args"),
    ("startSession unknown option", "{glance_invoke: {func: 'startSession', args: {sessionKey: '1234', evil: 1}, groupid: 72937}}",
     "args"),
    ("startSession another group", "{glance_invoke: {func: 'startSession', args: {sessionKey: '1234', groupid: 12345}, groupid: 72937}}",
     "args"),
    ("startSession args a boolean", "{glance_invoke: {func: 'startSession', args: true, groupid: 72937}}", "args"),
    ("startSession a Date", "{glance_invoke: {func: 'startSession', args: {sessionKey: new Date()}, groupid: 72937}}", "args"),
    ("startSession a Map", "{glance_invoke: {func: 'startSession', args: new Map([['sessionKey', '1234']]), groupid: 72937}}",
     "args"),
    ("startSession a BigInt", "{glance_invoke: {func: 'startSession', args: {sessionKey: 1234n}, groupid: 72937}}", "args"),
    ("showTerms a string", "{glance_invoke: {func: 'showTerms', args: 'x y', groupid: 72937}}", "args"),
    ("showTerms a bad key", "{glance_invoke: {func: 'showTerms', args: {sessionKey: 'a/b'}, groupid: 72937}}", "args"),
    ("stopSession with args", "{glance_invoke: {func: 'stopSession', args: {now: true}, groupid: 72937}}", "args"),
    ("toggleVideo with args", "{glance_invoke: {func: 'toggleVideo', args: [1], groupid: 72937}}", "args"),
]


def test_rejections_table_one_warning_each_and_no_state_change(context, server):
    page, shop, senders = open_rig(context, server, shop_query="check=1&ui=none")
    page.console.expect(WARN)   # each refused message gets its warning
    top = senders[server.alt_url]
    expected_warnings = []
    received = 0
    for label, expr, check in REJECTIONS:
        before = len(invoke_warnings(page))
        top.evaluate("() => post(%s)" % expr)
        if check is None:
            page.wait_for_timeout(150)
            s = stats(shop)
            assert s is None or s["received"] == received, label    # never reached the receiver
            assert len(invoke_warnings(page)) == before, label
            continue
        received += 1
        wait_received(shop, received)
        warns = wait_warnings(page, before + 1)
        assert len(warns) == before + 1, (label, warns[before:])
        assert "(%s check failed)" % check in warns[-1], (label, warns[-1])
        expected_warnings.append(check)
    page.wait_for_timeout(200)
    warns = invoke_warnings(page)
    assert len(warns) == len(expected_warnings), warns      # exactly one each, none late
    s = stats(shop)
    assert s["accepted"] == 0 and sum(s["calls"].values()) == 0 and s["method_errors"] == 0
    for check in ("shape", "groupid", "func", "args"):
        assert s["rejected"][check] == expected_warnings.count(check), (check, s)
    assert_idle(shop)
    assert page.console.errors == []
    assert [t for t in page.console.of("error")] == []


# --- trusted origins: loaded from the service, waited for ------------------------------

def test_messages_wait_for_the_trusted_origins_then_are_checked_in_order(context, server):
    held = []
    context.route(re.compile(r".*/api/groups/\d+/public$"), lambda route: held.append(route))
    page, shop, senders = open_rig(context, server, shop_query="check=1&ui=none")
    page.console.expect(WARN)   # each refused message gets its warning
    top = senders[server.alt_url]
    top.evaluate("""() => {
        post({glance_invoke: {func: 'constructor', groupid: 72937}});
        post({glance_invoke: {func: 'startSession', args: {sessionKey: '5555'}, groupid: '72937'}});
        post({glance_invoke: {func: 'startSession', args: {sessionKey: '6666'}, groupid: 12345}});
    }""")
    shop.wait_for_function("window.__glanceInvokeStats && __glanceInvokeStats().waiting === 3")
    deadline = time.time() + 5
    while not held and time.time() < deadline:
        page.wait_for_timeout(20)
    assert held, "the receiver did not ask the service for the trusted origins"
    page.wait_for_timeout(300)
    assert invoke_warnings(page) == []                      # nothing checked yet
    assert stats(shop)["trusted_state"] == "loading"
    assert_idle(shop)
    held[0].continue_()
    shop.wait_for_function("__glanceInvokeStats().waiting === 0 && __glanceInvokeStats().trusted_state === 'loaded'")
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstarting')")
    assert shop.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "5555"
    warns = wait_warnings(page, 2)
    assert len(warns) == 2 and "(func check failed)" in warns[0] and "(groupid check failed)" in warns[1], warns
    s = stats(shop)
    assert s["accepted"] == 1 and s["calls"]["startSession"] == 1
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstart')")
    assert page.console.errors == []


def test_when_the_trusted_origins_cannot_be_loaded_nobody_is_trusted(context, server):
    context.route(re.compile(r".*/api/groups/\d+/public$"), lambda route: route.abort())
    page, shop, senders = open_rig(context, server, shop_query="check=1&ui=none")
    page.console.expect(WARN)   # each refused message gets its warning
    senders[server.alt_url].evaluate("(m) => post(m)", start_msg("7777"))
    wait_received(shop, 1)
    warns = wait_warnings(page, 1)
    assert len(warns) == 1 and "(origin check failed)" in warns[0], warns
    assert "trusted origins could not be loaded" in warns[0]
    assert stats(shop)["trusted_state"] == "failed"
    # Still a shape problem first: the checks keep their order.
    senders[server.alt_url].evaluate("() => post({glance_invoke: 'x'})")
    wait_received(shop, 2)
    warns = wait_warnings(page, 2)
    assert "(shape check failed)" in warns[1], warns
    assert_idle(shop)
    assert page.console.errors == []


# --- fuzz -----------------------------------------------------------------------------

FUNCS = ["startSession", "stopSession", "showTerms", "toggleVideo", "addEventListener", "constructor", "__init__",
         "__class__", "inSession", "getKey", "", "startsession", "stopSession ", "x" * 3000]
KEYS = ["sessionKey", "groupid", "name", "email", "phone", "video", "terms", "visitorid", "a", "", "constructor",
        "toString", "hasOwnProperty", "__class__", "func", "args", "glance_invoke", "0", "1"]


def rand_scalar(r):
    c = r.randrange(9)
    if c == 0:
        return None
    if c == 1:
        return r.choice([True, False])
    if c == 2:
        return r.randrange(-10, 100000)
    if c == 3:
        return r.choice([0.5, -1.25, 3.75, 1e-3])
    if c == 4:
        return r.choice(["1234", "12121212", "GLANCE_KEYTYPE_RANDOM", "72937", "a b", "", "é", "<script>", "9" * 20])
    if c == 5:
        return "".join(r.choice("abcdefXYZ0123456789-_ .") for _ in range(r.randrange(0, 12)))
    if c == 6:
        return "".join(chr(r.randrange(32, 0x3000)) for _ in range(r.randrange(0, 6)))
    if c == 7:
        return r.choice([72937, "72937", 12345, "72937 ", -1, 0])
    return "x" * r.choice([100, 2048, 2049, 5000])


def rand_value(r, depth=0):
    c = r.randrange(10)
    if depth > 14 or c < 5:
        return rand_scalar(r)
    if c < 7:
        return [rand_value(r, depth + 1) for _ in range(r.randrange(0, 5))]
    return {r.choice(KEYS): rand_value(r, depth + 1) for _ in range(r.randrange(0, 5))}


def rand_args(r, func):
    c = r.randrange(8)
    if c == 0:
        return None
    if c == 1:
        return rand_value(r)
    if c == 2:
        return r.choice(["1234", "GLANCE_KEYTYPE_RANDOM", "a b", 5678])
    args = {"sessionKey": r.choice(["1234", "8888", "GLANCE_KEYTYPE_RANDOM", "a b", 12, None, "x" * 300])}
    for _ in range(r.randrange(0, 3)):
        args[r.choice(KEYS)] = rand_scalar(r)
    return args


def rand_message(r):
    """A random message, mostly shaped like glance_invoke so that every check gets exercised."""
    c = r.randrange(20)
    if c == 0:
        return rand_value(r)                      # anything at all
    if c == 1:
        return {"glance_invoke": rand_value(r)}
    msg = {}
    if r.random() < 0.9:
        msg["func"] = r.choice(FUNCS) if r.random() < 0.9 else rand_scalar(r)
    if r.random() < 0.9:
        msg["groupid"] = r.choice([72937, "72937", 72937, 12345, "12345", 0, -72937, "abc", None, 72937.5])
    if r.random() < 0.7:
        msg["args"] = rand_args(r, msg.get("func"))
    if r.random() < 0.05:
        msg[r.choice(KEYS)] = rand_scalar(r)
    data = {"glance_invoke": msg}
    if r.random() < 0.05:
        data[r.choice(KEYS)] = rand_value(r)
    return data


def has_reserved_key(v):
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            if RESERVED_KEYS.intersection(x):
                return True
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return False


def predict(data, origin, trusted_origins):
    """What the page should do with `data` from `origin`: None (ignored: not a glance_invoke message),
    ("ok", func) or ("drop", check)."""
    if not isinstance(data, dict) or "glance_invoke" not in data:
        return None
    if has_reserved_key(data):
        return ("drop", "shape")
    res = check_invoke(data, origin, trusted_origins, [GROUP])
    return ("ok", res["func"]) if res["ok"] else ("drop", res["check"])


# Exotic values only JS can post (no JSON form); all must be refused.
EXOTIC_JS = """(n, seed) => {
  let s = seed >>> 0;
  const rnd = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; };
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const makers = [
    () => new Date(), () => new Map([["sessionKey", "1234"]]), () => new Set([1]), () => new Uint8Array(8),
    () => new ArrayBuffer(4), () => /re/g, () => 10n ** 30n, () => NaN, () => -Infinity, () => new Error("e"),
    () => { const a = {}; a.a = a; return a; }, () => { let a = []; for (let i = 0; i < 50; i++) a = [a]; return a; },
    () => Array.from({length: 600}, () => 1), () => "y".repeat(3000), () => new Blob(["x"]),
    () => Object.fromEntries(Array.from({length: 700}, (_, i) => ["k" + i, i])),
  ];
  const out = [];
  for (let i = 0; i < n; i++) {
    const where = Math.floor(rnd() * 3), v = pick(makers)();
    const gi = {func: pick(["startSession", "stopSession", "showTerms", "toggleVideo"]), groupid: 72937,
                args: {sessionKey: "1234"}};
    if (where === 0) gi.args = v; else if (where === 1) gi.args = {sessionKey: v}; else gi.groupid = v;
    if (where === 2 && (typeof v === "number" || typeof v === "bigint")) gi.func = "stopSession";
    out.push({glance_invoke: gi});
  }
  return out;
}"""

POST_BATCH_JS = """(msgs) => { for (const m of msgs) post(m); return msgs.length; }"""
POST_EXOTIC_JS = """([n, seed]) => { const make = %s; for (const m of make(n, seed)) post(m); return n; }""" % EXOTIC_JS

COUNT_WARNINGS_JS = """() => {
  // Count the receiver's warnings in the page instead of sending 20,000 of them over CDP.
  window.__warnTally = {total: 0, byCheck: {}, calls: 0, other: []};
  const orig = console.warn;
  console.warn = function (text) {
    const t = window.__warnTally, s = String(text), m = /^GLANCE: glance_invoke message dropped \\((\\w+) check failed\\)/.exec(s);
    t.total++;
    if (m) t.byCheck[m[1]] = (t.byCheck[m[1]] || 0) + 1;
    else if (/^GLANCE: glance_invoke \\w+ failed: /.test(s)) t.calls++;
    else { t.other.push(s); orig.apply(console, arguments); }
  };
}"""


def run_fuzz(page, shop, sender, origin, trusted_origins, n_json, n_exotic, seed):
    r = random.Random(seed)
    expected_calls = {}
    expected_drops = {}
    ignored = 0
    posted = 0
    base = stats(shop)["received"] if stats(shop) else 0
    batch = []
    for i in range(n_json):
        m = rand_message(r)
        p = predict(m, origin, trusted_origins)
        if p is None:
            ignored += 1
        elif p[0] == "ok":
            expected_calls[p[1]] = expected_calls.get(p[1], 0) + 1
        else:
            expected_drops[p[1]] = expected_drops.get(p[1], 0) + 1
        batch.append(m)
        if len(batch) == 1000 or i == n_json - 1:
            posted += sender.evaluate(POST_BATCH_JS, batch)
            batch = []
    posted += sender.evaluate(POST_EXOTIC_JS, [n_exotic, seed])
    reaching = posted - ignored
    shop.wait_for_function("(n) => __glanceInvokeStats().received >= n && __glanceInvokeStats().waiting === 0",
                           arg=base + reaching, timeout=120000, polling=200)
    return {"posted": posted, "ignored": ignored, "reaching": reaching, "expected_calls": expected_calls,
            "expected_drops": expected_drops}


def test_fuzz_from_an_untrusted_and_a_trusted_origin(context, server):
    evil = "http://fuzz.evil.test:%d" % server.port
    page, shop, senders = open_rig(context, server, senders=[evil], shop_query="check=1&ui=none")
    top = senders[server.alt_url]
    # Load the runtime and the trusted origins first, then count warnings inside the page.
    top.evaluate("(m) => post(m)", {"glance_invoke": {"func": "stopSession", "groupid": GROUP}})
    wait_received(shop, 1)
    shop.wait_for_function("__glanceInvokeStats().trusted_state === 'loaded'")
    shop.evaluate(COUNT_WARNINGS_JS)
    t0 = time.time()

    # 1. untrusted origin: nothing may get past the origin check.
    u = run_fuzz(page, shop, senders[evil], evil, trusted(server), 9000, 1000, seed=4)
    s = stats(shop)
    assert s["accepted"] == 1 and sum(s["calls"].values()) == 1          # only the warm-up stopSession
    assert sum(u["expected_calls"].values()) == 0
    # JSON messages: as the pure core predicts; JS-only exotic ones: shape or origin.
    assert s["rejected"]["origin"] + s["rejected"]["shape"] == u["reaching"]
    assert s["rejected"]["origin"] >= u["expected_drops"].get("origin", 0)
    assert s["rejected"]["shape"] >= u["expected_drops"].get("shape", 0)
    u_drops = {"origin": s["rejected"]["origin"], "shape": s["rejected"]["shape"]}
    tally = shop.evaluate("window.__warnTally")
    assert tally["total"] == u["reaching"] and tally["other"] == [] and tally["calls"] == 0
    assert_idle(shop)
    t1 = time.time()

    # 2. trusted origin: exactly the messages the pure core accepts are called.
    before = stats(shop)
    t = run_fuzz(page, shop, top, server.alt_url, trusted(server), 9000, 1000, seed=5)
    s = stats(shop)
    t2 = time.time()
    calls = {k: s["calls"][k] - before["calls"][k] for k in s["calls"]}
    for k in calls:
        assert calls[k] == t["expected_calls"].get(k, 0), (k, calls, t["expected_calls"])
    drops = {k: s["rejected"][k] - before["rejected"][k] for k in ("shape", "origin", "groupid", "func", "args")}
    exotic = t["reaching"] - sum(t["expected_drops"].values()) - sum(t["expected_calls"].values())
    assert drops["origin"] == 0
    assert drops["func"] == t["expected_drops"].get("func", 0), (drops, t["expected_drops"])
    # The JS-only exotic messages are all refused (at shape, groupid or args).
    assert sum(drops.values()) == sum(t["expected_drops"].values()) + exotic, (drops, t["expected_drops"], exotic)
    for k in ("shape", "groupid", "args"):
        assert drops[k] >= t["expected_drops"].get(k, 0), (k, drops, t["expected_drops"])
    tally = shop.evaluate("window.__warnTally")
    made = sum(calls.values())
    method_errors = s["method_errors"] - before["method_errors"]
    assert tally["other"] == []
    assert tally["calls"] == method_errors
    assert tally["total"] == u["reaching"] + sum(drops.values()) + method_errors   # one warning per refusal
    assert page.console.errors == []
    assert page.console.of("error") == []

    # 3. the page still works: a valid invoke starts a session.
    top.evaluate("(m) => post(m)", {"glance_invoke": {"func": "stopSession", "groupid": GROUP}})
    top.evaluate("(m) => post(m)", start_msg("20242024"))
    shop.wait_for_function("GLANCE.Cobrowse.Visitor.getKey() === '20242024'")
    shop.wait_for_function("window.demoEvents.some(e => e.name === 'sessionstart')")
    tried = u["posted"] + t["posted"]
    print("\nfuzz: %d messages tried (untrusted %d in %.1f s, trusted %d in %.1f s); %d reached the receiver; "
          "calls made %d (%s), of which %d refused by the method's state (one warning each); "
          "refused by check: untrusted %s, trusted %s; uncaught errors %d"
          % (tried, u["posted"], t1 - t0, t["posted"], t2 - t1, u["reaching"] + t["reaching"], made, calls,
             method_errors, u_drops, drops, len(page.console.errors)))
