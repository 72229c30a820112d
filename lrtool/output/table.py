"""The rich table: step, optional epoch, and one column per labelled schedule."""

from __future__ import annotations

from typing import IO

from lrtool.evaluate import Evaluation
from lrtool.schedules import AnySchedule


def caption(schedules: dict[str, AnySchedule], backend: str, shown: int, total: int,
            edges: bool) -> str:
    """Name the schedules and backend, and say when rows were left out and which were kept."""
    if len(schedules) == 1:
        text = next(iter(schedules.values())).label()
    else:
        text = "\n".join(f"{label}: {s.label()}" for label, s in schedules.items())
    text += f"\nbackend: {backend}"
    if shown < total:
        kept = ("first, last, where the rate jumps or turns, and an even spread" if edges
                else "first, last and an even spread")
        text += (f"\nshowing {shown:,} of {total:,} steps ({kept});"
                 " --rows N or --all for more")
    return text


def render(
    evaluation: Evaluation,
    schedules: dict[str, AnySchedule],
    total: int,
    steps_per_epoch: int | None = None,
    edges: bool = False,
    file: IO[str] | None = None,
) -> None:
    """Print the table; ``schedules`` (by label) are named below it, and ``edges`` says
    whether the rows kept include where the rate jumps or turns. Colour only on a terminal, none under NO_COLOR; plain text when piped.

    Values are printed exactly as in the CSV output (shortest text of the float32), so what
    the table shows can be searched for in a CSV of the same schedule.
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from lrtool.numtext import format_numbers

    console = Console(file=file, highlight=False)
    table = Table(box=box.SIMPLE_HEAD, header_style="bold")
    table.add_column("step", justify="right", style="cyan")
    columns = [[str(int(s)) for s in evaluation.steps]]
    if steps_per_epoch:
        table.add_column("epoch", justify="right")
        columns.append(format_numbers(evaluation.steps / steps_per_epoch))
    for label, values in evaluation.columns.items():
        table.add_column(label, justify="right", style="green")
        columns.append(format_numbers(values))
    for row in zip(*columns):
        table.add_row(*row)
    console.print(table)
    # Below the table rather than as its caption, which rich would wrap to the table's width.
    text = caption(schedules, evaluation.backend, evaluation.steps.size, total, edges)
    console.print(text, soft_wrap=True, style="dim")
