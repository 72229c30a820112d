"""Keras's ``ExponentialDecay``: ``lr0 * decay_rate ** (step / decay_steps)``."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from lrtool.schedules import kmath as km
from lrtool.schedules.params import arg, require_number
from lrtool.schedules.stepdecay import StepDecay, crosses_wrap
from lrtool.shape import Bad
from lrtool.shape.search import first_step_where

if TYPE_CHECKING:
    import numpy as np

    from lrtool.schedules.kmath import Mode


@dataclasses.dataclass(frozen=True)
class ExponentialDecay(StepDecay):
    """The rate is multiplied by ``decay_rate`` every ``decay_steps`` steps, smoothly or in stairs.

    Example:
        ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)

    With a float ``initial_learning_rate`` Keras computes in float32. With an int one it casts
    ``decay_steps``, ``decay_rate`` and the step to int32 (so ``decay_rate=0.5`` becomes 0, and
    the rate is 0 from step 1 on) and returns float64.
    """

    keras_name = "ExponentialDecay"
    example = {"initial_learning_rate": 0.1, "decay_steps": 100000, "decay_rate": 0.96,
               "staircase": True}
    bad_rate_hint = "a decay_rate above 1 grows the rate until it overflows to inf"

    zero_rate_effect = "so the rate is 0 from step 1 on"
    neutral_rate = 1.0

    decay_steps: float = arg("Steps per factor of decay_rate; the stair width with staircase.",
                             typical=(0.5, 3000.0), scale="log", ints=True)
    decay_rate: float = arg("Factor applied per decay_steps: lr0 * rate ** (step / decay_steps).",
                            typical=(0.0, 1.5))

    def validate(self) -> None:
        super().validate()
        # A negative base to a fractional power is nan: no schedule at all.
        require_number("decay_rate", self.decay_rate, minimum=0)

    def formula(self, steps: np.ndarray, mode: Mode = "graph") -> np.ndarray:
        import numpy as np

        p = self.progress(steps, mode)
        if self.int_rate:
            factor = km.power(km.to_int32(self.decay_rate), p, np.float64)
            lr = np.float64(self.initial_learning_rate)
        else:
            factor = km.power(km.f32(self.decay_rate), p, np.float32)
            lr = km.f32(self.initial_learning_rate)
        with np.errstate(invalid="ignore", over="ignore"):
            return km.ftz(lr * factor)

    def last_moving_step(self, lo: int, hi: int, mode: Mode = "graph") -> int:
        """Once the rate underflows to 0 the stairs no longer move: search only up to there."""
        if self.rate() >= 1:
            return hi
        zero = first_step_where(lambda s: self.formula(s, mode) == 0, lo, hi)
        return hi if zero is None else zero

    def bad_rates(self, lo: int, hi: int) -> Bad:
        """Falling from a usable start, the rate never goes below zero; -0.0 gives -0.0 at odd
        powers, scattered; growing, once it overflows to inf it stays there."""
        rate = self.rate()
        if crosses_wrap(self, hi):
            return "any"
        if rate <= 1:
            return "never" if km.nonnegative(rate) else "any"
        return "tail"
