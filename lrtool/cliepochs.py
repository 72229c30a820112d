"""The run's length in epochs: --epochs, --steps-per-epoch, --dataset-size and --batch-size,
checked together and turned into steps per epoch (``lrtool.epochs`` counts them as Keras does).

Kept apart from the other options so that an epoch-based schedule (a Keras LearningRateScheduler
function, shown per epoch) can reuse the same options and checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click
from click.core import ParameterSource

from lrtool.clitypes import MAX_STEP


def epoch_length(params: dict[str, Any]) -> tuple[int | None, str | None]:
    """The steps per epoch (given, or counted from --dataset-size and --batch-size) and what an
    epoch is in words; checks that --epochs can be counted in steps."""
    from lrtool import epochs

    size, batch, given = params["dataset_size"], params["batch_size"], params["steps_per_epoch"]
    if (size is None) != (batch is None):
        present, missing = ("--dataset-size", "--batch-size") if batch is None else (
            "--batch-size", "--dataset-size")
        raise click.UsageError(f"{present} needs {missing} to count the steps per epoch")
    if size is not None and given is not None:
        raise click.UsageError("--steps-per-epoch and --dataset-size with --batch-size both give"
                               " the steps per epoch: use one")
    if params["epochs"] and params["steps"] is not None:
        raise click.UsageError("--epochs and --steps both give the length of the run: use one")
    per_epoch = epochs.steps_per_epoch(size, batch) if size is not None else given
    if params["epochs"] and per_epoch is None:
        raise click.UsageError("--epochs needs --steps-per-epoch, or --dataset-size and"
                               " --batch-size, to count the steps")
    if per_epoch is None:
        return None, None
    if params["epochs"] and params["epochs"] * per_epoch > MAX_STEP:
        raise click.BadParameter(f"{params['epochs']} epochs of {per_epoch} steps is beyond the"
                                 f" last step, {MAX_STEP} (Keras counts steps in int64)",
                                 param_hint="'--epochs'")
    return per_epoch, epochs.describe(per_epoch, size, batch)


def run_epoch_functions(schedules: list[Any], params: dict[str, Any], per_epoch: int | None,
                        specs: Sequence[str]) -> list[Any]:
    """Run each LearningRateScheduler function over the epochs the requested steps reach, from
    --initial-learning-rate, as Keras's callback runs it; other schedules are kept as they are."""
    from lrtool.schedules import ScheduleError
    from lrtool.schedules.epochfn import EpochFunction

    functions = [s for s in schedules if isinstance(s, EpochFunction)]
    if not functions:
        return schedules
    name = functions[0].keras_name
    if per_epoch is None:
        raise click.UsageError(f"{name} sets the rate once per epoch: give --steps-per-epoch"
                               " (or --dataset-size and --batch-size)")
    at = [step for group in params["at"] for step in group]
    if at:
        last = max(at)
    elif params["epochs"]:
        last = params["epochs"] * per_epoch - 1
    elif params["steps"] is not None:
        last = params["steps"] - 1
    else:
        raise click.UsageError(f"{name} has no length of its own: give --epochs (or --steps)")
    source = click.get_current_context().get_parameter_source("initial_learning_rate")
    if source is ParameterSource.DEFAULT and any(f.takes_lr for f in functions):
        raise click.UsageError(f"{name}(epoch, lr) starts from the optimizer's learning rate:"
                               " give it with --initial-learning-rate")
    out = []
    for schedule, text in zip(schedules, specs):
        if isinstance(schedule, EpochFunction):
            try:
                schedule = schedule.bind(params["initial_learning_rate"], per_epoch,
                                         max(last, 0) // per_epoch + 1)
            except ScheduleError as exc:
                raise click.BadParameter(exc.message, param_hint=f"SCHEDULE {text!r}") from None
        out.append(schedule)
    return out
