"""What InverseTimeDecay and ExponentialDecay share: Keras gives them the same four arguments
and the same progress ``p = step / decay_steps`` (floored with ``staircase``), with the same
int32 casts when the initial rate is an int. Each subclass adds only its formula in ``p``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, ClassVar

from lrtool.schedules import _kmath as km
from lrtool.schedules._search import (
    WRAP, count_with_wrap, edges_with_wrap, segment_count, segment_starts, where_value_changes,
)
from lrtool.schedules.base import Schedule, ScheduleError, arg, number_text

if TYPE_CHECKING:
    import numpy as np


@dataclasses.dataclass(frozen=True)
class StepDecay(Schedule):
    """Base of the schedules of ``(initial_learning_rate, decay_steps, decay_rate, staircase)``."""

    #: What an int32 decay_rate of 0 does to the schedule, for the integer-rate warning.
    zero_rate_effect: ClassVar[str] = ""
    #: The decay_rate that leaves the rate unchanged (0 for 1/t, 1 for exponential).
    neutral_rate: ClassVar[float] = 0.0

    initial_learning_rate: float = arg("Learning rate at step 0.")
    decay_steps: float = arg("Steps per unit of decay; the stair width with staircase.")
    decay_rate: float = arg("How fast the rate falls.")
    staircase: bool = arg("Decay in whole stairs: floor(step / decay_steps).", default=False)

    def validate(self) -> None:
        km.require_number("initial_learning_rate", self.initial_learning_rate, minimum=0)
        km.require_number("decay_steps", self.decay_steps, positive=True)
        km.require_number("decay_rate", self.decay_rate)
        km.require_bool("staircase", self.staircase)
        if self.int_rate:
            for name in ("initial_learning_rate", "decay_steps", "decay_rate"):
                km.require_int32(name, getattr(self, name), km.INT_RATE)
            if km.to_int32(self.decay_steps) <= 0:
                raise ScheduleError("decay_steps", f"{self.decay_steps!r} becomes 0 as an int32,"
                                    f" {km.INT_RATE}: every step would divide by zero")

    def value_dtype(self) -> str:
        return "float64" if self.int_rate else "float32"

    def suggested_steps(self) -> int:
        return max(10, min(10**7, math.ceil(10 * self.decay_steps)))

    def _progress(self, steps: np.ndarray) -> np.ndarray:
        import numpy as np

        if self.int_rate:  # int32 / int32 is a float64 division in TensorFlow
            p = km.wrap_int32(steps).astype(np.float64) / np.float64(km.to_int32(self.decay_steps))
        else:
            p = steps.astype(np.float32) / km.f32(self.decay_steps)
        return np.floor(p) if self.staircase else p

    def _rate(self) -> float:
        """decay_rate as Keras uses it: float32, or truncated to int32 with an int rate."""
        return km.to_int32(self.decay_rate) if self.int_rate else float(km.f32(self.decay_rate))

    def edges(self, lo: int, hi: int, limit: int) -> list[int]:
        """Where the staircase's value changes in [lo, hi]: its floors, less the ones that
        change nothing. The continuous schedule is monotone: no edges."""
        if not self.staircase or self._rate() == self.neutral_rate:
            return []
        hi = self._last_moving_step(lo, hi)
        found = edges_with_wrap(self.int_rate,
                                lambda a, b, n: segment_starts(self._progress, a, b, n),
                                lo, hi, limit)
        return where_value_changes(found, self.evaluate_numpy)

    def edge_count(self, lo: int, hi: int) -> int:
        """The stairs in [lo, hi] (two evaluations); none for the continuous schedule."""
        if not self.staircase or self._rate() == self.neutral_rate:
            return 0
        return count_with_wrap(self.int_rate, lambda a, b: segment_count(self._progress, a, b),
                               lo, hi)

    def monotone(self, lo: int, hi: int) -> bool:
        """Both formulas are monotone in p for a rate of at least 0, and p never falls from
        step 0 on, unless an int32 step wraps: stairs then all go the same way."""
        return lo >= 0 and km.nonnegative(self._rate()) and not (self.int_rate and hi >= WRAP)

    def _last_moving_step(self, lo: int, hi: int) -> int:
        """Where to stop looking for stairs: past it the value no longer changes."""
        return hi

    def surprises(self, first: int, last: int) -> list[str]:
        notes = []
        if self.int_rate:
            rate, ds = km.to_int32(self.decay_rate), km.to_int32(self.decay_steps)
            notes.append(
                f"initial_learning_rate is the integer {self.initial_learning_rate}: Keras casts"
                f" decay_steps and decay_rate to int32 ({ds} and {rate}) and returns float64"
                + (f", {self.zero_rate_effect}" if rate == 0 else "")
                + f"; write it as a float, e.g. {float(self.initial_learning_rate)!r}")
        if self._rate() != self.neutral_rate and last < self.decay_steps:
            notes.append(f"decay_steps ({number_text(self.decay_steps)}) is beyond the last step shown"
                         f" ({last}): " + ("the staircase never drops" if self.staircase
                                           else self.change_text(first, last)))
        return notes
