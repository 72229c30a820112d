"""Every registry schedule's stated shape, checked against evaluating every step.

The contract plots and tables rely on (``lrtool.shape``): between consecutive edges a schedule
is monotone, and a stair or piecewise schedule changes value exactly at its edges and nowhere
else; a first unusable step found from the shape is the one evaluating every step finds. The
schedules are drawn from the registry's own argument metadata: a new schedule is checked here
without a line of its own.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrtool import shape
from lrtool.schedules import REGISTRY, Schedule
from lrtool.shape import first_bad_by_evaluation, is_bad
from lrtool.spec import parse
from lrtool.steps import Steps
from tests.strategies import schedules

SPAN = 30_000
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def is_monotone(values: np.ndarray) -> bool:
    # nan is no rate to order (past the end of a converging CosineDecayRestarts, or where
    # PolynomialDecay's cycle rounds 1 - p below 0): first_bad_step reports those steps.
    values = values[~np.isnan(values)] if values.dtype.kind == "f" else values
    wide = values.astype(np.float64)
    with np.errstate(invalid="ignore"):
        diff = np.where(wide[1:] == wide[:-1], 0.0, wide[1:] - wide[:-1])  # inf == inf: no move
    return bool(np.all(diff >= 0) or np.all(diff <= 0))


def is_stepwise(schedule: Schedule) -> bool:
    """Constant between edges: the value changes only at them."""
    return schedule.keras_name == "PiecewiseConstantDecay" or getattr(schedule, "staircase", False)


def check_edges(schedule: Schedule, lo: int, hi: int) -> None:
    steps = np.arange(lo, hi + 1, dtype=np.int64)
    values = schedule.formula(steps)
    edges = shape.edges(schedule, lo, hi, 10**6)
    assert edges == sorted(set(edges)) and all(lo < e <= hi for e in edges), edges
    assert shape.edge_count(schedule, lo, hi) >= len(edges)  # what plots rely on to take them all
    if shape.monotone(schedule, lo, hi):  # and to take an even spread of them
        assert is_monotone(values), schedule.label()
    bounds = [lo, *edges, hi + 1]
    for a, b in zip(bounds, bounds[1:]):
        segment = values[a - lo : b - lo]
        assert is_monotone(segment), (schedule.label(), a, b)
    if is_stepwise(schedule):
        changes = [int(s) for s in steps[1:][values[1:] != values[:-1]]]
        assert edges == changes


@pytest.mark.parametrize("name", sorted(REGISTRY))
@SETTINGS
@given(data=st.data(), lo=st.sampled_from([0, 0, 12_345, 2**24 - SPAN // 2]))
def test_monotone_between_edges_and_stairs_jump_exactly_there(
    name: str, data: st.DataObject, lo: int
) -> None:
    check_edges(data.draw(schedules(name)), lo, lo + SPAN)


@pytest.mark.parametrize("text", [
    "PiecewiseConstantDecay([100000, 110000], [1.0, 0.5, 0.1])",
    "PiecewiseConstantDecay([-0.5, 9.5, 20.7], [1.0, 0.5, 0.1, 0.2])",
    "ExponentialDecay(0.1, 77.7, 0.5, staircase=True)",
    "InverseTimeDecay(0.1, 33.3, 0.5, staircase=True)",
    "PolynomialDecay(0.1, 1000, 0.01, 2.0, cycle=True)",
    "PolynomialDecay(0.1, 0.7, 0.01, 2.0, cycle=True)",
    "PolynomialDecay(0.1, 1000, 0.01, 0.5)",
    "CosineDecay(0.0, 1000, warmup_target=0.1, warmup_steps=1000)",
    "CosineDecay(0.2, 1000.5, alpha=0.1, warmup_target=0.1, warmup_steps=333.3)",
    "CosineDecay(0.1, 5000)",
    "CosineDecay(3, 7000)",
    "CosineDecayRestarts(0.1, 1000)",
    "CosineDecayRestarts(0.1, 37.3, t_mul=1.5, m_mul=0.7, alpha=0.1)",
    "CosineDecayRestarts(0.1, 100, t_mul=1.0)",
    "CosineDecayRestarts(0.1, 100, t_mul=0.9)",
    "CosineDecayRestarts(3, 100, t_mul=1.5, m_mul=1)",
])
def test_edges_of_typical_schedules(text: str) -> None:
    schedule = parse(text)
    check_edges(schedule, 0, 120_000)


@pytest.mark.parametrize("text", [
    "CosineDecayRestarts(0.1, 1, t_mul=1.0000001)",
    "CosineDecayRestarts(0.1, 1000, t_mul=1.0000001)",
    "CosineDecayRestarts(0.1, 7.5, t_mul=1.00001)",
    "CosineDecayRestarts(0.1, 1, t_mul=1.001, m_mul=0.9)",
    "CosineDecayRestarts(0.1, 1, t_mul=1.01, alpha=0.2)",
    "CosineDecayRestarts(0.1, 3, t_mul=0.99999)",
])
@pytest.mark.parametrize("lo", [0, 2**24 - 60_000])
def test_restarts_with_t_mul_near_1_turn_where_the_fraction_passes_whole_numbers(
    text: str, lo: int
) -> None:
    """float32 cancels most of 1 - t_mul: Keras's fraction done strays below 0 and above 1,
    and the cosine turns there, between restarts."""
    check_edges(parse(text), lo, lo + 120_000)


def test_piecewise_value_changes_the_step_after_each_boundary() -> None:
    schedule = parse("PiecewiseConstantDecay([100000, 110000], [1.0, 0.5, 0.1])")
    assert shape.edges(schedule, 0, 10**9, 100) == [100001, 110001]
    values = schedule.formula(np.array([100000, 100001, 110000, 110001]))
    assert values.tolist() == pytest.approx([1.0, 0.5, 0.5, 0.1])


def test_cosine_warmup_peak_and_decay_end() -> None:
    schedule = parse("CosineDecay(0.0, 1000, warmup_target=0.1, warmup_steps=1000)")
    assert shape.edges(schedule, 0, 10**6, 100) == [1000, 2000]


@pytest.mark.parametrize("text, hi", [
    ("ExponentialDecay(0.1, 1000, 0.99, staircase=True)", 10**12),
    ("PolynomialDecay(0.1, 1000, cycle=True)", 10**12),
    # Beyond ~2**32 a float32 step and its fraction of the period are too coarse for restarts
    # to show: Keras's values there are a rounding pattern, with no edges to find.
    ("CosineDecayRestarts(0.1, 1000, t_mul=1.0)", 10**9),
    ("InverseTimeDecay(1, 1000, 1, staircase=True)", 10**12),
])
def test_edges_far_out_are_exact_and_limited(text: str, hi: int) -> None:
    schedule = parse(text)
    edges = shape.edges(schedule, 0, hi, 200)
    assert 0 < len(edges) <= 200
    before = schedule.formula(np.array(edges, dtype=np.int64) - 1)
    at = schedule.formula(np.array(edges, dtype=np.int64))
    assert np.all(before != at)


def test_int_rate_step_wraps_at_2_to_31_and_that_is_an_edge() -> None:
    schedule = parse("InverseTimeDecay(1, 1000, 1, staircase=True)")
    assert 2**31 in shape.edges(schedule, 2**31 - 5000, 2**31 + 5000, 100)
    check_edges(schedule, 2**31 - SPAN // 2, 2**31 + SPAN // 2)


@pytest.mark.parametrize("name", sorted(REGISTRY))
@SETTINGS
@given(data=st.data(), start=st.integers(0, 5000), every=st.integers(1, 7))
def test_first_bad_step_equals_evaluating_every_step(
    name: str, data: st.DataObject, start: int, every: int
) -> None:
    """Arguments from far outside their typical range too: overflow, negative ends and alphas."""
    schedule = data.draw(schedules(name, wide=True))
    steps = Steps.span(start, start + SPAN, every)
    assert shape.first_bad_step(schedule, steps) == first_bad_by_evaluation(steps, schedule.formula)


@pytest.mark.parametrize("text, expected", [
    ("ExponentialDecay(0.1, 1, 1.5)", None),
    ("PolynomialDecay(0.1, 1_000_000, -0.01)", None),
    ("CosineDecay(0.1, 100_000_000, alpha=-0.5)", None),
    ("CosineDecayRestarts(0.1, 100, t_mul=1.0, m_mul=10.0)", None),
    ("PiecewiseConstantDecay([100_000_000], [0.1, -0.1])", 10**8 + 1),
])
def test_first_bad_step_in_a_billion_steps_without_evaluating_them(
    text: str, expected: int | None
) -> None:
    schedule = parse(text)
    found = shape.first_bad_step(schedule, range(10**9))
    assert found is not None
    if expected is not None:
        assert found == expected
    around = schedule.formula(np.array([found - 1, found], dtype=np.int64))
    assert is_bad(around).tolist() == [False, True]
