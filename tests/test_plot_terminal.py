"""lrtool plot in the terminal, as a user sees it: layout, labels, size, pipes, and exactness."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lrtool.backends import resolve
from lrtool.output import axis, terminal
from lrtool.engine import column_cuts
from lrtool.engine.plan import ByPieces, choose
from lrtool.picture import Picture
from lrtool.schedules import InverseTimeDecay
from lrtool.schedules.base import Schedule
from lrtool.spec import parse
from lrtool.steps import Steps
from tests.conftest import ROOT, _env, every_step, picture_of, run
from tests.test_engine import Sawtooth
from tests.test_polish import colours, on_terminal

EXAMPLE = ("--decay-steps", "1000", "--decay-rate", "0.5", "--steps", "100000")
BRAILLE = re.compile("[\u2801-\u28ff]")
Y_LABEL = re.compile(r"^\s*(\d\.\de-\d+|0)[┤]")


def plot(*args: str, columns: int = 100, lines: int = 30, note: bool = False,
         **env: str) -> list[str]:
    """The plot's lines; stderr is empty, or with ``note`` one line saying the terminal is small."""
    result = run("plot", *args, "--backend", env.pop("backend", "numpy"),
                 COLUMNS=str(columns), LINES=str(lines), **env)
    assert result.returncode == 0, result.stderr.decode()
    err = result.stderr.decode().splitlines()
    assert err == [] or (note and len(err) == 1 and err[0].startswith("Note: a ")), err
    return result.stdout.decode().splitlines() + err


def test_wide_terminal_shows_both_panels_side_by_side_with_labels() -> None:
    out = plot(*EXAMPLE, columns=120, lines=30)
    assert out[0] == "InverseTimeDecay(initial_learning_rate=0.1, decay_steps=1000, decay_rate=0.5)"
    assert "steps 0–99,999 (100,000 steps)" in out[1] and "backend numpy" in out[1]
    titles = out[2].split()
    assert titles == ["continuous", "staircase"]
    assert out[2].index("continuous") < out[2].index("staircase")
    canvas = [line for line in out if BRAILLE.search(line)]
    assert len(canvas) >= 20
    y_labels = [Y_LABEL.match(line).group(1) for line in out if Y_LABEL.match(line)]
    assert "1.0e-1" in y_labels and len(y_labels) >= 3
    steps_line = next(line for line in out if line.lstrip().startswith("step "))
    assert steps_line.split()[1:] == ["0", "20k", "40k", "60k", "80k"] * 2
    assert all("\x1b" not in line for line in out)


def test_narrow_terminal_stacks_the_panels() -> None:
    out = plot(*EXAMPLE, columns=60, lines=40)
    first = next(i for i, line in enumerate(out) if line.strip() == "continuous")
    second = next(i for i, line in enumerate(out) if line.strip() == "staircase")
    assert first < second
    assert sum(1 for line in out if line.lstrip().startswith("step ")) == 2


@pytest.mark.parametrize("columns, lines", [(23, 18), (80, 24), (100, 40), (79, 50), (200, 60), (140, 18)])
def test_plot_fits_the_terminal_and_leaves_a_line_for_the_prompt(columns: int, lines: int) -> None:
    """Note included, when the terminal is too small for a readable plot (23x19)."""
    out = plot(*EXAMPLE, "--steps-per-epoch", "500", columns=columns, lines=lines + 1,
               note=columns < 30)
    assert len(out) <= lines
    assert max(len(line) for line in out if not line.startswith("Note: ")) <= columns
    assert sum(1 for line in out if line.lstrip().startswith("epoch ")) >= 1


def test_a_tiny_terminal_gets_the_smallest_plot_in_one_panel_and_a_note() -> None:
    out = plot(*EXAMPLE, columns=10, lines=5, note=True)
    rows = [line for line in out if "│" in line or "┤" in line]
    assert len(rows) == terminal.MIN_CANVAS[0]  # one panel, continuous and staircase in it
    assert any("━ continuous" in line for line in out) and any("━ staircase" in line for line in out)
    assert max(len(line) for line in out) >= terminal.MIN_CANVAS[1]
    assert out[-1].startswith("Note: a 10x5 terminal is too small for a readable plot (")


def test_a_huge_terminal_is_not_filled_beyond_the_maximum() -> None:
    out = plot(*EXAMPLE, columns=1000, lines=500)
    assert len(out) <= terminal.MAX_SIZE[0] and max(len(line) for line in out) <= terminal.MAX_SIZE[1]


def test_piped_output_default_size_is_80_by_24() -> None:
    result = run("plot", *EXAMPLE, "--backend", "numpy", COLUMNS="", LINES="")
    out = result.stdout.decode().splitlines()
    assert result.returncode == 0 and len(out) <= 23 and max(map(len, out)) <= 80


def test_log_y_ticks_are_powers_of_ten() -> None:
    out = plot("--decay-steps", "1e6", "--decay-rate", "0.5", "--steps", "1e9", "--log-y")
    labels = [Y_LABEL.match(line).group(1) for line in out if Y_LABEL.match(line)]
    assert labels[:2] == ["1.0e-1", "1.0e-2"] and all(label.startswith("1.0e-") for label in labels)
    assert "(log)" in out[1] and "1,000,000,000 steps" in out[1]


def test_a_round_top_of_the_range_gets_its_label() -> None:
    """The warmup peaks at 1e-2, which float32 stores as 0.0099999998: still the top tick."""
    out = plot("CosineDecay(1e-3, decay_steps=10000, warmup_target=1e-2, warmup_steps=500)",
               "--steps", "12000", columns=100, lines=24)
    rows = [line for line in out if "┤" in line or "│" in line]
    assert rows[0].startswith("1.0e-2┤") and rows[-1].startswith("     0┤")


@pytest.mark.parametrize("lo, hi, ticks", [
    (0.0, 1e-2, [0.0, 2e-3, 4e-3, 6e-3, 8e-3, 1e-2]),
    (2e-3, 1e-2, [2e-3, 4e-3, 6e-3, 8e-3, 1e-2]),
    (0.1, 0.2, [0.1, 0.125, 0.15, 0.175, 0.2]),
])
def test_float32_ends_of_the_range_count_as_their_round_values(
    lo: float, hi: float, ticks: list[float]
) -> None:
    lo32, hi32 = (float(np.float32(v)) for v in (lo, hi))
    assert axis.nice_ticks(lo32, hi32, 5, slack=axis.FLOAT32_SLACK) == pytest.approx(ticks)
    assert axis.nice_ticks(0.0, 0.0099, 5, slack=axis.FLOAT32_SLACK)[-1] == 8e-3
    assert axis.log_ticks(float(np.float32(1e-3)), float(np.float32(0.1)), 4) == [
        1e-3, 1e-2, 1e-1]


def test_colour_on_a_terminal_none_under_no_color_and_writes_no_file(tmp_path: Path) -> None:
    assert colours(on_terminal("plot", "--steps", "100", "--backend", "numpy"))
    assert not colours(on_terminal("plot", "--steps", "100", "--backend", "numpy", NO_COLOR="1"))
    result = run("plot", "--steps", "100", "--backend", "numpy", cwd=tmp_path)
    assert result.returncode == 0 and list(tmp_path.iterdir()) == []


def test_same_plot_with_tensorflow_and_without(no_tensorflow_dir: Path) -> None:
    with_tf = plot(*EXAMPLE, backend="auto")
    without = run("plot", *EXAMPLE, COLUMNS="100", LINES="30", no_tf_dir=no_tensorflow_dir)
    assert without.returncode == 0, without.stderr.decode()
    lines = without.stdout.decode().splitlines()
    assert "backend tensorflow" in with_tf[1] and "backend numpy" in lines[1]
    assert with_tf[2:] == lines[2:]


def test_into_a_closed_pipe_ends_quietly() -> None:
    result = subprocess.run(
        f"{sys.executable} -m lrtool plot --steps 1e5 --backend numpy | head -n 1", shell=True,
        capture_output=True, env=_env(), cwd=ROOT, timeout=120,
    )
    assert result.stderr == b"" and result.stdout.startswith(b"InverseTimeDecay(")


@pytest.mark.parametrize("args, option", [
    (["--lr", "0", "--log-y"], "--log-y"),
    (["--width", "5"], "--width"),
    (["--dpi", "100"], "--dpi"),
    (["--decay-rate", "-0.5", "--steps", "10"], "step 2"),
    (["--steps", "0"], "--steps"),
    (["--decay-steps", "0"], "--decay-steps"),
])
def test_bad_input_is_one_line_exit_2(args: list[str], option: str) -> None:
    result = run("plot", *args, "--backend", "numpy")
    assert result.returncode == 2 and result.stdout == b""
    err = result.stderr.decode()
    assert "Traceback" not in err and option in err.strip().splitlines()[-1]


# --- the same characters as drawing every step ----------------------------------------------

def render(picture: Picture, size: tuple[int, int]) -> str:
    out = io.StringIO()
    terminal.render(picture, file=out, size=size)
    return out.getvalue()


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (50, 30), (300, 61)])
@pytest.mark.parametrize("schedule, steps, log_y", [
    (InverseTimeDecay(0.1, 1000, 0.5), range(20_000), False),
    (InverseTimeDecay(0.1, 7.5, 3.0), range(20_000), True),
    (InverseTimeDecay(0.1, 333, 0.05), range(3, 20_000, 7), False),
    (InverseTimeDecay(0.1, 1000, 0.5), (0, 5, 999, 1000, 1001, 15_000), True),
    (Sawtooth(250.0), range(20_000), False),
    (Sawtooth(7.0), range(20_000), False),
])
def test_sampled_plot_is_the_plot_of_every_step(
    schedule: Schedule, steps: Sequence[int], log_y: bool, size: tuple[int, int]
) -> None:
    picture = picture_of(schedule, steps, log_y=log_y)
    assert render(picture, size) == render(every_step(picture), size)
    if len(steps) > 1000:  # and it did not get there by evaluating every step
        cuts = column_cuts(picture.first, picture.last, 2 * size[0])
        assert all(picture.engine.curve(s, cuts).steps.size < len(steps) / 2
                   for s in picture.schedules().values())


@dataclasses.dataclass
class Counting:
    """A backend that counts the steps it evaluates."""

    inner: Any
    evaluated: int = 0

    @property
    def name(self) -> str:
        return self.inner.name

    def evaluate(self, schedule: Schedule, steps: np.ndarray) -> np.ndarray:
        self.evaluated += len(steps)
        return self.inner.evaluate(schedule, steps)


DENSE = "every step"  # edges so dense that finding them costs more than evaluating each step
#: Every registry schedule, with edges sparser than the columns, denser than the columns, and
#: more than EDGE_LIMIT (monotone stairs spread evenly; restarts all found, or every step).
REGISTRY_PLOTS = [
    ("ExponentialDecay(0.1, 1000, 0.5, staircase=True)", range(20_000), False, ""),
    ("ExponentialDecay(0.1, 7.5, 0.999, staircase=True)", range(20_000), True, ""),
    ("ExponentialDecay(0.1, 3, 0.9999, staircase=True)", range(200_000), False, ""),
    ("ExponentialDecay(0.1, 10, 1.0001, staircase=True)", range(200_000), True, ""),
    ("PiecewiseConstantDecay([1000, 2500.5, 7000, 15000.7], [0.1, 0.05, 0.2, 0.01, 0.03])",
     range(20_000), False, ""),
    ("PiecewiseConstantDecay([1000, 2500.5, 7000, 15000.7], [0.1, 0.05, 0.2, 0.01, 0.03])",
     range(20_000), True, ""),
    ("PiecewiseConstantDecay([10.5, 11, 12, 13.9, 15000], [0.1, 0.05, 0.2, 0.01, 0.03, 0.5])",
     range(3, 20_000, 7), False, ""),
    (f"PiecewiseConstantDecay({list(range(5, 200_000, 20))},"  # up, down, down, up, ...
     f" {[(0.1, 0.02, 0.05)[i % 3] for i in range(10_001)]})", range(200_000), False, ""),
    ("PolynomialDecay(0.1, 1000, 0.01, power=0.5, cycle=True)", range(20_000), False, ""),
    ("PolynomialDecay(0.1, 1000, 0.01, power=2.0, cycle=True)", range(20_000), True, ""),
    ("PolynomialDecay(0.1, 10, 0.01, power=0.5, cycle=True)", range(20_000), False, ""),
    ("PolynomialDecay(0.1, 7.5, 0.01, power=2.0, cycle=True)", range(200_000), False, DENSE),
    ("PolynomialDecay(0.1, 3, 0.01, power=0.5, cycle=True)", range(200_000), True, DENSE),
    ("CosineDecay(1e-3, decay_steps=10000, warmup_target=1e-2, warmup_steps=500)",
     range(12_000), False, ""),
    ("CosineDecay(1e-3, 10000, alpha=0.1, warmup_target=1e-2, warmup_steps=500)",
     range(12_000), True, ""),
    ("CosineDecay(0.0, 1000, alpha=0.2, warmup_target=0.1, warmup_steps=333)",
     range(5, 20_000, 3), False, ""),
    ("CosineDecayRestarts(0.1, 1000, t_mul=1.5, m_mul=0.8)", range(20_000), False, ""),
    ("CosineDecayRestarts(0.1, 1000, t_mul=1.0, m_mul=0.9, alpha=0.1)", range(20_000), True, ""),
    ("CosineDecayRestarts(0.1, 10, t_mul=1.0)", range(20_000), False, ""),
    ("CosineDecayRestarts(0.1, 20, t_mul=1.0, m_mul=0.9999, alpha=0.05)", range(200_000), False,
     ""),
    ("CosineDecayRestarts(0.1, 3.3, t_mul=1.0)", range(200_000), False, DENSE),
    ("CosineDecayRestarts(0.1, 7.5, t_mul=1.0001, m_mul=0.9999, alpha=0.01)", range(200_000),
     True, DENSE),
    ("CosineDecayRestarts(0.1, 1000.0, t_mul=1.0, alpha=0.1)", range(10**9 - 200_000, 10**9),
     True, ""),
    ("CosineDecayRestarts(0.1, 7, t_mul=1.0)", range(2**24 - 100_000, 2**24 + 100_000), False,
     DENSE),
]


@pytest.mark.parametrize("size", [(80, 24), (300, 61)])
@pytest.mark.parametrize("text, steps, log_y, how", REGISTRY_PLOTS,
                         ids=[f"{t[:50]}-{len(s)}{'-log' if y else ''}" for t, s, y, _ in REGISTRY_PLOTS])
def test_every_schedule_is_plotted_as_every_step_would_be(
    text: str, steps: Sequence[int], log_y: bool, how: str, size: tuple[int, int]
) -> None:
    schedule = parse(text)
    backend = Counting(resolve("numpy"))
    picture = picture_of(schedule, steps, backend, log_y=log_y)
    assert render(picture, size) == render(every_step(picture), size)
    # Dense edges: every step of a piece is evaluated, with the NumPy formula, and the backend
    # evaluates only what draws the columns (a few points each, both drawings, every panel).
    plan = choose(schedule, Steps.of(steps))
    every = isinstance(plan, ByPieces) and any(not p.by_edges for p in plan.pieces)
    assert every == (how == DENSE)
    if every:
        assert backend.evaluated <= 16 * size[0], backend.evaluated
