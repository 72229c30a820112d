"""The explorer's parts: the plot view, the field a value is typed in, and the text of the
argument panel and of the status line, drawn from the explorer's State.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input

from lrtool.explore.state import State
from lrtool.output.terminal import Drawn

#: The keys, as ``?`` lists them.
KEYS = """\
Up/Down     choose an argument
Left/Right  change it by a step
Enter       type its value (Esc: cancel)
Tab         next schedule
s           staircase on/off
l           log / linear axis
+ / -       zoom the steps in / out
, / .       move the cursor (< > by 10)
?           these keys
q           quit, printing the schedule
Esc         quit, printing nothing"""


class PlotView(Widget):
    """The plot, as lines of rich segments (Textual's Static would lay the text out again:
    several times slower); redrawn to fit whenever its size changes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.strips: list[Strip] = []

    def show(self, lines: list[Text]) -> None:
        console = self.app.console
        self.strips = [Strip(list(line.render(console)), line.cell_len) for line in lines]
        self.refresh()

    def render_line(self, y: int) -> Strip:
        if y < len(self.strips):
            return self.strips[y].crop(0, self.size.width)
        return Strip.blank(self.size.width)

    def on_resize(self) -> None:
        self.app.call_later(self.app.redraw)  # type: ignore[attr-defined]


class ValueInput(Input):
    """Where Enter types an argument's value; Esc gives up the edit."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def action_cancel(self) -> None:
        self.app.end_edit()  # type: ignore[attr-defined]


def panel(state: State) -> Text:
    """The argument panel: the chosen schedule's arguments, the chosen one highlighted with
    its help under the list; or the keys, after ``?``."""
    if state.help:
        return Text(KEYS)
    text = Text()
    if len(state.schedules) > 1:
        text.append(f"[{state.active + 1}/{len(state.schedules)}] {state.labels()[state.active]}"
                    "\n", style="bold")
    text.append(state.schedule.keras_name + "\n", style="bold")
    rows = state.knobs()
    if not rows:
        text.append("no arguments to show\n", style="dim")
    width = max(len(k.label) for k in rows) if rows else 0
    for i, knob in enumerate(rows):
        line = f"{knob.label:<{width}}  {knob.text}"
        style = "reverse" if i == state.row else ("dim" if not knob.editable else "")
        text.append(line + "\n", style=style)
    knob = state.knob
    if knob is not None and not knob.editable:
        text.append("\nread-only: lrtool cannot build this schedule again\n", style="dim")
    elif knob is not None and knob.help:
        text.append("\n" + knob.help + "\n", style="dim")
    text.append("\n? keys", style="dim")
    return text


def status(state: State, drawn: Drawn | None, note: str, message: tuple[str, str]) -> Text:
    """The status line: the last message (an error in red), then the backend drawing and what
    ``note`` says of TensorFlow, the steps shown and the exact values at the cursor's step."""
    text = Text()
    kind, said = message
    text.append(said or "", style="bold red" if kind == "error" else "")
    text.append("\n")
    steps = state.steps
    backend = state.backend.name
    if note:
        backend += f" · {note}"
    text.append(f"{backend} · steps {steps.first:,}–{steps.last:,}", style="bold")
    if drawn is not None:
        step = drawn.step_at(state.cursor)
        values = " · ".join(f"{label} {value}" for label, value in state.readout(step))
        text.append(f" · step {step:,}: {values}")
    return text
