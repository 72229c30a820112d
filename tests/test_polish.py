"""What a user of a polished CLI expects: completion, help, version, exit codes, colour."""

from __future__ import annotations

import importlib.metadata
import os
import pty
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lrtool import reference
from lrtool.cli import cli
from tests.conftest import ROOT, _env, run

HEAVY = ("numpy", "matplotlib", "tensorflow", "keras", "rich")


def complete(words: str, cwd: Path | None = None, **extra: str) -> list[tuple[str, str]]:
    """Ask lrtool for bash completions of the command line ``words`` (cursor at its end)."""
    env = _env(_LRTOOL_COMPLETE="bash_complete", COMP_WORDS=words,
               COMP_CWORD=str(len(words.split()) - (0 if words.endswith(" ") else 1)), **extra)
    result = subprocess.run([sys.executable, "-m", "lrtool"], capture_output=True, text=True,
                            env=env, cwd=cwd)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line]
    return [tuple(line.split(",", 1)) for line in lines]  # type: ignore[misc]


def values(items: list[tuple[str, str]]) -> list[str]:
    return [value for _kind, value in items]


def test_completes_commands() -> None:
    assert values(complete("lrtool pl")) == ["plot"]
    assert values(complete("lrtool c")) == ["completion", "config", "csv"]
    assert {"table", "csv", "plot", "config"} <= set(values(complete("lrtool ")))


def test_completes_backend_choices() -> None:
    assert values(complete("lrtool table --backend ")) == ["auto", "tensorflow", "numpy"]


def test_completes_decay_options() -> None:
    assert values(complete("lrtool csv --dec")) == ["--decay-steps", "--decay-rate"]


def test_completes_output_as_a_file_path() -> None:
    assert complete("lrtool csv -o ") == [("file", "")]


@pytest.mark.parametrize("shell", sorted(reference.COMPLETION_FILES))
def test_committed_completion_scripts_match_clicks_output(shell: str) -> None:
    generated = subprocess.run(
        [sys.executable, "-m", "lrtool"], capture_output=True, text=True,
        env=_env(_LRTOOL_COMPLETE=f"{shell}_source"),
    ).stdout
    committed = (ROOT / "completions" / reference.COMPLETION_FILES[shell]).read_text()
    assert committed == generated, "run: python -m lrtool.reference"
    assert run("completion", shell).stdout.decode() == generated


def test_readme_command_reference_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert reference.readme_with_reference(readme) == readme, "run: python -m lrtool.reference"


@pytest.mark.parametrize("how", ["help", "completion"])
def test_help_and_completion_import_nothing_heavy(how: str) -> None:
    probe = (
        "import sys\n"
        "from lrtool.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY[:4]!r} if m in sys.modules), file=sys.stderr)\n"
    )
    args = ["--help"] if how == "help" else []
    env = _env() if how == "help" else _env(
        _LRTOOL_COMPLETE="bash_complete", COMP_WORDS="lrtool table --backend ", COMP_CWORD="3")
    result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env)
    assert result.stderr.strip().splitlines()[-1] == "[]"


def test_version_comes_from_package_metadata() -> None:
    out = run("--version").stdout.decode()
    assert out.strip() == f"lrtool, version {importlib.metadata.version('lrtool')}"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_summary_options_and_examples(name: str) -> None:
    short = run(name, "-h").stdout.decode()
    assert short == run(name, "--help").stdout.decode()
    lines = short.splitlines()
    assert lines[0].startswith(f"Usage: lrtool {name}")
    assert lines[1] == "" and lines[2].strip().endswith(".")  # the one-line summary
    text = reference.help_text(name)
    examples = text.index("Examples:")
    assert text.index("Options:") < examples  # summary, then options, then examples
    example_lines = [l for l in text[examples:].splitlines()[1:] if l.strip()]
    assert example_lines and all(l.startswith("    ") and "lrtool " in l for l in example_lines)
    # kept unwrapped: each example is whole on its line, as written in the source
    assert all(l.strip() in (cli.commands[name].epilog or "") for l in example_lines)


def test_ctrl_c_during_csv_to_file_exits_130_and_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "lr.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "lrtool", "csv", "--steps", "1e10", "--backend", "numpy", "-o", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while not any(p.stat().st_size > 0 for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.decode() == "lrtool: interrupted\n"
    assert list(tmp_path.iterdir()) == []


def on_terminal(*args: str, **extra: str) -> bytes:
    """Run lrtool with its standard output on a pseudo-terminal, as in an interactive shell."""
    leader, follower = pty.openpty()
    env = _env(COLUMNS="100", LINES="40", TERM="xterm-256color", **extra)
    process = subprocess.Popen([sys.executable, "-m", "lrtool", *args], stdout=follower,
                               stderr=subprocess.PIPE, env=env, cwd=ROOT)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks)


def colours(output: bytes) -> set[str]:
    """The colour codes (SGR 30-38, 90-97) in terminal output; bold and dim are not colour."""
    codes = {c for seq in re.findall(rb"\x1b\[([0-9;]*)m", output) for c in seq.decode().split(";")}
    return {c for c in codes if c and (30 <= int(c) <= 38 or 90 <= int(c) <= 97)}


def test_colour_on_a_terminal_only_and_never_under_no_color() -> None:
    assert colours(on_terminal("table", "--steps", "3", "--backend", "numpy"))
    assert not colours(on_terminal("table", "--steps", "3", "--backend", "numpy", NO_COLOR="1"))
    assert b"\x1b[" not in run("table", "--steps", "3", "--backend", "numpy").stdout
