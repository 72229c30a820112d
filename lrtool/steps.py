"""Which steps to evaluate: a ``range`` (``--steps``, ``--start``, ``--every``) or an explicit list.

A ``range`` of a billion steps costs nothing until it is evaluated, and evaluation walks it in
chunks, so memory stays flat for any step count.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: Steps per evaluation chunk: large enough to amortise per-call overhead, small enough for cache.
CHUNK = 1 << 16


def select(
    steps: int, start: int = 0, every: int = 1, at: Iterable[int] | None = None
) -> Sequence[int]:
    """The requested steps, ascending. ``at`` wins when given (sorted, duplicates dropped).

    Example:
        select(10, start=2, every=3) == range(2, 10, 3)   # 2, 5, 8
    """
    if at is not None:
        return tuple(sorted(set(at)))
    return range(start, steps, every)


def chunks(steps: Sequence[int], size: int = CHUNK) -> Iterator[np.ndarray]:
    """The steps as int64 arrays of at most ``size`` each."""
    import numpy as np

    for i in range(0, len(steps), size):
        part = steps[i : i + size]
        if isinstance(part, range):
            yield np.arange(part.start, part.stop, part.step, dtype=np.int64)
        else:
            yield np.asarray(part, dtype=np.int64)


def as_array(steps: Sequence[int]) -> np.ndarray:
    import numpy as np

    parts = list(chunks(steps))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
