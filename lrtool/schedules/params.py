"""Schedule arguments: their help and kind, the checks Keras's arithmetic needs, and their text.

A schedule's fields are the Keras constructor's arguments. Each carries metadata (``arg``): a
one-line help for the CLI and README, a ``typical`` range that makes a sensible schedule, and
whether it moves on a ``log`` or ``linear`` scale. Tests draw arguments from that range, the
explorer steps arguments by that scale, so a new schedule needs no test strategy of its own.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from lrtool.schedules.kmath import FLOAT32_MAX, FLOAT32_TINY, INT32_MAX, to_int32

if TYPE_CHECKING:
    import numpy as np

#: Why arguments are truncated to int32: said in errors and warnings.
INT_RATE = "which Keras casts it to because initial_learning_rate is an integer"


class ScheduleError(ValueError):
    """A schedule argument is unusable; ``argument`` names it so the CLI can name its option.

    ``repair``, when given, is what makes the schedule one Keras can run (an int initial rate
    written as a float): a reader of pasted code or JSON may show that one, saying so.
    """

    def __init__(self, argument: str | None, message: str,
                 repair: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.argument = argument
        self.message = message
        self.repair = repair


def arg(help: str, default: Any = dataclasses.MISSING, *,
        typical: tuple[float, float] | None = None,
        scale: Literal["log", "linear"] = "linear", ints: bool = False,
        items: Literal["increasing", "one_more"] | None = None) -> Any:
    """A dataclass field for a Keras argument.

    ``typical``: the range of values that make a sensible schedule (for a list, of its items);
    ``scale``: whether the argument moves multiplicatively (rates, step counts) or additively
    (fractions); ``ints``: integers are meaningful values too (an int initial rate changes what
    Keras computes); ``items``: for a list, ``increasing`` (boundaries) or ``one_more`` (one
    more item than the list argument before it).
    """
    meta = {"help": help, "typical": typical, "scale": scale, "ints": ints, "items": items}
    return dataclasses.field(default=default, metadata=meta)


def number_text(value: object, keep_floats: bool = False) -> str:
    """Python literal text, with whole floats written as integers (1000, not 1000.0).

    ``keep_floats`` writes them as floats (1.0) for arguments whose int-ness changes what Keras
    computes, such as ``initial_learning_rate``.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16 and not keep_floats:
        return str(int(value))
    if callable(getattr(value, "label", None)):  # a schedule given as an argument of another
        return value.label()  # type: ignore[union-attr]
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(number_text(v, keep_floats) for v in value) + "]"
    return repr(value)


def require_number(name: str, value: object, *, minimum: float | None = None,
                   positive: bool = False) -> None:
    """A finite number within float32's range (beyond 3.4e38 TensorFlow would read inf).

    A nonzero value below 1.2e-38 is accepted where 0 is (TensorFlow computes with 0 instead,
    which ``tiny_arguments`` reports as a warning), refused where it must be ``positive``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScheduleError(name, f"must be a number, not {short_repr(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ScheduleError(name, f"must be a finite number, not {value!r}")
    if abs(value) > FLOAT32_MAX:  # an int of 400 digits too, which float() cannot even hold
        raise ScheduleError(name, f"{short_repr(value)} is beyond float32's range (3.4e38)")
    if positive and value <= 0:
        raise ScheduleError(name, f"must be > 0, not {value!r}")
    if positive and value < FLOAT32_TINY:
        raise ScheduleError(name, f"{value!r} is 0 to TensorFlow (below float32's smallest normal"
                            " number, 1.2e-38)")
    if minimum is not None and value < minimum:
        raise ScheduleError(name, f"must be >= {minimum:g}, not {value!r}")


@dataclasses.dataclass(frozen=True)
class NumberList:
    """A list argument's items looked at all at once: their Python types, and each item as a
    float64 (``wide``: None unless every item is an int or a float, or a subclass of one,
    within float64's range).

    A list of a million numbers is checked, compared and scanned several times; its schedule
    makes this once and keeps it, rather than converting the list again for each look.
    """

    count: int
    types: frozenset[type]
    wide: np.ndarray | None

    @classmethod
    def of(cls, items: Sequence[Any]) -> NumberList:
        import numpy as np

        types = frozenset(map(type, items))
        wide = None
        if all(issubclass(t, (int, float)) for t in types):
            try:
                wide = np.array(items, dtype=np.float64)
            except OverflowError:  # an int beyond float64's range: require_number names it
                pass
        return cls(len(items), types, wide)


def suspects(numbers: NumberList, limit: float = FLOAT32_MAX) -> list[int]:
    """Indices of the items ``require_number`` might refuse (not a number, not finite, beyond
    ``limit``), found at once for a list of a million: the caller checks those one by one,
    so the first refused item is named as a loop over all of them would name it."""
    import numpy as np

    if numbers.wide is None or not numbers.types <= {int, float}:
        return list(range(numbers.count))
    with np.errstate(invalid="ignore"):
        return np.flatnonzero(~(np.abs(numbers.wide) < min(limit, FLOAT32_MAX))).tolist()


def not_increasing(numbers: NumberList) -> list[int]:
    """Indices ``i`` where ``items[i] < items[i + 1]`` may not hold, found at once: rounding to
    float64 keeps order, so only pairs it makes equal or descending need the exact check.
    (For numbers ``require_number`` accepted: every one then has its float64.)"""
    import numpy as np

    assert numbers.wide is not None
    return np.flatnonzero(~(np.diff(numbers.wide) > 0)).tolist()


def short_repr(value: object, width: int = 40) -> str:
    """``repr(value)`` cut to ``width`` characters: an error quotes a 4000-digit integer or a
    huge list in a line, not a screenful. (A str of more than 4300 digits has no repr at all.)"""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def require_bool(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise ScheduleError(name, f"must be true or false, not {short_repr(value)}")


def require_int32(name: str, value: int | float) -> int:
    """The int32 Keras casts ``value`` to under an integer learning rate, if it fits."""
    cast = to_int32(value)
    if abs(cast) > INT32_MAX:
        raise ScheduleError(name, f"{value!r} does not fit int32, {INT_RATE}")
    return cast


def require_int32_steps(name: str, value: int | float) -> None:
    """A step count that stays above 0 as the int32 Keras makes of it."""
    require_int32(name, value)
    if to_int32(value) <= 0:
        raise ScheduleError(name, f"{value!r} becomes 0 as an int32, {INT_RATE}: every step"
                            " would divide by zero")


def tiny_arguments(arguments: dict[str, Any],
                   lists: Mapping[str, NumberList] | None = None) -> list[str]:
    """Arguments float32 cannot tell from 0, as warning lines (a list of a million numbers is
    looked at all at once, through its ``NumberList`` in ``lists`` when the schedule keeps one)."""
    import numpy as np

    notes = []
    for name, value in arguments.items():
        items = value if isinstance(value, list) else [value]
        where = range(len(items))
        if len(items) > 1:
            numbers = (lists or {}).get(name) or NumberList.of(items)
            if numbers.wide is not None:
                size = np.abs(numbers.wide)
                where = np.flatnonzero((size > 0) & (size < FLOAT32_TINY)).tolist()
        for i in where:
            v = items[i]
            if isinstance(v, float) and 0 < abs(v) < FLOAT32_TINY:
                at = f"{name}[{i}]" if isinstance(value, list) else name
                notes.append(f"{at} = {v!r} is below float32's smallest normal number:"
                             " TensorFlow computes with 0")
    return notes
