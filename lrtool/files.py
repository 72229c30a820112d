"""Writing output files whole or not at all, and leaving a closed pipe quietly.

``-o FILE`` is written to a temporary file beside FILE and renamed onto it only when complete,
so that an error, Ctrl-C, SIGTERM or SIGHUP leaves the old FILE as it was and no temporary
file behind. A rewrite keeps FILE's permission bits, a symbolic link keeps pointing where it
did (its target is rewritten), and errors name FILE, never the temporary name.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _named(exc: OSError, target: Path) -> OSError:
    """The same error about ``target``, whatever file the system named."""
    return OSError(exc.errno, exc.strerror or str(exc), str(target))


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed onto it only if the block succeeds.

    A failed or interrupted run leaves neither a broken file nor a clobbered old one. The
    temporary name keeps the extension, so writers that go by it (matplotlib) still work.
    """
    shown = Path(path)
    if shown.exists() and not shown.is_file():
        try:  # a device or pipe (/dev/stdout, a fifo): nothing to replace, write through
            yield shown
        except OSError as exc:
            raise _named(exc, shown) from None
        return
    target = Path(os.path.realpath(path))  # through symbolic links: the link stays a link
    with _signals_held():  # no signal between creating the temporary file and owning it
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.",
                                       suffix=f".tmp{target.suffix}", dir=target.parent)
        except OSError as exc:
            raise OSError(exc.errno, f"cannot create a file in its directory ({exc.strerror})",
                          str(shown)) from None
        os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _named(exc, shown) from None
        raise


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP back while the block runs (they arrive after it)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _mode_for(target: Path) -> int:
    """The permission bits of the file being replaced, or what a plain open() would give."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def writable_location(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be written, or None: checked before any work starts."""
    from lrtool.textinput import printable

    if not str(path):
        return "an empty file name"
    shown = printable(str(path))
    if Path(path).exists() and not Path(path).is_file() and not Path(path).is_dir():
        return None if os.access(path, os.W_OK) else f"{shown!r} is not writable"
    target = Path(os.path.realpath(path))
    parent = target.parent
    if target.is_dir():
        return f"{shown!r} is a directory"
    if parent.exists() and not parent.is_dir():
        return f"{printable(str(parent))!r} is not a directory"
    if not parent.is_dir():
        return f"directory {printable(str(parent))!r} does not exist"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"directory {printable(str(parent))!r} is not writable"
    if target.exists() and not os.access(target, os.W_OK):
        return f"{shown!r} is not writable"
    return None


def same_file(a: str, b: str) -> bool:
    """Whether two paths name one existing file (through links)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


class PipeClosed(Exception):
    """The reader of standard output went away (``lrtool csv | head``)."""


@contextlib.contextmanager
def stdout_pipe() -> Iterator[None]:
    """Turn a closed standard output into PipeClosed, with nothing left to complain later."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        raise PipeClosed() from None
    except SystemExit as exc:
        if exc.code != 1:
            raise
        # rich's Console meets a closed pipe by pointing fd 1 at /dev/null and exiting 1;
        # nothing else in a block that only prints exits
        raise PipeClosed() from None


def silence_stdout() -> None:
    """Point fd 1 at /dev/null once its reader has gone.

    Python would otherwise print "Exception ignored ... BrokenPipeError" at exit, when it
    flushes what is still buffered for the closed pipe; this lets that last flush succeed.
    """
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


class _Closed(io.TextIOBase):
    """Standard output when fd 1 was closed (``>&-``): any write is a clear OSError."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    @property
    def buffer(self) -> _Closed:
        return self

    def flush(self) -> None:
        pass


def ensure_stdout() -> None:
    """Make a closed standard output fail clearly on first use, not with a traceback.

    fd 1 is taken by /dev/null meanwhile, so that no file lrtool opens (an ``-o`` file) gets
    fd 1 and with it what was meant for standard output.
    """
    try:
        os.fstat(1)
        return
    except OSError:
        pass
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        if devnull != 1:
            os.dup2(devnull, 1)
            os.close(devnull)
    sys.stdout = _Closed()


def forgiving_stdout() -> None:
    """A character standard output's encoding cannot write becomes ``?``, not a UnicodeEncodeError.

    The outputs draw with what the encoding has (``lrtool.output.charset``); what is left is
    the user's own text (a class or file name with a letter latin-1 or ASCII lacks, a byte of
    a file name that is not UTF-8), one cell wide like the ``?`` so that tables stay aligned.
    Standard error already escapes such characters (Python's backslashreplace).
    """
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")
