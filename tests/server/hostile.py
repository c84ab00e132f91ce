"""Hostile visitor clients for the attack test (test_hostile.py) and bench/bench_hostile.py.

    python -m tests.server.hostile --port P --clients 100 --duration 10

runs `--clients` attackers against 127.0.0.1:P for `--duration` seconds, each
from its own claimed address (X-Forwarded-For 10.77.x.y: start the service
with COBROWSE_TRUSTED_PROXIES=127.0.0.1), and prints one JSON line of counts.
Loopback only; every loop is bounded in count and in time. Each client is a
minimal RFC 6455 client on asyncio streams (frames masked with a zero key, so
the payload needs no masking work), and does one kind of harm, by index:

  park      hello, then visitor_event frames of 200 KB as fast as the socket
            takes them (parked: no agent), never acknowledging
  state     hello, then state patches that grow the state and change it as
            often as it can, never reading its socket (nor acknowledging)
  churn     new sessions on new sockets as fast as allowed, half of them with
            a key that is live (dupkey), keeping the sockets open
  stall     sockets that never send hello, half-open HTTP upgrades, and a
            frame header announcing 250 KB followed by 100 KB, then silence
  guess     agent joins with wrong passwords and keys that are not live
  oversize  frames over the size limit (1 MB), binary frames, invalid JSON,
            seq gaps and pings, in a tight loop
"""

import argparse
import asyncio
import base64
import json
import os
import struct
import sys
import time

MODES = ("park", "state", "churn", "stall", "guess", "oversize")


def frame_bytes(text, opcode=0x1):
    data = text.encode() if isinstance(text, str) else text
    n = len(data)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    return head + b"\0\0\0\0" + data   # a zero mask key: the payload goes as it is


class Ws:
    """One raw client socket."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port, path, addr, upgrade=True, timeout=3.0):
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
        ws = cls(reader, writer)
        if upgrade:
            key = base64.b64encode(os.urandom(16)).decode()
            writer.write(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nX-Forwarded-For: %s\r\n\r\n"
                          % (path, port, key, addr)).encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
            if not head.startswith(b"HTTP/1.1 101"):
                writer.close()
                raise ConnectionError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
        return ws

    async def send(self, text, opcode=0x1):
        self.writer.write(frame_bytes(text, opcode))
        await self.writer.drain()

    async def drain_reads(self, until):
        """Read and discard what the service sends (so its frames do not wait in its buffers)."""
        try:
            while time.monotonic() < until:
                if not await asyncio.wait_for(self.reader.read(65536), max(0.01, until - time.monotonic())):
                    return
        except (asyncio.TimeoutError, ConnectionError, OSError):
            pass

    def close(self):
        try:
            self.writer.close()
        except Exception:
            pass


def hello(key, tab="t"):
    return json.dumps({"v": 1, "type": "hello", "seq": 0, "group": 72937, "key": key, "tab": tab})


def event(seq, name, payload, state=None):
    f = {"v": 1, "type": "visitor_event", "seq": seq, "name": name, "payload": payload}
    if state is not None:
        f["state"] = state
    return json.dumps(f)


async def _park(c, port, addr, until, stats):
    blob = "x" * 200000
    while time.monotonic() < until:
        ws = await Ws.open(port, "/ws/visitor", addr)
        try:
            await ws.send(hello("p%s%d" % (addr.replace(".", ""), stats["sessions"])))
            stats["sessions"] += 1
            seq = 0
            while time.monotonic() < until:
                seq += 1
                await asyncio.wait_for(ws.send('{"v":1,"type":"visitor_event","seq":%d,"name":"big","payload":"%s"}'
                                               % (seq, blob)), max(0.05, until - time.monotonic()))
                stats["bytes"] += 200000
        except (asyncio.TimeoutError, ConnectionError, OSError):
            pass
        finally:
            ws.close()


async def _state(c, port, addr, until, stats):
    while time.monotonic() < until:
        ws = await Ws.open(port, "/ws/visitor", addr)
        try:
            await ws.send(hello("s%s%d" % (addr.replace(".", ""), stats["sessions"])))
            stats["sessions"] += 1
            for seq in range(1, 100000):
                if time.monotonic() >= until:
                    break
                patch = {"k%d" % (seq % 400): "v" * 2000, "n": seq}
                await asyncio.wait_for(ws.send(event(seq, "s", {}, patch)), max(0.05, until - time.monotonic()))
                stats["bytes"] += 2050
        except (asyncio.TimeoutError, ConnectionError, OSError):
            pass
        finally:
            ws.close()


async def _churn(c, port, addr, until, stats, live_key):
    socks = []
    n = 0
    try:
        while time.monotonic() < until and n < 400:
            n += 1
            try:
                ws = await Ws.open(port, "/ws/visitor", addr)
            except (ConnectionError, OSError, asyncio.TimeoutError):
                stats["refused"] += 1
                await asyncio.sleep(0.05)
                continue
            await ws.send(hello(live_key if n % 2 else "c%s%d" % (addr.replace(".", ""), n)))
            stats["sessions"] += 1
            socks.append(ws)
            if len(socks) > 60:
                socks.pop(0).close()
            await asyncio.sleep(0.01)
    finally:
        for ws in socks:
            ws.close()


async def _stall(c, port, addr, until, stats):
    socks = []
    try:
        for i in range(40):
            if time.monotonic() >= until:
                break
            try:
                if i % 3 == 0:
                    ws = await Ws.open(port, "/ws/visitor", addr, upgrade=False)
                    ws.writer.write(b"GET /ws/visitor HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")
                elif i % 3 == 1:
                    ws = await Ws.open(port, "/ws/visitor", addr)            # never says hello
                else:
                    ws = await Ws.open(port, "/ws/visitor", addr)
                    await ws.send(hello("st%s%d" % (addr.replace(".", ""), i)))
                    head = struct.pack("!BBQ", 0x81, 0x80 | 127, 250000) + b"\0\0\0\0"
                    ws.writer.write(head + b"y" * 100000)                   # a frame that never ends
                socks.append(ws)
                stats["sessions"] += 1
            except (ConnectionError, OSError, asyncio.TimeoutError):
                stats["refused"] += 1
            await asyncio.sleep(0.05)
        await asyncio.sleep(max(0.0, until - time.monotonic()))
    finally:
        for ws in socks:
            ws.close()


async def _guess(c, port, addr, until, stats):
    n = 0
    while time.monotonic() < until and n < 2000:
        n += 1
        try:
            ws = await Ws.open(port, "/ws/agent", addr)
            await ws.send(json.dumps({"v": 1, "type": "join", "seq": 0, "group": 72937, "key": str(10 ** 9 + n),
                                      "username": "mary.glance.net", "password": "guess%d" % n if n % 2 else
                                      "pw-mary"}))
            await asyncio.wait_for(ws.reader.read(4096), 2)
            ws.close()
            stats["guesses"] += 1
        except (ConnectionError, OSError, asyncio.TimeoutError):
            stats["refused"] += 1


async def _oversize(c, port, addr, until, stats):
    big = "o" * (1024 * 1024 - 100)
    while time.monotonic() < until:
        ws = await Ws.open(port, "/ws/visitor", addr)
        try:
            await ws.send(hello("o%s%d" % (addr.replace(".", ""), stats["sessions"])))
            stats["sessions"] += 1
            for i in range(100000):
                if time.monotonic() >= until:
                    break
                k = i % 5
                if k == 0:
                    await ws.send(big)
                elif k == 1:
                    await ws.send(b"\x00" * 1000, opcode=0x2)
                elif k == 2:
                    await ws.send("{not json" + "z" * 5000)
                elif k == 3:
                    await ws.send(event(1000 + i, "gap", {}))
                else:
                    await ws.send('{"v":1,"type":"ping","seq":0,"t":1}')
                stats["bytes"] += 1024 * 1024 if k == 0 else 1000
        except (ConnectionError, OSError, asyncio.TimeoutError):
            pass
        finally:
            ws.close()


async def attacker(i, port, duration, live_key, stats, modes=MODES):
    mode = modes[i % len(modes)]
    addr = "10.77.%d.%d" % (i // 250, i % 250 + 1)
    until = time.monotonic() + duration
    fn = {"park": _park, "state": _state, "stall": _stall, "guess": _guess, "oversize": _oversize}.get(mode)
    while time.monotonic() < until:
        try:
            if mode == "churn":
                await _churn(i, port, addr, until, stats, live_key)
            else:
                await fn(i, port, addr, until, stats)
        except (ConnectionError, OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
            stats["refused"] += 1
            await asyncio.sleep(0.1)


async def main_async(port, clients, duration, live_key, modes=MODES):
    stats = {"sessions": 0, "bytes": 0, "guesses": 0, "refused": 0}
    await asyncio.wait_for(asyncio.gather(*(attacker(i, port, duration, live_key, stats, modes)
                                            for i in range(clients)),
                                          return_exceptions=True), duration + 15)
    return stats


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--live-key", default="424242")
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated: " + ", ".join(MODES))
    a = ap.parse_args(argv)
    modes = tuple(m for m in a.modes.split(",") if m in MODES) or MODES
    stats = asyncio.run(main_async(a.port, a.clients, min(a.duration, 60.0), a.live_key, modes))
    print(json.dumps(stats))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
