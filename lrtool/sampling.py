"""Choosing a readable handful of steps out of millions, without losing what matters.

A table of a million rows helps nobody: it shows the first and last step, the stair edges
(where the rate jumps; Keras drops *at* step == k * decay_steps), and an even spread between.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from lrtool.schedules.base import Schedule


def first_at_or_after(steps: Sequence[int], step: int) -> int | None:
    """The first requested step >= ``step`` (the steps are ascending)."""
    if isinstance(steps, range):
        if step <= steps.start:
            return steps.start if len(steps) else None
        k = -(-(step - steps.start) // steps.step)
        return steps[k] if k < len(steps) else None
    i = bisect.bisect_left(steps, step)
    return steps[i] if i < len(steps) else None


def edges_in(schedules: Iterable[Schedule], steps: Sequence[int], limit: int) -> list[int]:
    """Where any of the schedules jumps, as the first requested step showing the new value."""
    if not len(steps):
        return []
    found: set[int] = set()
    for schedule in schedules:
        for edge in schedule.edges(steps[0], steps[-1], limit):
            hit = first_at_or_after(steps, edge)
            if hit is not None and hit != steps[0]:
                found.add(hit)
    return sorted(found)


def spread(count: int, n: int) -> list[int]:
    """``n`` indices spread evenly over ``range(count)``, first and last included."""
    if n >= count:
        return list(range(count))
    if n <= 1:
        return [0][:n]
    return sorted({round(i * (count - 1) / (n - 1)) for i in range(n)})


def table_steps(steps: Sequence[int], edges: Sequence[int], rows: int) -> list[int]:
    """At most ``rows`` steps: first and last, stair edges, then an even spread.

    Edges take at most half the rows (with the step before each when there is room), so that
    a continuous column shown beside a staircase still gets rows between the edges.
    """
    n = len(steps)
    if n <= rows:
        return list(steps)
    chosen = {steps[0], steps[-1]}
    room = (rows - 2) // 2
    edge_list = list(edges)
    if 2 * len(edge_list) <= room:
        for edge in edge_list:
            i = _index(steps, edge)
            chosen.update((steps[i - 1], edge) if i > 0 else (edge,))
    else:
        chosen.update(edge_list[i] for i in spread(len(edge_list), min(room, len(edge_list))))
    # Top up with evenly spaced steps, skipping ones already chosen.
    for i in spread(n, rows):
        if len(chosen) >= rows:
            break
        chosen.add(steps[i])
    return sorted(chosen)


def _index(steps: Sequence[int], step: int) -> int:
    if isinstance(steps, range):
        return (step - steps.start) // steps.step
    return bisect.bisect_left(steps, step)
