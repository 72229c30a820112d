"""The options every command shares, and turning them into a validated Request.

The schedule comes either from SCHEDULE arguments (a Keras expression or Keras JSON) or, with
none, from one flag per argument of the default schedule (InverseTimeDecay), read from its
definition. Every problem becomes a one-line click error naming the option or argument.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import click
from click.core import ParameterSource

from lrtool import clitypes
from lrtool.backends import ENV_VAR, NAMES
from lrtool.schedules import DEFAULT, AnySchedule, ScheduleError
from lrtool.clicheck import check_rates, checked_backend
from lrtool.steps import Steps

#: Extra spellings of schedule options.
ALIASES = {"initial_learning_rate": ("--lr",)}
_FLAGS = [f.name for f in dataclasses.fields(DEFAULT)]
_STEP_OPTIONS = ["steps", "start", "every", "at", "both", "epochs", "steps_per_epoch",
                 "dataset_size", "batch_size", "backend", "run_eagerly", "jit_compile"]


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
        click.option("--epochs", type=clitypes.POSITIVE_STEPS, default=None, metavar="N",
                     help="Show N epochs: N times the steps per epoch, instead of --steps."),
        click.option("--steps-per-epoch", type=clitypes.POSITIVE_STEPS, default=None,
                     metavar="N", help="Steps (batches) per epoch: adds the epoch, step / N."),
        click.option("--dataset-size", type=clitypes.POSITIVE_STEPS, default=None, metavar="N",
                     help="Training examples: with --batch-size, the steps per epoch are"
                          " ceil(N / batch size), as Keras counts a partial last batch."),
        click.option("--batch-size", type=clitypes.POSITIVE_STEPS, default=None, metavar="N",
                     help="Examples per step, for --dataset-size."),
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
    #: What an epoch is here, in words (None without --steps-per-epoch or --dataset-size).
    epoch_note: str | None = None
    #: Surprises worth a warning, printed by ``announce`` once the command's own checks pass:
    #: bad input is then an error alone, not warnings and an error.
    warnings: list[str] = dataclasses.field(default_factory=list)
    announced: bool = False

    def announce(self) -> None:
        """Print the warnings on stderr (once): a command calls this before its output."""
        if not self.announced:
            for warning in self.warnings:
                click.echo(f"Warning: {warning}", err=True)
            self.announced = True


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
             and not (n == "initial_learning_rate"
                      and any(getattr(s, "per_epoch", False) for s in schedules))]
    if given:
        raise click.UsageError(
            f"{option_name(given[0])} describes the default InverseTimeDecay: with a SCHEDULE"
            " argument, give the schedule's arguments inside it")
    for note in dict.fromkeys(reader.notes):
        click.echo(f"Note: {note}", err=True)
    return schedules


def prepare(params: dict[str, Any]) -> Request:
    """Turn the parsed arguments and options into a Request, or fail naming the option."""
    from lrtool.cliepochs import epoch_length, run_epoch_functions
    from lrtool.labels import short_labels
    from lrtool.series import variants
    from lrtool.steps import select
    from lrtool.surprises import report

    schedules = schedules_from(params["specs"], {n: params[n] for n in _FLAGS},
                               params["set_names"], params["imports"])
    at = [step for group in params["at"] for step in group]
    if at and (params["steps"] is not None or params["epochs"] or params["start"]
               or params["every"] != 1):
        raise click.UsageError("--at gives the steps itself: use it without --steps, --epochs,"
                               " --start and --every")
    per_epoch, epoch_note = epoch_length(params)  # checks --epochs and its companions
    schedules = run_epoch_functions(schedules, params, per_epoch, params["specs"])
    total = params["steps"]
    if params["epochs"]:
        total = params["epochs"] * per_epoch
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
    backend = checked_backend(params["backend"], schedules, mode)
    check_rates(chosen, steps, backend)
    warnings = report(dict(zip(labels, schedules)), steps, params["epochs"], per_epoch)
    return Request(schedules, labels, chosen, steps, per_epoch, backend, epoch_note, warnings)


def _hint(argument: str | None) -> str | None:
    if argument is None:
        return None
    return " / ".join(f"'{name}'" for name in (option_name(argument), *ALIASES.get(argument, ())))


#: What every command's help says SCHEDULE may be, after the command's own description.
SCHEDULE_HELP = """
SCHEDULE is a Keras constructor call as written in training code, such as
'CosineDecay(1e-3, decay_steps=10000)' (a keras.optimizers.schedules. prefix is fine;
transformers' WarmUp too), pasted training code or a .py file (read, never run), or a
Keras JSON file: a serialized schedule or a whole optimizer config ('-' reads standard input).
FILE.py:Class(args) and module:Class(args) import and run your own code; so does
FILE.py:function, a keras.callbacks.LearningRateScheduler function, run per epoch from
--initial-learning-rate (needs --epochs and --steps-per-epoch). Without one, --initial-learning-rate, --decay-steps, --decay-rate and --staircase describe an
InverseTimeDecay."""


def with_schedule_help(command: Callable[..., Any], several: bool) -> Callable[..., Any]:
    """The command with SCHEDULE_HELP after its docstring (several: give several to compare)."""
    extra = SCHEDULE_HELP.replace("InverseTimeDecay.", "InverseTimeDecay. Give several"
                                  " schedules to compare them.") if several else SCHEDULE_HELP
    command.__doc__ = inspect.cleandoc(command.__doc__ or "") + "\n" + extra
    return command


def with_request(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command taking a Request (plus its own options) the shared arguments and options."""
    shared = {"specs", "set_names", "imports", *_FLAGS, *_STEP_OPTIONS}

    @functools.wraps(command)
    def wrapper(**params: Any) -> Any:
        own = {k: params.pop(k) for k in list(params) if k not in shared}
        request = prepare(params)
        result = command(request, **own)
        request.announce()  # if the command had no output to announce them before
        return result

    return schedule_arguments(step_options(with_schedule_help(wrapper, several=True)))


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

    return schedule_arguments(with_schedule_help(wrapper, several=False), metavar="[SCHEDULE]")
