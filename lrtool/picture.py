"""What a plot shows, before an output decides its resolution: a title, panels of labelled
schedules, and the engine that evaluates them over the requested steps.

One schedule with a staircase argument is drawn continuous | staircase side by side; one without
is drawn alone; several share one panel with a legend, under their short labels.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

from lrtool.engine import Engine
from lrtool.schedules import AnySchedule
from lrtool.series import title_label, variants
from lrtool.steps import Steps


class LogScaleError(ValueError):
    """A log axis was asked for values that are zero throughout."""


#: A log axis for values that reach 0 starts at a floor: a tenth of the smallest positive value
#: shown (one decade below it, so that 0 stays apart from it), but no lower than this fraction
#: of the largest value, so that a cosine's last steps before 0 do not stretch the axis over
#: decades of nothing. Values below the floor, 0 included, are drawn on it.
LOG_FLOOR_FRACTION = 1e-4


@dataclasses.dataclass(frozen=True)
class Panel:
    """One panel: a title and one labelled schedule per curve."""

    title: str
    curves: dict[str, Any]


def default_panels(schedule: AnySchedule) -> list[Panel]:
    """Continuous beside staircase for a schedule that has the option, else the schedule alone.

    Curve labels differ between the panels so that each keeps its own colour.
    """
    if schedule.has_staircase:
        return [Panel(name, {name: s}) for name, s in variants(schedule).items()]
    return [Panel(schedule.keras_name, {"lr": schedule})]


def layout(schedules: Sequence[AnySchedule], labels: Sequence[str]) -> tuple[str, list[Panel]]:
    """The title and panels for the schedules a user gave, under their labels."""
    if len(schedules) == 1:
        return title_label(schedules[0]), default_panels(schedules[0])
    return " vs ".join(labels), [Panel("", dict(zip(labels, schedules)))]


@dataclasses.dataclass(frozen=True)
class Picture:
    """A picture to draw: title, panels, and the engine evaluating them."""

    title: str
    panels: list[Panel]
    engine: Engine
    steps_per_epoch: int | None = None
    log_y: bool = False
    #: Steps to mark with a vertical line: where saved models' training stands.
    marks: tuple[int, ...] = ()

    @property
    def shown_marks(self) -> list[int]:
        """The marks within the plotted steps."""
        return [m for m in self.marks if self.first <= m <= self.last]

    @property
    def steps(self) -> Steps:
        return self.engine.steps

    @property
    def first(self) -> int:
        return self.steps.first

    @property
    def last(self) -> int:
        return self.steps.last

    @property
    def backend_name(self) -> str:
        return self.engine.backend.name

    def schedules(self) -> dict[str, Any]:
        """Every curve's schedule by label."""
        return {label: s for panel in self.panels for label, s in panel.curves.items()}

    def merged(self) -> Panel:
        """Every curve in one panel: for a terminal too small for several."""
        if len(self.panels) == 1:
            return self.panels[0]
        return Panel("", self.schedules())

    @property
    def exact(self) -> bool:
        """False when some curve is sampled rather than drawn from every deciding step."""
        return self.engine.exact(self.schedules().values())

    @functools.cached_property
    def value_range(self) -> tuple[float, float]:
        """The lowest and highest value of all curves; on a log axis, the floor rather than 0
        (``log_floor``). LogScaleError when a log axis would have no positive value to show."""
        lo, hi = self.extremes
        if self.log_y and lo <= 0:
            if hi <= 0:
                raise LogScaleError("the learning rate is 0 throughout: a log axis has nothing"
                                    " to show")
            return self.log_floor or lo, hi
        return lo, hi

    @functools.cached_property
    def log_floor(self) -> float | None:
        """Where a log axis starts when the values reach 0 (see LOG_FLOOR_FRACTION); None when
        there is no log axis or no value reaches 0."""
        if not self.log_y:
            return None
        lo, hi = self.extremes
        if lo > 0:
            return None
        smallest = self.engine.smallest_positive(self.schedules().values())
        if smallest is None:
            return None
        return max(smallest / 10, hi * LOG_FLOOR_FRACTION)

    @functools.cached_property
    def extremes(self) -> tuple[float, float]:
        """The lowest and highest value of all curves, 0 included."""
        return self.engine.value_range(self.schedules().values())
