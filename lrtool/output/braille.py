"""A braille dot canvas: each character cell is 2 dots wide and 4 dots tall.

Curves are drawn as a picture made of dot columns: in each column, a vertical run from the
lowest to the highest dot the curve reaches there, joined to the next column by the straight
segment between consecutive points. Points are placed at their column's centre, so the picture
depends only on each column's extremes and on the points either side of a column boundary,
exactly what ``lrtool.plotdata`` evaluates. Drawing every step gives the same dots.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: Bit of each dot in a braille cell, by [row][column] (Unicode's dot numbering 1-8).
_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
BLANK = 0x2800


def round_half_up(values: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.floor(values + 0.5).astype(np.int64)


def column_spans(columns: np.ndarray, rows: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest dot row a polyline covers in each dot column (-1 where none).

    ``columns`` are the points' dot columns (ascending), ``rows`` their dot rows as floats.
    Each segment between consecutive points is cut at the column boundaries (half-way between
    column centres); each piece covers the rows between its two ends, rounded.
    """
    import numpy as np

    n = columns.size
    low = np.full(width, np.iinfo(np.int64).max, dtype=np.int64)
    high = np.full(width, -1, dtype=np.int64)
    if n == 0:
        return np.full(width, -1, dtype=np.int64), high
    own = round_half_up(rows)
    np.minimum.at(low, columns, own)
    np.maximum.at(high, columns, own)
    if n > 1:
        ca, cb, ya, yb = columns[:-1], columns[1:], rows[:-1], rows[1:]
        count = cb - ca + 1
        segment = np.repeat(np.arange(n - 1), count)
        offset = np.arange(segment.size) - np.repeat(np.cumsum(count) - count, count)
        col = ca[segment] + offset
        a, b, y0, y1 = ca[segment], cb[segment], ya[segment], yb[segment]
        run = np.maximum(b - a, 1)  # a == b: a vertical piece; x stays at a, y spans y0..y1
        x_lo = np.maximum(col - 0.5, a)
        x_hi = np.minimum(col + 0.5, b)
        flat = b == a
        at_lo = np.where(flat, y0, y0 + (y1 - y0) * (x_lo - a) / run)
        at_hi = np.where(flat, y1, y0 + (y1 - y0) * (x_hi - a) / run)
        np.minimum.at(low, col, round_half_up(np.minimum(at_lo, at_hi)))
        np.maximum.at(high, col, round_half_up(np.maximum(at_lo, at_hi)))
    low[high < 0] = -1
    return low, high


def dots(low: np.ndarray, high: np.ndarray, height: int) -> np.ndarray:
    """A boolean (dot rows x dot columns) grid with each column's span filled."""
    import numpy as np

    width = low.size
    marks = np.zeros((height + 1, width), dtype=np.int8)
    drawn = np.nonzero(high >= 0)[0]
    lo = np.clip(low[drawn], 0, height - 1)
    hi = np.clip(high[drawn], 0, height - 1)
    np.add.at(marks, (lo, drawn), 1)
    np.add.at(marks, (hi + 1, drawn), -1)
    return np.cumsum(marks, axis=0)[:height] > 0


def cells(grid: np.ndarray) -> np.ndarray:
    """Braille code points (int) for a dot grid whose size is a multiple of 4 x 2."""
    import numpy as np

    rows, cols = grid.shape[0] // 4, grid.shape[1] // 2
    blocks = grid.reshape(rows, 4, cols, 2)
    bits = np.array(_BITS, dtype=np.int64)  # [4, 2]
    return BLANK + np.einsum("rycx,yx->rc", blocks.astype(np.int64), bits)


def draw(columns: np.ndarray, rows: np.ndarray, chars: tuple[int, int]) -> np.ndarray:
    """Code points of a (rows x columns) character canvas showing one polyline."""
    width, height = 2 * chars[1], 4 * chars[0]
    low, high = column_spans(columns, rows, width)
    return cells(dots(low, high, height))


def text(codes: np.ndarray) -> list[str]:
    """Canvas rows as strings, empty cells as spaces (clean when copied or piped)."""
    return ["".join(" " if c == BLANK else chr(c) for c in row) for row in codes.tolist()]


def ascii_cell(char: str) -> str:
    """The ASCII character nearest a braille cell's dots, for a stream that cannot show braille:
    ``|`` for dots through most of the cell's height, else ``'``, ``-`` or ``.`` by where the
    dots sit (top, middle, bottom); a blank cell is a space."""
    bits = ord(char) - BLANK
    rows = [r for r, pair in enumerate(_BITS) if bits & (pair[0] | pair[1])]
    if not rows:
        return " "
    if rows[-1] - rows[0] >= 2:
        return "|"
    middle = (rows[0] + rows[-1]) / 2
    return "'" if middle <= 0.5 else "." if middle >= 2.5 else "-"


def is_cell(char: str) -> bool:
    """Whether ``char`` is a braille cell."""
    return BLANK <= ord(char) <= BLANK + 0xFF
