"""lrtool plot at a billion steps against a thousand: the ratio of their wall times.

Run:  python benchmarks/plot_scale.py [--runs N] [--only TEXT]

A plot evaluates only the steps its pixels need, so --steps 1e9 must cost about what --steps 1e3
costs: at most 1.5x, for an image (-o x.png) and for the terminal, with TensorFlow (auto) and with
NumPy. Each figure is the median of N fresh processes (the way a user meets lrtool), the two step
counts run alternately so that a machine getting busier slows both alike. The schedules: every
registry schedule with its documented example arguments; the README's InverseTimeDecay with
decay_steps 1000 (a million stair edges, all falling) and CosineDecayRestarts, which turns at
every restart; and restarts far denser than pixels: one at every step (t_mul 1, with m_mul 1 and
just below 1, drawn exactly from each column's ends since the value is then monotone), and t_mul
a hair above 1, whose billion steps hold 40 million restarts with no order between them (drawn
sampled, and the picture says so).

One more row is shown for information, without a target: restarts every 1000 steps, a million
of them in a billion steps. Each column's lowest value then sits before one of thousands of restarts,
which only evaluating each of them finds exactly: it costs what a million restarts cost. Then,
for information too, the step counts between where an exact drawing costs most (MIDDLE).

A last section times a PiecewiseConstantDecay with a million boundaries (a 30 MB JSON file) for
``table --steps 3`` and ``csv --steps 3``, against the same command for the default schedule, run
alternately in the same way: with NumPy it must answer within MILLION_LIMIT seconds; with
TensorFlow, whose import alone takes seconds, it must take at most MILLION_LIMIT seconds more
than the default schedule does.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
LRTOOL = shutil.which("lrtool", path=str(Path(PY).parent)) or ""
#: A terminal of a common size; piped, so no colour codes are timed.
#: In-process TensorFlow, as before the worker (benchmarks/worker.py measures that).
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "COLUMNS": "160", "LINES": "48",
       "LRTOOL_WORKER": "off"}


def registry_rows() -> list[tuple[str, list[str], bool]]:
    """Every registry schedule with its documented example arguments."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from lrtool.schedules import REGISTRY

    rows = []
    for name, cls in REGISTRY.items():
        arguments = ", ".join(f"{k}={v!r}" for k, v in cls.example.items())
        rows.append((name, [f"{name}({arguments})"], True))
    return rows


#: (name, arguments, held to LIMIT)
SCHEDULES = [
    ("InverseTimeDecay 1000", ["--decay-steps", "1000", "--decay-rate", "0.5"], True),
    ("CosineDecayRestarts t1.5 m0.8", ["CosineDecayRestarts(0.1, 1000, t_mul=1.5, m_mul=0.8)"],
     True),
    ("restart every step", ["CosineDecayRestarts(0.1, 1, t_mul=1.0)"], True),
    ("restart every step, m0.999999",
     ["CosineDecayRestarts(0.1, 1, t_mul=1.0, m_mul=0.999999)"], True),
    ("t_mul 1.0000001 (sampled)", ["CosineDecayRestarts(0.1, 1, t_mul=1.0000001)"], True),
    ("t_mul 1.00001, turns between restarts (sampled)",
     ["CosineDecayRestarts(0.1, 10, t_mul=1.00001)"], True),
    ("dense restarts", ["CosineDecayRestarts(0.1, 1000.0, t_mul=1.0, alpha=0.1)"], False),
]
LIMIT = 1.5
#: Step counts between 1e3 and 1e9 where the exact drawing costs most (restarts and turns just
#: within the exact budget, evaluated one by one), shown for information against 1e3.
MIDDLE = [
    ("t_mul 1.0000001 at 1e6", "CosineDecayRestarts(0.1, 1, t_mul=1.0000001)", "1e6"),
    ("t_mul 1.0000001 at 3e6", "CosineDecayRestarts(0.1, 1, t_mul=1.0000001)", "3e6"),
    ("t_mul 1.00001 at 3e6", "CosineDecayRestarts(0.1, 10, t_mul=1.00001)", "3e6"),
]
#: Seconds a million boundaries may take (with TensorFlow: more than the default schedule).
MILLION_LIMIT = 1.0


def lrtool(*args: str) -> list[str]:
    return [LRTOOL, *args] if LRTOOL else [PY, "-m", "lrtool", *args]


def once(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True, env=ENV)
    return time.perf_counter() - start


def medians(small: list[str], big: list[str], runs: int) -> tuple[float, float]:
    """Median wall times of the two commands, run alternately after one warm-up each."""
    once(small), once(big)  # page cache, .pyc files
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        times[0].append(once(small))
        times[1].append(once(big))
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default="", help="rows whose name contains this text")
    args = parser.parse_args()
    runs = args.runs
    print(f"lrtool plot: --steps 1e9 against --steps 1e3, median of {runs} runs")
    print(f"{'schedule, output, backend':<52} {'1e3':>8} {'1e9':>8} {'ratio':>7}  target   ok")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for name, schedule, held in registry_rows() + SCHEDULES:
            if args.only not in name:
                continue
            outputs = (("-o x.png", ["-o", os.path.join(tmp, "x.png")]), ("terminal", []))
            for output, extra in outputs if held else outputs[1:]:
                for backend in ("auto", "numpy") if held else ("numpy",):
                    def command(steps: str) -> list[str]:
                        return lrtool("plot", *schedule, "--steps", steps, "--backend", backend,
                                      *extra)

                    small, big = medians(command("1e3"), command("1e9"), runs)
                    ratio = big / small
                    failed |= held and ratio > LIMIT
                    target, ok = ((f"<= {LIMIT}x", "yes" if ratio <= LIMIT else "NO") if held
                                  else ("  -   ", ""))
                    print(f"{name + ', ' + output + ', ' + backend:<52} {small:>7.3f}s"
                          f" {big:>7.3f}s {ratio:>6.2f}x  {target}  {ok}", flush=True)
        middle_rows = [row for row in MIDDLE if args.only in row[0]]
        if middle_rows:
            print(f"{'between, for information (step count in the name)':<52} {'1e3':>8}"
                  f" {'middle':>8} {'ratio':>7}")
        for name, schedule_text, steps in middle_rows:
            for backend in ("auto", "numpy"):
                small, middle = medians(
                    lrtool("plot", schedule_text, "--steps", "1e3", "--backend", backend),
                    lrtool("plot", schedule_text, "--steps", steps, "--backend", backend), runs)
                print(f"{name + ', terminal, ' + backend:<52} {small:>7.3f}s {middle:>7.3f}s"
                      f" {middle / small:>6.2f}x     -", flush=True)
        failed |= million_rows(tmp, runs, args.only)
    sys.exit(1 if failed else 0)


def million_file(folder: str) -> str:
    """A PiecewiseConstantDecay config of a million boundaries and a million and one rates."""
    import json

    import numpy as np

    count = 10**6
    values = (0.1 * 0.99999 ** np.arange(count + 1)).tolist()
    path = os.path.join(folder, "million.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"class_name": "PiecewiseConstantDecay",
                   "config": {"boundaries": list(range(1, count + 1)), "values": values}}, handle)
    return path


def million_rows(folder: str, runs: int, only: str) -> bool:
    """The million-boundary rows; True when one misses its target."""
    rows = [(f"a million boundaries, {command}, {backend}", command, backend)
            for command, backend in (("table", "numpy"), ("csv", "numpy"),
                                     ("table", "tensorflow"))]
    rows = [row for row in rows if only in row[0]]
    if not rows:
        return False
    path = million_file(folder)
    print(f"\nlrtool COMMAND --steps 3: the default schedule against a million boundaries,"
          f" median of {runs} runs")
    print(f"{'schedule, command, backend':<52} {'default':>8} {'million':>8} {'ratio':>7}"
          "  target   ok")
    failed = False
    for name, command, backend in rows:
        def run(*schedule: str) -> list[str]:
            return lrtool(command, *schedule, "--steps", "3", "--backend", backend)

        small, big = medians(run(), run(path), runs)
        extra = big - small if backend == "tensorflow" else big
        ok = extra <= MILLION_LIMIT
        failed |= not ok
        target = f"{'+' if backend == 'tensorflow' else ''}<= {MILLION_LIMIT:g}s"
        print(f"{name:<52} {small:>7.3f}s {big:>7.3f}s {big / small:>6.2f}x  {target:<7} "
              f"{'yes' if ok else 'NO'}", flush=True)
    return failed


if __name__ == "__main__":
    main()
