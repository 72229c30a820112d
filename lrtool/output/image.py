"""Image files (and a window) of the panels, with matplotlib's object API: no pyplot, no globals.

The figure is laid out before any data is added, so that each axes' pixel columns are known
when choosing the steps to evaluate: every pixel column gets its exact extremes (see
``lrtool.engine``), whatever the number of steps. The file is written to a temporary name and
renamed into place, so a failed run leaves neither a broken file nor a clobbered old one.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lrtool.engine import Curve
from lrtool.output.axis import floor_note, step_text
from lrtool.output.wrap import wrap
from lrtool.picture import Picture

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Inches and dots per inch: 1650 x 675 pixels, two readable panels on a laptop screen.
DEFAULT_SIZE = (11.0, 4.5)
DEFAULT_DPI = 150
#: The title's font size, and a character's average width in ems: how many fit on a line.
TITLE_POINTS = 10
CHAR_WIDTH = 0.6
#: Below this many steps each one is marked, so that a short run shows where the values are.
MARKERS_UP_TO = 60
#: Columns evaluated per pixel. One gives each pixel column its exact extremes; but a line is
#: stroked wider than a pixel and antialiased, so how the curve bends inside a pixel shades its
#: neighbours a little: at 8 the shading differs from drawing every step by at most 2/255.
SUBPIXELS = 8
#: GUI toolkits tried for --show, most commonly installed first (Tk comes with Python).
GUI_BACKENDS = ("macosx", "tkagg", "qtagg", "gtk4agg", "gtk3agg", "wxagg")


class DisplayError(RuntimeError):
    """No window can be opened here; the message says why and what to do instead."""


def supported_formats() -> list[str]:
    """File extensions matplotlib can write here (pgf only when its TeX program is installed)."""
    import matplotlib
    from matplotlib.backend_bases import FigureCanvasBase

    formats = sorted(FigureCanvasBase.get_supported_filetypes())
    if shutil.which(matplotlib.rcParams["pgf.texsystem"]) is None:
        formats.remove("pgf")
    return formats


def format_of(path: str | os.PathLike[str]) -> str:
    """The image format a file name asks for, by its extension; ValueError naming the choices."""
    extension = Path(path).suffix.lower().lstrip(".")
    formats = supported_formats()
    if extension in formats:
        return extension
    what = f"{extension!r} is not an image format lrtool can write" if extension else (
        f"{os.fspath(path)!r} has no file extension")
    raise ValueError(f"{what}; use one of: {', '.join(formats)}")


def _limits(lo: float, hi: float, log: bool) -> tuple[float, float]:
    """The value range with a 5% margin, in the axis's own scale; a flat range made visible."""
    if log:
        ratio = (hi / lo) ** 0.05 if hi > lo else 1.5
        return lo / ratio, hi * ratio
    pad = 0.05 * (hi - lo) if hi > lo else (0.05 * abs(hi) or 0.1)
    return lo - pad, hi + pad


def _pixel_cuts(ax: Axes, first: int, last: int, per_pixel: int = SUBPIXELS) -> np.ndarray:
    """Where each sub-pixel column of the axes begins, as the first step drawn inside it."""
    import numpy as np

    if last <= first:
        return np.array([first], dtype=np.int64)
    x_first = ax.transData.transform((first, 1))[0]
    x_last = ax.transData.transform((last, 1))[0]
    per_step = (x_last - x_first) / (last - first)
    boundaries = np.arange(np.floor(x_first * per_pixel) + 1, np.floor(x_last * per_pixel) + 1)
    boundaries /= per_pixel
    cuts = first + np.ceil((boundaries - x_first) / per_step).astype(np.int64)
    return np.unique(np.concatenate([[first], cuts[(cuts > first) & (cuts <= last)]]))


def figure(picture: Picture, width: float | None = None, height: float | None = None,
           dpi: int | None = None) -> Figure:
    """The finished figure: one panel per picture panel, side by side, sharing the y axis.

    Sizes in inches; None takes the default.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    size = (width or DEFAULT_SIZE[0], height or DEFAULT_SIZE[1])
    fig = Figure(figsize=size, dpi=dpi or DEFAULT_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(picture.panels), sharey=True, squeeze=False)[0]
    first, last = picture.first, picture.last
    pad = 0.01 * (last - first) if last > first else 1
    steps_label = FuncFormatter(lambda value, _: step_text(value))
    for ax, panel in zip(axes, picture.panels):
        ax.set_title(panel.title)
        ax.set_xlabel("step")
        ax.set_xlim(first - pad, last + pad)
        ax.xaxis.set_major_formatter(steps_label)
        ax.grid(True, color="#e5e5e5")  # opaque: PostScript has no transparency
        if picture.steps_per_epoch:
            spe = picture.steps_per_epoch
            epochs = ax.secondary_xaxis("top", functions=(lambda s: s / spe, lambda e: e * spe))
            epochs.set_xlabel("epoch")
            epochs.xaxis.set_major_formatter(steps_label)
    if picture.log_y:
        axes[0].set_yscale("log")
    axes[0].set_ylim(*_limits(*picture.value_range, picture.log_y))
    axes[0].set_ylabel("learning rate")
    n = len(picture.steps)
    scale = "log y" if picture.log_y else "linear y"
    if picture.log_floor is not None:
        scale += f" {floor_note(picture.log_floor)}"
    sampled = "" if picture.exact else " · sampled"
    info = (f"steps {first:,}–{last:,} ({n:,} step{'s' if n != 1 else ''}) · {scale}{sampled}"
            f" · backend {picture.backend_name}"
            + "".join(f" · dashed: trained {m:,} steps" for m in picture.shown_marks))
    # Wrapped at argument boundaries: matplotlib would run a long title off the figure's edges.
    chars = int(size[0] * 72 / (TITLE_POINTS * CHAR_WIDTH))
    fig.suptitle("\n".join(wrap(picture.title, chars) + wrap(info, chars)), fontsize=TITLE_POINTS)

    fig.draw_without_rendering()  # lay out: the axes' pixel columns are final from here on
    labels = list(picture.schedules())
    marker = "o" if n <= MARKERS_UP_TO else None
    for ax, panel in zip(axes, picture.panels):
        sub_pixels = _pixel_cuts(ax, first, last)
        pixels = _pixel_cuts(ax, first, last, 1)
        for label, schedule in panel.curves.items():
            line = _line(picture.engine.curve(schedule, sub_pixels), sub_pixels, pixels)
            values = line.values
            if picture.log_floor is not None:  # below the floor, 0 included, on the floor
                values = np.maximum(values, picture.log_floor)
            ax.plot(line.steps, values, linewidth=1.5, marker=marker, markersize=3,
                    label=label, color=f"C{labels.index(label) % 10}")
        for mark in picture.shown_marks:  # where a saved model's training stands
            ax.axvline(mark, color="0.35", linestyle="--", linewidth=1, zorder=1)
        if len(panel.curves) > 1:
            ax.legend()
    return fig


def _line(curve: Curve, sub_pixels: np.ndarray, pixels: np.ndarray) -> Curve:
    """The points of the drawn line: what makes each sub-pixel column, where the curve turns
    what makes each pixel column.

    A line through many points per pixel, all stroked and antialiased, comes out bolder than the
    curve (Agg adds up the coverage of overlapping pieces), and beyond about 100,000 turning
    points Agg cannot draw it at all. So every sub-pixel column is cut to its ends and extremes
    (``Curve.reduced``), and a pixel column where the curve turns (a restart, or a band of
    them) to its own: a stroke wider than a pixel covers its span all the same, in one stroke
    rather than eight. Both cuts depend only on what the points show, so every step and the
    chosen ones draw the same line.
    """
    return curve.reduced(sub_pixels).reduced(pixels, only_turning=True)


def write(picture: Picture, path: str | os.PathLike[str], width: float | None = None,
          height: float | None = None, dpi: int | None = None) -> None:
    """Draw and save, whole or not at all, in the format the extension names."""
    from lrtool.files import atomic_path

    kind = format_of(path)
    fig = figure(picture, width, height, dpi)
    with atomic_path(path) as tmp, exact_lines():
        fig.savefig(tmp, format=kind, dpi=fig.dpi)


@contextlib.contextmanager
def exact_lines() -> Iterator[None]:
    """Draw lines through all their points while the block runs.

    The points are already what the pixels need; matplotlib's path simplification (dropping
    points within 1/9 pixel of a line) would only approximate them again. It is read when a
    line is drawn, from rcParams: hence a temporary setting rather than an argument.
    """
    import matplotlib

    with matplotlib.rc_context({"path.simplify": False}):
        yield


def check_display() -> str:
    """The GUI backend a window would use; DisplayError when there is no display or toolkit."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        raise DisplayError("there is no display here (DISPLAY is not set); write a file with -o FILE")
    for name in GUI_BACKENDS:
        if name == "macosx" and sys.platform != "darwin":
            continue
        try:
            importlib.import_module(f"matplotlib.backends.backend_{name}")
        except Exception:  # toolkit not installed, or one that fails in its own way
            continue
        return name
    raise DisplayError("no GUI toolkit for matplotlib is installed (Tk, Qt, GTK or wx);"
                       " write a file with -o FILE")


def show(picture: Picture, width: float | None = None, height: float | None = None,
         dpi: int | None = None) -> None:
    """Open the figure in a window and wait until it is closed (or q pressed)."""
    import matplotlib

    module = importlib.import_module(f"matplotlib.backends.backend_{check_display()}")
    fig = figure(picture, width, height, dpi)
    try:
        manager = module.FigureCanvas.new_manager(fig, 1)
    except Exception as exc:  # e.g. Tk's "couldn't connect to display"
        where = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or "the display"
        raise DisplayError(f"cannot open a window on {where} ({exc})") from None
    canvas = manager.canvas
    canvas.mpl_connect("close_event", lambda _event: canvas.stop_event_loop())
    # Without pyplot's figure registry the toolbar's quit keys (q, ctrl+w) do nothing: bind them.
    quit_keys = set(matplotlib.rcParams["keymap.quit"])
    canvas.mpl_connect("key_press_event",
                       lambda event: manager.destroy() if event.key in quit_keys else None)
    with exact_lines(), _interruptible(manager):
        manager.show()
        canvas.start_event_loop()


@contextlib.contextmanager
def _interruptible(manager: Any) -> Iterator[None]:
    """Let Ctrl-C close the window, then reach the SIGINT handler that was there before.

    A GUI event loop runs in C and only returns to Python for events, so a signal would wait
    for the next mouse move. The handler here just takes note; a timer wakes Python ten times
    a second to close the window when it has, and the previous handler then runs as usual.
    """
    caught: list[tuple[int, Any]] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append((signum, frame)))
    timer = manager.canvas.new_timer(interval=100)
    timer.add_callback(lambda: manager.destroy() if caught and len(caught) == 1 else None)
    timer.start()
    try:
        yield
    finally:
        with contextlib.suppress(Exception):  # the window, and the timer's widget, may be gone
            timer.stop()
        signal.signal(signal.SIGINT, previous)
    if caught:
        if callable(previous):
            previous(*caught[0])
        raise KeyboardInterrupt
