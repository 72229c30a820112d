"""Titles and small terminals: the title says what was given, no number is cut, every curve
keeps its legend entry, and a terminal too small for a readable plot gets a one-line note."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lrtool.output.terminal_layout import READABLE
from lrtool.output.wrap import wrap
from tests.conftest import run

THREE = ("ExponentialDecay(0.1, 1000, 0.5)", "ExponentialDecay(0.1, 1000, 0.9)", "CosineDecay(0.1, 10000)")
STAIRS = ("--decay-steps", "1000", "--steps", "100000", "--staircase")
STAIRS_TITLE = ("InverseTimeDecay(initial_learning_rate=0.1, decay_steps=1000, decay_rate=0.5,"
                " staircase=True)")
CANVAS = re.compile(r"^\s*(\S*)[┤│]")


def plot(*args: str, columns: int, lines: int) -> tuple[list[str], list[str]]:
    """(stdout lines, stderr lines) of ``lrtool plot`` in a terminal of this size."""
    result = run("plot", *args, "--backend", "numpy", COLUMNS=str(columns), LINES=str(lines))
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode().splitlines(), result.stderr.decode().splitlines()


def test_the_title_keeps_staircase_true(tmp_path: Path) -> None:
    out, _ = plot(*STAIRS, columns=120, lines=30)
    assert out[0] == STAIRS_TITLE
    svg = tmp_path / "lr.svg"
    assert run("plot", *STAIRS, "-o", str(svg), "--backend", "numpy").returncode == 0
    assert "staircase=True" in svg.read_text()


@pytest.mark.parametrize("columns", [60, 45, 30])
def test_a_wrapped_title_cuts_no_number(columns: int) -> None:
    out, _ = plot(*STAIRS, columns=columns, lines=40)
    title = out[:next(i for i, line in enumerate(out) if line.startswith(("learning", "steps")))]
    assert len(title) > 1 and all(len(line) <= columns for line in title)
    assert " ".join(line.strip() for line in title).replace("( ", "(").replace("= ", "=") == STAIRS_TITLE
    assert not any("…" in line for line in out)


def test_three_schedules_at_60x20_keep_every_legend_entry() -> None:
    out, err = plot(*THREE, columns=60, lines=20)
    legend = " ".join(line for line in out if "━" in line)
    for label in ("ExponentialDecay(decay_rate=0.5)", "ExponentialDecay(decay_rate=0.9)", "CosineDecay"):
        assert f"━ {label}" in legend
    assert not any("…" in line for line in out)
    assert all(len(line) <= 60 for line in out) and len(out) <= 19
    assert len([line for line in out if CANVAS.match(line)]) >= READABLE[0]
    assert err == []


def test_two_panels_at_60x20_share_one_readable_panel_and_say_so() -> None:
    out, err = plot(*STAIRS, columns=60, lines=20)
    rows = [line for line in out if CANVAS.match(line)]
    assert len(rows) >= READABLE[0]  # not two panels of five rows
    assert sum(1 for line in out if line.lstrip().startswith("step ")) == 1
    assert "━ continuous" in " ".join(out) and "━ staircase" in " ".join(out)
    assert len(err) == 1 and err[0].startswith("Note: a 60x20 terminal is too small for 2 readable"
                                               " panels, so they share one; ")
    assert len(out) + len(err) <= 19  # and a line for the prompt


def test_the_size_the_note_names_is_enough() -> None:
    _, err = plot(*STAIRS, columns=60, lines=20)
    columns, lines = map(int, re.search(r"; (\d+)x(\d+) shows them apart$", err[0]).groups())
    out, err = plot(*STAIRS, columns=columns, lines=lines)
    titles = [line.split() for line in out]
    assert err == [] and (["continuous", "staircase"] in titles  # side by side, or stacked
                          or (["continuous"] in titles and ["staircase"] in titles))
    _, err = plot(*STAIRS, columns=28, lines=14)
    columns, lines = map(int, re.search(r"\((\d+)x(\d+) is enough\)", err[0]).groups())
    assert "readable plot" not in " ".join(plot(*STAIRS, columns=columns, lines=lines)[1])


def test_a_terminal_too_small_for_any_readable_plot_gets_a_note_and_the_best_that_fits() -> None:
    out, err = plot(*STAIRS, columns=28, lines=14)
    assert len(err) == 1 and err[0].startswith("Note: a 28x14 terminal is too small for a"
                                               " readable plot (")
    assert [line for line in out if CANVAS.match(line)]


def test_stacked_panels_are_readable_or_not_stacked() -> None:
    for columns, lines in [(60, 40), (60, 30), (60, 24), (50, 50)]:
        out, err = plot(*STAIRS, columns=columns, lines=lines)
        panels = sum(1 for line in out if line.lstrip().startswith("step "))
        rows = len([line for line in out if CANVAS.match(line)])
        assert rows // panels >= READABLE[0] or err, (columns, lines)


def test_wrap_never_cuts_inside_a_number() -> None:
    text = "PiecewiseConstantDecay(boundaries=[1000, 5000], values=[0.01, 0.001, 0.0001])"
    for width in range(10, 80):
        lines = wrap(text, width)
        pieces = re.findall(r"[\d.]+", " ".join(lines))
        assert pieces == re.findall(r"[\d.]+", text)
