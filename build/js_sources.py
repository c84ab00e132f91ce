"""The JS source files of the browser code, put into a bundle as code (called by build/build.py).

Each browser package keeps its JS in `<package>/js/<name>.js` (visitor_sdk/js/, invoke_visitor/js/).
A file is one function expression statement, after any comments:

    // what it is for, who uses it
    (function name(args) {
      "use strict";
      ...
    });

A Python module uses a file through visitor_sdk/jsfiles.py, with a literal name: `js("walker")`.
`literal(module_names)` reads those calls with ast and returns the text of a JS object literal
`{"walker": function (...) {...}, ...}` holding (minified with the build's pinned terser) the files
the given modules use; build.py puts it in the bundle before any module runs:
`B.glance_js = Object.assign(B.glance_js || {}, @JSFILES@);`. So the page never evaluates a string
(no string evaluated as code: a strict Content-Security-Policy allows it).

The build fails, naming the file and line, on a `js(...)` whose name has no file or is not a
literal string, on a .js file no module uses, on one name in two packages, and on a file that is
not one function expression statement.
"""

import ast
import functools
import json
import os
import re
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PACKAGES = ("visitor_sdk", "invoke_visitor")
JS_DIR = "js"
ACCESSOR = "js"                      # visitor_sdk/jsfiles.py: js("name")
TERSER = os.path.join(HERE, ".tools", "terser", "node_modules")
_WRAP = "__glance_js("             # a call keeps terser from dropping the lone function expression
_LEADING_COMMENTS = re.compile(r"\A(?:\s+|//[^\n]*|/\*.*?\*/)*", re.S)


class JsSourceError(SystemExit):
    """The JS files and their uses do not agree (the message says where)."""


def _rel(path, root):
    return os.path.relpath(path, root).replace(os.sep, "/")


def js_files(root=ROOT, packages=PACKAGES):
    """{name: path} of every <package>/js/<name>.js; fails on a name found in two packages."""
    found = {}
    for pkg in packages:
        folder = os.path.join(root, pkg, JS_DIR)
        if not os.path.isdir(folder):
            continue
        for fn in sorted(os.listdir(folder)):
            if not fn.endswith(".js"):
                continue
            name = fn[:-3]
            path = os.path.join(folder, fn)
            if name in found:
                raise JsSourceError("build: the JS file name %r is used twice: %s and %s (names are one namespace)"
                                    % (name, _rel(found[name], root), _rel(path, root)))
            found[name] = path
    return found


def module_files(root=ROOT, packages=PACKAGES):
    """{dotted module name: path} of every module of the packages."""
    mods = {}
    for pkg in packages:
        folder = os.path.join(root, pkg)
        if not os.path.exists(os.path.join(folder, "__init__.py")):
            continue
        for fn in sorted(os.listdir(folder)):
            if fn.endswith(".py"):
                mods[pkg if fn == "__init__.py" else pkg + "." + fn[:-3]] = os.path.join(folder, fn)
    return mods


def uses(path, root=ROOT):
    """[(name, line)] of the `js("name")` calls in the Python file `path`, in source order."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == ACCESSOR:
            args = node.args
            if len(args) != 1 or node.keywords or not isinstance(args[0], ast.Constant) \
                    or not isinstance(args[0].value, str):
                raise JsSourceError("build: %s:%d: %s() takes one literal file name, such as %s(\"walker\")"
                                    % (_rel(path, root), node.lineno, ACCESSOR, ACCESSOR))
            out.append((args[0].value, node.lineno))
    return sorted(out, key=lambda u: u[1])


def check(root=ROOT, packages=PACKAGES):
    """{module name: [JS names]} for every module; fails on a use without a file or a file without a use."""
    files = js_files(root, packages)
    used, by_module = set(), {}
    for mod, path in module_files(root, packages).items():
        names = []
        for name, line in uses(path, root):
            if name not in files:
                dirs = " or ".join(pkg + "/" + JS_DIR + "/" for pkg in packages)
                raise JsSourceError("build: %s:%d: %s(%r): there is no %s.js in %s"
                                    % (_rel(path, root), line, ACCESSOR, name, name, dirs))
            if name not in names:
                names.append(name)
        used.update(names)
        by_module[mod] = names
    unused = sorted(set(files) - used)
    if unused:
        raise JsSourceError("build: no module uses %s (call %s(%r) from the module that needs it, or delete it)"
                            % (", ".join(_rel(files[n], root) for n in unused), ACCESSOR, unused[0]))
    return by_module


def expression(path, root=ROOT):
    """The text of JS file `path` as an expression (its one function expression statement, no `;`)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    body = text[_LEADING_COMMENTS.match(text).end():].rstrip()
    if not (body.startswith("(function") and body.endswith("});")):
        raise JsSourceError("build: %s must be one function expression statement after its comments: "
                            "(function name(args) { \"use strict\"; ... });" % _rel(path, root))
    return text.rstrip()[:-1]


def _node():
    exe = shutil.which("node") or shutil.which("nodejs")
    if not exe:
        raise JsSourceError("build: Node.js is needed to minify the JS files; run scripts/setup.sh")
    return exe


@functools.lru_cache(maxsize=None)
def _minified(sources):
    """{name: minified expression} for the ((name, expression), ...) pairs, with build/minify.js."""
    if not os.path.exists(os.path.join(TERSER, "terser", "package.json")):
        raise JsSourceError("build: terser is needed in " + TERSER + "; run scripts/setup.sh")
    scripts = {name: _WRAP + expr + ");" for name, expr in sources}
    proc = subprocess.run([_node(), os.path.join(HERE, "minify.js"), TERSER, "--scripts"],
                          input=json.dumps(scripts).encode(), capture_output=True, cwd=ROOT)
    if proc.returncode != 0:
        raise JsSourceError("build: minifying the JS files failed:\n" + proc.stderr.decode(errors="replace"))
    out = {}
    for name, code in json.loads(proc.stdout).items():
        code = code.strip()
        if not (code.startswith(_WRAP + "function") and code.endswith(");")):
            raise JsSourceError("build: the JS file %r did not minify to one function: %s..." % (name, code[:80]))
        out[name] = code[len(_WRAP):-2]
    return out


def literal(module_names, root=ROOT, packages=PACKAGES):
    """The text of a JS object literal {"name": function ..., ...}: the JS files the modules
    `module_names` (dotted names of modules of the packages) use, minified, in name order."""
    by_module = check(root, packages)
    names = set()
    for mod in module_names:
        if mod not in by_module:
            raise JsSourceError("build: %r is not a module of %s" % (mod, "/".join(packages)))
        names.update(by_module[mod])
    files = js_files(root, packages)   # all of them minified at once: one run of node per build
    code = _minified(tuple((n, expression(path, root)) for n, path in sorted(files.items())))
    return "{" + ",".join(json.dumps(n) + ":" + code[n] for n in sorted(names)) + "}"
