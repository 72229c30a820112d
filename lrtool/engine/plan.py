"""How to draw a schedule exactly from few evaluations: one plan per schedule and range of steps.

What a column shows of a curve is the lowest and highest value among the steps that fall in it,
joined to its neighbours by the segments between consecutive steps. Between consecutive edges a
schedule is monotone (``lrtool.shape``), so those extremes sit at a column's first and last step,
or on either side of an edge inside it. The plans:

* ``ByEdges``: every edge is known (at most EDGE_LIMIT), or the schedule is monotone overall so
  that an even spread of its edges will do: each column's ends and both sides of each edge.
* ``ByPieces``: a schedule that turns at more edges than that (a restart every thousand steps
  over a billion): piece by piece, every edge where finding them pays, every step where they
  are denser, each piece's points cut down to what draws each column.
* ``EveryStep``: every requested step; the reference tests compare against, and what a schedule
  without a stated shape gets while that is affordable.
* ``Sampled``: a schedule without a stated shape beyond that, or one whose edges are so dense
  that exactness would cost more than EXACT_BUDGET steps evaluated one by one: evenly spaced
  steps in every column. Not exact, and it says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Union

from lrtool.engine.extremes import extremes
from lrtool.shape import edge_count, edges, known, monotone, shape_of
from lrtool.steps import Steps

if TYPE_CHECKING:
    import numpy as np

Run = Callable[["np.ndarray"], "np.ndarray"]

#: Edges asked of a schedule: more than a picture has pixel columns, so that a schedule with
#: fewer edges than this is drawn exactly whatever it does between them.
EDGE_LIMIT = 8192
#: Edges found at once in a piece; more are found piece by piece, so that memory stays flat.
MAX_EDGES = 1 << 20
#: What finding one edge costs, in evaluations of one step (a vectorized bisection, then both
#: sides). Where a piece has more edges than its steps / EDGE_COST, every step is cheaper.
EDGE_COST = 16
#: Steps evaluated at once when every step is: large, so that a backend call's overhead vanishes.
EVERY_CHUNK = 1 << 20
#: Values of every-step pieces kept between the drawings of one picture (the value range, then
#: the columns), at most: 16 MB of float32, more than the exact budget allows a restart index
#: through glibc's logf and powf, so that such a picture evaluates its steps once.
KEEP_VALUES = 1 << 22
#: Steps evaluated, at most, where edges are too dense to find (a restart at nearly every step,
#: whose values follow no order from one restart to the next), each edge found counting as
#: EDGE_COST steps and each step as its shape's weight: beyond this a picture is sampled, and
#: says so, rather than taking minutes (about 3 s of NumPy at most). A million restarts of
#: t_mul 1 found edge by edge stay within it.
EXACT_BUDGET = 1 << 24
#: Evenly spaced steps such a picture is sampled at: fewer than SAMPLE_BUDGET, as each costs
#: what a restart schedule's logarithm and power cost.
DENSE_SAMPLES = 1 << 14
#: Evaluations a schedule without a stated shape may cost a picture: every step up to this
#: many, else this many spread over the columns.
SAMPLE_BUDGET = 1 << 16


@dataclasses.dataclass(frozen=True)
class EveryStep:
    """Every requested step, every point kept: nothing chosen, nothing cut."""

    stairs: bool
    exact = True

    def points(self, steps: Steps, cuts: np.ndarray, run: Run) -> tuple[np.ndarray, np.ndarray]:
        every = steps.array()
        return every, run(every)


@dataclasses.dataclass(frozen=True)
class ByEdges:
    """Each column's first and last step and both sides of each edge."""

    edges: np.ndarray
    stairs: bool
    exact = True

    def points(self, steps: Steps, cuts: np.ndarray, run: Run) -> tuple[np.ndarray, np.ndarray]:
        chosen = picture_steps(steps, cuts, self.edges)
        return chosen, run(chosen)


@dataclasses.dataclass
class Piece:
    """A run of the requested steps and how to draw it: from all its edges, or every step."""

    steps: Steps
    by_edges: bool
    cost: int  # in steps of plain arithmetic: its steps, or EDGE_COST per edge found
    edges: np.ndarray | None = None  # found on first use, kept when there is one such piece
    values: list[np.ndarray] | None = None  # an every-step piece's NumPy values, kept if few


@dataclasses.dataclass(frozen=True)
class ByPieces:
    """Pieces of at most MAX_EDGES edges each, or of every step where edges are denser."""

    schedule: Any
    pieces: list[Piece]
    mode: str = "graph"
    stairs = True
    exact = True

    def points(self, steps: Steps, cuts: np.ndarray, run: Run) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        kept_steps, kept_values = [], []

        def keep(s: np.ndarray, v: np.ndarray) -> None:
            index = extremes(s, v, cuts)
            kept_steps.append(s[index])
            kept_values.append(v[index])

        def formula(s: np.ndarray) -> np.ndarray:
            with np.errstate(all="ignore"):
                return np.asarray(self.schedule.formula(s, self.mode))

        def pick(s: np.ndarray, v: np.ndarray | None = None) -> None:
            """The backend evaluates only the points that draw the columns: chosen from the
            NumPy formula, the same float32 values as TensorFlow's except under XLA."""
            if self.mode != "xla":
                s = s[extremes(s, formula(s) if v is None else v, cuts)]
            keep(s, run(s))

        single = sum(p.by_edges for p in self.pieces) == 1
        every = sum(len(p.steps) for p in self.pieces if not p.by_edges)
        remember = self.mode != "xla" and every <= KEEP_VALUES  # the next drawing reuses them
        for piece in self.pieces:
            if not piece.by_edges:
                kept, fresh = piece.values, []
                for k, chunk in enumerate(piece.steps.chunks(EVERY_CHUNK)):
                    v = kept[k] if kept is not None else None
                    if v is None and remember:
                        v = formula(chunk)
                        fresh.append(v)
                    pick(chunk, v)
                if remember and kept is None:
                    piece.values = fresh
                continue
            found = piece.edges
            if found is None:
                lo, hi = piece.steps.first, piece.steps.last
                found = np.asarray(edges(self.schedule, lo, hi, MAX_EDGES, self.mode),
                                   dtype=np.int64)
                if single:  # the next drawing (the value range, then the picture) reuses them
                    piece.edges = found
            pick(picture_steps(piece.steps, cuts, found))
        s, v = np.concatenate(kept_steps), np.concatenate(kept_values)
        index = extremes(s, v, cuts)  # pieces may share a column
        return s[index], v[index]


@dataclasses.dataclass
class Sampled:
    """SAMPLE_BUDGET evenly spaced steps, and each column's first and last: extremes between
    them may be missed, so the picture says "sampled". The even spread is evaluated once and
    kept: the value range and the picture both draw from it."""

    stairs = True
    exact = False
    budget: int = 0  # SAMPLE_BUDGET unless given
    spread: tuple[np.ndarray, np.ndarray] | None = None

    def points(self, steps: Steps, cuts: np.ndarray, run: Run) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        if self.spread is None:
            index = np.unique(np.linspace(0, len(steps) - 1, self.budget or SAMPLE_BUDGET).round().astype(np.int64))
            chosen = steps.at(index)
            self.spread = (chosen, run(chosen))
        first = steps.counts_below(cuts)
        last = np.append(first[1:], len(steps)) - 1
        filled = first <= last
        ends = steps.at(np.unique(np.concatenate([first[filled], last[filled]])))
        ends = ends[~np.isin(ends, self.spread[0])]
        every = np.concatenate([self.spread[0], ends])
        order = np.argsort(every, kind="stable")
        chosen, values = every[order], np.concatenate([self.spread[1], run(ends)])[order]
        keep = extremes(chosen, values, cuts)
        return chosen[keep], values[keep]


Plan = Union[EveryStep, ByEdges, ByPieces, Sampled]


def choose(schedule: Any, steps: Steps, exhaustive: bool = False, mode: str = "graph") -> Plan:
    """The plan for drawing ``schedule`` over ``steps`` with its edges in ``mode``;
    ``exhaustive`` evaluates every step."""
    import numpy as np

    lo, hi = steps.first, steps.last
    count = edge_count(schedule, lo, hi, mode)
    turning = not monotone(schedule, lo, hi, mode)
    # Whether every edge is among the points, so that a column's one stair is drawn upright.
    # Not so for a monotone schedule with more edges than EDGE_LIMIT, drawn from an even spread
    # of them: its columns are drawn from their ends alone, and so is the same curve evaluated
    # at every step, which must give the same picture.
    stairs = count <= EDGE_LIMIT or turning
    if exhaustive:
        return EveryStep(stairs)
    if not known(schedule):
        return EveryStep(stairs) if len(steps) <= SAMPLE_BUDGET else Sampled()
    if count <= EDGE_LIMIT or not turning:
        found = edges(schedule, lo, hi, EDGE_LIMIT, mode)
        return ByEdges(np.asarray(found, dtype=np.int64), stairs)
    cut = pieces(schedule, steps, mode)
    shape = shape_of(schedule, mode)
    if sum(p.cost for p in cut) * (shape.weight if shape else 1) > EXACT_BUDGET:
        return Sampled(DENSE_SAMPLES)
    return ByPieces(schedule, cut, mode)


def pieces(schedule: Any, steps: Steps, mode: str = "graph") -> list[Piece]:
    """The requested steps cut into pieces of at most MAX_EDGES edges (halving until they are).

    Costs two evaluations per piece: ``edge_count`` knows the number before finding any.
    """
    found: list[Piece] = []
    todo = [steps]
    while todo:
        part = todo.pop()
        count = edge_count(schedule, part.first, part.last, mode)
        if count * EDGE_COST >= len(part):
            found.append(Piece(part, False, len(part)))
        elif count <= MAX_EDGES or len(part) < 2:
            found.append(Piece(part, True, count * EDGE_COST))
        else:
            half = len(part) // 2
            todo += [part[half:], part[:half]]  # the first half is taken next: pieces ascend
    return found


def picture_steps(steps: Steps, cuts: np.ndarray, edge_steps: np.ndarray) -> np.ndarray:
    """The requested steps that give every column its exact lowest and highest value.

    For each column its first and last requested step, and for each edge the requested steps
    on either side of it; the first and last requested steps are always included.
    """
    import numpy as np

    n = len(steps)
    bounds = np.concatenate([np.asarray(cuts, dtype=np.int64), edge_steps])
    starts = steps.counts_below(bounds)  # first requested step of each column / after each edge
    indices = np.concatenate([starts, starts - 1, [0, n - 1]])
    indices = np.sort(np.clip(indices, 0, n - 1))
    indices = indices[np.diff(indices, prepend=-1) != 0]  # np.unique hashes: far slower
    return steps.at(indices)
