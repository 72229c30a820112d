"""Warnings only where they would surprise, once, with figures a reader can use."""

from __future__ import annotations

import pytest

from lrtool.spec import parse
from lrtool.steps import Steps
from lrtool.surprises import percent, warnings
from tests.conftest import run


@pytest.mark.parametrize("text, steps", [
    ("CosineDecay(0.1, 10000)", 10_000),  # the usual set-up: the last step is 9999
    ("CosineDecay(0.0, 1000, warmup_target=0.1, warmup_steps=500)", 1500),
    ("PolynomialDecay(0.1, 10000)", 10_000),
    ("CosineDecayRestarts(0.1, 1000)", 1001),
    ("ExponentialDecay(0.1, 5000, 0.01)", 1000),  # falls by 60%: not "only"
    ("ExponentialDecay(0.1, 1000, 0.5, staircase=True)", 1001),
    ("PiecewiseConstantDecay([1000, 5000], [0.1, 0.01, 0.001])", 5002),
])
def test_a_run_that_reaches_what_the_schedule_sets_up_gets_no_warning(text: str, steps: int) -> None:
    assert warnings(parse(text), Steps.span(0, steps)) == []


@pytest.mark.parametrize("text, steps, expected", [
    ("CosineDecay(0.1, 10000)", 9000,
     "decay_steps (10000) is never reached by the last step shown (8,999): the decay never finishes"),
    ("ExponentialDecay(0.1, 100000, 0.9)", 10,
     "decay_steps (100000) is never reached by the last step shown (9): the rate falls by only 0.00095%"),
    ("ExponentialDecay(0.1, 1e7, 0.9)", 10,
     "decay_steps (10000000) is never reached by the last step shown (9): the rate falls by less"
     " than 0.0001%"),
    ("CosineDecayRestarts(0.1, 1000)", 1000,
     "first_decay_steps (1000) is never reached by the last step shown (999): no restart shows"),
    ("ExponentialDecay(0.1, 1000, 0.5, staircase=True)", 1000,
     "decay_steps (1000) is never reached by the last step shown (999): the staircase never drops"),
    ("CosineDecay(0.0, 1000, warmup_target=0.1, warmup_steps=500)", 400,
     "warmup_steps (500) is never reached by the last step shown (399): only the warmup shows"),
    ("PiecewiseConstantDecay([100, 200, 300], [0.1, 0.01, 0.001, 1e-4])", 150,
     "the boundaries from 200 on (2 of 3) are never reached by the last step shown (149): the rate"
     " never becomes 0.001, nor any later value"),
])
def test_a_run_that_stops_short_gets_one_readable_warning(text: str, steps: int, expected: str) -> None:
    assert warnings(parse(text), Steps.span(0, steps)) == [expected]


def test_cosine_decay_over_its_own_length_is_quiet_on_the_command_line() -> None:
    result = run("table", "CosineDecay(0.1, 10000)", "--steps", "10000", "--backend", "numpy")
    assert result.returncode == 0 and result.stderr == b""


def test_a_warning_about_several_schedules_is_printed_once() -> None:
    result = run("csv", "ExponentialDecay(0.1, 1000, 0.5, staircase=True)",
                 "ExponentialDecay(0.1, 1000, 0.9, staircase=True)", "CosineDecay(0.1, 100)",
                 "--steps", "500", "--backend", "numpy")
    assert result.stderr.decode().splitlines() == [
        "Warning: ExponentialDecay(decay_rate=0.5), ExponentialDecay(decay_rate=0.9): decay_steps"
        " (1000) is never reached by the last step shown (499): the staircase never drops"]
    result = run("csv", "InverseTimeDecay(0.1, 1000, 0.5, staircase=True)",
                 "ExponentialDecay(0.1, 1000, 0.9, staircase=True)", "--steps", "500",
                 "--backend", "numpy")
    assert result.stderr.decode().splitlines() == [
        "Warning: every schedule: decay_steps (1000) is never reached by the last step shown"
        " (499): the staircase never drops"]


@pytest.mark.parametrize("fraction, text", [
    (0.45, "45%"), (0.032, "3.2%"), (0.00004, "0.004%"), (0.000041, "0.0041%"), (1e-9, "less than 0.0001%"),
])
def test_percentages_are_never_zero(fraction: float, text: str) -> None:
    assert percent(fraction) == text
