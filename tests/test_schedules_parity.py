"""Every schedule against TensorFlow: what the optimizer gets is ``schedule(tf.constant(step, int64))``.

InverseTimeDecay and PiecewiseConstantDecay must match bit for bit; the schedules using pow, cos
or log within 1e-6 relative (TensorFlow's own kernels differ by a few ulp between its scalar
and vectorized paths). Int initial rates are drawn too: Keras then computes in int32 and float64.
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
from tests.strategies import schedules

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

EXACT = {"InverseTimeDecay", "PiecewiseConstantDecay"}
RTOL = 1e-6
SETTINGS = settings(max_examples=35, deadline=None,
                    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def tf_backend():  # type: ignore[no-untyped-def]
    backend = resolve("tensorflow")  # must not skip: CI installs TensorFlow
    assert backend.name == "tensorflow"
    return backend


def keras_object(schedule: Schedule) -> Any:
    import tensorflow as tf

    return getattr(tf.keras.optimizers.schedules, schedule.keras_name)(**schedule.arguments())


def scalar_calls(schedule: Schedule, steps: list[int]) -> np.ndarray:
    """The reference: one scalar call per step, on an int64 step like the optimizer's counter."""
    import tensorflow as tf

    obj = keras_object(schedule)
    return np.array([obj(tf.constant(s, dtype=tf.int64)).numpy() for s in steps])


def assert_matches(ours: np.ndarray, reference: np.ndarray, schedule: Schedule) -> None:
    assert ours.dtype == reference.dtype, (ours.dtype, reference.dtype)
    assert str(ours.dtype) == schedule.value_dtype()
    if schedule.keras_name in EXACT:
        assert ours.tobytes() == reference.tobytes(), (ours, reference)
        return
    a, b = ours.astype(np.float64), reference.astype(np.float64)
    assert np.array_equal(np.isnan(a), np.isnan(b)), (a, b)
    # Near overflow one side may round to inf and the other to the largest float.
    big = np.finfo(ours.dtype).max * (1 - 4 * RTOL)
    both_huge = (np.abs(a) >= big) & (np.abs(b) >= big) & (np.sign(a) == np.sign(b))
    ok = np.isnan(a) | both_huge
    # Scale: the schedule's own magnitude, so that values crossing zero compare absolutely.
    scale = RTOL * np.maximum(np.abs(b), _magnitude(schedule))
    with np.errstate(invalid="ignore"):
        close = np.abs(a - b) <= scale
    assert np.all(ok | close), [(x, y) for x, y, good in zip(a, b, ok | close) if not good]


def _magnitude(schedule: Schedule) -> float:
    numbers = [abs(v) for k, v in schedule.arguments().items()
               if k in ("initial_learning_rate", "end_learning_rate", "warmup_target")
               and isinstance(v, (int, float))]
    numbers += [abs(v) for v in getattr(schedule, "values", ())]
    return max(numbers + [0.0]) * 4


# --- strategies -----------------------------------------------------------------------------

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
def test_numpy_matches_keras_scalar_call(name: str, data: st.DataObject) -> None:
    schedule, steps = data.draw(cases(name))
    ours = schedule.formula(np.array(steps, dtype=np.int64))
    assert_matches(ours, scalar_calls(schedule, steps), schedule)


@pytest.mark.parametrize("name", sorted(REGISTRY))
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), start=st.integers(0, 2**34), count=st.integers(1, 300))
def test_tensorflow_backend_matches_keras_scalar_call(
    tf_backend, name: str, data: st.DataObject, start: int, count: int  # type: ignore[no-untyped-def]
) -> None:
    """The backend's vectorized call, over a run of steps, against scalar calls."""
    schedule = data.draw(schedules(name))
    steps = list(range(start, start + count))
    values = tf_backend.evaluate(schedule, np.array(steps, dtype=np.int64))
    assert_matches(values, scalar_calls(schedule, steps), schedule)
    # The NumPy path agrees with it just as well.
    assert_matches(schedule.formula(np.array(steps, np.int64)), values, schedule)


@pytest.mark.parametrize("name", sorted(REGISTRY))
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_one_step_vector_is_bit_identical_to_scalar_call(
    tf_backend, name: str, data: st.DataObject  # type: ignore[no-untyped-def]
) -> None:
    """A one-element vector runs TensorFlow's scalar kernels: any difference would be lrtool's.

    For CosineDecay with warmup this checks that the vectorized replacement of ``ops.cond``
    reproduces ``__call__`` (its min, its branches) exactly.
    """
    schedule, steps = data.draw(cases(name))
    reference = scalar_calls(schedule, steps)
    for step, want in zip(steps, reference):
        got = tf_backend.evaluate(schedule, np.array([step], dtype=np.int64))
        assert got.tobytes() == np.array([want]).tobytes(), (step, got, want)


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
    values = schedule.formula(np.arange(3, dtype=np.int64))
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
        out = schedule.formula(np.arange(2, dtype=np.int64))
        assert (str(out.dtype), out.tolist()) == (dtype, values), text
        assert schedule.value_dtype() == dtype
        assert_matches(out, scalar_calls(schedule, [0, 1]), schedule)


def test_denormal_results_flush_to_zero_like_tensorflow() -> None:
    from lrtool.spec import parse

    schedule = parse("ExponentialDecay(0.1, 1, 0.1)")  # 0.1 * 0.1 ** 37 is a float32 denormal
    steps = [36, 37, 38, 45]
    ours = schedule.formula(np.array(steps, dtype=np.int64))
    assert_matches(ours, scalar_calls(schedule, steps), schedule)
    assert ours[1] == ours[-1] == 0 and not np.signbit(ours[1])
    assert math.isclose(float(ours[0]), 1e-37, rel_tol=1e-5)
