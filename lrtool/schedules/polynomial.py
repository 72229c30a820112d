"""Keras's ``PolynomialDecay``: ``(lr0 - end) * (1 - step / decay_steps) ** power + end``."""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import TYPE_CHECKING, Any

from lrtool.schedules import kmath as km
from lrtool.schedules.base import Milestone, Schedule
from lrtool.schedules.params import (
    ScheduleError, arg, number_text, require_bool, require_int32, require_int32_steps,
    require_number,
)
from lrtool.schedules.stepdecay import crosses_wrap
from lrtool.shape import Bad, Segments, Shape, Turns
from lrtool.shape.search import WRAP, first_step_where

if TYPE_CHECKING:
    import numpy as np

    from lrtool.schedules.kmath import Mode


@dataclasses.dataclass(frozen=True)
class PolynomialDecay(Schedule):
    """The rate falls along a polynomial to ``end_learning_rate`` at ``decay_steps``, then stays.

    Example:
        PolynomialDecay(0.1, 10000, end_learning_rate=0.01, power=0.5)

    With ``cycle`` the decay restarts at step ``k * decay_steps + 1`` over a horizon stretched to
    the next multiple of ``decay_steps``, so each restart rises less than the one before (Keras's
    formula, not a sawtooth); and where float32 rounds ``step / decay_steps`` down onto a whole
    number Keras computes ``1 - p < 0``, which gives nan or a negative rate at scattered steps,
    found by ``first_bad_step``. With an int ``initial_learning_rate`` Keras casts the other
    arguments to int32 (``power=0.5`` becomes 0: a constant rate) and returns float32, or float64
    with ``cycle``. ``tf.pow`` differs by a few ulp between TensorFlow's scalar and vectorized
    kernels; the NumPy path follows the scalar call, the TensorFlow backend reports the vectorized
    values.
    """

    keras_name = "PolynomialDecay"
    example = {"initial_learning_rate": 0.1, "decay_steps": 10000, "end_learning_rate": 0.01,
               "power": 0.5}
    bad_rate_hint = ("a negative end_learning_rate or power makes the rate negative or infinite"
                     " near the end of the decay")

    initial_learning_rate: float = arg("Learning rate at step 0.", typical=(1e-4, 10.0),
                                       scale="log", ints=True)
    decay_steps: float = arg("Steps to reach end_learning_rate (one cycle with cycle).",
                             typical=(0.5, 3000.0), scale="log", ints=True)
    end_learning_rate: float = arg("Rate at decay_steps and after.", default=0.0001,
                                   typical=(0.0, 1.0))
    power: float = arg("Power of the polynomial: 1 is linear, 0.5 a square root.", default=1.0,
                       typical=(0.0, 3.0))
    cycle: bool = arg("Restart the decay after each multiple of decay_steps.", default=False)

    def validate(self) -> None:
        require_number("initial_learning_rate", self.initial_learning_rate, minimum=0)
        require_number("decay_steps", self.decay_steps, positive=True)
        require_number("end_learning_rate", self.end_learning_rate)
        require_number("power", self.power)
        require_bool("cycle", self.cycle)
        if self.int_rate:
            for name in ("initial_learning_rate", "decay_steps", "end_learning_rate", "power"):
                require_int32(name, getattr(self, name))
            require_int32_steps("decay_steps", self.decay_steps)
            if self.cycle and isinstance(self.decay_steps, float):
                raise ScheduleError("decay_steps", "Keras fails dividing the int32 step by a float"
                                    " decay_steps under an integer initial_learning_rate with cycle:"
                                    " write initial_learning_rate as a float",
                                repair={"initial_learning_rate": float(self.initial_learning_rate)})

    def value_dtype(self) -> str:
        return "float64" if self.int_rate and self.cycle else "float32"

    def suggested_steps(self) -> int:
        horizon = self.decay_steps * (3 if self.cycle else 1.25)
        return max(10, min(10**9, math.ceil(horizon) + 1))

    def dtype(self) -> Any:
        import numpy as np

        return np.float64 if self.int_rate and self.cycle else np.float32

    def constants(self) -> tuple[Any, Any, Any, Any]:
        """lr0 - end, end, power and decay_steps, as the tensors Keras computes with."""
        import numpy as np

        if not self.int_rate:
            lr, end = km.f32(self.initial_learning_rate), km.f32(self.end_learning_rate)
            return lr - end, end, km.f32(self.power), km.f32(self.decay_steps)
        lr, end, power, ds = (km.to_int32(getattr(self, n)) for n in
                              ("initial_learning_rate", "end_learning_rate", "power", "decay_steps"))
        t = self.dtype()
        return t(np.int32(lr) - np.int32(end)), t(end), t(power), t(ds)

    def step(self, steps: np.ndarray) -> np.ndarray:
        import numpy as np

        if self.int_rate:
            return km.wrap_int32(steps).astype(self.dtype())
        return steps.astype(np.float32)

    def multiplier(self, steps: np.ndarray, mode: Mode = "graph") -> np.ndarray:
        """Which cycle a step is in: ceil(step / decay_steps), 1 at step 0."""
        import numpy as np

        g = self.step(steps)
        with np.errstate(over="ignore"):
            q = km.divide(g, self.constants()[3], mode)
        return np.where(g == 0, g.dtype.type(1), np.ceil(q))

    def formula(self, steps: np.ndarray, mode: Mode = "graph") -> np.ndarray:
        """``(lr0 - end) * (1 - p) ** power + end``; in a graph ``p`` multiplies by ``1 / ds``
        (without cycle), the power is rewritten (``kmath.graph_power``), and a cube folds its
        constant: ``(b * b) * ((lr0 - end) * b)``."""
        import numpy as np

        delta, end, power, ds = self.constants()
        g = self.step(steps)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if self.cycle:
                p = g / (ds * self.multiplier(steps, mode))
            else:
                p = km.divide(np.minimum(g, ds), ds, mode)
            base = p.dtype.type(1) - p
            if mode != "eager" and power == 3:
                return km.ftz(km.ftz(km.ftz(base * base) * km.ftz(delta * base)) + end)
            return km.ftz(km.ftz(delta * km.graph_power(base, power, mode)) + end)

    def decay_end(self, lo: int, hi: int) -> list[int]:
        """The first step of the constant tail (step >= decay_steps), when it lies in (lo, hi]."""
        ds = self.constants()[3]
        end = first_step_where(lambda s: self.step(s) >= ds, lo, hi)
        return [] if end is None else [end]

    def shape(self, mode: Mode = "graph") -> Shape:
        """Without cycle, one polynomial down to its end, then constant. With cycle, restarts
        where the cycle number steps, each cycle falling (or rising) the same way."""
        if self.cycle:
            edges: Segments | Turns = Segments(functools.partial(self.multiplier, mode=mode))
        else:
            edges = Turns(self.decay_end)
        return Shape(edges, monotone=not self.cycle, bad=self.bad_rates, wraps=self.int_rate)

    def bad_rates(self, lo: int, hi: int) -> Bad:
        """Between lr0 and end_learning_rate, both usable, at every step; except that with
        cycle, float32 can round step / decay_steps down onto a whole number, making 1 - p
        slightly negative: nan for a fractional power, a negative rate otherwise, at scattered
        steps Keras really gives (e.g. step 27109 of decay_steps=1.0502479...)."""
        _, end, power, _ = self.constants()
        usable_ends = km.nonnegative(end) and power >= 0
        if self.cycle and not (usable_ends and self.cycle_is_exact(hi)):
            return "any"
        if crosses_wrap(self, hi):
            return "any"
        return "never" if usable_ends else "stretch"

    def cycle_is_exact(self, last: int) -> bool:
        """Whether p <= 1 at every cycle step up to ``last``, so 1 - p never goes negative.

        With a whole decay_steps and steps below 2**24 (exact in float32), step / decay_steps is
        either a whole number k (and then decay_steps * k is the step itself) or at least
        1 / decay_steps away from one, more than float32 rounds off there.
        """
        if self.int_rate:  # float64 throughout: steps below 2**31 are exact as well
            return last < WRAP and isinstance(self.decay_steps, int)
        ds = float(km.f32(self.decay_steps))
        return ds.is_integer() and last < 2**24

    def milestones(self, last: int) -> list[Milestone]:
        """The end of the decay: a run of decay_steps steps ends a step short of it, as set up."""
        if self.cycle:
            return []
        return [Milestone(f"decay_steps ({number_text(self.decay_steps)})",
                          math.ceil(self.decay_steps) - 1,
                          "the rate never reaches end_learning_rate")]

    def surprises(self, first: int, last: int) -> list[str]:
        notes = []
        if self.int_rate:
            _, end, power, ds = self.constants()
            notes.append(
                f"initial_learning_rate is the integer {self.initial_learning_rate}: Keras casts"
                f" decay_steps, end_learning_rate and power to int32 ({ds:g}, {end:g} and"
                f" {power:g}) and returns {self.value_dtype()}"
                + (", so the rate never changes" if power == 0 else "")
                + f"; write it as a float, e.g. {float(self.initial_learning_rate)!r}")
        if self.cycle and last > self.decay_steps:
            notes.append("with cycle, each restart rises less than the one before: Keras stretches"
                         " the decay to the next multiple of decay_steps")
        return notes
