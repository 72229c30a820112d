"""The worker process: TensorFlow imported once, answering commands over a private socket.

Started detached by the first command that evaluates with TensorFlow in its own process
(``python -m lrtool.worker.server``, a new session with stdio on /dev/null), it:

1. takes the installation's lock file, or exits at once when another worker holds it, so that
   there is one worker per user and installation however many commands start one;
2. imports TensorFlow, and only then replaces any socket a crashed worker left and listens;
3. serves each connection in its own thread: authentication, then requests (``protocol``). A
   schedule arrives as Keras JSON and is rebuilt by ``keras_json`` from lrtool's registry only, so
   no user code runs here; the values come from the same ``TensorFlowBackend`` a command would
   use in its own process. Evaluations run one at a time: eager mode switches one of
   TensorFlow's global optimizer options while its function runs;
4. exits after ``LRTOOL_WORKER_IDLE`` seconds without a request, on ``stop`` or on SIGTERM,
   removing its socket and lock file. Ctrl-C in a terminal never reaches it (own session), and a
   client that goes away mid-request only ends its own connection.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from lrtool.worker import paths
from lrtool.worker.protocol import (
    STEPS, VALUES, ProtocolError, count_of, recv_array, recv_json, schedule_of, send_array,
    send_json)

if TYPE_CHECKING:
    from multiprocessing.connection import Connection, Listener

    import numpy as np

#: Schedules traced per mode before the backend is renewed: a worker living for days must not
#: hold every function it ever compiled.
MAX_SCHEDULES = 256


def acquire(lock: str) -> int | None:
    """The lock file, held (and holding this pid) for the worker's life; None when another
    worker holds it. Retried when a worker exiting unlinked the file we opened."""
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            return fd
        os.close(fd)


class Worker:
    """The serving state: counters for ``status``, the backends, the idle clock."""

    def __init__(self, where: paths.Place, key: bytes, idle: float, listener: Listener) -> None:
        self.where, self.key, self.idle, self.listener = where, key, idle, listener
        self.started = time.time()
        self.last = time.monotonic()
        self.served = 0
        self.busy = 0
        self.closing = False
        self.counters = threading.Lock()
        self.evaluating = threading.Lock()
        self.backends: dict[str, Any] = {}
        self.seen: dict[str, set[str]] = {}

    def status(self) -> dict[str, Any]:
        with self.counters:
            idle_for = time.monotonic() - self.last
            served = self.served
        return {"ok": True, "pid": os.getpid(), "started": self.started, "served": served,
                "idle_for": idle_for, "idle_limit": self.idle, "socket": str(self.where.socket),
                "identity": self.where.identity.digest(),
                "versions": {"lrtool": self.where.identity.lrtool,
                             "tensorflow": self.where.identity.tensorflow,
                             "keras": self.where.identity.keras,
                             "python": sys.version.split()[0]},
                "python": self.where.identity.python}

    def backend(self, mode: str, key: str) -> Any:
        """The mode's TensorFlowBackend, renewed after MAX_SCHEDULES distinct schedules."""
        import tensorflow as tf  # imported by main() before listening: this only names it

        from lrtool.backends.tensorflow_backend import TensorFlowBackend

        seen = self.seen.setdefault(mode, set())
        if mode not in self.backends or (key not in seen and len(seen) >= MAX_SCHEDULES):
            self.backends[mode] = TensorFlowBackend(tf, mode)
            seen.clear()
        seen.add(key)
        return self.backends[mode]

    def evaluate(self, message: dict[str, Any], steps: np.ndarray) -> np.ndarray:
        from lrtool.schedules.kmath import MODES

        if message.get("identity") != self.where.identity.digest():
            raise ProtocolError("a request from another installation")
        mode = message.get("mode")
        if mode not in MODES:
            raise ProtocolError(f"unknown mode {mode!r}")
        schedule = schedule_of(message.get("schedule"))
        with self.evaluating:
            key = json.dumps(message.get("schedule"), sort_keys=True)
            return self.backend(mode, key).evaluate(schedule, steps)

    def answer(self, conn: Connection, message: dict[str, Any]) -> None:
        """One evaluate request: read its steps, send the values or the error."""
        steps = recv_array(conn, STEPS, count_of(message))
        with self.counters:
            self.busy += 1
        try:
            values = self.evaluate(message, steps)
        except Exception as exc:  # the schedule's own failure: the client retries in-process
            send_json(conn, {"ok": False, "error": f"{type(exc).__name__}: {exc}"})
            return
        finally:
            with self.counters:
                self.busy -= 1
                self.served += 1
                self.last = time.monotonic()
        send_json(conn, {"ok": True, "count": int(values.size)})
        send_array(conn, values, VALUES)

    def serve(self, conn: Connection) -> None:
        """A connection's thread: authenticate both ways, then answer until it closes."""
        from multiprocessing.connection import (
            AuthenticationError, answer_challenge, deliver_challenge)

        try:
            with conn:
                deliver_challenge(conn, self.key)
                answer_challenge(conn, self.key)
                while True:
                    message = recv_json(conn)
                    op = message.get("op")
                    if op == "hello":
                        send_json(conn, {"ok": True, "identity": self.where.identity.digest(),
                                         "pid": os.getpid()})
                    elif op == "status":
                        send_json(conn, self.status())
                    elif op == "evaluate":
                        self.answer(conn, message)
                    elif op == "stop":
                        send_json(conn, {"ok": True, "pid": os.getpid()})
                        self.shutdown()
                    else:
                        send_json(conn, {"ok": False, "error": f"unknown request {op!r}"})
        except (EOFError, OSError, AuthenticationError, ProtocolError):
            pass  # the client left, was interrupted, or is not ours: only its connection ends

    def watch_idle(self) -> None:
        """Exit once no request has come for ``idle`` seconds and none is running."""
        tick = min(max(self.idle / 4, 0.05), 5.0)
        while True:
            time.sleep(tick)
            with self.counters:
                quiet = self.busy == 0 and time.monotonic() - self.last >= self.idle
            if quiet:
                self.shutdown()

    def shutdown(self, *_: Any) -> None:
        """Remove the socket and the lock file, then exit without waiting for any thread."""
        with self.counters:
            if self.closing:
                return
            self.closing = True
        try:
            self.listener.close()  # unlinks the socket
        except OSError:
            pass
        try:
            self.where.lock.unlink()
        except OSError:
            pass
        os._exit(0)

    def run(self) -> None:
        threading.Thread(target=self.watch_idle, daemon=True).start()
        while True:
            try:
                conn = self.listener.accept()
            except OSError:
                if self.closing:
                    return
                continue
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()


def main() -> int:
    """Run a worker for this installation; 0 when one already runs, 1 when it cannot start."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    ident = paths.identity()
    if ident is None:
        print("lrtool worker: TensorFlow is not installed here", file=sys.stderr)
        return 1
    try:
        where = paths.place(ident, create=True)
        lock = acquire(str(where.lock))
        if lock is None:
            print("lrtool worker: another worker runs for this installation", file=sys.stderr)
            return 0
        key = paths.make_key(where)
    except (OSError, paths.UnsafePlace) as exc:
        print(f"lrtool worker: {exc}", file=sys.stderr)
        return 1
    from lrtool.backends import BackendUnavailable
    from lrtool.backends.tensorflow_backend import load

    try:
        load("graph")
    except BackendUnavailable as exc:
        where.lock.unlink(missing_ok=True)
        print(f"lrtool worker: {exc}", file=sys.stderr)
        return 1
    from multiprocessing.connection import Listener

    where.socket.unlink(missing_ok=True)  # a crashed worker's: the lock says none is alive
    old = os.umask(0o177)
    try:
        listener = Listener(str(where.socket), family="AF_UNIX", backlog=64)
    finally:
        os.umask(old)
    worker = Worker(where, key, paths.idle_seconds(), listener)
    signal.signal(signal.SIGTERM, worker.shutdown)
    worker.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
