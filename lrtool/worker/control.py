"""``lrtool worker start|status|stop``: the worker of this installation, seen and steered from
outside. Each returns the lines to print; ControlError is a fault to report in one line.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from lrtool.worker import paths
from lrtool.worker.client import FAULTS, connect, holder, start
from lrtool.worker.protocol import recv_json, send_json

#: Seconds ``start`` waits for TensorFlow's import in the new worker.
START_SECONDS = 180.0
#: Seconds ``stop`` waits for the worker to be gone.
STOP_SECONDS = 15.0


class ControlError(RuntimeError):
    """The worker cannot be reached or started; the message says why."""


def where_here() -> paths.Place:
    """This installation's place; ControlError without TensorFlow or with an unsafe directory."""
    ident = paths.identity()
    if ident is None:
        raise ControlError("TensorFlow is not installed here: there is no worker to run")
    try:
        return paths.place(ident)
    except FileNotFoundError:
        return paths.Place(paths.runtime_dir(), ident)
    except paths.UnsafePlace as exc:
        raise ControlError(str(exc)) from None


def ask(where: paths.Place, op: str) -> dict[str, Any] | None:
    """The worker's answer to one request; None when no worker listens."""
    try:
        key = paths.read_key(where)
        if key is None:
            return None
        with connect(where, key) as conn:
            send_json(conn, {"op": op})
            return recv_json(conn)
    except paths.UnsafePlace as exc:
        raise ControlError(str(exc)) from None
    except (FileNotFoundError, ConnectionRefusedError):
        return None
    except FAULTS as exc:
        raise ControlError(f"the worker at {where.socket} does not answer"
                           f" ({exc or type(exc).__name__})") from None


def duration(seconds: float) -> str:
    """3h 05m, 4m 07s, 12s."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def status() -> list[str]:
    where = where_here()
    lines = [] if paths.enabled() else [
        f"commands do not use the worker: {paths.ENV_SWITCH}={os.environ[paths.ENV_SWITCH]}"]
    answer = ask(where, "status")
    if answer is None:
        pid = holder(where)
        state = (f"starting: pid {pid}, importing TensorFlow" if pid is not None else
                 "not running: the next command that uses TensorFlow starts it")
        return [*lines, f"worker: {state}", f"socket: {where.socket}"]
    versions = answer.get("versions", {})
    served = answer.get("served", 0)
    return [*lines,
            f"worker: running, pid {answer.get('pid')}, up"
            f" {duration(time.time() - answer.get('started', time.time()))},"
            f" {served} request{'s' if served != 1 else ''} served",
            f"idle: {duration(answer.get('idle_for', 0))} since the last request; exits after"
            f" {duration(answer.get('idle_limit', 0))} idle",
            "versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
            f"interpreter: {answer.get('python')}",
            f"socket: {answer.get('socket')}"]


def wait_gone(where: paths.Place, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while holder(where) is not None:
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def stop() -> list[str]:
    """Stop the worker (SIGTERM for one still importing TensorFlow) and clear what a crashed
    one left behind."""
    where = where_here()
    try:
        answer = ask(where, "stop")
    except ControlError:
        answer = None  # wedged: the lock names its pid
    pid = answer.get("pid") if answer else holder(where)
    if pid and answer is None:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    if pid and not wait_gone(where, STOP_SECONDS):
        raise ControlError(f"the worker (pid {pid}) did not stop within {STOP_SECONDS:g} s")
    left = [p for p in (where.socket, where.lock) if p.exists()]
    for path in left:
        path.unlink(missing_ok=True)  # no worker holds the lock: these are a crashed one's
    if pid:
        return [f"stopped the worker (pid {pid})"]
    return ["no worker was running" + (" (removed a crashed one's files)" if left else "")]


def start_now() -> list[str]:
    """Start the worker unless it runs, and wait until it answers."""
    where = where_here()
    answer = ask(where, "hello")
    if answer is not None:
        return [f"the worker is already running (pid {answer.get('pid')})"]
    start(where)
    begin = time.monotonic()
    seen = False
    while time.monotonic() < begin + START_SECONDS:
        time.sleep(0.1)
        answer = ask(where, "hello")
        if answer is not None:
            return [f"started the worker (pid {answer.get('pid')}), socket {where.socket}"]
        alive = holder(where) is not None
        if (seen and not alive) or (not seen and time.monotonic() > begin + STOP_SECONDS):
            break  # it exited, or never took the lock
        seen = seen or alive
    raise ControlError("the worker did not start: run 'python -m lrtool.worker.server' to see why")
