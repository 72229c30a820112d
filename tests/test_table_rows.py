"""Which rows a sampled table shows: every jump with the step before it, and no blind stretch."""

from __future__ import annotations

import subprocess

import pytest

from lrtool.sampling import table_steps
from lrtool.steps import Steps
from tests.conftest import run

RESTARTS = "CosineDecayRestarts(0.1, 1000)"


def table_rows(*args: str) -> dict[int, str]:
    """step -> value of each row of ``lrtool table ARGS``."""
    result = run("table", *args, "--backend", "numpy")
    assert result.returncode == 0, result.stderr.decode()
    return row_values(result)


def row_values(result: subprocess.CompletedProcess[bytes]) -> dict[int, str]:
    rows = [line.split() for line in result.stdout.decode().splitlines()]
    return {int(r[0]): r[-1] for r in rows if r and r[0].isdigit()}


def assert_spread(steps: list[int], rows: int) -> None:
    """No gap between rows much larger than range / rows: at most twice (and a step)."""
    span = steps[-1] - steps[0]
    widest = max(b - a for a, b in zip(steps, steps[1:]))
    assert widest <= 2 * span / rows + 1, (widest, span / rows)


@pytest.mark.parametrize("args, pairs", [
    (["--decay-steps", "1000", "--steps", "100000", "--staircase"], [1000]),
    (["PiecewiseConstantDecay([1000, 5000], [1e-2, 1e-3, 1e-4])"], [1001, 5001]),
    ([RESTARTS], [1000, 3000, 7000]),
    ([RESTARTS, "--steps", "100000"], [1000, 3000, 7000, 15000, 31000, 63000]),
])
def test_sampled_table_shows_each_jump_with_the_step_before(args: list[str], pairs: list[int]) -> None:
    rows = table_rows(*args)
    steps = sorted(rows)
    assert len(steps) == 30 and steps[0] == 0
    for edge in pairs:
        assert {edge - 1, edge} <= set(steps), (edge, steps)
        assert rows[edge - 1] != rows[edge]  # the old value, then the new one
    assert_spread(steps, 30)


def test_the_trough_before_each_restart_is_a_row() -> None:
    rows = table_rows(RESTARTS, "--steps", "100000")
    assert float(rows[999]) < 1e-6 and rows[1000] == "0.1"
    assert float(rows[62999]) < 1e-6 and rows[63000] == "0.1"


def test_the_last_step_is_always_a_row() -> None:
    steps = sorted(table_rows("--decay-steps", "1000", "--steps", "100000", "--staircase"))
    assert steps[-1] == 99999


@pytest.mark.parametrize("count, edges, rows", [
    (100_000, list(range(1000, 100_000, 1000)), 30),
    (100_000, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 10),
    (7351, [1000, 3000, 7000], 30),
    (10**9, [], 30),
    (50, [10, 20, 30, 40], 7),
    (12, [3, 6, 9], 11),
])
def test_rows_are_spread_whatever_the_edges(count: int, edges: list[int], rows: int) -> None:
    shown = list(table_steps(Steps.span(0, count), edges, rows))
    assert len(shown) == rows and shown[0] == 0 and shown[-1] == count - 1
    assert_spread(shown, rows)
    assert edges[:1] == [] or {edges[0] - 1, edges[0]} <= set(shown)


def test_a_table_with_every_kth_step_pairs_each_edge_with_the_requested_step_before() -> None:
    rows = table_rows("--decay-steps", "1000", "--steps", "100000", "--every", "7", "--staircase")
    assert {994, 1001} <= set(rows)  # 1001 is the first requested step past the drop at 1000
