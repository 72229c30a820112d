"""Choosing a readable handful of table rows out of millions, without losing what matters.

A table of a million rows helps nobody: it shows the first and last step, the edges (where the
rate jumps; Keras drops *at* step == k * decay_steps), and an even spread between.
"""

from __future__ import annotations

from collections.abc import Iterable

from lrtool.shape import edges
from lrtool.steps import Steps


def edges_in(schedules: Iterable[object], steps: Steps, limit: int,
             mode: str = "graph") -> list[int]:
    """Where any of the schedules jumps, as the first requested step showing the new value."""
    if not steps:
        return []
    found: set[int] = set()
    for schedule in schedules:
        for edge in edges(schedule, steps.first, steps.last, limit, mode):
            hit = steps.first_at_or_after(edge)
            if hit is not None and hit != steps.first:
                found.add(hit)
    return sorted(found)


def spread(count: int, n: int) -> list[int]:
    """``n`` indices spread evenly over ``range(count)``, first and last included."""
    if n >= count:
        return list(range(count))
    if n <= 1:
        return [0][:n]
    return sorted({round(i * (count - 1) / (n - 1)) for i in range(n)})


def table_steps(steps: Steps, edge_steps: Iterable[int], rows: int) -> Steps:
    """At most ``rows`` steps: first and last, edges, then an even spread.

    Edges take at most half the rows (with the step before each when there is room), so that
    a continuous column shown beside a staircase still gets rows between the edges.
    """
    n = len(steps)
    if n <= rows:
        return steps
    chosen = {steps.first, steps.last}
    room = (rows - 2) // 2
    edge_list = list(edge_steps)
    if 2 * len(edge_list) <= room:
        for edge in edge_list:
            i = steps.count_below(edge)
            chosen.update((steps[i - 1], edge) if i > 0 else (edge,))
    else:
        chosen.update(edge_list[i] for i in spread(len(edge_list), min(room, len(edge_list))))
    # Top up with evenly spaced steps, skipping ones already chosen.
    for i in spread(n, rows):
        if len(chosen) >= rows:
            break
        chosen.add(steps[i])
    return Steps.listed(chosen)
