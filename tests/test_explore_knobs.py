"""How the explorer's keys move a schedule's arguments, for any schedule: a step is a schedule
or a one-line refusal, never a crash, and Right then Left comes back to a ladder value.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lrtool.explore.knobs import NICE, expression, knobs, moved, nice_down, nice_up, nudge, typed
from lrtool.schedules import ScheduleError
from lrtool.spec import parse
from tests.strategies import schedules


@given(st.floats(1e-30, 1e30))
def test_the_ladder_brackets_every_positive_number(value: float) -> None:
    up, down = nice_up(value), nice_down(value)
    assert down < value < up
    assert up / value <= 5 / 3 * (1 + 1e-9) and value / down <= 5 / 3 * (1 + 1e-9)
    assert float(f"{up:e}".split("e")[0]) in NICE and float(f"{down:e}".split("e")[0]) in NICE


@given(st.sampled_from(NICE), st.integers(-12, 12))
def test_right_then_left_comes_back_to_a_ladder_value(mantissa: float, exponent: int) -> None:
    value = float(f"{mantissa}e{exponent}")
    assert nice_down(nice_up(value)) == value and nice_up(nice_down(value)) == value


@settings(max_examples=150, deadline=None)
@given(schedules(), st.data())
def test_every_key_on_every_argument_gives_a_schedule_or_a_refusal(schedule: Any,
                                                                   data: st.DataObject) -> None:
    rows = knobs(schedule)
    knob = data.draw(st.sampled_from(rows))
    direction = data.draw(st.sampled_from([-1, 1]))
    try:
        changed = nudge(schedule, knob, direction)
    except ScheduleError as exc:
        assert exc.message and "\n" not in exc.message
        return
    assert parse(expression(changed)) == changed  # q's output reads back as the same schedule
    if isinstance(knob.value, bool):
        assert getattr(changed, knob.name) is (not knob.value)


def test_step_counts_stay_integers_and_fractions_move_additively() -> None:
    schedule = parse("CosineDecayRestarts(0.1, 1000, alpha=0.1)")
    by_name = {k.label: k for k in knobs(schedule)}
    assert moved(by_name["first_decay_steps"], 1) == 1500
    assert moved(by_name["first_decay_steps"], -1) == 700
    assert moved(by_name["alpha"], 1) == 0.15 and moved(by_name["alpha"], -1) == 0.05
    assert moved(by_name["t_mul"], 1) == 2.1
    assert moved(by_name["initial_learning_rate"], -1) == 0.07


def test_a_typed_value_is_judged_like_the_command_line() -> None:
    schedule = parse("PiecewiseConstantDecay([1000, 2000], [0.1, 0.01, 0.001])")
    first = knobs(schedule)[0]
    assert typed(schedule, first, "5 * 100").boundaries == (500, 2000)
    assert typed(schedule, first, "[500, 700]").boundaries == (500, 700)  # the whole argument
    for text, boundaries in (("3000", "[3000, 2000]"), ("[20, 10]", "[20, 10]")):
        try:
            typed(schedule, first, text)
        except ScheduleError as exc:
            refused = exc.message
        else:
            raise AssertionError(f"{text} accepted")
        try:
            parse(f"PiecewiseConstantDecay({boundaries}, [0.1, 0.01, 0.001])")
        except ScheduleError as exc:
            assert refused == exc.message
        else:
            raise AssertionError("the command line accepts what the explorer refused")
