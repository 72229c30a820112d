"""``lrtool explore``: a full-screen view of a schedule whose arguments change at a key press.

The explorer draws on the terminal itself (``/dev/tty``), not on standard output, so that
standard output carries only the schedule ``q`` prints: ``lrtool csv "$(lrtool explore ...)"``
reads what was explored. Textual restores the terminal however the explorer ends.

Nothing here imports Textual, NumPy or TensorFlow until ``explore`` runs.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any


class CannotExplore(Exception):
    """The explorer cannot start here; the message says why, in one line."""


def explore(request: Any) -> tuple[int, str | None]:
    """Run the explorer on a command's Request (``lrtool.cliopts``) until the user quits:
    (exit code, the schedule to print or None).

    Exit codes: 0 after ``q`` or Esc, 130 after Ctrl-C.
    """
    try:
        import textual  # noqa: F401 - only whether it imports
    except ImportError:
        raise CannotExplore("lrtool explore needs Textual: pip install textual") from None
    from lrtool.explore.app import ExploreApp
    from lrtool.explore.state import initial_state

    state = initial_state(request.schedules, request.steps, request.backend,
                          request.steps_per_epoch)
    with terminal() as driver:
        app = ExploreApp(state, request.backend_choice, driver)
        result = app.run()
    code = app.return_code or 0
    atexit.register(_leave_now, code)
    return code, result


def _leave_now(code: int) -> None:
    """End the process once the command is done, skipping the interpreter's teardown.

    That teardown would wait for TensorFlow's import, still running in its thread when the
    user quits early (seconds), and then unload TensorFlow and Textual (half a second): the
    shell prompt would come back late. Whatever was printed is flushed first.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


@contextlib.contextmanager
def terminal() -> Iterator[Any]:
    """The Textual driver that draws on the controlling terminal, whatever standard output
    and standard input are (a pipe in ``"$(lrtool explore)"``, a file in ``explore -``).

    Textual writes to standard error and reads standard input; its screen must not go to a
    redirected standard error, nor vanish while TensorFlow's import silences file descriptor
    2 (``tensorflow_backend.quiet_native_stderr``), so the driver gets its own descriptor.
    """
    if sys.platform == "win32":
        yield None
        return
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        raise CannotExplore("lrtool explore needs a terminal (none is attached)") from None
    tty = open(fd, "w", encoding="utf-8", errors="replace", closefd=True)  # noqa: SIM115
    try:
        yield _driver_for(tty)
    finally:
        tty.close()


def _driver_for(tty: Any) -> type:
    from textual.drivers.linux_driver import LinuxDriver

    class TerminalDriver(LinuxDriver):
        """LinuxDriver on the terminal's own descriptor: output, input and size."""

        def __init__(self, app: Any, **kwargs: Any) -> None:
            super().__init__(app, **kwargs)
            self._file = tty
            self.fileno = tty.fileno()
            self.input_tty = True

        def _get_terminal_size(self) -> tuple[int, int]:
            try:
                size = os.get_terminal_size(tty.fileno())
            except OSError:
                return super()._get_terminal_size()
            return size.columns or 80, size.lines or 24

    return TerminalDriver
