"""Keras's ``InverseTimeDecay``: ``lr0 / (1 + decay_rate * step / decay_steps)``."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lrtool.schedules import _kmath as km
from lrtool.schedules._search import (
    WRAP, edges_with_wrap, first_true, segment_starts, where_value_changes,
)
from lrtool.schedules.base import Schedule, ScheduleError, arg, number_text

if TYPE_CHECKING:
    import numpy as np


@dataclasses.dataclass(frozen=True)
class InverseTimeDecay(Schedule):
    """The learning rate falls as 1/t; with ``staircase`` it drops only every ``decay_steps``.

    Example:
        InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5) gives 0.1, 0.06666667, 0.05, ...

    With an int ``initial_learning_rate`` Keras casts ``decay_steps``, ``decay_rate`` and the step
    to int32 and returns float64: ``InverseTimeDecay(1, 3, 2)`` gives 1.0, 0.6000000000000001,
    ...; ``InverseTimeDecay(1, 3.5, 0.5)`` is 1.0 at every step (0.5 truncates to 0). Both
    backends agree bit for bit: the schedule is IEEE division and multiply-add.
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
            km.require_number(name, getattr(self, name))
        km.require_bool("staircase", self.staircase)
        if self.decay_steps <= 0:
            raise ScheduleError("decay_steps", f"must be > 0, not {self.decay_steps!r}")
        if self.initial_learning_rate < 0:
            raise ScheduleError(
                "initial_learning_rate", f"must be >= 0, not {self.initial_learning_rate!r}"
            )
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
        return km.to_int32(self.decay_rate) if self.int_rate else float(km.f32(self.decay_rate))

    def _denominator(self, steps: np.ndarray) -> np.ndarray:
        p = self._progress(steps)
        return p.dtype.type(1) + p.dtype.type(self._rate()) * p

    def evaluate_numpy(self, steps: np.ndarray) -> np.ndarray:
        import numpy as np

        denominator = self._denominator(steps)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            lr = km.f32(self.initial_learning_rate) if denominator.dtype == np.float32 else np.float64(
                self.initial_learning_rate)
            return km.ftz(lr / denominator)

    def edges(self, lo: int, hi: int, limit: int) -> list[int]:
        if not self.staircase or self._rate() == 0:
            return []
        if self.int_rate and hi >= WRAP:
            found = edges_with_wrap(lambda a, b, n: segment_starts(self._progress, a, b, n),
                                    lo, hi, limit)
        else:
            found = segment_starts(self._progress, lo, hi, limit)
        return where_value_changes(found, self.evaluate_numpy)

    def first_bad_step(self, steps: Sequence[int]) -> int | None:
        if self.int_rate and len(steps) and steps[-1] >= WRAP:
            from lrtool.backends.numpy_backend import first_bad_by_evaluation

            return first_bad_by_evaluation(self, steps)  # the step wraps to negative values
        # Only a negative rate can bring the denominator to zero or below; as the step grows the
        # denominator only falls, so the bad steps are a tail of the (sorted) steps.
        if self._rate() >= 0:
            return None
        return first_true(steps, lambda s: ~(self._denominator(s) > 0))

    def surprises(self, first: int, last: int) -> list[str]:
        notes = []
        if self.int_rate:
            rate, ds = km.to_int32(self.decay_rate), km.to_int32(self.decay_steps)
            notes.append(
                f"initial_learning_rate is the integer {self.initial_learning_rate}: Keras casts"
                f" decay_steps and decay_rate to int32 ({ds} and {rate}) and returns float64"
                + (", so the rate never changes" if rate == 0 else "")
                + f"; write it as a float, e.g. {float(self.initial_learning_rate)!r}")
        if self._rate() != 0 and last < self.decay_steps:
            notes.append(f"decay_steps ({number_text(self.decay_steps)}) is beyond the last step shown"
                         f" ({last}): " + ("the staircase never drops" if self.staircase
                                           else self.change_text(first, last)))
        return notes
