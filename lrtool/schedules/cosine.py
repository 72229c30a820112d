"""Keras's ``CosineDecay``: an optional linear warmup, then a half cosine down to ``alpha``."""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any

from lrtool.schedules import kmath as km
from lrtool.schedules.base import Milestone, Schedule
from lrtool.schedules.params import (
    ScheduleError, arg, number_text, require_int32_steps, require_number,
)
from lrtool.shape import Shape, Turns
from lrtool.shape.search import first_step_where

if TYPE_CHECKING:
    import numpy as np

    from lrtool.schedules.kmath import Mode


@dataclasses.dataclass(frozen=True)
class CosineDecay(Schedule):
    """Warm up linearly to ``warmup_target``, then follow half a cosine to ``alpha`` times it.

    Example:
        CosineDecay(0.0, 1000, warmup_target=0.1, warmup_steps=1000)

    (Keras's documentation writes ``initial_learning_rate = 0``; as an int that makes Keras fail
    at every warmup step, hence 0.0.) Keras's ``__call__`` picks warmup or decay with a scalar
    ``ops.cond``. With an int ``initial_learning_rate`` Keras computes in int32 with pi cast to
    3, so the rate ends near 0.005 * lr, not at alpha; with a ``warmup_target`` as well Keras
    fails (int32 times float64), so lrtool refuses it.
    """

    keras_name = "CosineDecay"
    example = {"initial_learning_rate": 0.0, "decay_steps": 1000, "warmup_target": 0.1,
               "warmup_steps": 1000}
    bad_rate_hint = "a negative alpha or warmup_target makes the rate negative"
    keras_signature = ("initial_learning_rate", "decay_steps", "alpha", "name", "warmup_target",
                       "warmup_steps")

    initial_learning_rate: float = arg("Learning rate at step 0.", typical=(1e-4, 10.0),
                                       scale="log", ints=True)
    decay_steps: float = arg("Steps of the cosine decay (after the warmup).",
                             typical=(0.5, 3000.0), scale="log", ints=True)
    alpha: float = arg("Final rate as a fraction of the decay's starting rate.", default=0.0,
                       typical=(0.0, 1.0))
    warmup_target: float | None = arg("Rate the warmup reaches; none: no warmup.", default=None,
                                      typical=(1e-4, 10.0), scale="log")
    warmup_steps: float = arg("Steps of linear warmup to warmup_target.", default=0,
                              typical=(0.0, 3000.0), ints=True)

    def validate(self) -> None:
        require_number("initial_learning_rate", self.initial_learning_rate, minimum=0)
        require_number("decay_steps", self.decay_steps, positive=True)
        require_number("alpha", self.alpha)
        if self.warmup_target is not None:
            require_number("warmup_target", self.warmup_target)
        require_number("warmup_steps", self.warmup_steps, minimum=0)
        if not self.int_rate:
            return
        require_int32_steps("decay_steps", self.decay_steps)
        if self.warmup_target is not None:
            # Keras's warmup branch multiplies int32 by float64 and fails: at every warmup step,
            # and with warmup_steps 0 at every step from 2**31 on (the int32 step wraps).
            raise ScheduleError("initial_learning_rate", "is an integer, and with warmup_target"
                                " Keras then fails in its warmup (int32 times float64): write it"
                                f" as a float, e.g. {float(self.initial_learning_rate)!r}",
                                repair={"initial_learning_rate": float(self.initial_learning_rate)})

    def suggested_steps(self) -> int:
        warmup = self.warmup_steps if self.warmup_target is not None else 0
        return max(10, min(10**9, math.ceil(warmup + 1.25 * self.decay_steps) + 1))

    def constants(self) -> dict[str, Any]:
        """The tensors ``__call__`` builds, as NumPy scalars of Keras's dtype."""
        import numpy as np

        if self.int_rate:  # never with a warmup_target (validate refuses it)
            return {"lr": np.int32(self.initial_learning_rate),
                    "ds": np.int32(km.to_int32(self.decay_steps)), "pi": np.float32(3)}
        c = {"lr": km.f32(self.initial_learning_rate), "ds": km.f32(self.decay_steps),
             "pi": km.f32(math.pi)}
        if self.warmup_target is not None:
            c["wt"], c["ws"] = km.f32(self.warmup_target), km.f32(self.warmup_steps)
        return c

    def step(self, steps: np.ndarray) -> np.ndarray:
        """The step as Keras casts it: int32 under an int rate, else float32."""
        import numpy as np

        return km.wrap_int32(steps) if self.int_rate else steps.astype(np.float32)

    def decay(self, step: np.ndarray, ds: Any, base: Any, pi: Any, folded: bool) -> np.ndarray:
        """The half cosine from ``base``; ``folded``: the graph's ``step * (pi / ds)`` rather
        than ``pi * (step / ds)``."""
        import numpy as np

        f = np.float32
        x = step.astype(f)  # int32 / int32 is a float32 division in ops.divide
        arg = x * (f(pi) * (f(1) / f(ds))) if folded else f(pi) * (x / f(ds))
        cosine = f(0.5) * (f(1) + km.cos(arg))
        decayed = f(1 - self.alpha) * cosine + km.f32(self.alpha)
        return km.ftz(f(base) * decayed)

    def formula(self, steps: np.ndarray, mode: Mode = "graph") -> np.ndarray:
        """Warmup or decay. In a graph the decay's constants fold (``decay``), except behind
        the warmup's ``cond``, whose branches keep their operations as written."""
        import numpy as np

        c, g = self.constants(), self.step(steps)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if self.warmup_target is None:
                return self.decay(np.minimum(g, c["ds"]), c["ds"], c["lr"], c["pi"],
                                  mode != "eager")
            g = np.minimum(g, c["ds"] + c["ws"])
            decay = self.decay(g - c["ws"], c["ds"], c["wt"], c["pi"], False)
            warming = g < c["ws"]
            if not warming.any():
                return decay
            warmup = km.ftz(km.ftz((c["wt"] - c["lr"]) * (g / c["ws"])) + c["lr"])
            return np.where(warming, warmup, decay)

    def shape(self, mode: Mode = "graph") -> Shape:
        """Two turns: the warmup's peak and the end of the decay. Between them and around
        them the rate is monotone, and it stays between usable rates unless alpha or
        warmup_target is negative."""
        usable = km.nonnegative(self.alpha) and km.nonnegative(self.constants().get("wt", 0))
        return Shape(Turns(self.turns), bad="never" if usable else "stretch", wraps=self.int_rate)

    def turns(self, lo: int, hi: int) -> list[int]:
        """The warmup peak (first decay step) and the decay end (first constant step)."""
        c = self.constants()
        points = []
        if self.warmup_target is not None:
            points.append(first_step_where(lambda s: self.step(s) >= c["ws"], lo, hi))
            points.append(first_step_where(lambda s: self.step(s) >= c["ds"] + c["ws"], lo, hi))
        else:
            points.append(first_step_where(lambda s: self.step(s) >= c["ds"], lo, hi))
        return sorted({p for p in points if p is not None})

    def surprises(self, first: int, last: int) -> list[str]:
        notes = []
        lr, target = self.initial_learning_rate, self.warmup_target
        if self.int_rate:
            notes.append(f"initial_learning_rate is the integer {lr}: Keras computes in int32"
                         " with pi cast to 3, so the decay ends near 0.005 of its start instead"
                         f" of alpha; write it as a float, e.g. {float(lr)!r}")
        if target is not None and target < lr:
            notes.append(f"warmup_target ({number_text(target)}) is below initial_learning_rate"
                         f" ({number_text(lr)}): the warmup lowers the rate")
        if target is not None and self.warmup_steps == 0:
            notes.append("warmup_steps is 0: the decay starts from warmup_target, not from"
                         " initial_learning_rate")
        if target is None and self.warmup_steps:
            notes.append("warmup_steps without warmup_target: Keras skips the warmup")
        return notes

    def milestones(self, last: int) -> list[Milestone]:
        """The warmup's peak, then the end of the decay. A run of warmup + decay_steps steps
        ends a step short of the end, at a rate a hair above alpha: the usual set-up."""
        warmup = self.warmup_steps if self.warmup_target is not None else 0
        end = warmup + self.decay_steps
        found = []
        if warmup:
            found.append(Milestone(f"warmup_steps ({number_text(warmup)})", math.ceil(warmup),
                                   "only the warmup shows"))
        what = f"decay_steps ({number_text(self.decay_steps)}" + (
            f", ending the decay at step {number_text(end)})" if warmup else ")")
        found.append(Milestone(what, math.ceil(end) - 1, "the decay never finishes"))
        return found
