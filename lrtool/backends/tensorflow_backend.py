"""The TensorFlow backend: Keras's own schedule objects, called on whole chunks of steps.

A scalar call costs about half a millisecond, so a million steps go through as a few vectors of
int64 steps instead (the optimizer's step counter is an int64 variable). What is reported is
TensorFlow's vectorized result: for InverseTimeDecay and PiecewiseConstantDecay it is bit for bit
the scalar ``schedule(step)``; for the schedules using pow, cos or log TensorFlow's vectorized
kernels differ from its scalar ones by a few ulp (at most about 1e-6 relative), which the parity
tests bound. A schedule whose ``__call__`` only takes a scalar step is mapped over the steps one
by one inside a ``tf.function``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from lrtool.backends.base import BackendUnavailable
from lrtool.schedules.opaque import OpaqueSchedule

if TYPE_CHECKING:
    import numpy as np

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
        self._scalar_only: set[int] = set()

    def keras_object(self, schedule: Any) -> Any:
        """The TensorFlow schedule object to call: the one an opaque schedule carries, else
        the one Keras's ``deserialize`` builds from the schedule's config, built once."""
        if isinstance(schedule, OpaqueSchedule):
            return schedule.obj
        # Keyed by the arguments' repr, not by the schedule: 1 == 1.0, but an int initial rate
        # makes Keras compute something else.
        key = (type(schedule), repr(schedule.arguments()))
        if key not in self._objects:
            from lrtool.keras_json import to_keras

            self._objects[key] = self._tf.keras.optimizers.schedules.deserialize(to_keras(schedule))
        return self._objects[key]

    def evaluate(self, schedule: Any, steps: np.ndarray) -> np.ndarray:
        import numpy as np

        obj = self.keras_object(schedule)
        tensor = self._tf.constant(np.asarray(steps, dtype=np.int64), dtype=self._tf.int64)
        with quiet_native_stderr():
            values = None if id(obj) in self._scalar_only else self._vector_call(obj, tensor)
            if values is None:
                self._scalar_only.add(id(obj))
                values = self._scalar_calls(obj, tensor)
        return np.broadcast_to(values, tensor.shape).copy() if values.shape != tensor.shape else values

    def _vector_call(self, obj: Any, tensor: Any) -> np.ndarray | None:
        """The schedule called on the whole vector, or None when its ``__call__`` only takes a
        scalar step (Keras's CosineDecay with warmup picks its branch with a scalar cond)."""
        import numpy as np

        try:
            values = np.asarray(obj(tensor))
        except (ValueError, TypeError, self._tf.errors.InvalidArgumentError):
            return None
        return values if values.shape in (tensor.shape, ()) else None

    def _scalar_calls(self, obj: Any, tensor: Any) -> np.ndarray:
        """One scalar call per step, inside one ``tf.function``: a Python ``if`` on the step
        becomes a ``tf.cond`` there, as it does in the training step."""
        import numpy as np

        tf = self._tf
        first = obj(tensor[0]) if tensor.shape[0] else tf.constant(0.0)
        mapped = tf.function(lambda s: tf.map_fn(obj, s, fn_output_signature=first.dtype))
        return np.asarray(mapped(tensor))
