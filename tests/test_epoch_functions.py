"""Keras LearningRateScheduler functions (``FILE.py:function``): the rate per epoch, as the
callback sets it, measured against a real ``model.fit`` with the callback."""

from __future__ import annotations

import math
import os
import textwrap
from pathlib import Path

import numpy as np
import pytest

from lrtool.backends import resolve
from lrtool.schedules.epochfn import EpochFunction
from lrtool.spec import Reader
from tests.conftest import run
from tests.fitloop import applied_rates, max_ulp

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

FUNCTIONS = textwrap.dedent('''
    import math
    import numpy as np

    def step_decay(epoch, lr):
        if epoch < 2:
            return lr
        return lr * math.exp(-0.1)

    def grows(epoch, lr):
        return lr * 1.1 + 1e-9

    def by_epoch(epoch):
        return 0.1 * 0.5 ** (epoch // 2)

    def numpy_float(epoch, lr):
        return np.float64(lr) / 3.0

    def three(a, b, c):
        return 0.1

    def raises(epoch, lr):
        if epoch == 2:
            raise ValueError("no rate\\nfor epoch 2")
        return lr

    def returns_int(epoch, lr):
        return 1

    def returns_none(epoch):
        return None
''')


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("epochs")
    (path / "sched.py").write_text(FUNCTIONS)
    return path


def function(folder: Path, name: str) -> EpochFunction:
    schedule = Reader().parse(f"{folder / 'sched.py'}:{name}")
    assert isinstance(schedule, EpochFunction)
    return schedule


@pytest.mark.parametrize("name, initial", [
    ("step_decay", 0.01), ("grows", 0.3), ("by_epoch", 0.5), ("numpy_float", 0.7),
])
def test_rates_are_what_fit_applies_with_the_callback(folder: Path, name: str,
                                                      initial: float) -> None:
    import keras

    epochs, per_epoch = 6, 3
    schedule = function(folder, name).bind(initial, per_epoch, epochs)
    callback = keras.callbacks.LearningRateScheduler(schedule.obj)
    fit = applied_rates(initial, epochs * per_epoch, epochs=epochs, callbacks=(callback,))
    steps = np.arange(epochs * per_epoch, dtype=np.int64)
    for backend in ("numpy", "tensorflow"):
        assert max_ulp(resolve(backend).evaluate(schedule, steps), fit) == 0, (name, backend)


def test_each_epoch_starts_from_the_float32_the_optimizer_holds(folder: Path) -> None:
    """Without the float32 read-back, compounding in Python floats gives other rates."""
    schedule = function(folder, "grows").bind(0.3, 1, 40)
    lr, naive = 0.3, []
    for _ in range(40):
        lr = lr * 1.1 + 1e-9
        naive.append(np.float32(lr))
    assert max_ulp(schedule.rates, np.array(naive, np.float32)) > 0


def test_table_by_epoch(folder: Path) -> None:
    out = run("table", "sched.py:step_decay", "--initial-learning-rate", "0.01", "--epochs", "4",
              "--steps-per-epoch", "100", "--all", "--backend", "numpy", cwd=folder)
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    assert "LearningRateScheduler(step_decay) from 0.01 per epoch" in text
    rows = [line.split() for line in text.splitlines()[3:403]]
    assert {np.float32(r[2]) for r in rows[:200]} == {np.float32(0.01)}  # shortest float32 text
    assert np.float32(rows[200][2]) == np.float32(float(np.float32(0.01)) * math.exp(-0.1))


def test_a_billion_steps_plot_is_exact(folder: Path) -> None:
    out = run("plot", "sched.py:by_epoch", "--epochs", "1000", "--steps-per-epoch", "1000000",
              "--backend", "numpy", cwd=folder)
    assert out.returncode == 0, out.stderr
    assert b"sampled" not in out.stdout + out.stderr


@pytest.mark.parametrize("args, message", [
    (["sched.py:step_decay", "--epochs", "3", "--steps-per-epoch", "10"],
     "step_decay(epoch, lr) starts from the optimizer's learning rate: give it with"
     " --initial-learning-rate"),
    (["sched.py:by_epoch", "--steps", "30"], "by_epoch sets the rate once per epoch: give"
     " --steps-per-epoch"),
    (["sched.py:by_epoch", "--steps-per-epoch", "10"], "give --epochs"),
    (["sched.py:three", "--epochs", "3", "--steps-per-epoch", "10"],
     "three(a, b, c) cannot be called as three(epoch, lr) or three(epoch)"),
    (["sched.py:raises", "--lr", "0.1", "--epochs", "3", "--steps-per-epoch", "10"],
     "raises(2, 0.10000000149011612) raised ValueError: no rate"),
    (["sched.py:returns_int", "--lr", "0.1", "--epochs", "3", "--steps-per-epoch", "10"],
     "returned 1 (int): keras.callbacks.LearningRateScheduler accepts only a float"),
    (["sched.py:returns_none", "--epochs", "3", "--steps-per-epoch", "10"],
     "returns_none(0) returned None"),
    (["sched.py:by_epoch(3)", "--epochs", "3", "--steps-per-epoch", "10"],
     "name it without arguments"),
    (["sched.py:nothing", "--epochs", "3", "--steps-per-epoch", "10"], "has no nothing"),
])
def test_mistakes_are_one_line_errors(folder: Path, args: list[str], message: str) -> None:
    out = run("table", *args, cwd=folder)
    assert out.returncode == 2
    err = out.stderr.decode()
    assert err.count("\n") == 1 and message in err, err


def test_config_says_keras_json_cannot_hold_it(folder: Path) -> None:
    out = run("config", "sched.py:by_epoch", cwd=folder)
    assert out.returncode == 2
    assert out.stderr.decode().count("\n") == 1 and b"Keras JSON cannot hold it" in out.stderr
