"""What the TensorFlow worker saves, each figure a ratio of medians measured in the same run.

Run:  python benchmarks/worker.py [--runs N]

* warm ``lrtool table`` with TensorFlow / ``lrtool table --backend numpy`` (goal <= 1.3x);
* warm ``lrtool csv --steps 1e6`` / the same with TensorFlow in the command's process;
* the first command, which evaluates in its process and starts the worker as it exits /
  the same command with the worker turned off (goal <= 1.1x).

Each command is a fresh process, as a user runs it, and the compared commands alternate, so a
busy machine slows both sides of a ratio alike. The worker lives in a private runtime directory,
removed at the end.
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
ROOT = Path(__file__).resolve().parent.parent


def env_with(directory: str, worker: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LRTOOL_")}
    env.update(LRTOOL_WORKER=worker, LRTOOL_RUNTIME_DIR=directory, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p))
    return env


def lrtool(env: dict[str, str], *args: str) -> float:
    """Seconds one ``lrtool ARGS`` takes, output discarded."""
    start = time.perf_counter()
    subprocess.run([PY, "-m", "lrtool", *args], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True, env=env)
    return time.perf_counter() - start


def alternate(runs: int, first: tuple[dict[str, str], tuple[str, ...]],
              second: tuple[dict[str, str], tuple[str, ...]],
              between: object = None) -> tuple[float, float]:
    """Medians of ``runs`` alternating runs of two commands."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for i, (env, args) in enumerate((first, second)):
            times[i].append(lrtool(env, *args))
            if between is not None:
                between()  # type: ignore[operator]
    return statistics.median(times[0]), statistics.median(times[1])


def report(what: str, a: float, b: float, goal: float | None) -> None:
    verdict = "" if goal is None else ("  ok" if a / b <= goal else f"  ABOVE the goal {goal}x")
    print(f"{what:<58} {a:7.3f} s / {b:7.3f} s = {a / b:5.2f}x{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (median)")
    runs = parser.parse_args().runs
    directory = tempfile.mkdtemp(prefix="lrtool-bench-")
    warm, off = env_with(directory, "on"), env_with(directory, "off")
    try:
        subprocess.run([PY, "-m", "lrtool", "worker", "start"], check=True, env=warm,
                       stdout=subprocess.DEVNULL)
        table = ("table",)
        csv = ("csv", "--steps", "1e6")
        lrtool(warm, *table)  # each schedule's function is traced once per worker
        lrtool(warm, *csv)
        report("warm table (tensorflow) / table --backend numpy",
               *alternate(runs, (warm, table), (off, (*table, "--backend", "numpy"))), 1.3)
        report("warm csv --steps 1e6 / in-process tensorflow csv",
               *alternate(runs, (warm, csv), (off, csv)), None)
        subprocess.run([PY, "-m", "lrtool", "worker", "stop"], check=True, env=warm,
                       stdout=subprocess.DEVNULL)

        def stop() -> None:  # each first command finds no worker, and none runs while timing
            end = time.monotonic() + 3
            while not list(Path(directory).glob("*.lock")) and time.monotonic() < end:
                time.sleep(0.05)  # the worker a first command started takes its lock
            subprocess.run([PY, "-m", "lrtool", "worker", "stop"], env=warm,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        report("first command (starts the worker) / worker off",
               *alternate(runs, (warm, table), (off, table), between=stop), 1.1)
    finally:
        subprocess.run([PY, "-m", "lrtool", "worker", "stop"], env=warm,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
