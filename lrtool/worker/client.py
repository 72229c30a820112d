"""The worker as a backend: a command's schedules and steps go to the warm worker, its values come
back, and everything else (checks, tables, plots) stays in the command, which then never imports
TensorFlow.

Whenever the worker cannot answer, the command evaluates with TensorFlow in its own process and
prints the same output: no worker yet (it is started at the command's exit, once TensorFlow has
loaded here, so that starting it never slows the command), a worker that is dead, killed
mid-request or silent past a bound (at most one line on stderr), or a schedule the worker cannot
take. Schedules loaded from the user's own code (``OpaqueSchedule``) are always evaluated here.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from lrtool.backends.base import ENV_VAR
from lrtool.schedules import Schedule
from lrtool.worker import paths
from lrtool.worker.protocol import (
    STEPS, VALUES, ProtocolError, count_of, recv_array, recv_json, schedule_json, send_array,
    send_json, sendable)

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    import numpy as np

#: Seconds for connecting, authenticating and the worker's hello: a worker that takes longer is
#: wedged, and the command goes on without it.
CONNECT_SECONDS = 3.0
#: Seconds for one request's answer: a first trace under XLA and a queue of other commands' requests
#: fit well within.
REQUEST_SECONDS = 60.0
#: Steps per request (a CSV chunk is 65536; a plot may ask for more at once).
REQUEST_STEPS = 1 << 20


class WorkerFault(Exception):
    """The worker did not answer as it should: too late, not at all, or not as ours."""


class Refused(Exception):
    """The worker answered that it could not evaluate this schedule."""


#: Transport failures after which the command carries on without the worker.
FAULTS = (WorkerFault, ProtocolError, OSError, EOFError)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise WorkerFault in the main thread if the block takes longer than ``seconds``: a read
    from a wedged worker blocks, and a timer signal is the one thing that interrupts it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise WorkerFault(f"no answer within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def connect(where: paths.Place, key: bytes, seconds: float = CONNECT_SECONDS) -> Connection:
    """An authenticated connection to this installation's worker, whose hello was checked.

    FileNotFoundError or ConnectionRefusedError: no worker listens; FAULTS: one is there but
    unusable (wedged, another installation's, or not holding our key).
    """
    from multiprocessing.connection import (
        AuthenticationError, Client, answer_challenge, deliver_challenge)

    with deadline(seconds):
        conn = Client(str(where.socket), family="AF_UNIX")
        try:
            answer_challenge(conn, key)
            deliver_challenge(conn, key)
            send_json(conn, {"op": "hello"})
            hello = recv_json(conn)
        except AuthenticationError:
            conn.close()
            raise WorkerFault("the worker does not hold this user's key") from None
        except BaseException:
            conn.close()
            raise
    if hello.get("identity") != where.identity.digest():
        conn.close()
        raise WorkerFault(f"the worker at {where.socket} belongs to another installation")
    return conn


def warn(text: str) -> None:
    """The one line a command prints about the worker."""
    sys.stderr.write(f"lrtool: {text}; evaluating in this process\n")
    sys.stderr.flush()


class WorkerBackend:
    """TensorFlow's values, computed by the worker; in this process once it fails."""

    name = "tensorflow"

    def __init__(self, conn: Connection, where: paths.Place, mode: str) -> None:
        self.mode = mode
        self._conn: Connection | None = conn
        self._where = where

    def evaluate(self, schedule: Any, steps: np.ndarray) -> np.ndarray:
        """The float32 rate the optimizer applies at each of these int64 steps."""
        import numpy as np

        steps = np.asarray(steps, dtype=np.int64).reshape(-1)
        if self._conn is not None and sendable(schedule):
            try:
                parts = [self._ask(schedule, steps[i:i + REQUEST_STEPS])
                         for i in range(0, steps.size, REQUEST_STEPS)]
                return np.concatenate(parts) if parts else np.zeros(0, np.float32)
            except Refused:
                pass  # evaluated here, where the same failure reaches the user as it would
            except FAULTS as exc:
                self.close()
                warn(f"the TensorFlow worker failed ({exc or type(exc).__name__})")
        from lrtool.backends.tensorflow_backend import load

        return load(self.mode).evaluate(schedule, steps)

    def _ask(self, schedule: Schedule, steps: np.ndarray) -> np.ndarray:
        assert self._conn is not None
        request = {"op": "evaluate", "identity": self._where.identity.digest(),
                   "mode": self.mode, "schedule": schedule_json(schedule),
                   "count": int(steps.size)}
        with deadline(REQUEST_SECONDS):
            send_json(self._conn, request)
            send_array(self._conn, steps, STEPS)
            answer = recv_json(self._conn)
            if not answer.get("ok"):
                raise Refused(str(answer.get("error")))
            if count_of(answer) != steps.size:
                raise ProtocolError(f"{answer['count']} values for {steps.size} steps")
            return recv_array(self._conn, VALUES, steps.size)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def holder(where: paths.Place) -> int | None:
    """The pid of the live worker holding the lock (starting or serving), else None."""
    import fcntl

    try:
        fd = os.open(where.lock, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.read(fd, 32).decode(errors="replace").strip()
            return int(text) if text.isdigit() else 0
        return None
    finally:
        os.close(fd)


SERVER = "lrtool.worker.server"
#: A command's worker waits for it to exit before it even imports lrtool: TensorFlow's teardown
#: in the command takes seconds, and must not share the CPU with the worker's import.
AFTER_EXIT = ("import os, runpy, sys, time\n"
              "end = time.monotonic() + 60\n"
              "while os.getppid() == int(sys.argv[1]) and time.monotonic() < end:\n"
              "    time.sleep(0.02)\n"
              f"runpy.run_module({SERVER!r}, run_name='__main__')\n")


def start(where: paths.Place, after_exit: bool = False) -> bool:
    """Start the worker detached (own session, stdio on /dev/null) unless one lives; no wait.
    ``after_exit``: it imports TensorFlow only once this process has exited."""
    import subprocess

    if holder(where) is not None:
        return False
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    command = ["-c", AFTER_EXIT, str(os.getpid())] if after_exit else ["-m", SERVER]
    subprocess.Popen([sys.executable, *command],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, cwd="/", env=env, start_new_session=True,
                     close_fds=True)
    return True


def _start_if_loaded(where: paths.Place) -> None:
    """At exit: start the worker if TensorFlow loaded in this process (so it can in the worker)."""
    if "tensorflow" in sys.modules:
        with contextlib.suppress(OSError, paths.UnsafePlace):
            start(where, after_exit=True)


def warm_backend(name: str | None, schedules: Sequence[Any], mode: str) -> WorkerBackend | None:
    """The worker as the backend, when the command would use TensorFlow and the worker answers.

    None means: resolve the backend as without a worker. Then a worker is started at exit if
    none is running and this command loads TensorFlow.
    """
    name = (name or os.environ.get(ENV_VAR) or "auto").lower()
    if name not in ("auto", "tensorflow") or not paths.enabled():
        return None
    if not all(sendable(s) for s in schedules):
        return None  # the user's own code is loaded here, TensorFlow with it
    ident = paths.identity()
    if ident is None:
        return None
    try:
        where = paths.place(ident)
        key = paths.read_key(where)
        if key is None or not where.socket.exists():  # none yet: not worth importing the client
            raise FileNotFoundError(where.socket)
        return WorkerBackend(connect(where, key), where, mode)
    except paths.UnsafePlace as exc:
        warn(f"not using the TensorFlow worker: {exc}")
    except (FileNotFoundError, ConnectionRefusedError):
        atexit.register(_start_if_loaded, paths.Place(paths.runtime_dir(), ident))
    except FAULTS as exc:
        warn(f"the TensorFlow worker did not answer ({exc or type(exc).__name__})")
    return None
