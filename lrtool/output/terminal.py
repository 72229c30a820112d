"""The terminal plot: each panel a braille canvas with a y axis, x ticks and a title, via rich.

Sized to the terminal (COLUMNS and LINES win, as everywhere), the panels side by side when each
gets a canvas wide enough to read, else stacked. The whole plot fits the terminal's width and
leaves a line for the prompt, down to a minimum below which it is drawn at that minimum. Piped,
it is plain text (rich writes no ANSI codes to a pipe, and honours NO_COLOR).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import shutil
from typing import IO, TYPE_CHECKING

from lrtool.engine import Curve, column_cuts, columns_of
from lrtool.output import braille
from lrtool.output.axis import FLOAT32_SLACK, log_ticks, nice_ticks, sci_labels, step_text
from lrtool.picture import Picture

if TYPE_CHECKING:
    import numpy as np
    from rich.text import Text

#: A panel as drawn: its title and each curve's points under its label.
Drawn = tuple[str, dict[str, Curve]]

MIN_CANVAS = (4, 16)  # rows, characters
#: Panels go side by side only when each canvas gets at least this many characters.
SIDE_BY_SIDE = 30
MAX_SIZE = (60, 320)  # lines, columns: beyond this a plot is no easier to read
GAP = 3
HEADER = 2
COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "red")


def terminal_size() -> tuple[int, int]:
    """(columns, lines): COLUMNS and LINES when set, else the terminal's, else 80 x 24."""
    size = shutil.get_terminal_size((80, 24))
    return size.columns, size.lines


# --- layout -------------------------------------------------------------------------------

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


def _plan(width: int, height: int, panels: int, epoch: bool, y: YAxis) -> tuple[bool, int, int]:
    """(side by side, gutter width, canvas characters); sets ``y.rows`` to the canvas rows."""
    lines = max(height, 1) - 1 - HEADER  # one line left for the prompt
    below = 3 + epoch  # title above, axis and step labels (and epoch labels) below

    def fit(side: bool) -> tuple[int, int]:
        gutter = max([len(s) for s in y.labels().values()] + [len("epoch" if epoch else "step")]) + 1
        if side:
            return gutter, (width - gutter - (panels - 1) * (1 + GAP)) // panels
        return gutter, width - gutter

    y.rows = max(MIN_CANVAS[0], lines - below)
    gutter, chars = fit(True)
    if panels > 1 and chars < SIDE_BY_SIDE:
        y.rows = max(MIN_CANVAS[0], lines // panels - below)
        gutter, chars = fit(False)
        return False, gutter, max(MIN_CANVAS[1], chars)
    return True, gutter, max(MIN_CANVAS[1], chars)


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


def _panel(panel: Drawn, picture: Picture, y: YAxis, chars: int, gutter: int,
           colours: dict[str, str], cuts: np.ndarray) -> list[Text]:
    """One panel's lines, each ``gutter + chars`` cells wide."""
    import numpy as np
    from rich.text import Text

    name, curves = panel
    bits = np.zeros((y.rows, chars), dtype=np.int64)
    owner = np.full((y.rows, chars), -1, dtype=np.int64)
    for i, curve in enumerate(curves.values()):
        codes = braille.draw(columns_of(cuts, curve.steps), y.dot_rows(curve.values), (y.rows, chars))
        codes -= braille.BLANK
        bits |= codes
        owner[codes > 0] = i
    styles = [colours[label] for label in curves]
    ticks = y.labels()

    title = Text(" " * gutter)
    title.append(name.center(chars) if len(curves) == 1 else name, style="bold")
    if len(curves) > 1:
        for label in curves:
            title.append("  ━ ", style=colours[label]).append(label)
    title.truncate(gutter + chars, pad=True)
    lines = [title]
    for r in range(y.rows):
        row = Text(f"{ticks.get(r, ''):>{gutter - 1}}" + ("┤" if r in ticks else "│"), style="dim")
        cells = [chr(braille.BLANK + code) if code else " " for code in bits[r].tolist()]
        # One styled piece per run of cells of the same curve (or of blanks).
        for who, run in itertools.groupby(zip(owner[r].tolist(), cells), key=lambda cell: cell[0]):
            row.append("".join(cell for _, cell in run), style=styles[who] if who >= 0 else "")
        lines.append(row)
    axis, labels = _axis_labels(_x_ticks(picture, cuts, chars, 1), chars)
    lines.append(Text(" " * (gutter - 1) + "└" + axis, style="dim"))
    lines.append(Text(f"{'step':>{gutter - 1}} " + labels, style="dim"))
    if picture.steps_per_epoch:
        _, epochs = _axis_labels(_x_ticks(picture, cuts, chars, picture.steps_per_epoch), chars)
        lines.append(Text(f"{'epoch':>{gutter - 1}} " + epochs, style="dim"))
    return lines


def _header(picture: Picture, width: int) -> list[Text]:
    from rich.text import Text

    n = len(picture.steps)
    scale = "log" if picture.log_y else "linear"
    info = (f"learning rate ({scale}) at steps {picture.first:,}–{picture.last:,}"
            f" ({n:,} step{'s' if n != 1 else ''})"
            + (" · sampled" if not picture.exact else "") + f" · backend {picture.backend_name}")
    lines = [Text(picture.title, style="bold"), Text(info, style="dim")]
    for line in lines:
        line.truncate(width, overflow="ellipsis")
    return lines


def render(picture: Picture, file: IO[str] | None = None, size: tuple[int, int] | None = None) -> None:
    """Print the picture's panels; ``size`` is (columns, lines), by default the terminal's."""
    from rich.console import Console
    from rich.text import Text

    width, height = size or terminal_size()
    width, height = min(width, MAX_SIZE[1]), min(height, MAX_SIZE[0])
    lo, hi = picture.value_range
    y = YAxis(lo, hi, MIN_CANVAS[0], picture.log_y)
    side, gutter, chars = _plan(width, height, len(picture.panels), bool(picture.steps_per_epoch), y)
    cuts = column_cuts(picture.first, picture.last, 2 * chars)
    panels = [(p.title, {label: picture.engine.curve(s, cuts) for label, s in p.curves.items()})
              for p in picture.panels]
    labels = list(dict.fromkeys(label for _, curves in panels for label in curves))
    colours = {label: COLOURS[i % len(COLOURS)] for i, label in enumerate(labels)}

    blocks = []
    for i, panel in enumerate(panels):
        lines = _panel(panel, picture, y, chars, gutter, colours, cuts)
        if side and i > 0:  # the y axis is shared: its labels only on the left
            lines = [line[gutter - 1:] for line in lines]
        blocks.append(lines)
    if side:
        body = [Text(" " * GAP).join(parts) for parts in zip(*blocks)]
    else:
        body = [line for lines in blocks for line in lines]
    total = max(line.cell_len for line in body)
    console = Console(file=file, width=max(total, width), highlight=False)
    for line in _header(picture, width) + body:
        console.print(line, soft_wrap=True)
