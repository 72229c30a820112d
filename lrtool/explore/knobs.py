"""A schedule's arguments as rows to edit: each row's value, how a key press moves it, and how
a typed value is read.

Every change builds a new schedule the way the command line does, so an edit is judged exactly
like the same value in a SCHEDULE argument: a typed value is read by the command line's
expression reader (``lrtool.arith``), a registry schedule is rebuilt by its class's own
``from_arguments`` (the checks Keras's arithmetic needs), and a custom ``FILE.py:Name(args)``
schedule is read again from its SCHEDULE text. Errors are ScheduleErrors, one line each.

Steps fit the argument (``lrtool.schedules.params.arg``): rates and step counts move along
1, 1.5, 2, 3, 5, 7, 10 (multiplicative), fractions such as ``alpha`` by a twentieth of their
typical range (additive), booleans toggle, and a list is one row per entry.

Example:
    >>> from lrtool.schedules import CosineDecay
    >>> s = CosineDecay(0.1, 1000)
    >>> [k.label for k in knobs(s)][:3]
    ['initial_learning_rate', 'decay_steps', 'alpha']
    >>> nudge(s, knobs(s)[1], +1).decay_steps, nudge(s, knobs(s)[2], +1).alpha
    (1500, 0.05)
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from lrtool.schedules import AnySchedule, OpaqueSchedule, Schedule, ScheduleError
from lrtool.schedules.params import number_text

#: The mantissas of the multiplicative steps, in each decade.
NICE = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)
#: Argument names whose values are fractions moved additively when no metadata says otherwise.
FRACTIONS = ("alpha", "fraction", "frac", "ratio", "mul", "pct", "power", "momentum")


@dataclasses.dataclass(frozen=True)
class Knob:
    """One row: an argument (``index`` set: one entry of a list argument) and its value.

    ``additive`` and ``step`` say how Left/Right move a number; ``editable`` is False for the
    arguments of a schedule that cannot be built again.
    """

    name: str
    index: int | None
    value: Any
    additive: bool = False
    step: float = 0.0
    help: str = ""
    editable: bool = True
    #: Whole floats written as floats (1.0): where int-ness changes what Keras computes.
    floats: bool = True

    @property
    def label(self) -> str:
        return self.name if self.index is None else f"{self.name}[{self.index}]"

    @property
    def text(self) -> str:
        """The value as the command line writes it."""
        return number_text(self.value, keep_floats=self.floats)


def knobs(schedule: AnySchedule) -> list[Knob]:
    """The rows of a schedule's arguments, in Keras's order."""
    if isinstance(schedule, Schedule):
        rows = []
        for field in dataclasses.fields(schedule):
            meta = field.metadata
            value = getattr(schedule, field.name)
            additive = (_is_fraction(field.name, meta.get("scale"), meta.get("ints"))
                        and not isinstance(value, bool))
            typical = meta.get("typical") or (0.0, 1.0)
            step = round_step((typical[1] - typical[0]) / 20) if additive else 0.0
            common = {"additive": additive, "step": step, "help": meta.get("help", ""),
                      "floats": schedule.int_rate or field.name in schedule.dtype_arguments}
            if isinstance(value, (list, tuple)):
                rows += [Knob(field.name, i, v, **common) for i, v in enumerate(value)]
            else:
                rows.append(Knob(field.name, None, value, **common))
        return rows
    editable = rebuildable(schedule)
    rows = []
    for name, value in schedule.arguments().items():
        additive = _is_fraction(name, None, False) and isinstance(value, float)
        common = {"additive": additive, "step": 0.05 if additive else 0.0,
                  "editable": editable}
        if isinstance(value, list):
            rows += [Knob(name, i, v, **common) for i, v in enumerate(value)]
        else:
            rows.append(Knob(name, None, value, **common))
    return rows


def rebuildable(schedule: AnySchedule) -> bool:
    """Whether the schedule can be built again with other arguments: a registry schedule, or a
    custom one from ``FILE.py:Name(args)`` whose arguments are named literals."""
    if isinstance(schedule, Schedule):
        return True
    if getattr(schedule, "source", None) is None:
        return False
    return all(name.isidentifier() and _literal(value)
               for name, value in schedule.arguments().items())


def _literal(value: Any) -> bool:
    if isinstance(value, list):
        return all(_literal(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str))


def _is_fraction(name: str, scale: str | None, ints: bool | None) -> bool:
    """Additive: a linear-scale argument that is neither a step count nor a learning rate."""
    if scale == "log" or ints or "step" in name or "learning_rate" in name or "lr" == name:
        return False
    return scale == "linear" or any(word in name for word in FRACTIONS)


def round_step(value: float) -> float:
    """The largest 1, 2 or 5 times a power of ten up to ``value``: an additive step that keeps
    values short (0.5 - 0.05 = 0.45)."""
    decade = math.floor(math.log10(value))
    return max(float(f"{m}e{k}") for k in (decade - 1, decade) for m in (1, 2, 5)
               if float(f"{m}e{k}") <= value * (1 + 1e-9))


def nice_up(value: float) -> float:
    """The next number above ``value`` on the 1, 1.5, 2, 3, 5, 7 ladder (value > 0)."""
    decade = math.floor(math.log10(value))
    for k in (decade - 1, decade, decade + 1):
        for m in NICE:
            candidate = float(f"{m}e{k}")
            if candidate > value * (1 + 1e-9):
                return candidate
    return value * 10  # unreachable: the next decade's 1 is above value


def nice_down(value: float) -> float:
    """The number below ``value`` on the same ladder (value > 0)."""
    decade = math.floor(math.log10(value))
    for k in (decade + 1, decade, decade - 1):
        for m in reversed(NICE):
            candidate = float(f"{m}e{k}")
            if candidate < value * (1 - 1e-9):
                return candidate
    return value / 10  # unreachable


def moved(knob: Knob, direction: int, start: float = 1.0) -> Any:
    """The value one Left (-1) or Right (+1) press makes of the knob's value.

    ``start`` is where a multiplicative argument goes from 0 or None.
    """
    value = knob.value
    if isinstance(value, bool):
        return not value
    if value is None:
        return start
    if not isinstance(value, (int, float)):
        raise ScheduleError(knob.name, f"{knob.label} is {value!r}: type a value with Enter")
    if knob.additive:
        decimals = max(0, -math.floor(math.log10(knob.step)) + 1)
        return round(value + direction * knob.step, decimals)
    if value == 0:
        new = start if direction > 0 else 0
    elif value > 0:
        new = nice_up(value) if direction > 0 else nice_down(value)
        if direction < 0 and isinstance(value, int) and new < 1:
            new = 0  # a step count goes 1 -> 0, not to fractions of a step
    else:
        new = -nice_down(-value) if direction > 0 else -nice_up(-value)
    if isinstance(value, int) and float(new).is_integer():
        return int(new)
    return float(new)


def nudge(schedule: AnySchedule, knob: Knob, direction: int,
          notes: list[str] | None = None) -> AnySchedule:
    """The schedule with the knob moved one step (ScheduleError when that is not a schedule)."""
    start = 1.0
    if knob.value in (0, None) and not isinstance(knob.value, bool):
        start = _start(schedule, knob)
    return with_value(schedule, knob, moved(knob, direction, start), notes)


def _start(schedule: AnySchedule, knob: Knob) -> float:
    """Where a rate or step count set to 0 (or None) goes on its first press."""
    if "step" in knob.name or knob.name == "boundaries":
        return 100 if isinstance(knob.value, int) or knob.value is None else 100.0
    rate = getattr(schedule, "initial_learning_rate", None)
    if isinstance(rate, (int, float)) and rate > 0 and knob.name != "initial_learning_rate":
        return float(rate)
    return 0.001


def typed(schedule: AnySchedule, knob: Knob, text: str,
          notes: list[str] | None = None) -> AnySchedule:
    """The schedule with the knob set to the value typed, read as the command line reads it.

    On a list entry a number replaces the entry and a list the whole argument.
    """
    from lrtool.arith import evaluate_expression
    from lrtool.pysource import SnippetError

    if not text.strip():
        raise ScheduleError(knob.name, f"type a value for {knob.label}")
    try:
        value = evaluate_expression(text, where=knob.label)
    except SnippetError as exc:
        raise ScheduleError(knob.name, str(exc)) from None
    if knob.index is not None and isinstance(value, list):
        knob = dataclasses.replace(knob, index=None)
    return with_value(schedule, knob, value, notes)


def with_value(schedule: AnySchedule, knob: Knob, value: Any,
               notes: list[str] | None = None) -> AnySchedule:
    """The schedule built again with one argument (or list entry) changed."""
    if not knob.editable:
        raise ScheduleError(knob.name, f"{schedule.keras_name} is shown read-only: lrtool cannot"
                            " build it again with other arguments")
    arguments = schedule.arguments()
    if knob.index is not None:
        items = list(arguments[knob.name])
        items[knob.index] = value
        value = items
    arguments[knob.name] = value
    if isinstance(schedule, Schedule):
        return type(schedule).from_arguments(arguments, notes)
    return _reread(schedule, arguments)


def _reread(schedule: OpaqueSchedule, arguments: dict[str, Any]) -> AnySchedule:
    """A custom schedule built again through the SCHEDULE reader, from its new text."""
    from lrtool.spec import Reader

    return Reader().parse(expression(schedule, arguments))


def expression(schedule: AnySchedule, arguments: dict[str, Any] | None = None) -> str:
    """The SCHEDULE text every lrtool command reads back as this schedule."""
    if isinstance(schedule, Schedule):
        return schedule.label()
    inner = ", ".join(f"{k}={number_text(v, True)}"
                      for k, v in (schedule.arguments() if arguments is None
                                   else arguments).items())
    text = f"{schedule.keras_name}({inner})"
    source = getattr(schedule, "source", None)
    return f"{source}:{text}" if source else text
