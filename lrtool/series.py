"""What a schedule is shown as: itself, or its continuous and staircase variants side by side.

``table --both`` and ``csv --both`` put the two variants in two columns; ``plot`` draws them as
two panels. Both take them from here, under the same names.
"""

from __future__ import annotations

from typing import Any

from lrtool.schedules import AnySchedule


def variants(schedule: Any) -> dict[str, Any]:
    """The continuous and staircase variants of a schedule with a ``staircase`` argument."""
    return {"continuous": schedule.with_staircase(False),
            "staircase": schedule.with_staircase(True)}


def title_label(schedule: AnySchedule) -> str:
    """The schedule's constructor call as given, ``staircase=True`` included: its panels show
    both variants, and the title says which one the optimizer gets."""
    return schedule.label()
