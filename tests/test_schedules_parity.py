"""Every registry schedule against Keras's own object, called eagerly on a scalar int64 step.

That is what the optimizer gets with ``run_eagerly=True``, cast to float32 as SGD casts it, and
both backends in their eager mode must give it bit for bit, at steps anywhere (past 2**24, up
to 2**40, around multiples of the schedule's period). ``tests/test_exactness.py`` measures every
mode against the training loop itself; this widens the parameter sets cheaply.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrtool.backends import resolve
from lrtool.schedules import REGISTRY, Schedule
from tests.fitloop import max_ulp
from tests.strategies import schedules
from tests.transformers_warmup import reference_object

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def tf_backend():  # type: ignore[no-untyped-def]
    backend = resolve("tensorflow", "eager")  # must not skip: CI installs TensorFlow
    assert backend.name == "tensorflow"
    return backend


def keras_object(schedule: Schedule) -> Any:
    return reference_object(schedule)  # transformers' own code for a WarmUp


def scalar_calls(schedule: Schedule, steps: list[int]) -> np.ndarray:
    """The reference: one eager call per step on an int64 step, in Keras's own dtype."""
    import tensorflow as tf

    obj = keras_object(schedule)
    return np.array([obj(tf.constant(s, dtype=tf.int64)).numpy() for s in steps])


def assert_same(ours: np.ndarray, reference: np.ndarray, schedule: Schedule) -> None:
    """Bit for bit, as the float32 the optimizer applies."""
    assert ours.dtype == np.float32
    assert max_ulp(ours, reference.astype(np.float32)) == 0, (schedule.label(), ours, reference)


far_steps = st.one_of(
    st.integers(0, 10**5),
    st.integers(2**24 - 5, 2**24 + 5),  # where float32 starts rounding steps
    st.integers(0, 2**40),
)


@st.composite
def step_lists(draw: st.DrawFn, period: float) -> list[int]:
    """Steps anywhere, plus steps right around multiples of the schedule's period."""
    near = st.builds(lambda k, d: max(0, round(k * period) + d), st.integers(0, 50),
                     st.integers(-2, 2))
    return sorted(set(draw(st.lists(st.one_of(far_steps, near), min_size=1, max_size=8))))


def period(schedule: Schedule) -> float:
    """The schedule's own step scale: its first boundary, or its first ``*_steps`` argument."""
    for name, value in schedule.arguments().items():
        if isinstance(value, list) and value and isinstance(value[0], (int, float)):
            return float(max(1, value[0]))
        if name.endswith("steps") and isinstance(value, (int, float)) and value > 0:
            return float(value)
    return 1.0


@st.composite
def cases(draw: st.DrawFn, name: str) -> tuple[Schedule, list[int]]:
    schedule = draw(schedules(name))
    return schedule, draw(step_lists(period(schedule)))


# --- the tests ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(REGISTRY))
@SETTINGS
@given(data=st.data())
def test_numpy_eager_matches_keras_scalar_call(tf_backend, name: str,  # type: ignore[no-untyped-def]
                                               data: st.DataObject) -> None:
    schedule, steps = data.draw(cases(name))
    ours = resolve("numpy", "eager").evaluate(schedule, np.array(steps, dtype=np.int64))
    reference = scalar_calls(schedule, steps)
    assert str(reference.dtype) == schedule.value_dtype()
    assert_same(ours, reference, schedule)


@pytest.mark.parametrize("name", sorted(REGISTRY))
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), start=st.integers(0, 2**34), count=st.integers(1, 200))
def test_tensorflow_backend_eager_matches_keras_scalar_call(
    tf_backend, name: str, data: st.DataObject, start: int, count: int  # type: ignore[no-untyped-def]
) -> None:
    schedule = data.draw(schedules(name))
    steps = list(range(start, start + count))
    values = tf_backend.evaluate(schedule, np.array(steps, dtype=np.int64))
    assert_same(values, scalar_calls(schedule, steps), schedule)


@pytest.mark.parametrize("arguments, dtype, first_values", [
    ({"initial_learning_rate": 1, "decay_steps": 3, "decay_rate": 2}, "float64",
     [1.0, 0.6000000000000001, 0.4285714285714286]),
    ({"initial_learning_rate": 1, "decay_steps": 3.5, "decay_rate": 0.5}, "float64",
     [1.0, 1.0, 1.0]),
])
def test_int_initial_rate_inverse_time_is_float64(
    arguments: dict[str, Any], dtype: str, first_values: list[float]
) -> None:
    schedule = REGISTRY["InverseTimeDecay"].from_arguments(arguments)
    values = schedule.formula(np.arange(3, dtype=np.int64), "eager")
    assert str(values.dtype) == dtype
    assert values.tolist() == first_values


def test_int_initial_rate_dtypes_per_schedule() -> None:
    cases = {
        "ExponentialDecay(1, 10, 0.5)": ("float64", [1.0, 0.0]),
        "PolynomialDecay(1, 10)": ("float32", [1.0, 0.8999999761581421]),
        "PolynomialDecay(1, 10, cycle=True)": ("float64", [1.0, 0.9]),
        "PiecewiseConstantDecay([0], [2, 1])": ("int32", [2, 1]),
        "CosineDecay(1, 10)": ("float32", [1.0, 0.977668285369873]),
        "CosineDecayRestarts(1, 10, t_mul=1.0)": ("float64", [1.0, 0.977668244562803]),
    }
    from lrtool.spec import parse

    for text, (dtype, values) in cases.items():
        schedule = parse(text)
        out = schedule.formula(np.arange(2, dtype=np.int64), "eager")
        assert (str(out.dtype), out.tolist()) == (dtype, values), text
        assert schedule.value_dtype() == dtype
        applied = resolve("numpy", "eager").evaluate(schedule, np.arange(2, dtype=np.int64))
        assert_same(applied, scalar_calls(schedule, [0, 1]), schedule)


def test_denormal_results_flush_to_zero_like_tensorflow() -> None:
    from lrtool.spec import parse

    schedule = parse("ExponentialDecay(0.1, 1, 0.1)")  # 0.1 * 0.1 ** 37 is a float32 denormal
    steps = [36, 37, 38, 45]
    ours = resolve("numpy", "eager").evaluate(schedule, np.array(steps, dtype=np.int64))
    assert_same(ours, scalar_calls(schedule, steps), schedule)
    assert ours[1] == ours[-1] == 0 and not np.signbit(ours[1])
    assert math.isclose(float(ours[0]), 1e-37, rel_tol=1e-5)
