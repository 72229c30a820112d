"""The run's length in epochs: --epochs, --steps-per-epoch, --dataset-size and --batch-size,
checked together and turned into steps per epoch (``lrtool.epochs`` counts them as Keras does).

Kept apart from the other options so that an epoch-based schedule (a Keras LearningRateScheduler
function, shown per epoch) can reuse the same options and checks.
"""

from __future__ import annotations

from typing import Any

import click

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
