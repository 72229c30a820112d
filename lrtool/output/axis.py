"""Axis text shared by the terminal plot and image files: round tick values and step counts.

Learning rates are float32, which stores 0.01 as 0.0099999998; ticks treat the ends of a range
as the round values they stand for, so a curve peaking at 0.01 gets its 1.0e-2 label.
"""

from __future__ import annotations

import math

#: How far (relatively) a rate may lie from the round value it stands for: rates are float32,
#: which stores 0.01 as 0.0099999998, within 2**-24 of it. A y tick this close to the ends of
#: the range belongs to it, so that a curve peaking at 0.01 gets its 1.0e-2 label at the top.
FLOAT32_SLACK = 2.0**-20


def nice_ticks(lo: float, hi: float, count: int, whole: bool = False,
               slack: float = 0.0) -> list[float]:
    """At most about ``count`` round values (1, 2, 2.5, 5 times a power of ten) in [lo, hi].

    ``slack`` widens the range by that fraction of its largest magnitude (see FLOAT32_SLACK).
    """
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1.0, float(round(step)))
    wide = 1e-9 + slack * max(abs(lo), abs(hi)) / step
    first, last = math.ceil(lo / step - wide), math.floor(hi / step + wide)
    return [k * step for k in range(first, last + 1)]


def log_ticks(lo: float, hi: float, count: int) -> list[float]:
    """Powers of ten in [lo, hi] (every n-th when many), else 1-2-5 steps, else linear ticks.

    Float32 rates count as the round values they stand for (FLOAT32_SLACK).
    """
    wide = 1e-9 + FLOAT32_SLACK
    first, last = math.ceil(math.log10(lo) - wide), math.floor(math.log10(hi) + wide)
    if last - first + 1 >= 2:
        stride = max(1, math.ceil((last - first + 1) / max(count, 2)))
        return sorted(10.0**e for e in range(last, first - 1, -stride))  # the top one always
    candidates = [m * 10.0**e for e in range(first - 1, last + 1) for m in (1, 2, 5)]
    inside = [v for v in candidates if lo * (1 - wide) <= v <= hi * (1 + wide)]
    return inside if len(inside) >= 2 else nice_ticks(lo, hi, count, slack=FLOAT32_SLACK)


def sci_labels(values: list[float]) -> list[str]:
    """Values as 1.0e-3, with as few digits as keep neighbouring labels apart."""
    for digits in range(1, 5):
        labels = []
        for v in values:
            mantissa, exponent = f"{v:.{digits}e}".split("e")
            labels.append("0" if v == 0 else f"{mantissa}e{int(exponent)}")
        if len(set(labels)) == len(labels):
            break
    return labels


def step_text(step: float) -> str:
    """A step count as an axis shows it: 900, 2500, 25k, 1.5M, 2.5B, 1e12."""
    step = float(step)
    if abs(step) < 10_000:
        return f"{step:g}" if step != int(step) else str(int(step))
    for scale, suffix in ((1e3, "k"), (1e6, "M"), (1e9, "B")):
        text = f"{step / scale:.3g}"
        if abs(float(text)) < 1000:
            return text + suffix
    mantissa, exponent = f"{step:.2e}".split("e")
    return f"{float(mantissa):g}e{int(exponent)}"


def floor_note(floor: float) -> str:
    """A caption's words for a log axis's floor (see ``lrtool.picture.LOG_FLOOR_FRACTION``)."""
    return f"from {sci_labels([floor])[0]}, lower values and 0 drawn there"
