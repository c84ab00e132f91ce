"""docs/agent-sign-in.md's minting example, run as written: its key signs an agent in."""

import os
import re

import httpx

from session_server.agent_client import AgentClient

from .clients import Visitor
from .conftest import API_SECRET, ROOT
from .test_sessions import key, run

DOC = os.path.join(ROOT, "docs", "agent-sign-in.md")


def doc_example():
    with open(DOC, encoding="utf-8") as fh:
        text = fh.read()
    after = text[text.index("Minting a key in the CRM back end"):]
    code = re.search(r"```python\n(.*?)```", after, re.S).group(1)
    return code


def test_the_documented_example_is_ten_lines_and_mints_a_key_that_signs_in(server):
    code = doc_example()
    assert len(code.strip().splitlines()) <= 10
    scope = {}
    exec(compile(code, DOC, "exec"), scope)
    loginkey = scope["mint_login_key"](API_SECRET, 72937, "janet@example.com")

    r = httpx.get(server.base + "/api/groups/72937/sessions", headers={"Authorization": "LoginKey " + loginkey},
                  timeout=5)
    assert r.status_code == 200 and r.json()["agent"]["username"] == "janet.glance.net"

    async def main():
        k = key()
        v = Visitor(server.base, 72937, k)
        await v.connect()
        async with AgentClient.with_login_key(server.base, k, loginkey) as a:
            await v.wait(lambda v: v.of("agents") and v.of("agents")[-1]["count"] == 1)
            assert v.of("agents")[-1]["agentlist"][0]["partneruserid"] == "janet@example.com"
            assert a.num == 1
        await v.close()
    run(main())
