"""The agent console's bundle, build/dist/glance-agent-console.js (build/build.py calls `build(dist)`).

The console page (/agent, demo_site/templates/agent.html) speaks the session
protocol with the same Python as the visitor SDK: agent_console/ (the agent
seat, agent_console/session.py, is visitor_sdk/session_client.py's
SessionClient with the agent's frames) and the visitor_sdk and
session_server.agent_frames modules it imports, precompiled with Brython
like the visitor bundles (build.precompile), on the same Brython runtime
without its compiler, booted by build/console_boot.template.js. The file
keeps its name (the page names it) and gets .br/.gz copies; the console
page is served by the same service, so its release and the page's match.
"""

import json
import os

import brython_runtime
import delivery
import js_sources

NAME = "glance-agent-console.js"
ENTRY = "agent_console.main"
# Besides the browser packages: the agent's join frame comes from the service's own builder.
EXTRA = (("session_server", "session_server/__init__.py", True),
         ("session_server.agent_frames", "session_server/agent_frames.py", False))


def candidates(B):
    """Every module the console's bundle may take: (dotted name, file, is_package)."""
    mods = list(B.all_modules())
    pdir = os.path.join(B.ROOT, "agent_console")
    for fn in sorted(os.listdir(pdir)):
        if fn.endswith(".py"):
            pkg = fn == "__init__.py"
            mods.append(("agent_console" if pkg else "agent_console." + fn[:-3], os.path.join(pdir, fn), pkg))
    mods.extend((n, os.path.join(B.ROOT, p), pk) for n, p, pk in EXTRA)
    return mods


def bundle_text(B):
    """The bundle's JS: the runtime, the precompiled modules ENTRY needs, the boot that runs them
    (`B`: the build module, build/build.py)."""
    mods = candidates(B)
    needed = B.closure(ENTRY, mods)
    picked = [m for m in mods if m[0] in set(needed)]
    compiled = B.precompile(picked)["modules"]
    brython_runtime.check_no_compiler_use({n: m["js"] for n, m in compiled.items()}, B.brython_source())
    text = B._fill(B._template("console_boot.template.js"), modules=B._rows(needed, compiled, picked),
                   order=json.dumps(B.run_order(ENTRY, picked)), jsfiles=js_sources.literal([n for n in needed if n.split(".")[0] in js_sources.PACKAGES]))
    return text.replace("@BRYTHON@", B.runtime(), 1), needed


def build(dist, B, verbose=True):
    """Write glance-agent-console.js (+ .br, .gz) into `dist`; returns its sizes. `B` is the
    build module (build/build.py), whose precompile, runtime and module tables this reuses."""
    text, needed = bundle_text(B)
    names, sizes, _ = delivery.publish_stable(dist, {NAME: text})
    if verbose:
        s = sizes[NAME]
        print("%-48s %9d %9s %9s   (%d modules)" % (NAME, s["identity"], s.get("gzip", "-"), s.get("br", "-"), len(needed)))
    return sizes[NAME]


if __name__ == "__main__":
    import build as B   # build/build.py (run from build/, or with it on sys.path)
    build(B.DIST, B)
