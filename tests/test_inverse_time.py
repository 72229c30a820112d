"""InverseTimeDecay: the NumPy backend gives TensorFlow's bits, at any step and parameters."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrtool import InverseTimeDecay, evaluate
from lrtool.backends import resolve
from lrtool.evaluation import UnusableRate, check
from lrtool.shape import edges

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="module")
def tf_backend():  # type: ignore[no-untyped-def]
    backend = resolve("tensorflow")  # must not skip: CI installs TensorFlow
    assert backend.name == "tensorflow"
    return backend


def keras_scalar(tf_backend, schedule: InverseTimeDecay, step: int) -> np.float32:  # type: ignore[no-untyped-def]
    """What the optimizer sees: the Keras object called on its int64 step counter."""
    import tensorflow as tf

    value = tf_backend.keras_object(schedule)(tf.constant(step, dtype=tf.int64))
    return value.numpy()


rates = st.floats(min_value=1e-8, max_value=10.0, allow_subnormal=False)
decay_steps = st.one_of(
    st.integers(min_value=1, max_value=10**6).map(float),
    st.floats(min_value=1e-3, max_value=1e6, allow_subnormal=False),
)
decay_rates = st.floats(min_value=0.0, max_value=100.0, allow_subnormal=False)
steps = st.one_of(
    st.integers(min_value=0, max_value=10**5),
    st.integers(min_value=2**24 - 5, max_value=2**24 + 5),  # where float32 starts rounding steps
    st.integers(min_value=0, max_value=2**40),
)


@settings(max_examples=150, deadline=None)
@given(rates, decay_steps, decay_rates, st.booleans(), st.lists(steps, min_size=1, max_size=8))
def test_numpy_eager_is_bit_identical_to_keras_scalar_call(
    tf_backend, lr: float, ds: float, rate: float, staircase: bool, at: list[int]  # type: ignore[no-untyped-def]
) -> None:
    """With run_eagerly=True the optimizer calls the schedule eagerly on its step counter."""
    schedule = InverseTimeDecay(lr, ds, rate, staircase)
    ours = evaluate(schedule, sorted(set(at)), backend=resolve("numpy", "eager")).values
    keras = np.array([keras_scalar(tf_backend, schedule, s) for s in sorted(set(at))])
    assert ours.dtype == keras.dtype == np.float32
    assert ours.tobytes() == keras.tobytes()


@settings(max_examples=25, deadline=None)
@given(rates, decay_steps, decay_rates, st.booleans(), st.integers(0, 2**40), st.integers(1, 3000))
def test_tensorflow_and_numpy_agree_in_every_mode(
    tf_backend, lr: float, ds: float, rate: float, staircase: bool, start: int, count: int  # type: ignore[no-untyped-def]
) -> None:
    """Graph mode folds 1 + rate * (step / ds) into 1 + step * (rate / ds): both backends do."""
    schedule = InverseTimeDecay(lr, ds, rate, staircase)
    requested = range(start, start + count)
    for mode in ("graph", "eager"):
        tensorflow = evaluate(schedule, requested, backend=resolve("tensorflow", mode)).values
        numpy_values = evaluate(schedule, requested, backend=resolve("numpy", mode)).values
        assert tensorflow.tobytes() == numpy_values.tobytes()
    eager = evaluate(schedule, requested, backend=resolve("tensorflow", "eager")).values
    for i in (0, count // 2, count - 1):
        assert eager[i] == keras_scalar(tf_backend, schedule, requested[i])


def test_seed_example_values() -> None:
    values = evaluate(InverseTimeDecay(0.1, 1.0, 0.5), range(5), backend="numpy").values
    assert values.tolist() == np.array([0.1, 0.1 / 1.5, 0.05, 0.04, 0.1 / 3], dtype=np.float32).tolist()


def test_staircase_drops_at_the_decay_step_itself() -> None:
    schedule = InverseTimeDecay(0.1, 1000.0, 0.5, staircase=True)
    values = evaluate(schedule, [998, 999, 1000, 1001], backend="numpy").values
    assert values[0] == values[1] == np.float32(0.1)
    assert values[2] == values[3] < values[1]


def test_steps_beyond_2_to_24_round_like_keras() -> None:
    # float32 cannot hold 2**24 + 1: Keras computes with 2**24, and so must we.
    schedule = InverseTimeDecay(0.1, 1.0, 0.5)
    values = evaluate(schedule, [2**24, 2**24 + 1], backend="numpy").values
    assert values[0] == values[1]


def test_staircase_edges_are_exact_with_fractional_decay_steps() -> None:
    schedule = InverseTimeDecay(0.1, 2.5, 0.5, staircase=True)
    every = evaluate(schedule, range(100), backend="numpy").values
    jumps = [s for s in range(1, 100) if every[s] != every[s - 1]]
    assert edges(schedule, 0, 99, 1000) == jumps
    assert jumps[:3] == [3, 5, 8]


def test_negative_rate_reports_the_first_bad_step() -> None:
    schedule = InverseTimeDecay(0.1, 1.0, -0.5)
    check(schedule, range(2))  # steps 0 and 1 are fine
    with pytest.raises(UnusableRate) as info:
        check(schedule, range(10**9))
    assert info.value.step == 2


@pytest.mark.parametrize("kwargs, argument", [
    ({"decay_steps": 0.0}, "decay_steps"),
    ({"decay_steps": -1.0}, "decay_steps"),
    ({"decay_rate": float("nan")}, "decay_rate"),
    ({"initial_learning_rate": float("inf")}, "initial_learning_rate"),
    ({"initial_learning_rate": -0.1}, "initial_learning_rate"),
])
def test_invalid_arguments_name_themselves(kwargs: dict[str, float], argument: str) -> None:
    from lrtool import ScheduleError

    arguments = {"initial_learning_rate": 0.1, "decay_steps": 1.0, "decay_rate": 0.5, **kwargs}
    with pytest.raises(ScheduleError) as info:
        InverseTimeDecay(**arguments)
    assert info.value.argument == argument
