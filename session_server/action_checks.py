"""Checks of agent payloads against the agent action catalogue (visitor_sdk/agent_actions.py).

Call `action_problem(msg)` with an agent's `agent_action` frame before
relaying it (Hub._agent_frame does): None when the payload is valid (or the
name is not a catalogue action: relayed untouched, the visitor SDK ignores
it; tests and benchmarks send such frames through the relay), else a
message for an `error bad_frame` answer (non-fatal: the agent stays, the
visitor never sees the frame). The visitor still refuses what only its page
can tell (notfound, masked, notenabled, ...) with a refusal answer.
"""

from visitor_sdk import agent_actions

MAX_PROBLEMS = 3   # problems named in one error message


def action_problem(msg):
    """None when agent_action frame `msg` has a name and payload the catalogue allows; else why not."""
    name = msg.get("name") if isinstance(msg, dict) else None
    if agent_actions.action(name) is None:
        return None     # not a catalogue action: relayed as it is (the visitor ignores names it does not know)
    problems = agent_actions.validate_action(name, msg.get("payload") if isinstance(msg, dict) else None)
    if not problems:
        return None
    more = len(problems) - MAX_PROBLEMS
    text = "agent_action " + str(name)[:64] + ": " + "; ".join(p[:200] for p in problems[:MAX_PROBLEMS])
    return text + (" (and %d more)" % more if more > 0 else "")
