"""The ``lrtool worker`` commands: parse and wire; ``lrtool.worker.control`` does the work."""

from __future__ import annotations

from collections.abc import Callable

import click

def examples(*lines: str) -> str:
    """An Examples block for a command's help, printed after its options and never rewrapped."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


EPILOG = examples(
    "lrtool worker status",
    "lrtool worker stop",
    "lrtool worker start                     # warm it up now, e.g. in a login script",
    "LRTOOL_WORKER=off lrtool table          # this command without the worker",
    "LRTOOL_WORKER_IDLE=3600 lrtool table    # a worker started now idles out after an hour",
)


def _run(action: Callable[[], list[str]]) -> None:
    from lrtool.worker.control import ControlError

    try:
        lines = action()
    except ControlError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("\n".join(lines))


@click.group(epilog=EPILOG)
def worker() -> None:
    """The background process that keeps TensorFlow loaded between commands.

    With TensorFlow installed, the first command that evaluates with it starts the worker
    as it exits; later commands send it their schedules and steps instead of importing
    TensorFlow themselves, and print the same output. It exits after 10 minutes without a
    request (LRTOOL_WORKER_IDLE=SECONDS); LRTOOL_WORKER=off turns it off. Schedules from your
    own code (FILE.py:Class, --import) are always evaluated in the command's own process.
    """


@worker.command(epilog=examples("lrtool worker status"))
def status() -> None:
    """Show the worker: pid, uptime, requests served, versions, socket.

    Each installation (interpreter, lrtool, TensorFlow and Keras versions) has its own
    worker; this is the one of the lrtool you run.
    """
    from lrtool.worker.control import status as worker_status

    _run(worker_status)


@worker.command(epilog=examples("lrtool worker stop", "lrtool worker stop && lrtool table"))
def stop() -> None:
    """Stop the worker; the next command using TensorFlow starts a new one.

    Also removes the socket and lock files a crashed worker left behind.
    """
    from lrtool.worker.control import stop as worker_stop

    _run(worker_stop)


@worker.command(epilog=examples("lrtool worker start", "lrtool worker start && lrtool table"))
def start() -> None:
    """Start the worker now and wait until it answers.

    Commands start it by themselves; this only saves the next command its TensorFlow import.
    """
    from lrtool.worker.control import start_now

    _run(start_now)
