"""Schedules lrtool knows only as ``steps -> values``: a user's own LearningRateSchedule subclass.

They go through the same evaluation, table, CSV, plot and config as the built-in schedules,
with no edge knowledge: plots evaluate every step while that is affordable, sample each column
beyond, and say "sampled" then.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lrtool import OpaqueSchedule, evaluate
from lrtool.backends import BackendUnavailable, resolve
from lrtool.engine import SAMPLE_BUDGET, Engine, column_cuts
from lrtool.evaluation import UnusableRate, check
from lrtool.keras_json import dumps
from lrtool.output import csv as csv_output
from lrtool.output import image, terminal
from lrtool.output import table as table_output
from lrtool.picture import Picture, layout
from lrtool.schedules import ScheduleError
from lrtool.steps import Steps

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="module")
def tf() -> Any:
    resolve("tensorflow")  # must not skip: CI installs TensorFlow
    import tensorflow

    return tensorflow


@pytest.fixture(scope="module")
def classes(tf: Any) -> dict[str, type]:
    """A warmup that branches with a cond (scalar steps only), and one without get_config."""
    import keras

    @keras.saving.register_keras_serializable(package="lrtool_tests")
    class LinearWarmup(keras.optimizers.schedules.LearningRateSchedule):
        def __init__(self, peak: float, warmup: int) -> None:
            self.peak, self.warmup = peak, warmup

        def __call__(self, step: Any) -> Any:
            step = tf.cast(step, tf.float32)
            return keras.ops.cond(step < self.warmup,  # for a scalar step only
                                  lambda: self.peak * (step + 1) / self.warmup,
                                  lambda: self.peak * tf.math.rsqrt(step / self.warmup))

        def get_config(self) -> dict[str, Any]:
            return {"peak": self.peak, "warmup": self.warmup}

    class Unconfigurable(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step: Any) -> Any:
            return tf.constant(0.01) * tf.cast(step, tf.float32)

    return {"LinearWarmup": LinearWarmup, "Unconfigurable": Unconfigurable}


@pytest.fixture(scope="module")
def warmup(classes: dict[str, type]) -> OpaqueSchedule:
    return OpaqueSchedule(classes["LinearWarmup"](0.1, 100), arguments={"peak": 0.1, "warmup": 100})


def reference(schedule: OpaqueSchedule, steps: list[int], tf: Any) -> np.ndarray:
    """The object itself, one scalar step at a time inside a tf.function, as in training."""
    call = tf.function(lambda s: schedule.obj(s))
    return np.array([call(tf.constant(s, tf.int64)).numpy() for s in steps])


def test_values_come_from_the_object_itself(warmup: OpaqueSchedule, tf: Any) -> None:
    steps = [0, 1, 50, 98, 99, 100, 101, 5000]
    values = evaluate(warmup, steps, "tensorflow").values
    assert values.tobytes() == reference(warmup, steps, tf).astype(values.dtype).tobytes()
    assert values[0] == np.float32(0.1) / 100 and values[5] == np.float32(0.1)


def test_numpy_backend_refuses_it_clearly(warmup: OpaqueSchedule) -> None:
    with pytest.raises(BackendUnavailable, match="LinearWarmup.*--backend tensorflow"):
        evaluate(warmup, range(3), "numpy")


def test_table_and_csv(warmup: OpaqueSchedule) -> None:
    ev = evaluate({"lr": warmup}, Steps.listed([0, 99, 100]), "tensorflow")
    out = io.StringIO()
    table_output.render(ev, {"lr": warmup}, total=3, file=out)
    assert "LinearWarmup(peak=0.1, warmup=100)" in out.getvalue() and "0.001" in out.getvalue()
    buffer = io.BytesIO()
    from lrtool.evaluation import evaluate_chunks

    csv_output.write(evaluate_chunks(warmup, range(3), "tensorflow"), buffer)
    assert buffer.getvalue().decode().splitlines() == ["step,lr", "0,0.001", "1,0.002", "2,0.003"]


def picture(schedule: OpaqueSchedule, steps: Any) -> Picture:
    title, panels = layout([schedule], ["lr"])
    return Picture(title, panels, Engine(steps, "tensorflow"))


def test_a_short_run_is_plotted_from_every_step(warmup: OpaqueSchedule) -> None:
    pic = picture(warmup, range(SAMPLE_BUDGET))
    out = io.StringIO()
    terminal.render(pic, file=out, size=(100, 30))
    assert pic.exact and "sampled" not in out.getvalue()
    curve = pic.engine.curve(warmup, column_cuts(0, SAMPLE_BUDGET - 1, 50))
    assert curve.steps.size == SAMPLE_BUDGET  # every step: nothing is known to skip


def test_a_long_run_is_sampled_and_says_so(warmup: OpaqueSchedule, tmp_path: Path) -> None:
    pic = picture(warmup, range(10**6))
    out = io.StringIO()
    terminal.render(pic, file=out, size=(100, 30))
    assert not pic.exact and "sampled" in out.getvalue().splitlines()[1]
    cuts = column_cuts(0, 10**6 - 1, 160)
    curve = pic.engine.curve(warmup, cuts)
    assert not curve.exact and curve.steps.size <= SAMPLE_BUDGET + 2 * cuts.size
    assert curve.steps[0] == 0 and curve.steps[-1] == 10**6 - 1
    fig = image.figure(pic)
    assert "sampled" in fig.get_suptitle()
    image.write(pic, tmp_path / "lr.png")
    assert (tmp_path / "lr.png").stat().st_size > 0


def test_config_is_the_objects_own(warmup: OpaqueSchedule, tf: Any) -> None:
    import keras

    document = json.loads(dumps(warmup))
    assert document["config"] == {"peak": 0.1, "warmup": 100}
    assert document["registered_name"] == "lrtool_tests>LinearWarmup"
    again = keras.optimizers.schedules.deserialize(document)
    assert float(again(tf.constant(5))) == float(warmup.obj(tf.constant(5)))


def test_a_class_without_get_config_cannot_be_written(classes: dict[str, type]) -> None:
    schedule = OpaqueSchedule(classes["Unconfigurable"]())
    with pytest.raises(ScheduleError, match="get_config"):
        dumps(schedule)
    assert schedule.label() == "Unconfigurable()"


def test_unusable_rates_are_found_by_evaluating(classes: dict[str, type]) -> None:
    import keras

    class Negative(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step: Any) -> Any:
            import tensorflow as tf

            return 0.1 - 0.001 * tf.cast(step, tf.float32)

    with pytest.raises(UnusableRate, match="Negative.*at step 101"):
        check({"lr": OpaqueSchedule(Negative())}, range(200), "tensorflow")
