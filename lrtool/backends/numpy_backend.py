"""The NumPy backend: each schedule's ``formula`` repeats Keras's float32 operations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lrtool.backends.base import BackendUnavailable

if TYPE_CHECKING:
    import numpy as np


class NumpyBackend:
    name = "numpy"

    def evaluate(self, schedule: Any, steps: np.ndarray) -> np.ndarray:
        formula = getattr(schedule, "formula", None)
        if formula is None:
            raise BackendUnavailable(f"{schedule.keras_name} is a TensorFlow schedule with no"
                                     " NumPy formula: use --backend tensorflow")
        return formula(steps)
