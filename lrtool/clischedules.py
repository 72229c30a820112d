"""Reading the SCHEDULE arguments (or the default schedule's flags) into schedules.

Apart from cliopts so that each stays small: this is the one place a SCHEDULE's problems
become click errors naming the argument or option.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click
from click.core import ParameterSource

from lrtool.schedules import DEFAULT, AnySchedule, ScheduleError

#: Extra spellings of schedule options.
ALIASES = {"initial_learning_rate": ("--lr",)}


def option_name(argument: str) -> str:
    return "--" + argument.replace("_", "-")


def schedules_from(specs: Sequence[str], flags: dict[str, Any],
                   names: Sequence[tuple[str, object]] = (),
                   imports: Sequence[str] = (), saved: list[Any] | None = None
                   ) -> list[AnySchedule]:
    """The schedules of the SCHEDULE arguments, or else the one the flags describe.

    ``names`` come from ``--set``, ``imports`` from ``--import`` (loaded first, so that their
    classes are registered when Keras JSON names them); ``saved`` receives the saved models
    read (``lrtool.modelfile.SavedModel``).
    """
    from lrtool.spec import Reader

    ctx = click.get_current_context()
    if not specs:
        try:
            return [DEFAULT(**flags)]
        except ScheduleError as exc:
            raise click.BadParameter(exc.message, param_hint=_hint(exc.argument)) from None
    if list(specs).count("-") > 1:
        raise click.BadParameter("standard input ('-') can be read only once", param_hint="SCHEDULE")
    custom = None
    if imports:
        from lrtool.usercode import deserialize, import_target

        for target in imports:
            try:
                import_target(target)
            except ScheduleError as exc:
                raise click.BadParameter(exc.message, param_hint="'--import'") from None
        custom = deserialize
    reader = Reader(dict(names), custom=custom)
    schedules = []
    for text in specs:
        try:
            schedules.append(reader.parse(text))
        except ScheduleError as exc:
            shown = text if len(text) <= 40 else text[:37] + "..."
            message = exc.message
            if exc.argument and exc.argument not in message:
                message = f"{exc.argument} {message}"  # "decay_steps must be > 0, not 0"
            raise click.BadParameter(message, param_hint=f"SCHEDULE {shown!r}") from None
    given = [n for n in flags if ctx.get_parameter_source(n) is not ParameterSource.DEFAULT
             and not (n == "initial_learning_rate"  # a LearningRateScheduler function's start
                      and any(getattr(s, "per_epoch", False) for s in schedules))]
    if given:
        raise click.UsageError(
            f"{option_name(given[0])} describes the default InverseTimeDecay: with a SCHEDULE"
            " argument, give the schedule's arguments inside it")
    for note in dict.fromkeys(reader.notes):
        click.echo(f"Note: {note}", err=True)
    if saved is not None:
        saved.extend(reader.saved)
    return schedules


def _hint(argument: str | None) -> str | None:
    if argument is None:
        return None
    return " / ".join(f"'{name}'" for name in (option_name(argument), *ALIASES.get(argument, ())))
