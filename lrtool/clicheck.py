"""Checks before any output: the backend can run the schedules, and no requested step gets
an unusable rate. Each failure is a click error naming the option or argument at fault.
"""

from __future__ import annotations

from typing import Any

import click

from lrtool.schedules import AnySchedule
from lrtool.steps import Steps


def check_rates(schedules: dict[str, Any], steps: Steps, backend: Any) -> None:
    """Refuse schedules giving an unusable rate at a requested step, before any output."""
    from lrtool.evaluate import UnusableRate, check

    try:
        check(schedules, steps, backend)
    except UnusableRate as exc:
        raise click.UsageError(str(exc)) from None


def checked_backend(name: str, schedules: list[AnySchedule], mode: str) -> Any:
    """The backend, checked against the schedules: one lrtool only calls needs TensorFlow,
    and must run the way the mode's train step runs it. TensorFlow's is the warm worker's
    when one answers (``lrtool.worker``)."""
    from lrtool.backends import BackendUnavailable, resolve
    from lrtool.worker.client import warm_backend

    try:
        backend = warm_backend(name, schedules, mode) or resolve(name, mode)
    except BackendUnavailable as exc:
        raise click.BadParameter(str(exc), param_hint="'--backend'") from None
    for schedule in schedules:
        if getattr(schedule, "formula", None) is not None:
            continue
        if backend.name == "numpy":
            raise click.BadParameter(f"{schedule.keras_name} is a TensorFlow schedule with no"
                                     " NumPy formula: use --backend tensorflow",
                                     param_hint="'--backend'")
        import numpy as np

        from lrtool.backends.tensorflow_backend import ScalarOnly

        try:
            backend.evaluate(schedule, np.zeros(1, np.int64))
        except ScalarOnly as exc:
            raise click.BadParameter(str(exc), param_hint="SCHEDULE") from None
    return backend
