"""Where the service finds the files it serves: the built bundles, the demo site, the demo groups file.

Installed from a wheel (`pip install .`, then `cobrowse-server`), they lie inside
the package: `session_server/dist/` (a copy of build/dist/), `session_server/demo_site/`
and `session_server/groups.toml` (setup.py copies the first two in when the wheel is
built). In a checkout (`python -m session_server`, an editable install) the package
has no such folders and the checkout's own `build/dist/` and `demo_site/` are used.
Read DIST and SITE (found once, at import).
"""

import os

PACKAGE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(PACKAGE)


def _first_dir(installed, checkout):
    return installed if os.path.isdir(installed) else checkout


def dist_dir():
    """The bundles folder: the package's dist/, else the checkout's build/dist/."""
    return _first_dir(os.path.join(PACKAGE, "dist"), os.path.join(CHECKOUT, "build", "dist"))


def site_dir():
    """The demo site (templates/ and static/): the package's demo_site/, else the checkout's."""
    return _first_dir(os.path.join(PACKAGE, "demo_site"), os.path.join(CHECKOUT, "demo_site"))


def demo_groups():
    """The sample groups file shipped with the package (the demo's groups)."""
    return os.path.join(PACKAGE, "groups.toml")


DIST = dist_dir()
SITE = site_dir()
