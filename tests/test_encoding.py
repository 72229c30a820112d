"""A standard output whose encoding lacks lrtool's characters (PYTHONIOENCODING=ascii, a latin-1
locale): every command still prints, the plot in ASCII, never the internal-error line.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from lrtool.evaluation import Evaluation, Trained
from lrtool.output import braille, table
from lrtool.schedules import ExponentialDecay
from tests.conftest import run

ENCODINGS = ["ascii", "latin-1"]
TWO_PANELS = ["PiecewiseConstantDecay([10], [1.0, 0.5])",
              "ExponentialDecay(1.0, 5, 0.5, staircase=True)"]
COMMANDS = [
    ["plot", "--backend", "numpy"],
    ["plot", "--backend", "numpy", *TWO_PANELS],
    ["plot", "--backend", "numpy", "--steps-per-epoch", "7", "ExponentialDecay(0.1, 10, 0.5)"],
    ["table", "--backend", "numpy", "--all", *TWO_PANELS],
    ["csv", "--backend", "numpy", "--steps", "3"],
    ["config", "CosineDecay(1e-3, 1000)"],
    ["--help"],
    ["plot", "--help"],
    ["worker", "status"],
]


def lrtool(*args: str, encoding: str, cwd: Path | None = None) -> tuple[str, str]:
    """stdout and stderr of a run that must succeed, each decoded in ``encoding``."""
    done = run(*args, cwd=cwd, PYTHONIOENCODING=encoding, COLUMNS="80", LINES="24")
    out, err = done.stdout.decode(encoding), done.stderr.decode(encoding)
    assert "Traceback" not in err and "internal error" not in err, err
    assert done.returncode == 0, err
    return out, err


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_command_prints_in_the_stdout_encoding(encoding: str, args: list[str]) -> None:
    out, _ = lrtool(*args, encoding=encoding)
    assert out.strip()
    if args[0] == "plot" and "--help" not in args:  # every character its own, none a '?'
        assert "?" not in out and "+" in out and "|" in out, out


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_the_plot_draws_its_curve_and_caption_in_what_the_encoding_has(encoding: str) -> None:
    out, _ = lrtool("plot", "--backend", "numpy", "--steps", "100",
                    "PiecewiseConstantDecay([50], [1.0, 0.5])", encoding=encoding)
    lines = out.splitlines()
    caption = lines[1]
    assert "steps 0-99 (100 steps)" in caption
    assert ("·" in caption) is (encoding == "latin-1")  # latin-1 has the middle dot
    canvas = [line[7:] for line in lines[3:-2]]  # under the title and above the x axis
    # The high value along the top row, a drop half-way, the low value along the bottom row.
    assert set(canvas[0][:30]) == {"'"} and canvas[0][40:].strip() == ""
    assert all("|" in row[30:45] for row in canvas)
    assert canvas[-1][:30].strip() == "" and set(canvas[-1][45:]) == {"."}
    assert lines[-2].startswith("      ++---") and lines[-1].split()[:3] == ["step", "0", "20"]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_an_error_naming_a_non_ascii_path_is_its_one_line(encoding: str, tmp_path: Path) -> None:
    done = run("table", "nö.json", cwd=tmp_path, PYTHONIOENCODING=encoding)
    # click writes UTF-8 to a stream that says ASCII (it takes that for a misconfigured
    # locale); latin-1 it honours.
    err = done.stderr.decode("utf-8" if encoding == "ascii" else encoding)
    assert done.returncode == 2 and done.stdout == b""
    assert err.startswith("Error:") and "'nö.json'" in err and len(err.splitlines()) == 1, err


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_names_of_your_own_code_the_encoding_lacks_become_question_marks(
        encoding: str, tmp_path: Path) -> None:
    (tmp_path / "zeit.py").write_text(
        "import keras\n\n"
        "class Zeitpłan(keras.optimizers.schedules.LearningRateSchedule):\n"
        "    def __call__(self, step):\n"
        "        return 0.1 / (1.0 + keras.ops.cast(step, 'float32'))\n", encoding="utf-8")
    for command in ("table", "plot"):
        out, _ = lrtool(command, "zeit.py:Zeitpłan()", "--steps", "3", encoding=encoding,
                        cwd=tmp_path)
        assert "Zeitp?an()" in out, out


def test_braille_cells_become_the_nearest_ascii() -> None:
    left = (0x01, 0x02, 0x04, 0x40)  # the dots of a cell's left column, top to bottom

    def cell(*rows: int) -> str:
        return chr(braille.BLANK + sum(left[r] for r in rows))

    assert [braille.ascii_cell(cell(*rows)) for rows in
            [(), (0,), (0, 1), (1,), (1, 2), (2,), (2, 3), (3,), (0, 1, 2), (1, 2, 3), (0, 3)]] == [
        " ", "'", "'", "-", "-", "-", ".", ".", "|", "|", "|"]


def test_the_table_marks_the_next_step_in_ascii_on_an_ascii_stream() -> None:
    steps = np.arange(5, dtype=np.int64)
    values = np.float32(0.1) * np.ones(5, np.float32)
    evaluation = Evaluation(steps, {"lr": values}, "numpy")
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    table.render(evaluation, {"lr": ExponentialDecay(0.1, 10, 0.5)}, 5, file=stream, width=60,
                 trained=[Trained(3, "model.keras", {"lr": 0.1})])
    stream.flush()
    text = raw.getvalue().decode("ascii")
    assert "|    3 | < next | 0.1 |" in text.splitlines(), text
