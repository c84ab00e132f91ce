"""The Brython runtime the bundles ship: the pinned brython.js without its
compiler chain (call `runtime_js()` when assembling a bundle).

brython.js marks the part that turns Python source into JS (symbol table,
tokenizer helpers, the PEG parser: about 520 KB of its 1.46 MB) between the
comments below. The SDK is precompiled at build time, so the visitor's page
never runs it; the build cuts it out and puts build/no_compiler.js in its
place. `check_no_compiler_use()` fails the build if precompiled code refers
to anything that part defined.
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


def runtime_js(brython, minify):
    """brython.js's text with the compiler chain replaced by no_compiler.js
    (minified with `minify(js) -> js`)."""
    before, _chain, after = split(brython)
    with open(os.path.join(HERE, "no_compiler.js"), encoding="utf-8") as f:
        stub = minify(f.read())
    return before + "// brython compiler chain: not shipped (build/no_compiler.js)\n" + stub + after


def check_no_compiler_use(modules, brython):
    """SystemExit naming the module if any precompiled module ({name: js})
    refers to a property only the compiler chain defines."""
    names = chain_names(brython)
    for mod, js in sorted(modules.items()):
        for name in names:
            if re.search(r"\." + re.escape(name) + r"\b", js):
                raise SystemExit("build: %s uses Brython's compiler (%s), which the runtime does not ship"
                                 % (mod, name))
