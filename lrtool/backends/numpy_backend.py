"""The NumPy backend: each schedule's ``formula`` repeats TensorFlow's operations, in the order
the mode runs them, with glibc's own cos, log and pow; the result is cast to float32 as SGD casts
the rate. Exact against the training loop in graph and eager mode, within a few ulp under XLA,
whose compiler fuses multiply-adds as it sees fit (``benchmarks/exactness.py`` measures both).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lrtool.backends.base import BackendUnavailable

if TYPE_CHECKING:
    import numpy as np


class NumpyBackend:
    name = "numpy"

    def __init__(self, mode: str = "graph") -> None:
        self.mode = mode

    def evaluate(self, schedule: Any, steps: np.ndarray) -> np.ndarray:
        import numpy as np

        formula = getattr(schedule, "formula", None)
        if formula is None:
            raise BackendUnavailable(f"{schedule.keras_name} is a TensorFlow schedule with no"
                                     " NumPy formula: use --backend tensorflow")
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(formula(steps, self.mode)).astype(np.float32)
