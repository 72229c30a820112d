"""The terminal plot: each panel a braille canvas with a y axis, x ticks and a title, via rich.

Sized to the terminal (COLUMNS and LINES win, as everywhere): the panels side by side when each
gets a readable canvas, else stacked, else all curves in one panel, with a note when the
terminal is too small for what one would expect (``lrtool.output.terminal_layout``). The whole
plot fits the terminal's width and leaves a line for the prompt, down to a minimum below which
it is drawn at that minimum. Titles wrap rather than lose an argument; every curve keeps its
legend entry. Piped, it is plain text (rich writes no ANSI codes to a pipe, honours NO_COLOR);
on a stream whose encoding has no braille, ASCII (``lrtool.output.charset``).
"""

from __future__ import annotations

import dataclasses
import itertools
import shutil
from typing import IO, TYPE_CHECKING

from lrtool.engine import Curve, column_cuts, columns_of
from lrtool.output import braille, charset
from lrtool.output.axis import floor_note, nice_ticks, step_text
from lrtool.output.terminal_layout import (
    GAP, LEGEND_GAP, MARK, MAX_SIZE, MIN_CANVAS, Entry, YAxis, plan,
)
from lrtool.output.wrap import wrap
from lrtool.picture import Picture

if TYPE_CHECKING:
    import numpy as np
    from rich.text import Text

COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "red")


def terminal_size() -> tuple[int, int]:
    """(columns, lines): COLUMNS and LINES when set, else the terminal's, else 80 x 24."""
    size = shutil.get_terminal_size((80, 24))
    return size.columns, size.lines


# --- drawing ------------------------------------------------------------------------------

def _axis_labels(ticks: list[tuple[int, str]], chars: int) -> tuple[str, str]:
    """The axis line with a mark under each labelled tick, and the label line under it."""
    line, marks = [" "] * chars, ["─"] * chars
    end = -1
    for col, label in ticks:
        start = min(max(col - len(label) // 2, 0), chars - len(label))
        if start <= end or start < 0 or not 0 <= col < chars:
            continue
        line[start:start + len(label)] = label
        marks[col] = "┬"
        end = start + len(label)
    return "".join(marks), "".join(line)


def _x_ticks(picture: Picture, cuts: np.ndarray, chars: int, scale: float) -> list[tuple[int, str]]:
    import numpy as np

    lo, hi = picture.first / scale, picture.last / scale
    values = nice_ticks(lo, hi, max(1, chars // 10), whole=scale == 1)
    steps = np.array([round(v * scale) for v in values], dtype=np.int64)
    cols = columns_of(cuts, steps) // 2
    return [(int(c), step_text(v)) for c, v in zip(cols, values)]


def _top(top: list[list[Entry]], single: bool, chars: int, gutter: int,
         colours: dict[str, str], height: int) -> list[Text]:
    """The lines above a canvas, ``height`` of them: the name (centred over a single curve),
    or the legend, one entry per curve in its colour."""
    from rich.text import Text

    lines = []
    for row in top:
        line = Text(" " * gutter)
        for i, (label, text) in enumerate(row):
            if i:
                line.append(" " * LEGEND_GAP)
            if label is None:
                line.append(text.center(chars) if single else text, style="bold")
            else:
                line.append(MARK, style=colours[label]).append(text[len(MARK):])
        lines.append(line)
    lines += [Text("") for _ in range(height - len(lines))]
    for line in lines:
        line.pad_right(gutter + chars - line.cell_len)
    return lines


def _panel(curves: dict[str, Curve], top: list[Text], picture: Picture, y: YAxis, chars: int,
           gutter: int, colours: dict[str, str], cuts: np.ndarray,
           cursor: int | None = None) -> list[Text]:
    """One panel's lines below its ``top`` lines, each ``gutter + chars`` cells wide; the
    ``cursor`` column, if any, in reverse video (the explorer's read-out)."""
    import numpy as np
    from rich.text import Text

    bits = np.zeros((y.rows, chars), dtype=np.int64)
    owner = np.full((y.rows, chars), -1, dtype=np.int64)
    for i, curve in enumerate(curves.values()):
        codes = braille.draw(columns_of(cuts, curve.steps), y.dot_rows(curve.values), (y.rows, chars))
        codes -= braille.BLANK
        bits |= codes
        owner[codes > 0] = i
    styles = [colours[label] for label in curves] + ["yellow"]
    for mark in picture.shown_marks:  # a dotted line where training stands, behind the curves
        column = int(columns_of(cuts, np.array([mark], np.int64))[0]) // 2
        owner[:, column] = np.where(bits[:, column] == 0, len(curves), owner[:, column])
    ticks = y.labels()

    lines = list(top)
    for r in range(y.rows):
        row = Text(f"{ticks.get(r, ''):>{gutter - 1}}" + ("┤" if r in ticks else "│"), style="dim")
        cells = [chr(braille.BLANK + code) if code else "┊" if who == len(curves) else " "
                 for code, who in zip(bits[r].tolist(), owner[r].tolist())]
        # One styled piece per run of cells of the same curve (or of blanks).
        for who, run in itertools.groupby(zip(owner[r].tolist(), cells), key=lambda cell: cell[0]):
            row.append("".join(cell for _, cell in run), style=styles[who] if who >= 0 else "")
        if cursor is not None:
            row.stylize("reverse", gutter + cursor, gutter + cursor + 1)
        lines.append(row)
    axis, labels = _axis_labels(_x_ticks(picture, cuts, chars, 1), chars)
    lines.append(Text(" " * (gutter - 1) + "└" + axis, style="dim"))
    if cursor is not None:
        lines[-1].stylize("reverse", gutter + cursor, gutter + cursor + 1)
    lines.append(Text(f"{'step':>{gutter - 1}} " + labels, style="dim"))
    if picture.steps_per_epoch:
        _, epochs = _axis_labels(_x_ticks(picture, cuts, chars, picture.steps_per_epoch), chars)
        lines.append(Text(f"{'epoch':>{gutter - 1}} " + epochs, style="dim"))
    return lines


def info_line(picture: Picture) -> tuple[str, str]:
    """The line under the title, in full and short: scale, steps, sampling and backend."""
    n = len(picture.steps)
    scale = "log" if picture.log_y else "linear"
    floor = "" if picture.log_floor is None else f" {floor_note(picture.log_floor)}"
    sampled = " · sampled" if not picture.exact else ""
    full = (f"learning rate ({scale}{floor}) at steps {picture.first:,}–{picture.last:,}"
            f" ({n:,} step{'s' if n != 1 else ''}){sampled} · backend {picture.backend_name}")
    short = (f"steps {picture.first:,}–{picture.last:,} · {scale}{floor}{sampled}"
             f" · {picture.backend_name}")
    marks = "".join(f" · ┊ trained {m:,} steps" for m in picture.shown_marks)
    return full + marks, short + marks


@dataclasses.dataclass
class Drawn:
    """A picture as terminal lines: ``lines``, the ``note`` a too-small terminal gets, and the
    canvas's ``chars`` columns with ``cuts`` (the first step of each dot column, two per
    character) for reading the step under a column."""

    lines: list[Text]
    note: str | None
    chars: int
    cuts: np.ndarray

    def step_at(self, column: int) -> int:
        """The first step a character column of the canvas draws."""
        return int(self.cuts[2 * min(max(column, 0), self.chars - 1)])


def draw(picture: Picture, size: tuple[int, int], cursor: int | None = None) -> Drawn:
    """The picture's lines for a ``size`` = (columns, lines) terminal, the ``cursor`` column of
    every canvas highlighted: what ``render`` prints, and what the explorer shows."""
    from rich.text import Text

    width, height = size
    width, height = min(width, MAX_SIZE[1]), min(height, MAX_SIZE[0])
    lo, hi = picture.value_range
    y = YAxis(lo, hi, MIN_CANVAS[0], picture.log_y)
    layout = plan(width, height, picture.title, info_line(picture), picture.panels,
                  picture.merged(), bool(picture.steps_per_epoch), y)
    chars, gutter = max(layout.chars, MIN_CANVAS[1]), layout.gutter
    cuts = column_cuts(picture.first, picture.last, 2 * chars)
    labels = list(picture.schedules())
    colours = {label: COLOURS[i % len(COLOURS)] for i, label in enumerate(labels)}
    if cursor is not None:
        cursor = min(max(cursor, 0), chars - 1)

    blocks = []
    height_of_tops = max(len(top) for top in layout.tops)
    for i, (panel, top) in enumerate(zip(layout.panels, layout.tops)):
        curves = {label: picture.engine.curve(s, cuts) for label, s in panel.curves.items()}
        tops = _top(top, len(curves) == 1, chars, gutter, colours,
                    height_of_tops if layout.side else len(top))
        lines = _panel(curves, tops, picture, y, chars, gutter, colours, cuts, cursor)
        if layout.side and i > 0:  # the y axis is shared: its labels only on the left
            lines = [line[gutter - 1:] for line in lines]
        blocks.append(lines)
    if layout.side:
        body = [Text(" " * GAP).join(parts) for parts in zip(*blocks)]
    else:
        body = [line for lines in blocks for line in lines]
    header = [Text(line, style="bold" if i < len(wrap(picture.title, width)) else "dim")
              for i, line in enumerate(layout.header)]
    return Drawn(header + body, layout.note, chars, cuts)


def render(picture: Picture, file: IO[str] | None = None,
           size: tuple[int, int] | None = None) -> str | None:
    """Print the picture's panels; ``size`` is (columns, lines), by default the terminal's.

    Returns a one-line note when the terminal is too small for the plot one would expect (the
    best plot that fits is printed all the same), for the caller to show on stderr.
    """
    from rich.console import Console

    size = size or terminal_size()
    drawn = draw(picture, size)
    width = min(size[0], MAX_SIZE[1])
    console = Console(file=file, highlight=False)
    lines = [charset.fit_line(line, console.encoding) for line in drawn.lines]
    console.width = max(max(line.cell_len for line in lines), width)
    for line in lines:
        console.print(line, soft_wrap=True)
    return drawn.note
