"""Keras JSON is decoded by msgspec, for speed: every value must be the one the json module reads.

A learning rate written as 0.1 must become the float Python's ``float("0.1")`` gives, bit for
bit, and ``1`` must stay an int (an int rate changes what Keras computes). What msgspec refuses,
the json module reads again, so NaN and 1e400 are read as before and errors say what they said.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrtool.keras_json import decode
from lrtool.schedules import ScheduleError


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types throughout; floats bit for bit (-0.0 is not 0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


def digits(least: int, most: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=least, max_size=most)


#: JSON number spellings: long mantissas, halfway cases, subnormals, huge exponents, big ints.
NUMBER = st.one_of(
    st.builds(lambda sign, whole, fraction, exponent: f"{sign}{whole}{fraction}{exponent}",
              st.sampled_from(["", "-"]),
              st.one_of(st.just("0"), st.builds(str.__add__, st.sampled_from("123456789"),
                                                digits(0, 40))),
              st.one_of(st.just(""), digits(1, 60).map(lambda d: "." + d)),
              st.one_of(st.just(""), st.builds(lambda e, s, d: f"{e}{s}{d}",
                                               st.sampled_from("eE"),
                                               st.sampled_from(["", "+", "-"]), digits(1, 4)))),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda x: f"{x:.40e}"),
    st.integers(min_value=-(10**400), max_value=10**400).map(str),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(NUMBER, max_size=20))
def test_numbers_read_as_the_json_module_reads_them(numbers: list[str]) -> None:
    text = "[" + ", ".join(numbers) + "]"
    assert same(decode(text), json.loads(text))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(st.characters(codec="utf-8")),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES, st.booleans())
def test_documents_read_as_the_json_module_reads_them(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)  # inf as Infinity, as json writes it
    assert same(decode(text), json.loads(text))


@pytest.mark.parametrize("text", [
    '[NaN, Infinity, -Infinity]', "[1e400, -1e999]", '["\\ud800"]', '{"a": 1, "a": 2.0}',
    "[-0, -0.0, 1E5, 1e-400]", "[" + "9" * 4300 + "]",
])
def test_what_only_the_json_module_reads_is_read_as_it_reads_it(text: str) -> None:
    assert same(decode(text), json.loads(text))


@pytest.mark.parametrize("text", ["[1,]", "[1 2]", '{"a": 1', "[.5]", "[01]", '["\t"]', "[1] x"])
def test_errors_are_the_json_module_s(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(ScheduleError) as error:
        decode(text)
    where = f"line {expected.value.lineno} column {expected.value.colno}"
    assert str(error.value) == f"not valid JSON: {expected.value.msg.removesuffix(' at')} at {where}"
