"""The ``lrtool`` command line: parses, validates and wires; the work happens in the library.

Heavy modules (NumPy, rich, matplotlib, TensorFlow) are imported inside the commands, so that
``lrtool --help`` and shell completion start as fast as click itself.
"""

from __future__ import annotations

import signal
import sys
import warnings
from collections.abc import Sequence
from typing import NoReturn

import click

from lrtool import clitypes
from lrtool.clicheck import check_image_options, check_rates
from lrtool.cliopts import OWN_SCHEDULE_EXAMPLES, Request, with_request, with_schedule
from lrtool.cliworker import worker
from lrtool.schedules import AnySchedule


def examples(*lines: str) -> str:
    """An Examples block for a command's help, printed after its options and never rewrapped."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             commands=[worker])
@click.version_option(package_name="lrtool", prog_name="lrtool")
def cli() -> None:
    """See every learning rate a Keras schedule gives your optimizer, before you train.

    A SCHEDULE is a Keras constructor call as written in training code, such as
    'CosineDecay(1e-3, decay_steps=10000)', a Keras JSON file ('-' for standard input), or a
    saved model (.keras, .h5); give several to compare them. Without one, the --initial-learning-rate, --decay-steps,
    --decay-rate and --staircase options describe an InverseTimeDecay. Values are evaluated by
    TensorFlow's own schedule when installed, else by a NumPy copy of its arithmetic.
    """


@cli.command(epilog=examples(
    'eval "$(lrtool completion bash)"                                 # in ~/.bashrc',
    'lrtool completion zsh > "${fpath[1]}/_lrtool"                    # then restart zsh',
    'lrtool completion fish > ~/.config/fish/completions/lrtool.fish',
))
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the TAB-completion script for SHELL (bash, zsh or fish).

    It is click's own script, the same as _LRTOOL_COMPLETE=SHELL_source lrtool prints;
    completions/ in the source tree holds a copy of each.
    """
    from click.shell_completion import get_completion_class

    completer = get_completion_class(shell)
    assert completer is not None  # click.Choice allows only the shells click knows
    click.echo(completer(cli, {}, "lrtool", "_LRTOOL_COMPLETE").source(), nl=False)


#: A terminal table beyond this is unreadable and slow to lay out; CSV streams any size.
MAX_TABLE_ROWS = 10_000


@cli.command(epilog=examples(
    'lrtool table --initial-learning-rate 0.1 --decay-steps 1 --decay-rate 0.5 --steps 5',
    'lrtool table --decay-steps 1000 --decay-rate 0.5 --steps 100000 --staircase',
    'lrtool table --decay-steps 1000 --decay-rate 0.5 --steps 1e5 --both --steps-per-epoch 500',
    'lrtool table --decay-steps 1000 --decay-rate 0.5 --at 0,999,1000,5000',
    "lrtool table 'PiecewiseConstantDecay([1000, 5000], [1e-2, 1e-3, 1e-4])' --steps 8000",
    "lrtool table 'CosineDecay(0.1, 20000)' --epochs 10 --dataset-size 50000 --batch-size 128",
    *OWN_SCHEDULE_EXAMPLES,
    'lrtool table model.keras --resume --steps 20000',
))
@with_request
@click.option("--rows", type=clitypes.StepCount(minimum=1, maximum=MAX_TABLE_ROWS), default=30,
              show_default=True, metavar="N",
              help="Show at most N rows (first, last, stair edges, spread).")
@click.option("--all", "all_rows", is_flag=True,
              help=f"Show every requested step (up to {MAX_TABLE_ROWS:,}; csv has no limit).")
def table(request: Request, rows: int, all_rows: bool) -> None:
    """Print the learning rate at each step as a table.
    """
    from lrtool.evaluation import evaluate
    from lrtool.files import stdout_pipe
    from lrtool.output import table as table_output
    from lrtool.sampling import edges_in, table_steps, with_trained

    if all_rows and len(request.steps) > MAX_TABLE_ROWS:
        raise click.BadParameter(
            f"{len(request.steps):,} steps is too many rows for a table (at most"
            f" {MAX_TABLE_ROWS:,}); use lrtool csv, or --rows N", param_hint="'--all'")
    request.announce()
    shown = request.steps
    edges: list[int] = []
    if not all_rows and len(request.steps) > rows:
        edges = edges_in(request.series.values(), request.steps, rows, request.backend.mode)
        shown = table_steps(request.steps, edges, rows)
    shown = with_trained(shown, request.steps, [mark.step for mark in request.trained])
    evaluation = evaluate(request.series, shown, request.backend)
    with stdout_pipe():
        table_output.render(
            evaluation,
            schedules=dict(zip(request.labels, request.schedules)),
            total=len(request.steps),
            steps_per_epoch=request.steps_per_epoch,
            edges=bool(edges),
            epoch_note=request.epoch_note,
            trained=request.trained,
        )


@cli.command(epilog=examples(
    'lrtool csv --decay-steps 1000 --decay-rate 0.5 --steps 1e6 --both > lr.csv',
    "lrtool csv --decay-steps 1000 --decay-rate 0.5 --steps 1e6 | awk -F, '$2 < 1e-3 {print $1; exit}'",
    'lrtool csv --decay-steps 1000 --decay-rate 0.5 --steps 1e6 --every 1000 -o lr.csv',
    'lrtool csv optimizer.json --steps 1e5 > lr.csv',
    'lrtool csv optimizer.json --epochs 90 --steps-per-epoch 5005 -o lr.csv',
))
@with_request
@click.option("-o", "--output", type=clitypes.OUTPUT, default=None, metavar="FILE",
              help="Write to FILE (whole or not at all) instead of standard output.")
def csv(request: Request, output: str | None) -> None:
    """Write the learning rate at each step as CSV.

    Each value is the shortest text that reads back to the exact float32 the optimizer gets.
    Any number of steps streams in flat memory; -o FILE is written whole or not at all.
    """
    from lrtool.evaluation import evaluate_chunks
    from lrtool.files import atomic_path, stdout_pipe
    from lrtool.output import csv as csv_output

    request.announce()
    chunks = evaluate_chunks(request.series, request.steps, request.backend)
    if output is None:
        with stdout_pipe():
            csv_output.write(chunks, sys.stdout.buffer, request.steps_per_epoch)
        return
    with atomic_path(output) as tmp, open(tmp, "wb") as out:
        csv_output.write(chunks, out, request.steps_per_epoch)
    click.echo(f"wrote {output}", err=True)


@cli.command(epilog=examples(
    'lrtool plot --decay-steps 1000 --decay-rate 0.5 --steps 100000',
    'lrtool plot --decay-steps 1000 --decay-rate 0.5 --steps 100000 -o lr.png',
    'lrtool plot --decay-steps 1e6 --decay-rate 0.5 --steps 1e9 --log-y -o big.svg',
    'lrtool plot --decay-steps 1000 --steps 1e5 --steps-per-epoch 500 --width 8 --dpi 200 -o lr.pdf',
    "lrtool plot 'CosineDecay(1e-3, decay_steps=10000, warmup_target=1e-2, warmup_steps=500)' --steps 12000",
    "lrtool plot 'InverseTimeDecay(0.1, 1000, 0.5)' 'ExponentialDecay(0.1, 1000, 0.5)' -o compare.png",
))
@with_request
@click.option("-o", "--output", type=clitypes.OUTPUT, default=None, metavar="FILE",
              help="Write an image instead (png, svg, pdf, ... by the extension), whole or not at all.")
@click.option("--log-y", is_flag=True, help="Logarithmic learning-rate axis.")
@click.option("--width", type=clitypes.INCHES, default=None, metavar="INCHES",
              help="Image width.  [default: 11]")
@click.option("--height", type=clitypes.INCHES, default=None, metavar="INCHES",
              help="Image height.  [default: 4.5]")
@click.option("--dpi", type=click.IntRange(20, 600), default=None, metavar="N",
              help="Image resolution, pixels per inch.  [default: 150]")
@click.option("--show", is_flag=True, help="Open the image in a window (needs a display).")
def plot(request: Request, output: str | None, log_y: bool, width: float | None,
         height: float | None, dpi: int | None, show: bool) -> None:
    """Plot the learning rate by step, in the terminal or as an image file.

    A schedule with a staircase option is drawn continuous | staircase side by side, whatever
    --staircase and --both say; several schedules share one panel with a legend. Only the
    steps that decide a pixel are evaluated, so 1e9 steps draw as fast as 1e3, with the pixels
    every step would give; stair edges, boundaries and restarts are exact.
    """
    from lrtool.engine import Engine
    from lrtool.picture import LogScaleError, Picture, layout

    check_image_options(output, show, width=width, height=height, dpi=dpi)

    title, panels = layout(request.schedules, request.labels)
    picture = Picture(title, panels, Engine(request.steps, request.backend),
                      request.steps_per_epoch, log_y, tuple(m.step for m in request.trained))
    checked = list(request.series.values())
    check_rates({label: s for label, s in picture.schedules().items()
                 if not any(s == done for done in checked)}, request.steps, request.backend)
    try:
        picture.value_range  # noqa: B018 - the log axis's check, before any file is written
    except LogScaleError as exc:  # only a rate of 0 throughout: a floor handles any other
        raise click.BadParameter(str(exc), param_hint="'--log-y'") from None
    request.announce()

    if output is not None or show:
        from lrtool.output import image

        if output is not None:
            image.write(picture, output, width, height, dpi)
            click.echo(f"wrote {output}", err=True)
        if show:
            try:
                image.show(picture, width, height, dpi)
            except image.DisplayError as exc:
                raise click.BadParameter(str(exc), param_hint="'--show'") from None
    else:
        from lrtool.files import stdout_pipe
        from lrtool.output import terminal

        with stdout_pipe():
            note = terminal.render(picture)
        if note:
            click.echo(f"Note: {note}", err=True)
    if request.trained:
        from lrtool.output.table import trained_lines

        click.echo("\n".join(trained_lines(request.trained, len(request.schedules) > 1)),
                   err=True)


@cli.command(epilog=examples(
    "lrtool explore 'CosineDecay(1e-3, decay_steps=10000, warmup_target=1e-2, warmup_steps=500)'",
    "lrtool explore 'ExponentialDecay(0.1, 1000, 0.5)' 'InverseTimeDecay(0.1, 1000, 0.5)'",
    'lrtool csv "$(lrtool explore \'PolynomialDecay(0.1, 10000)\')" --steps 1e4 > lr.csv',
))
@with_request(load_backend=False)
def explore(request: Request) -> int:
    """Change a schedule's arguments at a key press and watch its plot follow.

    Up/Down choose an argument, Left/Right change it, Enter types it, ? lists the other keys;
    q quits printing the schedule as a SCHEDULE argument, Esc quits printing nothing.
    """
    from lrtool.explore import CannotExplore, explore as run_explorer
    try:
        code, expression = run_explorer(request)
    except CannotExplore as exc:
        raise click.UsageError(str(exc)) from None
    if expression is not None:
        click.echo(expression)
    return code


@cli.command(epilog=examples(
    'lrtool config --decay-steps 1000 --decay-rate 0.5 --staircase > schedule.json',
    "lrtool config 'CosineDecay(1e-3, decay_steps=10000, warmup_target=1e-2, warmup_steps=500)'",
    'lrtool table schedule.json --steps 5000',
))
@with_schedule
def config(schedule: AnySchedule) -> None:
    """Print the schedule as Keras JSON (the serialize format).

    The output is what keras.optimizers.schedules.serialize gives for the same schedule:
    keras.optimizers.schedules.deserialize turns it back into the schedule, and every lrtool
    command reads it as a SCHEDULE file.
    """
    from lrtool.keras_json import dumps
    from lrtool.schedules import ScheduleError

    try:
        click.echo(dumps(schedule))
    except ScheduleError as exc:  # a constant rate, or a class of yours without get_config
        raise click.BadParameter(exc.message, param_hint="SCHEDULE") from None


def main(args: Sequence[str] | None = None, prog_name: str = "lrtool") -> NoReturn:
    """Run the CLI. Exit codes: 0 success, 1 runtime error, 2 usage error, 128 + N on signal N
    (130 for Ctrl-C); ``lrtool.clierrors`` reports each failure in a line or two.
    """
    from lrtool.clierrors import SIGNALS, raise_interrupted, report
    from lrtool.files import ensure_stdout, forgiving_stdout, silence_stdout

    for signum in SIGNALS:
        signal.signal(signum, raise_interrupted)
    warnings.filterwarnings("ignore", category=RuntimeWarning, module="lrtool")  # every
    # overflow in lrtool's NumPy arithmetic ends as a value that check() or guarded() refuses
    try:
        ensure_stdout()
        forgiving_stdout()
        code = cli.main(args=args, prog_name=prog_name, standalone_mode=False)
    except SystemExit:
        from click.utils import PacifyFlushWrapper

        if isinstance(sys.stdout, PacifyFlushWrapper):  # click's own exit for a closed pipe
            silence_stdout()
            sys.exit(0)
        raise
    except BaseException as exc:  # noqa: BLE001 - each kind gets its line and code in report()
        sys.exit(report(exc))
    sys.exit(code if isinstance(code, int) else 0)  # --help and --version return 0
