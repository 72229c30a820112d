"""Keras's ``CosineDecayRestarts`` (SGDR): cosine decays, each ``t_mul`` times longer, ``m_mul`` higher."""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import TYPE_CHECKING, Any

from lrtool.schedules import kmath as km
from lrtool.schedules.base import Milestone, Schedule
from lrtool.schedules.params import (
    ScheduleError, arg, number_text, require_int32, require_int32_steps, require_number,
)
from lrtool.shape import Bad, NoEdges, Segments, Shape, Turns, Union, Within
from lrtool.shape.search import first_step_where

if TYPE_CHECKING:
    import numpy as np

    from lrtool.schedules.kmath import Mode

@dataclasses.dataclass(frozen=True)
class CosineDecayRestarts(Schedule):
    """Cosine decay from the restart rate to ``alpha``, restarted with longer and lower periods.

    Example:
        CosineDecayRestarts(0.1, first_decay_steps=1000)

    The restart index comes from ``floor(log(1 - fraction * (1 - t_mul)) / log(t_mul))`` in float32,
    so the restart steps are found with Keras's own arithmetic rather than from the geometric sum.
    ``tf.cos``, ``tf.math.log`` and ``tf.pow`` differ by a few ulp between TensorFlow's scalar and
    vectorized kernels: the NumPy path follows the scalar call, the TensorFlow backend reports the
    vectorized values. With an int ``initial_learning_rate`` Keras casts every argument to int32
    (and fails unless ``t_mul`` becomes 1), computes with pi cast to 3 and returns float64.
    """

    keras_name = "CosineDecayRestarts"
    example = {"initial_learning_rate": 0.1, "first_decay_steps": 1000}
    bad_rate_hint = ("a negative alpha or m_mul, an m_mul above 1 (overflow) or a t_mul below 1"
                     " (log of a negative number) gives unusable rates, and so does a tiny"
                     " first_decay_steps once step / first_decay_steps overflows float32")

    initial_learning_rate: float = arg("Learning rate at step 0 (and at each restart, times"
                                       " m_mul).", typical=(1e-4, 10.0), scale="log", ints=True)
    first_decay_steps: float = arg("Steps of the first decay period.", typical=(0.5, 3000.0),
                                   scale="log", ints=True)
    t_mul: float = arg("Each period is t_mul times longer than the one before.", default=2.0,
                       typical=(1.0, 3.0))
    m_mul: float = arg("Each restart starts m_mul times lower than the one before.", default=1.0,
                       typical=(0.0, 1.0))
    alpha: float = arg("Lowest rate of each period, as a fraction of initial_learning_rate.",
                       default=0.0, typical=(0.0, 1.0))

    @classmethod
    def default_name(cls) -> str:
        return "SGDRDecay"

    def validate(self) -> None:
        require_number("initial_learning_rate", self.initial_learning_rate, minimum=0)
        require_number("first_decay_steps", self.first_decay_steps, positive=True)
        # Keras takes log(t_mul): zero or below is nan at every step after the first.
        require_number("t_mul", self.t_mul, positive=True)
        require_number("m_mul", self.m_mul)
        require_number("alpha", self.alpha)
        if not self.int_rate:
            return
        require_int32("first_decay_steps", self.first_decay_steps)
        require_int32("m_mul", self.m_mul)
        require_int32("alpha", self.alpha)
        require_int32_steps("first_decay_steps", self.first_decay_steps)
        if km.to_int32(self.t_mul) != 1:
            raise ScheduleError("initial_learning_rate", "is an integer, and Keras then fails:"
                                f" t_mul {self.t_mul!r} becomes an int32 it cannot compute with;"
                                f" write it as a float, e.g. {float(self.initial_learning_rate)!r}",
                                repair={"initial_learning_rate": float(self.initial_learning_rate)})

    def value_dtype(self) -> str:
        return "float64" if self.int_rate else "float32"

    def suggested_steps(self) -> int:
        t = self.t_mul
        periods = 3 * self.first_decay_steps if t == 1 else self.first_decay_steps * (1 + t + t * t)
        return max(10, min(10**9, math.ceil(periods * 1.05) + 1))

    def constants(self) -> dict[str, Any]:
        import numpy as np

        if self.int_rate:
            c = {n: np.float64(km.to_int32(getattr(self, n))) for n in
                 ("initial_learning_rate", "first_decay_steps", "t_mul", "m_mul", "alpha")}
            return {"lr": c["initial_learning_rate"], "ds": c["first_decay_steps"], "t": c["t_mul"],
                    "m": c["m_mul"], "alpha": c["alpha"], "pi": np.float64(3)}
        return {"lr": km.f32(self.initial_learning_rate), "ds": km.f32(self.first_decay_steps),
                "t": km.f32(self.t_mul), "m": km.f32(self.m_mul), "alpha": km.f32(self.alpha),
                "pi": km.f32(math.pi)}

    def split(self, steps: np.ndarray, mode: Mode = "graph") -> tuple[np.ndarray, np.ndarray]:
        """Restart index and the fraction done of the current period, as Keras computes them;
        in a graph each division by a constant multiplies by its reciprocal."""
        import numpy as np

        c = self.constants()
        if self.int_rate:  # int32 / int32 is a float64 division
            x = km.wrap_int32(steps).astype(np.float64)
        else:
            x = steps.astype(np.float32)
        t = c["t"]
        one = t.dtype.type(1)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            fraction = km.divide(x, c["ds"], mode)
            if t == 1:
                restart = np.floor(fraction)
                return restart, fraction - restart
            log_t = km.log(np.array([t]))[0]
            restart = np.floor(km.divide(km.log(one - fraction * (one - t)), log_t, mode))
            grown = km.power(t, restart, t.dtype)
            done = km.ftz(fraction - km.ftz(km.divide(one - grown, one - t, mode))) / grown
            return restart, km.ftz(done)

    def restart_index(self, steps: np.ndarray, mode: Mode = "graph") -> np.ndarray:
        return self.split(steps, mode)[0]

    def formula(self, steps: np.ndarray, mode: Mode = "graph") -> np.ndarray:
        """``lr * ((1 - alpha) * 0.5 * m_mul**i * (1 + cos(pi * done)) + alpha)``; in a graph
        the constant factors fold: ``(1 + cos) * (m * (0.5 * (1 - alpha))) + alpha``, then
        times ``lr`` (``(1 + cos) * (m * (0.5 * lr))`` when alpha is 0)."""
        import numpy as np

        c = self.constants()
        restart, done = self.split(steps, mode)
        t = done.dtype.type
        lr, alpha = t(c["lr"]), t(c["alpha"])
        with np.errstate(invalid="ignore", over="ignore"):
            factor = km.power(c["m"], restart, done.dtype)
            add = t(1) + km.cos(t(c["pi"]) * done)
            if mode == "eager":
                cosine = km.ftz(km.ftz(t(0.5) * factor) * add)
                decayed = km.ftz(km.ftz((t(1) - alpha) * cosine) + alpha)
                return km.ftz(lr * decayed)
            if alpha == 0:
                return km.ftz(add * km.ftz(factor * (t(0.5) * lr)))
            scaled = km.ftz(add * km.ftz(factor * (t(0.5) * (t(1) - alpha))))
            return km.ftz(km.ftz(scaled + alpha) * lr)

    def shape(self, mode: Mode = "graph") -> Shape:
        """Restarts where the restart index steps (found with Keras's own arithmetic), with
        t_mul near 1 the turns between restarts (``turns_per_period``), and with t_mul below 1
        the step where the shrinking periods run out. Each period stays
        between alpha and its restart rate, usable unless alpha or m_mul is negative, m_mul
        above 1 (overflow) or t_mul below 1 (the log of a negative number)."""
        c = self.constants()
        usable = (km.nonnegative(c["alpha"]) and km.nonnegative(c["m"]) and c["m"] <= 1
                  and c["t"] >= 1)
        if self.restarts_every_step(mode):
            return Shape(NoEdges(), monotone=True,
                         bad=self.overflow_tail if usable else "stretch")
        restarts = Segments(functools.partial(self.restart_index, mode=mode),
                            last=functools.partial(self.last_period_step, mode=mode),
                            moved_only=bool(c["m"] >= 0))
        per = self.turns_per_period()
        if per:
            restarts = Within(restarts, functools.partial(self.whole_periods_done, mode=mode), per)
        edges = Union((restarts, Turns(functools.partial(self.periods_end, mode=mode))))
        weight = 1 if c["t"] == 1 else 5  # 80-180 ns a step against 450-900 (measured)
        return Shape(edges, bad=self.overflow_tail if usable else "stretch", wraps=self.int_rate,
                     weight=weight)

    def turns_per_period(self) -> int:
        """How often, at most, the value turns inside one period: 0 unless t_mul is near 1.

        Away from restarts the fraction done runs from 0 to 1 and the cosine only falls. With
        t_mul near 1 (not 1), float32 cancels most of ``1 - t_mul``: the restart index and the
        fraction done Keras computes are off by up to E = k * 2**-24 / |t_mul - 1| periods (k
        measured up to 22 over every step of 2e6, for t_mul from 1 + 2**-23 to 2 and
        first_decay_steps 1 to 1000), so the fraction runs from about -E to 1 + E and the
        cosine turns at each whole number it passes. Below E = 7.8e-5 no turn shows: float32's
        cosf is exactly 1 or -1 that close to its extremes. Bounded here with k = 32.
        """
        c = self.constants()
        if self.int_rate or c["t"] == 1:
            return 0
        excursion = 32 * 2.0**-24 / abs(float(c["t"]) - 1)
        return 0 if excursion < 7.8e-5 else 2 * math.ceil(excursion) + 1

    def whole_periods_done(self, steps: np.ndarray, mode: Mode = "graph") -> np.ndarray:
        """floor of the fraction done: nondecreasing between restarts, where the cosine turns."""
        import numpy as np

        return np.floor(self.split(steps, mode)[1])

    def overflow_tail(self, lo: int, hi: int) -> Bad:
        """Usable arguments still give nan once step / first_decay_steps overflows float32 (a
        tiny first_decay_steps): from there on, every step."""
        c = self.constants()
        if not self.int_rate and km.may_overflow(hi, float(c["ds"]), float(c["t"])):
            return "tail"
        return "never"

    def restarts_every_step(self, mode: Mode = "graph") -> bool:
        """Whether every step lands exactly on a restart, so that the value is monotone overall.

        With t_mul 1 and a first_decay_steps of 1, 1/2, 1/4... the fraction Keras computes is
        the float32 step times a power of two: a whole number at every step (in a graph and
        eagerly), so the fraction done is 0 and the cosine 1. The value is then a monotone
        function of ``m_mul ** restart``, and glibc's powf, computed in double precision far
        finer than the float32 gap between ``m**i`` and ``m**(i+1)``, keeps that power
        nonincreasing in ``i`` for 0 <= m_mul <= 1. A billion restarts then draw from a column's
        ends alone, rather than from both sides of each restart.
        """
        c = self.constants()
        if self.int_rate or c["t"] != 1 or not (km.nonnegative(c["m"]) and c["m"] <= 1):
            return False
        mantissa, exponent = math.frexp(float(c["ds"]))
        return mantissa == 0.5 and exponent <= 1

    def periods_end(self, lo: int, hi: int, mode: Mode = "graph") -> list[int]:
        """The first step without a restart index (t_mul below 1: past the periods' sum Keras
        takes the log of a negative number), when it lies in (lo, hi]."""
        import numpy as np

        if self.constants()["t"] >= 1:
            return []
        end = first_step_where(lambda s: ~np.isfinite(self.restart_index(s, mode)), lo, hi)
        return [] if end is None else [end]

    def last_period_step(self, lo: int, hi: int, mode: Mode = "graph") -> int:
        ends = self.periods_end(lo, hi, mode)
        return ends[0] - 1 if ends else hi

    def surprises(self, first: int, last: int) -> list[str]:
        notes = []
        if self.int_rate:
            c = self.constants()
            notes.append(
                f"initial_learning_rate is the integer {self.initial_learning_rate}: Keras casts"
                f" first_decay_steps, m_mul and alpha to int32 ({c['ds']:g}, {c['m']:g} and"
                f" {c['alpha']:g}), computes with pi cast to 3 and returns float64; write it as a"
                f" float, e.g. {float(self.initial_learning_rate)!r}")
        return notes

    def milestones(self, last: int) -> list[Milestone]:
        """The first restart, at first_decay_steps."""
        return [Milestone(f"first_decay_steps ({number_text(self.first_decay_steps)})",
                          math.ceil(self.first_decay_steps), "no restart shows")]
