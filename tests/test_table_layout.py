"""A table never cuts a value: short column keys with a legend, or several tables, when too wide."""

from __future__ import annotations

import numpy as np
import pytest

from lrtool.output.table import column_keys, epoch_texts
from tests.conftest import run

FOUR = ("ExponentialDecay(0.1, 1000, 0.5)", "ExponentialDecay(0.1, 1000, 0.9)",
        "CosineDecay(0.1, 10000)", "PiecewiseConstantDecay([1000, 5000], [1e-2, 1e-3, 1e-4])")
LABELS = ["ExponentialDecay(decay_rate=0.5)", "ExponentialDecay(decay_rate=0.9)", "CosineDecay",
          "PiecewiseConstantDecay"]


def table(*args: str, columns: int) -> list[str]:
    result = run("table", *args, "--backend", "numpy", COLUMNS=str(columns))
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode().splitlines()


def csv_values(*args: str, at: list[int]) -> dict[int, list[str]]:
    result = run("csv", *args, "--backend", "numpy", "--at", ",".join(map(str, at)))
    rows = [line.split(",") for line in result.stdout.decode().splitlines()[1:]]
    return {int(r[0]): r[1:] for r in rows}


def body_rows(lines: list[str]) -> list[list[str]]:
    return [line.split() for line in lines if line.split() and line.split()[0].isdigit()]


@pytest.mark.parametrize("columns", [80, 120])
def test_four_schedules_piped_at_80_and_120_columns_show_every_value_whole(columns: int) -> None:
    lines = table(*FOUR, "--steps-per-epoch", "391", columns=columns)
    assert not any("…" in line for line in lines)
    header = next(line.split() for line in lines if line.split()[:1] == ["step"])
    assert header == ["step", "epoch", "A", "B", "C", "D"]
    for key, label in zip("ABCD", LABELS):  # the legend under the table
        assert any(line.startswith(f"{key}  {label}: ") for line in lines), label
    rows = body_rows(lines)
    expected = csv_values(*FOUR, at=[int(r[0]) for r in rows])
    assert all(r[2:] == expected[int(r[0])] for r in rows)
    assert all(len(line) <= columns for line in lines if "│" in line or line.strip()[:1].isdigit())


def test_headers_are_kept_whole_when_they_fit() -> None:
    lines = table(*FOUR[:2], "--steps", "5", columns=120)
    header = next(line.split() for line in lines if line.split()[:1] == ["step"])
    assert header == ["step", *LABELS[:2]]
    assert not any(line.startswith("A  ") for line in lines)


def test_too_narrow_for_all_columns_splits_into_tables_each_with_the_step() -> None:
    lines = table(*FOUR, "--steps-per-epoch", "391", "--rows", "6", columns=40)
    headers = [line.split() for line in lines if line.split()[:1] == ["step"]]
    assert [h[2:] for h in headers] and sum((h[2:] for h in headers), []) == ["A", "B", "C", "D"]
    assert all(h[:2] == ["step", "epoch"] for h in headers)
    assert not any("…" in line for line in lines)
    rows = body_rows(lines)
    expected = csv_values(*FOUR, at=sorted({int(r[0]) for r in rows}))
    for r in rows:
        assert set(r[2:]) <= set(expected[int(r[0])])


def test_a_column_wider_than_the_terminal_is_printed_whole() -> None:
    lines = table("ExponentialDecay(0.1, 1000, 0.5)", "--steps", "3", columns=12)
    assert not any("…" in line for line in lines)
    assert ["2", "0.099861465"] in body_rows(lines)


def test_epochs_are_rounded_and_a_row_before_a_whole_epoch_never_reads_as_it() -> None:
    steps = np.array([0, 2000, 1954, 1955, 3, 390])
    assert epoch_texts(steps, 391) == ["0.00", "5.12", "4.99", "5.00", "0.01", "0.99"]
    assert epoch_texts(np.array([1, 2, 3]), 3) == ["0.33", "0.67", "1.00"]
    lines = table("--steps-per-epoch", "391", "--at", "2000", columns=80)
    assert body_rows(lines)[0][:2] == ["2000", "5.12"]


def test_column_keys() -> None:
    assert column_keys(3) == ["A", "B", "C"]
    assert column_keys(28)[25:] == ["Z", "A2", "B2"]
