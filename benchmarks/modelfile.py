"""Reading a big saved model: lrtool's time to the step training reached, as ratios.

Run:  python benchmarks/modelfile.py [--params N] [--runs N]

Saves an Adam-compiled model of N parameters (default 25 million: a .keras of about 300 MB,
weights and two Adam slots) trained to step 1234, then measures in one run, each the median
of --runs fresh processes:

* ``lrtool csv model.keras --resume --backend numpy`` (the schedule and the step),
* the same with the archive's weights deflated, which lrtool reads through zipfile's stream
  (it seeks by reading forward from the member's start),
* ``keras.models.load_model`` of the same file, what a user would otherwise run,

and prints each as a ratio to a baseline: lrtool on a schedule expression.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

PY = sys.executable
ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow",
       "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}

SAVE = """
import sys, numpy as np, keras
params, path = int(sys.argv[1]), sys.argv[2]
width = int((params / 2) ** 0.5)
model = keras.Sequential([keras.Input((width,)), keras.layers.Dense(width),
                          keras.layers.Dense(width)])
model.compile(optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(
    1e-3, 10000, warmup_target=1e-2, warmup_steps=500)), loss="mse")
model.fit(np.zeros((2, width)), np.zeros((2, width)), verbose=0)
model.optimizer.iterations.assign(1234)
model.save(path)
"""
LOAD = "import sys, keras; keras.models.load_model(sys.argv[1])"


def seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                       env=ENV)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def deflated(path: Path, out: Path) -> None:
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            z.writestr(info.filename, source.read(info))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", type=int, default=25_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stored, packed = Path(tmp, "model.keras"), Path(tmp, "deflated.keras")
        subprocess.run([PY, "-c", SAVE, str(args.params), str(stored)], check=True, env=ENV,
                       stderr=subprocess.DEVNULL)
        deflated(stored, packed)
        lrtool = [PY, "-m", "lrtool", "csv", "--resume", "--steps", "1240", "--backend", "numpy"]
        check = subprocess.run([*lrtool, str(stored)], capture_output=True, text=True, env=ENV)
        assert check.stdout.splitlines()[1].startswith("1234,"), check.stdout + check.stderr
        base = seconds([PY, "-m", "lrtool", "csv", "CosineDecay(1e-3, 10000)", "--steps", "6",
                        "--backend", "numpy"], args.runs)
        figures = {
            "lrtool, .keras as Keras saves it": seconds([*lrtool, str(stored)], args.runs),
            "lrtool, .keras with deflated weights": seconds([*lrtool, str(packed)], args.runs),
            "keras.models.load_model": seconds([PY, "-c", LOAD, str(stored)], args.runs),
        }
        size = stored.stat().st_size / 1e6
        print(f"{args.params:,} parameters, {size:,.0f} MB archive; baseline: lrtool on an"
              f" expression, {base:.2f} s (median of {args.runs})")
        for name, value in figures.items():
            print(f"  {name:40} {value / base:6.2f} x baseline  ({value:.2f} s)")


if __name__ == "__main__":
    main()
