"""Warnings: what would surely surprise the author of a schedule over the steps shown.

Not errors: Keras runs these schedules as written. Each schedule says what surprises in its own
arguments (``surprises``) and which steps it is set up to reach (``milestones``); the rules for
those, and the notes every schedule shares, are here:

* a milestone is worth a warning when the run ends before it, only the first one missed (the
  later ones are missed too, and say nothing new), and for a gradual one (a continuous decay's
  decay_steps) only when the rate then moves by less than ``GRADUAL_NOTICE``. A run of exactly
  decay_steps steps is how a decay is set up, not a surprise;
* figures are readable: two significant digits, never "0.00%";
* with several schedules each warning is printed once, naming the schedules it is about.
"""

from __future__ import annotations

from typing import Any

from lrtool.schedules.params import tiny_arguments
from lrtool.shape.search import WRAP
from lrtool.steps import Steps

#: A run shorter than a continuous decay's decay_steps surprises when the rate moves by less.
GRADUAL_NOTICE = 0.10


def warnings(schedule: Any, steps: Steps, epochs: int | None = None,
             steps_per_epoch: int | None = None) -> list[str]:
    """Surprises worth a warning over the requested steps, one line each.

    ``epochs`` (with ``steps_per_epoch``): the run was given as that many epochs, and the
    warnings say so ("never reached in 10 epochs of 391 steps").
    """
    if not steps:
        return []
    first, last = steps.first, steps.last
    notes = schedule.surprises(first, last)
    missed = missed_milestone(schedule, first, last)
    if missed:
        notes.append(missed.replace("{span}", span_text(last, epochs, steps_per_epoch)))
    notes += tiny_arguments(schedule.arguments(), getattr(schedule, "numbers", None))
    if schedule.int_rate and last >= WRAP:
        notes.append(f"steps from {WRAP} on wrap around to negative numbers: Keras casts the step"
                     " to int32 when initial_learning_rate is an integer")
    return list(dict.fromkeys(notes))


def missed_milestone(schedule: Any, first: int, last: int) -> str | None:
    """The first milestone a run from ``first`` to ``last`` misses, as a warning with a
    ``{span}`` to fill in; None when none is missed or missing it would not surprise."""
    method = getattr(schedule, "milestones", None)
    missed = [m for m in (method(last) if method else []) if m.step > last]
    if not missed:
        return None
    m = missed[0]
    text = m.missed
    if m.gradual:
        change = relative_change(schedule, first, last)
        if change is not None and abs(change) >= GRADUAL_NOTICE:
            return None
        text = change_text(change)
    return f"{m.what} {'are' if m.plural else 'is'} never reached {{span}}: {text}"


def span_text(last: int, epochs: int | None, steps_per_epoch: int | None) -> str:
    """How the run's length reads in a warning: in epochs when it was given in epochs."""
    if epochs and steps_per_epoch:
        return (f"in {epochs:,} epoch{'s' if epochs != 1 else ''} of {steps_per_epoch:,} steps"
                f" ({epochs * steps_per_epoch:,} steps)")
    return f"by the last step shown ({last:,})"


def relative_change(schedule: Any, first: int, last: int) -> float | None:
    """(rate at ``last``) / (rate at ``first``) - 1; None when that is no number."""
    import numpy as np

    a, b = (float(v) for v in schedule.formula(np.array([first, last], dtype=np.int64)))
    if a == 0 or not (np.isfinite(a) and np.isfinite(b)):
        return None
    return b / a - 1


def change_text(change: float | None) -> str:
    if change is None:
        return "the rate barely changes"
    if change == 0:
        return "the rate does not change"
    moves = "falls" if change < 0 else "rises"
    if 100 * abs(change) < SMALLEST_PERCENT:
        return f"the rate {moves} by less than {SMALLEST_PERCENT:g}%"
    return f"the rate {moves} by only {percent(abs(change))}"


#: Below this a percentage is "less than": float32 rates are only good to about 1e-5 %.
SMALLEST_PERCENT = 1e-4


def percent(fraction: float) -> str:
    """A fraction as a readable percentage: 45%, 3.2%, 0.041%, never 0.00% (two significant
    digits below 10%, down to SMALLEST_PERCENT).

    Example:
        >>> [percent(x) for x in (0.45, 0.032, 0.00041, 0.00004, 1e-9)]
        ['45%', '3.2%', '0.041%', '0.004%', 'less than 0.0001%']
    """
    p = 100 * fraction
    if p >= 10:
        return f"{p:.0f}%"
    if p >= SMALLEST_PERCENT:
        return f"{p:.2g}%"
    return f"less than {SMALLEST_PERCENT:g}%"


def report(schedules: dict[str, Any], steps: Steps, epochs: int | None = None,
           steps_per_epoch: int | None = None) -> list[str]:
    """Every schedule's warnings, each text once: with several schedules, prefixed by the
    labels of those it is about ("every schedule" when it is about all of them)."""
    about: dict[str, list[str]] = {}
    for label, schedule in schedules.items():
        for note in warnings(schedule, steps, epochs, steps_per_epoch):
            about.setdefault(note, []).append(label)
    if len(schedules) <= 1:
        return list(about)
    return [f"{'every schedule' if len(labels) == len(schedules) else ', '.join(labels)}: {note}"
            for note, labels in about.items()]
