"""transformers' WarmUp, known to lrtool without transformers: bit for bit against a copy of
transformers' own class (``tests/transformers_warmup.py``), in every form a user has it in.

``tests/test_exactness.py`` measures it in ``model.fit`` too (configs W1-W4), and the registry
tests (shape, parity, first unusable step) draw it with any other schedule inside.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from lrtool import keras_json, shape
from lrtool.backends import resolve
from lrtool.backends.tensorflow_backend import MAX_TRACED_BOUNDARIES, TensorFlowBackend
from lrtool.schedules import (
    OpaqueSchedule, PiecewiseConstantDecay, PolynomialDecay, ScheduleError, WarmUp,
)
from lrtool.spec import Reader, parse
from tests.conftest import run
from tests.fitloop import max_ulp
from tests.strategies import schedules
from tests.transformers_warmup import reference_object

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CREATE_OPTIMIZER = """
from transformers import WarmUp
import tensorflow as tf

init_lr, num_train_steps, num_warmup_steps = 5e-5, 10_000, 1_000
lr_schedule = tf.keras.optimizers.schedules.PolynomialDecay(
    initial_learning_rate=init_lr,
    decay_steps=num_train_steps - num_warmup_steps,
    end_learning_rate=init_lr * 0.0,
    power=1.0,
)
if num_warmup_steps:
    lr_schedule = WarmUp(
        initial_learning_rate=init_lr,
        decay_schedule_fn=lr_schedule,
        warmup_steps=num_warmup_steps,
    )
optimizer = tf.keras.optimizers.Adam(learning_rate=lr_schedule)
"""
EXPECTED = WarmUp(5e-5, PolynomialDecay(5e-5, 9000, 0.0, 1.0), 1000)


@pytest.fixture(scope="module")
def graph():  # type: ignore[no-untyped-def]
    backend = resolve("tensorflow", "graph")  # must not skip: CI installs TensorFlow
    assert backend.name == "tensorflow"
    return backend


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # a TF trace per example: no shrinking
@given(data=st.data(), start=st.one_of(st.integers(0, 5000), st.integers(0, 2**34)),
       count=st.integers(1, 64))
def test_graph_values_are_transformers_own(graph, data: st.DataObject, start: int,  # type: ignore[no-untyped-def]
                                           count: int) -> None:
    """lrtool's TensorFlow path and its NumPy formula against transformers' class, run the way
    model.fit's default graph runs it."""
    schedule = data.draw(schedules("WarmUp"))
    steps = np.arange(start, start + count, dtype=np.int64)
    if data.draw(st.booleans()):  # around the end of the warmup
        steps = np.arange(max(0, schedule.warmup_steps - count // 2),
                          schedule.warmup_steps + count // 2 + 1, dtype=np.int64)
    theirs = graph.evaluate(OpaqueSchedule(reference_object(schedule)), steps)
    assert max_ulp(graph.evaluate(schedule, steps), theirs) == 0, schedule.label()
    assert max_ulp(resolve("numpy", "graph").evaluate(schedule, steps), theirs) == 0, \
        schedule.label()


def test_every_form_reads_the_same_schedule(tmp_path: Path) -> None:
    inner = {"initial_learning_rate": 5e-5, "decay_steps": 9000, "end_learning_rate": 0.0,
             "power": 1.0, "cycle": False, "name": "PolynomialDecay"}
    old = {"class_name": "WarmUp", "config": {
        "initial_learning_rate": 5e-5, "warmup_steps": 1000, "power": 1.0, "name": None,
        "decay_schedule_fn": {"class_name": "PolynomialDecay", "config": inner}}}
    forms = [
        CREATE_OPTIMIZER,
        "WarmUp(initial_learning_rate=5e-5, decay_schedule_fn=PolynomialDecay(5e-5, 9000, 0.0),"
        " warmup_steps=1000)",
        "transformers.WarmUp(5e-5, keras.optimizers.schedules.PolynomialDecay(5e-5, 10_000 -"
        " 1000, 0.0), 1000)",
        keras_json.dumps(EXPECTED),
        json.dumps(old),
        json.dumps({"module": "keras.optimizers", "class_name": "Adam",
                    "config": {"learning_rate": keras_json.to_keras(EXPECTED)}}),
    ]
    for text in forms:
        assert parse(text) == EXPECTED, text
    reader = Reader()
    assert reader.parse(CREATE_OPTIMIZER) == EXPECTED and reader.notes == []  # one schedule shown


def test_config_round_trips_and_names_transformers(tmp_path: Path) -> None:
    out = run("config", "WarmUp(5e-5, PolynomialDecay(5e-5, 9000, 0.0), 1000, power=2.0)")
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    assert (document["module"], document["class_name"]) == ("transformers.optimization_tf",
                                                            "WarmUp")
    assert document["config"]["decay_schedule_fn"]["class_name"] == "PolynomialDecay"
    assert keras_json.loads(out.stdout) == WarmUp(5e-5, PolynomialDecay(5e-5, 9000, 0.0), 1000,
                                                  power=2.0)
    path = tmp_path / "warmup.json"
    path.write_bytes(out.stdout)
    table = run("table", str(path), "--at", "0,500,1000,10000", "--backend", "numpy")
    assert table.returncode == 0, table.stderr
    assert [line.split()[1] for line in table.stdout.decode().splitlines()[3:7]] == [
        "0.0", "1.25e-05", "5e-05", "0.0"]


@pytest.mark.parametrize("text, message", [
    ("WarmUp(1e-4, 0.5, 1000)", "decay_schedule_fn must be a schedule"),
    ("WarmUp(1e-4, PolynomialDecay(1e-4, 9000), 1000.5)", "warmup_steps must be a whole number"),
    ("WarmUp(1e-4, PolynomialDecay(1e-4, 9000), -1)", "warmup_steps must be between 0"),
    ("WarmUp(1e-4, ExponentialDecay(1, 10, 0.5), 10)", "returns float64"),
    ("WarmUp(1e-4, CustomSchedule(512), 10)", "not a call to CustomSchedule()"),
    ("WarmUp(1e-4, warmup_steps=10)", "needs the argument 'decay_schedule_fn'"),
])
def test_bad_arguments_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(ScheduleError) as info:
        parse(text)
    assert message in f"{info.value.argument} {info.value.message}"


def test_cli_error_is_one_line_exit_2() -> None:
    out = run("table", "WarmUp(1e-4, PolynomialDecay(1e-4, 9000), 1000.5)")
    assert out.returncode == 2
    assert out.stderr.decode().count("\n") == 1 and b"warmup_steps" in out.stderr


def test_edges_are_the_warmup_end_and_the_inner_ones_shifted() -> None:
    schedule = parse("WarmUp(0.1, PiecewiseConstantDecay([100, 200], [0.1, 0.05, 0.01]), 50)")
    assert shape.edges(schedule, 0, 10**9, 100) == [50, 151, 251]
    far = WarmUp(0.1, PolynomialDecay(0.1, 1000), 2**24 + 5)  # float32 rounds it to 2**24 + 4
    assert far.end() == 2**24 + 3  # the first step whose float32 is not below it
    lo = 2**24 - 100
    steps = np.arange(lo, lo + 1300, dtype=np.int64)
    values = far.formula(steps)
    found = shape.edges(far, lo, lo + 1299, 10**6)
    assert found[:3] == [2**24 + 3, 2**24 + 4, 2**24 + 5]
    bounds = [lo, *found, lo + 1300]
    for a, b in zip(bounds, bounds[1:]):  # monotone between edges
        d = np.diff(values[a - lo : b - lo])
        assert np.all(d <= 0) or np.all(d >= 0)


@pytest.mark.parametrize("backend", ["numpy", "tensorflow"])
def test_a_billion_steps_plot_and_table(backend: str, tmp_path: Path) -> None:
    text = "WarmUp(1e-4, PolynomialDecay(1e-4, 5e8, 0.0, power=2.0), 1e8)"
    text = text.replace("1e8", str(10**8))
    table = run("table", text, "--steps", "1e9", "--rows", "12", "--backend", backend)
    assert table.returncode == 0, table.stderr
    rows = {int(line.split()[0]): float(line.split()[1])
            for line in table.stdout.decode().splitlines()[3:15]}
    end = 10**8 - 4  # the first step whose float32 is not below 1e8: the warmup ends there
    assert parse(text).end() == end
    assert rows[end] == pytest.approx(1e-4) and rows[end - 1] < 1e-4
    if backend == "tensorflow":
        return  # the plots ask the same engine for the same steps
    image = run("plot", text, "--steps", "1e9", "-o", str(tmp_path / "w.png"), "--backend",
                backend)
    assert image.returncode == 0, image.stderr
    assert (tmp_path / "w.png").stat().st_size > 1000
    terminal = run("plot", text, "--steps", "1e9", "--backend", backend)
    assert terminal.returncode == 0 and b"sampled" not in terminal.stdout + terminal.stderr


def test_works_without_tensorflow(no_tensorflow_dir: Path) -> None:
    out = run("table", CREATE_OPTIMIZER, "--at", "0,999,1000,9999", no_tf_dir=no_tensorflow_dir)
    assert out.returncode == 0, out.stderr
    assert b"backend: numpy" in out.stdout


def staircase(boundaries: int) -> PiecewiseConstantDecay:
    """A PiecewiseConstantDecay with this many boundaries, every value its own."""
    return PiecewiseConstantDecay(tuple(range(boundaries)),
                                  tuple(0.1 / (i + 1) for i in range(boundaries + 1)))


@pytest.mark.parametrize("boundaries, depth, traced", [
    (MAX_TRACED_BOUNDARIES + 1, 1, False), (MAX_TRACED_BOUNDARIES + 1, 2, False), (3, 1, True)])
def test_boundaries_past_the_limit_inside_a_warmup_are_not_traced(  # type: ignore[no-untyped-def]
        graph, monkeypatch: pytest.MonkeyPatch, boundaries: int, depth: int, traced: bool) -> None:
    """Tracing a million boundaries takes minutes: inside a WarmUp (at any depth) as alone,
    the formula answers for the schedule, the numpy backend's bits."""
    schedule: object = staircase(boundaries)
    for _ in range(depth):
        schedule = WarmUp(1e-3, schedule, warmup_steps=5)
    calls: list[object] = []
    function = TensorFlowBackend._function
    monkeypatch.setattr(TensorFlowBackend, "_function",
                        lambda self, s: calls.append(s) or function(self, s))
    steps = np.arange(0, MAX_TRACED_BOUNDARIES + 50, dtype=np.int64)
    ours = graph.evaluate(schedule, steps)
    assert bool(calls) is traced
    assert ours.tobytes() == resolve("numpy", "graph").evaluate(schedule, steps).tobytes()


def test_csv_of_a_warmup_around_many_boundaries_matches_numpy(tmp_path: Path) -> None:
    inner = staircase(100_000)
    path = tmp_path / "w.json"
    path.write_text(json.dumps(keras_json.to_keras(WarmUp(0.1, inner, warmup_steps=1))))
    tensorflow = run("csv", str(path), "--steps", "3", "--backend", "tensorflow")
    numpy = run("csv", str(path), "--steps", "3", "--backend", "numpy")
    assert tensorflow.returncode == 0, tensorflow.stderr
    assert tensorflow.stdout == numpy.stdout
    assert tensorflow.stdout.splitlines()[1:] == [b"0,0.0", b"1,0.1", b"2,0.05"]
