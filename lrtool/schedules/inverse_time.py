"""Keras's ``InverseTimeDecay``: ``lr0 / (1 + decay_rate * step / decay_steps)``."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lrtool.schedules._search import first_true, segment_starts
from lrtool.schedules.base import Schedule, ScheduleError, arg, require_finite

if TYPE_CHECKING:
    import numpy as np


@dataclasses.dataclass(frozen=True)
class InverseTimeDecay(Schedule):
    """The learning rate falls as 1/t; with ``staircase`` it drops only every ``decay_steps``.

    Example:
        InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5) gives 0.1, 0.06666667, 0.05, ...
    """

    keras_name = "InverseTimeDecay"
    example = {"initial_learning_rate": 0.1, "decay_steps": 1.0, "decay_rate": 0.5}
    bad_rate_hint = "a negative decay_rate brings 1 + decay_rate * step / decay_steps to zero or below"

    initial_learning_rate: float = arg("Learning rate at step 0.")
    decay_steps: float = arg("Steps per unit of decay; the stair width with --staircase.")
    decay_rate: float = arg("How fast the rate falls: lr0 / (1 + rate * step / decay_steps).")
    staircase: bool = arg("Drop in whole stairs: floor(step / decay_steps).", default=False)

    def validate(self) -> None:
        for name in ("initial_learning_rate", "decay_steps", "decay_rate"):
            require_finite(name, getattr(self, name))
        if not isinstance(self.staircase, bool):
            raise ScheduleError("staircase", f"must be true or false, not {self.staircase!r}")
        if self.decay_steps <= 0:
            raise ScheduleError("decay_steps", f"must be > 0, not {self.decay_steps!r}")
        if self.initial_learning_rate < 0:
            raise ScheduleError(
                "initial_learning_rate", f"must be >= 0, not {self.initial_learning_rate!r}"
            )

    def suggested_steps(self) -> int:
        return max(10, min(10**7, math.ceil(10 * self.decay_steps)))

    def _progress(self, steps: np.ndarray) -> np.ndarray:
        import numpy as np

        p = steps.astype(np.float32) / np.float32(self.decay_steps)
        return np.floor(p) if self.staircase else p

    def _denominator(self, steps: np.ndarray) -> np.ndarray:
        import numpy as np

        return np.float32(1) + np.float32(self.decay_rate) * self._progress(steps)

    def evaluate_numpy(self, steps: np.ndarray) -> np.ndarray:
        import numpy as np

        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.float32(self.initial_learning_rate) / self._denominator(steps)

    def edges(self, lo: int, hi: int, limit: int) -> list[int]:
        if not self.staircase or self.decay_rate == 0:
            return []
        return segment_starts(self._progress, lo, hi, limit)

    def first_bad_step(self, steps: Sequence[int]) -> int | None:
        # Only a negative rate can bring the denominator to zero or below; as the step grows the
        # denominator only falls, so the bad steps are a tail of the (sorted) steps.
        if self.decay_rate >= 0:
            return None
        return first_true(steps, lambda s: ~(self._denominator(s) > 0))
