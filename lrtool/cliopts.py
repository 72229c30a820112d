"""The options every command shares, and turning them into a validated Request.

The schedule comes either from SCHEDULE arguments (a Keras expression or Keras JSON) or, with
none, from one flag per argument of the default schedule (InverseTimeDecay), read from its
definition. Every problem becomes a one-line click error naming the option or argument.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import Any

import click
from click.core import ParameterSource

from lrtool import clitypes
from lrtool.backends import ENV_VAR, NAMES
from lrtool.schedules import DEFAULT, AnySchedule, ScheduleError
from lrtool.steps import Steps

#: Extra spellings of schedule options.
ALIASES = {"initial_learning_rate": ("--lr",)}
_FLAGS = [f.name for f in dataclasses.fields(DEFAULT)]
_STEP_OPTIONS = ["steps", "start", "every", "at", "both", "steps_per_epoch", "backend",
                 "run_eagerly", "jit_compile"]


def option_name(argument: str) -> str:
    return "--" + argument.replace("_", "-")


def schedule_arguments(
    command: Callable[..., Any], metavar: str = "[SCHEDULE]..."
) -> Callable[..., Any]:
    """SCHEDULE arguments, then one option per argument of the default schedule."""
    for field in reversed(dataclasses.fields(DEFAULT)):
        help_text = field.metadata.get("help", "")
        if isinstance(field.default, bool):
            option = click.option(option_name(field.name), is_flag=True, help=help_text)
        else:
            option = click.option(
                option_name(field.name), *ALIASES.get(field.name, ()), field.name,
                type=clitypes.FINITE, default=DEFAULT.example[field.name], show_default=True,
                help=help_text,
            )
        command = option(command)
    command = click.option(
        "--import", "imports", multiple=True, metavar="FILE_OR_MODULE",
        help="Run this Python file or module first, to register your own schedule classes"
             " that Keras JSON names (may repeat).")(command)
    command = click.option(
        "--set", "set_names", type=clitypes.NAME_VALUE, multiple=True, metavar="NAME=VALUE",
        help="A value for a name the SCHEDULE's code uses but does not define (may repeat).",
    )(command)
    return click.argument("specs", nargs=-1, metavar=metavar, type=clitypes.SCHEDULE)(command)


def step_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Which steps to show, the epoch column, and the backend."""
    decorators = [
        click.option("--steps", "steps", type=clitypes.STEPS, default=None, metavar="N",
                     help="Show steps 0 .. N-1 (1e6 style accepted). "
                          "[default: about ten decay periods]"),
        click.option("--start", type=clitypes.STEPS, default=0, metavar="S",
                     help="Begin at step S instead of 0."),
        click.option("--every", type=clitypes.POSITIVE_STEPS, default=1, metavar="K",
                     show_default=True, help="Only every K-th step: S, S+K, S+2K, ..."),
        click.option("--at", "at", type=clitypes.STEP_LIST, multiple=True, metavar="LIST",
                     help="Exactly these steps: 0,100,1000 (may repeat)."),
        click.option("--both", is_flag=True,
                     help="Continuous and staircase values side by side."),
        click.option("--steps-per-epoch", type=clitypes.POSITIVE_STEPS, default=None,
                     metavar="N", help="Also show the epoch, step / N."),
        click.option("--backend", type=click.Choice(NAMES, case_sensitive=False),
                     default="auto", show_default=True, envvar=ENV_VAR, show_envvar=True,
                     help="Evaluate with TensorFlow's own schedule, or NumPy's copy of its "
                          "arithmetic; auto uses TensorFlow when it imports."),
        click.option("--run-eagerly", is_flag=True,
                     help="The rates model.fit applies when compiled with run_eagerly=True "
                          "(default: Keras's default compile, a tf.function graph)."),
        click.option("--jit-compile", is_flag=True,
                     help="The rates model.fit applies when compiled with jit_compile=True (XLA)."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


@dataclasses.dataclass
class Request:
    """Everything a command needs, validated: what to evaluate, where, and how.

    ``schedules`` are what the user gave, under their ``labels``; ``series`` are the columns
    to evaluate (the continuous and staircase variants with --both).
    """

    schedules: list[AnySchedule]
    labels: list[str]
    series: dict[str, AnySchedule]
    steps: Steps
    steps_per_epoch: int | None
    backend: Any


def schedules_from(specs: Sequence[str], flags: dict[str, Any],
                   names: Sequence[tuple[str, object]] = (),
                   imports: Sequence[str] = ()) -> list[AnySchedule]:
    """The schedules of the SCHEDULE arguments, or else the one the flags describe.

    ``names`` come from ``--set``, ``imports`` from ``--import`` (loaded first, so that their
    classes are registered when Keras JSON names them).
    """
    from lrtool.spec import Reader

    ctx = click.get_current_context()
    if not specs:
        try:
            return [DEFAULT(**flags)]
        except ScheduleError as exc:
            raise click.BadParameter(exc.message, param_hint=_hint(exc.argument)) from None
    given = [n for n in flags if ctx.get_parameter_source(n) is not ParameterSource.DEFAULT]
    if given:
        raise click.UsageError(
            f"{option_name(given[0])} describes the default InverseTimeDecay: with a SCHEDULE"
            " argument, give the schedule's arguments inside it")
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
    for note in dict.fromkeys(reader.notes):
        click.echo(f"Note: {note}", err=True)
    return schedules


def prepare(params: dict[str, Any]) -> Request:
    """Turn the parsed arguments and options into a Request, or fail naming the option."""
    from lrtool.labels import short_labels
    from lrtool.series import variants
    from lrtool.steps import select
    from lrtool.surprises import warnings

    schedules = schedules_from(params["specs"], {n: params[n] for n in _FLAGS},
                               params["set_names"], params["imports"])
    at = [step for group in params["at"] for step in group]
    if at and (params["steps"] is not None or params["start"] or params["every"] != 1):
        raise click.UsageError("--at gives the steps itself: use it without --steps, --start and --every")
    total = params["steps"]
    if total is None:
        total = max(s.suggested_steps() for s in schedules)
    if not at:
        if total == 0:
            raise click.BadParameter("must be at least 1", param_hint="'--steps'")
        if params["start"] >= total:
            raise click.BadParameter(f"{params['start']} is not below --steps ({total})",
                                     param_hint="'--start'")
    steps = select(total, params["start"], params["every"], at or None)

    labels = short_labels(schedules) if len(schedules) > 1 else ["lr"]
    if params["both"]:
        if len(schedules) > 1:
            raise click.BadParameter("compares one schedule's continuous and staircase values:"
                                     " give a single SCHEDULE", param_hint="'--both'")
        if not schedules[0].has_staircase:
            raise click.BadParameter(f"{schedules[0].keras_name} has no staircase option",
                                     param_hint="'--both'")
        chosen = variants(schedules[0])
    else:
        chosen = dict(zip(labels, schedules))
    if params["run_eagerly"] and params["jit_compile"]:
        raise click.UsageError("--run-eagerly and --jit-compile are two ways of running the"
                               " schedule: give one")
    mode = "eager" if params["run_eagerly"] else "xla" if params["jit_compile"] else "graph"
    backend = _backend(params["backend"], schedules, mode)
    check_rates(chosen, steps, backend)
    for schedule in schedules:
        for warning in warnings(schedule, steps):
            click.echo(f"Warning: {warning}", err=True)
    return Request(schedules, labels, chosen, steps, params["steps_per_epoch"], backend)


def check_rates(schedules: dict[str, Any], steps: Steps, backend: Any) -> None:
    """Refuse schedules giving an unusable rate at a requested step, before any output."""
    from lrtool.evaluate import UnusableRate, check

    try:
        check(schedules, steps, backend)
    except UnusableRate as exc:
        raise click.UsageError(str(exc)) from None


def _hint(argument: str | None) -> str | None:
    if argument is None:
        return None
    return " / ".join(f"'{name}'" for name in (option_name(argument), *ALIASES.get(argument, ())))


def _backend(name: str, schedules: list[AnySchedule], mode: str) -> Any:
    """The backend, checked against the schedules: one lrtool only calls needs TensorFlow,
    and must run the way the mode's train step runs it."""
    from lrtool.backends import BackendUnavailable, resolve

    try:
        backend = resolve(name, mode)
    except BackendUnavailable as exc:
        raise click.BadParameter(str(exc), param_hint="'--backend'") from None
    for schedule in schedules:
        if getattr(schedule, "formula", None) is not None:
            continue
        if backend.name == "numpy":
            raise click.BadParameter(f"{schedule.keras_name} is a TensorFlow schedule with no"
                                     " NumPy formula: use --backend tensorflow",
                                     param_hint="'--backend'")
        import numpy as np

        from lrtool.backends.tensorflow_backend import ScalarOnly

        try:
            backend.evaluate(schedule, np.zeros(1, np.int64))
        except ScalarOnly as exc:
            raise click.BadParameter(str(exc), param_hint="SCHEDULE") from None
    return backend


def with_request(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command taking a Request (plus its own options) the shared arguments and options."""
    shared = {"specs", "set_names", "imports", *_FLAGS, *_STEP_OPTIONS}

    @functools.wraps(command)
    def wrapper(**params: Any) -> Any:
        own = {k: params.pop(k) for k in list(params) if k not in shared}
        return command(prepare(params), **own)

    return schedule_arguments(step_options(wrapper))


def with_schedule(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command taking one Schedule the SCHEDULE argument and the schedule flags."""

    @functools.wraps(command)
    def wrapper(**params: Any) -> Any:
        specs = params.pop("specs")
        flags = {n: params.pop(n) for n in _FLAGS}
        schedules = schedules_from(specs, flags, params.pop("set_names"), params.pop("imports"))
        if len(schedules) > 1:
            raise click.BadParameter("give one schedule", param_hint="SCHEDULE")
        return command(schedules[0], **params)

    return schedule_arguments(wrapper, metavar="[SCHEDULE]")
