"""WebSocket client sockets for bench_server.py (not a benchmark itself: `make bench` runs bench_*.py).

`LeanWs`: a minimal RFC 6455 client on a non-blocking socket, read with
recvmsg so each message comes with the kernel's receive timestamp.
`LibWs`: the same interface on the websockets library (a cross-check).
Both connect to HOST (loopback) only.
"""

import asyncio
import base64
import hashlib
import os
import socket
import struct

import websockets
from websockets.frames import apply_mask   # C speedup when built

HOST = "127.0.0.1"
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)   # Linux: the kernel stamps each received packet


class LeanWs:
    """A minimal RFC 6455 client socket on a non-blocking socket and loop.add_reader: the real
    upgrade handshake (Sec-WebSocket-Accept checked), masked text frames out, the server's frames
    parsed in (text, ping -> pong, close). `on_text(bytes, arrived)` gets each text message and,
    from SO_TIMESTAMPNS, the wall-clock time the kernel received its last packet on this socket
    (None where the option is missing)."""

    def __init__(self, path, on_text):
        self.path, self.on_text = path, on_text
        self.key = base64.b64encode(os.urandom(16))
        self.sock = None
        self.buf = self.pending = b""
        self.frags = []
        self.arrived = None
        self.closed = False
        self.loop = asyncio.get_running_loop()
        self.open = self.loop.create_future()

    async def connect(self, port):
        sock = self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        except OSError:
            pass
        await self.loop.sock_connect(sock, (HOST, port))
        self.loop.add_reader(sock.fileno(), self._readable)
        self._write(b"GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    b"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
                    % (self.path.encode(), HOST.encode(), self.key))
        await self.open

    def _readable(self):
        try:
            data, anc, _, _ = self.sock.recvmsg(262144, 64)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data, anc = b"", ()
        if not data:
            self._shut()
            return
        for level, kind, cdata in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(cdata) >= 16:
                sec, nsec = struct.unpack("qq", cdata[:16])
                self.arrived = sec + nsec * 1e-9
        self.data_received(data)

    def _write(self, data):
        if self.closed:
            return
        if not self.pending:
            try:
                n = self.sock.send(data)
            except (BlockingIOError, InterruptedError):
                n = 0
            except OSError:
                self._shut()
                return
            if n == len(data):
                return
            data = data[n:]
            self.loop.add_writer(self.sock.fileno(), self._writable)
        self.pending += data

    def _writable(self):
        try:
            n = self.sock.send(self.pending)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._shut()
            return
        self.pending = self.pending[n:]
        if not self.pending:
            self.loop.remove_writer(self.sock.fileno())

    def _shut(self):
        if not self.closed:
            self.closed = True
            self.loop.remove_reader(self.sock.fileno())
            if self.pending:
                self.loop.remove_writer(self.sock.fileno())
            self.sock.close()
            if not self.open.done():
                self.open.set_exception(RuntimeError("connection closed during the handshake"))

    def data_received(self, data):
        buf = self.buf + data if self.buf else data
        if not self.open.done():
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                self.buf = buf
                return
            head, buf = buf[:end], buf[end + 4:]
            accept = base64.b64encode(hashlib.sha1(self.key + WS_GUID).digest())
            if not head.startswith(b"HTTP/1.1 101") or accept not in head:
                self.open.set_exception(RuntimeError("handshake refused: %r" % head[:80]))
                return
            self.open.set_result(None)
        pos, n = 0, len(buf)
        while n - pos >= 2:
            b0, ln = buf[pos], buf[pos + 1] & 0x7F
            h = 2
            if ln == 126:
                if n - pos < 4:
                    break
                ln, h = int.from_bytes(buf[pos + 2:pos + 4], "big"), 4
            elif ln == 127:
                if n - pos < 10:
                    break
                ln, h = int.from_bytes(buf[pos + 2:pos + 10], "big"), 10
            if n - pos < h + ln:
                break
            payload = buf[pos + h:pos + h + ln]
            pos += h + ln
            op = b0 & 0x0F
            if op in (0x1, 0x0):
                self.frags.append(payload)
                if b0 & 0x80:
                    msg = self.frags[0] if len(self.frags) == 1 else b"".join(self.frags)
                    self.frags = []
                    self.on_text(msg, self.arrived)
            elif op == 0x9:
                self._frame(0xA, payload)
            elif op == 0x8:
                self._frame(0x8, payload[:2])
                self._shut()
                return
        self.buf = buf[pos:]

    def _frame(self, op, data):
        mask = os.urandom(4)
        n = len(data)
        head = bytes((0x80 | op, 0x80 | n)) if n < 126 else (
            struct.pack("!BBH", 0x80 | op, 0xFE, n) if n < 65536 else struct.pack("!BBQ", 0x80 | op, 0xFF, n))
        self._write(head + mask + apply_mask(data, mask))

    def send_text(self, text):
        self._frame(0x1, text.encode())

    async def close(self):
        if not self.closed:
            self._frame(0x8, b"\x03\xe8")
            self._shut()


class LibWs:
    """The same interface on the `websockets` library's asyncio client (--client websockets)."""

    def __init__(self, path, on_text):
        self.path, self.on_text = path, on_text
        self.ws = self.reader = None

    async def connect(self, port):
        self.ws = await websockets.connect("ws://%s:%d%s" % (HOST, port, self.path), max_queue=None, compression=None)
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self):
        async for text in self.ws:
            self.on_text(text, None)

    def send_text(self, text):
        return self.ws.send(text)

    async def close(self):
        if self.reader:
            self.reader.cancel()
        await self.ws.close()
