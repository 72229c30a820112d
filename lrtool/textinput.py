"""Reading a SCHEDULE's text from a file or standard input, whatever is thrown at it.

A schedule is a few hundred bytes; what arrives may be a 50 MB log, ``/dev/zero``, a PNG, a
UTF-16 file saved by a Windows editor, or a file the user may not read. Reading is bounded
(MAX_BYTES, then a refusal), text is decoded from UTF-8 or, with a byte order mark, UTF-16/32,
and anything else is refused in one line that quotes at most a short, escaped excerpt, so
that neither a secret file's contents nor a terminal escape sequence reaches the screen.

Example:
    >>> decode(b"\\xef\\xbb\\xbfCosineDecay(0.1, 1000)", "schedule.txt")
    'CosineDecay(0.1, 1000)'
    >>> printable("\\x1b[31mred")
    '\\\\x1b[31mred'
"""

from __future__ import annotations

import codecs
import io
import os
from typing import BinaryIO

from lrtool.schedules.params import ScheduleError

#: More than this is no schedule: big enough for a pasted training script or a model's
#: config with a million-boundary PiecewiseConstantDecay.
MAX_BYTES = 64 << 20

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def printable(text: str, width: int = 60) -> str:
    """``text`` cut to ``width`` characters, with control characters (terminal escapes
    included) and other unprintables escaped."""
    short = text if len(text) <= width else text[: width - 3] + "..."
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in short)


def read_stream(stream: BinaryIO, source: str, limit: int = MAX_BYTES) -> str:
    """At most ``limit`` bytes of a stream, decoded; a longer stream is refused unread."""
    try:
        data = stream.read(limit + 1)
    except OSError as exc:
        raise ScheduleError(None, f"cannot read {source}: {exc.strerror or exc}") from None
    if data is None:  # a non-blocking stream with nothing to give
        data = b""
    if len(data) > limit:
        raise ScheduleError(None, f"{source} holds more than {limit >> 20} MB: that is no"
                            " schedule")
    return decode(data, source)


def read_file(path: str) -> str:
    """A schedule file's text (see ``read_stream``); errors name the file, escaped."""
    shown = printable(path)
    try:
        with open(path, "rb") as handle:
            return read_stream(handle, shown)
    except IsADirectoryError:
        raise ScheduleError(None, f"{shown} is a directory, not a schedule file") from None
    except PermissionError:
        raise ScheduleError(None, f"cannot read {shown}: permission denied") from None
    except OSError as exc:
        raise ScheduleError(None, f"cannot read {shown}: {exc.strerror or exc}") from None


def decode(data: bytes, source: str) -> str:
    """Text from bytes: UTF-8, or UTF-16/32 with a byte order mark; binary is refused."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    if b"\0" in data[:4096]:
        raise ScheduleError(None, f"{source} is binary, not a schedule (starts with"
                            f" {printable(repr(data[:16]))})")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScheduleError(None, f"{source} is not UTF-8 text (byte {exc.start}:"
                            f" {printable(repr(data[exc.start:exc.start + 4]))})") from None


def stdin_binary() -> BinaryIO:
    """Standard input as bytes; a closed standard input is refused clearly."""
    import sys

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None or sys.stdin.closed:
        raise ScheduleError(None, "standard input is closed: give the schedule as an argument")
    try:
        fd = stream.fileno()
    except io.UnsupportedOperation:
        return stream  # a stream in memory (an embedding program's, a test's): read it as it is
    except (OSError, ValueError):
        raise ScheduleError(None, "standard input is closed: give the schedule as an"
                            " argument") from None
    try:
        os.fstat(fd)
    except (OSError, ValueError):
        raise ScheduleError(None, "standard input is closed: give the schedule as an"
                            " argument") from None
    return stream
