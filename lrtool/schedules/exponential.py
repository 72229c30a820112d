"""Keras's ``ExponentialDecay``: ``lr0 * decay_rate ** (step / decay_steps)``."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lrtool.schedules import _kmath as km
from lrtool.schedules._search import (
    WRAP, edges_with_wrap, first_step_where, first_true, segment_starts, where_value_changes,
)
from lrtool.schedules.base import Schedule, ScheduleError, arg, number_text

if TYPE_CHECKING:
    import numpy as np


@dataclasses.dataclass(frozen=True)
class ExponentialDecay(Schedule):
    """The rate is multiplied by ``decay_rate`` every ``decay_steps`` steps, smoothly or in stairs.

    Example:
        ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)

    With a float ``initial_learning_rate`` Keras computes in float32. With an int one it casts
    ``decay_steps``, ``decay_rate`` and the step to int32 (so ``decay_rate=0.5`` becomes 0, and
    the rate is 0 from step 1 on) and returns float64. ``tf.pow`` is not bit-identical between
    TensorFlow's scalar and vectorized kernels: the NumPy path follows the scalar call to within
    an ulp, the TensorFlow backend reports TensorFlow's vectorized values (a few ulp apart).
    """

    keras_name = "ExponentialDecay"
    example = {"initial_learning_rate": 0.1, "decay_steps": 100000, "decay_rate": 0.96,
               "staircase": True}
    bad_rate_hint = "a decay_rate above 1 grows the rate until it overflows to inf"

    initial_learning_rate: float = arg("Learning rate at step 0.")
    decay_steps: float = arg("Steps per factor of decay_rate; the stair width with staircase.")
    decay_rate: float = arg("Factor applied per decay_steps: lr0 * rate ** (step / decay_steps).")
    staircase: bool = arg("Decay in whole stairs: floor(step / decay_steps).", default=False)

    def validate(self) -> None:
        km.require_number("initial_learning_rate", self.initial_learning_rate, minimum=0)
        km.require_number("decay_steps", self.decay_steps, positive=True)
        # A negative base to a fractional power is nan: no schedule at all.
        km.require_number("decay_rate", self.decay_rate, minimum=0)
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

    def evaluate_numpy(self, steps: np.ndarray) -> np.ndarray:
        import numpy as np

        p = self._progress(steps)
        if self.int_rate:
            factor = km.power(km.to_int32(self.decay_rate), p, np.float64)
            lr = np.float64(self.initial_learning_rate)
        else:
            factor = km.power(km.f32(self.decay_rate), p, np.float32)
            lr = km.f32(self.initial_learning_rate)
        with np.errstate(invalid="ignore", over="ignore"):
            return km.ftz(lr * factor)

    def edges(self, lo: int, hi: int, limit: int) -> list[int]:
        if not self.staircase or self._effective_rate() == 1:
            return []
        if self._effective_rate() < 1:
            # Once the rate underflows to 0 the stairs no longer move: search only up to there.
            zero = first_step_where(lambda s: self.evaluate_numpy(s) == 0, lo, hi)
            hi = hi if zero is None else zero
        if self.int_rate and hi >= WRAP:
            found = edges_with_wrap(lambda a, b, n: segment_starts(self._progress, a, b, n),
                                    lo, hi, limit)
        else:
            found = segment_starts(self._progress, lo, hi, limit)
        return where_value_changes(found, self.evaluate_numpy)

    def _effective_rate(self) -> float:
        return km.to_int32(self.decay_rate) if self.int_rate else float(km.f32(self.decay_rate))

    def first_bad_step(self, steps: Sequence[int]) -> int | None:
        from lrtool.backends.numpy_backend import first_bad_by_evaluation, is_bad

        if self.int_rate and len(steps) and steps[-1] >= WRAP:
            return first_bad_by_evaluation(self, steps)  # wrapped steps: no monotone order
        rate = self._effective_rate()
        if rate <= 1 and km.nonnegative(rate):
            return None  # the rate only falls from a usable start, and never below zero
        if rate <= 1:  # -0.0: the odd powers give -0.0
            return first_bad_by_evaluation(self, steps)
        # Growing: once it overflows to inf it stays there.
        return first_true(steps, lambda s: is_bad(self.evaluate_numpy(s)))

    def surprises(self, first: int, last: int) -> list[str]:
        notes = []
        if self.int_rate:
            rate = km.to_int32(self.decay_rate)
            ds = km.to_int32(self.decay_steps)
            note = (f"initial_learning_rate is the integer {self.initial_learning_rate}: Keras casts"
                    f" decay_steps and decay_rate to int32 ({ds} and {rate}) and returns float64")
            if rate == 0:
                note += ", so the rate is 0 from step 1 on"
            notes.append(note + "; write it as a float, e.g. "
                         f"{float(self.initial_learning_rate)!r}")
        if self.decay_rate != 1 and last < self.decay_steps:
            notes.append(f"decay_steps ({number_text(self.decay_steps)}) is beyond the last step shown"
                         f" ({last}): " + ("the staircase never drops" if self.staircase
                                           else self.change_text(first, last)))
        return notes
