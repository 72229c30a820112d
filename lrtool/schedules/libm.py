"""TensorFlow's scalar cos, log and pow, for NumPy arrays: glibc's own functions.

What ``model.fit`` applies is computed by TensorFlow's scalar kernels (every step is one rank-0
evaluation), and those call the C library: ``libtensorflow_framework.so`` imports glibc's
``cosf``, ``logf``, ``powf`` (and ``cos``, ``log``, ``pow`` for float64). glibc does not round
these correctly (cosf is within 0.56 ulp, logf and powf 0.82), and NumPy's own float32
functions differ from it on a fifth of inputs, so an exact copy must call glibc itself.

Calling it through ctypes costs about half a microsecond an element, so float32 results are
computed in float64 and rounded, and glibc is asked only where that rounding could differ:
within glibc's error bound of a float32 midpoint (MARGIN), and for non-finite, tiny or
negative-base cases. Repeated inputs are asked once. This is the measured target "0 ulp against
the training loop" (``benchmarks/exactness.py``); where glibc is missing (another C library),
``EXACT`` is False and results are float64-then-rounded, within an ulp or two.

Example:
    >>> import numpy as np
    >>> cos(np.array([0.0, 1.0], np.float32)).tolist()
    [1.0, 0.5403022766113281]
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

#: Float32 ulps around a rounding midpoint within which glibc's result may differ from the
#: float64 value rounded: its documented worst error less 0.5, with slack.
MARGIN = {"cosf": 0.1, "logf": 0.36, "powf": 0.36}
_NUMPY = {"cos": "cos", "log": "log", "pow": "power"}


@functools.cache
def _library() -> Any:
    """glibc's libm, or None where the C library is another one (macOS, musl)."""
    import ctypes
    import ctypes.util

    for name in ("libm.so.6", ctypes.util.find_library("m")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            lib.cosf, lib.logf, lib.powf, lib.gnu_get_libc_version  # noqa: B018 - glibc only
        except (OSError, AttributeError):
            continue
        for base in ("cos", "log", "pow"):
            for suffix, ctype in (("f", ctypes.c_float), ("", ctypes.c_double)):
                function = getattr(lib, base + suffix)
                function.restype = ctype
                function.argtypes = [ctype] * (2 if base == "pow" else 1)
        return lib
    return None


def exact() -> bool:
    """Whether results are glibc's own, bit for bit (False where glibc is not the C library)."""
    return _library() is not None


def cos(x: np.ndarray) -> np.ndarray:
    return _apply("cos", x)


def log(x: np.ndarray) -> np.ndarray:
    return _apply("log", x)


def power(base: Any, exponent: Any) -> np.ndarray:
    """``base ** exponent`` as TensorFlow's scalar pow kernel computes it, in their dtype."""
    return _apply("pow", base, exponent)


def _apply(name: str, *args: Any) -> np.ndarray:
    import numpy as np

    arrays = np.broadcast_arrays(*(np.asarray(a) for a in args))
    dtype = np.result_type(*arrays)
    arrays = [a.astype(dtype) for a in arrays]
    with np.errstate(all="ignore"):
        wide = getattr(np, _NUMPY[name])(*(a.astype(np.float64) for a in arrays))
        out = wide.astype(np.float32)
    lib = _library()
    if dtype == np.float64:
        return wide if lib is None else _call(lib, name, arrays, np.float64)
    if lib is None:
        return out
    doubtful = _near_midpoint(wide, MARGIN[name + "f"])
    if name == "pow":
        doubtful |= arrays[0] <= 0
    if doubtful.any():
        out[doubtful] = _call(lib, name + "f", [a[doubtful] for a in arrays], np.float32)
    return out


def _near_midpoint(wide: np.ndarray, margin: float) -> np.ndarray:
    """Where a float64 value lies within ``margin`` float32 ulp of a float32 rounding midpoint,
    or is not a finite normal float32: where glibc's float32 result may not be its rounding."""
    import numpy as np

    with np.errstate(all="ignore"):
        narrow = wide.astype(np.float32)
        low = np.nextafter(narrow, np.float32(-np.inf)).astype(np.float64)
        high = np.nextafter(narrow, np.float32(np.inf)).astype(np.float64)
        near = narrow.astype(np.float64)
        ulp = np.where(wide >= near, high - near, near - low)
        distance = np.abs(wide - near) / ulp  # 0 .. 0.5 ulp from the float32 it rounds to
    tiny = np.abs(narrow) < 2 * np.finfo(np.float32).tiny
    return ~np.isfinite(distance) | (distance > 0.5 - margin) | tiny


def _call(lib: Any, name: str, arrays: list[np.ndarray], dtype: Any) -> np.ndarray:
    """glibc's function on every element, each distinct input once."""
    import numpy as np

    function = getattr(lib, name)
    if not arrays[0].size:
        return np.zeros(arrays[0].shape, dtype)
    # Distinct by bit pattern (-0.0 and 0.0 are different inputs to pow), one key per element.
    flat = [np.ascontiguousarray(a, dtype).ravel() for a in arrays]
    keys = [f.view(np.dtype(f"u{np.dtype(dtype).itemsize}")).astype(np.uint64) for f in flat]
    if len(keys) == 1:
        key = keys[0]
    elif dtype == np.float32:
        key = (keys[0] << np.uint64(32)) | keys[1]
    else:
        key = np.unique(np.stack(keys, axis=1), axis=0, return_inverse=True)[1].ravel()
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    rows = [f[first].tolist() for f in flat]
    values = np.fromiter((function(*row) for row in zip(*rows)), dtype, len(first))
    return values[inverse.ravel()].reshape(arrays[0].shape)
