"""The plot engine: every column's extremes exactly, at a cost set by the columns."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrtool.engine import EDGE_LIMIT, column_cuts, columns_of
from lrtool.engine.plan import picture_steps
from lrtool.output.axis import step_text
from lrtool.picture import default_panels
from lrtool.schedules import InverseTimeDecay
from lrtool.schedules.base import Schedule
from lrtool.shape import NoEdges as Smooth
from lrtool.shape import Segments, Shape, edges
from lrtool.steps import Steps


@dataclasses.dataclass(frozen=True)
class Sawtooth(Schedule):
    """Not monotone: falls linearly, then jumps back up every ``period`` steps (like restarts).

    Monotone between its edges, as ``lrtool.shape`` requires, which is all the engine uses.
    """

    keras_name = "Sawtooth"
    period: float = 100.0

    def formula(self, steps: np.ndarray, mode: str = "graph") -> np.ndarray:
        phase = steps.astype(np.float32) / np.float32(self.period)
        return (np.float32(1) - (phase - np.floor(phase))).astype(np.float32)

    def period_index(self, steps: np.ndarray) -> np.ndarray:
        return np.floor(steps.astype(np.float32) / np.float32(self.period))

    def shape(self, mode: str = "graph") -> Shape:
        return Shape(Segments(self.period_index, moved_only=False), bad="never")


@dataclasses.dataclass(frozen=True)
class NoEdges(Sawtooth):
    """The same values, claiming to be smooth: what the engine would draw without its edges."""

    def shape(self, mode: str = "graph") -> Shape:
        return Shape(Smooth(), monotone=True, bad="never")


def picture_steps_of(schedule: Schedule, steps: Sequence[int], cuts: np.ndarray) -> np.ndarray:
    """The steps a picture evaluates, from the schedule's edges (at most EDGE_LIMIT)."""
    steps = Steps.of(steps)
    found = np.asarray(edges(schedule, steps.first, steps.last, EDGE_LIMIT), dtype=np.int64)
    return picture_steps(steps, cuts, found)


def extremes(schedule: Schedule, steps: np.ndarray, cuts: np.ndarray) -> dict[int, tuple]:
    """Per column: (lowest, highest, first step, last step) of these evaluated steps."""
    values = schedule.formula(steps)
    columns = columns_of(cuts, steps)
    out = {}
    for c in np.unique(columns):
        mask = columns == c
        out[int(c)] = (values[mask].min(), values[mask].max(), steps[mask][0], steps[mask][-1])
    return out


def assert_same_picture(schedule: Schedule, steps: Sequence[int], columns: int) -> np.ndarray:
    every = np.array(list(steps), dtype=np.int64)
    cuts = column_cuts(int(steps[0]), int(steps[-1]), columns)
    chosen = picture_steps_of(schedule, steps, cuts)
    assert set(chosen.tolist()) <= set(every.tolist())
    assert extremes(schedule, chosen, cuts) == extremes(schedule, every, cuts)
    return chosen


step_sets = st.one_of(
    st.builds(lambda start, n, every: range(start, start + n * every, every),
              st.integers(0, 10**6), st.integers(1, 3000), st.integers(1, 50)),
    st.lists(st.integers(0, 10**5), min_size=1, max_size=300).map(lambda v: tuple(sorted(set(v)))),
)


@settings(max_examples=150, deadline=None)
@given(steps=step_sets, columns=st.integers(1, 400),
       decay_steps=st.sampled_from([1.0, 7.5, 100.0, 1000.0, 12345.0]),
       decay_rate=st.sampled_from([0.0, 0.01, 0.5, 3.0]), staircase=st.booleans())
def test_every_column_gets_the_extremes_of_all_its_steps(
    steps: Sequence[int], columns: int, decay_steps: float, decay_rate: float, staircase: bool
) -> None:
    assert_same_picture(InverseTimeDecay(0.1, decay_steps, decay_rate, staircase), steps, columns)


@settings(max_examples=80, deadline=None)
@given(steps=step_sets, columns=st.integers(1, 200), period=st.sampled_from([3.0, 64.0, 250.0]))
def test_a_schedule_that_jumps_up_is_exact_too(steps: Sequence[int], columns: int, period: float) -> None:
    assert_same_picture(Sawtooth(period), steps, columns)


def test_without_edges_a_jumping_schedule_would_be_drawn_wrong() -> None:
    """The check above has teeth: hiding the edges loses the low point before each jump."""
    steps, cuts = range(20_000), column_cuts(0, 19_999, 50)
    every = np.arange(20_000)
    blind = picture_steps_of(NoEdges(250.0), steps, cuts)
    assert extremes(Sawtooth(250.0), blind, cuts) != extremes(Sawtooth(250.0), every, cuts)


def test_stair_edges_are_kept_with_the_step_before_them() -> None:
    chosen = picture_steps_of(InverseTimeDecay(0.1, 1000, 0.5, True), range(100_000),
                           column_cuts(0, 99_999, 10))
    for k in range(1, 100):
        assert {1000 * k - 1, 1000 * k} <= set(chosen.tolist())


def test_a_billion_steps_cost_what_the_columns_and_edges_cost() -> None:
    columns = 300
    schedule = InverseTimeDecay(0.1, 1e6, 0.5, True)
    chosen = picture_steps_of(schedule, range(10**9), column_cuts(0, 10**9 - 1, columns))
    assert len(chosen) <= 2 * columns + 2 * 1000 + 2
    # Every drop is there, with the step before it. Beyond 2**24 Keras rounds the step to
    # float32 first, so a drop may come a little before k * decay_steps (even the 1000th
    # comes before step 10**9 - 1): the values tell where.
    values = schedule.formula(chosen)
    drops = chosen[1:][values[1:] < values[:-1]]
    stairs = np.floor(np.float32(10**9 - 1) / np.float32(1e6))
    assert len(drops) == stairs == 1000
    assert set((drops - 1).tolist()) <= set(chosen.tolist())
    before = schedule.formula(drops - 1)
    assert np.all(schedule.formula(drops) < before)
    many = InverseTimeDecay(0.1, 1000, 0.5, True)  # a million stairs: an even spread of them
    assert len(picture_steps_of(many, range(10**9), column_cuts(0, 10**9 - 1, columns))) <= (
        2 * columns + 2 * EDGE_LIMIT + 2)


@given(steps=step_sets, bounds=st.lists(st.integers(-10, 2 * 10**6), min_size=1, max_size=20))
def test_count_below_matches_bisect(steps: Sequence[int], bounds: list[int]) -> None:
    listed = list(steps)
    expected = [bisect.bisect_left(listed, b) for b in bounds]
    assert Steps.of(steps).counts_below(np.array(bounds)).tolist() == expected
    assert [Steps.of(steps).count_below(b) for b in bounds] == expected


@pytest.mark.parametrize("first, last, columns", [(0, 9, 20), (0, 99, 10), (5, 10**12, 640), (3, 3, 8)])
def test_column_cuts_put_first_and_last_at_the_ends(first: int, last: int, columns: int) -> None:
    cuts = column_cuts(first, last, columns)
    ends = columns_of(cuts, np.array([first, last]))
    assert ends[0] == 0 and (ends[1] == columns - 1 or first == last)
    assert np.all(np.diff(cuts) >= 0)


def test_default_panels_are_continuous_then_staircase() -> None:
    panels = default_panels(InverseTimeDecay(0.1, 10, 0.5, staircase=True))
    assert [p.title for p in panels] == ["continuous", "staircase"]
    assert [s.staircase for p in panels for s in p.curves.values()] == [False, True]
    assert [p.title for p in default_panels(Sawtooth())] == ["Sawtooth"]


@pytest.mark.parametrize("step, text", [
    (0, "0"), (999, "999"), (9999, "9999"), (25_000, "25k"), (1_500_000, "1.5M"),
    (10**9, "1B"), (2.5e9, "2.5B"), (10**12, "1e12"), (2.5, "2.5"),
])
def test_step_text(step: float, text: str) -> None:
    assert step_text(step) == text
