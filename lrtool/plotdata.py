"""Which steps to evaluate for a picture, so that it shows exactly what every step would show.

A picture has a fixed number of columns (pixels, or braille dots in a terminal). What a column
shows of a curve is the lowest and highest value among the steps that fall in it, joined to its
neighbours by the segments between consecutive steps. Every schedule promises to be monotone
between consecutive ``edges`` (stair edges, restarts, turns), so those extremes sit at a
column's first and last step, or on either side of an edge inside it. Evaluating just those
steps draws the same picture as evaluating all of them, and costs about as much for a billion
steps as for a thousand. (A schedule that turns at more edges than EDGE_LIMIT, such as a restart
every thousand steps over a billion, costs what its edges cost: see ``lrtool.extremes``.)

A column is given by its first step: ``cuts[c]`` is the first step (requested or not) of column
``c``, and the column holds the requested steps in ``[cuts[c], cuts[c + 1])``. The terminal
computes cuts from its dot grid (``column_cuts``), an image from its axes' pixel transform.

NumPy is imported inside the functions, like everywhere in lrtool.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lrtool.schedules.base import Schedule

if TYPE_CHECKING:
    import numpy as np

    from lrtool.extremes import Piece

#: What one panel draws: a title and one labelled schedule per curve.
PanelSpec = tuple[str, dict[str, Schedule]]

#: Edges asked of a schedule: more than a picture has pixel columns, so that a schedule with
#: fewer edges than this is drawn exactly whatever it does between them. Beyond it the edges
#: are spread evenly when the schedule is monotone overall (every staircase that only falls),
#: since then a column's extremes are its first and last steps; a schedule that turns is drawn
#: by ``lrtool.extremes`` instead.
EDGE_LIMIT = 8192


class LogScaleError(ValueError):
    """A log axis was asked for values that reach zero."""


@dataclasses.dataclass(frozen=True)
class Curve:
    """One schedule's evaluated points: ascending steps and their float32 values.

    ``stairs``: every edge is known (at most EDGE_LIMIT, or a schedule that turns), so that an
    image can draw a column's one stair upright. Not so for a monotone schedule with more edges,
    drawn from an even spread of them: its columns are drawn from their ends alone, and so is
    the same curve evaluated at every step, which must give the same image.
    """

    label: str
    steps: np.ndarray
    values: np.ndarray
    stairs: bool = True


@dataclasses.dataclass(frozen=True)
class Panel:
    title: str
    curves: list[Curve]


def default_panels(schedule: Schedule) -> list[PanelSpec]:
    """Continuous beside staircase for a schedule that has the option, else the schedule alone.

    Curve labels differ between the panels so that each keeps its own colour.
    """
    if schedule.has_staircase:
        return [
            ("continuous", {"continuous": schedule.with_staircase(False)}),
            ("staircase", {"staircase": schedule.with_staircase(True)}),
        ]
    return [(schedule.keras_name, {"lr": schedule})]


def title_label(schedule: Schedule) -> str:
    """The schedule's constructor call without the staircase flag, which the panels show."""
    return (schedule.with_staircase(False) if schedule.has_staircase else schedule).label()


def layout(schedules: Sequence[Schedule], labels: Sequence[str]) -> tuple[str, list[PanelSpec]]:
    """The title and panels: one schedule gets ``default_panels``; several share one panel,
    under their short labels, with a legend."""
    if len(schedules) == 1:
        return title_label(schedules[0]), default_panels(schedules[0])
    return " vs ".join(labels), [("", dict(zip(labels, schedules)))]


@dataclasses.dataclass(frozen=True)
class Picture:
    """What to draw, before the output decides its resolution.

    ``exhaustive`` evaluates every requested step instead of the chosen ones: the reference
    the tests compare against, and far too slow for big runs.
    """

    title: str
    panels: list[PanelSpec]
    steps: Sequence[int]
    backend: Any
    steps_per_epoch: int | None = None
    log_y: bool = False
    exhaustive: bool = False

    @property
    def first(self) -> int:
        return int(self.steps[0])

    @property
    def last(self) -> int:
        return int(self.steps[-1])

    def sample(self, cuts: Sequence[np.ndarray]) -> list[Panel]:
        """Evaluate each panel at the steps its columns need (``cuts[i]`` for panel ``i``)."""
        from lrtool import extremes
        from lrtool.evaluate import evaluate
        from lrtool.steps import as_array

        panels = []
        for (title, schedules), panel_cuts in zip(self.panels, cuts):
            curves = []
            for label, schedule in schedules.items():
                def run(steps: np.ndarray, label: str = label,
                        schedule: Schedule = schedule) -> np.ndarray:
                    return evaluate({label: schedule}, steps, self.backend).columns[label]

                how = None if self.exhaustive else self._plan(schedule)
                if isinstance(how, list):  # a schedule turning at more edges than EDGE_LIMIT
                    steps, values = extremes.points(schedule, how, panel_cuts, run)
                else:
                    steps = as_array(self.steps) if how is None else picture_steps(
                        schedule, self.steps, panel_cuts, how)
                    values = run(steps)
                curves.append(Curve(label, steps, values, self._stairs(schedule)))
            panels.append(Panel(title, curves))
        return panels

    @functools.cached_property
    def _plan_cache(self) -> dict[int, np.ndarray | list[Piece]]:
        return {}

    def _plan(self, schedule: Schedule) -> np.ndarray | list[Piece]:
        """Edges (or pieces) found once per schedule: the value range and each drawing reuse them.

        Keyed by identity: the panels keep every schedule alive, and a schedule with list
        arguments is not hashable.
        """
        key = id(schedule)
        if key not in self._plan_cache:
            self._plan_cache[key] = plan_of(schedule, self.steps)
        return self._plan_cache[key]

    def _stairs(self, schedule: Schedule) -> bool:
        """Whether every edge is known: not for a monotone schedule with more than EDGE_LIMIT."""
        lo, hi = self.first, self.last
        return schedule.edge_count(lo, hi) <= EDGE_LIMIT or not schedule.monotone(lo, hi)

    def schedules(self) -> dict[str, Schedule]:
        """Every curve's schedule by label, for checking them all before drawing any."""
        return {label: s for _, curves in self.panels for label, s in curves.items()}

    def validate(self, checked: Sequence[Schedule] = ()) -> None:
        """Raise UnusableRate (a nan, inf or negative rate at a requested step) or LogScaleError.

        ``checked`` schedules were already checked over these steps (the CLI checks what the
        user asked for before it knows the picture): checking can mean evaluating every step.
        """
        from lrtool.evaluate import check

        check({label: s for label, s in self.schedules().items()
               if not any(s == done for done in checked)}, self.steps)
        self.value_range  # noqa: B018 - computed here for its check, kept for the outputs

    @functools.cached_property
    def value_range(self) -> tuple[float, float]:
        """The lowest and highest value of all the curves over all the requested steps.

        One column spanning everything needs only the first, last and edge steps. Raises
        LogScaleError when ``log_y`` and a value is zero.
        """
        import numpy as np

        whole = np.array([self.first], dtype=np.int64)
        values = [c.values for p in self.sample([whole] * len(self.panels)) for c in p.curves]
        joined = np.concatenate(values).astype(np.float64)
        lo, hi = float(joined.min()), float(joined.max())
        if self.log_y and lo <= 0:
            raise LogScaleError(f"the learning rate reaches {lo:g}, which a log axis cannot show")
        return lo, hi


def count_below(steps: Sequence[int], bounds: np.ndarray) -> np.ndarray:
    """For each bound, how many requested steps lie below it: the index of the first >= it."""
    import numpy as np

    bounds = np.asarray(bounds, dtype=np.int64)
    if isinstance(steps, range):
        above = -((steps.start - bounds) // steps.step)  # ceil((bound - start) / step)
        return np.clip(above, 0, len(steps))
    return np.searchsorted(np.asarray(steps, dtype=np.int64), bounds, side="left")


def steps_at(steps: Sequence[int], indices: np.ndarray) -> np.ndarray:
    """The requested steps at these indices, without materialising a ``range``."""
    import numpy as np

    if isinstance(steps, range):
        return steps.start + indices.astype(np.int64) * steps.step
    return np.asarray(steps, dtype=np.int64)[indices]


def edges_of(schedule: Schedule, steps: Sequence[int]) -> np.ndarray:
    """The schedule's edges over the requested steps (at most EDGE_LIMIT, spread evenly)."""
    import numpy as np

    return np.asarray(schedule.edges(int(steps[0]), int(steps[-1]), EDGE_LIMIT), dtype=np.int64)


def plan_of(schedule: Schedule, steps: Sequence[int]) -> np.ndarray | list[Piece]:
    """The edges to draw the schedule from, or, when they do not all fit, pieces to draw.

    All edges when at most EDGE_LIMIT, an even spread when the schedule is monotone overall;
    otherwise the columns' extremes come from ``lrtool.extremes``, which finds every edge or
    evaluates every step, whichever costs less.
    """
    from lrtool import extremes

    lo, hi = int(steps[0]), int(steps[-1])
    if schedule.edge_count(lo, hi) <= EDGE_LIMIT or schedule.monotone(lo, hi):
        return edges_of(schedule, steps)
    return extremes.plan(schedule, steps)


def picture_steps(
    schedule: Schedule, steps: Sequence[int], cuts: np.ndarray, edges: np.ndarray | None = None
) -> np.ndarray:
    """The requested steps that give every column its exact lowest and highest value.

    For each column its first and last requested step, and for each edge the requested steps
    on either side of it; the first and last requested steps are always included. ``edges``
    saves asking the schedule again when it is already known.
    """
    import numpy as np

    n = len(steps)
    if edges is None:
        edges = edges_of(schedule, steps)
    bounds = np.concatenate([np.asarray(cuts, dtype=np.int64), edges])
    starts = count_below(steps, bounds)  # first requested step of each column / after each edge
    indices = np.concatenate([starts, starts - 1, [0, n - 1]])
    indices = np.sort(np.clip(indices, 0, n - 1))
    indices = indices[np.diff(indices, prepend=-1) != 0]  # np.unique hashes: far slower
    return steps_at(steps, indices)


def column_cuts(first: int, last: int, columns: int) -> np.ndarray:
    """Cuts for ``columns`` equal columns with ``first`` centred on the first, ``last`` on the last.

    Step ``s`` goes to column ``round((s - first) * (columns - 1) / (last - first))``, computed
    with Python integers so that nothing is lost to rounding at any step count.
    """
    import numpy as np

    span = last - first
    if columns <= 1 or span <= 0:
        return np.array([first], dtype=np.int64)
    den = 2 * (columns - 1)
    # Column c starts where (s - first) * 2 * (columns - 1) >= (2c - 1) * span.
    return np.array(
        [first] + [first + -(-(2 * c - 1) * span // den) for c in range(1, columns)],
        dtype=np.int64,
    )


def columns_of(cuts: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """The column each step falls in."""
    import numpy as np

    return np.searchsorted(cuts, steps, side="right") - 1


def step_text(step: float) -> str:
    """A step count as an axis shows it: 900, 2500, 25k, 1.5M, 2.5B, 1e12."""
    step = float(step)
    if abs(step) < 10_000:
        return f"{step:g}" if step != int(step) else str(int(step))
    for scale, suffix in ((1e3, "k"), (1e6, "M"), (1e9, "B")):
        text = f"{step / scale:.3g}"
        if abs(float(text)) < 1000:
            return text + suffix
    mantissa, exponent = f"{step:.2e}".split("e")
    return f"{float(mantissa):g}e{int(exponent)}"
