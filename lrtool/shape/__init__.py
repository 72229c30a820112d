"""Where a schedule jumps or turns, where it is monotone, and its first unusable step.

Plots and tables show a billion steps from a few thousand evaluations because of one rule:

    Between two consecutive edges, a schedule's values are monotone: they only fall, or only
    rise. A jump, a restart, a turn from warmup to decay is an edge.

A schedule states where its edges are as data, from its ``shape()`` method:

* ``NoEdges()``: smooth and monotone over any range (a continuous decay);
* ``Turns(at)``: a few known steps (a warmup's peak, the end of a decay, piecewise boundaries);
* ``Segments(index)``: stretches numbered by a nondecreasing index, such as
  ``floor(step / decay_steps)`` for stairs, the restart number, the cycle number;
* ``Within(outer, inner, per)``: ``outer``'s segments, and stretches numbered by ``inner``,
  nondecreasing only within each of them (a restart's fraction done, which float32 can carry
  past a whole number);
* ``Union(a, b)``: any of these together.

and says whether its values are ``monotone`` across edges too, how unusable rates (nan, inf,
negative) can appear (``bad``), and whether its step ``wraps`` at 2**31 (Keras casts the step to
int32 under an integer learning rate; each wrap is then an edge). A schedule without a shape (a
user's own class, known only as ``steps -> values``) gets the safe default: every step may be an
edge, so plots evaluate every step or sample (and say so), and unusable rates are found by
evaluating every requested step. ``tests/test_shape.py`` checks every registry schedule's stated
shape against evaluating every step.

Example:
    >>> from lrtool.schedules import InverseTimeDecay
    >>> edges(InverseTimeDecay(0.1, 1000, 0.5, staircase=True), 0, 3500, limit=10)
    [1000, 2000, 3000]
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, Protocol

from lrtool.shape.kinds import Edges, NoEdges, Segments, Turns, Union, Within
from lrtool.shape.search import WRAP, Values, first_true, int32_blocks, spread_out
from lrtool.steps import Steps

if TYPE_CHECKING:
    import numpy as np

#: Edges found at once when looking for a first unusable step stretch by stretch; beyond
#: this many, every requested step is evaluated instead.
MAX_STRETCHES = 1 << 21

#: How unusable rates can appear: ``never`` (the arguments rule them out), ``tail`` (once
#: unusable, every later step is too: a rate growing into inf, a denominator falling through
#: zero), ``stretch`` (the schedule is monotone within each stretch between edges, so each
#: stretch is unusable at its start or over a tail), ``any`` (anywhere: every requested step is
#: evaluated).
Bad = Literal["never", "tail", "stretch", "any"]




@dataclasses.dataclass(frozen=True)
class Shape:
    """What a schedule knows of its own curve (see the module's docstring for the rule)."""

    edges: Edges = NoEdges()
    #: Whether the values only fall, or only rise, across edges too, over steps [lo, hi]: an
    #: even spread of many edges then draws a plot exactly.
    monotone: bool | Callable[[int, int], bool] = False
    #: How unusable rates can appear over steps [lo, hi] (see ``Bad``).
    bad: Bad | Callable[[int, int], Bad] = "any"
    wraps: bool = False
    #: What evaluating one step costs, against a decay of plain arithmetic (glibc's logf and
    #: powf make a restart index about five times dearer): plans budget their work in these.
    weight: int = 1


class Shaped(Protocol):
    """What this module needs of a schedule: its stated shape, and its NumPy formula, each in
    a mode (how ``model.fit`` runs it: ``lrtool.schedules.kmath.Mode``)."""

    def shape(self, mode: str = "graph") -> Shape | None: ...

    def formula(self, steps: np.ndarray, mode: str = "graph") -> np.ndarray: ...


def shape_of(schedule: Any, mode: str = "graph") -> Shape | None:
    """The schedule's stated shape; None for one known only as ``steps -> values``."""
    method = getattr(schedule, "shape", None)
    return method(mode) if callable(method) else None


def known(schedule: Any) -> bool:
    """Whether the schedule states its edges, so that plots can be exact without every step."""
    return shape_of(schedule) is not None


def edges(schedule: Shaped, lo: int, hi: int, limit: int, mode: str = "graph") -> list[int]:
    """Steps in (lo, hi] where the value jumps or turns, ascending; an even spread of at most
    ``limit`` when there are more. None known for a schedule without a shape."""
    shape = shape_of(schedule, mode)
    if shape is None:
        return []
    values = functools.partial(schedule.formula, mode=mode)
    if not shape.wraps or hi < WRAP:
        return shape.edges.find(lo, hi, limit, values)
    found: list[int] = []
    for a, b in int32_blocks(lo, hi):
        if a > lo:
            found.append(a)  # the int32 step wraps to -2**31 here
        found += shape.edges.find(a, b, limit, values)
    return spread_out(sorted(set(found)), limit)


def edge_count(schedule: Any, lo: int, hi: int, mode: str = "graph") -> int:
    """At least as many as there are edges in (lo, hi], known without finding them.

    A plot asks this first: to find every edge when there are few enough, and to evaluate
    every step instead when that costs less. Unknown: one per step, the most there can be.
    """
    shape = shape_of(schedule, mode)
    if shape is None:
        return max(hi - lo, 0)
    if not shape.wraps or hi < WRAP:
        return shape.edges.count(lo, hi)
    blocks = int32_blocks(lo, hi)
    return sum(shape.edges.count(a, b) for a, b in blocks) + len(blocks) - 1


def monotone(schedule: Any, lo: int, hi: int, mode: str = "graph") -> bool:
    """Whether the value only falls, or only rises, over steps [lo, hi], edges included.

    A plot column's extremes are then its first and last steps, so an even spread of the
    edges draws it exactly however many there are. False unless the schedule says so.
    """
    shape = shape_of(schedule, mode)
    if shape is None or (shape.wraps and hi >= WRAP):
        return False
    m = shape.monotone
    return bool(m(lo, hi) if callable(m) else m)


def is_bad(values: np.ndarray) -> np.ndarray:
    """Values an optimizer cannot use: nan, inf, or below zero (negative zero included)."""
    import numpy as np

    values = np.asarray(values)
    if values.dtype.kind in "iu":
        return values < 0
    return ~np.isfinite(values) | np.signbit(values)


def first_bad_step(schedule: Any, steps: Steps | Iterable[int],
                   values: Values | None = None, mode: str = "graph") -> int | None:
    """The first of the steps whose value is not a usable rate (nan, inf, negative).

    ``values`` evaluates steps; by default the schedule's NumPy formula in ``mode``. A schedule
    without a shape, or one whose unusable rates may appear anywhere, has every step evaluated.
    """
    steps = Steps.of(steps)
    if not steps:
        return None
    values = values or functools.partial(schedule.formula, mode=mode)
    shape = shape_of(schedule, mode)
    bad: Bad = "any"
    if shape is not None:
        bad = shape.bad(steps.first, steps.last) if callable(shape.bad) else shape.bad
        if bad != "never" and shape.wraps and steps.last >= WRAP:
            bad = "any"  # tails and stretches hold within one int32 block at most
    if bad == "never":
        return None

    def predicate(s: np.ndarray) -> np.ndarray:
        return is_bad(values(s))

    if bad == "tail":
        return first_true(steps, predicate)
    if bad == "stretch" and edge_count(schedule, steps.first, steps.last, mode) <= MAX_STRETCHES:
        starts = edges(schedule, steps.first, steps.last, MAX_STRETCHES, mode)
        return first_bad_in_stretches(steps, starts, predicate)
    return first_bad_by_evaluation(steps, values)


def first_bad_in_stretches(steps: Steps, starts: list[int], predicate: Values) -> int | None:
    """The first bad step when the schedule is monotone within each stretch between ``starts``.

    A monotone stretch that begins usable can leave the usable range only one way (below zero
    going down, to inf going up) and never come back: its bad steps are a tail. One that begins
    unusable is found at its first step. So each stretch's first and last requested steps tell
    whether it has a bad step (two vectorized evaluations), and one bisection finds it.
    """
    import numpy as np

    bounds = np.array([s for s in sorted(set(starts)) if steps.first < s <= steps.last],
                      dtype=np.int64)
    first = np.concatenate([[0], steps.counts_below(bounds)])
    last = np.append(first[1:], len(steps)) - 1
    filled = first <= last
    first, last = first[filled], last[filled]
    bad_first = predicate(steps.at(first))
    hit = np.flatnonzero(bad_first | predicate(steps.at(last)))
    if hit.size == 0:
        return None
    k = hit[0]
    if bad_first[k]:
        return steps[int(first[k])]
    return first_true(steps[int(first[k]) : int(last[k]) + 1], predicate)


def first_bad_by_evaluation(steps: Steps, values: Values) -> int | None:
    """Evaluate every step, a chunk at a time, and return the first unusable one."""
    import numpy as np

    for chunk in steps.chunks():
        bad = np.flatnonzero(is_bad(values(chunk)))
        if bad.size:
            return int(chunk[bad[0]])
    return None
