"""Every agent action the visitor SDK handles, and every answer it sends, is documented.

Reads the SDK's sources (the browser modules cannot be imported on CPython):
the keys of each feature's `actions()` dict and Visitor.action_handlers(), and
the event names passed to tell_agents / the features' own senders.
"""
import ast
import os
import re

from session_server.agent_client import AGENT_ACTIONS
from visitor_sdk import capture_rules

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SDK = os.path.join(ROOT, "visitor_sdk")
SENDERS = ("tell_agents", "_tell", "_report", "_say", "_refuse")
SERVER_ONLY = {"agentdownload"}     # sent by the service, never by an agent


def _modules():
    for name in sorted(os.listdir(SDK)):
        if name.endswith(".py"):
            with open(os.path.join(SDK, name), encoding="utf-8") as f:
                yield name, ast.parse(f.read())


def _key_name(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "R":
        return getattr(capture_rules, node.attr)
    return None


def handled_actions():
    names = set()
    for _, tree in _modules():
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef) and fn.name in ("actions", "action_handlers"):
                for d in ast.walk(fn):
                    if isinstance(d, ast.Dict):
                        names.update(n for n in map(_key_name, d.keys) if n)
    return names


def sent_answers():
    names = set()
    for mod, tree in _modules():
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or not call.args:
                continue
            f = call.func
            attr = f.attr if isinstance(f, ast.Attribute) else None
            if attr not in SENDERS:
                continue
            first = call.args[0]
            if attr == "_refuse" and mod == "rc_core.py":
                names.add("rcrefused")          # RcCore._refuse(reason, ...) sends rcrefused
                continue
            if attr == "_refuse" and mod == "documents.py":
                names.add("docshareerror")
                continue
            n = _key_name(first)
            if n:
                names.add(n)
    return names


def doc_text():
    with open(os.path.join(ROOT, "docs", "protocol.md"), encoding="utf-8") as f:
        return f.read()


def test_every_handled_action_is_in_agent_actions_and_back():
    handled = handled_actions()
    assert {"pause", "rcrequest", "navigate", "rtc_offer", "resync"} <= handled   # the scan works
    assert handled - SERVER_ONLY == set(AGENT_ACTIONS), (handled - set(AGENT_ACTIONS), set(AGENT_ACTIONS) - handled)


def test_every_action_and_answer_is_in_the_protocol_doc():
    text = doc_text()
    section = text[text.index("## Agent actions and visitor answers"):]
    documented = set(re.findall(r"`([a-z_]+)[` ]", section))
    answers = sent_answers()
    assert {"rcrefused", "navigationrefused", "outlinerefused", "rtc_answer", "viewerclosing",
            "dom_snapshot", "dom_changes", "visitorvideostarted"} <= answers   # the scan works
    assert not (handled_actions() - documented), handled_actions() - documented
    assert not (answers - documented), answers - documented
