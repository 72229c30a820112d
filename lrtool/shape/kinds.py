"""The kinds of edges a schedule states (``lrtool.shape``'s module docstring lists them):
each finds its edges in (lo, hi] and counts them, at most, without finding them."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from typing import Union as TypingUnion

from lrtool.shape.search import (
    Values, segment_count, segment_starts, spread_out, starts_within, where_value_changes,
)


@dataclasses.dataclass(frozen=True)
class NoEdges:
    """Smooth and monotone over any range: nowhere does the value jump or turn."""

    def find(self, lo: int, hi: int, limit: int, values: Values) -> list[int]:
        return []

    def count(self, lo: int, hi: int) -> int:
        return 0


@dataclasses.dataclass(frozen=True)
class Turns:
    """A few known edges: ``at(lo, hi)`` lists those in (lo, hi], ascending."""

    at: Callable[[int, int], list[int]]

    def find(self, lo: int, hi: int, limit: int, values: Values) -> list[int]:
        return spread_out([e for e in self.at(lo, hi) if lo < e <= hi], limit)

    def count(self, lo: int, hi: int) -> int:
        return len(self.at(lo, hi))


@dataclasses.dataclass(frozen=True)
class Segments:
    """Stretches numbered by ``index``, a nondecreasing function of the int64 steps.

    ``last(lo, hi)``, when given, is the last step worth searching (past it the value no
    longer moves, or the index means nothing). With ``moved_only``, an index change where the
    value stays the same is no edge: the stretches on both sides run the same way.
    """

    index: Values
    last: Callable[[int, int], int] | None = None
    moved_only: bool = True

    def find(self, lo: int, hi: int, limit: int, values: Values) -> list[int]:
        return self.edges(self.starts(lo, hi, limit)[1], values)

    def starts(self, lo: int, hi: int, limit: int) -> tuple[int, list[int]]:
        """The last step searched, and where the index changes up to it."""
        hi = self.last(lo, hi) if self.last else hi
        return hi, segment_starts(self.index, lo, hi, limit)

    def edges(self, starts: list[int], values: Values) -> list[int]:
        return where_value_changes(starts, values) if self.moved_only else starts

    def count(self, lo: int, hi: int) -> int:
        hi = self.last(lo, hi) if self.last else hi
        return segment_count(self.index, lo, hi)


@dataclasses.dataclass(frozen=True)
class Within:
    """``outer``'s edges, and where ``inner`` changes inside each of its stretches (one search
    of ``outer``'s index serves both); ``per`` bounds the inner changes per stretch, so that
    counting them costs no more than counting the stretches."""

    outer: Segments
    inner: Values
    per: int

    def find(self, lo: int, hi: int, limit: int, values: Values) -> list[int]:
        hi, starts = self.outer.starts(lo, hi, limit)
        found = set(self.outer.edges(starts, values)) | set(starts_within(self.inner,
                                                                         [lo, *starts], hi))
        return spread_out(sorted(found), limit)

    def count(self, lo: int, hi: int) -> int:
        return self.outer.count(lo, hi) * (self.per + 1) + self.per


@dataclasses.dataclass(frozen=True)
class Union:
    """Edges of several kinds (a restart schedule's restarts and the end of its periods)."""

    parts: tuple[Edges, ...]

    def find(self, lo: int, hi: int, limit: int, values: Values) -> list[int]:
        found = itertools.chain.from_iterable(p.find(lo, hi, limit, values) for p in self.parts)
        return spread_out(sorted(set(found)), limit)

    def count(self, lo: int, hi: int) -> int:
        return sum(p.count(lo, hi) for p in self.parts)


Edges = TypingUnion[NoEdges, Turns, Segments, Within, Union]
