"""TensorFlow's arithmetic, repeated in NumPy: float32 casts, flush-to-zero, int32 wrap-around.

Keras schedules compute in the dtype of ``initial_learning_rate``: float32 for a Python float, and
for a Python int a mix of int32 and float64 (each schedule documents what it gets). TensorFlow runs
its CPU kernels with denormals flushed to zero, so a result below float32's smallest normal number
is 0 there; NumPy keeps the denormal, so ``ftz`` is applied wherever a result can be that small.

Transcendental functions (cos, log, pow) are computed in float64 and rounded: the float32 kernels of
NumPy and TensorFlow each differ from the correctly rounded value by an ulp here and there, and the
rounded float64 result is both the closest to TensorFlow's scalar path and monotone, which the
edge searches rely on.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

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
    import numpy as np

    return np.cos(x.astype(np.float64)).astype(x.dtype)


def log(x: np.ndarray) -> np.ndarray:
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x.astype(np.float64)).astype(x.dtype)


def power(base: Any, exponent: Any, dtype: Any) -> np.ndarray:
    """``tf.pow`` in ``dtype``; float32 through float64 and rounded, with denormals flushed."""
    import numpy as np

    wide = np.float64
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.power(np.asarray(base, dtype).astype(wide), np.asarray(exponent, dtype).astype(wide))
        out = np.asarray(out).astype(dtype)
    return ftz(out)


def nonnegative(value: Any) -> bool:
    """At least 0 and not -0.0: a -0.0 factor makes Keras return -0.0, which is no usable rate."""
    return bool(value > 0 or (value == 0 and math.copysign(1.0, float(value)) > 0))
