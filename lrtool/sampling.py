"""Choosing a readable handful of table rows out of millions, without losing what matters.

A table of a million rows helps nobody. A sampled table shows the first and last step, where
the rate jumps or turns (each stair, boundary and restart) with the step before it (Keras drops
*at* ``step == k * decay_steps``, so the pair shows the old and the new value, and the trough
before a restart), and rows spread over the whole range, so that no stretch of it goes unseen.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from lrtool.shape import edges
from lrtool.steps import Steps


def edges_in(schedules: Iterable[object], steps: Steps, limit: int,
             mode: str = "graph") -> list[int]:
    """Where any of the schedules jumps, as the first requested step showing the new value.

    With more than ``limit`` edges, an even spread of them and the very first one: the first
    drop is the one a reader looks for.
    """
    if not steps:
        return []
    found: set[int] = set()
    for schedule in schedules:
        spread_edges = edges(schedule, steps.first, steps.last, limit, mode)
        for edge in first_edge(schedule, steps.first, spread_edges, limit, mode) + spread_edges:
            hit = steps.first_at_or_after(edge)
            if hit is not None and hit != steps.first:
                found.add(hit)
    return sorted(found)


def first_edge(schedule: object, lo: int, found: list[int], limit: int,
               mode: str = "graph") -> list[int]:
    """The first edge after ``lo``, given an even spread of them (``found``), as a list.

    The spread may skip the first; each search below its first edge narrows the range by
    about ``limit`` times, so even a million stairs take a few rounds.
    """
    first = found[:1]
    while first:
        earlier = edges(schedule, lo, first[0] - 1, limit, mode)
        if not earlier:
            break
        first = earlier[:1]
    return first


def spread(count: int, n: int) -> list[int]:
    """``n`` indices spread evenly over ``range(count)``, first and last included."""
    if n >= count:
        return list(range(count))
    if n <= 1:
        return [0][:n]
    return sorted({_round_ratio(i * (count - 1), n - 1) for i in range(n)})


def _round_ratio(numerator: int, denominator: int) -> int:
    """``round(numerator / denominator)`` in exact integers: float division of steps near
    2**63 rounds up past the last index."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    return quotient + (twice > denominator or (twice == denominator and quotient % 2 == 1))


def table_steps(steps: Steps, edge_steps: Iterable[int], rows: int) -> Steps:
    """At most ``rows`` steps: first and last, edges with the step before each, an even spread.

    Half the rows (and one) are an even spread over the range, so that no gap between rows is
    wider than ``2 * range / rows`` however the edges lie. The other half shows edges, each
    with the step before it: all of them when there is room, else an even spread of them (the
    first and the last included). What is left fills the widest gaps.
    """
    n = len(steps)
    if n <= rows:
        return steps
    if rows < 2:
        return steps[:rows]
    chosen = {steps[i] for i in spread(n, min(rows, -(-rows // 2) + 1))}
    edge_list = list(edge_steps)
    pairs = (rows - len(chosen)) // 2
    if len(edge_list) > pairs:
        edge_list = [edge_list[i] for i in spread(len(edge_list), pairs)]
    for edge in edge_list:
        i = steps.count_below(edge)
        pair = {steps[i - 1], edge} if i > 0 else {edge}
        if len(chosen | pair) > rows:
            break
        chosen |= pair
    return Steps.listed(fill_gaps(steps, chosen, rows))


def fill_gaps(steps: Steps, chosen: set[int], rows: int) -> set[int]:
    """Add the middle step of the widest gap between chosen steps until there are ``rows``."""
    index = sorted(steps.count_below(s) for s in chosen)
    gaps = [(a - b, a, b) for a, b in zip(index, index[1:])]  # (-width, start, end) as a min-heap
    heapq.heapify(gaps)
    chosen = set(chosen)
    while len(chosen) < rows and gaps:
        width, a, b = heapq.heappop(gaps)
        if -width < 2:
            break  # the widest gap has no step inside: every step is shown
        middle = (a + b) // 2
        chosen.add(steps[middle])
        heapq.heappush(gaps, (a - middle, a, middle))
        heapq.heappush(gaps, (middle - b, middle, b))
    return chosen



def with_trained(shown: Steps, steps: Steps, marks: Iterable[int]) -> Steps:
    """The rows to show plus each marked step (where a saved model's training stands) that is
    among the requested ``steps``: the row of the rate the next step applies."""

    def among(group: Steps, step: int) -> bool:
        i = group.count_below(step)
        return i < len(group) and group[i] == step

    extra = {m for m in marks if among(steps, m) and not among(shown, m)}
    return Steps.listed(set(shown) | extra) if extra else shown
