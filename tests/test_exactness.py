"""The rates lrtool prints are the ones ``model.fit`` applies, measured in Keras's training loop.

``tests/fitloop.py`` records, bit for bit, the float32 rate SGD applied at each step of a real
``model.fit``. The tensorflow backend must match it exactly in every mode (Keras's default
compile, ``run_eagerly=True``, ``jit_compile=True``), the numpy backend in the default and the
eager mode; under XLA the numpy backend stays within the distance the README states.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrtool.backends import resolve
from lrtool.backends.tensorflow_backend import ScalarOnly
from lrtool.schedules import REGISTRY, OpaqueSchedule, Schedule
from lrtool.spec import parse
from tests.fitloop import CONFIGS, MODES, applied_rates, max_ulp
from tests.strategies import schedules
from tests.transformers_warmup import reference_object

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

STEPS = {"graph": 300, "eager": 120, "xla": 150}
#: The largest distance of the numpy backend from fit under XLA (README, benchmarks/exactness.py).
XLA_NUMPY_ULP = 100
#: Eager and XLA fits are slower: one parameter set of each kind there, all of them in graph mode.
SOME = ["E2", "E5", "P3", "Y1", "Y6", "I1", "I6", "C2", "C5", "R1", "R3", "W2", "W4"]


@pytest.fixture(scope="module")
def keras() -> Any:
    resolve("tensorflow")  # must not skip: CI installs TensorFlow
    import keras as module

    return module


def keras_object(schedule: Schedule, keras: Any) -> Any:
    return reference_object(schedule)  # transformers' own code for a WarmUp


CASES = [(mode, name) for mode in MODES for name in CONFIGS if mode == "graph" or name in SOME]


@pytest.mark.parametrize("mode, name", CASES, ids=[f"{m}-{n}" for m, n in CASES])
def test_both_backends_give_what_fit_applies(keras: Any, mode: str, name: str) -> None:
    text, start = CONFIGS[name]
    schedule = parse(text)
    steps = np.arange(start, start + STEPS[mode], dtype=np.int64)
    fit = applied_rates(keras_object(schedule, keras), len(steps), start, mode)
    assert max_ulp(resolve("tensorflow", mode).evaluate(schedule, steps), fit) == 0
    distance = max_ulp(resolve("numpy", mode).evaluate(schedule, steps), fit)
    assert distance <= (XLA_NUMPY_ULP if mode == "xla" else 0), (text, mode, distance)


def test_every_registry_schedule_is_measured() -> None:
    assert {parse(text).keras_name for text, _ in CONFIGS.values()} == set(REGISTRY)


@pytest.fixture(scope="module")
def user_classes(keras: Any) -> dict[str, Any]:
    import tensorflow as tf

    class WithCond(keras.optimizers.schedules.LearningRateSchedule):
        """Branches with ops.cond: a scalar step only, as in the train step."""

        def __call__(self, step: Any) -> Any:
            s = tf.cast(step, tf.float32)
            return keras.ops.cond(s < 100.0, lambda: 0.1 * tf.cos(s / 37.0) + 0.02,
                                  lambda: 0.3 / (1.0 + s / 13.0) * tf.pow(0.97, s / 7.0))

    class WithIf(keras.optimizers.schedules.LearningRateSchedule):
        """Branches with a Python if on the step, which Keras's train step cannot convert."""

        def __call__(self, step: Any) -> Any:
            s = tf.cast(step, tf.float32)
            if s < 100.0:
                return 0.1 * tf.cos(s / 37.0) + 0.02
            return 0.3 / (1.0 + s / 13.0)

    return {"cond": WithCond, "if": WithIf}


@pytest.mark.parametrize("mode", MODES)
def test_a_users_own_schedule_gives_what_fit_applies(user_classes: dict[str, Any],
                                                     mode: str) -> None:
    schedule = OpaqueSchedule(user_classes["cond"]())
    fit = applied_rates(schedule.obj, 160, 0, mode)
    ours = resolve("tensorflow", mode).evaluate(schedule, np.arange(160, dtype=np.int64))
    assert max_ulp(ours, fit) == 0


def test_a_python_if_on_the_step_runs_only_eagerly_as_in_fit(user_classes: dict[str, Any],
                                                             keras: Any) -> None:
    schedule = OpaqueSchedule(user_classes["if"]())
    with pytest.raises(ScalarOnly, match="run_eagerly=True.*--run-eagerly"):
        resolve("tensorflow", "graph").evaluate(schedule, np.arange(3, dtype=np.int64))
    import tensorflow as tf

    with pytest.raises(tf.errors.OperatorNotAllowedInGraphError):  # fit itself fails the same way
        applied_rates(schedule.obj, 3, 0, "graph")
    fit = applied_rates(schedule.obj, 120, 0, "eager")
    ours = resolve("tensorflow", "eager").evaluate(schedule, np.arange(120, dtype=np.int64))
    assert max_ulp(ours, fit) == 0


@pytest.mark.parametrize("mode", MODES)
def test_a_value_does_not_depend_on_the_other_steps_asked_for(keras: Any, mode: str) -> None:
    """A vector call would put a step through SIMD or scalar kernels by its place in the vector."""
    schedule = parse("CosineDecayRestarts(0.1, 20.5, t_mul=1.5, m_mul=0.9, alpha=0.1)")
    backend = resolve("tensorflow", mode)
    every = backend.evaluate(schedule, np.arange(500, dtype=np.int64))
    rng = np.random.default_rng(7)
    for size in (1, 7, 8, 15, 33):
        at = np.sort(rng.choice(500, size, replace=False)).astype(np.int64)
        assert backend.evaluate(schedule, at).tobytes() == every[at].tobytes()


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), mode=st.sampled_from(["graph", "eager"]),
       start=st.sampled_from([0, 12_345, 2**24 - 40, 2**31 - 40]))
def test_numpy_equals_tensorflow_for_any_registry_schedule(data: st.DataObject, mode: str,
                                                           start: int) -> None:
    """Widening the parameter sets: both backends claim fit's values, so they agree."""
    schedule = data.draw(schedules())
    steps = np.arange(start, start + 80, dtype=np.int64)
    tensorflow = resolve("tensorflow", mode).evaluate(schedule, steps)
    assert max_ulp(resolve("numpy", mode).evaluate(schedule, steps), tensorflow) == 0, (
        schedule.label(), mode)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_tensorflow_gives_what_fit_applies_for_drawn_schedules(keras: Any,
                                                               data: st.DataObject) -> None:
    schedule = data.draw(schedules())
    fit = applied_rates(keras_object(schedule, keras), 60, 0, "graph")
    ours = resolve("tensorflow", "graph").evaluate(schedule, np.arange(60, dtype=np.int64))
    assert max_ulp(ours, fit) == 0, schedule.label()
