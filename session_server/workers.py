"""Several worker processes on one host, sharing the port (SO_REUSEPORT), joined through Redis.

`default_count(redis_url)`: the core count with a Redis URL, else 1 (without Redis
the processes could not share sessions). `serve(count, host, port, run_one)`:
with count 1, run_one(sock) in this process; otherwise fork `count` workers,
each binding its own SO_REUSEPORT socket (the kernel spreads new connections
over them) and calling run_one(sock); each worker is a node of its own on the
backplane, so a visitor on one worker and an agent on another share a session.
A worker that dies is started again (after a short pause); SIGTERM/SIGINT
to the parent stops them all, and a worker ends with its parent (PR_SET_PDEATHSIG).
"""

import os
import signal
import socket
import sys
import time


def default_count(redis_url):
    """Workers when --workers is not given."""
    return (os.cpu_count() or 1) if redis_url else 1


def bind(host, port, reuse_port):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(fam, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _die_with_parent():
    """Linux: this worker gets SIGTERM when the parent dies, even by SIGKILL (no orphan keeps the port)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _child(host, port, run_one):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _die_with_parent()
    code = 1
    try:
        code = run_one(bind(host, port, True)) or 0
    finally:
        os._exit(code)


def serve(count, host, port, run_one):
    """Run the service in `count` processes on host:port; returns the exit status."""
    if count <= 1:
        return run_one(bind(host, port, False)) or 0
    kids = {}
    stopping = []

    def start():
        pid = os.fork()
        if pid == 0:
            _child(host, port, run_one)
        kids[pid] = time.monotonic()

    def stop(signum, frame):
        stopping.append(signum)
        for pid in list(kids):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(count):
        start()
    while kids:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        started = kids.pop(pid, None)
        if started is None or stopping:
            continue
        print("session_server: worker %d exited (status %d); starting another" % (pid, status), file=sys.stderr)
        if time.monotonic() - started < 1.0:
            time.sleep(1.0)
        start()
    return 0
