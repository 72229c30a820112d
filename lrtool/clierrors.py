"""How bad input is reported: one line naming what is wrong, a second only to point to help.

click's own report is four lines (usage, "Try ... for help", a blank line, the error), which
pushes the one line that matters out of sight. Here the error comes first and alone; a "did you
mean" rides on it when a close name exists (click adds one for options and commands, lrtool for
schedule names, their arguments and schedule files). Only when the command line itself is
malformed (an unknown option with no close one, a missing or extra argument) does a second line
point to ``-h``.
"""

from __future__ import annotations

import os
import signal
from typing import Any, NoReturn

import click
from click.exceptions import BadArgumentUsage, BadOptionUsage, MissingParameter, NoSuchOption

#: click's messages for a malformed command line that come as plain UsageErrors.
_GRAMMAR = ("No such command", "Got unexpected extra argument")


def error_lines(exc: click.ClickException) -> list[str]:
    """The lines to print on stderr for a click error: the error, then perhaps a pointer to help."""
    message = " ".join(exc.format_message().split())
    lines = [f"Error: {message}"]
    ctx = getattr(exc, "ctx", None)
    if ctx is not None and malformed(exc) and "did you mean" not in message.lower():
        lines.append(f"Try '{ctx.command_path} -h' for help.")
    return lines


def malformed(exc: click.ClickException) -> bool:
    """Whether the command line itself is malformed, rather than a value in it wrong."""
    if isinstance(exc, (NoSuchOption, BadOptionUsage, BadArgumentUsage, MissingParameter)):
        return True
    return type(exc) is click.UsageError and exc.message.startswith(_GRAMMAR)


class Interrupted(BaseException):
    """Ctrl-C, SIGTERM or SIGHUP. Not an Exception, so that nothing that catches those (an
    import of TensorFlow that fails) mistakes it for a failure; click does not turn it into
    'Aborted!', and an output file being written is removed on the way out (``files``)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def raise_interrupted(signum: int, frame: Any) -> NoReturn:
    """The signal handler for SIGNALS."""
    raise Interrupted(signum)


#: The signals that end a run cleanly, exit code 128 + N: Ctrl-C, kill, a closed terminal.
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def report(exc: BaseException) -> int:
    """Print the line or two a failure gets on stderr; returns the exit code.

    Every failure lrtool foresees has its own line: click's errors (exit 2), a reader of
    standard output that left (0, silently), a signal (128 + N), a system error (1). Anything
    else is an internal error, one line and exit 1, or re-raised for its traceback with
    LRTOOL_DEBUG=1.
    """
    from click.exceptions import Abort, NoArgsIsHelpError

    from lrtool.files import PipeClosed, silence_stdout

    if isinstance(exc, (PipeClosed, BrokenPipeError)):  # --help | head, too
        silence_stdout()
        return 0
    if isinstance(exc, Interrupted):
        if exc.signum == signal.SIGINT:
            click.echo("lrtool: interrupted", err=True)
        return 128 + exc.signum
    if isinstance(exc, NoArgsIsHelpError):  # a bare "lrtool": the help, as click prints it
        exc.show()
        return exc.exit_code
    if isinstance(exc, click.ClickException):
        click.echo("\n".join(error_lines(exc)), err=True)
        return exc.exit_code
    if isinstance(exc, Abort):
        click.echo("Aborted!", err=True)
        return 1
    line = unusable_line(exc)  # a rate the checks let through, caught at evaluation
    if line is not None:
        click.echo(line, err=True)
        return 2
    if not isinstance(exc, Exception) or (os.environ.get("LRTOOL_DEBUG") == "1"
                                          and not isinstance(exc, OSError)):
        raise exc
    click.echo(fault_line(exc), err=True)
    return 1


def fault_line(exc: BaseException) -> str:
    """One line for a runtime fault (exit 1): what the system said, and about which file."""
    from lrtool.textinput import printable

    if isinstance(exc, OSError):
        what = exc.strerror or str(exc)
        return f"lrtool: {what}: {printable(str(exc.filename))}" if exc.filename else (
            f"lrtool: {printable(what, 200)}")
    if isinstance(exc, MemoryError):
        return "lrtool: out of memory"
    if isinstance(exc, RecursionError):
        return "lrtool: the input is nested too deeply"
    return (f"lrtool: internal error ({type(exc).__name__}: {printable(str(exc), 100)});"
            " LRTOOL_DEBUG=1 shows where")


def unusable_line(exc: BaseException) -> str | None:
    """The error line for an unusable rate met while evaluating, else None."""
    from lrtool.evaluation import UnusableRate

    return f"Error: {exc}" if isinstance(exc, UnusableRate) else None
