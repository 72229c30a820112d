"""The options every command shares, and turning them into a validated Request.

The schedule comes either from SCHEDULE arguments (a Keras expression or Keras JSON) or, with
none, from one flag per argument of the default schedule (InverseTimeDecay), read from its
definition. Every problem becomes a one-line click error naming the option or argument.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import Any

import click

from lrtool import clitypes
from lrtool.backends import ENV_VAR, NAMES
from lrtool.schedules import DEFAULT, AnySchedule
from lrtool.clischedules import ALIASES, option_name, schedules_from
from lrtool.clicheck import (
    check_output, check_rates, check_resume, checked_backend, default_total, resume_start,
    trained_marks,
)
from lrtool.steps import Steps

_FLAGS = [f.name for f in dataclasses.fields(DEFAULT)]
_STEP_OPTIONS = ["steps", "start", "every", "at", "both", "epochs", "steps_per_epoch",
                 "dataset_size", "batch_size", "backend", "run_eagerly", "jit_compile", "resume"]


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
        click.option("--resume", is_flag=True,
                     help="Begin at the step a saved model's training reached (SCHEDULE is a"
                          " .keras or .h5 file saved after fit): what resuming applies."),
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
    #: The --backend asked for ("auto", "tensorflow", "numpy"), for a command that loads it later.
    backend_choice: str = "auto"
    #: Steps saved models' training reached (``lrtool.modelfile``), to mark in the output.
    trained: list[Any] = dataclasses.field(default_factory=list)  # of evaluate.Trained

    def announce(self) -> None:
        """Print the warnings on stderr (once): a command calls this before its output."""
        if not self.announced:
            for warning in self.warnings:
                click.echo(f"Warning: {warning}", err=True)
            self.announced = True


def prepare(params: dict[str, Any], load_backend: bool = True) -> Request:
    """Turn the parsed arguments and options into a Request, or fail naming the option.

    ``load_backend=False`` leaves TensorFlow unloaded when NumPy can evaluate every schedule:
    the Request then carries the NumPy backend, and ``backend_choice`` says what to load later.
    """
    from lrtool.cliepochs import epoch_length, run_epoch_functions
    from lrtool.labels import short_labels
    from lrtool.series import variants
    from lrtool.steps import select
    from lrtool.surprises import report

    saved: list[Any] = []
    schedules = schedules_from(params["specs"], {n: params[n] for n in _FLAGS},
                               params["set_names"], params["imports"], saved)
    params["start"], resumed = resume_start(params, saved)
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
        total = default_total(max(s.suggested_steps() for s in schedules), params["start"],
                              resumed, saved)
    if not at:
        if total == 0:
            raise click.BadParameter("must be at least 1", param_hint="'--steps'")
        check_resume(params["start"], total, resumed)
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
    if load_backend or any(getattr(s, "formula", None) is None for s in schedules):
        backend = checked_backend(params["backend"], schedules, mode)
    else:
        from lrtool.backends.numpy_backend import NumpyBackend

        backend = NumpyBackend(mode)
    check_rates(chosen, steps, backend)
    warnings = report(dict(zip(labels, schedules)), steps, params["epochs"], per_epoch)
    trained = trained_marks(saved, schedules, labels, chosen, backend)
    return Request(schedules, labels, chosen, steps, per_epoch, backend, epoch_note, warnings,
                   backend_choice=params["backend"].lower(), trained=trained)


#: ``lrtool table --help`` examples of the forms a schedule of one's own takes.
OWN_SCHEDULE_EXAMPLES = (
    "lrtool table 'CosineDecay(LR, decay_steps=EPOCHS * 1000)' --set LR=1e-3 --set EPOCHS=10",
    "lrtool table 'WarmUp(5e-5, PolynomialDecay(5e-5, 9000, 0.0), warmup_steps=1000)' --steps 1e4",
    "lrtool table train.py --steps 1e4                       # the schedule in it, read, not run",
    "lrtool table my_schedules.py:step_decay --lr 0.01 --epochs 20 --steps-per-epoch 500",
    "lrtool table 'my_schedules.py:LinearWarmup(1e-3, warmup=500)' --steps 2000",
    "lrtool table warmup.json --import my_schedules.py      # JSON naming your registered class",
)

#: What every command's help says SCHEDULE may be, after the command's own description.
SCHEDULE_HELP = """
SCHEDULE is a Keras constructor call as written in training code, such as
'CosineDecay(1e-3, decay_steps=10000)' (a keras.optimizers.schedules. prefix is fine;
transformers' WarmUp too), pasted training code or a .py file (read, never run), a Keras JSON
file: a serialized schedule or a whole optimizer config ('-' reads standard input), or a saved
model (.keras, .h5, or its config.json): its optimizer's rate, and the step its training
reached. FILE.py:Class(args) and module:Class(args) import and run your own code; so does
FILE.py:function, a keras.callbacks.LearningRateScheduler function, run per epoch from
--initial-learning-rate (needs --epochs and --steps-per-epoch). Without one,
--initial-learning-rate, --decay-steps, --decay-rate and --staircase describe an
InverseTimeDecay."""


def with_schedule_help(command: Callable[..., Any], several: bool) -> Callable[..., Any]:
    """The command with SCHEDULE_HELP after its docstring (several: give several to compare)."""
    extra = SCHEDULE_HELP.replace("InverseTimeDecay.", "InverseTimeDecay. Give several"
                                  " schedules to compare them.") if several else SCHEDULE_HELP
    command.__doc__ = inspect.cleandoc(command.__doc__ or "") + "\n" + extra
    return command


def with_request(command: Callable[..., Any] | None = None, *,
                 load_backend: bool = True) -> Any:
    """Give a command taking a Request (plus its own options) the shared arguments and options.

    ``@with_request(load_backend=False)``: see ``prepare``.
    """
    if command is None:
        return functools.partial(with_request, load_backend=load_backend)
    shared = {"specs", "set_names", "imports", *_FLAGS, *_STEP_OPTIONS}

    @functools.wraps(command)
    def wrapper(**params: Any) -> Any:
        own = {k: params.pop(k) for k in list(params) if k not in shared}
        check_output(own.get("output"), [*params["specs"], *params["imports"]])
        request = prepare(params, load_backend)
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
