"""The schedule registry: Keras class name -> schedule class.

Adding a schedule is one module defining a ``Schedule`` subclass and one entry here; the CLI, the
outputs and the tests read this mapping.
"""

from __future__ import annotations

from lrtool.schedules.base import Schedule, ScheduleError
from lrtool.schedules.cosine import CosineDecay
from lrtool.schedules.cosine_restarts import CosineDecayRestarts
from lrtool.schedules.exponential import ExponentialDecay
from lrtool.schedules.inverse_time import InverseTimeDecay
from lrtool.schedules.piecewise import PiecewiseConstantDecay
from lrtool.schedules.polynomial import PolynomialDecay

#: In the order of Keras's ``learning_rate_schedule.py``.
REGISTRY: dict[str, type[Schedule]] = {
    cls.keras_name: cls
    for cls in (
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}

#: The schedule the CLI's flags describe when no SCHEDULE argument is given.
DEFAULT = InverseTimeDecay

__all__ = [
    "DEFAULT",
    "REGISTRY",
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "Schedule",
    "ScheduleError",
]
