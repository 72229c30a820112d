"""Exact searches over step sequences, for schedules that are monotone between known points.

Both helpers evaluate the schedule's own float32 arithmetic, so what they find is what Keras
computes, including the rounding of steps beyond 2**24.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def first_true(steps: Sequence[int], predicate: Callable[[np.ndarray], np.ndarray]) -> int | None:
    """The first step of an ascending sequence where a monotone (False..True) predicate holds.

    ``steps`` may be a ``range`` of a billion steps: this costs about 30 evaluations.
    """
    import numpy as np

    n = len(steps)
    if n == 0 or not predicate(np.array([steps[-1]], dtype=np.int64))[0]:
        return None
    lo, hi = 0, n - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if predicate(np.array([steps[mid]], dtype=np.int64))[0]:
            hi = mid
        else:
            lo = mid + 1
    return int(steps[lo])


def segment_starts(
    segment: Callable[[np.ndarray], np.ndarray], lo: int, hi: int, limit: int
) -> list[int]:
    """The steps in (lo, hi] where a nondecreasing segment index changes, at most ``limit``.

    ``segment`` maps int64 steps to a nondecreasing float array (``floor(step / decay_steps)``
    for a staircase). All wanted edges are found at once by a vectorized bisection, so a
    thousand stair edges cost about as much as one.
    """
    import numpy as np

    if hi <= lo or limit <= 0:
        return []
    first, last = segment(np.array([lo, hi], dtype=np.int64))
    if last <= first:
        return []
    # Candidate targets: every segment value when few, else an even spread of them.
    count = last - first
    if count <= limit:
        targets = np.arange(1, int(count) + 1, dtype=np.float64) + first
    else:
        targets = np.linspace(first, last, limit + 1)[1:]
    low = np.full(targets.shape, lo + 1, dtype=np.int64)
    high = np.full(targets.shape, hi, dtype=np.int64)
    while np.any(low < high):
        mid = low + (high - low) // 2
        reached = segment(mid) >= targets
        high = np.where(reached, mid, high)
        low = np.where(reached, low, mid + 1)
    return sorted(set(int(s) for s in low))
