"""SCHEDULE arguments end to end: expressions and Keras JSON in, several schedules, config out."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import run

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

COSINE = "CosineDecay(1e-3, decay_steps=10000, warmup_target=1e-2, warmup_steps=500)"
PIECEWISE = "PiecewiseConstantDecay([1000, 5000], [1e-2, 1e-3, 1e-4])"


@pytest.fixture(scope="module")
def keras() -> Any:
    from lrtool.backends import resolve

    resolve("tensorflow")  # must not skip: CI installs TensorFlow
    import keras

    return keras


def csv_rows(result: subprocess.CompletedProcess[bytes]) -> list[list[str]]:
    assert result.returncode == 0, result.stderr.decode()
    return [line.split(",") for line in result.stdout.decode().splitlines()]


def keras_values(obj: Any, steps: list[int]) -> list[str]:
    import tensorflow as tf

    return [str(obj(tf.constant(s, dtype=tf.int64)).numpy()) for s in steps]


def test_piecewise_expression_drops_after_each_boundary() -> None:
    rows = csv_rows(run("csv", PIECEWISE, "--at", "0,1000,1001,5000,5001"))
    assert rows == [["step", "lr"], ["0", "0.01"], ["1000", "0.01"], ["1001", "0.001"],
                    ["5000", "0.001"], ["5001", "1e-04"]]


@pytest.mark.parametrize("prefix", ["", "keras.optimizers.schedules.", "tf.keras.optimizers.schedules."])
def test_table_takes_the_expression_as_written_in_code(prefix: str) -> None:
    result = run("table", prefix + COSINE, "--steps", "12000", "--backend", "numpy")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "CosineDecay(initial_learning_rate=0.001, decay_steps=10000" in out
    assert re.search(r"^\s+500\s+0\.01\s*$", out, re.M)  # the warmup peak is a kept row


def test_tensorflow_and_numpy_agree_within_a_millionth_for_cosine(keras: Any) -> None:
    tf_rows = csv_rows(run("csv", COSINE, "--steps", "12000", "--every", "7"))
    np_rows = csv_rows(run("csv", COSINE, "--steps", "12000", "--every", "7", "--backend", "numpy"))
    a = np.array([float(r[1]) for r in tf_rows[1:]])
    b = np.array([float(r[1]) for r in np_rows[1:]])
    assert np.allclose(a, b, rtol=1e-6, atol=0)


def test_optimizer_config_json_file(tmp_path: Path, keras: Any) -> None:
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 1000, 0.5, staircase=True)
    optimizer = keras.optimizers.Adam(learning_rate=schedule)
    path = tmp_path / "optimizer.json"
    path.write_text(json.dumps(keras.optimizers.serialize(optimizer)))
    steps = [0, 999, 1000, 54321]
    rows = csv_rows(run("csv", str(path), "--at", ",".join(map(str, steps))))
    assert [r[1] for r in rows[1:]] == keras_values(schedule, steps)


def test_keras2_config_with_null_name_from_stdin() -> None:
    doc = {"class_name": "ExponentialDecay",
           "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.9, "name": None}}
    result = run("csv", "-", "--steps", "2", "--backend", "numpy", input=json.dumps(doc).encode())
    assert csv_rows(result) == [["step", "lr"], ["0", "0.1"], ["1", "0.09895193"]]


def test_several_schedules_get_one_column_each() -> None:
    rows = csv_rows(run("csv", "InverseTimeDecay(0.1, 1000, 0.5)", "ExponentialDecay(0.1, 1000, 0.5)",
                        "ExponentialDecay(0.1, 1000, 0.9)", "--steps", "2", "--backend", "numpy"))
    assert rows[0] == ["step", "InverseTimeDecay", "ExponentialDecay(decay_rate=0.5)",
                       "ExponentialDecay(decay_rate=0.9)"]
    assert rows[1] == ["0", "0.1", "0.1", "0.1"]
    table = run("table", "InverseTimeDecay(0.1, 1000, 0.5)", "ExponentialDecay(0.1, 1000, 0.5)",
                "--steps", "3", "--backend", "numpy").stdout.decode()
    assert "ExponentialDecay: ExponentialDecay(initial_learning_rate=0.1" in table


def test_several_schedules_overlay_in_one_panel(tmp_path: Path) -> None:
    out = tmp_path / "compare.svg"
    result = run("plot", "InverseTimeDecay(0.1, 1000, 0.5)", "ExponentialDecay(0.1, 1000, 0.5)",
                 "-o", str(out), "--backend", "numpy")
    assert result.returncode == 0, result.stderr
    svg = out.read_text()
    assert len(re.findall(r'<g id="axes_\d+"', svg)) == 1
    assert "InverseTimeDecay" in svg and "ExponentialDecay" in svg  # the legend


def test_single_schedule_with_staircase_keeps_both_panels_and_both_columns(tmp_path: Path) -> None:
    out = tmp_path / "exp.svg"
    spec = "ExponentialDecay(0.1, 1000, 0.5)"
    assert run("plot", spec, "-o", str(out), "--backend", "numpy").returncode == 0
    assert len(re.findall(r'<g id="axes_\d+"', out.read_text())) == 2
    rows = csv_rows(run("csv", spec, "--both", "--at", "999,1000", "--backend", "numpy"))
    assert rows[0] == ["step", "continuous", "staircase"]
    assert rows[1][2] == "0.1" and rows[2][2] == "0.05"


def test_config_round_trips_through_keras(tmp_path: Path, keras: Any) -> None:
    result = run("config", "--decay-steps", "1000", "--decay-rate", "0.5", "--staircase")
    assert result.returncode == 0
    schedule = keras.optimizers.schedules.deserialize(json.loads(result.stdout))
    assert type(schedule).__name__ == "InverseTimeDecay"
    steps = [0, 999, 1000, 5000]
    path = tmp_path / "schedule.json"
    path.write_bytes(result.stdout)
    rows = csv_rows(run("csv", str(path), "--at", ",".join(map(str, steps))))
    assert [r[1] for r in rows[1:]] == keras_values(schedule, steps)


@pytest.mark.parametrize("spec", [COSINE, PIECEWISE, "PolynomialDecay(0.1, 1000, 0.01, power=0.5, cycle=True)",
                                  "CosineDecayRestarts(0.1, 1000, t_mul=1.5, m_mul=0.8, alpha=0.01)"])
def test_config_of_an_expression_deserializes_to_the_same_values(spec: str, keras: Any) -> None:
    result = run("config", spec)
    schedule = keras.optimizers.schedules.deserialize(json.loads(result.stdout))
    steps = [0, 1, 500, 1001, 5001, 9000]
    rows = csv_rows(run("csv", spec, "--at", ",".join(map(str, steps))))
    assert [r[1] for r in rows[1:]] == keras_values(schedule, steps) or np.allclose(
        [float(r[1]) for r in rows[1:]], [float(v) for v in keras_values(schedule, steps)], rtol=1e-6)


@pytest.mark.parametrize("args, fragment", [
    (["Foo(1)"], "unknown schedule 'Foo'"),
    (["CosineDecay(1e-3)"], "'decay_steps'"),
    (["CosineDecay(1e-3, 1000, foo=2)"], "'foo'"),
    (["PiecewiseConstantDecay([5000, 1000], [1e-2, 1e-3, 1e-4])"], "boundaries"),
    (["PiecewiseConstantDecay([1000], [1e-2, 1e-3, 1e-4])"], "values"),
    (["ExponentialDecay(0.1, 0, 0.5)"], "decay_steps"),
    (["ExponentialDecay(0.1, 1000, float('nan'))"], "SCHEDULE"),
    (["ExponentialDecay(0.1, 1000, 0.5)", "--decay-steps", "5"], "--decay-steps"),
    (["CosineDecay(1e-3, 1000)", "--both"], "--both"),
    (["ExponentialDecay(0.1, 1000, 0.5)", "CosineDecay(1e-3, 1000)", "--both"], "--both"),
    (["no/such/file.json"], "SCHEDULE"),
    (["-", "-"], "standard input"),
])
def test_bad_schedules_are_one_line_exit_2(args: list[str], fragment: str) -> None:
    result = run("table", *args, "--backend", "numpy", input=b"")
    assert result.returncode == 2
    err = result.stderr.decode()
    assert "Traceback" not in err
    (last,) = err.strip().splitlines()  # one line, not click's usage and help lines too
    assert last.startswith("Error:") and fragment in last


def test_code_in_an_expression_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    spec = f'__import__("os").system("touch {marker}")'
    for command in ("table", "csv", "plot", "config"):
        result = run(command, spec)
        assert result.returncode == 2 and b"Traceback" not in result.stderr
    assert not marker.exists()


def test_config_takes_one_schedule() -> None:
    result = run("config", "CosineDecay(1e-3, 1000)", "CosineDecay(1e-3, 2000)")
    assert result.returncode == 2 and b"one schedule" in result.stderr


def test_surprises_are_warnings_not_errors() -> None:
    result = run("csv", "InverseTimeDecay(1, 1000, 0.5)", "--steps", "3", "--backend", "numpy")
    assert result.returncode == 0
    assert result.stderr.decode().startswith("Warning: initial_learning_rate is the integer 1")
    result = run("csv", "CosineDecay(1e-2, 1000, warmup_target=1e-3, warmup_steps=10)", "--steps", "3",
                 "--backend", "numpy")
    assert result.returncode == 0 and b"warmup_target" in result.stderr


def test_schedules_work_without_tensorflow(no_tensorflow_dir: Path) -> None:
    result = run("table", COSINE, "--steps", "12000", no_tf_dir=no_tensorflow_dir)
    assert result.returncode == 0 and "backend: numpy" in result.stdout.decode()
