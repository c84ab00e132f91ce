"""The build: reproducible bundles, nothing from brython_stdlib.js, a small loader, valid TypeScript."""
import gzip
import hashlib
import json
import os

import shutil
import subprocess
import sys

import pytest

from visitor_sdk import lazy_parts

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIST = os.path.join(ROOT, "build", "dist")
sys.path.insert(0, os.path.join(ROOT, "build"))
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location("cobrowse_build", os.path.join(ROOT, "build", "build.py"))
cobrowse_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cobrowse_build)
import brython_runtime  # noqa: E402  (build/brython_runtime.py)
import delivery  # noqa: E402  (build/delivery.py)
from session_server.dist_files import dist_name, manifest  # noqa: E402


def digests():
    out = {}
    for name in sorted(os.listdir(DIST)):
        path = os.path.join(DIST, name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                out[name] = hashlib.sha256(f.read()).hexdigest()
    return out


def run_build():
    subprocess.run([sys.executable, os.path.join(ROOT, "build", "build.py")], check=True, cwd=ROOT,
                   capture_output=True)


def test_build_is_reproducible():
    run_build()
    first = digests()
    shutil.rmtree(os.path.join(ROOT, "build", ".cache"), ignore_errors=True)
    run_build()
    assert digests() == first
    for name in ("glance-cobrowse.js", "glance-cobrowse-runtime.js", "glance-cobrowse-features.js",
                 "GlanceCobrowseInvokeVisitor.js", "glance-cobrowse-invoke.js", "glance-cobrowse.d.ts"):
        assert dist_name(name) in first


def make_package(tmp_path, modules):
    """A package `pkg` with {module name: source} under tmp_path, as the build's module list."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    mods = [("pkg", str(pkg / "__init__.py"), True)]
    for name, source in modules.items():
        (pkg / (name + ".py")).write_text(source)
        mods.append(("pkg." + name, str(pkg / (name + ".py")), False))
    return mods


def test_a_module_that_needs_the_stdlib_fails_the_build(tmp_path):
    mods = make_package(tmp_path, {"ok": "from browser import window\nfrom . import helper\n",
                                   "helper": "import javascript\n", "bad": "import json\n"})
    assert cobrowse_build.closure("pkg.ok", mods) == ["pkg", "pkg.helper", "pkg.ok"]
    with pytest.raises(SystemExit, match="brython_stdlib"):
        cobrowse_build.closure("pkg.bad", mods)


def test_the_runtime_bundle_is_brython_without_its_compiler_plus_precompiled_modules():
    with open(os.path.join(DIST, dist_name("glance-cobrowse-runtime.js")), encoding="utf-8") as f:
        text = f.read()
    with open(cobrowse_build.brython_js(), encoding="utf-8") as f:
        brython = f.read()
    before, chain, after = brython_runtime.split(brython)
    assert len(chain) > 400_000                      # the parser, symbol table, ...: not shipped
    shipped = cobrowse_build.runtime()
    patched = brython_runtime.patch(brython_runtime.reduce_ast_to_js(before))
    assert "function ast_dump(" in before and "function ast_dump(" not in text   # ast_to_js: only name resolution ships
    assert "$B.resolve_in_scopes=function" in text
    assert shipped.startswith(patched) and shipped.endswith(brython_runtime.cut(after))
    assert "var docs=" in after and "var docs=" not in text   # the builtins' docstrings are cut too
    assert "_PySymtable_Build=function" in chain and "_PySymtable_Build=function" not in text
    assert "NotImplementedError" in shipped[len(patched):-len(brython_runtime.cut(after))]   # build/no_compiler.js stands in
    # brython.js runs inside a function of its own (its globals are private), before the boot
    head, _, boot = text.partition(shipped)
    assert head.rstrip().endswith("(function () {\nvar B = (function () {") and boot
    assert ".precompiled[" in boot and ".update_VFS(" in boot
    order = cobrowse_build.run_order("visitor_sdk.runtime", cobrowse_build.all_modules())
    assert order[0] == "visitor_sdk" and order[-1] == "visitor_sdk.runtime"
    assert json.dumps(order, separators=(",", ":")) in boot   # the boot runs the core in this order
    assert "brython_stdlib" not in boot


def test_no_string_is_run_as_code_and_modules_are_real_functions():
    """Strict CSP: the boot, the module tables, the feature chunk and the invoke files never
    eval a string; each precompiled module is a function in the bundle's text."""
    shipped = cobrowse_build.runtime()
    for name in ("glance-cobrowse-runtime.js", "glance-cobrowse-features.js", "glance-cobrowse-invoke.js",
                 "GlanceCobrowseInvokeVisitor.js", "glance-cobrowse.js"):
        with open(os.path.join(DIST, dist_name(name)), encoding="utf-8") as f:
            text = f.read().replace(shipped, "")
        assert "new Function" not in text and "eval(" not in text and "Function(" not in text, name
    with open(os.path.join(DIST, dist_name("glance-cobrowse-features.js")), encoding="utf-8") as f:
        chunk = f.read()
    assert '["visitor_sdk.capture",0,function(__BRYTHON__){' in chunk
    # brython.js's own start-up: no eval probe, no shared __BRYTHON__, no window.brython, AST classes without Function()
    assert 'eval("async function* f(){}")' not in shipped and "globalThis.__BRYTHON__" not in shipped
    assert "globalThis.brython" not in shipped and "ast[kl]=Function(" not in shipped


def test_a_brython_patch_that_does_not_match_fails_the_build():
    with open(cobrowse_build.brython_js(), encoding="utf-8") as f:
        brython = f.read()
    before = brython_runtime.split(brython)[0]
    with pytest.raises(SystemExit, match="patch 'AST node classes made without Function..': its text is found 0 times"):
        brython_runtime.patch(before.replace("ast[kl]=Function(...arg_list,body)", "ast[kl]=Function(...args,body)"))
    with pytest.raises(SystemExit, match="found 2 times"):
        brython_runtime.patch(before + "\nvar __BRYTHON__=globalThis.__BRYTHON__ ||{}\n")


def test_invoke_visitor_is_a_small_stub_and_shares_the_runtime():
    with open(os.path.join(DIST, "GlanceCobrowseInvokeVisitor.js"), "rb") as f:
        stub = f.read()
    assert len(gzip.compress(stub, 9, mtime=0)) <= 5 * 1024
    assert dist_name("glance-cobrowse-runtime.js").encode() in stub and dist_name("glance-cobrowse-invoke.js").encode() in stub
    with open(os.path.join(DIST, dist_name("glance-cobrowse-invoke.js")), encoding="utf-8") as f:
        modules = f.read()
    with open(os.path.join(DIST, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    assert "invoke_visitor.main" in manifest["invoke_modules"]
    assert not set(manifest["invoke_modules"]) & set(manifest["runtime_modules"])
    assert '["invoke_visitor.main",0,function(__BRYTHON__){' in modules and "brython.info" not in modules


def test_precompiled_code_that_needs_brythons_compiler_fails_the_build():
    with open(cobrowse_build.brython_js(), encoding="utf-8") as f:
        brython = f.read()
    assert {"Parser", "_PyPegen", "_PySymtable_Build"} <= set(brython_runtime.chain_names(brython))
    brython_runtime.check_no_compiler_use({"pkg.ok": "var a=__BRYTHON__;a.frame_obj=a.DOMParser"}, brython)
    with pytest.raises(SystemExit, match=r"pkg.bad uses Brython's compiler \(_PyPegen\)"):
        brython_runtime.check_no_compiler_use({"pkg.bad": "var a=__BRYTHON__;a._PyPegen.run_parser(p)"}, brython)
    with pytest.raises(SystemExit, match="does not mark its compiler chain once"):
        brython_runtime.split(brython + brython_runtime.CHAIN_START)


def test_the_boot_runs_each_module_after_what_it_imports(tmp_path):
    mods = make_package(tmp_path, {"app": "from . import b\nfrom .a import x\n\ndef later():\n    from . import lazy\n",
                                   "a": "from . import b\nx = 1\n", "b": "import javascript\n", "lazy": ""})
    assert cobrowse_build.run_order("pkg.app", mods) == ["pkg", "pkg.b", "pkg.a", "pkg.app"]
    (tmp_path / "c").mkdir()
    cyclic = make_package(tmp_path / "c", {"app": "from . import a\n", "a": "from . import app\n"})
    with pytest.raises(SystemExit, match="import cycle at start-up: pkg.app -> pkg.a -> pkg.app"):
        cobrowse_build.run_order("pkg.app", cyclic)


def test_the_core_goes_live_alone_and_the_features_chunk_holds_the_rest():
    """The runtime carries what importing visitor_sdk.runtime runs; what the core
    imports inside functions is in the feature chunk, but for the parts fetched on
    first use (visitor_sdk/lazy_parts.py), each a chunk of its own; each module is in one chunk."""
    import json
    with open(os.path.join(DIST, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    core, features = manifest["runtime_modules"], manifest["feature_modules"]
    mods = cobrowse_build.all_modules()
    assert core == cobrowse_build.closure("visitor_sdk.runtime", mods, lazy=False)
    assert not set(core) & set(features)
    parts = manifest["part_modules"]
    assert sorted(parts) == ["docs", "invoke", "media", "rc"]
    in_parts = [n for names in parts.values() for n in names]
    assert len(in_parts) == len(set(in_parts)) and not set(in_parts) & (set(core) | set(features))
    assert set(core) | set(features) == set(cobrowse_build.closure("visitor_sdk.runtime", mods))
    for part in parts:
        for entry in lazy_parts.part_modules(part):
            assert set(cobrowse_build.closure(entry, mods)) <= set(core) | set(features) | set(parts[part])
    assert "visitor_sdk.remote_control" in parts["rc"] and "visitor_sdk.documents" in parts["docs"]
    assert "visitor_sdk.screenshare" in parts["media"] and "visitor_sdk.invoke_receiver" in parts["invoke"]
    for name in ("visitor_sdk.visitor", "visitor_sdk.session_client", "visitor_sdk.connection", "visitor_sdk.protocol"):
        assert name in core
    for name in ("visitor_sdk.feature_set", "visitor_sdk.capture", "visitor_sdk.ui", "visitor_sdk.catalogue"):
        assert name in features
    with open(os.path.join(DIST, dist_name("glance-cobrowse-features.js")), encoding="utf-8") as f:
        chunk = f.read()
    assert "featuresArrived" in chunk and "visitor_sdk.capture" in chunk and "visitor_sdk.visitor\"" not in chunk


def test_lazy_imports_stay_out_of_the_core(tmp_path):
    mods = make_package(tmp_path, {"core": "from . import base\n\ndef later():\n    from . import extra\n",
                                   "base": "", "extra": "from . import base\n"})
    assert cobrowse_build.closure("pkg.core", mods, lazy=False) == ["pkg", "pkg.base", "pkg.core"]
    assert cobrowse_build.closure("pkg.core", mods) == ["pkg", "pkg.base", "pkg.core", "pkg.extra"]


def test_loader_is_small():
    with open(os.path.join(DIST, "glance-cobrowse.js"), "rb") as f:
        data = f.read()
    assert len(gzip.compress(data, 9, mtime=0)) <= 5 * 1024


TSC = os.path.join(ROOT, "build", ".tools", "tsc", "node_modules", ".bin", "tsc")
TSC_ARGS = ["--noEmit", "--strict", "--lib", "es2020,dom", "--target", "es2020", "--module", "es2020"]

# A typical integration: the configuration object, the tag added by a script,
# listeners, calls, and a chat window's InvokeVisitor (README, docs/invoke.md).
TS_USAGE = """import type { GlanceCobrowseTagOptions, GlanceCobrowseDataset, VisitorEventMap, VisitorEventName } from "./glance-cobrowse";

// window.GLANCE_COBROWSE before the tag, with a masking descriptor (sync and async).
window.GLANCE_COBROWSE = {
  visitorid: "9999", name: "Ann", email: "ann@example.com", phone: "555",
  getMaskingDescriptor: () => ({ maskedSelectors: [".card-number"] }),
};
GLANCE_COBROWSE = { getMaskingDescriptor: () => Promise.resolve({ maskedSelectors: ["#ssn"] }) };

// The tag, added by a script (a tag manager does this).
const options: GlanceCobrowseTagOptions = {
  "data-groupid": "72937", "data-site": "staging", "data-ws": "https://cobrowse.example.com", "data-ui": "none",
  "data-additionalgroupids": "12345,23456",
};
const tag = document.createElement("script");
tag.src = "https://cdn.example.com/glance-cobrowse.js";
for (const [name, value] of Object.entries(options)) tag.setAttribute(name, value);
const dataset: GlanceCobrowseDataset = { groupid: "72937", site: "production" };
Object.assign(tag.dataset, dataset);
document.head.appendChild(tag);

tag.addEventListener("load", () => {
  const V = GLANCE.Cobrowse.Visitor;
  V.addEventListener("sessionstart", () => console.log("key", V.getKey()));
  V.addEventListener("sessionend", (p) => { const r: "agent" | "visitor" | "error" = p.reason; console.log(r); });
  V.addEventListener("agents", (p) => { p.agentlist.forEach((a) => console.log(a.role, a.num)); });
  V.addEventListener("rcrequested", (p) => { p.accept(); p.decline(); });
  V.addEventListener("screenshare", (p) => { if (p.state === "ended") console.log(p.params.type); });
  V.addEventListener("error", (e) => console.warn(e.code, e.msg));
  const onEnd = (p: VisitorEventMap["sessionend"]) => console.log(p.reason);
  V.addEventListener("sessionend", onEnd);
  V.removeEventListener("sessionend", onEnd);
  const dynamic = "agents" as VisitorEventName;
  V.addEventListener(dynamic, (p) => console.log(p));
  V.startSession({ sessionKey: "9999", name: "Ann", phone: 5551234 });
  V.startSession("GLANCE_KEYTYPE_RANDOM");
  V.startSession(1234);
  V.startSession();
  V.showTerms({ sessionKey: "9999" });
  const k: string | null = V.getKey();
  const rs: string = V.readyState;
  if (V.inSession() && !V.isSessionPaused() && !V.isPageMasked()) V.toggleVideo();
  console.log(k, rs, V.getSessionState("page"), V.isRandomKey());
  V.stopSession();
});

// A chat window.
const IV = window.GLANCE.Cobrowse.InvokeVisitor;
const shop = window.open("https://shop.example.com/");
if (shop) IV.init(shop, 72937, "https://shop.example.com");
IV.invoke("startSession", { sessionKey: "9999" });
IV.invoke("startSession");
IV.invoke("showTerms", { sessionKey: "12121212" });
IV.invoke("stopSession");
IV.invoke("toggleVideo");
"""

# Typos an integrator makes; each line ends with the error tsc --strict must give there.
TS_TYPOS = """const V = GLANCE.Cobrowse.Visitor;
V.addEventListener("sessionstrat", () => {});                         // TS2345
V.addEventListener("SessionStart", () => {});                         // TS2345
V.removeEventListener("agent", () => {});                             // TS2345
V.addEventListener("sessionend", (p) => { const r: number = p.reason; console.log(r); });  // TS2322
V.addEventListener("agents", (p) => console.log(p.agentList));         // TS2551
V.startSession({ sessionkey: "9999" });                               // TS2561
V.startSession({ sessionKey: true });                                 // TS2322
V.showTerms({ key: "9999" });                                         // TS2353
const state: "open" = V.readyState;                                   // TS2322
V.stopsession();                                                      // TS2551
const IV = GLANCE.Cobrowse.InvokeVisitor;
IV.invoke("startsession", { sessionKey: "1" });                       // TS2345
IV.invoke("addEventListener");                                        // TS2345
IV.invoke("stopSession", { sessionKey: "1" });                        // TS2554
IV.init(window, 72937);                                               // TS2554
window.GLANCE_COBROWSE = { visitorId: "9999" };                       // TS2561
window.GLANCE_COBROWSE = { getMaskingDescriptor: () => ({ maskedSelector: [".x"] }) };  // TS2322
window.GLANCE_COBROWSE = { getMaskingDescriptor: () => ({ maskedSelectors: ".x" }) };   // TS2322
import type { GlanceCobrowseTagOptions } from "./glance-cobrowse";
const a: GlanceCobrowseTagOptions = { "data-groupId": "1" };          // TS2353
const b: GlanceCobrowseTagOptions = { "data-groupid": "1", "data-site": "prod" };  // TS2322
const c: GlanceCobrowseTagOptions = { "data-site": "staging" };       // TS2741
console.log(state, a, b, c);
"""


def tsc(tmp_path, name, text):
    if not os.path.exists(TSC):
        pytest.fail("tsc is missing: scripts/setup.sh test installs it from the npm registry")
    shutil.copy(os.path.join(DIST, "glance-cobrowse.d.ts"), tmp_path / "glance-cobrowse.d.ts")
    (tmp_path / name).write_text(text)
    return subprocess.run([TSC] + TSC_ARGS + [str(tmp_path / name), str(tmp_path / "glance-cobrowse.d.ts")],
                          capture_output=True, text=True)


def test_typescript_declarations_compile_a_typical_integration(tmp_path):
    ok = tsc(tmp_path, "usage.ts", TS_USAGE)
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_typescript_declarations_reject_typos_under_strict(tmp_path):
    """Misspelled event names, options, functions and fields fail with the expected errors, line by line."""
    import re
    bad = tsc(tmp_path, "typos.ts", TS_TYPOS)
    assert bad.returncode != 0
    got = {(int(m.group(1)), m.group(2)) for m in re.finditer(r"typos\.ts\((\d+),\d+\): error (TS\d+)", bad.stdout)}
    expected = {(i + 1, m.group(1)) for i, line in enumerate(TS_TYPOS.split("\n"))
                for m in [re.search(r"// (TS\d+)$", line)] if m}
    assert len(expected) == 20 and got == expected, bad.stdout
    assert "'\"sessionstrat\"' is not assignable to parameter of type 'keyof VisitorEventMap'" in bad.stdout


def test_typescript_declarations_declare_what_the_readme_documents():
    import re
    with open(os.path.join(DIST, "glance-cobrowse.d.ts"), encoding="utf-8") as f:
        dts = f.read()
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    attrs = set(re.findall(r"^\| `(data-[a-z-]+)` \|", readme, re.M))
    assert {"data-groupid", "data-ws", "data-site", "data-ui", "data-additionalgroupids"} <= attrs
    for attr in attrs:
        assert '"' + attr + '"' in dts, attr
    for name in re.findall(r"`GLANCE_COBROWSE\.(\w+)", readme) + ["visitorid", "name", "email", "phone"]:
        assert re.search(r"^  " + name + r"\?: ", dts, re.M), name
    for method in re.findall(r"^\| `(\w+)\(", readme, re.M):
        assert re.search(r"^  " + method + r"[<(]", dts, re.M), method
    assert "addEventListener(name: string" not in dts   # no catch-all overload


def test_every_bundle_has_brotli_and_gzip_copies_and_the_loader_an_sri_hash():
    import base64
    import brotli
    files = manifest()["files"]
    for logical in ("glance-cobrowse.js", "glance-cobrowse-runtime.js", "glance-cobrowse-features.js",
                    "GlanceCobrowseInvokeVisitor.js"):
        with open(os.path.join(DIST, files[logical]), "rb") as f:
            plain = f.read()
        with open(os.path.join(DIST, files[logical] + ".br"), "rb") as f:
            assert brotli.decompress(f.read()) == plain
        with open(os.path.join(DIST, files[logical] + ".gz"), "rb") as f:
            data = f.read()
        assert gzip.decompress(data) == plain and data[4:8] == b"\0\0\0\0"   # no timestamp
    # Every file but the loader and the chat window's script carries its content hash.
    assert files["glance-cobrowse.js"] == "glance-cobrowse.js"
    assert files["GlanceCobrowseInvokeVisitor.js"] == "GlanceCobrowseInvokeVisitor.js"
    for logical in ("glance-cobrowse-runtime.js", "glance-cobrowse-features.js"):
        with open(os.path.join(DIST, files[logical]), "rb") as f:
            assert files[logical] == delivery.hashed_name(logical, f.read()) != logical
        assert not os.path.exists(os.path.join(DIST, logical))
    with open(os.path.join(DIST, "glance-cobrowse.js"), "rb") as f:
        sri = "sha384-" + base64.b64encode(hashlib.sha384(f.read()).digest()).decode()
    assert manifest()["integrity"]["glance-cobrowse.js"] == sri


def test_publish_removes_the_hashed_copies_of_earlier_builds(tmp_path):
    (tmp_path / "other.js").write_text("kept")
    (tmp_path / "bench-noop.js").write_text("kept")
    old, _ = delivery.publish(str(tmp_path), {"a-runtime.js": "one", "b.js": "bee"})
    new, sizes = delivery.publish(str(tmp_path), {"a-runtime.js": "two"})
    assert old["a-runtime.js"] != new["a-runtime.js"] and sizes["a-runtime.js"]["identity"] == 3
    left = sorted(os.listdir(tmp_path))
    name = new["a-runtime.js"]
    assert left == sorted(["other.js", "bench-noop.js", name, name + ".br", name + ".gz",
                           old["b.js"], old["b.js"] + ".br", old["b.js"] + ".gz"])
    text = delivery.fill('var R = @R@, F = @F@;', {"@R@": "a-runtime.js", "@F@": "b.js"}, dict(old, **new))
    assert text == 'var R = "%s", F = "%s";' % (name, old["b.js"])


def test_the_build_fails_when_precompiled_code_reads_a_cut_part():
    brython_runtime.check_no_cut_use({"ok": "$locals.__doc__ = 'mine'\nif(a == b){}"})
    with pytest.raises(SystemExit, match="pkg.mod reads __doc__"):
        brython_runtime.check_no_cut_use({"pkg.mod": "x = $B.$getattr(_b_.len, '__doc__')"})


def test_the_build_fails_when_precompiled_code_needs_a_dropped_part_of_ast_to_js():
    with open(cobrowse_build.brython_js(), encoding="utf-8") as f:
        brython = f.read()
    brython_runtime.check_no_cut_use({"ok": "$B.resolve_local('x', 1); $B.js_this = this; $B.js_this"}, brython)
    with pytest.raises(SystemExit, match="pkg.mod uses Brython's js_from_ast"):
        brython_runtime.check_no_cut_use({"pkg.mod": "$B.js_from_ast(tree)"}, brython)
