"""Schedules as users write them: pasted training code, ``--set``, their own classes, ``--import``.

User classes are real Keras LearningRateSchedule subclasses written to files here: the
Transformer tutorial's ``CustomSchedule``, a keras-io style ``WarmUpCosine``, and one that
branches on the step in Python. Their values must be the objects' own, bit for bit.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lrtool import evaluate
from lrtool.backends import resolve
from lrtool.schedules import OpaqueSchedule, ScheduleError
from lrtool.spec import Reader, parse
from tests.conftest import ROOT, run

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
SNIPPETS = ROOT / "tests" / "snippets"

CLASSES = '''
import numpy as np
import tensorflow as tf
import keras


class CustomSchedule(tf.keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, d_model, warmup_steps=4000):
        super().__init__()
        self.d_model = tf.cast(d_model, tf.float32)
        self.warmup_steps = warmup_steps

    def __call__(self, step):
        step = tf.cast(step, dtype=tf.float32)
        arg1 = tf.math.rsqrt(step)
        arg2 = step * (self.warmup_steps ** -1.5)
        return tf.math.rsqrt(self.d_model) * tf.math.minimum(arg1, arg2)


class WarmUpCosine(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, learning_rate_base, total_steps, warmup_learning_rate, warmup_steps):
        super().__init__()
        self.learning_rate_base = learning_rate_base
        self.total_steps = total_steps
        self.warmup_learning_rate = warmup_learning_rate
        self.warmup_steps = warmup_steps
        self.pi = tf.constant(np.pi)

    def __call__(self, step):
        cos_annealed_lr = tf.cos(self.pi * (tf.cast(step, tf.float32) - self.warmup_steps)
                                 / float(self.total_steps - self.warmup_steps))
        learning_rate = 0.5 * self.learning_rate_base * (1 + cos_annealed_lr)
        slope = (self.learning_rate_base - self.warmup_learning_rate) / self.warmup_steps
        warmup_rate = slope * tf.cast(step, tf.float32) + self.warmup_learning_rate
        learning_rate = tf.where(step < self.warmup_steps, warmup_rate, learning_rate)
        return tf.where(step > self.total_steps, 0.0, learning_rate, name="learning_rate")

    def get_config(self):
        return {"learning_rate_base": self.learning_rate_base, "total_steps": self.total_steps,
                "warmup_learning_rate": self.warmup_learning_rate,
                "warmup_steps": self.warmup_steps}


class Stepwise(keras.optimizers.schedules.LearningRateSchedule):
    """Scalar steps only: a Python if on the step."""

    def __init__(self, high, low, at):
        self.high, self.low, self.at = high, low, at

    def __call__(self, step):
        if step < self.at:
            return tf.constant(self.high)
        return tf.constant(self.low)


@keras.saving.register_keras_serializable(package="mine")
class Halving(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, rate, every):
        self.rate, self.every = rate, every

    def __call__(self, step):
        return self.rate * tf.pow(0.5, tf.floor(tf.cast(step, tf.float32) / self.every))

    def get_config(self):
        return {"rate": self.rate, "every": self.every}


def not_a_class(epoch):
    return 0.1
'''


@pytest.fixture(scope="module")
def tf() -> Any:
    resolve("tensorflow")  # must not skip: CI installs TensorFlow
    import tensorflow

    return tensorflow


@pytest.fixture(scope="module")
def classes_file(tmp_path_factory: pytest.TempPathFactory, tf: Any) -> Path:
    path = tmp_path_factory.mktemp("user") / "my_schedules.py"
    path.write_text(CLASSES)
    return path


def own_values(schedule: OpaqueSchedule, steps: list[int], tf: Any,
               mode: str = "graph") -> np.ndarray:
    """The object itself, one scalar int64 step at a time: in a tf.function without autograph,
    as Keras's train step runs it, or eagerly, as with run_eagerly=True."""
    if mode == "graph":
        call = tf.function(lambda s: schedule.obj(s), autograph=False)
    else:
        call = schedule.obj
    return np.array([call(tf.constant(s, tf.int64)).numpy() for s in steps], dtype=np.float32)


# --- pasted code --------------------------------------------------------------------------

DOCUMENTED = {
    "keras_cosine_decay.txt": "CosineDecay",
    "keras_cosine_decay_restarts.txt": "CosineDecayRestarts",
    "keras_cosine_decay_warmup.txt": "CosineDecay",
    "keras_exponential_decay.txt": "ExponentialDecay",
    "keras_inverse_time_decay.txt": "InverseTimeDecay",
    "keras_learning_rate_schedule.txt": "ExponentialDecay",
    "keras_piecewise_constant_decay.txt": "PiecewiseConstantDecay",
    "keras_polynomial_decay.txt": "PolynomialDecay",
    "keras_io_style_variables.txt": "ExponentialDecay",
    "adamw_cosine_decay.txt": "CosineDecay",
    "keras2_lr_keyword.txt": "PiecewiseConstantDecay",
    "notebook_several_schedules.txt": "CosineDecayRestarts",
    "tf_docs_inverse_time_decay.txt": "InverseTimeDecay",
    "tf_docs_inverse_time_decay_scraped.txt": "InverseTimeDecay",
}


@pytest.mark.parametrize("name, class_name", sorted(DOCUMENTED.items()))
def test_documentation_examples_pasted_verbatim(name: str, class_name: str) -> None:
    """Keras's docstring examples and documentation-style snippets, as pasted. Keras's
    CosineDecayRestarts example never sets initial_learning_rate: it comes from --set."""
    names = {"initial_learning_rate": 0.1} if "restarts" in name else {}
    reader = Reader(names)
    schedule = reader.parse(str(SNIPPETS / name))
    assert schedule.keras_name == class_name


def test_keras_own_warmup_example_is_shown_with_the_repair_keras_needs() -> None:
    """Its ``initial_learning_rate = 0`` is an int, with which Keras itself fails (int32 times
    float64): lrtool shows the schedule with 0.0 and says why."""
    reader = Reader()
    schedule = reader.parse(str(SNIPPETS / "keras_cosine_decay_warmup.txt"))
    assert repr(schedule.initial_learning_rate) == "0.0"
    assert reader.notes and "Keras then fails" in reader.notes[0] and "0.0" in reader.notes[0]


def test_the_seed_documentation_example_pasted() -> None:
    schedule = Reader().parse(str(SNIPPETS / "tf_docs_inverse_time_decay.txt"))
    assert schedule.arguments() == {"initial_learning_rate": 0.1, "decay_steps": 1.0,
                                    "decay_rate": 0.5, "staircase": False}


def test_arithmetic_and_set_names() -> None:
    assert parse("CosineDecay(1e-3, 10 * 1000)").arguments()["decay_steps"] == 10_000
    code = "ExponentialDecay(0.1, decay_steps=EPOCHS * steps_per_epoch, decay_rate=0.9)"
    with pytest.raises(ScheduleError, match="undefined name 'EPOCHS'.*--set EPOCHS=VALUE"):
        parse(code)
    schedule = parse(code, names={"EPOCHS": 10, "steps_per_epoch": 391})
    assert schedule.arguments()["decay_steps"] == 3910


def test_the_schedule_handed_to_the_optimizer_wins() -> None:
    code = textwrap.dedent("""
        warm = CosineDecay(1e-3, 1000)
        lr = keras.optimizers.schedules.ExponentialDecay(0.1, 100, 0.5)
        other = PolynomialDecay(0.1, 50)
        model.compile(optimizer=keras.optimizers.AdamW(learning_rate=lr, weight_decay=0.01))
    """)
    assert parse(code).keras_name == "ExponentialDecay"


def test_cli_reads_a_pasted_script_and_set(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text("import keras\nEPOCHS = 3\nlr = keras.optimizers.schedules.ExponentialDecay("
                      "0.1, decay_steps=EPOCHS * spe, decay_rate=0.5, staircase=True)\n"
                      "model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr))\n"
                      "raise SystemExit('this file must not run')\n")
    result = run("csv", str(script), "--set", "spe=10", "--at", "29,30", "--backend", "numpy")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().splitlines() == ["step,lr", "29,0.1", "30,0.05"]
    bad = run("csv", str(script), "--set", "spe=os.getcwd()", "--backend", "numpy")
    assert bad.returncode == 2 and b"--set" in bad.stderr and b"Traceback" not in bad.stderr


# --- user classes -------------------------------------------------------------------------

@pytest.mark.parametrize("call, steps, mode", [
    ("CustomSchedule(128)", [0, 1, 2, 100, 3999, 4000, 4001, 50_000], "graph"),
    ("CustomSchedule(d_model=512, warmup_steps=2 * 1000)", [0, 1, 1999, 2000, 2001], "graph"),
    ("WarmUpCosine(1e-3, 10_000, 0.0, 500)", [0, 1, 250, 499, 500, 501, 9999, 10_000, 10_001],
     "graph"),
    ("WarmUpCosine(1e-3, 10_000, 0.0, 500)", [0, 1, 250, 499, 500, 501, 9999], "eager"),
    ("Stepwise(0.1, 0.01, 100)", [0, 99, 100, 101, 5000], "eager"),
])
def test_own_classes_give_the_objects_values(classes_file: Path, tf: Any, call: str,
                                             steps: list[int], mode: str) -> None:
    schedule = parse(f"{classes_file}:{call}")
    assert isinstance(schedule, OpaqueSchedule) and schedule.label().startswith(call[:8])
    ours = resolve("tensorflow", mode).evaluate(schedule, np.array(steps, np.int64))
    assert ours.tobytes() == own_values(schedule, steps, tf, mode).tobytes()


def test_a_python_if_on_the_step_is_refused_as_fit_would_fail(classes_file: Path) -> None:
    """Keras does not autograph its train step: model.fit fails on such a class unless it
    runs eagerly, and lrtool says so (it shows the values with --run-eagerly)."""
    result = run("csv", f"{classes_file}:Stepwise(0.1, 0.01, 2)", "--steps", "3")
    assert result.returncode == 2 and "--run-eagerly" in result.stderr.decode()
    assert result.stderr.decode().count("\n") <= 4 and b"Traceback" not in result.stderr


def test_a_custom_schedule_gives_zero_at_step_0(classes_file: Path) -> None:
    """The Transformer tutorial's warmup: rsqrt(0) is inf, step * ... is 0: the first step
    trains with a rate of 0, which is what users are surprised by."""
    values = evaluate(parse(f"{classes_file}:CustomSchedule(128)"), [0, 1], "tensorflow").values
    assert values[0] == 0 and values[1] > 0


@pytest.mark.parametrize("spec, fragment", [
    ("{file}:Nope(1)", "has no Nope"),
    ("{file}:not_a_class(3)", "is a function, which Keras's LearningRateScheduler calls per"
                              " epoch: name it without arguments"),
    ("{file}:np", "is a module, not a keras"),
    ("{file}:CustomSchedule(open('x'))", "must be a number or arithmetic"),
    ("{file}:CustomSchedule(__import__('os'))", "not a call to __import__()"),
    ("{file}:CustomSchedule(1, 2, 3, 4)", "CustomSchedule(1, 2, 3, 4) failed: TypeError"),
    ("{missing}:CustomSchedule(1)", "no such file"),
    ("{broken}:X(1)", "importing"),
    ("no_such_module_here:X(1)", "no module named no_such_module_here"),
])
def test_refusals_are_one_line(classes_file: Path, tmp_path: Path, spec: str,
                               fragment: str) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('boom\\nsecond line')\n")
    text = spec.format(file=classes_file, missing=tmp_path / "gone.py", broken=broken)
    with pytest.raises(ScheduleError) as info:
        parse(text)
    assert fragment in info.value.message and "\n" not in info.value.message


def test_module_form_from_the_current_directory(classes_file: Path) -> None:
    result = run("csv", "my_schedules:Stepwise(0.1, 0.01, 2)", "--steps", "4", "--run-eagerly",
                 cwd=classes_file.parent)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().splitlines() == ["step,lr", "0,0.1", "1,0.1", "2,0.01", "3,0.01"]
    numpy = run("csv", "my_schedules:Stepwise(0.1, 0.01, 2)", "--backend", "numpy",
                cwd=classes_file.parent)
    assert numpy.returncode == 2 and numpy.stderr.decode().count("\n") <= 4
    assert "--backend tensorflow" in numpy.stderr.decode()


# --- serialized custom schedules ----------------------------------------------------------

def test_registered_json_needs_import_then_reads(classes_file: Path, tmp_path: Path) -> None:
    document = {"module": "my_schedules", "class_name": "Halving",
                "config": {"rate": 0.1, "every": 2}, "registered_name": "mine>Halving"}
    path = tmp_path / "halving.json"
    path.write_text(json.dumps(document))
    refused = run("csv", str(path), "--steps", "3")
    assert refused.returncode == 2
    assert "Halving" in refused.stderr.decode() and "--import" in refused.stderr.decode()
    result = run("csv", str(path), "--import", str(classes_file), "--steps", "5")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().splitlines()[1:] == ["0,0.1", "1,0.1", "2,0.05", "3,0.05",
                                                       "4,0.025"]
    config = run("config", f"{classes_file}:Halving(0.1, every=2)")
    assert json.loads(config.stdout) == document | {"module": "my_schedules"}
