"""What the explorer shows, apart from any screen: the schedules, which argument is chosen, the
step range, the axis, the cursor, and the backend the values come from.

Every key of the explorer is a method here that changes this state or raises ScheduleError
(or LogScaleError) with the one line to show; the state is unchanged then. ``picture`` is the
plot ``lrtool plot`` would draw of it; ``readout`` the exact values under the cursor.
Kept free of Textual so that it can be driven and measured directly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lrtool.engine import Curve, Engine
from lrtool.explore.knobs import Knob, expression, knobs, nudge, typed
from lrtool.picture import Picture, layout
from lrtool.schedules import AnySchedule, Schedule, ScheduleError
from lrtool.steps import Steps

if TYPE_CHECKING:
    import numpy as np

#: The narrowest step range zooming in gives, and the widest zooming out gives.
MIN_SPAN, MAX_STOP = 16, 2**53


class RememberingEngine(Engine):
    """An engine that keeps each curve it drew: moving the cursor or resizing back redraws
    without evaluating again (the TensorFlow backend takes milliseconds per call)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.drawn: dict[tuple[int, bytes], Curve] = {}

    def curve(self, schedule: Any, cuts: np.ndarray) -> Curve:
        key = (id(schedule), cuts.tobytes())
        if key not in self.drawn:
            self.plan(schedule)  # keeps the schedule alive, so its id stays its own
            if len(self.drawn) > 256:
                self.drawn.clear()
            self.drawn[key] = super().curve(schedule, cuts)
        return self.drawn[key]


@dataclasses.dataclass
class State:
    """The explorer's state. ``backend`` draws now; ``steps_per_epoch`` as on the command line."""

    schedules: list[AnySchedule]
    steps: Steps
    backend: Any
    steps_per_epoch: int | None = None
    log_y: bool = False
    active: int = 0
    row: int = 0
    cursor: int = 0
    help: bool = False

    def __post_init__(self) -> None:
        self.original = list(self.schedules)
        self._pictures: dict[int, Picture] = {}

    # --- what is shown --------------------------------------------------------------------

    @property
    def schedule(self) -> AnySchedule:
        """The schedule whose arguments the panel lists (Tab moves to the next)."""
        return self.schedules[self.active]

    def knobs(self) -> list[Knob]:
        return knobs(self.schedule)

    @property
    def knob(self) -> Knob | None:
        rows = self.knobs()
        return rows[min(self.row, len(rows) - 1)] if rows else None

    def labels(self) -> list[str]:
        from lrtool.labels import short_labels

        return short_labels(self.schedules) if len(self.schedules) > 1 else ["lr"]

    def picture(self, backend: Any = None) -> Picture:
        """The plot of the schedules over the steps, as ``lrtool plot`` draws it (kept until
        something changes)."""
        backend = backend or self.backend
        key = id(backend)
        if key not in self._pictures:
            title, panels = layout(self.schedules, self.labels())
            engine = RememberingEngine(self.steps, backend)
            self._pictures[key] = Picture(title, panels, engine, self.steps_per_epoch, self.log_y)
        return self._pictures[key]

    def changed(self) -> None:
        """Forget the pictures: the schedules, the steps or the axis changed."""
        self._pictures.clear()

    def expression(self) -> str:
        """The chosen schedule as a SCHEDULE argument, as ``q`` prints it."""
        return expression(self.schedule)

    def readout(self, step: int) -> list[tuple[str, str]]:
        """(label, exact value) of every curve at ``step``, from the backend drawing."""
        import numpy as np

        from lrtool.numtext import format_numbers

        at = np.array([step], np.int64)
        picture = self.picture()
        return [(label, format_numbers(self.backend.evaluate(s, at))[0])
                for label, s in picture.schedules().items()]

    # --- keys -----------------------------------------------------------------------------

    def choose(self, direction: int) -> None:
        """Up (-1) / Down (+1): the argument above or below, wrapping around."""
        count = len(self.knobs())
        if count:
            self.row = (self.row + direction) % count

    def next_schedule(self, direction: int = 1) -> None:
        """Tab: the next schedule's arguments (the row kept where it fits)."""
        self.active = (self.active + direction) % len(self.schedules)
        self.row = min(self.row, max(len(self.knobs()) - 1, 0))

    def nudge(self, direction: int) -> list[str]:
        """Left (-1) / Right (+1): the chosen argument one step down or up; the notes the
        reader makes (a repaired argument), for the status line."""
        knob = self._chosen()
        notes: list[str] = []
        self._replace(nudge(self.schedule, knob, direction, notes))
        return notes

    def type_value(self, text: str) -> list[str]:
        """Enter: the chosen argument set to the typed value, read as the command line reads it."""
        knob = self._chosen()
        notes: list[str] = []
        self._replace(typed(self.schedule, knob, text, notes))
        return notes

    def toggle_staircase(self) -> None:
        """``s``: the chosen schedule's staircase argument (or cycle) switched."""
        schedule = self.schedule
        names = [k for k in ("staircase", "cycle") if k in schedule.arguments()]
        if not names:
            raise ScheduleError(None, f"{schedule.keras_name} has no staircase option")
        knob = next(k for k in self.knobs() if k.name == names[0])
        self._replace(nudge(schedule, knob, 1))

    def toggle_log(self) -> None:
        """``l``: a logarithmic learning-rate axis, or back to linear."""
        from lrtool.picture import LogScaleError

        self.log_y = not self.log_y
        self.changed()
        try:
            self.picture().value_range  # noqa: B018 - the log axis's own check
        except LogScaleError:
            self.log_y = not self.log_y
            self.changed()
            raise

    def zoom(self, factor: float, around: int) -> None:
        """``+`` (factor 0.5) / ``-`` (factor 2): the step range narrowed or widened around
        the step ``around``, keeping the stride."""
        r = self.steps
        every = r[1] - r[0] if len(r) > 1 else 1
        span = r.last - r.first + 1
        new = int(min(max(span * factor, MIN_SPAN * every), MAX_STOP))
        if new == span:
            raise ScheduleError(None, "the step range cannot "
                                + ("narrow" if factor < 1 else "widen") + " further")
        share = (around - r.first) / span
        start = max(0, int(around - share * new))
        start -= (start - r.first) % every  # stay on the stride
        start = max(start, 0)
        self.steps = Steps.span(start, min(start + new, MAX_STOP), every)
        self.changed()

    # --- helpers --------------------------------------------------------------------------

    def _chosen(self) -> Knob:
        knob = self.knob
        if knob is None:
            raise ScheduleError(None, f"{self.schedule.keras_name} has no arguments lrtool can"
                                " show")
        return knob

    def _replace(self, schedule: AnySchedule) -> None:
        """Put the new schedule in place, once no requested step gets an unusable rate."""
        if isinstance(schedule, Schedule):
            from lrtool.evaluation import UnusableRate, check

            try:
                check(schedule, self.steps, self.backend)
            except UnusableRate as exc:
                raise ScheduleError(None, str(exc)) from None
        self.schedules[self.active] = schedule
        self.changed()


def initial_state(schedules: Sequence[AnySchedule], steps: Steps, backend: Any,
                  steps_per_epoch: int | None = None) -> State:
    """The state for what the command line gave: the steps as a range from the first to the
    last requested (``--at`` steps become the range they span)."""
    if not steps.is_range:
        steps = Steps.span(steps.first, max(steps.last + 1, steps.first + MIN_SPAN))
    return State(list(schedules), steps, backend, steps_per_epoch)
