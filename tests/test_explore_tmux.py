"""``lrtool explore`` in a real pseudo-terminal (tmux): the first picture appears, keys reach
it, and ``q`` gives the terminal back and prints the schedule for the next command to read.

tmux is required, never skipped: ``.ci/run`` installs it when missing.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture()
def tmux(tmp_path: Path) -> Iterator[Callable[[str], Callable[..., str]]]:
    """Start a shell command in a detached 120x40 tmux session; gives its screen reader."""
    assert shutil.which("tmux"), "tmux is needed (apt-get install tmux; .ci/run installs it)"
    name = f"lrtool-test-{os.getpid()}-{tmp_path.name}"
    socket = ["-L", name]  # a server of our own: no other session is touched

    def start(command: str) -> Callable[..., str]:
        env = (f"PYTHONPATH={shlex.quote(str(ROOT))} TF_CPP_MIN_LOG_LEVEL=3"
               f" PATH={shlex.quote(str(Path(sys.executable).parent))}:$PATH")
        script = tmp_path / "run.sh"
        script.write_text(f"cd {shlex.quote(str(tmp_path))}\n{env} {command}\n"
                          f"echo \"exit=$?\" > {tmp_path / 'done'}\nsleep 600\n")
        subprocess.run(["tmux", *socket, "new-session", "-d", "-s", name, "-x", "120", "-y", "40",
                        "sh", str(script)], check=True)

        def screen(*keys: str) -> str:
            if keys:
                subprocess.run(["tmux", *socket, "send-keys", "-t", name, *keys], check=True)
            return subprocess.run(["tmux", *socket, "capture-pane", "-p", "-t", name],
                                  capture_output=True, text=True, check=True).stdout

        return screen

    yield start
    subprocess.run(["tmux", "-L", name, "kill-server"], capture_output=True)


def wait(what: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def lrtool() -> str:
    return f"{shlex.quote(sys.executable)} -m lrtool"


def test_first_picture_keys_and_q_restoring_the_screen(tmux: Callable, tmp_path: Path) -> None:
    screen = tmux(f"{lrtool()} explore 'CosineDecay(0.1, 1000)' > out.txt")
    wait(lambda: "└" in screen())
    first = screen()
    assert "CosineDecay(initial_learning_rate=0.1, decay_steps=1000)" in first
    assert "decay_steps" in first and "steps 0–" in first
    screen("Down", "Right")
    wait(lambda: "1500" in screen())
    screen("q")
    wait(lambda: (tmp_path / "done").exists())
    assert (tmp_path / "done").read_text().strip() == "exit=0"
    assert (tmp_path / "out.txt").read_text() == \
        "CosineDecay(initial_learning_rate=0.1, decay_steps=1500)\n"
    after = screen()
    assert "└" not in after and "decay_steps" not in after  # the terminal is given back


def test_the_printed_schedule_feeds_the_next_command(tmux: Callable, tmp_path: Path) -> None:
    screen = tmux(f"{lrtool()} csv \"$({lrtool()} explore 'ExponentialDecay(0.1, 10, 0.5)')\""
                  " --steps 3 > lr.csv")
    wait(lambda: "└" in screen())
    screen("s")  # staircase on
    wait(lambda: "staircase=True" in screen())
    screen("q")
    wait(lambda: (tmp_path / "done").exists())
    assert (tmp_path / "lr.csv").read_text().splitlines() == ["step,lr", "0,0.1", "1,0.1", "2,0.1"]


def test_esc_prints_nothing_and_ctrl_c_exits_130(tmux: Callable, tmp_path: Path) -> None:
    screen = tmux(f"{lrtool()} explore 'InverseTimeDecay(0.1, 100, 0.5)' > out.txt;"
                  f" echo \"esc=$?\" > esc; {lrtool()} explore > out2.txt")
    wait(lambda: "└" in screen())
    screen("Escape")
    wait(lambda: (tmp_path / "esc").exists())
    assert (tmp_path / "esc").read_text().strip() == "esc=0"
    assert (tmp_path / "out.txt").read_text() == ""
    wait(lambda: "└" in screen())
    screen("C-c")
    wait(lambda: (tmp_path / "done").exists())
    assert (tmp_path / "done").read_text().strip() == "exit=130"
    assert (tmp_path / "out2.txt").read_text() == ""
