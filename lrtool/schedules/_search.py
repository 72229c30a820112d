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
    # Bracket each target between two points of an even grid as fine as the targets are many,
    # so that a million restarts take ~10 bisection rounds rather than ~30.
    grid = np.linspace(lo, hi, min(targets.size, 1 << 20) + 1).astype(np.int64)
    grid[0], grid[-1] = lo, hi
    above = np.clip(np.searchsorted(segment(grid), targets, side="left"), 1, grid.size - 1)
    low, high = grid[above - 1] + 1, grid[above].copy()
    while np.any(low < high):
        mid = low + (high - low) // 2
        reached = segment(mid) >= targets
        high = np.where(reached, mid, high)
        low = np.where(reached, low, mid + 1)
    # Ascending already (the targets are); one step can reach several targets at once.
    return low[np.diff(low, prepend=lo) != 0].tolist()


def segment_count(segment: Callable[[np.ndarray], np.ndarray], lo: int, hi: int) -> int:
    """How often a nondecreasing segment index changes in (lo, hi]: at most that many starts.

    Two evaluations, so a plot learns how many edges a billion steps hold before finding any.
    """
    import numpy as np

    if hi <= lo:
        return 0
    first, last = segment(np.array([lo, hi], dtype=np.int64))
    if not (np.isfinite(first) and np.isfinite(last)):
        return hi - lo  # no count to be had: every step may be one
    return int(max(last - first, 0))


def count_with_wrap(wraps: bool, count: Callable[[int, int], int], lo: int, hi: int) -> int:
    """``count`` over [lo, hi]; where the step ``wraps`` at 2**31 (an int initial rate), each
    piece apart, plus one per wrap."""
    if not wraps or hi < WRAP:
        return count(lo, hi)
    blocks = int32_blocks(lo, hi)
    return sum(count(a, b) for a, b in blocks) + len(blocks) - 1


def first_in(steps: Sequence[int], lo: int, hi: int | None = None) -> int | None:
    """Index of the first requested step in [lo, hi] (steps ascending), None when there is none."""
    import bisect

    if isinstance(steps, range):
        if not len(steps):
            return None
        k = 0 if lo <= steps.start else -(-(lo - steps.start) // steps.step)
    else:
        k = bisect.bisect_left(steps, lo)
    if k >= len(steps) or (hi is not None and steps[k] > hi):
        return None
    return k


def first_bad_in_segments(
    steps: Sequence[int],
    starts: Sequence[int],
    bad: Callable[[np.ndarray], np.ndarray],
) -> int | None:
    """The first bad step when the schedule is monotone between the ``starts`` (its edges).

    On a monotone stretch whose first value is usable, the value can only leave the usable range
    one way (below zero going down, to inf going up), so the bad steps are a tail of the stretch:
    one evaluation and one bisection per stretch.
    """
    import numpy as np

    bounds = [s for s in sorted(set(starts)) if len(steps) and steps[0] < s <= steps[-1]]
    edges = [steps[0], *bounds] if len(steps) else []
    for i, lo in enumerate(edges):
        hi = edges[i + 1] - 1 if i + 1 < len(edges) else steps[-1]
        k = first_in(steps, lo, hi)
        if k is None:
            continue
        if bad(np.array([steps[k]], dtype=np.int64))[0]:
            return int(steps[k])
        end = first_in(steps, hi + 1)
        found = first_true(steps[k : len(steps) if end is None else end], bad)
        if found is not None:
            return found
    return None


#: Keras casts the step to int32 under an int learning rate: it wraps at this step and every 2**32.
WRAP = 2**31


def int32_blocks(lo: int, hi: int) -> list[tuple[int, int]]:
    """[lo, hi] cut where an int32 step wraps (2**31 + k * 2**32): each piece counts up."""
    pieces = []
    start = lo
    while start <= hi:
        k = (start - WRAP) // 2**32 + 1 if start >= WRAP else 0
        end = min(hi, WRAP + k * 2**32 - 1)
        pieces.append((start, end))
        start = end + 1
    return pieces


def edges_with_wrap(
    wraps: bool, edges: Callable[[int, int, int], list[int]], lo: int, hi: int, limit: int
) -> list[int]:
    """``edges`` over [lo, hi]; where the step ``wraps`` at 2**31 (an int initial rate), each
    wrap is an edge too, and the pieces between are searched apart."""
    if not wraps or hi < WRAP:
        return edges(lo, hi, limit)
    found: list[int] = []
    for a, b in int32_blocks(lo, hi):
        if a > lo:
            found.append(a)
        found += edges(a, b, limit)
    return spread_out(sorted(set(found)), limit)


def spread_out(edges: list[int], limit: int) -> list[int]:
    """At most ``limit`` of the edges, spread evenly, first and last kept."""
    if len(edges) <= limit:
        return edges
    if limit <= 1:
        return edges[:limit]
    return sorted({edges[round(i * (len(edges) - 1) / (limit - 1))] for i in range(limit)})


def first_step_where(
    predicate: Callable[[np.ndarray], np.ndarray], lo: int, hi: int
) -> int | None:
    """The first step in (lo, hi] where a monotone (False..True) predicate holds."""
    if hi <= lo:
        return None
    return first_true(range(lo + 1, hi + 1), predicate)


def where_value_changes(
    edges: list[int], evaluate: Callable[[np.ndarray], np.ndarray]
) -> list[int]:
    """The edges where the value really moves (step e - 1 and e differ).

    A stair or restart edge whose two sides hold the same value (the rate underflowed to 0,
    or float32 steps beyond 2**24 land on the same fraction) joins two stretches of the same
    direction into one monotone stretch, so it is no edge to show.
    """
    import numpy as np

    if not edges:
        return edges
    at = np.array(edges, dtype=np.int64)
    before, after = evaluate(at - 1), evaluate(at)
    # Compared bit for bit: 0.0 and -0.0 differ here (-0.0 is an unusable rate, 0.0 is not).
    bits = np.dtype(f"u{before.dtype.itemsize}")
    same = (before.view(bits) == after.view(bits)) | (np.isnan(before) & np.isnan(after))
    return at[~same].tolist()
