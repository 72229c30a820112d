"""TensorFlow's values for the explorer, computed in a process of its own.

Importing TensorFlow takes seconds, much of them in C code holding Python's global lock: in a
thread of the explorer's process it would freeze the screen and the keys meanwhile. Here it
loads in a child process (``python -m lrtool.explore.worker MODE``) that answers evaluation
requests over its standard input and output, pickled: ``(schedule, steps)`` in, ``("ok",
values)`` or ``("error", message)`` out, after a first ``("ready", None)`` or ``("error",
why)``. The child is the same ``tensorflow_backend`` the other commands use, so the values are
the same, bit for bit. It ends when the explorer closes its input.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from typing import Any, BinaryIO

import lrtool


class WorkerFailed(RuntimeError):
    """TensorFlow could not load, or failed on a request; the message says why."""


class RemoteTensorFlow:
    """A backend evaluating in the worker process: ``name`` "tensorflow", like the one inside."""

    name = "tensorflow"

    def __init__(self, mode: str = "graph") -> None:
        self.mode = mode
        root = os.path.dirname(os.path.dirname(os.path.abspath(lrtool.__file__)))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lrtool.explore.worker", mode], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self.lock = threading.Lock()

    def wait_ready(self) -> None:
        """Block until TensorFlow is loaded in the worker; WorkerFailed when it cannot be."""
        self._answer()

    def evaluate(self, schedule: Any, steps: Any) -> Any:
        import numpy as np

        with self.lock:
            assert self.process.stdin is not None
            try:
                pickle.dump((schedule, np.asarray(steps, dtype=np.int64)), self.process.stdin)
                self.process.stdin.flush()
            except OSError:
                raise WorkerFailed("the TensorFlow process has ended") from None
            return self._answer()

    def _answer(self) -> Any:
        assert self.process.stdout is not None
        try:
            kind, value = pickle.load(self.process.stdout)
        except (EOFError, OSError, pickle.UnpicklingError):
            raise WorkerFailed("the TensorFlow process has ended") from None
        if kind == "error":
            raise WorkerFailed(value)
        return value

    def close(self) -> None:
        """End the worker (it would end on its own once its input closes)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def serve(mode: str, requests: BinaryIO, answers: BinaryIO) -> None:
    """Load TensorFlow, then answer requests until the input ends."""
    from lrtool.backends import BackendUnavailable
    from lrtool.backends.tensorflow_backend import load

    def send(kind: str, value: Any) -> None:
        pickle.dump((kind, value), answers)
        answers.flush()

    try:
        backend = load(mode)
    except BackendUnavailable as exc:
        send("error", str(exc).split(";")[0])
        return
    send("ready", None)
    while True:
        try:
            schedule, steps = pickle.load(requests)
        except EOFError:
            return
        try:
            send("ok", backend.evaluate(schedule, steps))
        except Exception as exc:  # noqa: BLE001 - reported to the explorer, which shows it
            send("error", f"{type(exc).__name__}: {exc}")


def main() -> None:
    # The answers get a descriptor of their own: anything TensorFlow prints on standard output
    # must not mix with them.
    answers = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    serve(sys.argv[1] if len(sys.argv) > 1 else "graph", sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
