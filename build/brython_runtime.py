"""The Brython runtime the bundles ship: the pinned brython.js without its
compiler chain, patched to be a guest in someone else's page (call
`runtime_js()` when assembling a bundle).

brython.js marks the part that turns Python source into JS (symbol table,
tokenizer helpers, the PEG parser: about 520 KB of its 1.46 MB) between the
comments below. The SDK is precompiled at build time, so the visitor's page
never runs it; the build cuts it out and puts build/no_compiler.js in its
place. `check_no_compiler_use()` fails the build if precompiled code refers
to anything that part defined.

`PATCHES` are text edits to the rest, each of which must match exactly once
(else the build fails, naming it): nothing left evaluates a string as code
(the page's Content-Security-Policy may forbid 'unsafe-eval'), nothing is
put on the page's window (no `brython`, no shared `__BRYTHON__`: the runtime
builds a fresh private one, and build/boot.template.js wraps the whole text
in a function, so its top-level `var`s, `docs` and `key` among them, stay
private), nothing is printed, and the page's DOM is neither observed nor
changed (no MutationObserver looking for Python scripts, no `body.onload`,
no `<brython-options>` custom element in the page's registry).
"""

import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
CHAIN_START = "// >>> brython compiler chain"
CHAIN_END = "// <<< brython compiler chain"
_DEFINED = re.compile(r"\$B\.([A-Za-z_$][\w$]*)\s*=(?!=)")


def split(brython):
    """(before, compiler chain, after) of brython.js's text; SystemExit unless
    the chain is marked exactly once, start before end."""
    if brython.count(CHAIN_START) != 1 or brython.count(CHAIN_END) != 1:
        raise SystemExit("build: brython.js does not mark its compiler chain once (%r ... %r)"
                         % (CHAIN_START, CHAIN_END))
    start, end = brython.index(CHAIN_START), brython.index(CHAIN_END)
    if end < start:
        raise SystemExit("build: brython.js's compiler chain markers are out of order")
    end += len(CHAIN_END)
    return brython[:start], brython[start:end], brython[end:]


def chain_names(brython):
    """The `__BRYTHON__` properties brython.js's compiler chain defines."""
    return sorted(set(_DEFINED.findall(split(brython)[1])))


# (what, text in brython.js, replacement): see the module docstring.
PATCHES = (
    ("a private __BRYTHON__",
     "var __BRYTHON__=globalThis.__BRYTHON__ ||{}\n",
     "var __BRYTHON__={}\n"),
    ("Node detection (a page's own `process` shim, e.g. webpack's, has no `release`)",
     "$B.isNode=(typeof process !=='undefined')&&(process.release.name==='node')\n&&(process.__nwjs !==1)\n",
     "$B.isNode=false\n"),
    ("the eval() probe for async generators (a CSP violation, and a console warning)",
     'try{\neval("async function* f(){}")}catch(err){console.warn("Your browser is not fully supported. '
     'If you are using "+\n"Microsoft Edge, please upgrade to the latest version")}\n',
     "\n"),
    ("the page's MutationObserver (brython.js load)",
     "if(!($B.isWebWorker ||$B.isNode)){var startup_observer=new MutationObserver(",
     "if(false){var startup_observer=new MutationObserver("),
    ("the page's <script type=text/python>, DOMContentLoaded, body.onload, <brython-options> element",
     "if(!$B.isWebWorker){\npython_scripts=python_scripts.concat(",
     "if(false){\npython_scripts=python_scripts.concat("),
    ("the page's MutationObserver (brython())",
     "if(!($B.isWebWorker ||$B.isNode)){if(! status.brython_called){\nstatus.brython_called=true\n"
     "startup_observer.disconnect()\n",
     "if(false){if(! status.brython_called){\nstatus.brython_called=true\nstartup_observer.disconnect()\n"),
    ("window.brython and Node's exports",
     "globalThis.brython=__BRYTHON__.brython\nif(__BRYTHON__.isNode){global.__BRYTHON__=__BRYTHON__\n"
     "module.exports={__BRYTHON__ }}\n",
     "\n"),
    ("AST node classes made without Function()",
     "ast[kl]=Function(...arg_list,body)\n",
     "ast[kl]=(function(names,lists){return function(){for(var i=0;i<names.length;i++){var v=arguments[i]\n"
     "this[names[i]]=lists[i]? $B.$list(v===undefined ? []:v):v}}})(arg_list,"
     "typeof args=='string' && args.length > 0 ? args.split(',').map(a=> a.split(/\\s+/)[0].endsWith('*')):[])\n"),
    ("precompiled modules imported from the VFS are functions, not strings for new Function",
     "var parent_id=$B.scope_name(parent),prefix='locals_'\nmod_js+=\"return \"+prefix+parent_id\n"
     "var $module=new Function(prefix+parent_id,mod_js)(\nmod)}",
     "var $module=mod_js($B)}"),
)


# (what, first text, last text) of brython.js spans the runtime does not ship:
# each must be found once, start before end, and the precompiled code must not
# need them (check_no_cut_use).
CUTS = (
    ("the builtins' docstrings table (window.docs in a plain brython.js page; nothing in the SDK reads a builtin's __doc__)",
     "var docs={ArithmeticError",
     "__BRYTHON__.builtins[key].__doc__=docs[key]}}}\n"),
)


def cut(text):
    """`text` without the spans of CUTS; SystemExit naming a cut whose markers are not found once, in order."""
    for what, first, last in CUTS:
        if text.count(first) != 1 or text.count(last) != 1 or text.index(last) < text.index(first):
            raise SystemExit("build: brython.js cut %r: its markers are not found once, in order" % what)
        start, end = text.index(first), text.index(last) + len(last)
        text = text[:start] + "// cut by build/brython_runtime.py: " + what.split(" (")[0] + "\n" + text[end:]
    return text


# Brython's AST-to-JS code generator (ast_to_js.js, about 107 KB raw) is a
# part of its own outside the marked compiler chain. Precompiled code calls
# only its name resolution at run time ($B.resolve, resolve_local,
# resolve_in_scopes, resolve_global, own_class_name); the rest of the runtime
# calls copy_position, decode_position and scope_name, and js_from_root only
# to compile (which the runtime cannot). REDUCE keeps those pieces of it,
# cut out of brython.js's own text by their markers, and drops the rest.
AST_TO_JS = ("(function($B){var _b_=$B.builtins\nfunction ast_dump(tree,indent){",
             "return '// unhandled class ast.'+ast.constructor.$name}})(__BRYTHON__);\n")
AST_TO_JS_KEPT = (  # (first text, text just after the piece)
    ("function copy_position(target,origin){", "function encode_position("),
    ("$B.decode_position=function(pos){", "function get_source_from_position("),
    ("$B.scope_name=function(name){", "function show_flags("),
    ("function resolve_in_namespace(name,ns){", "var $operators=$B.op2method.subset("),
    ("var exclude_from_builtins=[", "var builtins_scope=new Scope("),
)
AST_TO_JS_KEPT_NAMES = ("copy_position", "decode_position", "scope_name", "resolve", "resolve_local",
                        "resolve_in_scopes", "resolve_global", "own_class_name", "js_from_root")


def _once(text, marker, what):
    if text.count(marker) != 1:
        raise SystemExit("build: brython.js %s: %r is found %d times, expected once" % (what, marker[:60], text.count(marker)))
    return text.index(marker)


def reduce_ast_to_js(text):
    """`text` with Brython's ast_to_js part replaced by the pieces of it a precompiled
    runtime calls (AST_TO_JS_KEPT), and a js_from_root that raises NotImplementedError."""
    start = _once(text, AST_TO_JS[0], "ast_to_js start")
    end = _once(text, AST_TO_JS[1], "ast_to_js end") + len(AST_TO_JS[1])
    part = text[start:end]
    kept = []
    for first, after in AST_TO_JS_KEPT:
        a = _once(part, first, "ast_to_js piece")
        b = _once(part, after, "ast_to_js piece end")
        if b < a:
            raise SystemExit("build: brython.js ast_to_js piece %r is out of order" % first)
        kept.append(part[a:b])
    loop = "for(var name in $B.builtins){if(! exclude_from_builtins.includes(name)){builtins_scope.locals.add(name)}}\n"
    _once(part, loop, "ast_to_js builtins scope")
    body = ("(function($B){var _b_=$B.builtins\n// ast_to_js: only what precompiled code runs "
            "(build/brython_runtime.py reduce_ast_to_js)\n" + "".join(kept) +
            'var builtins_scope={name:"__builtins__",locals:new Set()}\n' + loop +
            '$B.js_from_root=function(){$B.RAISE(_b_.NotImplementedError,"this Brython runtime has no Python '
            'compiler: the Glance SDK is precompiled at build time")}\n})(__BRYTHON__);\n')
    return text[:start] + body + text[end:]


def ast_to_js_names(brython):
    """The `__BRYTHON__` properties only Brython's ast_to_js part defines (the
    compiler chain aside)."""
    start = _once(brython, AST_TO_JS[0], "ast_to_js start")
    end = _once(brython, AST_TO_JS[1], "ast_to_js end")
    before, _chain, after = split(brython)
    rest = set(_DEFINED.findall(before[:start] + after))
    return sorted(set(_DEFINED.findall(brython[start:end])) - rest)


_DOC_READ = re.compile(r"__doc__(?!\s*=[^=])")


def check_no_cut_use(modules, brython=None):
    """SystemExit naming the module if precompiled code ({name: js}) reads `__doc__`
    (the builtins' docstrings are cut; assigning a module's own __doc__ is fine),
    or refers to a property of Brython's ast_to_js part that reduce_ast_to_js drops."""
    dropped = [n for n in ast_to_js_names(brython) if n not in AST_TO_JS_KEPT_NAMES] if brython else []
    for mod, js in sorted(modules.items()):
        for name in dropped:   # (a property the generated code sets itself, $B.js_this, is its own)
            if re.search(r"\." + re.escape(name) + r"\b", js) and not re.search(r"\." + re.escape(name) + r"\s*=(?!=)", js):
                raise SystemExit("build: %s uses Brython's %s (ast_to_js), which the runtime does not ship" % (mod, name))
        m = _DOC_READ.search(js)
        if m:
            raise SystemExit("build: %s reads __doc__ (%r), but the runtime ships without the builtins' docstrings"
                             % (mod, js[max(0, m.start() - 40):m.end() + 20]))


def patch(text):
    """`text` with every one of PATCHES applied; SystemExit naming a patch whose
    text is not found exactly once (another brython.js than the pinned one)."""
    for what, old, new in PATCHES:
        n = text.count(old)
        if n != 1:
            raise SystemExit("build: brython.js patch %r: its text is found %d times, expected once" % (what, n))
        text = text.replace(old, new)
    return text


def runtime_js(brython, minify):
    """brython.js's text with the compiler chain replaced by no_compiler.js
    (minified with `minify(js) -> js`) and PATCHES applied. A strict-mode
    script body: build/boot.template.js wraps it in a function."""
    before, _chain, after = split(brython)
    with open(os.path.join(HERE, "no_compiler.js"), encoding="utf-8") as f:
        stub = minify(f.read())
    return patch(reduce_ast_to_js(cut(before + "// brython compiler chain: not shipped (build/no_compiler.js)\n" + stub + after)))


def check_no_compiler_use(modules, brython):
    """SystemExit naming the module if any precompiled module ({name: js})
    refers to a property only the compiler chain defines."""
    names = chain_names(brython)
    for mod, js in sorted(modules.items()):
        for name in names:
            if re.search(r"\." + re.escape(name) + r"\b", js):
                raise SystemExit("build: %s uses Brython's compiler (%s), which the runtime does not ship"
                                 % (mod, name))
