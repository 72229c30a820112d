"""CSV: ``step,lr`` lines, each value the shortest text that reads back to the exact float.

Chunks are formatted and written one at a time, so memory stays flat for any step count.
Formatting is NumPy work that releases the GIL, so on a machine with several cores a few
chunks are formatted side by side while the file is written in order.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO

from lrtool.evaluation import Evaluation

#: Chunks being formatted at once: enough to keep the cores busy, few enough to keep memory flat.
IN_FLIGHT = 4


def header(labels: Iterable[str], steps_per_epoch: int | None = None) -> bytes:
    """The header line, quoted as RFC 4180 says where a label holds a comma or a quote
    (``PiecewiseConstantDecay(boundaries=[1000, 5000])``); the stdlib's csv module does it."""
    import csv
    import io

    names = ["step", *(["epoch"] if steps_per_epoch else []), *labels]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow(names)
    return text.getvalue().encode()


def lines(chunk: Evaluation, steps_per_epoch: int | None = None) -> bytes:
    """The CSV lines of one chunk (no header)."""
    from lrtool.numtext import float_matrix, int_matrix, join_rows, number_matrix

    fields = [int_matrix(chunk.steps)]
    if steps_per_epoch:
        fields.append(float_matrix(chunk.steps / steps_per_epoch))
    fields += [number_matrix(values) for values in chunk.columns.values()]
    return join_rows(fields)


def write(
    chunks: Iterable[Evaluation], out: IO[bytes], steps_per_epoch: int | None = None
) -> int:
    """Write the header and every chunk, in order; returns the number of rows written.

    Example:
        write(evaluate_chunks(schedule, range(10**6)), sys.stdout.buffer)
    """
    rows = 0
    workers = min(2, os.cpu_count() or 1)
    pending: deque[Future[bytes]] = deque()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            for chunk in chunks:
                if rows == 0:
                    out.write(header(chunk.columns, steps_per_epoch))
                rows += chunk.steps.size
                pending.append(pool.submit(lines, chunk, steps_per_epoch))
                if len(pending) >= IN_FLIGHT:
                    out.write(pending.popleft().result())
            while pending:
                out.write(pending.popleft().result())
        finally:
            for future in pending:  # a failed write or Ctrl-C: drop the rest quickly
                future.cancel()
    return rows
