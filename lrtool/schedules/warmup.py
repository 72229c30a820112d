"""transformers' TensorFlow ``WarmUp``: a polynomial warmup, then another schedule shifted by it.

``transformers.create_optimizer`` builds ``WarmUp(init_lr, PolynomialDecay(...), warmup_steps)``,
and Keras JSON of such an optimizer names ``transformers.optimization_tf.WarmUp``. lrtool knows
its formula, so it needs no transformers installed (nor TensorFlow, with the numpy backend).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from lrtool.schedules import kmath as km
from lrtool.schedules.base import Milestone, Schedule
from lrtool.schedules.params import ScheduleError, arg, number_text, require_number
from lrtool.schedules.polynomial import PolynomialDecay
from lrtool.shape import Bad, Shape, edge_count, edges, monotone, shape_of
from lrtool.shape.search import WRAP, spread_out

if TYPE_CHECKING:
    import numpy as np

    from lrtool.schedules.kmath import Mode

#: ``step - warmup_steps`` is an int64 tensor: a warmup_steps beyond this does not fit it.
INT64_MAX = 2**63 - 1


@dataclasses.dataclass(frozen=True)
class WarmUp(Schedule):
    """``initial_learning_rate * (step / warmup_steps) ** power`` while the float32 step is below
    the float32 warmup_steps, then ``decay_schedule_fn(step - warmup_steps)``.

    Example:
        WarmUp(1e-4, PolynomialDecay(1e-4, 9000, 0.0), warmup_steps=1000)

    The schedule after the warmup starts from its own step 0, so its decay_steps count from the
    end of the warmup (``create_optimizer`` passes ``num_train_steps - num_warmup_steps``).
    ``tf.cond`` needs both branches in float32: a decay_schedule_fn that returns float64 (an
    integer initial_learning_rate in some Keras schedules) fails in ``model.fit``'s graph.
    """

    keras_name = "WarmUp"
    keras_module = "transformers.optimization_tf"
    registered_name = "WarmUp"
    example = {"initial_learning_rate": 1e-4, "decay_schedule_fn": PolynomialDecay(1e-4, 9000, 0.0),
               "warmup_steps": 1000}
    bad_rate_hint = ("a negative power makes the rate infinite at step 0; the schedule after"
                     " the warmup gives its own")
    keras_signature = ("initial_learning_rate", "decay_schedule_fn", "warmup_steps", "power",
                       "name")

    initial_learning_rate: float = arg("Rate the warmup reaches at warmup_steps.",
                                       typical=(1e-5, 1.0), scale="log")
    decay_schedule_fn: Schedule = dataclasses.field(metadata={
        "help": "The schedule after the warmup, called with step - warmup_steps.",
        "schedule": True})
    warmup_steps: int = arg("Steps of warmup.", typical=(0.0, 3000.0), ints=True)
    power: float = arg("Power of the warmup: 1 is linear.", default=1.0, typical=(0.0, 3.0))

    def validate(self) -> None:
        require_number("initial_learning_rate", self.initial_learning_rate, minimum=0)
        require_number("power", self.power)
        ws = self.warmup_steps
        if isinstance(ws, bool) or not isinstance(ws, int):
            raise ScheduleError("warmup_steps", f"must be a whole number of steps, not {ws!r}:"
                                " WarmUp subtracts it from the int64 step")
        if not 0 <= ws <= INT64_MAX:
            raise ScheduleError("warmup_steps", f"must be between 0 and 2**63-1, not {ws!r}")
        inner = self.decay_schedule_fn
        if not isinstance(inner, Schedule):
            raise ScheduleError("decay_schedule_fn", "must be a schedule such as"
                                f" PolynomialDecay(1e-4, 9000), not {number_text(inner)}")
        if inner.value_dtype() != "float32":
            raise ScheduleError("decay_schedule_fn", f"{inner.label()} returns"
                                f" {inner.value_dtype()}, and WarmUp's tf.cond needs float32 like"
                                " its warmup: write its initial_learning_rate as a float")

    @property
    def int_rate(self) -> bool:
        return False  # the warmup multiplies a float32 tensor: float32 whatever lr0's type

    def keras_config(self) -> dict[str, Any]:
        """transformers' ``get_config()``, its decay_schedule_fn serialized as Keras does."""
        return {**self.arguments(), "decay_schedule_fn": self.decay_schedule_fn.serialized(),
                "name": None}

    def suggested_steps(self) -> int:
        return min(10**9, self.warmup_steps + self.decay_schedule_fn.suggested_steps())

    def end(self) -> int:
        """The first step of the decay: the first whose float32 is not below the float32
        warmup_steps (a step or more off warmup_steps itself beyond 2**24)."""
        import numpy as np

        target = km.f32(self.warmup_steps)
        lo, hi = 0, int(target)  # float32(int(target)) == target: the answer is at most hi
        while lo < hi:
            mid = (lo + hi) // 2
            if np.float32(mid) >= target:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def formula(self, steps: np.ndarray, mode: Mode = "graph") -> np.ndarray:
        """The warmup's ``lr0 * pow(step / warmup_steps, power)``, with the division and the
        power as the mode computes them (``kmath.divide``, ``kmath.graph_power``), where the
        float32 step is below the float32 warmup_steps; the inner schedule elsewhere. In a
        graph a power of 1 leaves ``lr0 * (step * (1 / ws))``, whose constants Grappler
        multiplies first: ``step * (lr0 * (1 / ws))``; a cube becomes ``(p * p) * (lr0 * p)``."""
        import numpy as np

        steps = np.asarray(steps, dtype=np.int64)
        g = steps.astype(np.float32)
        warm = g < km.f32(self.warmup_steps)
        out = np.empty(steps.shape, np.float32)
        lr, ws, power = (km.f32(v) for v in (self.initial_learning_rate, self.warmup_steps,
                                             self.power))
        with np.errstate(all="ignore"):
            if mode != "eager" and power == 1:  # no pow: lr * (step * (1 / ws)) folds
                out[warm] = km.ftz(g[warm] * (lr * (np.float32(1) / ws)))
            elif mode != "eager" and power == 3:  # a cube, its constant folded in
                p = km.divide(g[warm], ws, mode)
                out[warm] = km.ftz(km.ftz(p * p) * km.ftz(lr * p))
            else:
                rise = km.graph_power(km.divide(g[warm], ws, mode), power, mode)
                out[warm] = km.ftz(lr * rise)
            out[~warm] = self.decay_schedule_fn.formula(steps[~warm] - self.warmup_steps, mode)
        return out

    def warmup_usable(self) -> bool:
        """Whether every warmup rate is usable: a negative power is inf at step 0."""
        return self.power >= 0 and km.nonnegative(km.f32(self.initial_learning_rate))

    def shape(self, mode: Mode = "graph") -> Shape:
        """The warmup is one monotone stretch; the end of the warmup is an edge; after it,
        the inner schedule's own shape, shifted by warmup_steps."""
        return Shape(Shifted(self, mode), monotone=lambda lo, hi: self.monotone(lo, hi, mode),
                     bad=lambda lo, hi: self.bad_rates(lo, hi, mode))

    def monotone(self, lo: int, hi: int, mode: Mode) -> bool:
        end = self.end()
        if hi < end:
            return True
        if lo < max(end, self.warmup_steps):
            return False
        return monotone(self.decay_schedule_fn, lo - self.warmup_steps, hi - self.warmup_steps,
                        mode)

    def bad_rates(self, lo: int, hi: int, mode: Mode) -> Bad:
        """The warmup's, then the inner schedule's over the shifted steps. A usable warmup
        keeps the inner schedule's kind; an unusable one (inf at step 0) starts a stretch."""
        end, ws = self.end(), self.warmup_steps
        warm: Bad = "never" if self.warmup_usable() else "stretch"
        if hi < end:
            return warm
        if end < ws and lo < ws:
            return "any"  # steps before warmup_steps call the inner schedule at negative steps
        inner = shape_of(self.decay_schedule_fn, mode)
        if inner is None or (inner.wraps and hi - ws >= WRAP):
            return "any"
        bad = inner.bad(max(lo, end) - ws, hi - ws) if callable(inner.bad) else inner.bad
        if warm == "never":
            return bad
        return "stretch" if bad in ("never", "stretch") else "any"

    def milestones(self, last: int) -> list[Milestone]:
        """The end of the warmup, then the inner schedule's milestones, shifted."""
        ws = self.warmup_steps
        own = [Milestone(f"warmup_steps ({ws})", self.end(),
                         "the warmup never ends: the rate never reaches the schedule after it")]
        inner = self.decay_schedule_fn.milestones(last - ws)
        return own + [dataclasses.replace(m, step=m.step + ws, what=f"{m.what} after the warmup")
                      for m in inner]

    def surprises(self, first: int, last: int) -> list[str]:
        ws = self.warmup_steps
        if last < self.end():
            return []
        inner = self.decay_schedule_fn.surprises(max(0, first - ws), last - ws)
        return [f"decay_schedule_fn: {note}" for note in inner]


@dataclasses.dataclass(frozen=True)
class Shifted:
    """WarmUp's edges: the end of its warmup, and its inner schedule's edges, shifted.

    Steps between the end of the warmup and warmup_steps (where float32 rounds warmup_steps
    up, beyond 2**24) call the inner schedule at negative steps: each of them is an edge.
    """

    schedule: WarmUp
    mode: Any = "graph"

    def parts(self, lo: int, hi: int) -> tuple[list[int], int]:
        """Edges before the inner schedule's own, and where those begin (step after which)."""
        end, ws = self.schedule.end(), self.schedule.warmup_steps
        before = [end] if lo < end <= hi else []
        before += list(range(max(lo, end) + 1, min(hi, ws) + 1))
        return before, max(lo, end, ws)

    def find(self, lo: int, hi: int, limit: int, values: Any) -> list[int]:
        before, start = self.parts(lo, hi)
        ws, inner = self.schedule.warmup_steps, self.schedule.decay_schedule_fn
        after = edges(inner, start - ws, hi - ws, limit, self.mode) if hi > start else []
        return spread_out(before + [e + ws for e in after], limit)

    def count(self, lo: int, hi: int) -> int:
        before, start = self.parts(lo, hi)
        ws, inner = self.schedule.warmup_steps, self.schedule.decay_schedule_fn
        return len(before) + (edge_count(inner, start - ws, hi - ws, self.mode) if hi > start
                              else 0)
