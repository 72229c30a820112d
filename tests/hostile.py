"""Running lrtool on hostile input, in-process, and checking what every such run must hold.

``lrtool.cli.main`` runs under click's CliRunner isolation (fast, no new interpreter), in a
directory of its own, and each result is checked the same way: the exit code, no traceback,
a short stderr, no nan or inf among the values printed, and no file created, changed or left
behind there unless the case asks for it.
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
from pathlib import Path

from click.testing import CliRunner

from lrtool.cli import main
from lrtool.clierrors import SIGNALS

#: Longest stderr a refusal may print: one line naming what is wrong (and perhaps a pointer
#: to -h or a warning), never a screenful.
MAX_STDERR = 400
#: A value printed as nan or inf (word-bounded: "inference" or "info" are not values).
NON_FINITE = re.compile(rb"(?<![A-Za-z])[-+]?(nan|inf)(?![A-Za-z])", re.IGNORECASE)


@dataclasses.dataclass
class Outcome:
    code: int
    stdout: bytes
    stderr: bytes


def invoke(args: list[str], stdin: bytes | None = None) -> Outcome:
    """Run ``lrtool ARGS`` in this process as ``main`` would, restoring the signal handlers."""
    saved = {s: signal.getsignal(s) for s in SIGNALS}
    runner = CliRunner()
    try:
        with runner.isolation(input=stdin) as (out, err, _):
            try:
                main(args)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            return Outcome(code, out.getvalue(), err.getvalue())
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry under ``folder``: (size, mtime, mode), links not followed; a directory
    by its mode only (its mtime moves whenever a file in it is replaced)."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root, name)
            st = path.lstat()
            kept = (0, 0, st.st_mode) if name in dirs else (st.st_size, st.st_mtime_ns, st.st_mode)
            found[str(path.relative_to(folder))] = kept
    return found


def check(outcome: Outcome, code: int | tuple[int, ...], *,
          max_stderr: int = MAX_STDERR) -> str:
    """What every hostile run must hold; returns stderr as text for case-specific checks.

    ``code``: the exit code expected, or the codes allowed (a fuzzed input may be fine).
    """
    stderr = outcome.stderr.decode("utf-8", "replace")
    assert outcome.code in (code if isinstance(code, tuple) else (code,)), (
        outcome.code, stderr[:500])
    assert "Traceback" not in stderr, stderr[:2000]
    assert len(outcome.stderr) <= max_stderr, stderr[:max_stderr * 2]
    assert stderr.count("\n") <= 2, stderr
    assert b"\x1b" not in outcome.stderr, stderr  # no terminal escape passed through
    assert not NON_FINITE.search(outcome.stdout), outcome.stdout[:500]
    if outcome.code == 2:
        assert stderr.startswith("Error: "), stderr
        assert outcome.stdout == b"", outcome.stdout[:200]
    return stderr


def run_checked(folder: Path, args: list[str], code: int | tuple[int, ...], stdin: bytes | None = None,
                creates: tuple[str, ...] = ()) -> str:
    """``invoke`` in ``folder`` and ``check``; only the files named in ``creates`` may appear
    or change there. Returns stderr."""
    before = snapshot(folder)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        outcome = invoke(args, stdin)
    finally:
        os.chdir(cwd)
    stderr = check(outcome, code)
    after = snapshot(folder)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed <= set(creates), (changed, stderr)
    return stderr
