"""CSV: ``step,lr`` lines, each value the shortest text that reads back to the exact float.

Chunks are formatted and written one at a time, so memory stays flat for any step count.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from lrtool.evaluate import Evaluation


def header(labels: Iterable[str], steps_per_epoch: int | None = None) -> bytes:
    names = ["step", *(["epoch"] if steps_per_epoch else []), *labels]
    return (",".join(names) + "\n").encode()


def write(
    chunks: Iterable[Evaluation], out: IO[bytes], steps_per_epoch: int | None = None
) -> int:
    """Write the header and every chunk; returns the number of rows written.

    Example:
        write(evaluate_chunks(schedule, range(10**6)), sys.stdout.buffer)
    """
    from lrtool.numtext import float_matrix, int_matrix, join_rows

    rows = 0
    wrote_header = False
    for chunk in chunks:
        if not wrote_header:
            out.write(header(chunk.columns, steps_per_epoch))
            wrote_header = True
        fields = [int_matrix(chunk.steps)]
        if steps_per_epoch:
            fields.append(float_matrix(chunk.steps / steps_per_epoch))
        fields += [float_matrix(values) for values in chunk.columns.values()]
        out.write(join_rows(fields))
        rows += chunk.steps.size
    return rows
