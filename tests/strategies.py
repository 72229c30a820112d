"""Hypothesis strategies for any registry schedule, derived from its arguments' metadata.

Each argument says its typical range, whether integers are meaningful values, and, for lists,
how their items relate (``lrtool.schedules.params.arg``). So a new schedule in the registry is
drawn, checked and compared with Keras without a strategy of its own.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st

from lrtool.schedules import REGISTRY, Schedule, ScheduleError


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_subnormal=False)


def build(name: str, kwargs: dict[str, Any]) -> Schedule:
    """A registry schedule from keyword arguments: arguments the schedule refuses make
    hypothesis draw again rather than fail."""
    try:
        return REGISTRY[name].from_arguments(kwargs)
    except ScheduleError:
        reject()
        raise AssertionError("unreachable")


def numbers(meta: dict[str, Any], wide: bool) -> st.SearchStrategy[Any]:
    """Values of one numeric argument: round values and any float of its typical range,
    integers too where they mean something; ``wide`` adds far and negative values."""
    lo, hi = meta["typical"]
    round_values = sorted({lo, hi, (lo + hi) / 2, 0.0 if lo <= 0 <= hi else lo, 1.0
                           if lo <= 1 <= hi else hi})
    parts = [st.sampled_from(round_values), floats(lo, hi)]
    if meta["ints"] and math.floor(hi) >= max(0, math.ceil(lo)):
        parts.append(st.integers(max(0, math.ceil(lo)), math.floor(hi)))
    if wide:
        parts.append(floats(-2 * max(abs(hi), 1.0), max(abs(hi), 10.0) * 1e3))
    return st.one_of(*parts)


@st.composite
def arguments(draw: st.DrawFn, name: str, wide: bool = False) -> dict[str, Any]:
    """Keyword arguments for the registry schedule ``name``."""
    out: dict[str, Any] = {}
    previous_list: list[Any] = []
    for field in dataclasses.fields(REGISTRY[name]):
        meta = field.metadata
        if isinstance(field.default, bool):
            out[field.name] = draw(st.booleans())
        elif meta.get("schedule"):  # WarmUp's decay_schedule_fn: any other schedule
            inner = draw(st.sampled_from([n for n in sorted(REGISTRY) if n != name]))
            out[field.name] = draw(schedules(inner, wide))
        elif field.type == "int":  # a whole number of steps, nothing else
            lo, hi = meta["typical"]
            out[field.name] = draw(st.integers(math.ceil(lo), math.floor(hi)))
        elif meta.get("items") == "increasing":
            items = st.lists(numbers({**meta, "ints": True}, False), min_size=1, max_size=40)
            previous_list = sorted(set(draw(items)))
            out[field.name] = previous_list
        elif meta.get("items") == "one_more":
            size = len(previous_list) + 1
            out[field.name] = draw(st.lists(numbers(meta, wide), min_size=size, max_size=size))
        elif field.default is None:
            out[field.name] = draw(st.one_of(st.none(), numbers(meta, wide)))
        elif meta.get("typical") is not None:
            if field.default is not dataclasses.MISSING and draw(st.integers(0, 3)) == 0:
                continue  # left at Keras's default
            out[field.name] = draw(numbers(meta, wide))
    return out


@st.composite
def schedules(draw: st.DrawFn, name: str | None = None, wide: bool = False) -> Schedule:
    """Any registry schedule (or the one named), with arguments it accepts."""
    name = name or draw(st.sampled_from(sorted(REGISTRY)))
    return build(name, draw(arguments(name, wide)))
