"""Evaluation backends: TensorFlow's own schedule objects, or NumPy reproducing them bit for bit.

Both take a schedule and an int64 array of steps and return the values the Keras optimizer would
get. ``resolve`` picks one by name; ``auto`` prefers TensorFlow when it imports.
"""

from __future__ import annotations

import os

from lrtool.backends.base import ENV_VAR, NAMES, Backend, BackendUnavailable

__all__ = ["ENV_VAR", "NAMES", "Backend", "BackendUnavailable", "resolve"]


def resolve(name: str | None = None, mode: str = "graph") -> Backend:
    """The backend for a name (default: $LRTOOL_BACKEND, else auto), computing what
    ``model.fit`` applies in ``mode`` (``lrtool.schedules.kmath.MODES``)."""
    name = (name or os.environ.get(ENV_VAR) or "auto").lower()
    if name not in NAMES:
        raise ValueError(f"unknown backend {name!r} (choose from {', '.join(NAMES)})")
    if name in ("auto", "tensorflow"):
        from lrtool.backends import tensorflow_backend

        try:
            return tensorflow_backend.load(mode)
        except BackendUnavailable:
            if name == "tensorflow":
                raise
    from lrtool.backends.numpy_backend import NumpyBackend

    return NumpyBackend(mode)
