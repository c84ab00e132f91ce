"""Commands to Redis, batched: what every task of one loop asks for in one turn goes as one pipeline.

`Batcher(client).call(*command)` returns an awaitable of the reply. Up to
`batch` commands queued in a turn of the event loop go in one pipeline
(non-transactional), with at most `in_flight` pipelines on the wire at once,
each on a connection of the client's bounded pool (redis.asyncio.BlockingConnectionPool:
a caller waits for a free connection, it is never refused). Replies keep
their order per caller. A script that Redis no longer knows (it restarted)
is loaded again and its commands retried once. When Redis cannot be reached
every waiting call raises BackplaneDown.
"""

import asyncio
import logging

log = logging.getLogger("session_server.backplane")


class BackplaneDown(Exception):
    """Redis could not be reached: nothing of the frame being handled was stored."""


class Batcher:
    def __init__(self, client, scripts, batch=256, in_flight=4):
        self.client = client
        self.scripts = scripts        # sha -> script text (reloaded after a Redis restart)
        self.batch = batch
        self.in_flight = in_flight
        self.queue = []
        self.running = 0
        self.scheduled = False

    def call(self, *args):
        fut = asyncio.get_running_loop().create_future()
        self.queue.append((args, fut))
        if not self.scheduled and self.running < self.in_flight:
            self.scheduled = True
            asyncio.get_running_loop().call_soon(self._kick)
        return fut

    def _kick(self):
        self.scheduled = False
        while self.queue and self.running < self.in_flight:
            items, self.queue = self.queue[:self.batch], self.queue[self.batch:]
            self.running += 1
            asyncio.get_running_loop().create_task(self._run(items))

    async def _run(self, items):
        try:
            await self._execute(items, retry=True)
        finally:
            self.running -= 1
            if self.queue and not self.scheduled:
                self.scheduled = True
                asyncio.get_running_loop().call_soon(self._kick)

    async def _execute(self, items, retry):
        from redis.exceptions import ConnectionError as RConnErr, NoScriptError, TimeoutError as RTimeout
        pipe = self.client.pipeline(transaction=False)
        for args, _ in items:
            pipe.execute_command(*args)
        try:
            replies = await pipe.execute(raise_on_error=False)
        except (RConnErr, RTimeout, OSError, asyncio.TimeoutError) as exc:
            for _, fut in items:
                if not fut.done():
                    fut.set_exception(BackplaneDown(str(exc) or type(exc).__name__))
            return
        except Exception as exc:
            for _, fut in items:
                if not fut.done():
                    fut.set_exception(exc)
            return
        again = []
        for (args, fut), reply in zip(items, replies):
            if fut.done():
                continue
            if isinstance(reply, NoScriptError) and retry:
                again.append((args, fut))
            elif isinstance(reply, (RConnErr, RTimeout)):
                fut.set_exception(BackplaneDown(str(reply)))
            elif isinstance(reply, Exception):
                fut.set_exception(reply)
            else:
                fut.set_result(reply)
        if again:
            try:
                for text in self.scripts.values():
                    await self.client.script_load(text)
            except Exception as exc:
                for _, fut in again:
                    fut.set_exception(BackplaneDown(str(exc)))
                return
            await self._execute(again, retry=False)
