"""Short, distinct names for several schedules: column headers, legends, captions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lrtool.schedules.params import number_text


def short_labels(schedules: Sequence[Any]) -> list[str]:
    """Distinct, short names for several schedules (plot legends, CSV column headers).

    The class name alone when it is unique, else the class name with the arguments that tell
    the schedules of that class apart: ``ExponentialDecay(decay_rate=0.5)``.
    """
    labels = []
    for schedule in schedules:
        same = [s for s in schedules if s.keras_name == schedule.keras_name]
        if len(same) == 1:
            labels.append(schedule.keras_name)
            continue
        own = schedule.arguments()
        differing = [k for k in own if any(repr(s.arguments().get(k)) != repr(own[k]) for s in same)]
        inner = ", ".join(f"{k}={number_text(own[k], k in getattr(schedule, 'dtype_arguments', ()))}"
                          for k in differing)
        labels.append(f"{schedule.keras_name}({inner})")
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):  # identical schedules: number the repeats
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            labels[i] = f"{label} #{seen[label]}"
    return labels
