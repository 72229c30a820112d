"""The rich table: step, optional epoch, and one column per labelled schedule.

A value is never cut. When the columns do not fit the width (a pipe counts as 80 columns unless
COLUMNS says otherwise), the schedules' columns get short keys (A, B, ...) explained under the
table; when even that is too wide, the columns are shown in several tables, each repeating the
step (and epoch) column; and a single column too wide for the width is printed whole, for the
terminal to wrap.
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Literal

from lrtool.evaluation import Evaluation, Trained
from lrtool.output import charset
from lrtool.schedules import AnySchedule

if TYPE_CHECKING:
    import numpy as np
    from rich.console import Console
    from rich.table import Table


@dataclasses.dataclass(frozen=True)
class Column:
    """A column as printed: its header, its cells, and the style of its cells."""

    header: str
    cells: list[str]
    style: str = "green"
    justify: Literal["left", "right"] = "right"


def caption(schedules: dict[str, AnySchedule], backend: str, shown: int, total: int,
            edges: bool, keys: dict[str, str] | None = None, epoch_note: str | None = None) -> str:
    """Name the schedules (under their column keys, when the columns have them), what an
    epoch is, and the backend, and say when rows were left out and which were kept."""
    if len(schedules) == 1:
        text = next(iter(schedules.values())).label()
    else:
        keys = keys or {}
        text = "\n".join(f"{keys[label] + '  ' if label in keys else ''}{label}: {s.label()}"
                         for label, s in schedules.items())
    if epoch_note:
        text += f"\n{epoch_note}"
    text += f"\nbackend: {backend}"
    if shown < total:
        kept = ("first, last, each jump or turn with the step before it, and an even spread"
                if edges else "first, last and an even spread")
        text += (f"\nshowing {shown:,} of {total:,} steps ({kept});"
                 " --rows N or --all for more")
    return text


#: Marks the row of the step a saved model's training reached: the next step it applies.
NEXT_MARK = "◀ next"


def trained_lines(trained: Sequence[Trained], several: bool) -> list[str]:
    """``model.keras: trained 7 steps; the next step (7) applies lr 0.0073``, one per model:
    the rate resuming the run applies (its float32 text, as in the table)."""
    import numpy as np

    from lrtool.numtext import format_numbers

    lines = []
    for mark in trained:
        texts = format_numbers(np.array(list(mark.next_values.values()), np.float32))
        rates = ", ".join(f"{label} {text}" if several or label != "lr" else f"lr {text}"
                          for label, text in zip(mark.next_values, texts))
        lines.append(f"{mark.source}: trained {mark.step:,} step{'s' if mark.step != 1 else ''};"
                     f" the next step ({mark.step:,}) applies {rates}")
    return lines


def epoch_texts(steps: np.ndarray, steps_per_epoch: int) -> list[str]:
    """Epochs (step / steps_per_epoch) to two decimals: 5.12, not 5.115089514066496.

    Rounded to the nearest hundredth, except that a step before a whole epoch never shows as
    that epoch (step 1954 of 391 per epoch is 4.99, not 5.00): a row reading 5.00 is in epoch 5.
    Integer arithmetic, so no float rounding decides a boundary.
    """
    texts = []
    for step in steps.tolist():
        hundredths = (200 * step + steps_per_epoch) // (2 * steps_per_epoch)
        next_whole = 100 * (step // steps_per_epoch + 1)
        hundredths = min(hundredths, next_whole - 1)
        texts.append(f"{hundredths // 100}.{hundredths % 100:02d}")
    return texts


def column_keys(count: int) -> list[str]:
    """Short column keys: A, B, ..., Z, then A2, B2, ..."""
    letters = string.ascii_uppercase
    return [letters[i % 26] + (str(i // 26 + 1) if i >= 26 else "") for i in range(count)]


def build(fixed: Sequence[Column], values: Sequence[Column]) -> Table:
    """A table of the fixed columns (step, epoch) and these value columns, cells never cut."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, header_style="bold")
    for column in [*fixed, *values]:
        table.add_column(column.header, justify=column.justify, style=column.style, no_wrap=True)
    for row in zip(*(column.cells for column in [*fixed, *values])):
        table.add_row(*row)
    return table


def natural_width(console: Console, table: Table) -> int:
    """The width the table takes with no column shrunk (measured as if the console were huge)."""
    return console.measure(table, options=console.options.update_width(1 << 16)).maximum


def fits(console: Console, table: Table) -> bool:
    return natural_width(console, table) <= console.width


def layout(console: Console, fixed: list[Column], values: list[Column],
           keyed: bool) -> tuple[list[Table], dict[str, str]]:
    """The tables to print and the keys standing for the value columns' labels (if any).

    Full headers when they fit; else short keys (only ``keyed`` columns, the schedules');
    else as many value columns per table as fit, at least one.
    """
    whole = build(fixed, values)
    if fits(console, whole):
        return [whole], {}
    keys: dict[str, str] = {}
    if keyed:
        keys = dict(zip((c.header for c in values), column_keys(len(values))))
        values = [dataclasses.replace(c, header=keys[c.header]) for c in values]
        whole = build(fixed, values)
        if fits(console, whole):
            return [whole], keys
    tables: list[Table] = []
    group: list[Column] = []
    for column in values:
        if group and not fits(console, build(fixed, [*group, column])):
            tables.append(build(fixed, group))
            group = []
        group.append(column)
    tables.append(build(fixed, group))
    return tables, keys


def render(
    evaluation: Evaluation,
    schedules: dict[str, AnySchedule],
    total: int,
    steps_per_epoch: int | None = None,
    edges: bool = False,
    file: IO[str] | None = None,
    width: int | None = None,
    epoch_note: str | None = None,
    trained: Sequence[Trained] = (),
) -> None:
    """Print the table; ``schedules`` (by label) are named below it, and ``edges`` says
    whether the rows kept include where the rate jumps or turns. Colour only on a terminal,
    none under NO_COLOR; plain text when piped. ``width`` overrides the terminal's;
    ``epoch_note`` says what an epoch is, under the table; ``trained`` marks the rows where
    saved models' training stands, and says under the table what the next step applies.

    Values are printed exactly as in the CSV output (shortest text of the float32), so what
    the table shows can be searched for in a CSV of the same schedule.
    """
    from rich.console import Console

    from lrtool.numtext import format_numbers

    console = Console(file=file, highlight=False, width=width)
    fixed = [Column("step", [str(int(s)) for s in evaluation.steps], "cyan")]
    if steps_per_epoch:
        fixed.append(Column("epoch", epoch_texts(evaluation.steps, steps_per_epoch), ""))
    marked: dict[int, list[str]] = {}
    for mark in trained:  # with several schedules, the mark names whose training it is
        marked.setdefault(mark.step, []).extend(mark.next_values if len(schedules) > 1 else [])
    if marked.keys() & set(evaluation.steps.tolist()):
        mark = charset.fit(NEXT_MARK, console.encoding)
        fixed.append(Column("", [" ".join([mark, *marked[s]]) if s in marked else ""
                                 for s in evaluation.steps.tolist()], "bold yellow", "left"))
    values = [Column(label, format_numbers(v)) for label, v in evaluation.columns.items()]
    tables, keys = layout(console, fixed, values, keyed=len(schedules) > 1)
    room = console.width
    for i, table in enumerate(tables):
        if i:
            console.print()
        # Wider than the console only when a single value column is: printed whole, never cut.
        console.width = max(room, natural_width(console, table))
        console.print(table)
    console.width = room
    # Below the table rather than as its caption, which rich would wrap to the table's width.
    text = caption(schedules, evaluation.backend, evaluation.steps.size, total, edges, keys,
                   epoch_note)
    text = "\n".join([*trained_lines(trained, len(schedules) > 1), text])
    console.print(text, soft_wrap=True, style="dim")
