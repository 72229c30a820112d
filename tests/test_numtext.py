"""CSV and table numbers: the shortest text that reads back to exactly the same float."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lrtool.numtext import float_matrix, format_numbers, int_matrix, join_rows


def test_issue_examples() -> None:
    values = np.float32(0.1) / (np.float32(1) + np.float32(0.5) * np.arange(5, dtype=np.float32))
    assert format_numbers(values) == ["0.1", "0.06666667", "0.05", "0.04", "0.033333335"]


def test_special_values_match_numpy() -> None:
    values = np.array(
        [0.0, -0.0, 1.0, 100000.0, 1e6, 1e-4, 9.999999e-5, 1e-45, 3.4e38, np.inf, -np.inf, np.nan],
        dtype=np.float32,
    )
    assert format_numbers(values) == [str(v) for v in values]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(width=32, allow_nan=False, allow_infinity=False), min_size=1, max_size=50))
def test_float32_text_is_numpys_shortest_repr(values: list[float]) -> None:
    array = np.array(values, dtype=np.float32)
    texts = format_numbers(array)
    assert texts == [str(v) for v in array]
    assert all(np.float32(t) == v for t, v in zip(texts, array))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=50))
def test_float64_text_is_pythons_repr(values: list[float]) -> None:
    assert format_numbers(np.array(values, dtype=np.float64)) == [repr(v) for v in values]


def test_a_million_values_from_a_schedule_round_trip() -> None:
    steps = np.arange(10**6)
    values = np.float32(0.1) / (np.float32(1) + np.float32(0.5) * (steps.astype(np.float32) / np.float32(1000)))
    texts = format_numbers(values)
    sample = slice(None, None, 997)
    assert texts[sample] == [str(v) for v in values[sample]]


@given(st.lists(st.integers(min_value=0, max_value=2**62), min_size=1, max_size=30))
def test_rows_join_into_csv_lines(steps: list[int]) -> None:
    values = np.full(len(steps), 0.5, dtype=np.float32)
    text = join_rows([int_matrix(np.array(steps)), float_matrix(values)]).decode()
    assert text == "".join(f"{s},0.5\n" for s in steps)


def test_integer_rates_print_as_integers() -> None:
    # PiecewiseConstantDecay with all-integer values: Keras returns int32 rates
    assert format_numbers(np.array([2, 1, 0], dtype=np.int32)) == ["2", "1", "0"]
