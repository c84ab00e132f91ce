"""The JS source files of the browser code (visitor_sdk/js/*.js, invoke_visitor/js/*.js), by name.

Browser shell. The JS that Python hands work to (the cobrowse view's
walker, element ids, small DOM helpers) lives in real .js files, one
function expression each. The build (build/js_sources.py) puts the files a
bundle's modules use into the bundle as code, in the object
`__BRYTHON__.glance_js` ({name: function}), before any module runs: no
string is evaluated as code, so a strict Content-Security-Policy allows it.

Call `js("name")` with a literal name (the build finds the uses by reading
the modules' source for `js("...")` calls, and fails on a name without a
file or a file no module uses); it returns the file's function as Brython
hands any JS function to Python. Usually called once, at module level.
"""

import javascript


class JsFileMissing(LookupError):
    """A module asked for a JS file its bundle does not hold (a build or bundling mistake)."""


def js(name):
    """The function of JS file `name` (visitor_sdk/js/<name>.js or invoke_visitor/js/<name>.js)."""
    # No own-property test through window.Object.prototype: Brython caches the wrappers of methods
    # read from a JS object on that object, so reading one off Object.prototype would give every
    # object's methods one shared cache (then `arr.push(x)` from Python pushes onto another array).
    try:
        found = __BRYTHON__.glance_js[name]  # noqa: F821  (a Brython builtin); KeyError when absent
    except Exception:
        found = None
    if found is None or found is javascript.UNDEFINED or found is javascript.NULL:
        raise JsFileMissing("GLANCE: the JS file " + repr(name) + " is not in this bundle (build/js_sources.py "
                            "puts the files a bundle's modules use into __BRYTHON__.glance_js); rebuild with "
                            "build/build.py")
    return found
