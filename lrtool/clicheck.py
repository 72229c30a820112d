"""Checks before any output: the backend can run the schedules, and no requested step gets
an unusable rate. Each failure is a click error naming the option or argument at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from lrtool.schedules import AnySchedule
from lrtool.steps import Steps


def check_rates(schedules: dict[str, Any], steps: Steps, backend: Any) -> None:
    """Refuse schedules giving an unusable rate at a requested step, before any output."""
    from lrtool.evaluation import UnusableRate, check

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


def resume_start(params: dict[str, Any], saved: list[Any]) -> tuple[int, bool]:
    """The first step to show, and whether --resume chose it: the step the saved models'
    training reached (``lrtool.modelfile.SavedModel.trained``)."""
    if not params["resume"]:
        return params["start"], False
    if params["start"] or params["at"]:
        raise click.UsageError("--resume begins where training stands: use it without --start"
                               " and --at")
    reached = sorted({model.trained for model in saved if model.trained is not None})
    if not reached:
        why = ("the saved model holds no optimizer state (it was saved before compile)"
               if saved else "give a saved model (.keras or .h5, saved after fit) as SCHEDULE")
        raise click.BadParameter(why, param_hint="'--resume'")
    if len(reached) > 1:
        raise click.BadParameter(f"the saved models reached different steps"
                                 f" ({', '.join(map(str, reached))}): use --start",
                                 param_hint="'--resume'")
    return reached[0], True


def default_total(suggested: int, start: int, resumed: bool, saved: list[Any]) -> int:
    """Steps to show when --steps and --epochs do not say: the schedule's suggestion, reaching
    a tenth past where saved training stands, or after --resume the next ``suggested`` steps
    when training is already near or past the end of the suggestion."""
    if resumed:
        return suggested + start if start > suggested * 0.9 else suggested
    reached = [model.trained for model in saved if model.trained is not None]
    return max([suggested] + [step + 1 + suggested // 10 for step in reached])


def check_resume(start: int, total: int, resumed: bool) -> None:
    """Refuse --resume past the steps asked for: that run is over."""
    if resumed and start >= total:
        raise click.BadParameter(f"training reached step {start:,}, not below the {total:,}"
                                 " steps asked for", param_hint="'--resume'")


def trained_marks(saved: list[Any], schedules: list[AnySchedule], labels: list[str],
                  columns: dict[str, Any], backend: Any) -> list[Any]:
    """Where each saved model's training stands, with the rate of its next step per column
    (every column for a lone schedule, whose --both columns are its own)."""
    import numpy as np

    from lrtool.evaluation import Trained

    marks = []
    for schedule, label in zip(schedules, labels):
        model = next((m for m in saved if m.schedule is schedule and m.trained is not None), None)
        if model is None:
            continue
        own = columns if len(schedules) == 1 else {label: columns[label]}
        at = np.array([model.trained], np.int64)
        marks.append(Trained(model.trained, model.source,
                             {k: float(backend.evaluate(s, at)[0]) for k, s in own.items()}))
    return marks


def check_image_options(output: str | None, show: bool, **sizes: float | None) -> None:
    """Refuse image options without an image, an unknown file type, or --show without a display.

    Checked before any evaluation, so that a typo costs no TensorFlow start.
    """
    given = [f"--{name}" for name, value in sizes.items() if value is not None]
    if given and output is None and not show:
        raise click.UsageError(f"{given[0]} sizes an image: use it with -o FILE or --show")
    if output is None and not show:
        return
    from lrtool.output import image

    try:
        if output is not None:
            image.format_of(output)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'-o' / '--output'") from None
    try:
        if show:
            image.check_display()
    except image.DisplayError as exc:
        raise click.BadParameter(str(exc), param_hint="'--show'") from None


def check_output(output: str | None, inputs: Sequence[str]) -> None:
    """Refuse ``-o FILE`` when FILE is one of the run's input files: it would be overwritten."""
    from lrtool.files import same_file

    for name in inputs if output is not None else ():
        if same_file(output, name.partition(":")[0]) or same_file(output, name):
            raise click.BadParameter("is an input of this run (a SCHEDULE or --import file):"
                                     " it would be overwritten", param_hint="'-o' / '--output'")
