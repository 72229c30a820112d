"""What InverseTimeDecay and ExponentialDecay share: Keras gives them the same four arguments
and the same progress ``p = step / decay_steps`` (floored with ``staircase``), with the same
int32 casts when the initial rate is an int. Each subclass adds only its formula in ``p``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import TYPE_CHECKING, ClassVar

from lrtool.schedules import kmath as km
from lrtool.schedules.base import Milestone, Schedule
from lrtool.schedules.params import (
    arg, number_text, require_bool, require_int32, require_int32_steps, require_number,
)
from lrtool.shape import NoEdges, Segments, Shape
from lrtool.shape.search import WRAP

if TYPE_CHECKING:
    import numpy as np

    from lrtool.schedules.kmath import Mode


@dataclasses.dataclass(frozen=True)
class StepDecay(Schedule):
    """Base of the schedules of ``(initial_learning_rate, decay_steps, decay_rate, staircase)``."""

    #: What an int32 decay_rate of 0 does to the schedule, for the integer-rate warning.
    zero_rate_effect: ClassVar[str] = ""
    #: The decay_rate that leaves the rate unchanged (0 for 1/t, 1 for exponential).
    neutral_rate: ClassVar[float] = 0.0

    initial_learning_rate: float = arg("Learning rate at step 0.", typical=(1e-4, 10.0),
                                       scale="log", ints=True)
    decay_steps: float = arg("Steps per unit of decay; the stair width with staircase.",
                             typical=(0.5, 3000.0), scale="log", ints=True)
    decay_rate: float = arg("How fast the rate falls.", typical=(0.0, 1.5))
    staircase: bool = arg("Decay in whole stairs: floor(step / decay_steps).", default=False)

    def validate(self) -> None:
        require_number("initial_learning_rate", self.initial_learning_rate, minimum=0)
        require_number("decay_steps", self.decay_steps, positive=True)
        require_number("decay_rate", self.decay_rate)
        require_bool("staircase", self.staircase)
        if self.int_rate:
            require_int32("initial_learning_rate", self.initial_learning_rate)
            require_int32_steps("decay_steps", self.decay_steps)
            require_int32("decay_rate", self.decay_rate)

    def value_dtype(self) -> str:
        return "float64" if self.int_rate else "float32"

    def suggested_steps(self) -> int:
        return max(10, min(10**7, math.ceil(10 * self.decay_steps)))

    def step(self, steps: np.ndarray) -> np.ndarray:
        """The step as Keras casts it: float32, or (an int rate) int32 then float64 for the
        int32 / int32 division."""
        import numpy as np

        if self.int_rate:
            return km.wrap_int32(steps).astype(np.float64)
        return steps.astype(np.float32)

    def decay_steps_value(self) -> float:
        return km.to_int32(self.decay_steps) if self.int_rate else float(km.f32(self.decay_steps))

    def progress(self, steps: np.ndarray, mode: Mode = "graph") -> np.ndarray:
        """``step / decay_steps`` as Keras computes it, floored with ``staircase``."""
        import numpy as np

        with np.errstate(over="ignore"):
            p = km.divide(self.step(steps), self.decay_steps_value(), mode)
        return np.floor(p) if self.staircase else p

    def rate(self) -> float:
        """decay_rate as Keras uses it: float32, or truncated to int32 with an int rate."""
        return km.to_int32(self.decay_rate) if self.int_rate else float(km.f32(self.decay_rate))

    def shape(self, mode: Mode = "graph") -> Shape:
        """Monotone in p for a rate of at least 0; stairs where the floored p steps."""
        moves = self.staircase and self.rate() != self.neutral_rate
        index = functools.partial(self.progress, mode=mode)
        last = functools.partial(self.last_moving_step, mode=mode)
        edges = Segments(index, last=last) if moves else NoEdges()
        return Shape(edges, monotone=km.nonnegative(self.rate()), bad=self.bad_rates,
                     wraps=self.int_rate)

    def last_moving_step(self, lo: int, hi: int, mode: Mode = "graph") -> int:
        """Where to stop looking for stairs: past it the value no longer changes."""
        return hi

    def bad_rates(self, lo: int, hi: int) -> str:
        """How unusable rates appear (see ``lrtool.shape.Bad``); subclasses know their formula."""
        return "any"

    def surprises(self, first: int, last: int) -> list[str]:
        notes = []
        if self.int_rate:
            rate, ds = km.to_int32(self.decay_rate), km.to_int32(self.decay_steps)
            notes.append(
                f"initial_learning_rate is the integer {self.initial_learning_rate}: Keras casts"
                f" decay_steps and decay_rate to int32 ({ds} and {rate}) and returns float64"
                + (f", {self.zero_rate_effect}" if rate == 0 else "")
                + f"; write it as a float, e.g. {float(self.initial_learning_rate)!r}")
        return notes

    def milestones(self, last: int) -> list[Milestone]:
        """The first stair (at decay_steps), or with a continuous decay its time scale: a run
        shorter than one decay_steps sees only part of one decay_rate."""
        if self.rate() == self.neutral_rate:
            return []
        what = f"decay_steps ({number_text(self.decay_steps)})"
        if self.staircase:
            return [Milestone(what, math.ceil(self.decay_steps), "the staircase never drops")]
        return [Milestone(what, math.ceil(self.decay_steps) - 1, gradual=True)]


def crosses_wrap(schedule: Schedule, hi: int) -> bool:
    """Whether an int32 step (an int initial rate) wraps to negative values by step ``hi``."""
    return schedule.int_rate and hi >= WRAP
