"""The TensorFlow backend: Keras's own schedule objects, called on whole chunks of steps.

A scalar call costs about half a millisecond, so a million steps go through as a few vectors of
int64 steps instead (the optimizer's step counter is an int64 variable). What is reported is
TensorFlow's vectorized result: for InverseTimeDecay and PiecewiseConstantDecay it is bit for bit
the scalar ``schedule(step)``; for the schedules using pow, cos or log TensorFlow's vectorized
kernels differ from its scalar ones by a few ulp (at most about 1e-6 relative), which the parity
tests bound. A schedule whose ``__call__`` only takes a scalar step runs through its
``evaluate_keras`` (still Keras's own code).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from lrtool.backends import BackendUnavailable

if TYPE_CHECKING:
    import numpy as np

    from lrtool.schedules.base import Schedule

INSTALL_HINT = "install it with: pip install 'lrtool[tensorflow]'  (or use --backend numpy)"

_loaded: TensorFlowBackend | None = None


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for a moment.

    TensorFlow's C++ side prints oneDNN and CPU-feature notices straight to fd 2, some of them
    before its log level is read, so TF_CPP_MIN_LOG_LEVEL alone cannot keep them off the
    user's terminal. Python-level errors still arrive as exceptions.
    """
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to protect
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def load() -> TensorFlowBackend:
    """Import TensorFlow quietly, once; BackendUnavailable when it cannot be imported."""
    global _loaded
    if _loaded is None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        # tf.keras is Keras 3, which follows KERAS_BACKEND: the schedule must run on TensorFlow.
        os.environ["KERAS_BACKEND"] = "tensorflow"
        try:
            with quiet_native_stderr():
                import tensorflow as tf
        except Exception as exc:  # ImportError, or a broken install failing in its own way
            raise BackendUnavailable(f"TensorFlow is not available ({exc}); {INSTALL_HINT}") from exc
        _loaded = TensorFlowBackend(tf)
    return _loaded


class TensorFlowBackend:
    name = "tensorflow"

    def __init__(self, tf: Any) -> None:
        self._tf = tf
        self._objects: dict[tuple[type, str], Any] = {}

    def keras_schedule(self, schedule: Schedule) -> Any:
        """The real ``tf.keras.optimizers.schedules`` object for a schedule, built once."""
        # Keyed by the arguments' repr, not by the schedule: 1 == 1.0, but an int initial rate
        # makes Keras compute something else.
        key = (type(schedule), repr(schedule.arguments()))
        if key not in self._objects:
            cls = getattr(self._tf.keras.optimizers.schedules, schedule.keras_name)
            self._objects[key] = cls(**schedule.arguments())
        return self._objects[key]

    def evaluate(self, schedule: Schedule, steps: np.ndarray) -> np.ndarray:
        import numpy as np

        tensor = self._tf.constant(np.asarray(steps, dtype=np.int64), dtype=self._tf.int64)
        with quiet_native_stderr():
            out = schedule.evaluate_keras(self.keras_schedule(schedule), tensor)
        values = np.asarray(out)
        return np.broadcast_to(values, tensor.shape).copy() if values.shape != tensor.shape else values
