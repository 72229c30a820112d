"""lrtool plot -o FILE and --show, as a user sees them: files, sizes, errors, and exact pixels."""

from __future__ import annotations

import dataclasses
import re
import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.image import imread

from lrtool.backends import resolve
from lrtool.cli import cli
from lrtool.output import image
from lrtool.picture import Picture
from lrtool.schedules import InverseTimeDecay
from lrtool.schedules.base import Schedule
from lrtool.spec import parse
from tests.conftest import every_step, picture_of, run
from tests.test_engine import Sawtooth

EXAMPLE = ("--decay-steps", "1000", "--decay-rate", "0.5", "--steps", "100000")
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<?xml", "pdf": b"%PDF-", "eps": b"%!PS-Adobe",
         "jpg": b"\xff\xd8\xff", "webp": b"RIFF"}


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    return struct.unpack(">II", path.read_bytes()[16:24])


def plot_to(path: Path, *args: str, **env: str) -> None:
    result = run("plot", *EXAMPLE, *args, "-o", str(path), "--backend", "numpy", **env)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"" and result.stderr.decode() == f"wrote {path}\n"



def assert_same_pixels(picture: Picture, tmp_path: Path, size: tuple) -> None:
    """The sampled picture's PNG against one drawn from every step: at most 8/255 apart."""
    sampled, full = tmp_path / "sampled.png", tmp_path / "full.png"
    image.write(picture, sampled, *size)
    image.write(every_step(picture), full, *size)
    a, b = imread(sampled), imread(full)
    assert a.shape == b.shape
    assert np.abs(a - b).max() <= 8 / 255


def test_default_svg_has_exactly_two_axes(tmp_path: Path) -> None:
    out = tmp_path / "lr.svg"
    plot_to(out)
    assert len(re.findall(r'<g id="axes_\d+"', out.read_text())) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lr.svg"]  # no temporary left


def test_epoch_axis_adds_one_axis_per_panel(tmp_path: Path) -> None:
    out = tmp_path / "lr.svg"
    plot_to(out, "--steps-per-epoch", "500")
    assert len(re.findall(r'<g id="axes_\d+"', out.read_text())) == 4


def test_default_png_is_wider_than_tall(tmp_path: Path) -> None:
    out = tmp_path / "lr.png"
    plot_to(out)
    width, height = png_size(out)
    assert (width, height) == (1650, 675) and width > height


def test_size_and_dpi_options(tmp_path: Path) -> None:
    out = tmp_path / "lr.png"
    plot_to(out, "--width", "6", "--height", "3", "--dpi", "100")
    assert png_size(out) == (600, 300)
    plot_to(out, "--height", "6")
    assert png_size(out) == (1650, 900)


@pytest.mark.parametrize("extension", sorted(MAGIC))
def test_format_follows_the_extension(tmp_path: Path, extension: str) -> None:
    out = tmp_path / f"lr.{extension.upper() if extension == 'pdf' else extension}"
    plot_to(out, "--log-y")
    assert out.read_bytes().startswith(MAGIC[extension])


@pytest.mark.parametrize("name, says", [
    ("lr.txt", "'txt' is not an image format"),
    ("lr.docx", "'docx' is not an image format"),
    ("lr", "has no file extension"),
])
def test_unsupported_extension_is_exit_2_listing_formats_and_no_file(
    tmp_path: Path, name: str, says: str
) -> None:
    result = run("plot", *EXAMPLE, "-o", str(tmp_path / name), "--backend", "numpy")
    assert result.returncode == 2
    last = result.stderr.decode().strip().splitlines()[-1]
    assert "'-o' / '--output'" in last and says in last
    assert all(kind in last for kind in ("png", "svg", "pdf", "jpg", "eps"))
    assert list(tmp_path.iterdir()) == []


def test_unwritable_path_is_a_clear_error(tmp_path: Path) -> None:
    missing = run("plot", "-o", str(tmp_path / "no" / "such.png"), "--backend", "numpy")
    assert missing.returncode == 2 and b"does not exist" in missing.stderr
    directory = run("plot", "-o", str(tmp_path), "--backend", "numpy")
    assert directory.returncode == 2 and b"is a directory" in directory.stderr
    assert b"Traceback" not in missing.stderr + directory.stderr


def test_existing_file_is_replaced_on_success_and_kept_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "lr.png"
    out.write_bytes(b"old")
    failed = run("plot", "--decay-rate", "-0.5", "--steps", "10", "-o", str(out), "--backend", "numpy")
    assert failed.returncode == 2 and out.read_bytes() == b"old"
    plot_to(out)
    assert out.read_bytes().startswith(MAGIC["png"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lr.png"]


def test_a_failed_write_leaves_neither_a_broken_file_nor_a_clobbered_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matplotlib.figure import Figure

    def full_disk(self: Figure, path: str, **kwargs: object) -> None:
        Path(path).write_bytes(b"\x89PNG half")
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(Figure, "savefig", full_disk)
    out = tmp_path / "lr.png"
    out.write_bytes(b"old")
    result = CliRunner().invoke(cli, ["plot", "--steps", "100", "--backend", "numpy", "-o", str(out)])
    assert isinstance(result.exception, OSError)  # main() reports it: "lrtool: No space ..."
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lr.png"]


def test_show_without_a_display_is_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "lr.png"
    result = run("plot", "--show", "-o", str(out), "--backend", "numpy", DISPLAY="", WAYLAND_DISPLAY="")
    assert result.returncode == 2
    last = result.stderr.decode().strip().splitlines()[-1]
    assert "'--show'" in last and "no display" in last and "-o FILE" in last
    assert not out.exists()
    unreachable = run("plot", "--show", "--backend", "numpy", DISPLAY=":987", WAYLAND_DISPLAY="")
    assert unreachable.returncode == 2
    assert "'--show'" in unreachable.stderr.decode() and b"Traceback" not in unreachable.stderr


def test_log_y_of_a_zero_rate_is_refused(tmp_path: Path) -> None:
    result = run("plot", "--lr", "0", "--log-y", "-o", str(tmp_path / "lr.png"), "--backend", "numpy")
    assert result.returncode == 2 and b"'--log-y'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_same_image_with_tensorflow_and_without(tmp_path: Path, no_tensorflow_dir: Path) -> None:
    with_tf, without = tmp_path / "tf.png", tmp_path / "np.png"
    assert run("plot", *EXAMPLE, "-o", str(with_tf)).returncode == 0
    result = run("plot", *EXAMPLE, "-o", str(without), no_tf_dir=no_tensorflow_dir)
    assert result.returncode == 0, result.stderr.decode()
    a, b = imread(with_tf), imread(without)
    assert a.shape == b.shape
    title = 60  # the title names the backend; the plots below it are the same pixels
    assert not np.array_equal(a[:title], b[:title]) and np.array_equal(a[title:], b[title:])


def test_billion_steps_draws_every_stair_edge_exactly() -> None:
    schedule = InverseTimeDecay(0.1, 1e6, 0.5)
    picture = picture_of(schedule, range(10**9), log_y=True)
    fig = image.figure(picture)
    (stairs,) = fig.axes[1].lines
    steps = np.asarray(stairs.get_xdata())
    values = np.asarray(stairs.get_ydata())
    drops = np.nonzero(values[1:] < values[:-1])[0]
    assert len(drops) == 1000  # every stair, each drawn from the step before it to its first step
    assert np.all(steps[drops + 1] - steps[drops] == 1)
    assert len(steps) < 100_000


# --- the same pixels as drawing every step --------------------------------------------------

@pytest.mark.parametrize("schedule, steps, log_y, size", [
    (InverseTimeDecay(0.1, 1000, 0.5), range(20_000), False, (4, 3, 60)),
    (InverseTimeDecay(0.1, 7.5, 3.0), range(20_000), True, (4, 3, 60)),
    (InverseTimeDecay(0.1, 333, 0.05), range(3, 200_000, 7), False, (4, 3, 60)),
    (Sawtooth(250.0), range(20_000), False, (4, 3, 60)),
    (InverseTimeDecay(0.1, 1000, 0.5), range(200_000), True, (None, None, None)),
    (InverseTimeDecay(0.1, 333, 0.05), range(200_000), False, (None, None, None)),
])
def test_sampled_image_has_the_pixels_of_every_step(
    tmp_path: Path, schedule: Schedule, steps: Sequence[int], log_y: bool, size: tuple
) -> None:
    """Equal up to antialiasing: at most 8/255 in any channel of any pixel.

    Exact equality is not to be had from a 1.5-point antialiased line: how the curve bends
    within an eighth of a pixel, and how Agg adds up the coverage of overlapping stroke pieces,
    shade the line's edge pixels slightly differently for a polyline through 20,000 points than
    for one through a few thousand. 8/255 is a 3% shade, invisible, and a long way from the
    255/255 a misplaced stair or a missed extreme gives.
    """
    picture = picture_of(schedule, steps, log_y=log_y)
    assert_same_pixels(picture, tmp_path, size)
    drawn = [len(line.get_xdata()) for ax in image.figure(picture, *size).axes for line in ax.lines]
    assert max(drawn) < len(steps) / 2  # and not by drawing every step


SMALL, FULL = (4, 3, 60), (None, None, None)
#: Every registry schedule: edges sparser than the pixel columns, denser, and more than
#: EDGE_LIMIT (monotone stairs spread evenly; restarts all found, or every step evaluated).
REGISTRY_IMAGES = [
    ("ExponentialDecay(0.1, 7.5, 0.999, staircase=True)", range(20_000), True, SMALL),
    ("ExponentialDecay(0.1, 3, 0.9999, staircase=True)", range(200_000), False, SMALL),
    ("ExponentialDecay(0.1, 10, 1.0001, staircase=True)", range(200_000), False, FULL),
    ("PiecewiseConstantDecay([1000, 2500.5, 7000, 15000.7], [0.1, 0.05, 0.2, 0.01, 0.03])",
     range(20_000), True, FULL),
    ("PolynomialDecay(0.1, 1000, 0.01, power=0.5, cycle=True)", range(20_000), False, SMALL),
    ("PolynomialDecay(0.1, 10, 0.01, power=2.0, cycle=True)", range(20_000), True, SMALL),
    ("CosineDecay(1e-3, 10000, alpha=0.1, warmup_target=1e-2, warmup_steps=500)", range(12_000),
     True, SMALL),
    ("CosineDecayRestarts(0.1, 1000, t_mul=1.5, m_mul=0.8)", range(20_000), False, FULL),
    ("CosineDecayRestarts(0.1, 20, t_mul=1.0, m_mul=0.9999, alpha=0.05)", range(200_000), False,
     SMALL),
    ("CosineDecayRestarts(0.1, 3.3, t_mul=1.0)", range(200_000), False, SMALL),
    ("CosineDecayRestarts(0.1, 7.5, t_mul=1.0001, m_mul=0.9999, alpha=0.01)", range(200_000),
     True, SMALL),
]


@pytest.mark.parametrize("text, steps, log_y, size", REGISTRY_IMAGES,
                         ids=[f"{t[:50]}-{len(s)}{'-log' if y else ''}" for t, s, y, _ in REGISTRY_IMAGES])
def test_every_schedule_has_the_pixels_of_every_step(
    tmp_path: Path, text: str, steps: Sequence[int], log_y: bool, size: tuple
) -> None:
    """As above, for each registry schedule; a line through 200,000 points that turn at every
    few steps is drawn from each sub-pixel column's extremes (Agg cannot stroke it whole)."""
    schedule = parse(text)
    picture = picture_of(schedule, steps, log_y=log_y)
    assert_same_pixels(picture, tmp_path, size)
