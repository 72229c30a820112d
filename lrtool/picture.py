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
    """A log axis was asked for values that reach zero."""


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

    @property
    def exact(self) -> bool:
        """False when some curve is sampled rather than drawn from every deciding step."""
        return self.engine.exact(self.schedules().values())

    @functools.cached_property
    def value_range(self) -> tuple[float, float]:
        """The lowest and highest value of all curves; LogScaleError when ``log_y`` and a
        value is zero."""
        lo, hi = self.engine.value_range(self.schedules().values())
        if self.log_y and lo <= 0:
            raise LogScaleError(f"the learning rate reaches {lo:g}, which a log axis cannot show")
        return lo, hi
