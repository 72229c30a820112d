"""One interface to evaluation, whatever the backend: schedules and steps in, values out.

Example:
    >>> from lrtool import InverseTimeDecay, evaluate
    >>> ev = evaluate(InverseTimeDecay(0.1, 1, 0.5), range(5), backend="numpy")
    >>> ev.values.tolist()[:2]
    [0.10000000149011612, 0.06666667014360428]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Union

from lrtool.schedules.base import Schedule

if TYPE_CHECKING:
    import numpy as np

    from lrtool.backends import Backend

Schedules = Union[Schedule, Mapping[str, Schedule]]


class UnusableRate(ValueError):
    """The schedule gives nan, inf or a negative rate at a requested step."""

    def __init__(self, label: str, schedule: Schedule, step: int, value: float) -> None:
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


def series(schedule: Schedule, both: bool = False) -> dict[str, Schedule]:
    """The columns to show: ``lr``, or the continuous and staircase variants side by side."""
    if both and schedule.has_staircase:
        return {
            "continuous": schedule.with_staircase(False),
            "staircase": schedule.with_staircase(True),
        }
    return {"lr": schedule}


def _labelled(schedules: Schedules) -> Mapping[str, Schedule]:
    return {"lr": schedules} if isinstance(schedules, Schedule) else schedules


def _backend(backend: str | Backend | None) -> Backend:
    if backend is None or isinstance(backend, str):
        from lrtool.backends import resolve

        return resolve(backend)
    return backend


def check(schedules: Schedules, steps: Sequence[int]) -> None:
    """Raise UnusableRate for the first requested step with a nan, inf or negative rate.

    Run before anything is written, so that no output ever carries such a value.
    """
    import numpy as np

    for label, schedule in _labelled(schedules).items():
        step = schedule.first_bad_step(steps)
        if step is not None:
            value = schedule.evaluate_numpy(np.array([step], dtype=np.int64))[0]
            raise UnusableRate(label, schedule, step, float(value))


def evaluate_chunks(
    schedules: Schedules, steps: Sequence[int], backend: str | Backend | None = None
) -> Iterator[Evaluation]:
    """Evaluate chunk by chunk, so that any number of steps runs in flat memory."""
    from lrtool.steps import chunks

    labelled = _labelled(schedules)
    engine = _backend(backend)
    for chunk in chunks(steps):
        yield Evaluation(
            chunk, {label: engine.evaluate(s, chunk) for label, s in labelled.items()}, engine.name
        )


def evaluate(
    schedules: Schedules, steps: Sequence[int], backend: str | Backend | None = None
) -> Evaluation:
    """Evaluate all the steps at once (for tables and plots, which sample first)."""
    import numpy as np

    from lrtool.steps import as_array

    labelled = _labelled(schedules)
    engine = _backend(backend)
    array = as_array(steps)
    if array.size == 0:
        empty = {k: np.zeros(0, s.value_dtype()) for k, s in labelled.items()}
        return Evaluation(array, empty, engine.name)
    return Evaluation(array, {k: engine.evaluate(s, array) for k, s in labelled.items()}, engine.name)
