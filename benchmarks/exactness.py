"""How far each backend is from what ``model.fit`` applies, measured against the training loop.

Run:  python benchmarks/exactness.py [--steps N] [--modes graph,eager,xla]

For every parameter set in ``tests/fitloop.py`` (all six schedules: fractional decay steps,
staircase, steps past 2**24 and 2**31, cycle, warmup, t_mul/m_mul, int rates) and every mode, the
rates SGD applied in a real ``model.fit`` (graph: Keras's default compile; eager:
``run_eagerly=True``; xla: ``jit_compile=True``) are compared with lrtool's tensorflow and numpy
backends in that mode. Prints the largest distance in ulp per schedule, mode and backend as the
Markdown table the README shows.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def measure(steps: int, modes: list[str]) -> dict[tuple[str, str, str], int]:
    """Largest |ulp| per (schedule, mode, backend) over the parameter sets."""
    import numpy as np

    from lrtool.backends import resolve
    from lrtool.spec import parse
    from tests.fitloop import CONFIGS, applied_rates, max_ulp
    from tests.transformers_warmup import reference_object  # WarmUp: transformers' own code

    resolve("tensorflow")
    worst: dict[tuple[str, str, str], int] = {}
    for mode in modes:
        backends = {"tensorflow": resolve("tensorflow", mode), "numpy": resolve("numpy", mode)}
        for name, (text, start) in CONFIGS.items():
            schedule = parse(text)
            fit = applied_rates(reference_object(schedule), steps, start, mode)
            at = np.arange(start, start + steps, dtype=np.int64)
            for backend_name, backend in backends.items():
                distance = max_ulp(backend.evaluate(schedule, at), fit)
                key = (schedule.keras_name, mode, backend_name)
                worst[key] = max(worst.get(key, 0), distance)
                if distance:
                    print(f"  {name} {text} {mode} {backend_name}: {distance} ulp", file=sys.stderr)
    return worst


def table(worst: dict[tuple[str, str, str], int], modes: list[str]) -> str:
    names = list(dict.fromkeys(k[0] for k in worst))
    head = "| schedule | " + " | ".join(f"{m}: tensorflow | {m}: numpy" for m in modes) + " |"
    rows = [head, "| --- " * (1 + 2 * len(modes)) + "|"]
    for name in names:
        cells = [str(worst[(name, m, b)]) for m in modes for b in ("tensorflow", "numpy")]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--modes", default="graph,eager,xla")
    args = parser.parse_args()
    modes = args.modes.split(",")
    began = time.perf_counter()
    worst = measure(args.steps, modes)
    print(f"Largest distance in ulp from model.fit, {args.steps} steps per parameter set"
          f" ({time.perf_counter() - began:.0f} s):\n")
    print(table(worst, modes))


if __name__ == "__main__":
    main()
