"""Frames and payloads only the agent side builds: the agent's `join`, and the
`agents` payload the service sends. The schema itself (MESSAGES, validate)
stays in visitor_sdk/protocol.py, shared with the visitor bundle; these
builders live here so that the visitor's browser bundle does not carry them.

Use `join(...)` for an agent client's first frame on every socket, and
`agent_entry(...)` / `agents_payload(entries)` where the service announces
who is in a session.
"""

from visitor_sdk.protocol import frame, present


def join(group, key, username=None, password=None, resume=None, last_seq=0, acked=0, guest=None, epoch=None,
         loginkey=None):
    """The agent's first frame on every socket, with one credential: `username` and `password`,
    or a `loginkey` (docs/agent-sign-in.md), or a guest token as `guest` (with any username)."""
    return frame("join", 0, group=group, key=key, last_seq=last_seq, acked=acked,
                 **present(username=username or None, password=password or None, loginkey=loginkey or None,
                           epoch=epoch or None, resume=resume or None, guest=guest or None))


def agent_entry(username, partnerid, partneruserid, name, title, role, guestid, num, agentrole):
    """One element of agents.agentlist (the seed's shape)."""
    return {"username": username, "partnerid": partnerid, "partneruserid": partneruserid, "name": name,
            "title": title, "role": role, "guestid": guestid, "num": num, "agentrole": agentrole}


def agents_payload(entries):
    """The `agents` event payload {count, agentlist} for a list of agent entries, ordered by num."""
    lst = sorted(entries, key=lambda e: e.get("num", 0))
    return {"count": len(lst), "agentlist": lst}
