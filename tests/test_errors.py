"""Bad input as a new user meets it: at most two lines on stderr, and a "did you mean" when a
close name exists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lrtool.suggest import did_you_mean
from tests.conftest import run


def error(*args: str, cwd: Path | None = None, stdin: bytes = b"") -> list[str]:
    """The stderr lines of a run that must fail as a usage error (exit 2, nothing on stdout)."""
    result = run(*args, "--backend", "numpy", input=stdin, cwd=cwd) if args[0] != "tabel" else run(*args)
    assert result.returncode == 2, result
    assert result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert 1 <= len(lines) <= 2 and lines[0].startswith("Error: "), lines
    return lines


@pytest.mark.parametrize("args, suggestion", [
    (["table", "CosineDecy"], "did you mean 'CosineDecay'"),
    (["plot", "CosineDecy(0.1, 1000)"], "did you mean 'CosineDecay'"),
    (["table", "expnentialdecay(0.1, 1000, 0.5)"], "did you mean 'ExponentialDecay'"),
    (["csv", "CosineDecay(0.1, decay_step=1000)"], "did you mean 'decay_steps'"),
    (["table", "PiecewiseConstantDecay(boundary=[10], values=[0.1, 0.01])"],
     "did you mean 'boundaries'"),
    (["table", "--decay-step", "1000"], "'--decay-steps'"),
    (["table", "--stesp", "1000"], "'--steps'"),
    (["tabel"], "Did you mean 'table'"),
])
def test_a_misspelled_name_gets_one_line_with_a_suggestion(args: list[str], suggestion: str) -> None:
    lines = error(*args)
    assert len(lines) == 1 and suggestion in lines[0]


def test_a_misspelled_schedule_file_is_suggested(tmp_path: Path) -> None:
    (tmp_path / "lr.json").write_text("{}")
    lines = error("table", "lr.jsn", cwd=tmp_path)
    assert lines == [lines[0]] and "did you mean 'lr.json'?" in lines[0]


def test_a_misspelled_class_in_json_is_suggested() -> None:
    doc = {"class_name": "ExponentialDecy",
           "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.9}}
    lines = error("table", "-", stdin=json.dumps(doc).encode())
    assert "did you mean 'ExponentialDecay'?" in lines[0]


def test_nothing_close_lists_what_there_is() -> None:
    (line,) = error("table", "Foo(1)")
    assert "unknown schedule 'Foo'; lrtool knows ExponentialDecay, " in line
    (line,) = error("table", "CosineDecay(0.1, 1000, foo=2)")
    assert "it takes initial_learning_rate, decay_steps, alpha, warmup_target, warmup_steps" in line


@pytest.mark.parametrize("args", [["table", "--nonsense"], ["completion"], ["csv", "a", "b", "--", "x"]])
def test_a_malformed_command_line_points_to_help_on_a_second_line(args: list[str]) -> None:
    result = run(*args)
    lines = result.stderr.decode().splitlines()
    assert result.returncode == 2 and len(lines) <= 2 and lines[0].startswith("Error: ")
    if args[0] != "csv":
        assert lines[1] == f"Try 'lrtool {args[0]} -h' for help."


@pytest.mark.parametrize("args", [
    ["table", "--steps", "0"], ["table", "--decay-steps", "-1"], ["plot", "--width", "3"],
    ["table", "--at", "5", "--steps", "10"], ["csv", "--backend", "tensorflw"],
    ["plot", "-o", "x.unknown"], ["table", "ExponentialDecay(0.1, 0, 0.5)"],
    # a schedule worth a warning, and then bad input: the error alone
    ["plot", "CosineDecay(0.1, 1000)", "--steps", "10", "-o", "x.unknown"],
    ["plot", "CosineDecay(0.1, 1000)", "--steps", "10", "--dpi", "100"],
    ["table", "CosineDecay(0.1, 1000)", "--steps", "1e5", "--all"],
])
def test_a_bad_value_is_one_line(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert len(result.stderr.decode().splitlines()) == 1


def test_help_and_version_still_exit_0() -> None:
    assert run("--version").returncode == 0
    assert run("table", "-h").returncode == 0
    bare = run()
    assert bare.returncode == 2 and b"Commands:" in bare.stderr  # click shows the help


def test_did_you_mean_names_up_to_three_and_ignores_case() -> None:
    assert did_you_mean("cosinedecay", ["CosineDecay", "PolynomialDecay"]) == "did you mean 'CosineDecay'?"
    assert did_you_mean("xyz", ["CosineDecay"]) == ""
