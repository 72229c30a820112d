"""Pixel columns as steps: a picture's columns given by the first step of each.

``cuts[c]`` is the first step (requested or not) of column ``c``; the column holds the requested
steps in ``[cuts[c], cuts[c + 1])``. The terminal computes cuts from its dot grid
(``column_cuts``), an image from its axes' pixel transform.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def column_cuts(first: int, last: int, columns: int) -> np.ndarray:
    """Cuts for ``columns`` equal columns with ``first`` centred on the first, ``last`` on the last.

    Step ``s`` goes to column ``round((s - first) * (columns - 1) / (last - first))``, computed
    with Python integers so that nothing is lost to rounding at any step count.
    """
    import numpy as np

    span = last - first
    if columns <= 1 or span <= 0:
        return np.array([first], dtype=np.int64)
    den = 2 * (columns - 1)
    # Column c starts where (s - first) * 2 * (columns - 1) >= (2c - 1) * span.
    return np.array(
        [first] + [first + -(-(2 * c - 1) * span // den) for c in range(1, columns)],
        dtype=np.int64,
    )


def columns_of(cuts: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """The column each step falls in."""
    import numpy as np

    return np.searchsorted(cuts, steps, side="right") - 1
