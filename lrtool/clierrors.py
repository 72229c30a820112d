"""How bad input is reported: one line naming what is wrong, a second only to point to help.

click's own report is four lines (usage, "Try ... for help", a blank line, the error), which
pushes the one line that matters out of sight. Here the error comes first and alone; a "did you
mean" rides on it when a close name exists (click adds one for options and commands, lrtool for
schedule names, their arguments and schedule files). Only when the command line itself is
malformed (an unknown option with no close one, a missing or extra argument) does a second line
point to ``-h``.
"""

from __future__ import annotations

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
    from lrtool.evaluate import UnusableRate

    return f"Error: {exc}" if isinstance(exc, UnusableRate) else None
