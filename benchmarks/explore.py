"""lrtool explore: time to the first picture, and the redraw after a key press.

Run:  python benchmarks/explore.py [--runs N]

Needs tmux (the first picture is timed in a real pseudo-terminal, as a user sees it).

* First picture: from starting ``lrtool explore`` in a 120x40 tmux pane to the plot's x axis
  appearing on the screen, the median of N fresh processes; once with TensorFlow hidden (NumPy
  only, goal under 1 s) and once with it installed (it loads in the background; goal under
  1.5 s), the two alternating so that a machine getting busier slows both alike. The CPU
  seconds the explorer used by then are shown beside: about the wall time on an idle machine.
* Redraw: in-process through Textual's test pilot at 120x40, from pressing Right (the first
  argument one step up: a new schedule) or ``.`` (the cursor one column on) to the screen
  holding the new picture, for every built-in schedule at 1e3 and 1e9 steps with the NumPy
  backend (TensorFlow's values follow in the background once the keys pause). The figure held
  to the goal (under 50 ms) is the CPU time the process spends per press, median of 2N: the
  pilot's wall time adds fixed waits of its own, shown by a key bound to nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
FIRST_GOALS = {"numpy only": 1.0, "TensorFlow installed": 1.5}
REDRAW_GOAL = 0.050
SCHEDULES = [
    "ExponentialDecay(0.1, 1000, 0.5, staircase=True)",
    "PiecewiseConstantDecay([1000, 5000], [0.1, 0.01, 0.001])",
    "PolynomialDecay(0.1, 10000, power=2.0)",
    "InverseTimeDecay(0.1, 1000, 0.5)",
    "CosineDecay(1e-3, 10000, warmup_target=1e-2, warmup_steps=500)",
    "CosineDecayRestarts(0.1, 1000, t_mul=1.5, m_mul=0.8)",
]


def cpu_seconds(shell_pid: int) -> float:
    """User and system CPU seconds of the shell's child (the explorer) so far; 0 if unknown."""
    try:
        children = Path(f"/proc/{shell_pid}/task/{shell_pid}/children").read_text().split()
        fields = Path(f"/proc/{children[0]}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_picture(hide_tf: Path | None) -> tuple[float, float]:
    """(wall, CPU) seconds from starting the explorer in a tmux pane to its plot on the
    screen: the CPU time is what an idle machine's wall time would about be."""
    session = f"lrtool-bench-{os.getpid()}"
    path = os.pathsep.join(str(p) for p in (hide_tf, ROOT) if p)
    with tempfile.TemporaryDirectory() as tmp:
        started = Path(tmp) / "started"
        command = (f"touch {started}; PYTHONPATH={path} {PY} -m lrtool explore"
                   " 'CosineDecay(0.1, 10000)'; sleep 60")
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                        "sh", "-c", command], check=True)
        try:
            while not started.exists():
                time.sleep(0.002)
            t0 = started.stat().st_mtime
            shell = int(subprocess.run(["tmux", "display", "-p", "-t", session, "#{pane_pid}"],
                                       capture_output=True, text=True).stdout)
            while True:
                screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                        capture_output=True, text=True).stdout
                if "└" in screen:
                    return time.time() - t0, cpu_seconds(shell)
                if time.time() - t0 > 30:
                    raise RuntimeError("no picture after 30 s:\n" + screen)
                time.sleep(0.005)
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


async def redraws(expression: str, steps: int, presses: int,
                  key: str = "right") -> tuple[list[float], list[float]]:
    """(wall, CPU) seconds from pressing ``key`` to the new picture on the pilot's screen, per
    press. The pilot's wall time includes its own fixed waits (see the no-op key's row); the
    CPU time is the work the explorer and Textual do, the latency on an idle core."""
    from lrtool.backends.numpy_backend import NumpyBackend
    from lrtool.explore.app import ExploreApp
    from lrtool.explore.state import initial_state
    from lrtool.spec import parse
    from lrtool.steps import Steps

    state = initial_state([parse(expression)], Steps.span(0, steps), NumpyBackend())
    app = ExploreApp(state, "numpy")
    wall, cpu = [], []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for i in range(presses):
            pressed = {"right": "right" if i % 2 == 0 else "left"}.get(key, key)  # back and forth
            start, start_cpu = time.perf_counter(), time.process_time()
            await pilot.press(pressed)
            await pilot.pause()  # the screen refreshed
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    if shutil.which("tmux") is None:
        print("tmux is needed: apt-get install tmux", file=sys.stderr)
        return 2
    failed = False
    with tempfile.TemporaryDirectory() as hidden:
        (Path(hidden) / "tensorflow.py").write_text(
            "raise ModuleNotFoundError(\"No module named 'tensorflow'\", name='tensorflow')\n")
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in FIRST_GOALS}
        for _ in range(runs):
            times["numpy only"].append(first_picture(Path(hidden)))
            times["TensorFlow installed"].append(first_picture(None))
    load = os.getloadavg()[0]
    print(f"first picture, 120x40 tmux pane, median of {runs} ({os.cpu_count()} cores, load"
          f" average {load:.1f} at the end: a busy machine slows both alike):")
    for name, goal in FIRST_GOALS.items():
        median = statistics.median(wall for wall, _ in times[name])
        cpu = statistics.median(cpu for _, cpu in times[name])
        failed |= median >= goal
        print(f"  {name:<22} {median:6.3f} s  (goal < {goal} s; {median / goal:.2f} of it)"
              f"  CPU {cpu:.3f} s")

    sys.path.insert(0, str(ROOT))
    print(f"redraw after a key, 120x40, NumPy, median of {2 * runs} presses (CPU, and wall in"
          " the test pilot):")
    worst = 0.0
    wall, cpu = asyncio.run(redraws(SCHEDULES[0], 10**3, 2 * runs, key="x"))
    print(f"  {'a key bound to nothing':<44}  {1000 * statistics.median(cpu):5.1f} ms CPU"
          f"  {1000 * statistics.median(wall):5.1f} ms wall (the pilot's own waits)")
    for expression in SCHEDULES:
        for steps in (10**3, 10**9):
            for key in ("right", "full_stop"):
                wall, cpu = asyncio.run(redraws(expression, steps, 2 * runs, key))
                median = statistics.median(cpu)
                worst = max(worst, median)
                what = "Right" if key == "right" else "cursor"
                print(f"  {expression.split('(')[0]:<23} {steps:>13,} steps {what:<6}"
                      f"  {1000 * median:5.1f} ms CPU  {1000 * statistics.median(wall):5.1f} ms wall")
    failed |= worst >= REDRAW_GOAL
    print(f"  worst {1000 * worst:.1f} ms CPU (goal < {1000 * REDRAW_GOAL:.0f} ms;"
          f" {worst / REDRAW_GOAL:.2f} of it)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
