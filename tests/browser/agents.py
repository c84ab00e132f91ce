"""Run the asyncio Python agent client beside Playwright's sync API (in its own thread)."""
import asyncio
import threading

from session_server.agent_client import AgentClient

DEMO_AGENT = ("janet.glance.net", "demo-agent")
SECOND_AGENT = ("mary.glance.net", "demo-supervisor")
OTHER_GROUP_AGENT = ("bob.other.example", "other-agent")


class AgentRunner:
    """An event loop in a thread; `run(coro)` waits for a coroutine's result."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout=20):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def agent(self, server_url, key, creds=DEMO_AGENT, group=72937, **kw):
        """Join session `key` as an agent; returns the joined AgentClient."""
        async def join():
            a = AgentClient(server_url, group, key, creds[0], creds[1], **kw)
            await a.join()
            return a
        return self.run(join())

    def close(self):
        async def cancel_all():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        try:
            self.run(cancel_all(), timeout=5)
        except Exception:
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
