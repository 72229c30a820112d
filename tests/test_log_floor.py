"""--log-y for a schedule that reaches 0: drawn on a floor, said in the caption, in the terminal
and in image files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lrtool.output import image
from lrtool.picture import LOG_FLOOR_FRACTION
from lrtool.spec import parse
from tests.conftest import picture_of, run
from tests.test_plot_image import assert_same_pixels

COSINE = "CosineDecay(0.1, 10000)"  # alpha=0: the rate is 0 from step 10000 on


@pytest.mark.parametrize("text, floor", [
    (COSINE, 0.1 * LOG_FLOOR_FRACTION),  # the last steps before 0 are far below: the fraction
    ("PiecewiseConstantDecay([1000, 5000], [0.1, 0.01, 0.0])", 0.001),  # a decade below 0.01
    ("PolynomialDecay(0.1, 1000, end_learning_rate=0.0)", 0.1 * LOG_FLOOR_FRACTION),
])
def test_the_floor_is_a_decade_below_the_smallest_positive_value_or_a_fraction_of_the_top(
    text: str, floor: float
) -> None:
    picture = picture_of(parse(text), range(12_000), log_y=True)
    assert picture.log_floor == pytest.approx(floor, rel=1e-6)
    assert picture.value_range == (picture.log_floor, pytest.approx(0.1))


def test_no_floor_without_a_zero_or_without_a_log_axis() -> None:
    assert picture_of(parse("ExponentialDecay(0.1, 100, 0.5)"), range(5000), log_y=True).log_floor is None
    assert picture_of(parse(COSINE), range(12_000), log_y=False).log_floor is None


def test_image_has_a_log_axis_starting_at_the_floor_with_the_curve_on_it(tmp_path: Path) -> None:
    out = tmp_path / "lr.svg"
    result = run("plot", COSINE, "--log-y", "-o", str(out), "--backend", "numpy")
    assert result.returncode == 0, result.stderr.decode()
    assert "from 1.0e-5, lower values and 0 drawn there" in out.read_text()  # the caption
    picture = picture_of(parse(COSINE), range(12_501), log_y=True)
    fig = image.figure(picture)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    bottom, top = ax.get_ylim()
    assert 0 < bottom < 1e-5 < 0.1 < top
    values = np.concatenate([line.get_ydata() for line in ax.lines])
    assert values.min() == pytest.approx(1e-5) and np.all(values > 0)
    assert "from 1.0e-5" in fig.get_suptitle()


def test_image_with_a_floor_has_the_pixels_of_every_step(tmp_path: Path) -> None:
    picture = picture_of(parse("CosineDecay(0.1, 1000)"), range(3000), log_y=True)
    assert_same_pixels(picture, tmp_path, (4, 3, 60))


def test_terminal_draws_the_floor_and_says_so() -> None:
    result = run("plot", COSINE, "--log-y", "--backend", "numpy", COLUMNS="100", LINES="30")
    assert result.returncode == 0 and result.stderr == b""
    out = result.stdout.decode().splitlines()
    assert "log from 1.0e-5, lower values and 0 drawn there" in out[1]
    axis_rows = [line for line in out if "┤" in line or "│" in line]
    assert axis_rows[0].startswith("1.0e-1┤") and axis_rows[-1].startswith("1.0e-5┤")
    assert "⣀" in axis_rows[-1]  # the curve lies along the floor from step 10000 on


def test_a_rate_of_zero_throughout_is_still_refused() -> None:
    result = run("plot", "PiecewiseConstantDecay([10], [0.0, 0.0])", "--log-y", "--backend", "numpy")
    assert result.returncode == 2
    (line,) = result.stderr.decode().splitlines()
    assert "'--log-y'" in line and "0 throughout" in line
