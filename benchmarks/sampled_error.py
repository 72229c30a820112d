"""How far a sampled picture is from drawing every step: the measurement the README quotes.

Run:  python benchmarks/sampled_error.py [--steps 1e8] [--columns 240]

Restarts too dense and disordered to draw exactly (t_mul a hair above 1) are sampled, and the
picture says so. This evaluates every step of such schedules (minutes: the NumPy formula, a
chunk at a time) to find each column's true lowest and highest value, and reports how far the
sampled columns are from them, as a fraction of the whole value range: how many columns are
off, the 95th percentile and the worst column.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SCHEDULES = [
    "CosineDecayRestarts(0.1, 1, t_mul=1.0000001)",
    "CosineDecayRestarts(0.1, 1000, t_mul=1.0000001)",
    "CosineDecayRestarts(0.1, 10, t_mul=1.00001)",
]
CHUNK = 1 << 22


def column_extremes(schedule: object, n: int, cuts: object, steps: object = None,
                    values: object = None) -> tuple[object, object]:
    """Each column's lowest and highest value: of the given points, or of every step."""
    import numpy as np

    from lrtool.engine.columns import columns_of

    low, high = np.full(len(cuts), np.inf), np.full(len(cuts), -np.inf)
    chunks = ([(steps, values)] if steps is not None else
              ((s, schedule.formula(s)) for s in
               (np.arange(a, min(n, a + CHUNK), dtype=np.int64) for a in range(0, n, CHUNK))))
    for s, v in chunks:
        column = columns_of(cuts, s)
        np.minimum.at(low, column, np.asarray(v, np.float64))
        np.maximum.at(high, column, np.asarray(v, np.float64))
    return low, high


def main() -> None:
    import numpy as np

    from lrtool.engine import Engine, column_cuts
    from lrtool.spec import parse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=float, default=1e8)
    parser.add_argument("--columns", type=int, default=240)
    args = parser.parse_args()
    n = int(args.steps)
    cuts = column_cuts(0, n - 1, args.columns)
    print(f"sampled against every step: {n:,} steps, {args.columns} columns")
    for text in SCHEDULES:
        schedule = parse(text)
        curve = Engine(range(n), "numpy").curve(schedule, cuts)
        low, high = column_extremes(schedule, n, cuts, curve.steps, curve.values)
        true_low, true_high = column_extremes(schedule, n, cuts)
        span = true_high.max() - true_low.min()
        off = np.concatenate([(low - true_low) / span, (true_high - high) / span])
        print(f"{text}: {'exact' if curve.exact else 'sampled'}; column ends off"
              f" {np.count_nonzero(off > 0)}/{off.size}; 95th percentile"
              f" {np.percentile(off, 95):.2%}; worst {off.max():.2%} of the value range",
              flush=True)


if __name__ == "__main__":
    main()
