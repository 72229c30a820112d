"""Fitting a terminal plot to the terminal: which layout, how many rows and characters, and
what to tell the user when the terminal is too small.

Layouts, best first: the picture's panels side by side; stacked; all curves in one panel (for a
terminal too small for two readable panels); that panel at whatever fits. A canvas is readable
from READABLE rows and characters: fewer rows leave a curve two tick labels and no shape. The
title and the information line wrap at argument boundaries (``lrtool.output.wrap``) and every
curve keeps its legend entry, so both take the lines they need and the canvas what is left.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from lrtool.output import braille
from lrtool.output.axis import FLOAT32_SLACK, log_ticks, nice_ticks, sci_labels
from lrtool.output.wrap import wrap
from lrtool.picture import Panel

if TYPE_CHECKING:
    import numpy as np

MIN_CANVAS = (4, 16)  # rows, characters: drawn at least this big, whatever the terminal
MIN_GUTTER = 7  # "1.0e-1┤": the y labels' usual width
READABLE = (8, 30)  # rows, characters of a canvas worth reading
MAX_SIZE = (60, 320)  # lines, columns: beyond this a plot is no easier to read
GAP = 3
#: A legend entry: the curve it marks (None: plain text, such as the panel's name) and its text.
Entry = tuple["str | None", str]
MARK = "━ "
LEGEND_GAP = 2


@dataclasses.dataclass
class YAxis:
    """The value range, its mapping to dot rows, and the tick labels of each character row."""

    lo: float
    hi: float
    rows: int
    log: bool

    def dot_rows(self, values: np.ndarray) -> np.ndarray:
        """Dot rows as floats, 0 at the top (the highest value)."""
        import numpy as np

        f = np.log10 if self.log else (lambda v: v)
        v = np.asarray(values, dtype=np.float64)
        if self.log:  # values below a log axis's floor (0 included) lie on it
            v = np.maximum(v, self.lo)
        if not self.hi > self.lo:
            return np.full(v.shape, (4 * self.rows - 1) / 2)
        t = (f(v) - f(self.lo)) / (f(self.hi) - f(self.lo))
        return (4 * self.rows - 1) * (1 - t)

    def labels(self) -> dict[int, str]:
        import numpy as np

        count = max(2, self.rows // 3)
        if self.log and self.hi > self.lo:
            ticks = log_ticks(self.lo, self.hi, count)
        else:
            ticks = nice_ticks(self.lo, self.hi, count, slack=FLOAT32_SLACK)
            if len(ticks) < 2 and self.hi > self.lo:  # finer steps give a narrow range two
                ticks = nice_ticks(self.lo, self.hi, 3 * count, slack=FLOAT32_SLACK)
        rows = braille.round_half_up(self.dot_rows(np.array(ticks))) // 4
        out: dict[int, str] = {}
        for row, label in zip(rows.tolist(), sci_labels(ticks)):
            out.setdefault(row, label)
        return out


@dataclasses.dataclass
class Layout:
    """How the plot is drawn: its header lines, the panels (each with its legend rows), side by
    side or stacked, each canvas ``rows`` x ``chars`` after a ``gutter`` of y labels; and a
    one-line ``note`` when the terminal is too small for the plot the user would expect."""

    header: list[str]
    panels: list[Panel]
    tops: list[list[list[Entry]]]
    side: bool
    rows: int
    chars: int
    gutter: int
    note: str | None = None

    @property
    def readable(self) -> bool:
        return self.rows >= READABLE[0] and self.chars >= READABLE[1]


def top_rows(panel: Panel, chars: int) -> list[list[Entry]]:
    """The lines above a panel's canvas: its name, and with several curves one legend entry
    each, as many to a line as fit (an entry wider than the canvas wraps; none is dropped)."""
    if len(panel.curves) == 1:
        return [[(None, line)] for line in wrap(panel.title, chars)]
    blocks: list[list[Entry]] = [[(None, panel.title)]] if panel.title else []
    for label in panel.curves:
        lines = wrap(label, chars - len(MARK))
        blocks.append([(label, MARK + lines[0])]
                      + [(None, " " * len(MARK) + line) for line in lines[1:]])
    rows: list[list[Entry]] = []
    used = chars + 1  # nothing to share a line with yet
    for block in blocks:
        text = block[0][1]
        if len(block) == 1 and used + LEGEND_GAP + len(text) <= chars:
            rows[-1].append(block[0])
            used += LEGEND_GAP + len(text)
            continue
        rows += [[line] for line in block]
        used = len(text) if len(block) == 1 else chars + 1
    return rows


def gutter_for(y: YAxis, rows: int, epoch: bool) -> int:
    """Characters left of the canvas: the widest y label, or the x axes' names, and a rule."""
    y.rows = max(MIN_CANVAS[0], rows)
    return max([len(s) for s in y.labels().values()] + [len("epoch" if epoch else "step")]) + 1


def fit(panels: list[Panel], side: bool, width: int, lines: int, epoch: bool, y: YAxis,
        header: list[str]) -> Layout:
    """The biggest canvases these panels get in ``lines`` lines (after the header)."""
    n, below = len(panels), 2 + epoch
    gutter = gutter_for(y, lines, epoch)
    for _ in range(2):  # the gutter depends on the rows, the rows on the legend's width
        chars = (width - gutter - (n - 1) * (1 + GAP)) // n if side else width - gutter
        tops = [top_rows(p, max(chars, MIN_CANVAS[1])) for p in panels]
        if side:
            rows = lines - len(header) - max(map(len, tops)) - below
        else:
            rows = (lines - len(header) - sum(map(len, tops)) - n * below) // n
        again = gutter_for(y, rows, epoch)
        if again == gutter:
            break
        gutter = again
    y.rows = max(MIN_CANVAS[0], rows)
    return Layout(header, panels, tops, side, rows, chars, gutter)


def plan(width: int, height: int, title: str, info: tuple[str, str], panels: list[Panel],
         merged: Panel, epoch: bool, y: YAxis) -> Layout:
    """The best layout for a ``width`` x ``height`` terminal (a line is left for the prompt,
    and one for the note when there is one). ``info`` is the line under the title, in full and
    short (used with a note, to leave the canvas what lines there are). Sets ``y.rows``."""

    def attempt(shown: list[Panel], side: bool, columns: int, lines: int, short: bool) -> Layout:
        least = MIN_GUTTER + MIN_CANVAS[1]  # the plot is never narrower: nor is its header
        header = wrap(title, max(columns, least)) + wrap(info[short], max(columns, least))
        return fit(shown, side, columns, lines - 1, epoch, y, header)

    def best(columns: int, lines: int) -> tuple[Layout, str]:
        """The layout, and whether it is what one expects ("ok"), the panels sharing one
        ("shared") or just what fits ("small")."""
        if len(panels) > 1:
            side = attempt(panels, True, columns, lines, False)
            if side.readable:
                return side, "ok"
        alone = attempt(panels, False, columns, lines, False)
        if alone.readable:
            return alone, "ok"
        one = attempt([merged], False, columns, lines - 1, True)  # a line for the note
        return one, "shared" if len(panels) > 1 and one.readable else "small"

    layout, kind = best(width, height)
    size = f"a {width}x{height} terminal"
    if kind == "shared":
        wanted = smallest(lambda w, h: best(w, h)[1] == "ok", width, height)
        layout.note = (f"{size} is too small for {len(panels)} readable panels, so they share"
                       f" one; {wanted} shows them apart")
    elif kind == "small":
        wanted = smallest(lambda w, h: best(w, h)[1] != "small", width, height)
        clamped = layout.rows < MIN_CANVAS[0] or layout.chars < MIN_CANVAS[1]
        layout.note = (f"{size} is too small for a readable plot ({wanted} is enough): drawn "
                       + ("at the smallest size, larger than the terminal" if clamped
                          else "as it fits"))
    layout.rows, layout.chars = max(MIN_CANVAS[0], layout.rows), max(MIN_CANVAS[1], layout.chars)
    y.rows = layout.rows
    return layout


def smallest(good: Callable[[int, int], bool], width: int, height: int) -> str:
    """The smallest terminal ('80x24') at least ``width`` x ``height`` that is ``good``: the
    fewest columns that are good at the most lines, then the fewest lines at those columns.
    Bisection: a bigger terminal never fits worse."""

    def least(lo: int, hi: int, ok: Callable[[int], bool]) -> int:
        while lo < hi:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if ok(mid) else (mid + 1, hi)
        return lo

    columns = least(width, max(width, MAX_SIZE[1]), lambda c: good(c, max(height, MAX_SIZE[0])))
    lines = least(height, max(height, MAX_SIZE[0]), lambda h: good(columns, h))
    return f"{columns}x{lines}"
