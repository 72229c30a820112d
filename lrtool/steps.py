"""Which steps to evaluate: one ``Steps`` value, whether a range or an explicit list.

``--steps``, ``--start`` and ``--every`` describe a range of possibly a billion steps, which
costs nothing until it is evaluated; ``--at`` gives a short sorted list. Everything that walks,
searches or indexes requested steps (tables, plots, checks for unusable rates) goes through
this one type, so "a range or a list" is decided here and nowhere else. Evaluation walks the
steps in chunks, so memory stays flat for any step count.

Example:
    >>> steps = Steps.span(2, 10, 3)
    >>> list(steps), steps.first, steps.last, steps.count_below(6)
    ([2, 5, 8], 2, 8, 2)
    >>> Steps.listed([1000, 0, 999, 0]).first_at_or_after(1)
    999
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    import numpy as np

#: Steps per evaluation chunk: large enough to amortise per-call overhead, small enough for cache.
CHUNK = 1 << 16


class Steps:
    """Ascending, distinct, non-negative steps: a ``range`` or a sorted tuple."""

    __slots__ = ("_items",)

    def __init__(self, items: range | tuple[int, ...]) -> None:
        if isinstance(items, range) and items.step <= 0:
            raise ValueError("a range of steps must ascend")
        self._items = items

    @classmethod
    def span(cls, start: int, stop: int, every: int = 1) -> Steps:
        """``start, start + every, ...`` below ``stop``."""
        return cls(range(start, stop, every))

    @classmethod
    def listed(cls, steps: Iterable[int]) -> Steps:
        """Exactly these steps, sorted, duplicates dropped."""
        return cls(tuple(sorted({int(s) for s in steps})))

    @classmethod
    def of(cls, steps: Steps | range | Iterable[int]) -> Steps:
        """Steps from whatever a caller holds: Steps itself, a range, or any iterable."""
        if isinstance(steps, Steps):
            return steps
        if isinstance(steps, range) and steps.step > 0:
            return cls(steps)
        return cls.listed(steps)

    # --- a sequence of ints --------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return len(self._items) > 0

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Steps: ...

    def __getitem__(self, index: int | slice) -> int | Steps:
        if isinstance(index, slice):
            return Steps(self._items[index])
        return int(self._items[index])

    def __iter__(self) -> Iterator[int]:
        return iter(self._items)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Steps):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    def __hash__(self) -> int:
        return hash(self._items if isinstance(self._items, range) else tuple(self._items))

    def __repr__(self) -> str:
        if isinstance(self._items, range):
            r = self._items
            return f"Steps.span({r.start}, {r.stop}, {r.step})"
        return f"Steps.listed({list(self._items)!r})"

    @property
    def is_range(self) -> bool:
        return isinstance(self._items, range)

    @property
    def first(self) -> int:
        return int(self._items[0])

    @property
    def last(self) -> int:
        return int(self._items[-1])

    # --- searching -----------------------------------------------------------------------

    def count_below(self, step: int) -> int:
        """How many steps lie below ``step``: the index of the first one at or after it."""
        items = self._items
        if isinstance(items, range):
            if step <= items.start:
                return 0
            return min(len(items), -(-(step - items.start) // items.step))
        return bisect.bisect_left(items, step)

    def counts_below(self, bounds: np.ndarray) -> np.ndarray:
        """``count_below`` for each of many bounds at once."""
        import numpy as np

        bounds = np.asarray(bounds, dtype=np.int64)
        items = self._items
        if isinstance(items, range):
            above = -((items.start - bounds) // items.step)  # ceil((bound - start) / step)
            return np.clip(above, 0, len(items))
        return np.searchsorted(self.array(), bounds, side="left")

    def first_at_or_after(self, step: int) -> int | None:
        """The first step at or after ``step``, None when there is none."""
        k = self.count_below(step)
        return self[k] if k < len(self) else None

    def index_in(self, lo: int, hi: int | None = None) -> int | None:
        """Index of the first step in [lo, hi], None when there is none."""
        k = self.count_below(lo)
        if k >= len(self) or (hi is not None and self[k] > hi):
            return None
        return k

    def within(self, lo: int, hi: int) -> Steps:
        """The steps in [lo, hi]."""
        return self[self.count_below(lo) : self.count_below(hi + 1)]

    # --- as arrays -----------------------------------------------------------------------

    def at(self, indices: np.ndarray) -> np.ndarray:
        """The steps at these indices, as int64, without materialising a range."""
        import numpy as np

        indices = np.asarray(indices, dtype=np.int64)
        items = self._items
        if isinstance(items, range):
            return items.start + indices * items.step
        return self.array()[indices]

    def chunks(self, size: int = CHUNK) -> Iterator[np.ndarray]:
        """The steps as int64 arrays of at most ``size`` each."""
        import numpy as np

        items = self._items
        for i in range(0, len(items), size):
            part = items[i : i + size]
            if isinstance(part, range):
                yield np.arange(part.start, part.stop, part.step, dtype=np.int64)
            else:
                yield np.asarray(part, dtype=np.int64)

    def array(self) -> np.ndarray:
        """Every step as one int64 array (for lists, and ranges known to be small)."""
        import numpy as np

        items = self._items
        if isinstance(items, range):
            return np.arange(items.start, items.stop, items.step, dtype=np.int64)
        return np.asarray(items, dtype=np.int64).reshape(-1)


def select(steps: int, start: int = 0, every: int = 1, at: Iterable[int] | None = None) -> Steps:
    """The requested steps: ``at`` when given, else ``start, start + every, ...`` below ``steps``.

    Example:
        select(10, start=2, every=3) == Steps.span(2, 10, 3)   # 2, 5, 8
    """
    if at is not None:
        return Steps.listed(at)
    return Steps.span(start, steps, every)
