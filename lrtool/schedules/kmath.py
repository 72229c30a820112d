"""TensorFlow's arithmetic, repeated in NumPy: float32 casts, flush-to-zero, int32 wrap-around.

Keras schedules compute in the dtype of ``initial_learning_rate``: float32 for a Python float, and
for a Python int a mix of int32 and float64 (each schedule documents what it gets). TensorFlow runs
its CPU kernels with denormals flushed to zero, so a result below float32's smallest normal number
is 0 there; NumPy keeps the denormal, so ``ftz`` is applied wherever a result can be that small.

Transcendental functions (cos, log, pow) are glibc's own, as TensorFlow's scalar kernels call them
(``lrtool.schedules.libm``). How a division by a constant is computed depends on how ``model.fit``
runs the schedule (``Mode``): eagerly as written, or in a graph whose optimizer turns ``x / c``
into ``x * (1 / c)`` (``divide``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

from lrtool.schedules import libm

if TYPE_CHECKING:
    import numpy as np

#: How ``model.fit`` runs the schedule: in a ``tf.function`` graph (Keras's default compile
#: settings on a CPU), eagerly (``run_eagerly=True``), or compiled by XLA (``jit_compile=True``).
Mode = Literal["graph", "eager", "xla"]
MODES: tuple[Mode, ...] = ("graph", "eager", "xla")

#: Smallest normal float32; anything nonzero below it is a denormal TensorFlow treats as 0.
FLOAT32_TINY = 1.1754943508222875e-38
FLOAT32_MAX = 3.4028234663852886e38
INT32_MAX = 2**31 - 1


def ftz(x: np.ndarray) -> np.ndarray:
    """Flush denormals to a zero of the same sign, as TensorFlow's kernels do."""
    import numpy as np

    tiny = np.finfo(x.dtype).tiny
    small = np.abs(x) < tiny
    if small.any():
        x = np.where(small, np.copysign(x.dtype.type(0), x), x)
    return x


def f32(value: Any) -> np.float32:
    """A Python number as ``ops.cast(value, "float32")`` gives it, read as TensorFlow's kernels
    read it (a denormal is 0 to them)."""
    import numpy as np

    x = np.float32(value)
    return np.float32(0) * x if 0 < abs(x) < FLOAT32_TINY else x


def f32_array(values: Any) -> np.ndarray:
    """``f32`` of each of many Python numbers at once."""
    import numpy as np

    x = np.array(values, dtype=np.float64).astype(np.float32)
    return np.where((np.abs(x) > 0) & (np.abs(x) < FLOAT32_TINY), np.float32(0) * x, x)


def to_int32(value: float | int) -> int:
    """A Python number as ``ops.cast(value, "int32")`` gives it: floats truncate toward zero."""
    import numpy as np

    if isinstance(value, float):
        return int(np.float32(value))  # converted to a float32 tensor first, then truncated
    return int(value)


def wrap_int32(steps: np.ndarray) -> np.ndarray:
    """The int64 step cast to int32, as Keras does with an int learning rate: it wraps at 2**31."""
    import numpy as np

    return steps.astype(np.int32)


def cos(x: np.ndarray) -> np.ndarray:
    return libm.cos(x)


def log(x: np.ndarray) -> np.ndarray:
    return libm.log(x)


def power(base: Any, exponent: Any, dtype: Any) -> np.ndarray:
    """``tf.pow`` in ``dtype`` (glibc's powf or pow), with denormals flushed."""
    import numpy as np

    return ftz(np.asarray(libm.power(np.asarray(base, dtype), np.asarray(exponent, dtype))))


def divide(x: np.ndarray, constant: Any, mode: Mode) -> np.ndarray:
    """``x / constant`` as the mode computes it: in a graph (plain or XLA) TensorFlow's
    optimizer strength-reduces a division by a constant to a multiplication by its reciprocal
    (Grappler's ``ReduceDivToReciprocalMul``, XLA's "A / Const => A * (1 / Const)")."""
    c = x.dtype.type(constant)
    if mode == "eager":
        return x / c
    return x * (x.dtype.type(1) / c)


def graph_power(base: np.ndarray, exponent: Any, mode: Mode) -> np.ndarray:
    """``base ** exponent`` for a constant exponent: in a graph, Grappler's ``ConvertPow``
    turns 2 into a square, 1 into the base, 0.5 into a square root, 0 into ones, -1 into a
    reciprocal and -0.5 into a reciprocal square root; other exponents stay pow."""
    import numpy as np

    t = base.dtype.type
    e = t(exponent)
    if mode != "eager":
        with np.errstate(all="ignore"):
            if e == 2:
                return ftz(base * base)
            if e == 1:
                return base
            if e == 0.5:
                return ftz(np.sqrt(base))
            if e == 0:
                return np.ones_like(base)
            if e == -1:
                return ftz(t(1) / base)
            if e == -0.5:
                return ftz(t(1) / np.sqrt(base))
    return power(base, e, base.dtype)


def nonnegative(value: Any) -> bool:
    """At least 0 and not -0.0: a -0.0 factor makes Keras return -0.0, which is no usable rate."""
    return bool(value > 0 or (value == 0 and math.copysign(1.0, float(value)) > 0))


def may_overflow(last_step: int, decay_steps: float, factor: float = 1.0) -> bool:
    """Whether ``step / decay_steps`` times ``factor`` may reach float32's overflow by
    ``last_step`` (with a margin): a schedule then checks its rates rather than trusting its
    arguments."""
    return max(1.0, abs(factor)) * (last_step + 1) / decay_steps > FLOAT32_MAX / 16
