"""Writing output files whole or not at all, and leaving a closed pipe quietly."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed onto it only if the block succeeds.

    A failed or interrupted run leaves neither a broken file nor a clobbered old one. The
    temporary name keeps the extension, so writers that go by it (matplotlib) still work.
    """
    target = Path(path)
    if target.exists() and not target.is_file():
        yield target  # a device or pipe (/dev/stdout, a fifo): nothing to replace, write through
        return
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=f".tmp{target.suffix}", dir=target.parent or "."
    )
    os.close(fd)
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as a plain open() would have created it
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def writable_location(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be written, or None: checked before any work starts."""
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        return f"{str(target)!r} is a directory"
    if parent.exists() and not parent.is_dir():
        return f"{str(parent)!r} is not a directory"
    if not parent.is_dir():
        return f"directory {str(parent)!r} does not exist"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"directory {str(parent)!r} is not writable"
    if target.exists() and not os.access(target, os.W_OK):
        return f"{str(target)!r} is not writable"
    return None


class PipeClosed(Exception):
    """The reader of standard output went away (``lrtool csv | head``)."""


@contextlib.contextmanager
def stdout_pipe() -> Iterator[None]:
    """Turn a closed standard output into PipeClosed, with nothing left to complain later.

    Python would otherwise print "Exception ignored ... BrokenPipeError" at exit, when it
    flushes what is still buffered for the closed pipe; pointing fd 1 at /dev/null lets that
    last flush succeed silently.
    """
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        raise PipeClosed() from None
