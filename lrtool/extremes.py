"""Each column's extremes for schedules that turn more often than a plot has columns.

``lrtool.plotdata`` draws a schedule exactly from each column's first and last step and both
sides of every edge. That needs every edge: an even spread of them only suffices when the
schedule is monotone overall (a column's extremes are then its ends). A schedule that turns at
each edge (restarts, cycles, a piecewise rate going up and down) and has more edges than
``EDGE_LIMIT`` is drawn here instead, from a plan that cuts the requested steps into pieces:

* a piece with few enough edges is drawn from all of them (found by bisection, a few dozen cheap
  evaluations each), which is what a restart every thousand steps over a billion steps costs;
* a piece whose edges are so dense that finding them costs more than evaluating its steps (a
  restart every few steps) has every step evaluated, a chunk at a time.

Either way the points are then cut down to what draws each column as all of them do (first, last,
lowest, highest), so memory stays flat and the picture is the one every step gives.

NumPy is imported inside the functions, like everywhere in lrtool.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from lrtool.schedules.base import Schedule

if TYPE_CHECKING:
    import numpy as np

#: Edges found at once; more are found piece by piece, so that memory stays flat (8 MB of steps).
MAX_EDGES = 1 << 20
#: What finding one edge costs, in evaluations of one step: a vectorized bisection of ~30 cheap
#: segment-index evaluations, then both sides evaluated. Where a piece has more edges than its
#: steps / EDGE_COST, evaluating every step is cheaper, and as exact.
EDGE_COST = 16
#: Steps evaluated at once when every step is: large, so that a backend call's overhead vanishes.
EVERY_CHUNK = 1 << 20


@dataclasses.dataclass
class Piece:
    """A run of the requested steps and how to draw it: from all its edges, or every step."""

    steps: Sequence[int]
    by_edges: bool
    edges: np.ndarray | None = None  # found on first use, kept while the plan's total is small


def plan(schedule: Schedule, steps: Sequence[int]) -> list[Piece]:
    """The requested steps cut into pieces of at most MAX_EDGES edges (halving until they are).

    Costs two evaluations per piece: ``edge_count`` knows the number before finding any.
    """
    pieces: list[Piece] = []
    todo = [steps]
    while todo:
        part = todo.pop()
        count = schedule.edge_count(int(part[0]), int(part[-1]))
        if count * EDGE_COST >= len(part):
            pieces.append(Piece(part, False))
        elif count <= MAX_EDGES or len(part) < 2:
            pieces.append(Piece(part, True))
        else:
            half = len(part) // 2
            todo += [part[half:], part[:half]]  # the first half is taken next: pieces ascend
    return pieces


def points(
    schedule: Schedule,
    pieces: list[Piece],
    cuts: np.ndarray,
    run: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Steps and values drawing every column as every requested step does; ``run`` evaluates."""
    import numpy as np

    from lrtool.plotdata import picture_steps
    from lrtool.steps import chunks

    kept_steps, kept_values = [], []

    def keep(steps: np.ndarray, values: np.ndarray) -> None:
        index = extremes(steps, values, cuts)
        kept_steps.append(steps[index])
        kept_values.append(values[index])

    single = sum(p.by_edges for p in pieces) == 1
    for piece in pieces:
        if not piece.by_edges:
            for chunk in chunks(piece.steps, EVERY_CHUNK):
                keep(chunk, run(chunk))
            continue
        edges = piece.edges
        if edges is None:
            lo, hi = int(piece.steps[0]), int(piece.steps[-1])
            edges = np.asarray(schedule.edges(lo, hi, MAX_EDGES), dtype=np.int64)
            if single:  # the next drawing (the value range, then the picture) reuses them
                piece.edges = edges
        chosen = picture_steps(schedule, piece.steps, cuts, edges)
        keep(chosen, run(chosen))
    steps, values = np.concatenate(kept_steps), np.concatenate(kept_values)
    index = extremes(steps, values, cuts)  # pieces may share a column
    return steps[index], values[index]


def extremes(
    steps: np.ndarray, values: np.ndarray, cuts: np.ndarray, stairs: bool = True,
    only_turning: bool = False,
) -> np.ndarray:
    """Indices of the points that draw each column as all of its points do, whichever they are.

    A column shows the span from its lowest to its highest value and is joined to its neighbours
    from its first and last point. So a column keeps those two, and, where it turns inside, the
    first of its lowest and of its highest points. A monotone column keeps nothing more, unless
    it changes value just once (a stair) and ``stairs`` says every edge is among the points:
    then both sides of that change, so that the stair is drawn upright. Which points a column
    keeps depends only on what all of its points show, not on how many were evaluated: every
    step and the chosen ones keep the same, and draw the same image. ``steps`` ascend.

    ``only_turning`` cuts down the columns that turn and keeps the others whole.
    """
    import numpy as np

    from lrtool.plotdata import columns_of

    n = len(steps)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    columns = columns_of(cuts, steps)
    starts = np.flatnonzero(np.concatenate([[True], columns[1:] != columns[:-1]]))
    ends = np.append(starts[1:], n) - 1
    owner = np.repeat(np.arange(starts.size), ends - starts + 1)
    keep = np.zeros(n, dtype=bool)
    keep[starts] = keep[ends] = True
    low, high = np.minimum.reduceat(values, starts), np.maximum.reduceat(values, starts)
    ends_low = np.minimum(values[starts], values[ends])
    ends_high = np.maximum(values[starts], values[ends])
    turns = (low < ends_low) | (high > ends_high)
    for extreme in (low, high):
        hits = np.flatnonzero((values == extreme[owner]) & turns[owner])
        keep[hits[np.diff(owner[hits], prepend=-1) != 0]] = True  # each column's first
    if only_turning:
        return np.flatnonzero(keep | ~turns[owner])
    if not stairs:
        return np.flatnonzero(keep)
    moves = np.flatnonzero((values[1:] != values[:-1]) & (owner[1:] == owner[:-1]))
    once = np.bincount(owner[moves], minlength=starts.size) == 1
    stair = moves[once[owner[moves]] & ~turns[owner[moves]]]
    keep[stair] = keep[stair + 1] = True
    return np.flatnonzero(keep)
