"""The features a visitor page runs, installed by runtime.py after the Visitor is built.

Browser shell: each entry may import browser modules. Add a feature here.
"""


def install(visitor, config):
    """Create every feature of this page and plug it into `visitor`."""
    return visitor.features
