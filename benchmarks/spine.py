"""Speed and memory of the spine, each as a ratio to a reference measured in the same run.

Run:  python benchmarks/spine.py [--runs N]

Every figure is the median of N runs of a fresh process (the way a user meets lrtool), so the
ratios hold on a slow or busy machine, where absolute times would not.
"""

from __future__ import annotations

import argparse
import importlib.util
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
#: In-process TensorFlow: these figures are about the command itself (benchmarks/worker.py
#: measures the warm worker).
QUIET = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "LRTOOL_WORKER": "off"}


def lrtool(*args: str) -> list[str]:
    return [LRTOOL, *args] if LRTOOL else [PY, "-m", "lrtool", *args]


def seconds(cmd: list[str], runs: int) -> float:
    """Median wall time of ``runs`` fresh runs, output discarded."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=QUIET)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_mb(cmd: list[str]) -> float:
    """Peak resident memory of one run, in MB (ru_maxrss of the child alone)."""
    probe = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([PY, "-c", probe, *cmd], capture_output=True, text=True, check=True)
    return int(out.stdout) / 1024


def heavy_imports(cmd: list[str]) -> list[str]:
    """Heavy packages imported by a command (python -X importtime)."""
    out = subprocess.run([PY, "-X", "importtime", "-m", "lrtool", *cmd], capture_output=True,
                         text=True, env=QUIET).stderr
    names = {line.rsplit("|", 1)[-1].strip() for line in out.splitlines()}
    return sorted(n for n in ("numpy", "matplotlib", "tensorflow", "keras") if n in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    rows: list[tuple[str, str, str, bool]] = []

    def ratio(name: str, ours: list[str], ref: list[str], limit: float, n: int = runs) -> None:
        a, b = seconds(ours, n), seconds(ref, n)
        rows.append((name, f"{a:.3f}s / {b:.3f}s = {a / b:.2f}x", f"<= {limit}x", a / b <= limit))

    ratio("lrtool --help vs import click, rich.console",
          lrtool("--help"), [PY, "-c", "import click, rich.console"], 1.6)
    heavy = heavy_imports(["--help"])
    rows.append(("modules imported by lrtool --help", ", ".join(heavy) or "no numpy/matplotlib/tensorflow",
                 "none heavy", not heavy))
    ratio("lrtool table --steps 20 --backend numpy vs import click, rich, numpy",
          lrtool("table", "--steps", "20", "--backend", "numpy"),
          [PY, "-c", "import click, rich.table, rich.console, numpy"], 2.2)
    with tempfile.TemporaryDirectory() as tmp:
        savetxt = (
            "import numpy as np; s = np.arange(1000000); "
            "v = (np.float32(0.1) / (1 + np.float32(0.5) * s.astype(np.float32))).astype(np.float64); "
            f"np.savetxt({os.path.join(tmp, 'ref.csv')!r}, np.column_stack([s, v]), "
            "fmt=['%d', '%.9g'], delimiter=',')"
        )
        ratio("lrtool csv --steps 1000000 --backend numpy vs numpy.savetxt",
              lrtool("csv", "--steps", "1000000", "--backend", "numpy"), [PY, "-c", savetxt], 0.35)
    mb = peak_mb(lrtool("csv", "--steps", "5000000", "--backend", "numpy"))
    rows.append(("peak memory, lrtool csv --steps 5000000 --backend numpy", f"{mb:.0f} MB",
                 "<= 100 MB", mb <= 100))
    if importlib.util.find_spec("tensorflow") is None:
        rows.append(("tensorflow backend", "TensorFlow not installed", "", False))
    else:
        # The reference: what any use of TensorFlow costs, its import and one schedule call.
        once = ("import os; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'; import tensorflow as tf; "
                "tf.keras.optimizers.schedules.InverseTimeDecay(0.1, 1.0, 0.5)(tf.constant(3, tf.int64))")
        n = max(3, runs // 2)
        ratio("lrtool csv --steps 1000000 --backend tensorflow vs import tensorflow + one call",
              lrtool("csv", "--steps", "1000000", "--backend", "tensorflow"), [PY, "-c", once], 6,
              n=n)
        restarts = "CosineDecayRestarts(0.1, 1000, t_mul=1.5, m_mul=0.8)"
        ratio("lrtool table --steps 1e9 --backend tensorflow (restarts) vs the same",
              lrtool("table", restarts, "--steps", "1e9", "--backend", "tensorflow"),
              [PY, "-c", once], 1.5, n=n)
        ratio("lrtool plot --steps 1e9 --backend tensorflow (restarts) vs the same",
              lrtool("plot", restarts, "--steps", "1e9", "--backend", "tensorflow"),
              [PY, "-c", once], 1.5, n=n)

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':<34} {'target':<10} ok")
    for name, result, target, ok in rows:
        print(f"{name:<{width}}  {result:<34} {target:<10} {'yes' if ok else 'NO'}")
    sys.exit(0 if all(r[3] for r in rows) else 1)


if __name__ == "__main__":
    main()
