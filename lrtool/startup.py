"""Signals while the command line starts: before ``lrtool.cli.main`` installs its handlers,
lrtool's own imports take a moment in which Ctrl-C would print a traceback of them.

Installed from the package's ``__init__`` only when the process is the lrtool command
(``lrtool ...`` or ``python -m lrtool ...``), never for a program that imports lrtool.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any, NoReturn


def quiet_exit(signum: int, frame: Any) -> NoReturn:
    """End quietly, 128 + N; nothing is written yet, so there is nothing to clean up."""
    if signum == signal.SIGINT:
        os.write(2, b"lrtool: interrupted\n")
    raise SystemExit(128 + signum)


def install_if_command() -> None:
    """Quiet exits for Ctrl-C, SIGTERM and SIGHUP, if this process is the lrtool command."""
    first = sys.argv[0] if sys.argv else ""
    if first == "-m" or os.path.basename(first) == "lrtool":  # "-m" while runpy imports it
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, quiet_exit)
