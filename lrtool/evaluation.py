"""One interface to evaluation, whatever the backend: schedules and steps in, values out.

Example:
    >>> from lrtool import InverseTimeDecay, evaluate
    >>> ev = evaluate(InverseTimeDecay(0.1, 1, 0.5), range(5), backend="numpy")
    >>> ev.values.tolist()[:2]
    [0.10000000149011612, 0.06666667014360428]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Union

from lrtool.schedules import AnySchedule, OpaqueSchedule, Schedule
from lrtool.shape import first_bad_step
from lrtool.steps import Steps

if TYPE_CHECKING:
    import numpy as np

    from lrtool.backends import Backend

Schedules = Union[AnySchedule, Mapping[str, AnySchedule]]
StepsLike = Union[Steps, range, Iterable[int]]


class UnusableRate(ValueError):
    """The schedule gives nan, inf or a negative rate at a requested step."""

    def __init__(self, label: str, schedule: AnySchedule, step: int, value: float) -> None:
        hint = f": {schedule.bad_rate_hint}" if schedule.bad_rate_hint else ""
        super().__init__(
            f"{schedule.keras_name} gives an unusable learning rate ({value}) at step {step},"
            f" the first such step requested{hint}"
        )
        self.label, self.schedule, self.step, self.value = label, schedule, step, value


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """Steps and one value column per labelled schedule."""

    steps: np.ndarray
    columns: dict[str, np.ndarray]
    backend: str

    @property
    def values(self) -> np.ndarray:
        """The only column, for the common one-schedule case."""
        if len(self.columns) != 1:
            raise ValueError("several columns: use .columns")
        return next(iter(self.columns.values()))


@dataclasses.dataclass(frozen=True)
class Trained:
    """Where a saved model's training stands: its optimizer took ``step`` steps (``source``
    names the file), so the next step applies each column's rate at ``step``, ``next_values``."""

    step: int
    source: str
    next_values: dict[str, float] = dataclasses.field(default_factory=dict)


def labelled(schedules: Schedules) -> Mapping[str, AnySchedule]:
    """A lone schedule as the column ``lr``."""
    if isinstance(schedules, (Schedule, OpaqueSchedule)):
        return {"lr": schedules}
    return schedules


def resolve_backend(backend: str | Backend | None, mode: str = "graph") -> Backend:
    """A backend by name (None: $LRTOOL_BACKEND, else auto) in ``mode``, or the one given."""
    if backend is None or isinstance(backend, str):
        from lrtool.backends import resolve

        return resolve(backend, mode)
    return backend


def check(schedules: Schedules, steps: StepsLike, backend: str | Backend | None = None) -> None:
    """Raise UnusableRate for the first requested step with a nan, inf or negative rate.

    Run before anything is written, so that no output ever carries such a value. Schedules
    with a NumPy formula are checked with it (cheaply, often without evaluating every step);
    the others with the backend.
    """
    steps = Steps.of(steps)
    engine = resolve_backend(backend) if backend is not None else None
    mode = getattr(engine, "mode", "graph")
    for label, schedule in labelled(schedules).items():
        values: Any = None
        if not isinstance(schedule, Schedule):
            engine = engine or resolve_backend(None)
            values = lambda s, sch=schedule, e=engine: e.evaluate(sch, s)  # noqa: E731
        step = first_bad_step(schedule, steps, values, mode)
        if step is not None:
            import numpy as np

            at = np.array([step], np.int64)
            value = values(at)[0] if values else schedule.formula(at, mode)[0]
            raise UnusableRate(label, schedule, step, float(value))


def evaluate_chunks(
    schedules: Schedules, steps: StepsLike, backend: str | Backend | None = None
) -> Iterator[Evaluation]:
    """Evaluate chunk by chunk, so that any number of steps runs in flat memory."""
    columns = labelled(schedules)
    engine = resolve_backend(backend)
    for chunk in Steps.of(steps).chunks():
        yield Evaluation(chunk, guarded(columns, chunk, engine), engine.name)


def evaluate(
    schedules: Schedules, steps: StepsLike, backend: str | Backend | None = None
) -> Evaluation:
    """Evaluate all the steps at once (for tables and plots, which sample first).

    ``steps`` may also be an int64 array of ascending steps, used as it is.
    """
    import numpy as np

    columns = labelled(schedules)
    engine = resolve_backend(backend)
    if isinstance(steps, np.ndarray):  # already chosen steps, ascending: no copy
        array = steps.astype(np.int64, copy=False)
    else:
        array = Steps.of(steps).array()
    if array.size == 0:
        empty = {k: np.zeros(0, s.value_dtype()) for k, s in columns.items()}
        return Evaluation(array, empty, engine.name)
    return Evaluation(array, guarded(columns, array, engine), engine.name)


def guarded(columns: Mapping[str, AnySchedule], steps: np.ndarray,
            engine: Backend) -> dict[str, np.ndarray]:
    """Each column evaluated at ``steps``; UnusableRate for the first nan, inf or negative rate.

    ``check`` finds such rates before any output from what a schedule states about itself;
    this is the backstop that keeps them out of the output should a statement be wrong.
    """
    import numpy as np

    values = {label: engine.evaluate(s, steps) for label, s in columns.items()}
    for label, column in values.items():
        bad = ~(column >= 0) | np.isinf(column)  # nan compares false
        if bad.any():
            i = int(np.argmax(bad))
            raise UnusableRate(label, columns[label], int(steps[i]), float(column[i]))
    return values
