"""The TensorFlow backend: the schedule object itself, run the way ``model.fit`` runs it.

What the optimizer applies at a step is one rank-0 evaluation of the schedule inside the train
step, and that is what this backend computes, bit for bit (``benchmarks/exactness.py`` measures
it against the training loop):

* every step is its own rank-0 call of the schedule, 16 of them per ``tf.map_fn`` iteration
  inside one ``tf.function``. A vector call would be faster but is not the same: TensorFlow's
  graph optimizer rewrites rank-0 and vector graphs differently, and Eigen computes the first
  ``n // 8 * 8`` elements of a vector with its own SIMD cos/log/pow and the rest with glibc's,
  so a value would depend on its place among the requested steps;
* the function is compiled as the mode compiles the train step: a graph with Grappler and no
  autograph (Keras's default on a CPU; Keras does not autograph the train step, so a Python
  ``if`` on the step fails there as it does in ``fit``), eagerly-ordered with Grappler off and
  autograph on (``run_eagerly=True``), or by XLA (``jit_compile=True``);
* the result is cast to float32, as SGD casts the rate to the variable's dtype.

About 2-10 s for a million steps after TensorFlow's import; the one-off cost is tracing each
schedule's function.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from lrtool.backends.base import BackendUnavailable
from lrtool.schedules.base import Schedule
from lrtool.schedules.constant import Constant
from lrtool.schedules.opaque import OpaqueSchedule

if TYPE_CHECKING:
    import numpy as np

#: lrtool is installed from its source: the extra is named from the clone, not from an index.
INSTALL_HINT = ("install it beside lrtool with pip install tensorflow (from lrtool's source"
                " directory: pip install '.[tensorflow]'), or use --backend numpy")
#: Rank-0 calls per map_fn iteration: fewer pay the loop's per-iteration cost more often, more
#: make tracing and Grappler's pass over the function slower (16 measured fastest at 1e5-1e6).
ROW = 16

_tf: Any = None
_backends: dict[str, TensorFlowBackend] = {}


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


def load(mode: str = "graph") -> TensorFlowBackend:
    """The backend for a mode, importing TensorFlow quietly once; BackendUnavailable when it
    cannot be imported."""
    global _tf
    if _tf is None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        # tf.keras is Keras 3, which follows KERAS_BACKEND: the schedule must run on TensorFlow.
        os.environ["KERAS_BACKEND"] = "tensorflow"
        try:
            with quiet_native_stderr():
                import tensorflow as tf
        except Exception as exc:  # ImportError, or a broken install failing in its own way
            raise BackendUnavailable(f"TensorFlow is not available ({exc}); {INSTALL_HINT}") from exc
        _tf = tf
    if mode not in _backends:
        _backends[mode] = TensorFlowBackend(_tf, mode)
    return _backends[mode]


#: Keras's PiecewiseConstantDecay adds graph operations per boundary, traced ROW times: a
#: million boundaries take minutes. It only selects one of its float32 values (no arithmetic),
#: so its NumPy formula gives the same bits in every mode (measured: 0 ulp against model.fit,
#: tests/test_exactness.py) and answers for it above this many boundaries. The same holds for
#: a schedule holding such a one (WarmUp's decay_schedule_fn, at any depth): its own NumPy
#: formula answers for the whole of it, exact in graph and eager mode like every formula;
#: under XLA that formula is not exact for WarmUp's warmup arithmetic (the README's numpy
#: column, a few ulp), which is still better than a compile that takes minutes.
MAX_TRACED_BOUNDARIES = 1000


def traced_boundaries(schedule: Any) -> int:
    """The boundaries tracing the schedule unrolls: its own and its nested schedules', at any
    depth (an opaque schedule's are Keras's own business: it has no formula to use instead)."""
    if not isinstance(schedule, Schedule):
        return 0
    nested = [v for v in schedule.arguments().values() if isinstance(v, Schedule)]
    return len(getattr(schedule, "boundaries", ())) + sum(map(traced_boundaries, nested))


class ScalarOnly(ValueError):
    """The schedule branches on the step in Python, which the mode's train step cannot run."""


class TensorFlowBackend:
    name = "tensorflow"

    def __init__(self, tf: Any, mode: str = "graph") -> None:
        self._tf = tf
        self.mode = mode
        self._objects: dict[tuple[type, str], Any] = {}
        self._functions: dict[int, tuple[Any, Any]] = {}

    def keras_object(self, schedule: Any) -> Any:
        """The TensorFlow schedule object to call: the one an opaque schedule carries, else
        the one Keras's ``deserialize`` builds from the schedule's config, built once."""
        if isinstance(schedule, OpaqueSchedule):
            return schedule.obj
        # Keyed by the arguments' repr, not by the schedule: 1 == 1.0, but an int initial rate
        # makes Keras compute something else.
        key = (type(schedule), repr(schedule.arguments()))
        if key not in self._objects and isinstance(schedule, Constant):
            # No Keras class: the optimizer applies its float32 learning_rate variable as is.
            rate = self._tf.constant(schedule.learning_rate, self._tf.float32)
            self._objects[key] = lambda step: rate
        if key not in self._objects:
            from lrtool.backends.tf_warmup import custom_objects
            from lrtool.keras_json import to_keras

            self._objects[key] = self._tf.keras.optimizers.schedules.deserialize(
                to_keras(schedule), custom_objects=custom_objects())
        return self._objects[key]

    def evaluate(self, schedule: Any, steps: np.ndarray) -> np.ndarray:
        """The float32 rate the optimizer applies at each of these int64 steps."""
        import numpy as np

        steps = np.asarray(steps, dtype=np.int64).reshape(-1)
        if steps.size == 0:
            return np.zeros(0, np.float32)
        if getattr(schedule, "per_epoch", False):  # set in Python by Keras's callback
            return np.asarray(schedule.formula(steps), np.float32)
        if traced_boundaries(schedule) > MAX_TRACED_BOUNDARIES:
            return np.asarray(schedule.formula(steps, self.mode), np.float32)
        rows = np.concatenate([steps, np.full(-steps.size % ROW, steps[-1])]).reshape(-1, ROW)
        function = self._function(schedule)
        with quiet_native_stderr(), self._optimizer_options():
            try:
                out = function(self._tf.constant(rows, dtype=self._tf.int64))
            except self._tf.errors.OperatorNotAllowedInGraphError:
                raise ScalarOnly(self._python_branch(schedule)) from None
        return np.asarray(out).reshape(-1)[: steps.size].astype(np.float32)

    def _function(self, schedule: Any) -> Any:
        """The compiled evaluation of one schedule object, traced once per process."""
        tf = self._tf
        obj = self.keras_object(schedule)
        if id(obj) not in self._functions:
            with quiet_native_stderr(), self._optimizer_options():
                try:
                    dtype = tf.convert_to_tensor(obj(tf.constant(0, tf.int64))).dtype
                except tf.errors.OperatorNotAllowedInGraphError:
                    raise ScalarOnly(self._python_branch(schedule)) from None

            def row(steps: Any) -> Any:
                return tf.stack([tf.convert_to_tensor(obj(steps[j])) for j in range(ROW)])

            def rows(table: Any) -> Any:
                return tf.map_fn(row, table, fn_output_signature=tf.TensorSpec([ROW], dtype))

            compiled = tf.function(rows, autograph=self.mode == "eager",
                                   jit_compile=self.mode == "xla",
                                   input_signature=[tf.TensorSpec([None, ROW], tf.int64)])
            self._functions[id(obj)] = (obj, compiled)  # the object kept: its id stays its own
        return self._functions[id(obj)][1]

    @contextlib.contextmanager
    def _optimizer_options(self) -> Iterator[None]:
        """Grappler off while an eager-mode function runs (its first call instantiates it):
        what is left is the eager kernels in Keras's own order."""
        if self.mode != "eager":
            yield
            return
        config = self._tf.config.optimizer
        before = config.get_experimental_options()
        config.set_experimental_options({"disable_meta_optimizer": True})
        try:
            yield
        finally:
            config.set_experimental_options(
                {"disable_meta_optimizer": before.get("disable_meta_optimizer", False)})

    def _python_branch(self, schedule: Any) -> str:
        return (f"{schedule.keras_name} branches on the step in Python (an if on a tensor):"
                " Keras does not convert that in its train step, so model.fit fails on it"
                " unless compiled with run_eagerly=True; use --run-eagerly to see what it gives"
                " then")
