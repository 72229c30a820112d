"""The NumPy backend: each schedule's ``evaluate_numpy`` repeats Keras's float32 operations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from lrtool.schedules.base import Schedule


class NumpyBackend:
    name = "numpy"

    def evaluate(self, schedule: Schedule, steps: np.ndarray) -> np.ndarray:
        return schedule.evaluate_numpy(steps)


def is_bad(values: np.ndarray) -> np.ndarray:
    """Values an optimizer cannot use: nan, inf, or below zero (negative zero included)."""
    import numpy as np

    return ~np.isfinite(values) | np.signbit(values)


def first_bad_by_evaluation(schedule: Schedule, steps: Sequence[int]) -> int | None:
    """Evaluate every step, a chunk at a time, and return the first unusable one."""
    import numpy as np

    from lrtool.steps import chunks

    for chunk in chunks(steps):
        bad = np.nonzero(is_bad(schedule.evaluate_numpy(chunk)))[0]
        if bad.size:
            return int(chunk[bad[0]])
    return None
