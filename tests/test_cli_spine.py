"""table and csv as a user runs them: output, sampling, backends, errors and pipes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, _env, run


def lines(result: subprocess.CompletedProcess[bytes]) -> list[str]:
    return result.stdout.decode().splitlines()


# --- table ---------------------------------------------------------------------------------

def test_table_shows_the_seed_example() -> None:
    result = run("table", "--initial-learning-rate", "0.1", "--decay-steps", "1",
                 "--decay-rate", "0.5", "--steps", "5", "--backend", "numpy")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    for step, value in enumerate(["0.1", "0.06666667", "0.05", "0.04", "0.033333335"]):
        assert any(line.split() == [str(step), value] for line in out.splitlines())
    assert "InverseTimeDecay(initial_learning_rate=0.1, decay_steps=1, decay_rate=0.5)" in out
    assert "backend: numpy" in out
    assert "\x1b[" not in out  # piped: no ANSI codes
    assert result.stderr == b""


def test_bare_table_is_meaningful() -> None:
    result = run("table", "--backend", "numpy")
    assert result.returncode == 0
    assert "0.06666667" in result.stdout.decode()


def test_big_table_is_sampled_with_stair_edges_and_says_so() -> None:
    result = run("table", "--decay-steps", "1000", "--decay-rate", "0.5", "--steps", "100000",
                 "--staircase", "--backend", "numpy", "--rows", "20")
    out = result.stdout.decode()
    rows = [line.split() for line in out.splitlines() if line.split() and line.split()[0].isdigit()]
    assert len(rows) == 20
    assert rows[0][0] == "0" and rows[-1][0] == "99999"
    # every shown stair edge is a multiple of decay_steps, where the value has just dropped
    assert any(int(r[0]) % 1000 == 0 and int(r[0]) > 0 for r in rows)
    assert "showing 20 of 100,000 steps" in out


def test_small_edges_show_the_step_before_and_the_drop() -> None:
    result = run("table", "--decay-steps", "1000", "--decay-rate", "0.5", "--steps", "3000",
                 "--staircase", "--backend", "numpy")
    steps = [line.split()[0] for line in lines(result) if line.split() and line.split()[0].isdigit()]
    assert {"999", "1000", "1999", "2000"} <= set(steps)


def test_table_all_rows_and_epoch_and_both() -> None:
    result = run("table", "--decay-steps", "2", "--decay-rate", "0.5", "--steps", "50", "--all",
                 "--both", "--steps-per-epoch", "4", "--backend", "numpy")
    out = lines(result)
    header = next(line.split() for line in out if "step" in line.split())
    assert header == ["step", "epoch", "continuous", "staircase"]
    row3 = next(line.split() for line in out if line.split()[:1] == ["3"])
    assert row3[1] == "0.75"
    assert row3[2] == str(np.float32(0.1) / (np.float32(1) + np.float32(0.5) * np.float32(1.5)))
    assert row3[3] == str(np.float32(0.1) / np.float32(1.5))


def test_all_rows_has_a_limit_that_points_to_csv() -> None:
    result = run("table", "--steps", "1e6", "--all", "--backend", "numpy")
    assert result.returncode == 2
    assert "--all" in result.stderr.decode() and "lrtool csv" in result.stderr.decode()


def test_no_color_and_plain_when_piped_even_if_forced_terminal() -> None:
    result = run("table", "--steps", "3", "--backend", "numpy", NO_COLOR="1", FORCE_COLOR="")
    assert b"\x1b[" not in result.stdout


# --- csv -----------------------------------------------------------------------------------

def test_csv_header_values_and_line_endings() -> None:
    result = run("csv", "--steps", "5", "--backend", "numpy")
    assert result.stdout == b"step,lr\n0,0.1\n1,0.06666667\n2,0.05\n3,0.04\n4,0.033333335\n"


def test_csv_both_with_epoch() -> None:
    result = run("csv", "--decay-steps", "2", "--steps", "3", "--both", "--steps-per-epoch", "2",
                 "--backend", "numpy")
    assert lines(result) == [
        "step,epoch,continuous,staircase",
        "0,0.0,0.1,0.1",
        "1,0.5,0.08,0.1",
        "2,1.0,0.06666667,0.06666667",
    ]


def test_csv_at_every_start() -> None:
    assert lines(run("csv", "--at", "10,0", "--at", "5", "--backend", "numpy"))[1:] == [
        "0,0.1", "5,0.028571429", "10,0.016666668"]
    assert [l.split(",")[0] for l in lines(run("csv", "--steps", "10", "--start", "2",
                                               "--every", "3", "--backend", "numpy"))[1:]] == [
        "2", "5", "8"]


def test_csv_million_steps_matches_numpy_float32_everywhere(tmp_path: Path) -> None:
    out = tmp_path / "lr.csv"
    result = run("csv", "--decay-steps", "1000", "--decay-rate", "0.5", "--steps", "1e6",
                 "-o", str(out), "--backend", "numpy")
    assert result.returncode == 0 and result.stdout == b""
    data = np.loadtxt(out, delimiter=",", skiprows=1, dtype=np.float64)
    assert data.shape == (10**6, 2)
    steps = np.arange(10**6)
    f = np.float32
    # What model.fit applies by default: its graph folds the constants, 1 + step * (0.5 / 1000).
    expected = f(0.1) / (f(1) + steps.astype(f) * (f(0.5) * (f(1) / f(1000))))
    assert np.array_equal(data[:, 0], steps)
    assert np.array_equal(data[:, 1].astype(np.float32), expected)
    eager = run("csv", "--decay-steps", "1000", "--decay-rate", "0.5", "--steps", "1e6",
                "-o", str(out), "--backend", "numpy", "--run-eagerly")
    assert eager.returncode == 0
    data = np.loadtxt(out, delimiter=",", skiprows=1, dtype=np.float64)
    as_written = f(0.1) / (f(1) + f(0.5) * (steps.astype(f) / f(1000)))
    assert np.array_equal(data[:, 1].astype(np.float32), as_written)
    assert (as_written != expected).sum() > 100_000  # the two ways differ at every other step


def test_csv_awk_example_finds_the_first_step_below_threshold() -> None:
    result = subprocess.run(
        f"{sys.executable} -m lrtool csv --decay-steps 1000 --decay-rate 0.5 --steps 1e6 "
        "--backend numpy | awk -F, '$2 < 1e-3 {print $1; exit}'",
        shell=True, capture_output=True, env=_env(), cwd=ROOT,
    )
    assert result.stdout.strip() == b"198000"  # 198001 with --run-eagerly
    assert result.stderr == b""


@pytest.mark.parametrize("reader", ["head -n 3", "head -c 10", "true"])
def test_csv_into_a_closed_pipe_ends_quietly(reader: str) -> None:
    env = _env()
    assert "PYTHONUNBUFFERED" not in env  # it would hide the bug
    result = subprocess.run(
        f"{sys.executable} -m lrtool csv --steps 1e7 --backend numpy | {reader}; "
        "echo \"status=${PIPESTATUS[0]}\" >&2",
        shell=True, executable="/bin/bash", capture_output=True, env=env, cwd=ROOT, timeout=60,
    )
    assert result.stderr.decode().strip() == "status=0"


def test_table_into_a_closed_pipe_ends_quietly() -> None:
    result = subprocess.run(
        f"{sys.executable} -m lrtool table --steps 5000 --all --backend numpy | head -n 2",
        shell=True, capture_output=True, env=_env(), cwd=ROOT, timeout=120,
    )
    assert result.stderr == b""


def test_output_file_replaces_atomically(tmp_path: Path) -> None:
    out = tmp_path / "lr.csv"
    out.write_text("old\n")
    assert run("csv", "--steps", "3", "-o", str(out), "--backend", "numpy").returncode == 0
    assert out.read_text().startswith("step,lr\n0,0.1\n")
    failed = run("csv", "--steps", "3", "--decay-rate", "-1", "-o", str(out), "--backend", "numpy")
    assert failed.returncode == 2
    assert out.read_text().startswith("step,lr\n0,0.1\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lr.csv"]


# --- backends ------------------------------------------------------------------------------

def test_auto_uses_tensorflow_quietly_and_agrees_with_numpy() -> None:
    tf_run = run("csv", "--steps", "3000", "--decay-steps", "7.5", "--staircase")
    np_run = run("csv", "--steps", "3000", "--decay-steps", "7.5", "--staircase", "--backend", "numpy")
    assert tf_run.returncode == 0
    assert tf_run.stderr == b""  # no oneDNN or absl notices
    assert tf_run.stdout == np_run.stdout
    assert "backend: tensorflow" in run("table", "--steps", "3").stdout.decode()


def test_backend_from_environment() -> None:
    assert "backend: numpy" in run("table", "--steps", "3", LRTOOL_BACKEND="numpy").stdout.decode()
    bad = run("table", "--steps", "3", LRTOOL_BACKEND="torch")
    assert bad.returncode == 2 and b"--backend" in bad.stderr


def test_without_tensorflow_auto_falls_back_and_explicit_tensorflow_fails(no_tensorflow_dir: Path) -> None:
    auto = run("table", "--steps", "3", no_tf_dir=no_tensorflow_dir)
    assert auto.returncode == 0 and "backend: numpy" in auto.stdout.decode()
    explicit = run("csv", "--steps", "3", "--backend", "tensorflow", no_tf_dir=no_tensorflow_dir)
    assert explicit.returncode == 2
    message = explicit.stderr.decode().strip().splitlines()[-1]
    assert "--backend" in message and "pip install tensorflow" in message
    assert "pip install '.[tensorflow]'" in message and "lrtool[tensorflow]" not in message
    assert b"Traceback" not in explicit.stderr


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("args, option", [
    (["--decay-steps", "0"], "--decay-steps"),
    (["--decay-steps", "-5"], "--decay-steps"),
    (["--decay-rate", "nan"], "--decay-rate"),
    (["--lr", "inf"], "--initial-learning-rate"),
    (["--lr", "-0.1"], "--initial-learning-rate"),
    (["--decay-rate", "fast"], "--decay-rate"),
    (["--steps", "-3"], "--steps"),
    (["--steps", "2.5"], "--steps"),
    (["--steps", "abc"], "--steps"),
    (["--steps", "0"], "--steps"),
    (["--every", "0"], "--every"),
    (["--start", "20", "--steps", "10"], "--start"),
    (["--at", "1,,2"], "--at"),
    (["--at", "1,x"], "--at"),
    (["--at", "-1"], "--at"),
    (["--at", "5", "--steps", "10"], "--at"),
    (["--backend", "torch"], "--backend"),
    (["--steps-per-epoch", "0"], "--steps-per-epoch"),
    (["--decay-rate", "-0.5", "--steps", "10"], "step 2"),
])
@pytest.mark.parametrize("command", ["table", "csv"])
def test_bad_input_is_one_line_exit_2(command: str, args: list[str], option: str, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    extra = ["-o", str(out)] if command == "csv" else []
    result = run(command, *args, *extra)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert "Traceback" not in err
    (last,) = err.strip().splitlines()  # one line, not click's usage and help lines too
    assert last.startswith("Error:") and option in last
    assert result.stdout == b""
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_unwritable_output_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir.csv"
    result = run("csv", "--steps", "3", "-o", str(missing))
    assert result.returncode == 2 and b"does not exist" in result.stderr
    result = run("csv", "--steps", "3", "-o", str(tmp_path))
    assert result.returncode == 2 and b"is a directory" in result.stderr


def test_output_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("")
    result = run("csv", "--steps", "3", "-o", str(tmp_path / "plain" / "x.csv"))
    assert result.returncode == 2 and b"is not a directory" in result.stderr


def test_output_to_a_device_writes_through() -> None:
    result = run("csv", "--steps", "2", "--backend", "numpy", "-o", "/dev/stdout")
    assert result.returncode == 0 and result.stdout == b"step,lr\n0,0.1\n1,0.06666667\n"
