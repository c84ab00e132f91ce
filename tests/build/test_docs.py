"""The README's event reference is the catalogue's (generated, never written twice)."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import gen_docs  # noqa: E402
from visitor_sdk import catalogue  # noqa: E402


def test_readme_event_table_is_up_to_date():
    with open(gen_docs.README, encoding="utf-8") as f:
        text = f.read()
    assert gen_docs.rendered(text) == text, "run `make docs` to regenerate the README's event table"
    for name in catalogue.EVENT_NAMES:
        assert "| `" + name + "` |" in text


def test_readme_starts_with_the_two_commands():
    with open(gen_docs.README, encoding="utf-8") as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    assert lines[1] == "```sh" and lines[2].startswith("make demo") and lines[3].startswith("make test")
