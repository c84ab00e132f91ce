"""Build the browser bundles into build/dist/ (run: python build/build.py).

- glance-cobrowse.js: the small loader, generated from the event catalogue and
  the parameter rules (build/loader.template.js).
- glance-cobrowse-runtime.js: the pinned brython.js without its Python compiler
  and patched to keep to itself (build/brython_runtime.py: the page never
  compiles Python, nothing evaluates strings, no globals), the core of the
  visitor SDK precompiled to JS (the modules visitor_sdk.runtime imports at
  module level: the API, the session client, the connection), and a boot
  (build/boot.template.js) that registers them and hands the runtime to
  whoever loaded it (the loader, or the InvokeVisitor stub), which starts its
  entry module. Each precompiled module is a real function in the bundle.
- glance-cobrowse-features.js: the rest of the SDK (what the core imports
  lazily, inside functions: features, UI, invoke receiver, catalogue),
  precompiled; the runtime has the loader fetch it once it is live.
- glance-cobrowse-part-rc.js, -docs, -media, -invoke: the parts fetched
  on first use (visitor_sdk/lazy_parts.py: remote control, documents, screen
  share and video, the glance_invoke receiver), each what its features import
  beyond the runtime and the feature chunk (build/part.template.js).
- GlanceCobrowseInvokeVisitor.js: the chat window's InvokeVisitor stub
  (build/invoke.template.js); on the first invoke it loads the same runtime
  file and glance-cobrowse-invoke.js, the modules invoke_visitor.main needs
  beyond the runtime's (build/invoke_modules.template.js).
- glance-cobrowse.d.ts: TypeScript declarations generated from the catalogue.

Precompiling runs brython.js's own compiler under Node (build/precompile.js);
terser then minifies each module (build/minify.js: mangled names, safe compression).
The output depends only on the sources (same input, same bytes). The build
fails when a module imports anything the bundle does not contain.
"""

import ast
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DIST = os.path.join(HERE, "dist")
CACHE = os.path.join(HERE, ".cache")
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from visitor_sdk import catalogue, lazy_parts, params  # noqa: E402
from visitor_sdk.visitor import SHARED_KEY, STORE_KEY  # noqa: E402
import typings  # noqa: E402  (build/typings.py)
import delivery  # noqa: E402  (build/delivery.py)
import brython_runtime  # noqa: E402  (build/brython_runtime.py)
import js_sources  # noqa: E402  (build/js_sources.py)

BRYTHON_VERSION = "3.15.0"
RUNTIME_NAME = "glance-cobrowse-runtime.js"
FEATURES_NAME = "glance-cobrowse-features.js"
# The parts fetched on first use (visitor_sdk/lazy_parts.py), one chunk each.
PART_NAMES = {part: "glance-cobrowse-part-" + part + ".js" for part in lazy_parts.PARTS}
TERSER_VERSION = "5.51.4"   # pinned: the same input must give the same bytes
TERSER_DIR = os.path.join(HERE, ".tools", "terser")
LOADER_NAME = "glance-cobrowse.js"
INVOKE_NAME = "GlanceCobrowseInvokeVisitor.js"
INVOKE_MODULES_NAME = "glance-cobrowse-invoke.js"
VISITOR_ENTRY = "visitor_sdk.runtime"   # the loader starts it (build/loader.template.js)
INVOKE_ENTRY = "invoke_visitor.main"
TYPES_NAME = "glance-cobrowse.d.ts"
# Placeholders of the stable-name files (the loader) that name hashed files:
# build() fills each with the hashed name of its logical file (build/delivery.py).
HASHED_PLACEHOLDERS = {"@RUNTIME@": RUNTIME_NAME, "@FEATURES@": FEATURES_NAME}
# Modules compiled into brython.js itself; nothing else may be imported.
BUILTIN_MODULES = {"browser", "javascript", "sys"}
PACKAGES = ("visitor_sdk", "invoke_visitor")
SERVER_ONLY = set()  # visitor_sdk modules the browser never needs (none yet)


def brython_js():
    """Path of the pinned brython.js shipped in the brython package."""
    import brython
    if getattr(brython, "__version__", BRYTHON_VERSION) not in (BRYTHON_VERSION,):
        raise SystemExit("brython " + BRYTHON_VERSION + " is required")
    path = os.path.join(os.path.dirname(brython.__file__), "data", "brython.js")
    with open(path, encoding="utf-8") as f:
        head = f.read(200)
    if "[3, 15, 0" not in head:
        raise SystemExit("build: brython.js is not version " + BRYTHON_VERSION + ": " + head[:120])
    return path


def node():
    exe = shutil.which("node") or shutil.which("nodejs")
    if not exe:
        raise SystemExit("build: Node.js is needed to precompile (apt-get install -y nodejs); run scripts/setup.sh")
    return exe


def all_modules():
    """Every module of the browser packages: (dotted name, file, is_package)."""
    mods = []
    for pkg in PACKAGES:
        pdir = os.path.join(ROOT, pkg)
        if not os.path.exists(os.path.join(pdir, "__init__.py")):
            continue
        for fn in sorted(os.listdir(pdir)):
            if not fn.endswith(".py"):
                continue
            if fn == "__init__.py":
                mods.append((pkg, os.path.join(pdir, fn), True))
            else:
                name = pkg + "." + fn[:-3]
                if name not in SERVER_ONLY:
                    mods.append((name, os.path.join(pdir, fn), False))
    return mods


def strip_docstrings(source, path):
    """The source with docstrings blanked (line numbers kept): they would only
    weigh down the bundle, since nothing in the page reads __doc__."""
    tree = ast.parse(source, path)
    lines = source.split("\n")
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                start, end = first.lineno - 1, first.end_lineno - 1
                indent = lines[start][:len(lines[start]) - len(lines[start].lstrip())]
                lines[start] = indent + "pass"
                for i in range(start + 1, end + 1):
                    lines[i] = ""
    return "\n".join(lines)


_LINENO = re.compile(r"\$B\.set_lineno\(frame, \d+(, '\w+')?\);?|frame\.\$lineno = \d+;?"
                     r"|[\w$]+\.__annotate__ = _b_\.None")  # brython reads a missing __annotate__ as None
_LINENO_TEST = re.compile(r"\$B\.set_lineno\(frame, \d+\) && ")  # inside if(...): always true


def compact_js(js):
    """Drop the compiler's indentation (not inside continued string literals),
    its column tables (`frame.positions`, read only to draw carets under a
    traceback's source line) and its statement-level line tracking
    (`$B.set_lineno(frame, n)`, `frame.$lineno = n`: tracebacks then name
    the line of the enclosing function or class, not the statement)."""
    out, prev = [], ""
    for line in js.split("\n"):
        if prev.endswith("\\"):
            out.append(line)
        else:
            line = line.lstrip()
            if not line.startswith("frame.positions = ") and not _LINENO.fullmatch(line):
                out.append(line)
        prev = line
    return _LINENO_TEST.sub("", "\n".join(out))


def terser_dir():
    """Where the pinned terser is installed (scripts/setup.sh installs it)."""
    pkg = os.path.join(TERSER_DIR, "node_modules", "terser", "package.json")
    if not os.path.exists(pkg):
        raise SystemExit("build: terser " + TERSER_VERSION + " is needed in " + TERSER_DIR + "; run scripts/setup.sh "
                         "(npm install --prefix build/.tools/terser terser@" + TERSER_VERSION + ")")
    with open(pkg, encoding="utf-8") as f:
        version = json.load(f)["version"]
    if version != TERSER_VERSION:
        raise SystemExit("build: terser " + TERSER_VERSION + " is required, found " + version + " in " + TERSER_DIR)
    return os.path.join(TERSER_DIR, "node_modules")


def minify(modules, scripts=False):
    """{name: js} minified (build/minify.js): precompiled modules, or whole scripts."""
    proc = subprocess.run([node(), os.path.join(HERE, "minify.js"), terser_dir()] + (["--scripts"] if scripts else []),
                          input=json.dumps(modules).encode(), capture_output=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit("build: minify failed:\n" + proc.stderr.decode(errors="replace"))
    return json.loads(proc.stdout)


def precompile(mods):
    """Compile `mods` with Brython under Node; cached by the sources' hash."""
    digest = hashlib.sha256()
    digest.update(brython_source().encode("utf-8"))
    digest.update(TERSER_VERSION.encode())
    for tool in ("precompile.js", "minify.js", "build.py"):
        with open(os.path.join(HERE, tool), "rb") as f:
            digest.update(f.read())
    for name, path, pkg in mods:
        digest.update(name.encode() + b"\0")
        with open(path, "rb") as f:
            digest.update(f.read())
    key = digest.hexdigest()[:32]
    cached = os.path.join(CACHE, key + ".json")
    if os.path.exists(cached):
        with open(cached, encoding="utf-8") as f:
            return json.load(f)
    os.makedirs(CACHE, exist_ok=True)
    stripped = []
    for name, path, pkg in mods:
        with open(path, encoding="utf-8") as f:
            text = strip_docstrings(f.read(), path)
        tmp = os.path.join(CACHE, "src." + name + ".py")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        stripped.append((name, tmp, pkg))
    manifest = {"modules": [{"name": n, "file": p, "package": pk} for n, p, pk in stripped]}
    proc = subprocess.run([node(), os.path.join(HERE, "precompile.js"), brython_js()],
                          input=json.dumps(manifest).encode(), capture_output=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit("build: precompile failed:\n" + proc.stderr.decode(errors="replace"))
    result = json.loads(proc.stdout)
    short = minify({name: compact_js(m["js"]) for name, m in result["modules"].items()})
    for name, m in result["modules"].items():
        m["js"] = short[name]
    with open(cached, "w", encoding="utf-8") as f:
        json.dump(result, f)
    return result


def _nodes(tree, lazy):
    """Every node of `tree`; without `lazy`, not those inside function bodies."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if lazy or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))


def module_imports(name, path, is_package, lazy=True):
    """Absolute names of the modules `name` imports, in source order (read with
    ast, relative ones resolved); without `lazy`, only those imported when the
    module itself runs."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    here = name if is_package else name.rsplit(".", 1)[0]
    found = []
    for node in _nodes(tree, lazy):
        if isinstance(node, ast.Import):
            found.extend(((node.lineno, node.col_offset), a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = here.split(".")
                parts = parts[:len(parts) - (node.level - 1)]
                target = ".".join(parts + ([node.module] if node.module else []))
            else:
                target = node.module
            found.append(((node.lineno, node.col_offset), target))
            for a in node.names:  # `from pkg import submodule`
                found.append(((node.lineno, node.col_offset), target + "." + a.name))
    return [target for _, target in sorted(found, key=lambda f: f[0])]


def closure(entry, mods, lazy=True):
    """The modules `entry` needs, in a stable order; fails on an import the bundle
    lacks. Without `lazy`: only what importing `entry` runs (not imports inside functions)."""
    info = {n: (p, pk) for n, p, pk in mods}
    needed, todo = set(), [entry]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        if "." in name:
            todo.append(name.rsplit(".", 1)[0])
        path, is_package = info[name]
        for target in module_imports(name, path, is_package, lazy):
            if target.split(".")[0] in BUILTIN_MODULES:
                continue
            if target in info:
                todo.append(target)
            elif target.rsplit(".", 1)[0] in info:
                continue  # `from .module import name`: a name, not a submodule
            else:
                raise SystemExit("build: " + name + " imports " + target + ", which is neither a module of "
                                 + "/".join(PACKAGES) + " nor built into brython.js; the bundle must not need "
                                 + "brython_stdlib.js")
    return sorted(needed, key=lambda n: (n.count("."), n))


def run_order(entry, mods):
    """The modules importing `entry` runs, in the order Python runs them (each
    after the package holding it and the modules it imports at module level).
    The boot runs them in this order itself (build/boot.template.js), so an
    import among them finds its module already there."""
    info = {n: (p, pk) for n, p, pk in mods}
    order, active = [], []

    def visit(name):
        if name in order:
            return
        if name in active:
            raise SystemExit("build: import cycle at start-up: " + " -> ".join(active[active.index(name):] + [name]))
        active.append(name)
        if "." in name:
            visit(name.rsplit(".", 1)[0])
        for target in module_imports(name, *info[name], lazy=False):
            if target in info and target != name:
                visit(target)
        active.pop()
        order.append(name)

    visit(entry)
    return order


def _rows(names, compiled, mods):
    """The module table of a bundle, as JS: [[name, is a package, function (__BRYTHON__) {...}], ...];
    each module's code is a real function (sloppy mode: the templates put the
    table outside their strict functions), never a string."""
    pkg_of = {n: pk for n, _, pk in mods}
    rows = ["[" + json.dumps(n) + "," + ("1" if pkg_of[n] else "0") + ",function(__BRYTHON__){" + compiled[n]["js"] + "}]"
            for n in names]
    return "[\n" + ",\n".join(rows) + "\n]"


def _entries(entries, mods):
    """{entry: the order the boot runs its modules in} as JS (JSON)."""
    return json.dumps({e: run_order(e, mods) for e in entries}, separators=(",", ":"))


def jsfiles(module_names):
    """The JS source files the modules `module_names` use (build/js_sources.py), as a JS object literal."""
    return js_sources.literal(module_names)


def _template(name):
    """A template's text, its leading comment (for the template's readers) cut
    to a one-line header in the built file."""
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        text = f.read()
    if text.startswith("/*"):
        text = "/* generated by build/build.py from build/" + name + "; do not edit */\n" + text[text.index("*/") + 2:].lstrip("\n")
    return text


def _fill(text, **values):
    """`text` with each @KEY@ replaced by values[key] (each must occur once)."""
    for key, value in values.items():
        mark = "@" + key.upper() + "@"
        if text.count(mark) != 1:
            raise SystemExit("build: template placeholder %s found %d times" % (mark, text.count(mark)))
        text = text.replace(mark, value)
    return text


def runtime_bundle(entry, compiled, mods, lazy=True):
    """brython.js + the precompiled modules `entry` needs + the boot that hands
    the runtime to the loader, which starts `entry`; without `lazy`, only the
    modules importing `entry` runs."""
    needed = closure(entry, mods, lazy)
    text = _fill(_template("boot.template.js"), modules=_rows(needed, compiled, mods), entries=_entries([entry], mods),
                 jsfiles=jsfiles(needed))
    return text.replace("@BRYTHON@", runtime(), 1), needed


@functools.lru_cache(maxsize=None)
def brython_source():
    """The pinned brython.js's text (read once per build)."""
    with open(brython_js(), encoding="utf-8") as f:
        return f.read()


@functools.lru_cache(maxsize=None)
def runtime():
    """The Brython runtime the bundles ship: brython.js without its compiler
    chain (build/brython_runtime.py); made once per build."""
    return brython_runtime.runtime_js(brython_source(), lambda js: minify({"js": js}, scripts=True)["js"])


def features_bundle(entry, core, compiled, mods, shared=()):
    """The modules `entry` imports lazily (inside functions), minus `core`, plus
    `shared` (modules two parts need): they are registered with Brython, then
    the loader is told (featuresArrived)."""
    needed = [n for n in closure(entry, mods) if n not in set(core)]
    needed += [n for n in shared if n not in needed]
    return _fill(_template("features.template.js"), modules=_rows(needed, compiled, mods), jsfiles=jsfiles(needed)), needed


def split_parts(entry, core, mods):
    """({part: its modules}, modules two parts need) for visitor_sdk/lazy_parts.PARTS:
    each part holds what its entry modules import beyond the runtime's `core` and
    the feature chunk's; a module two parts need goes to the feature chunk.
    SystemExit if the feature chunk already holds a part's entry module (the
    part would not be fetched on first use)."""
    base = set(core) | set(closure(entry, mods))
    sets = {}
    for part in sorted(lazy_parts.PARTS):
        entries = lazy_parts.part_modules(part)
        for m in entries:
            if m in base:
                raise SystemExit("build: " + m + " (part " + part + " of visitor_sdk/lazy_parts.py) is imported by "
                                 "the runtime or the feature chunk; import it through its part instead")
        needed = set()
        for m in entries:
            needed |= set(closure(m, mods))
        sets[part] = needed - base
    count = {}
    for names in sets.values():
        for n in names:
            count[n] = count.get(n, 0) + 1
    shared = sorted((n for n, c in count.items() if c > 1), key=lambda n: (n.count("."), n))
    parts = {p: sorted((n for n in names if count[n] == 1), key=lambda n: (n.count("."), n)) for p, names in sets.items()}
    return parts, shared


def _returned_keys(path, class_name):
    """The string keys of the dict literal `class_name.actions()` returns in `path`, or None."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "actions":
                    for sub in ast.walk(item):
                        if isinstance(sub, ast.Return) and isinstance(sub.value, ast.Dict):
                            keys = sub.value.keys
                            if all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in keys):
                                return {k.value for k in keys}
    return None


def check_parts(mods):
    """SystemExit unless each part's action names (visitor_sdk/lazy_parts.PARTS) are
    exactly those its features answer (the dict literals their actions() return):
    an action missing there would not fetch its part."""
    paths = {n: p for n, p, _ in mods}
    for part, spec in sorted(lazy_parts.PARTS.items()):
        found = set()
        for module, class_name in spec["features"]:
            keys = _returned_keys(paths[module], class_name)
            if keys is None:
                raise SystemExit("build: %s.%s.actions() must return a dict literal with string keys (part %s of "
                                 "visitor_sdk/lazy_parts.py lists them)" % (module, class_name, part))
            found |= keys
        if found != set(spec["actions"]):
            raise SystemExit("build: part %s of visitor_sdk/lazy_parts.py lists the actions %s, its features answer %s"
                             % (part, sorted(spec["actions"]), sorted(found)))


def part_bundle(part, names, compiled, mods):
    """A part's chunk (build/part.template.js): its modules, then partArrived(part)."""
    return _fill(_template("part.template.js"), modules=_rows(names, compiled, mods), jsfiles=jsfiles(names),
                 part=json.dumps(part))


def invoke_modules_bundle(entry, core, compiled, mods):
    """The modules `entry` (InvokeVisitor) needs beyond the runtime's `core`,
    registered with the runtime the InvokeVisitor stub loaded, which then starts `entry`."""
    needed = [n for n in closure(entry, mods) if n not in set(core)]
    return _fill(_template("invoke_modules.template.js"), modules=_rows(needed, compiled, mods),
                 entries=_entries([entry], mods), jsfiles=jsfiles(needed)), needed


def invoke_stub(names):
    """The InvokeVisitor stub's JS (build/invoke.template.js), names filled in
    (`names`: {logical: hashed}, from delivery.publish)."""
    from visitor_sdk.invoke_rules import ALLOWED_FUNCS
    return _fill(_template("invoke.template.js"), trusted_types=_template("trusted_types.js"),
                 runtime=json.dumps(names[RUNTIME_NAME]),
                 invoke_modules=json.dumps(names[INVOKE_MODULES_NAME]), invoke=json.dumps(INVOKE_NAME),
                 allowed=json.dumps(list(ALLOWED_FUNCS)), entry=json.dumps(INVOKE_ENTRY))


def loader(names):
    """The loader JS, with the catalogue, the parameter rules and the hashed
    file names (`names`: {logical: hashed}, from delivery.publish) filled in."""
    rules = {
        "chars": params.KEY_CHARS, "min": params.KEY_MIN, "max": params.KEY_MAX,
        "random": params.RANDOM_KEYTYPE, "options": list(params.START_OPTION_KEYS),
        "limits": params.VISITOR_FIELD_LIMITS, "maxPendingMessages": params.MAX_PENDING_MESSAGES,
        "resumeWaitMs": 250,   # a resumed session waits for the page's load event at most this long
    }
    with open(os.path.join(HERE, "loader.template.js"), encoding="utf-8") as f:
        text = f.read()
    text = _fill(text, trusted_types=_template("trusted_types.js"))
    text = (text.replace("@EVENTS@", json.dumps(list(catalogue.EVENT_NAMES)))
                .replace("@RULES@", json.dumps(rules, sort_keys=True))
                .replace("@LOADER@", json.dumps(LOADER_NAME))
                .replace("@STORE@", json.dumps(STORE_KEY))
                .replace("@SHARED@", json.dumps(SHARED_KEY)))
    text = _fill(text, parts=json.dumps({part: names[logical] for part, logical in sorted(PART_NAMES.items())},
                                         sort_keys=True))
    return delivery.fill(text, HASHED_PLACEHOLDERS, names)


def write(name, text):
    path = os.path.join(DIST, name)
    data = text.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)
    return path, len(data)


def build(verbose=True):
    """Build every bundle; returns {file name: size in bytes}."""
    os.makedirs(DIST, exist_ok=True)
    mods = all_modules()
    result = precompile(mods)
    compiled = result["modules"]
    brython_runtime.check_no_compiler_use({n: m["js"] for n, m in compiled.items()}, brython_source())
    brython_runtime.check_no_cut_use({n: m["js"] for n, m in compiled.items()}, brython_source())
    hashed, stable = {}, {}   # {logical name: text}: files cached for a year / files a tag names
    visitor_js, visitor_mods = runtime_bundle(VISITOR_ENTRY, compiled, mods, lazy=False)
    hashed[RUNTIME_NAME] = visitor_js
    check_parts(mods)
    parts, shared = split_parts(VISITOR_ENTRY, visitor_mods, mods)
    features_js, feature_mods = features_bundle(VISITOR_ENTRY, visitor_mods, compiled, mods, shared)
    hashed[FEATURES_NAME] = features_js
    for part, names_of_part in sorted(parts.items()):
        hashed[PART_NAMES[part]] = part_bundle(part, names_of_part, compiled, mods)
    invoke_mods = []
    if INVOKE_ENTRY in compiled:
        invoke_js, invoke_mods = invoke_modules_bundle(INVOKE_ENTRY, visitor_mods, compiled, mods)
        hashed[INVOKE_MODULES_NAME] = invoke_js
    # Hashed files first: the stable ones (the loader, the InvokeVisitor stub) name them.
    names, sizes = delivery.publish(DIST, hashed)
    stable[LOADER_NAME] = minify({LOADER_NAME: loader(names)}, scripts=True)[LOADER_NAME]
    if INVOKE_ENTRY in compiled:
        stable[INVOKE_NAME] = minify({INVOKE_NAME: invoke_stub(names)}, scripts=True)[INVOKE_NAME]
    stable = {name: delivery.fill(text, HASHED_PLACEHOLDERS, names) for name, text in stable.items()}
    stable_names, stable_sizes, sri = delivery.publish_stable(DIST, stable)
    names.update(stable_names)
    sizes.update(stable_sizes)
    names[TYPES_NAME] = TYPES_NAME
    import console_bundle  # noqa: E402  (build/console_bundle.py: the agent console's glance-agent-console.js)
    console_bundle.build(DIST, sys.modules[__name__], verbose)
    sizes[TYPES_NAME] = {"identity": write(TYPES_NAME, typings.declarations())[1]}
    with open(os.path.join(DIST, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump({"brython": BRYTHON_VERSION, "runtime_modules": visitor_mods, "feature_modules": feature_mods,
                   "part_modules": parts,
                   "invoke_modules": invoke_mods, "files": names, "integrity": {LOADER_NAME: sri[LOADER_NAME]},
                   "sizes": sizes}, f, indent=1, sort_keys=True)
    if verbose:
        print("%-48s %9s %9s %9s" % ("build/dist/", "bytes", "gzip", "brotli"))
        for logical, size in sorted(sizes.items()):
            print("%-48s %9d %9s %9s" % (names[logical], size["identity"], size.get("gzip", "-"), size.get("br", "-")))
        print("Subresource Integrity of %s: %s" % (LOADER_NAME, sri[LOADER_NAME]))
    return {names[logical]: size["identity"] for logical, size in sizes.items()}


if __name__ == "__main__":
    build()
