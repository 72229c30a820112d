"""Click parameter types: each rejects bad input with a one-line message naming the option."""

from __future__ import annotations

import math
import re
from typing import Any

import click

_INT_TEXT = re.compile(r"^[+]?[0-9]+(_[0-9]+)*$")

#: The last step there is: Keras counts iterations in an int64 variable. Also the most steps
#: a range can hold (a Python range's length must fit a C ssize_t).
MAX_STEP = 2**63 - 1


def parse_step(text: str) -> int:
    """A whole, non-negative step count: ``1000``, ``1_000``, ``1e6`` or ``2.5e3``.

    Raises ValueError naming what is wrong, for the ParamTypes to pass on.
    """
    text = text.strip()
    shown = _short(text)
    if _INT_TEXT.match(text):
        digits = text.replace("_", "").lstrip("+").lstrip("0")
        if len(digits) > len(str(MAX_STEP)):  # before int(): 5000 digits would be refused there
            raise ValueError(f"{shown} is beyond the last step, {MAX_STEP} (Keras counts steps"
                             " in int64)")
        number = int(digits or "0")
    else:
        try:
            real = float(text)
        except ValueError:
            raise ValueError(f"{shown} is not a whole number") from None
        if not math.isfinite(real):
            raise ValueError(f"{shown} is not a whole number")
        if real < 0:
            raise ValueError(f"{shown} is negative")
        if real != int(real):
            raise ValueError(f"{shown} is not a whole number of steps")
        number = int(real)
    if number > MAX_STEP:
        raise ValueError(f"{shown} is beyond the last step, {MAX_STEP} (Keras counts steps"
                         " in int64)")
    return number


class StepCount(click.ParamType):
    """A whole number of steps, ``1e6`` style accepted, at least ``minimum``."""

    name = "integer"

    def __init__(self, minimum: int = 0, maximum: int | None = None) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = parse_step(str(value))
            except ValueError as exc:
                self.fail(str(exc), param, ctx)
        if number < self.minimum:
            self.fail(f"{number} is below the minimum of {self.minimum}", param, ctx)
        if self.maximum is not None and number > self.maximum:
            self.fail(f"{number} is above the maximum of {self.maximum}", param, ctx)
        return number


class StepList(click.ParamType):
    """Comma-separated steps: ``0,100,1e3``."""

    name = "steps"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, ...]:
        if isinstance(value, tuple):
            return value
        parts = str(value).split(",")
        if not any(p.strip() for p in parts):
            self.fail("expected a comma-separated list of steps, such as 0,100,1000", param, ctx)
        steps = []
        for part in parts:
            if not part.strip():
                self.fail(f"empty item in {_short(str(value))}", param, ctx)
            try:
                steps.append(parse_step(part))
            except ValueError as exc:
                self.fail(str(exc), param, ctx)
        return tuple(steps)


class FiniteFloat(click.ParamType):
    """A real number; nan and inf are refused (Keras would take them and train on garbage)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float) and math.isfinite(value):
            return value
        try:
            number = float(str(value).strip())
        except ValueError:
            self.fail(f"{_short(str(value))} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{_short(str(value))} is not a finite number", param, ctx)
        return number


class FiniteRange(click.FloatRange):
    """click's FloatRange without nan, which passes its bounds checks (no comparison holds)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{_short(str(value))} is not a finite number", param, ctx)
        return number


class OutputFile(click.ParamType):
    """A file to create or replace, checked for writability before any work starts."""

    name = "file"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from lrtool.files import writable_location

        problem = writable_location(value)
        if problem:
            self.fail(problem, param, ctx)
        return str(value)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[click.shell_completion.CompletionItem]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(incomplete, type="file")]


class NameValue(click.ParamType):
    """``NAME=VALUE`` for ``--set``: a Python name, and a number or arithmetic on numbers."""

    name = "name=value"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[str, object]:
        if isinstance(value, tuple):
            return value
        from lrtool.snippet import SnippetError, evaluate_expression

        name, sep, text = str(value).partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            self.fail(f"expected NAME=VALUE, such as EPOCHS=10, not {_short(str(value))}", param,
                      ctx)
        try:
            return name, evaluate_expression(text, where=f"--set {name}")
        except SnippetError as exc:
            self.fail(str(exc), param, ctx)


def _short(text: str, width: int = 40) -> str:
    """``text`` quoted for an error message: cut short, control characters escaped."""
    from lrtool.textinput import printable

    return f"'{printable(text, width)}'"


class ScheduleText(click.ParamType):
    """A SCHEDULE argument, parsed later with the others; here for TAB completion: the
    registry's schedule names and the schedule files in the directory being typed."""

    name = "schedule"

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[click.shell_completion.CompletionItem]:
        """Schedule names (also after ``keras.optimizers.schedules.``), schedule files, and
        the directories that may hold them.

        Directories come as ``name/`` beside the other candidates; only when they are all
        there is are they left to the shell (click's ``dir`` item), because bash's script
        drops every other candidate when it sees one.
        """
        from click.shell_completion import CompletionItem

        names = schedule_names(incomplete)
        files, folders = schedule_paths(incomplete)
        if not names and not files:
            return [CompletionItem(incomplete, type="dir")] if folders else []
        return [CompletionItem(c) for c in names + files + folders]


def schedule_names(incomplete: str) -> list[str]:
    """Registry names starting with what is typed, keeping a module prefix typed before them."""
    from lrtool.schedules import REGISTRY
    from lrtool.snippet import KERAS_MODULES as PREFIXES

    module, dot, stem = incomplete.rpartition(".")
    if dot and not any(p == module or p.endswith("." + module) for p in PREFIXES):
        return []
    return [f"{module}{dot}{name}" for name in REGISTRY if name.startswith(stem)]


def schedule_paths(incomplete: str) -> tuple[list[str], list[str]]:
    """(schedule files, directories) whose path starts with what is typed; ``~`` expanded for
    looking, kept as typed in the candidates; hidden entries only when a dot is typed."""
    import os

    from lrtool.spec import FILE_EXTENSIONS

    folder, stem = os.path.split(incomplete)
    prefix = incomplete[: len(incomplete) - len(stem)]
    try:
        entries = sorted(os.scandir(os.path.expanduser(folder) or "."), key=lambda e: e.name)
    except OSError:
        return [], []
    files, folders = [], []
    for entry in entries:
        if not entry.name.startswith(stem) or (entry.name.startswith(".") and not stem):
            continue
        try:
            if entry.is_dir():
                folders.append(prefix + entry.name + os.sep)
            elif entry.name.endswith(FILE_EXTENSIONS) and entry.is_file():
                files.append(prefix + entry.name)
        except OSError:  # a broken link or an entry gone meanwhile
            continue
    return files, folders


STEPS = StepCount()
POSITIVE_STEPS = StepCount(minimum=1)
STEP_LIST = StepList()
FINITE = FiniteFloat()
INCHES = FiniteRange(1, 40)
OUTPUT = OutputFile()
SCHEDULE = ScheduleText()
NAME_VALUE = NameValue()
