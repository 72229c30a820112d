"""Keras's ``InverseTimeDecay``: ``lr0 / (1 + decay_rate * step / decay_steps)``."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from lrtool.schedules import kmath as km
from lrtool.schedules.params import arg
from lrtool.schedules.stepdecay import StepDecay, crosses_wrap
from lrtool.shape import Bad

if TYPE_CHECKING:
    import numpy as np

    from lrtool.schedules.kmath import Mode


@dataclasses.dataclass(frozen=True)
class InverseTimeDecay(StepDecay):
    """The learning rate falls as 1/t; with ``staircase`` it drops only every ``decay_steps``.

    Example:
        InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5) gives 0.1, 0.06666667, 0.05, ...

    With an int ``initial_learning_rate`` Keras casts ``decay_steps``, ``decay_rate`` and the step
    to int32 and returns float64: ``InverseTimeDecay(1, 3, 2)`` gives 1.0, 0.6000000000000001,
    ...; ``InverseTimeDecay(1, 3.5, 0.5)`` is 1.0 at every step (0.5 truncates to 0).
    """

    keras_name = "InverseTimeDecay"
    example = {"initial_learning_rate": 0.1, "decay_steps": 1.0, "decay_rate": 0.5}
    bad_rate_hint = ("a negative decay_rate brings 1 + decay_rate * step / decay_steps to zero or"
                     " below; a tiny decay_steps overflows float32 (0 * inf is nan)")

    zero_rate_effect = "so the rate never changes"
    neutral_rate = 0.0

    # Redeclared for their help texts: these are the CLI's options.
    decay_steps: float = arg("Steps per unit of decay; the stair width with --staircase.",
                             typical=(0.5, 3000.0), scale="log", ints=True)
    decay_rate: float = arg("How fast the rate falls: lr0 / (1 + rate * step / decay_steps).",
                            typical=(0.0, 10.0))
    staircase: bool = arg("Drop in whole stairs: floor(step / decay_steps).", default=False)

    def formula(self, steps: np.ndarray, mode: Mode = "graph") -> np.ndarray:
        """``lr / (1 + rate * p)``; in a graph the constants fold: ``1 + step * (rate / ds)``
        (continuous) or ``1 + rate * floor(step * (1 / ds))`` (staircase)."""
        import numpy as np

        x = self.step(steps)
        t = x.dtype.type
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if mode == "eager" or self.staircase:
                denominator = t(1) + t(self.rate()) * self.progress(steps, mode)
            else:
                denominator = t(1) + x * (t(self.rate()) * (t(1) / t(self.decay_steps_value())))
            lr = km.f32(self.initial_learning_rate) if t is np.float32 else np.float64(
                self.initial_learning_rate)
            return km.ftz(lr / denominator)

    def bad_rates(self, lo: int, hi: int) -> Bad:
        """Only a negative rate brings the denominator to zero or below; as the step grows the
        denominator only falls, so the bad steps are a tail (unless the int32 step wraps)."""
        if crosses_wrap(self, hi):
            return "any"
        if self.rate() < 0:
            return "tail"
        # A tiny decay_steps overflows float32: rate / ds is inf, and 0 * inf is nan at step 0
        # (a graph), or rate 0 times an inf step / ds is nan further on (eager). Rare: check.
        if not self.int_rate and km.may_overflow(hi, self.decay_steps_value(), self.rate()):
            return "stretch"
        return "never"
