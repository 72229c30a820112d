"""Warnings: what would surely surprise the author of a schedule over the steps shown.

Not errors: Keras runs these schedules as written. Each schedule says what surprises in its own
arguments (``surprises``); the notes every schedule shares are added here.
"""

from __future__ import annotations

from typing import Any

from lrtool.schedules.params import tiny_arguments
from lrtool.shape.search import WRAP
from lrtool.steps import Steps


def warnings(schedule: Any, steps: Steps) -> list[str]:
    """Surprises worth a warning over the requested steps, one line each."""
    if not steps:
        return []
    first, last = steps.first, steps.last
    notes = schedule.surprises(first, last) + tiny_arguments(schedule.arguments())
    if schedule.int_rate and last >= WRAP:
        notes.append(f"steps from {WRAP} on wrap around to negative numbers: Keras casts the step"
                     " to int32 when initial_learning_rate is an integer")
    return notes
