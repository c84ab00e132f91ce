"""The browser code's JS lives in .js files that the bundles hold as code (build/js_sources.py):
no JS in Python strings, nothing evaluated from a string, every file valid and used."""
import json
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIST = os.path.join(ROOT, "build", "dist")
sys.path.insert(0, os.path.join(ROOT, "build"))
import js_sources  # noqa: E402  (build/js_sources.py)
from session_server.dist_files import dist_name  # noqa: E402

PACKAGES = ("visitor_sdk", "invoke_visitor")
# What a page's string-to-code paths look like (each is refused by a strict CSP without 'unsafe-eval').
EVAL_PATTERNS = re.compile(r"Function\.new|window\.eval|\beval\(|new Function|Function\(|JSConstructor")
# The globals a JS file may use. Anything else would be a typo, an accidental global, or a name that
# binds to a local of the bundle around it (the boot's B, _b_, L, mods ...) instead of the page's.
BROWSER_GLOBALS = {
    "AbortController", "Array", "Error", "JSON", "Map", "Math", "MutationObserver", "Object", "Promise", "Set",
    "String", "TextEncoder", "TypeError", "URL", "WeakMap", "WeakSet", "clearInterval", "clearTimeout", "console",
    "document", "fetch", "globalThis", "isFinite", "parseFloat", "performance", "requestAnimationFrame",
    "setInterval", "setTimeout", "undefined", "window",
}
BUNDLES = {"glance-cobrowse-runtime.js": "runtime_modules", "glance-cobrowse-features.js": "feature_modules",
           "glance-cobrowse-invoke.js": "invoke_modules"}


def js_files():
    return js_sources.js_files()


def python_files():
    for pkg in PACKAGES:
        for fn in sorted(os.listdir(os.path.join(ROOT, pkg))):
            if fn.endswith(".py"):
                yield os.path.join(ROOT, pkg, fn)


def test_nothing_is_evaluated_from_a_string():
    found = []
    for path in list(python_files()) + list(js_files().values()):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if EVAL_PATTERNS.search(line):
                    found.append("%s:%d: %s" % (os.path.relpath(path, ROOT), n, line.strip()))
    assert not found, "code evaluated from a string:\n" + "\n".join(found)


def test_no_js_source_in_python_strings():
    """A string constant that reads like a JS function body belongs in a .js file."""
    import ast
    js_like = re.compile(r"\bfunction\s*\w*\s*\([^)]*\)\s*\{|\bvar \w+ = |=== ")
    found = []
    for path in python_files():
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and js_like.search(node.value):
                found.append("%s:%d" % (os.path.relpath(path, ROOT), node.lineno))
    assert not found, "JS in Python strings: " + ", ".join(found)


@pytest.mark.parametrize("name", sorted(js_sources.js_files()))
def test_every_js_file_is_valid_strict_js_of_one_function(name):
    path = js_files()[name]
    proc = subprocess.run(["node", "--check", path], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    expr = js_sources.expression(path)
    assert expr.lstrip().endswith("})") and '"use strict";' in expr


def test_js_files_use_only_browser_globals():
    files = js_files()
    proc = subprocess.run(["node", os.path.join(ROOT, "tests", "build", "js_globals.js"), js_sources.TERSER]
                          + [files[n] for n in sorted(files)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    free = {os.path.relpath(p, ROOT): set(names) - BROWSER_GLOBALS for p, names in json.loads(proc.stdout).items()}
    assert {p: sorted(n) for p, n in free.items() if n} == {}


def test_each_js_file_is_used_and_each_use_has_a_file():
    uses = js_sources.check()
    used = {n for names in uses.values() for n in names}
    assert used == set(js_files())
    assert "walker" in uses["visitor_sdk.capture"] and "gids" in uses["visitor_sdk.element_ids"]
    assert uses["invoke_visitor.main"] == ["invoke_api"]


def test_the_bundles_hold_the_js_files_as_code():
    with open(os.path.join(DIST, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    uses = js_sources.check()
    seen = set()
    bundles = {bundle: manifest[key] for bundle, key in BUNDLES.items()}
    bundles.update({"glance-cobrowse-part-%s.js" % part: names for part, names in manifest["part_modules"].items()})
    for bundle, modules in bundles.items():
        with open(os.path.join(DIST, dist_name(bundle)), encoding="utf-8") as f:
            text = f.read()
        names = sorted({n for m in modules for n in uses[m]})
        literal = js_sources.literal(modules)
        if not names:   # a part without JS files (documents)
            assert "Object.assign(B.glance_js || {}, {})" in text, bundle
            continue
        # One statement, run before any module: an object of functions, not of strings.
        at = text.find(literal)
        assert at > 0, bundle
        assert re.search(r"([\w$]+)\.glance_js\s*=\s*Object\.assign\(\1\.glance_js\s*\|\|\s*\{\},\s*$",
                         text[max(0, at - 200):at]), bundle
        assert re.findall(r'[{,]"(\w+)":function\(', literal) == names
        assert text.find(literal, at + 1) < 0
        seen.update(names)
    assert seen == set(js_files())
    assert "walker" in js_sources.literal(["visitor_sdk.capture"])
    assert "jsconv" in js_sources.literal(manifest["runtime_modules"])


# --- the build's checks, on a package of its own -------------------------------------------------

def package(tmp_path, modules, files):
    pkg = tmp_path / "pkg"
    (pkg / "js").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    for name, source in modules.items():
        (pkg / (name + ".py")).write_text(source)
    for name, source in files.items():
        (pkg / "js" / (name + ".js")).write_text(source)
    return str(tmp_path)


FN = '// a helper\n(function helper(x) {\n  "use strict";\n  return x + 1;\n});\n'


def test_literal_holds_the_files_the_modules_use(tmp_path):
    root = package(tmp_path, {"a": 'from .jsfiles import js\n_h = js("helper")\n', "b": "x = 1\n"},
                   {"helper": FN})
    text = js_sources.literal(["pkg.a"], root=root, packages=("pkg",))
    assert text.startswith('{"helper":function(') and text.endswith("}")
    assert '"use strict"' in text and "// a helper" not in text       # minified
    assert js_sources.literal(["pkg.b"], root=root, packages=("pkg",)) == "{}"
    assert js_sources.literal(["pkg.a"], root=root, packages=("pkg",)) == text   # the same bytes each time


def test_a_name_without_a_file_fails_the_build(tmp_path):
    root = package(tmp_path, {"a": 'from .jsfiles import js\n\n_h = js("helpr")\n'}, {})
    with pytest.raises(SystemExit, match=r"pkg/a.py:3: js\('helpr'\): there is no helpr.js in pkg/js/"):
        js_sources.literal(["pkg.a"], root=root, packages=("pkg",))


def test_a_file_no_module_uses_fails_the_build(tmp_path):
    root = package(tmp_path, {"a": 'from .jsfiles import js\n_h = js("helper")\n'}, {"helper": FN, "old": FN})
    with pytest.raises(SystemExit, match=r"no module uses pkg/js/old.js"):
        js_sources.literal(["pkg.a"], root=root, packages=("pkg",))


def test_a_name_that_is_not_a_literal_fails_the_build(tmp_path):
    root = package(tmp_path, {"a": 'from .jsfiles import js\nname = "helper"\n_h = js(name)\n'}, {"helper": FN})
    with pytest.raises(SystemExit, match=r"pkg/a.py:3: js\(\) takes one literal file name"):
        js_sources.literal(["pkg.a"], root=root, packages=("pkg",))


def test_a_file_that_is_not_one_function_expression_fails_the_build(tmp_path):
    for i, bad in enumerate(('var x = 1;\n', 'return function () {};\n', '(function () { "use strict"; })()\n')):
        root = package(tmp_path / str(i), {"a": 'from .jsfiles import js\n_h = js("helper")\n'},
                       {"helper": bad})
        with pytest.raises(SystemExit, match=r"pkg/js/helper.js must be one function expression statement"):
            js_sources.literal(["pkg.a"], root=root, packages=("pkg",))


def test_one_name_in_two_packages_fails_the_build(tmp_path):
    root = package(tmp_path, {"a": 'from .jsfiles import js\n_h = js("helper")\n'}, {"helper": FN})
    other = tmp_path / "other"
    (other / "js").mkdir(parents=True)
    (other / "__init__.py").write_text("")
    (other / "js" / "helper.js").write_text(FN)
    with pytest.raises(SystemExit, match=r"the JS file name 'helper' is used twice: pkg/js/helper.js and "
                                         r"other/js/helper.js"):
        js_sources.literal(["pkg.a"], root=root, packages=("pkg", "other"))
