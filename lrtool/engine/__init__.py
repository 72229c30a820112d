"""The plot engine: the values that decide each column of a picture, from few evaluations.

Outputs compute their own columns (a terminal's dot grid, an image's sub-pixels) and ask the
engine for each curve's points: ``Engine.curve(schedule, cuts)``. The engine owns the rest:
which steps to evaluate (a ``Plan`` per schedule, found once and kept), evaluating them with the
backend, and cutting the points down to what draws each column. Nothing here imports an output.

Example:
    >>> from lrtool.schedules import InverseTimeDecay
    >>> engine = Engine(range(10**9), "numpy")
    >>> curve = engine.curve(InverseTimeDecay(0.1, 1e6, 0.5, True), column_cuts(0, 10**9 - 1, 80))
    >>> len(curve.steps) < 3000, curve.exact
    (True, True)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from lrtool.engine.columns import column_cuts, columns_of
from lrtool.engine.extremes import extremes
from lrtool.engine.plan import EDGE_LIMIT, SAMPLE_BUDGET, Plan, choose
from lrtool.evaluation import StepsLike, resolve_backend
from lrtool.steps import Steps

if TYPE_CHECKING:
    import numpy as np

    from lrtool.backends import Backend

__all__ = ["EDGE_LIMIT", "SAMPLE_BUDGET", "Curve", "Engine", "Plan", "column_cuts", "columns_of"]


@dataclasses.dataclass(frozen=True)
class Curve:
    """One schedule's points for a set of columns: ascending steps and their values.

    ``stairs``: every edge is among the points, so a column's one stair may be drawn upright.
    ``exact``: the points draw every column as every requested step would; False when sampled.
    """

    steps: np.ndarray
    values: np.ndarray
    stairs: bool = True
    exact: bool = True

    def reduced(self, cuts: np.ndarray, only_turning: bool = False) -> Curve:
        """The points that draw these (coarser) columns as all of them do."""
        index = extremes(self.steps, self.values, cuts, self.stairs, only_turning)
        return dataclasses.replace(self, steps=self.steps[index], values=self.values[index])


class Engine:
    """Evaluates schedules at the steps that decide each column, over one range of steps.

    ``exhaustive`` evaluates every requested step instead: the reference tests compare with,
    far too slow for big runs.
    """

    def __init__(self, steps: StepsLike, backend: str | Backend | None = None,
                 exhaustive: bool = False) -> None:
        self.steps = Steps.of(steps)
        self.backend = resolve_backend(backend)
        self.exhaustive = exhaustive
        # By identity: a schedule with list arguments is not hashable. The schedule is kept
        # with its plan, so that its id is not reused while the engine lives.
        self._plans: dict[int, tuple[Any, Plan]] = {}

    def plan(self, schedule: Any) -> Plan:
        """The schedule's plan, found once: the value range and each drawing reuse it."""
        key = id(schedule)
        if key not in self._plans:
            mode = getattr(self.backend, "mode", "graph")
            self._plans[key] = (schedule, choose(schedule, self.steps, self.exhaustive, mode))
        return self._plans[key][1]

    def curve(self, schedule: Any, cuts: np.ndarray) -> Curve:
        """The points that give each column (``cuts``: first step of each) its exact extremes."""
        plan = self.plan(schedule)

        def run(steps: np.ndarray) -> np.ndarray:
            return self.backend.evaluate(schedule, steps)

        steps, values = plan.points(self.steps, cuts, run)
        return Curve(steps, values, plan.stairs, plan.exact)

    def value_range(self, schedules: Iterable[Any]) -> tuple[float, float]:
        """The lowest and highest value of all the schedules over all the requested steps.

        One column spanning everything needs only the first, last and edge steps.
        """
        import numpy as np

        whole = np.array([self.steps.first], dtype=np.int64)
        values = [self.curve(s, whole).values for s in schedules]
        joined = np.concatenate(values).astype(np.float64)
        return float(joined.min()), float(joined.max())

    def smallest_positive(self, schedules: Iterable[Any]) -> float | None:
        """The smallest value above 0 among the first, last and edge steps of the schedules
        (each monotone stretch's ends); None when there is none. A log axis's floor."""
        import numpy as np

        whole = np.array([self.steps.first], dtype=np.int64)
        values = np.concatenate([self.curve(s, whole).values for s in schedules]).astype(np.float64)
        positive = values[values > 0]
        return float(positive.min()) if positive.size else None

    def exact(self, schedules: Iterable[Any]) -> bool:
        """Whether every schedule is drawn exactly (none sampled)."""
        return all(self.plan(s).exact for s in schedules)
