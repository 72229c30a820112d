"""Epochs as Keras counts them: how many steps an epoch has, and how a run given in epochs reads.

``model.fit(x, batch_size=B)`` on N examples takes ceil(N / B) steps per epoch: the last, partial
batch is a step too. A learning-rate schedule counts those steps (the optimizer's iterations),
not epochs, which is where "my learning rate never decayed" usually starts: decay_steps written
as a number of epochs, or for another dataset size.
"""

from __future__ import annotations


def steps_per_epoch(dataset_size: int, batch_size: int) -> int:
    """Steps in one epoch of ``dataset_size`` examples in batches of ``batch_size``, a partial
    last batch included (Keras's count).

    Example:
        >>> steps_per_epoch(50_000, 128), steps_per_epoch(50_000, 100)
        (391, 500)
    """
    return -(-dataset_size // batch_size)


def describe(per_epoch: int, dataset_size: int | None = None,
             batch_size: int | None = None) -> str:
    """One line saying what an epoch is here, for a table's caption.

    Example:
        >>> describe(391, 50_000, 128)
        'epoch = step / 391 (391 steps per epoch: 50,000 examples in batches of 128, the last one partial)'
    """
    text = f"epoch = step / {per_epoch:,}"
    if dataset_size is None or batch_size is None:
        return text
    partial = ", the last one partial" if dataset_size % batch_size else ""
    return (f"{text} ({per_epoch:,} steps per epoch: {dataset_size:,} examples in batches of"
            f" {batch_size:,}{partial})")
