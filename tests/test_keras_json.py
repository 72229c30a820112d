"""Keras JSON both ways, through real Keras: what lrtool writes deserializes to the same values."""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np
import pytest

from lrtool import keras_json
from lrtool.schedules import REGISTRY, Schedule, ScheduleError
from lrtool.spec import parse

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SCHEDULES = [
    "ExponentialDecay(0.1, 100000, 0.96, staircase=True)",
    "ExponentialDecay(2, 10, 3)",
    "PiecewiseConstantDecay([100000, 110000], [1.0, 0.5, 0.1])",
    "PiecewiseConstantDecay([10.5, 20], [3, 2, 1])",
    "PolynomialDecay(0.1, 10000, 0.01, power=0.5)",
    "PolynomialDecay(5, 10, 1, 2, cycle=True)",
    "InverseTimeDecay(0.1, 1.0, 0.5)",
    "InverseTimeDecay(1, 3, 2)",
    "CosineDecay(0.0, 1000, warmup_target=0.1, warmup_steps=1000)",
    "CosineDecay(1, 10, alpha=0.25)",
    "CosineDecayRestarts(0.1, 1000, t_mul=1.5, m_mul=0.8, alpha=0.01)",
    "CosineDecayRestarts(1, 10, t_mul=1.0)",
]
STEPS = [0, 1, 2, 9, 10, 11, 999, 1000, 1001, 5000, 100001, 110001, 2**24 + 1]


@pytest.fixture(scope="module")
def keras() -> Any:
    from lrtool.backends import resolve

    resolve("tensorflow")  # sets KERAS_BACKEND before Keras is imported; must not skip
    import keras

    return keras


def scalar_values(obj: Any, steps: list[int]) -> np.ndarray:
    import tensorflow as tf

    return np.array([obj(tf.constant(s, dtype=tf.int64)).numpy() for s in steps])


@pytest.mark.parametrize("text", SCHEDULES)
def test_our_json_is_what_keras_serialize_writes(keras: Any, text: str) -> None:
    schedule = parse(text)
    real = getattr(keras.optimizers.schedules, schedule.keras_name)(**schedule.arguments())
    ours = json.loads(keras_json.dumps(schedule))
    assert ours == json.loads(json.dumps(keras.optimizers.schedules.serialize(real)))


@pytest.mark.parametrize("text", SCHEDULES)
def test_keras_deserializes_our_json_to_the_same_values(keras: Any, text: str) -> None:
    schedule = parse(text)
    restored = keras.optimizers.schedules.deserialize(json.loads(keras_json.dumps(schedule)))
    expected = schedule.formula(np.array(STEPS, dtype=np.int64))
    got = scalar_values(restored, STEPS)
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64), rtol=1e-6)


@pytest.mark.parametrize("text", SCHEDULES)
def test_keras_json_reads_back_to_the_same_schedule(keras: Any, text: str) -> None:
    schedule = parse(text)
    real = getattr(keras.optimizers.schedules, schedule.keras_name)(**schedule.arguments())
    for document in (
        keras.optimizers.schedules.serialize(real),
        {"class_name": schedule.keras_name, "config": real.get_config()},  # the older form
        keras.optimizers.SGD(learning_rate=real).get_config(),
        keras.optimizers.serialize(keras.optimizers.Adam(learning_rate=real)),
    ):
        again = keras_json.loads(json.dumps(document))
        assert repr(again.arguments()) == repr(schedule.arguments())


def test_keras_2_config_with_null_name_and_missing_new_keys() -> None:
    document = {"class_name": "CosineDecay", "config": {
        "initial_learning_rate": 0.1, "decay_steps": 1000, "alpha": 0.0, "name": None}}
    schedule = keras_json.from_keras(document)
    assert schedule == REGISTRY["CosineDecay"](0.1, 1000)
    # A model's compile config holding the optimizer holding the schedule.
    model = {"compile_config": {"optimizer": {"class_name": "SGD", "config": {
        "learning_rate": document, "momentum": 0.9}}, "loss": "mse"}}
    assert keras_json.from_keras(model) == schedule


@pytest.mark.parametrize("document, fragment", [
    ({"class_name": "LinearWarmup", "config": {"initial_learning_rate": 0.1}},
     "unknown schedule class 'LinearWarmup'"),
    ({"module": None, "class_name": "MySchedule", "config": {}, "registered_name": "my>Sched"},
     "custom schedule"),
    ({"name": "adam", "learning_rate": 0.001}, "constant 0.001"),
    ({"class_name": "Adam", "config": {"beta_1": 0.9}}, "no learning rate schedule"),
    ([1, 2, 3], "no learning rate schedule"),
    ({"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1,
                                                   "decay_steps": 10}}, "needs the argument"),
    ({"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1,
      "decay_steps": 10, "decay_rate": 0.5, "decay": 3}}, "has no argument 'decay'"),
    ({"class_name": "ExponentialDecay", "config": [0.1]}, '"config" of ExponentialDecay'),
    ({"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1,
      "decay_steps": 10, "decay_rate": 0.5, "name": 7}}, "string or null"),
])
def test_bad_json_is_a_clear_error(document: Any, fragment: str) -> None:
    with pytest.raises(ScheduleError) as info:
        keras_json.loads(json.dumps(document))
    assert fragment in info.value.message
    assert "\n" not in info.value.message


def test_nan_in_json_is_refused() -> None:
    text = ('{"class_name": "ExponentialDecay", "config": {"initial_learning_rate": NaN,'
            ' "decay_steps": 10, "decay_rate": 0.5}}')
    with pytest.raises(ScheduleError, match="finite"):
        keras_json.loads(text)


def test_int_spelling_survives_the_round_trip() -> None:
    schedule = parse("InverseTimeDecay(1, 3, 2)")
    text = keras_json.dumps(schedule)
    assert '"initial_learning_rate": 1,' in text
    assert isinstance(keras_json.loads(text).initial_learning_rate, int)


def every_schedule() -> list[Schedule]:
    return [cls.from_arguments(cls.example) for cls in REGISTRY.values()]


def test_every_example_round_trips() -> None:
    for schedule in every_schedule():
        assert keras_json.loads(keras_json.dumps(schedule)) == schedule
