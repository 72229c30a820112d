"""Keras's ``ExponentialDecay``: ``lr0 * decay_rate ** (step / decay_steps)``."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lrtool.schedules import _kmath as km
from lrtool.schedules._search import WRAP, first_step_where, first_true
from lrtool.schedules._step_decay import StepDecay
from lrtool.schedules.base import arg

if TYPE_CHECKING:
    import numpy as np


@dataclasses.dataclass(frozen=True)
class ExponentialDecay(StepDecay):
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

    zero_rate_effect = "so the rate is 0 from step 1 on"
    neutral_rate = 1.0

    decay_steps: float = arg("Steps per factor of decay_rate; the stair width with staircase.")
    decay_rate: float = arg("Factor applied per decay_steps: lr0 * rate ** (step / decay_steps).")

    def validate(self) -> None:
        super().validate()
        # A negative base to a fractional power is nan: no schedule at all.
        km.require_number("decay_rate", self.decay_rate, minimum=0)

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

    def _last_moving_step(self, lo: int, hi: int) -> int:
        if self._rate() >= 1:
            return hi
        # Once the rate underflows to 0 the stairs no longer move: search only up to there.
        zero = first_step_where(lambda s: self.evaluate_numpy(s) == 0, lo, hi)
        return hi if zero is None else zero

    def first_bad_step(self, steps: Sequence[int]) -> int | None:
        from lrtool.backends.numpy_backend import first_bad_by_evaluation, is_bad

        if self.int_rate and len(steps) and steps[-1] >= WRAP:
            return first_bad_by_evaluation(self, steps)  # wrapped steps: no monotone order
        rate = self._rate()
        if rate <= 1 and km.nonnegative(rate):
            return None  # the rate only falls from a usable start, and never below zero
        if rate <= 1:  # -0.0: the odd powers give -0.0
            return first_bad_by_evaluation(self, steps)
        # Growing: once it overflows to inf it stays there.
        return first_true(steps, lambda s: is_bad(self.evaluate_numpy(s)))
