"""A run given in epochs: --epochs with --steps-per-epoch, or counted from --dataset-size and
--batch-size as Keras does; the epoch column and axis; and the warning that decay never comes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run

STAIRS = "ExponentialDecay(0.1, 100000, 0.96, staircase=True)"


def csv_lines(*args: str) -> list[str]:
    result = run("csv", *args, "--backend", "numpy")
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode().splitlines()


def test_epochs_times_steps_per_epoch_steps() -> None:
    lines = csv_lines("--epochs", "3", "--steps-per-epoch", "4")
    assert lines[0] == "step,epoch,lr"
    assert len(lines) == 1 + 12 and lines[-1].startswith("11,2.75,")


@pytest.mark.parametrize("size, batch, per_epoch", [(50_000, 128, 391), (50_000, 100, 500), (7, 8, 1)])
def test_steps_per_epoch_from_dataset_and_batch_size_count_a_partial_batch(
    size: int, batch: int, per_epoch: int
) -> None:
    lines = csv_lines("--epochs", "2", "--dataset-size", str(size), "--batch-size", str(batch))
    assert len(lines) == 1 + 2 * per_epoch
    assert lines[per_epoch + 1].split(",")[:2] == [str(per_epoch), "1.0"]


def test_table_shows_the_epoch_and_says_how_it_was_counted() -> None:
    result = run("table", "--epochs", "10", "--dataset-size", "50000", "--batch-size", "128",
                 "--backend", "numpy")
    out = result.stdout.decode()
    header = next(line.split() for line in out.splitlines() if line.split()[:1] == ["step"])
    assert header == ["step", "epoch", "lr"]
    assert re.search(r"^\s+3909\s+9\.99\s", out, re.M)
    assert "391 steps per epoch: 50,000 examples in batches of 128, the last one partial" in out


def test_plot_gets_an_epoch_axis(tmp_path: Path) -> None:
    result = run("plot", STAIRS, "--epochs", "10", "--dataset-size", "50000", "--batch-size", "128",
                 "--backend", "numpy", COLUMNS="100", LINES="30")
    assert result.returncode == 0
    assert any(line.lstrip().startswith("epoch ") for line in result.stdout.decode().splitlines())
    svg = tmp_path / "lr.svg"
    assert run("plot", STAIRS, "--epochs", "10", "--steps-per-epoch", "391", "-o", str(svg),
               "--backend", "numpy").returncode == 0
    assert "<!-- epoch -->" in svg.read_text()  # the axis label


@pytest.mark.parametrize("spec, fragment", [
    (STAIRS, "decay_steps (100000) is never reached in 10 epochs of 391 steps (3,910 steps):"
             " the staircase never drops"),
    ("ExponentialDecay(0.1, 100000, 0.96)", "decay_steps (100000) is never reached in 10 epochs"
                                            " of 391 steps (3,910 steps): the rate falls by only 0.16%"),
    ("PiecewiseConstantDecay([2000, 5000], [0.1, 0.01, 0.001])",
     "boundary 5000 is never reached in 10 epochs of 391 steps (3,910 steps): the rate never"
     " becomes 0.001"),
    ("CosineDecay(0.1, 5000)", "decay_steps (5000) is never reached in 10 epochs"),
])
def test_a_decay_never_reached_in_the_epochs_is_one_warning(spec: str, fragment: str) -> None:
    result = run("csv", spec, "--epochs", "10", "--dataset-size", "50000", "--batch-size", "128",
                 "--backend", "numpy")
    assert result.returncode == 0
    (line,) = result.stderr.decode().splitlines()
    assert line.startswith("Warning: ") and fragment in line


def test_a_decay_reached_in_the_epochs_says_nothing() -> None:
    result = run("csv", "CosineDecay(0.1, 3910)", "--epochs", "10", "--steps-per-epoch", "391",
                 "--backend", "numpy")
    assert result.returncode == 0 and result.stderr == b""


@pytest.mark.parametrize("args, fragment", [
    (["--epochs", "3"], "--epochs needs --steps-per-epoch, or --dataset-size and --batch-size"),
    (["--dataset-size", "100"], "--dataset-size needs --batch-size"),
    (["--batch-size", "100"], "--batch-size needs --dataset-size"),
    (["--epochs", "3", "--steps-per-epoch", "4", "--steps", "10"], "--epochs and --steps"),
    (["--steps-per-epoch", "4", "--dataset-size", "8", "--batch-size", "2"], "use one"),
    (["--epochs", "3", "--steps-per-epoch", "4", "--at", "5"], "--at"),
    (["--epochs", "0", "--steps-per-epoch", "4"], "--epochs"),
    (["--batch-size", "0", "--dataset-size", "4"], "--batch-size"),
])
def test_epoch_options_that_do_not_add_up_are_one_line(args: list[str], fragment: str) -> None:
    result = run("table", *args, "--backend", "numpy")
    assert result.returncode == 2
    (line,) = result.stderr.decode().splitlines()
    assert line.startswith("Error: ") and fragment in line
