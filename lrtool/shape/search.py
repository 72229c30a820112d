"""Exact searches over steps, for schedules that are monotone between known points.

Every search evaluates the schedule's own float32 arithmetic (its ``formula``), so what it finds
is what Keras computes, including the rounding of steps beyond 2**24. Bisections are vectorized
where many targets are searched at once, so a thousand stair edges cost about as much as one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lrtool.steps import Steps

if TYPE_CHECKING:
    import numpy as np

#: An int32 step (Keras casts the step to int32 under an int learning rate) wraps at this step
#: and every 2**32 after it.
WRAP = 2**31

Values = Callable[["np.ndarray"], "np.ndarray"]


#: Steps probed at once per round of ``first_true``: one vector evaluation narrows the search
#: by this factor, so a billion steps take 6 rounds rather than 30 single-step evaluations.
PROBES = 32


def first_true(steps: Steps, predicate: Values) -> int | None:
    """The first of the steps where a monotone (False..True) predicate holds.

    ``steps`` may be a range of a billion steps: this costs about 7 vector evaluations of
    PROBES steps each (the formulas compute each element alike, whatever its neighbours).
    """
    import numpy as np

    def holds(indices: list[int]) -> np.ndarray:
        return np.asarray(predicate(np.array([steps[i] for i in indices], dtype=np.int64)))

    n = len(steps)
    if n == 0 or not holds([n - 1])[0]:
        return None
    lo, hi = 0, n - 1  # the first step where it holds is at an index in lo..hi; it holds at hi
    while lo < hi:
        if hi - lo <= PROBES:
            probes = list(range(lo, hi))
        else:
            probes = sorted({lo + (hi - lo) * k // PROBES for k in range(PROBES)})
        found = np.flatnonzero(holds(probes))
        if found.size:
            k = int(found[0])
            lo, hi = (probes[k - 1] + 1 if k else lo), probes[k]
        else:
            lo = probes[-1] + 1
    return steps[lo]


def first_step_where(predicate: Values, lo: int, hi: int) -> int | None:
    """The first step in (lo, hi] where a monotone (False..True) predicate holds."""
    if hi <= lo:
        return None
    return first_true(Steps.span(lo + 1, hi + 1), predicate)


def segment_starts(segment: Values, lo: int, hi: int, limit: int) -> list[int]:
    """The steps in (lo, hi] where a nondecreasing segment index changes, at most ``limit``.

    ``segment`` maps int64 steps to a nondecreasing float array (``floor(step / decay_steps)``
    for a staircase). All wanted edges are found at once by a vectorized bisection.
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


def starts_within(index: Values, starts: list[int], hi: int) -> list[int]:
    """The steps where ``index`` changes inside stretches that begin at ``starts`` (ascending,
    each running to the next one's step before, the last to ``hi``), ``index`` being
    nondecreasing within each stretch only. Each change is found by one vectorized bisection."""
    import numpy as np

    begin = np.asarray(starts, dtype=np.int64)
    if begin.size == 0:
        return []
    end = np.append(begin[1:] - 1, hi)
    first, last = index(begin), index(end)
    with np.errstate(invalid="ignore"):
        counts = np.where(np.isfinite(first) & np.isfinite(last) & (last > first),
                          last - first, 0).astype(np.int64)
    owner = np.repeat(np.arange(begin.size), counts)
    if owner.size == 0:
        return []
    targets = first[owner] + 1 + (np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts,
                                                                   counts))
    low, high = begin[owner] + 1, end[owner].copy()
    while np.any(low < high):
        mid = low + (high - low) // 2
        reached = index(mid) >= targets
        high = np.where(reached, mid, high)
        low = np.where(reached, low, mid + 1)
    return np.unique(low).tolist()


def segment_count(segment: Values, lo: int, hi: int) -> int:
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


def where_value_changes(edges: list[int], values: Values) -> list[int]:
    """The edges where the value really moves (step e - 1 and e differ).

    A stair or restart edge whose two sides hold the same value (the rate underflowed to 0,
    or float32 steps beyond 2**24 land on the same fraction) joins two stretches of the same
    direction into one monotone stretch, so it is no edge to show.
    """
    import numpy as np

    if not edges:
        return edges
    at = np.array(edges, dtype=np.int64)
    before, after = values(at - 1), values(at)
    # Compared bit for bit: 0.0 and -0.0 differ here (-0.0 is an unusable rate, 0.0 is not).
    bits = np.dtype(f"u{before.dtype.itemsize}")
    same = (before.view(bits) == after.view(bits)) | (np.isnan(before) & np.isnan(after))
    return at[~same].tolist()


def spread_out(edges: list[int], limit: int) -> list[int]:
    """At most ``limit`` of the edges, spread evenly, first and last kept."""
    if len(edges) <= limit:
        return edges
    if limit <= 1:
        return edges[:limit]
    return sorted({edges[round(i * (len(edges) - 1) / (limit - 1))] for i in range(limit)})


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
