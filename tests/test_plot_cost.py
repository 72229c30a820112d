"""A plot's cost stays bounded whatever the schedule, and the picture stays exact.

Restarts far denser than pixels (one at every step) are drawn from each column's ends, which
holds only because the values are then monotone: checked here against every step, at low steps,
around 2**24 (where float32 steps start to round) and near a billion. Restarts too dense and too
disordered to draw exactly within the budget are sampled, and the picture says so. A
PiecewiseConstantDecay with a million boundaries answers a three-step table.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrtool.backends import resolve
from lrtool.engine import column_cuts
from lrtool.output import terminal
from lrtool.picture import Picture
from lrtool.schedules import PiecewiseConstantDecay, ScheduleError
from lrtool.shape import edge_count, first_bad_by_evaluation, first_bad_step, monotone
from lrtool.spec import parse
from lrtool.steps import Steps
from tests.conftest import every_step, picture_of, run
from tests.test_plot_image import assert_same_pixels

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

#: Restarts at every step: t_mul 1 and a first_decay_steps of 1 or 1/2.
EVERY_STEP = [
    "CosineDecayRestarts(0.1, 1, t_mul=1.0)",
    "CosineDecayRestarts(0.1, 1, t_mul=1.0, m_mul=0.999999)",
    "CosineDecayRestarts(0.1, 0.5, t_mul=1.0, m_mul=0.99999, alpha=0.1)",
    "CosineDecayRestarts(0.1, 1, t_mul=1.0, m_mul=0.9, alpha=-0.5)",
]
#: Where the values are checked: low steps, where float32 steps start to round, near 1e9.
WINDOWS = [(0, 10**6), (2**24 - 500_000, 2**24 + 500_000), (10**9 - 10**6, 10**9)]


@pytest.fixture(scope="module")
def tf_backend() -> Any:
    backend = resolve("tensorflow")  # must not skip: CI installs TensorFlow
    assert backend.name == "tensorflow"
    return backend


def render(picture: Picture, size: tuple[int, int] = (120, 30)) -> str:
    out = io.StringIO()
    terminal.render(picture, file=out, size=size)
    return out.getvalue()


class Counting:
    """A backend that counts the steps it evaluates."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.evaluated = inner, 0

    @property
    def name(self) -> str:
        return self.inner.name

    def evaluate(self, schedule: Any, steps: np.ndarray) -> np.ndarray:
        self.evaluated += len(steps)
        return self.inner.evaluate(schedule, steps)


def column_extremes(values: np.ndarray, steps: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Per column: lowest, highest, first and last value, from every step."""
    starts = np.searchsorted(steps, cuts)
    starts = np.unique(starts[starts < len(steps)])
    return np.stack([np.minimum.reduceat(values, starts), np.maximum.reduceat(values, starts),
                     values[starts], values[np.append(starts[1:], len(steps)) - 1]])


def curve_extremes(picture: Picture, cuts: np.ndarray) -> np.ndarray:
    schedule = next(iter(picture.schedules().values()))
    curve = picture.engine.curve(schedule, cuts)
    return column_extremes(curve.values, curve.steps, cuts)


@pytest.mark.parametrize("text", EVERY_STEP)
@pytest.mark.parametrize("mode", ["graph", "eager"])
def test_a_restart_at_every_step_is_monotone_throughout(text: str, mode: str) -> None:
    """What drawing from the columns' ends relies on, at every step of three windows."""
    schedule = parse(text)
    assert edge_count(schedule, 0, 10**9, mode) == 0 and monotone(schedule, 0, 10**9, mode)
    for lo, hi in WINDOWS:
        values = schedule.formula(np.arange(lo, hi, dtype=np.int64), mode).astype(np.float64)
        moves = np.diff(values)
        assert np.all(moves <= 0) or np.all(moves >= 0), (text, lo)


def test_with_tensorflow_too(tf_backend: Any) -> None:
    for text in EVERY_STEP[1:3]:
        for lo, hi in WINDOWS[::2]:
            moves = np.diff(tf_backend.evaluate(parse(text), np.arange(lo, lo + 200_000)))
            assert np.all(moves <= 0) or np.all(moves >= 0), (text, lo, hi)


@pytest.mark.parametrize("text", [
    "CosineDecayRestarts(0.1, 1, t_mul=1.0, m_mul=0.9, alpha=-0.5)",
    "CosineDecayRestarts(0.1, 1, t_mul=1.0, m_mul=0.99999, alpha=-0.01)",
])
def test_the_first_unusable_rate_is_the_one_every_step_finds(text: str) -> None:
    schedule, steps = parse(text), Steps.span(0, 10**6)
    found = first_bad_step(schedule, steps)
    assert found is not None and found == first_bad_by_evaluation(steps, schedule.formula)


@pytest.mark.parametrize("text", EVERY_STEP)
@pytest.mark.parametrize("lo, hi", [(0, 2 * 10**6), (10**9 - 2 * 10**6, 10**9)])
def test_column_extremes_are_those_of_every_step(text: str, lo: int, hi: int) -> None:
    schedule = parse(text)
    steps = np.arange(lo, hi, dtype=np.int64)
    cuts = column_cuts(lo, hi - 1, 300)
    picture = picture_of(schedule, range(lo, hi))
    expected = column_extremes(schedule.formula(steps), steps, cuts)
    assert np.array_equal(curve_extremes(picture, cuts), expected)
    assert render(picture) == render(every_step(picture))


@pytest.mark.parametrize("text", EVERY_STEP[1:3])
def test_the_same_image_as_every_step(text: str, tmp_path: Path) -> None:
    picture = picture_of(parse(text), range(10**9 - 10**6, 10**9))
    assert_same_pixels(picture, tmp_path, (6, 3, 100))


@pytest.mark.parametrize("text", EVERY_STEP[:2])
def test_the_same_picture_with_tensorflow(text: str, tf_backend: Any) -> None:
    picture = picture_of(parse(text), range(10**9 - 300_000, 10**9), tf_backend)
    assert render(picture) == render(every_step(picture, tf_backend))


@pytest.mark.parametrize("text", EVERY_STEP)
def test_a_billion_restarts_cost_what_the_columns_cost(text: str) -> None:
    backend = Counting(resolve("numpy"))
    picture = picture_of(parse(text), range(10**9), backend)
    drawn = render(picture, (160, 48))
    assert picture.exact and "sampled" not in drawn
    assert backend.evaluated <= 4 * 2 * 160 + 16  # each dot column's ends, both drawings


def test_restarts_too_dense_and_disordered_are_sampled_and_say_so() -> None:
    """t_mul a hair above 1: 40 million restarts in a billion steps, whose fraction done
    wanders (float32 cancels most of 1 - t_mul): no order to draw them from."""
    backend = Counting(resolve("numpy"))
    picture = picture_of(parse("CosineDecayRestarts(0.1, 1, t_mul=1.0000001)"), range(10**9),
                         backend)
    drawn = render(picture)
    assert not picture.exact and "sampled" in drawn
    assert backend.evaluated <= 2**14 + 4 * 120
    few = picture_of(parse("CosineDecayRestarts(0.1, 1, t_mul=1.0000001)"), range(200_000))
    assert few.exact and render(few) == render(every_step(few))


@pytest.mark.parametrize("text, lo, hi", [
    ("CosineDecayRestarts(0.1, 1000, t_mul=1.0000001)", 0, 3_000_000),
    ("CosineDecayRestarts(0.1, 1, t_mul=1.001)", 2**24 - 500_000, 2**24 + 500_000),
])
def test_restarts_with_t_mul_near_1_draw_what_every_step_draws(text: str, lo: int,
                                                               hi: int) -> None:
    """The value also turns between restarts there (float32's fraction done passes 0 and 1)."""
    picture = picture_of(parse(text), range(lo, hi))
    assert picture.exact and render(picture) == render(every_step(picture))


@pytest.mark.parametrize("text", ["CosineDecayRestarts(0.1, 1000, t_mul=1.0000001)",
                                  "CosineDecayRestarts(0.1, 10, t_mul=1.00001)"])
def test_turns_too_many_to_find_are_sampled_within_the_budget(text: str) -> None:
    """A million restarts, each with turns of its own: finding them all would take a minute."""
    backend = Counting(resolve("numpy"))
    picture = picture_of(parse(text), range(10**9), backend)
    assert not picture.exact and "sampled" in render(picture)
    assert backend.evaluated <= 2**14 + 4 * 120


@pytest.mark.parametrize("text", ["CosineDecayRestarts(0.1, 3.3, t_mul=1.0)",
                                  "CosineDecayRestarts(0.1, 7.5, t_mul=1.0001, m_mul=0.9999)"])
def test_dense_restarts_on_tensorflow_evaluate_only_what_draws_the_columns(
    tf_backend: Any, text: str
) -> None:
    """Dense pieces are evaluated step by step with the NumPy formula (TensorFlow's bits
    outside XLA) and TensorFlow evaluates the few points that draw each column: a 1e7-step
    plot took 112 s when it evaluated them all."""
    counting = Counting(tf_backend)
    picture = picture_of(parse(text), range(200_000), counting)
    assert picture.exact and render(picture) == render(every_step(picture, tf_backend))
    assert counting.evaluated <= 16 * 120


def test_a_dense_picture_evaluates_each_step_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The value range and the columns are two drawings; the steps of an every-step piece are
    evaluated for the first and kept for the second."""
    schedule = parse("CosineDecayRestarts(0.1, 3.3, t_mul=1.0)")
    original, evaluated = type(schedule).formula, []

    def counting(self: Any, steps: np.ndarray, mode: str = "graph") -> np.ndarray:
        evaluated.append(len(steps))
        return original(self, steps, mode)

    monkeypatch.setattr(type(schedule), "formula", counting)
    picture = picture_of(schedule, range(200_000))
    assert picture.exact and "sampled" not in render(picture)
    assert sum(n for n in evaluated if n > 10_000) == 200_000  # edge searches ask for fewer


def test_the_command_line_draws_a_billion_restarts(tmp_path: Path) -> None:
    out = run("plot", "CosineDecayRestarts(0.1, 1, t_mul=1.0, m_mul=0.999999)", "--steps", "1e9",
              "--backend", "numpy", "-o", str(tmp_path / "x.png"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "x.png").stat().st_size > 1000


# --- a million boundaries --------------------------------------------------------------------

MILLION = 10**6


@pytest.fixture(scope="module")
def million(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("million") / "schedule.json"
    values = (0.1 * 0.99999 ** np.arange(MILLION + 1)).tolist()
    config = {"boundaries": list(range(1, MILLION + 1)), "values": values}
    path.write_text(json.dumps({"class_name": "PiecewiseConstantDecay", "config": config}))
    return path


@pytest.mark.parametrize("command, backend", [("table", "numpy"), ("csv", "numpy"),
                                              ("csv", "tensorflow")])
def test_a_million_boundaries_answer_three_steps(million: Path, command: str, backend: str) -> None:
    """TensorFlow's own PiecewiseConstantDecay would trace a million comparisons: the backend
    answers with the NumPy formula there, which selects the same float32 values."""
    out = run(command, str(million), "--steps", "3", "--backend", backend)
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    if command == "csv":
        assert text.splitlines()[:4] == ["step,lr", "0,0.1", "1,0.1", "2,0.099999"]
    else:
        assert "...999,992 more..." in text and len(text) < 1000  # the caption is shortened
        assert "0.099999" in text


def test_a_million_boundaries_evaluate_as_keras_does() -> None:
    boundaries = list(range(1, MILLION + 1))
    values = [float(v) for v in np.linspace(1.0, 0.0, MILLION + 1)]
    schedule = PiecewiseConstantDecay(boundaries, values)
    steps = np.array([0, 1, 2, 500_000, MILLION, MILLION + 1, 10**9])
    index = np.searchsorted(np.array(boundaries), steps, side="left")
    assert np.array_equal(schedule.formula(steps), np.array(values, np.float32)[index])


@pytest.mark.parametrize("change, message", [
    (lambda b, v: b.__setitem__(700_000, b[699_999]), "boundaries[699999] = 700000 and"
                                                      " boundaries[700000] = 700000"),
    (lambda b, v: b.__setitem__(123_456, float("nan")), "boundaries[123456]"),
    (lambda b, v: v.__setitem__(999_999, "x"), "values[999999]"),
    (lambda b, v: v.__setitem__(5, 1e39), "values[5]"),
    (lambda b, v: v.__setitem__(17, 1), "mixes ints and floats"),
    (lambda b, v: b.__setitem__(3, 2**62), "beyond the int64 step's range"),
])
def test_a_bad_item_in_a_long_list_is_named(change: Any, message: str) -> None:
    boundaries, values = list(range(1, MILLION + 1)), [0.5] * (MILLION + 1)
    change(boundaries, values)
    with pytest.raises(ScheduleError) as error:
        PiecewiseConstantDecay(boundaries, values)
    assert message in f"{error.value.argument}: {error.value}"


def test_float_boundaries_read_as_keras_reads_them() -> None:
    boundaries = [float(b) for b in range(16_777_000, 16_777_000 + 1000)]  # float32 rounds some
    schedule = PiecewiseConstantDecay(boundaries, [0.1] * 1001)
    assert schedule.effective_boundaries == [int(np.float32(b)) for b in boundaries]
    notes = schedule.surprises(0, 10)
    assert len(notes) == 6 and notes[-1].startswith("... and ")


def test_int_boundaries_beyond_float64_s_integers_stay_exact() -> None:
    boundaries = [2**53 - 1, 2**53 + 1, 2**53 + 3, 2**61 + 1]  # float64 would round the last three
    schedule = PiecewiseConstantDecay(boundaries, [0.4, 0.3, 0.2, 0.1, 0.0])
    assert schedule.effective_boundaries == boundaries
    assert schedule.changes.tolist() == [b + 1 for b in boundaries]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(16_777_000, 16_777_040) | st.floats(16_777_000, 16_777_040),
                min_size=1, max_size=20, unique=True).map(sorted), st.data())
def test_changes_are_the_steps_where_the_value_changes(boundaries: list[Any], data: Any) -> None:
    """Float boundaries that float32 reads as one step, and equal neighbouring values, included."""
    values = data.draw(st.lists(st.sampled_from([0.1, 0.2, -0.0, 0.0]), min_size=len(boundaries) + 1,
                                max_size=len(boundaries) + 1))
    schedule = PiecewiseConstantDecay(boundaries, values)
    steps = np.arange(16_776_990, 16_777_060)
    bits = schedule.formula(steps).view(np.uint32)
    assert schedule.changes.tolist() == steps[1:][bits[1:] != bits[:-1]].tolist()
