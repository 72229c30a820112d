"""The schedule registry: Keras class name -> schedule class.

Adding a schedule is one module defining a ``Schedule`` subclass and one entry in ``REGISTRY``;
the CLI, the README's schedule reference, completion and the tests read this mapping.
"""

from __future__ import annotations

from typing import Union

from lrtool.schedules.base import Schedule
from lrtool.schedules.cosine import CosineDecay
from lrtool.schedules.cosine_restarts import CosineDecayRestarts
from lrtool.schedules.exponential import ExponentialDecay
from lrtool.schedules.inverse_time import InverseTimeDecay
from lrtool.schedules.opaque import OpaqueSchedule
from lrtool.schedules.params import ScheduleError
from lrtool.schedules.piecewise import PiecewiseConstantDecay
from lrtool.schedules.polynomial import PolynomialDecay
from lrtool.schedules.warmup import WarmUp

#: In the order of Keras's ``learning_rate_schedule.py``, then transformers' WarmUp.
REGISTRY: dict[str, type[Schedule]] = {
    cls.keras_name: cls
    for cls in (
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
        WarmUp,
    )
}

#: The schedule the CLI's flags describe when no SCHEDULE argument is given.
DEFAULT = InverseTimeDecay

#: Anything lrtool evaluates: a schedule it knows the formula of, or one it only calls.
AnySchedule = Union[Schedule, OpaqueSchedule]

__all__ = [
    "DEFAULT",
    "REGISTRY",
    "AnySchedule",
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "OpaqueSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "Schedule",
    "ScheduleError",
    "WarmUp",
]
