"""The schedule registry: Keras class name -> schedule class.

Adding a schedule is one module defining a ``Schedule`` subclass and one entry here; the CLI, the
outputs and the tests read this mapping.
"""

from __future__ import annotations

from lrtool.schedules.base import Schedule, ScheduleError
from lrtool.schedules.inverse_time import InverseTimeDecay

REGISTRY: dict[str, type[Schedule]] = {
    cls.keras_name: cls
    for cls in (InverseTimeDecay,)
}

#: The schedule the CLI's flags describe when no SCHEDULE argument is given.
DEFAULT = InverseTimeDecay

__all__ = ["DEFAULT", "REGISTRY", "InverseTimeDecay", "Schedule", "ScheduleError"]
