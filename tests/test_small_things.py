"""Small things a new user notices: -o says what it wrote, the TensorFlow hint works from a
clone, and every command's help says what SCHEDULE may be."""

from __future__ import annotations

from pathlib import Path

import pytest

from lrtool import reference
from tests.conftest import run


@pytest.mark.parametrize("command, name", [("csv", "lr.csv"), ("plot", "lr.png")])
def test_output_file_is_one_line_on_stderr(command: str, name: str, tmp_path: Path) -> None:
    result = run(command, "--steps", "100", "-o", name, "--backend", "numpy", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == b""
    assert result.stderr.decode() == f"wrote {name}\n"
    assert (tmp_path / name).stat().st_size > 0


def test_no_line_when_nothing_is_written_to_a_file() -> None:
    assert run("csv", "--steps", "3", "--backend", "numpy").stderr == b""


def test_a_failed_write_says_no_wrote(tmp_path: Path) -> None:
    result = run("plot", "--steps", "10", "-o", "lr.nope", "--backend", "numpy", cwd=tmp_path)
    assert result.returncode == 2 and b"wrote" not in result.stderr


def test_tensorflow_hint_gives_commands_that_work_from_a_clone(no_tensorflow_dir: Path) -> None:
    result = run("table", "--steps", "3", "--backend", "tensorflow", no_tf_dir=no_tensorflow_dir)
    (line,) = result.stderr.decode().splitlines()
    assert "pip install tensorflow" in line and "pip install '.[tensorflow]'" in line
    assert "lrtool[tensorflow]" not in line and "--backend numpy" in line
    readme = reference.ROOT.joinpath("README.md").read_text()
    assert "pip install 'lrtool[tensorflow]'" not in readme
    assert "pip install '.[tensorflow]'" in readme


@pytest.mark.parametrize("command", ["table", "csv", "plot", "config"])
def test_help_says_what_schedule_may_be(command: str) -> None:
    text = " ".join(reference.help_text(command).split())
    assert "SCHEDULE is a Keras constructor call" in text
    assert "'CosineDecay(1e-3, decay_steps=10000)'" in text
    assert "Keras JSON file" in text and "'-' reads standard input" in text
    assert "describe an InverseTimeDecay" in text
