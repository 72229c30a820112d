"""Cutting evaluated points down to those that draw each column as all of them do.

A column shows the span from its lowest to its highest value and is joined to its neighbours
from its first and last point. Which points a column keeps depends only on what all of its
points show, not on how many were evaluated, so every step and the chosen ones draw the same
picture; memory stays flat however many steps a column holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrtool.engine.columns import columns_of

if TYPE_CHECKING:
    import numpy as np


def extremes(
    steps: np.ndarray, values: np.ndarray, cuts: np.ndarray, stairs: bool = True,
    only_turning: bool = False,
) -> np.ndarray:
    """Indices of the points that draw each column as all of its points do, whichever they are.

    A column keeps its first and last point and, where it turns inside, the first of its lowest
    and of its highest points. A monotone column keeps nothing more, unless it changes value
    just once (a stair) and ``stairs`` says every edge is among the points: then both sides of
    that change, so that the stair is drawn upright. ``steps`` ascend.

    ``only_turning`` cuts down the columns that turn and keeps the others whole.
    """
    import numpy as np

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
