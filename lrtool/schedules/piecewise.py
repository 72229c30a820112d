"""Keras's ``PiecewiseConstantDecay``: ``values[i]`` while ``boundaries[i-1] < step <= boundaries[i]``."""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import TYPE_CHECKING, Any

from lrtool.schedules import kmath as km
from lrtool.schedules.base import Milestone, Schedule
from lrtool.schedules.params import (
    NumberList, ScheduleError, arg, not_increasing, number_text, require_number, suspects,
)
from lrtool.shape import Shape, Turns, is_bad

if TYPE_CHECKING:
    import numpy as np

    from lrtool.schedules.kmath import Mode

#: Boundaries are compared with the int64 step; beyond this a float boundary no longer casts.
_BOUNDARY_LIMIT = 2**62
#: Boundaries that read as another step, each named in a warning; the rest are counted.
MOVED_SHOWN = 5


@dataclasses.dataclass(frozen=True)
class PiecewiseConstantDecay(Schedule):
    """A constant rate per interval; the value changes at step ``b + 1``, since Keras tests step > b.

    Example:
        PiecewiseConstantDecay([100000, 110000], [1.0, 0.5, 0.1]) gives 1.0 up to step 100000

    Keras casts each boundary to the step's int64 (a float boundary first becomes a float32, then
    is truncated toward zero) and returns the dtype of ``values``: float32 for floats, int32 when
    every value is an int (a mix fails inside Keras, so lrtool refuses it). Both backends agree bit
    for bit: the schedule is comparisons and one exact sum.
    """

    keras_name = "PiecewiseConstantDecay"
    example = {"boundaries": [100000, 110000], "values": [1.0, 0.5, 0.1]}
    bad_rate_hint = "values holds a negative learning rate"
    #: Float boundaries pass through float32 (16777217.0 reads as 16777216), int ones do not.
    dtype_arguments = ("boundaries", "values")

    boundaries: tuple[Any, ...] = arg("Steps after which the next value applies, increasing.",
                                      typical=(0, 3000.0), ints=True, items="increasing")
    values: tuple[Any, ...] = arg("One more rate than boundaries: before, between, after.",
                                  typical=(1e-4, 1.0), scale="log", items="one_more")

    def __post_init__(self) -> None:
        # Tuples keep the frozen schedule hashable (backends cache Keras objects by schedule).
        for name in ("boundaries", "values"):
            value = getattr(self, name)
            if isinstance(value, list):
                object.__setattr__(self, name, tuple(value))
        super().__post_init__()

    @classmethod
    def default_name(cls) -> str:
        return "PiecewiseConstant"

    def arguments(self) -> dict[str, Any]:
        return {"boundaries": list(self.boundaries), "values": list(self.values)}

    def validate(self) -> None:
        for name in ("boundaries", "values"):
            if not isinstance(getattr(self, name), tuple):
                raise ScheduleError(name, f"must be a list of numbers, not {getattr(self, name)!r}")
        if not self.boundaries:
            raise ScheduleError("boundaries", "needs at least one boundary (Keras fails without)")
        for i in suspects(self.numbers["boundaries"], limit=_BOUNDARY_LIMIT):
            b = self.boundaries[i]
            require_number(f"boundaries[{i}]", b)
            if abs(b) >= _BOUNDARY_LIMIT:
                raise ScheduleError("boundaries", f"{b!r} is beyond the int64 step's range")
        for i in not_increasing(self.numbers["boundaries"]):
            a, b = self.boundaries[i], self.boundaries[i + 1]
            if not a < b:
                raise ScheduleError("boundaries", f"must increase strictly, but boundaries[{i}]"
                                    f" = {number_text(a)} and boundaries[{i + 1}] = {number_text(b)}")
        if len(self.values) != len(self.boundaries) + 1:
            raise ScheduleError("values", f"needs one more entry than boundaries: {len(self.values)}"
                                f" values for {len(self.boundaries)} boundaries")
        values = self.numbers["values"]
        for i in suspects(values):
            require_number(f"values[{i}]", self.values[i])
        kinds: set[Any] = set(values.types)
        if not kinds <= {int, float}:
            kinds = {isinstance(v, int) for v in self.values}
        if len(kinds) > 1:
            raise ScheduleError("values", "mixes ints and floats, which Keras cannot add up:"
                                " write every value as a float (1.0, not 1)")
        if self.int_values and values.wide is not None:  # ints: exact in float64 up to INT32_MAX
            import numpy as np

            beyond = np.flatnonzero(np.abs(values.wide) > km.INT32_MAX)
            if beyond.size:
                raise ScheduleError("values", f"{self.values[beyond[0]]} does not fit the int32"
                                    " Keras makes of an int")

    @functools.cached_property
    def numbers(self) -> dict[str, NumberList]:
        """Each list argument looked at once (``NumberList``), for the checks and scans that
        would otherwise convert a list of a million numbers again each time."""
        return {name: NumberList.of(getattr(self, name)) for name in ("boundaries", "values")}

    @property
    def int_values(self) -> bool:
        return isinstance(self.values[0], int)

    def value_dtype(self) -> str:
        return "int32" if self.int_values else "float32"

    @functools.cached_property
    def effective_boundaries(self) -> list[int]:
        """The int64 boundaries Keras compares the step with."""
        return self.boundary_array.tolist()

    @functools.cached_property
    def table(self) -> np.ndarray:
        """The values as Keras adds them up."""
        import numpy as np

        # 0 + value, as Keras's sum does: a -0.0 value comes out as +0.0 (and a float32 denormal
        # as 0, TensorFlow flushing it).
        if self.int_values:
            return np.array(self.values, dtype=np.int32)
        wide = self.numbers["values"].wide
        return km.f32_array(self.values if wide is None else wide) + np.float32(0)

    def suggested_steps(self) -> int:
        last = max(int(self.boundary_array[-1]), 0)
        return max(10, min(10**9, math.ceil(last * 1.25) + 1))

    def formula(self, steps: np.ndarray, mode: Mode = "graph") -> np.ndarray:
        """Comparisons and one exact sum: the same in every mode."""
        import numpy as np

        index = np.searchsorted(self.boundary_array, steps, side="left")
        return self.table[index]

    @functools.cached_property
    def boundary_array(self) -> np.ndarray:
        """The int64 boundaries Keras compares the step with: a float one becomes a float32,
        then is truncated toward zero."""
        import numpy as np

        numbers = self.numbers["boundaries"]
        kinds, wide = numbers.types, numbers.wide
        if kinds == {int} and wide is not None and np.all(np.abs(wide) < 2**53):
            return wide.astype(np.int64)  # ints below 2**53 are exact in float64
        if kinds == {int}:
            return np.array(self.boundaries, np.int64)
        if kinds == {float} and wide is not None:
            return wide.astype(np.float32).astype(np.int64)
        return np.array([b if isinstance(b, int) else int(km.f32(b)) for b in self.boundaries],
                        np.int64)

    @functools.cached_property
    def changes(self) -> np.ndarray:
        """Steps where the value really changes: boundary + 1, where the values on either side
        differ (bit for bit; float boundaries that read as the same int count once).

        Kept once computed: a schedule may have a million boundaries, asked about many times.
        """
        import numpy as np

        # Nondecreasing: float boundaries may read as the same step. At the first of equal
        # boundaries, at index k, the value is table[k]; one step later it is the value after
        # the last of them, table[the next distinct boundary's index] (the last value at the end).
        at = self.boundary_array
        first = np.flatnonzero(np.diff(at, prepend=at[0] - 1) != 0)
        later = np.append(first[1:], at.size)
        bits = f"u{self.table.dtype.itemsize}"
        differ = self.table[first].view(bits) != self.table[later].view(bits)
        return at[first[differ]] + 1

    def shape(self, mode: Mode = "graph") -> Shape:
        """Constant between its changes, which are its only edges."""
        usable = not is_bad(self.table).any()
        return Shape(Turns(self.changes_in), monotone=self.monotone_over,
                     bad="never" if usable else "stretch")

    def changes_in(self, lo: int, hi: int) -> list[int]:
        import numpy as np

        lo_at, hi_at = np.searchsorted(self.changes, [lo, hi], side="right").tolist()
        return self.changes[lo_at:hi_at].tolist()

    def monotone_over(self, lo: int, hi: int) -> bool:
        """Whether the values met from ``lo`` to ``hi`` only fall, or only rise."""
        import numpy as np

        at = np.array([lo, *self.changes_in(lo, hi)], dtype=np.int64)
        moves = np.diff(self.formula(at).astype(np.float64))
        return bool(np.all(moves <= 0) or np.all(moves >= 0))

    def milestones(self, last: int) -> list[Milestone]:
        """The first boundary a run ending at ``last`` does not pass (the value after it
        applies from the next step on), and how many more it misses."""
        import numpy as np

        changes = self.changes
        missed = len(changes) - int(np.searchsorted(changes, last, side="right"))
        if not missed:
            return []
        k = len(changes) - missed
        step = int(changes[k])
        boundary, value = step - 1, number_text(self.values_at([step])[0], True)
        if k == 0:
            what = f"the first boundary ({boundary})" if len(changes) > 1 else f"boundary {boundary}"
            return [Milestone(what, step, f"the rate stays"
                              f" {number_text(self.values_at([0])[0], True)} throughout")]
        if missed == 1:
            return [Milestone(f"boundary {boundary}", step, f"the rate never becomes {value}")]
        return [Milestone(f"the boundaries from {boundary} on ({missed} of {len(changes)})",
                          step, f"the rate never becomes {value}, nor any later value",
                          plural=True)]

    def values_at(self, steps: list[int]) -> list[Any]:
        """The values as written (not as float32) that apply at these steps."""
        import numpy as np

        index = np.searchsorted(self.boundary_array, np.array(steps, np.int64), side="left")
        return [self.values[i] for i in index.tolist()]

    def surprises(self, first: int, last: int) -> list[str]:
        import numpy as np

        notes = []
        if self.int_values:
            notes.append("every value is an integer, so Keras returns int32 rates (a rate of 0.5"
                         " cannot exist); write them as floats, e.g. 1.0")
        kinds, wide = self.numbers["boundaries"].types, self.numbers["boundaries"].wide
        if float in kinds and wide is not None:
            floats = (np.arange(len(self.boundaries)) if kinds == {float} else
                      np.flatnonzero([isinstance(b, float) for b in self.boundaries]))
            moved = floats[self.boundary_array[floats] != np.floor(wide[floats])]
            for i in moved[:MOVED_SHOWN].tolist():
                b, e = self.boundaries[i], int(self.boundary_array[i])
                notes.append(f"boundary {b!r} reads as {e} in Keras (float32, then truncated)")
            if moved.size > MOVED_SHOWN:
                notes.append(f"... and {moved.size - MOVED_SHOWN} more boundaries read as other"
                             " steps in Keras")
        return notes
