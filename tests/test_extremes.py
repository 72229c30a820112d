"""Schedules that turn at more edges than a plot has columns: each column's extremes, exactly.

A restart every few steps over a long run puts thousands of turns in every column. An even
spread of the edges, enough for a schedule that only falls, misses most of the lows before a
restart; these tests pin down what replaces it: every edge when finding them pays, every step
otherwise, piece by piece, cut down to the points that draw each column.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lrtool.backends.numpy_backend import NumpyBackend
from lrtool.engine import Engine, column_cuts, columns_of, plan
from lrtool.engine.extremes import extremes
from lrtool.engine.plan import ByPieces, picture_steps
from lrtool.output import braille
from lrtool.schedules import CosineDecayRestarts, PolynomialDecay
from lrtool.schedules.base import Schedule
from lrtool.shape import edge_count, edges
from lrtool.spec import parse
from lrtool.steps import Steps
from tests.strategies import schedules
from tests.test_engine import Sawtooth

#: Alternating up and down at every boundary: a piecewise rate that is not monotone.
ZIGZAG = parse(f"PiecewiseConstantDecay({list(range(5, 60_000, 5))},"
               f" {[(0.1, 0.02, 0.05)[i % 3] for i in range(12_000)]})")
TURNING = [
    parse("CosineDecayRestarts(0.1, 3.3, t_mul=1.0)"),
    parse("CosineDecayRestarts(0.1, 7.5, t_mul=1.0001, m_mul=0.9999, alpha=0.01)"),
    parse("PolynomialDecay(0.1, 7.5, 0.01, power=2.0, cycle=True)"),
    parse("PolynomialDecay(0.1, 3, 0.01, power=0.5, cycle=True)"),
    ZIGZAG,
    Sawtooth(4.0),
]


def summary(steps: np.ndarray, values: np.ndarray, cuts: np.ndarray) -> dict[int, tuple]:
    """Per column what a picture shows: lowest, highest, and the first and last point."""
    columns = columns_of(cuts, steps)
    out = {}
    for c in np.unique(columns):
        s, v = steps[columns == c], values[columns == c]
        out[int(c)] = (v.min(), v.max(), s[0], v[0], s[-1], v[-1])
    return out


def every_step(schedule: Schedule, steps: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    every = np.asarray(list(steps), dtype=np.int64)
    return every, NumpyBackend().evaluate(schedule, every)


def sampled(schedule: Schedule, steps: Sequence[int], cuts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points a picture evaluates and keeps for these columns (its plan included)."""
    curve = Engine(steps, "numpy").curve(schedule, cuts)
    return curve.steps, curve.values


def pieces_of(schedule: Schedule, steps: Sequence[int]) -> list[plan.Piece]:
    """The pieces the engine draws a turning schedule from (it must be drawn from pieces)."""
    chosen = plan.choose(schedule, Steps.of(steps))
    assert isinstance(chosen, ByPieces)
    return chosen.pieces


# --- cutting points down to each column's extremes -------------------------------------------

points = st.integers(1, 400).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 5000), min_size=n, max_size=n, unique=True).map(sorted),
    st.lists(st.sampled_from([0.0, 0.01, 0.05, 0.1, 0.2]), min_size=n, max_size=n),
))


@settings(max_examples=200, deadline=None)
@given(points=points, columns=st.integers(1, 300), stairs=st.booleans())
def test_kept_points_show_every_column_as_all_points_do(
    points: tuple[list[int], list[float]], columns: int, stairs: bool
) -> None:
    steps = np.array(points[0], dtype=np.int64)
    values = np.array(points[1], dtype=np.float32)
    cuts = column_cuts(0, 5000, columns)
    kept = extremes(steps, values, cuts, stairs)
    assert summary(steps[kept], values[kept], cuts) == summary(steps, values, cuts)
    rows = values.astype(np.float64) * 150
    every = braille.column_spans(columns_of(cuts, steps), rows, columns)
    few = braille.column_spans(columns_of(cuts, steps[kept]), rows[kept], columns)
    assert all(np.array_equal(a, b) for a, b in zip(every, few))
    again = extremes(steps[kept], values[kept], cuts, stairs)
    assert np.array_equal(kept[again], kept)  # nothing more to cut: the same image either way
    turning = extremes(steps, values, cuts, stairs, only_turning=True)
    assert summary(steps[turning], values[turning], cuts) == summary(steps, values, cuts)
    cut = np.setdiff1d(np.arange(steps.size), turning)
    assert all(len(set(values[columns_of(cuts, steps) == c].tolist())) > 1  # only where it turns
               for c in set(columns_of(cuts, steps[cut]).tolist()))


def test_a_column_with_one_stair_keeps_both_sides_of_it() -> None:
    steps = np.arange(100, dtype=np.int64)
    values = np.where(steps < 37, 0.1, 0.05).astype(np.float32)
    cuts = np.array([0], dtype=np.int64)
    assert steps[extremes(steps, values, cuts)].tolist() == [0, 36, 37, 99]
    assert steps[extremes(steps, values, cuts, stairs=False)].tolist() == [0, 99]


# --- schedules that turn at every edge ------------------------------------------------------

def test_an_even_spread_of_restarts_would_miss_lows() -> None:
    """Why turning schedules are not drawn from EDGE_LIMIT edges spread evenly."""
    schedule, steps, cuts = TURNING[0], range(100_000), column_cuts(0, 99_999, 300)
    assert edge_count(schedule, 0, 99_999) > plan.EDGE_LIMIT
    spread = picture_steps(Steps.of(steps), cuts,
                           np.array(edges(schedule, 0, 99_999, plan.EDGE_LIMIT), dtype=np.int64))
    full = summary(*every_step(schedule, steps), cuts)
    assert summary(spread, NumpyBackend().evaluate(schedule, spread), cuts) != full
    assert summary(*sampled(schedule, steps, cuts), cuts) == full


@pytest.mark.parametrize("schedule", TURNING, ids=lambda s: s.label()[:60])
@pytest.mark.parametrize("mode", ["edges", "pieces", "every step"])
def test_turning_schedules_get_each_columns_extremes_whichever_way(
    schedule: Schedule, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All edges at once, several pieces of them, or every step: the same columns."""
    steps = range(7, 60_000, 3)
    monkeypatch.setattr(plan, "EDGE_LIMIT", 64)
    monkeypatch.setattr(plan, "EDGE_COST", 0 if mode != "every step" else 10**9)
    monkeypatch.setattr(plan, "MAX_EDGES", 10**9 if mode == "edges" else 1000)
    monkeypatch.setattr(plan, "EVERY_CHUNK", 4096)
    pieces = pieces_of(schedule, steps)
    assert [p.by_edges for p in pieces] == {"edges": [True], "every step": [False]}.get(
        mode, [True] * len(pieces))
    assert mode != "pieces" or len(pieces) > 1
    for columns in (1, 37, 400):
        cuts = column_cuts(steps[0], steps[-1], columns)
        assert summary(*sampled(schedule, steps, cuts), cuts) == summary(
            *every_step(schedule, steps), cuts)


def test_a_million_restarts_over_a_billion_steps_each_column_exact() -> None:
    """Every restart is found and both of its sides evaluated: 2 million points, not 10**9.

    Three whole columns are evaluated step by step to compare (half a million steps each).
    """
    schedule = parse("CosineDecayRestarts(0.1, 1000.0, t_mul=1.0, m_mul=0.9999, alpha=0.1)")
    steps = range(10**9)
    assert [p.by_edges for p in pieces_of(schedule, steps)] == [True]
    cuts = column_cuts(0, 10**9 - 1, 2000)
    chosen, values = sampled(schedule, steps, cuts)
    assert chosen.size <= 6 * 2000
    mine = summary(chosen, values, cuts)
    for c in (0, 1234, 1999):
        stop = cuts[c + 1] if c + 1 < cuts.size else 10**9
        every = np.arange(cuts[c], stop, dtype=np.int64)
        (theirs,) = summary(every, schedule.formula(every), cuts).values()
        assert mine[c] == theirs


def test_restarts_so_dense_that_finding_them_costs_more_evaluate_every_step() -> None:
    schedule, steps = TURNING[0], range(200_000)
    assert [p.by_edges for p in pieces_of(schedule, steps)] == [False]
    sparse = parse("CosineDecayRestarts(0.1, 20, t_mul=1.0)")  # 10,000 restarts: found
    assert [p.by_edges for p in pieces_of(sparse, steps)] == [True]


periods = st.floats(2.0, 500.0, allow_subnormal=False)
turning = st.one_of(
    st.builds(lambda ds, t, m, a: CosineDecayRestarts(0.1, ds, t, m, a), periods,
              st.sampled_from([1.0, 1.05, 1.5]), st.floats(0.5, 1.0), st.floats(0.0, 0.5)),
    st.builds(lambda ds, p: PolynomialDecay(0.1, ds, 0.01, p, cycle=True), periods,
              st.floats(0.3, 3.0)),
)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(schedule=st.one_of(schedules(), turning), start=st.sampled_from([0, 12_345, 2**24 - 10_000]),
       every=st.sampled_from([1, 3]), columns=st.sampled_from([1, 50, 333]),
       limit=st.sampled_from([0, 16, 10**6]))
def test_any_schedule_any_plan_gets_each_columns_extremes(
    schedule: Schedule, start: int, every: int, columns: int, limit: int
) -> None:
    """Whatever EDGE_LIMIT says (none, a few, all edges), every column comes out exact."""
    steps = range(start, start + 20_000, every)
    every_point = every_step(schedule, steps)
    assume(not np.isnan(every_point[1].astype(np.float64)).any())
    cuts = column_cuts(steps[0], steps[-1], columns)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plan, "EDGE_LIMIT", limit)
        patch.setattr(plan, "MAX_EDGES", 500)
        assert summary(*sampled(schedule, steps, cuts), cuts) == summary(*every_point, cuts)
