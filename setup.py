"""Put the built bundles and the demo site into the wheel (the rest of the packaging is in pyproject.toml).

`pip install .` / `pip wheel .` / `python -m build` copy build/dist/ to
session_server/dist/ and demo_site/ to session_server/demo_site/ inside the
wheel, where session_server/resources.py finds them. Build the bundles first
(`make build`); without build/dist/manifest.json the wheel is refused with a
message saying so. An editable install (`pip install -e .`) copies nothing:
the service then reads the checkout's folders.
"""

import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
TREES = {"dist": os.path.join(HERE, "build", "dist"), "demo_site": os.path.join(HERE, "demo_site")}
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


class BuildPyWithSite(build_py):
    """build_py, plus the bundles and the demo site copied under session_server/ (not in editable mode)."""

    def run(self):
        editable = getattr(self, "editable_mode", False)
        if not editable:   # no stale copy of a module deleted since the last build
            shutil.rmtree(self.build_lib, ignore_errors=True)
        super().run()
        if editable:
            return
        if not os.path.isfile(os.path.join(TREES["dist"], "manifest.json")):
            raise SystemExit("setup.py: build/dist/manifest.json is missing: build the bundles first "
                             "(`make build` or `.venv/bin/python build/build.py`), then build the wheel")
        for name, source in TREES.items():
            target = os.path.join(self.build_lib, "session_server", name)
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=SKIP)


# The project's build/ folder holds the bundle build: setuptools' own work files go under build/.cache/.
setup(cmdclass={"build_py": BuildPyWithSite},
      options={"build": {"build_base": os.path.join("build", ".cache", "setuptools")}})
