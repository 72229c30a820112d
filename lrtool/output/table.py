"""The rich table: step, optional epoch, and one column per labelled schedule."""

from __future__ import annotations

from typing import IO

from lrtool.evaluate import Evaluation
from lrtool.schedules.base import Schedule


def caption(schedule: Schedule, backend: str, shown: int, total: int, staircase: bool) -> str:
    """Name the schedule and backend, and say when rows were left out and which were kept."""
    text = f"{schedule.label()}\nbackend: {backend}"
    if shown < total:
        kept = "first, last, stair edges and an even spread" if staircase else "an even spread"
        text += (f"\nshowing {shown:,} of {total:,} steps ({kept});"
                 " --rows N or --all for more")
    return text


def render(
    evaluation: Evaluation,
    schedule: Schedule,
    total: int,
    steps_per_epoch: int | None = None,
    file: IO[str] | None = None,
) -> None:
    """Print the table. Colour only on a terminal, none under NO_COLOR; plain text when piped.

    Values are printed exactly as in the CSV output (shortest text of the float32), so what
    the table shows can be searched for in a CSV of the same schedule.
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from lrtool.numtext import format_floats

    console = Console(file=file, highlight=False)
    staircase = getattr(schedule, "staircase", False) or "staircase" in evaluation.columns
    table = Table(box=box.SIMPLE_HEAD, header_style="bold")
    table.add_column("step", justify="right", style="cyan")
    columns = [[str(int(s)) for s in evaluation.steps]]
    if steps_per_epoch:
        table.add_column("epoch", justify="right")
        columns.append(format_floats(evaluation.steps / steps_per_epoch))
    for label, values in evaluation.columns.items():
        table.add_column(label, justify="right", style="green")
        columns.append(format_floats(values))
    for row in zip(*columns):
        table.add_row(*row)
    console.print(table)
    # Below the table rather than as its caption, which rich would wrap to the table's width.
    text = caption(schedule, evaluation.backend, evaluation.steps.size, total, staircase)
    console.print(text, soft_wrap=True, style="dim")
