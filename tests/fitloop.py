"""The learning rate Keras's optimizer really applies at each step of ``model.fit``.

One scalar weight ``w``; the model's output is ``x*0 + w`` and the loss its mean, so the gradient
is exactly 1.0. SGD (momentum 0) does ``w -= gradient * cast(schedule(iterations), float32)``
(keras/src/optimizers/sgd.py ``update_step``), and a callback records ``-w`` after every batch
and puts ``w`` back to 0: since ``0 - 1 * lr`` is exact, ``-w`` is bit for bit the rate that
step used. The optimizer is built first and its ``iterations`` set to ``start``, so steps past
2**24 or 2**31 are measured without training that long.

Modes: "graph" is Keras's default compile (``jit_compile="auto"`` is False on a CPU-only
machine), "eager" is ``run_eagerly=True``, "xla" is ``jit_compile=True``. Shared by the
exactness tests and ``benchmarks/exactness.py``.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import numpy as np

MODES = ("graph", "eager", "xla")
P24 = 2**24 - 150  # crosses 2**24, where float32 stops representing every integer step
P31 = 2**31 - 150  # crosses 2**31, where an int learning rate's int32 step wraps

#: Parameter sets: (lrtool expression, first step). Fractional decay steps, staircase, steps
#: past 2**24 and 2**31, cycle with several powers, warmup, alpha, t_mul/m_mul, int rates.
CONFIGS = {
    "E1": ("ExponentialDecay(0.1, 7.5, 0.3)", 0),
    "E2": ("ExponentialDecay(0.1, 7.5, 0.3, staircase=True)", 0),
    "E3": ("ExponentialDecay(0.1, 1000, 0.96)", P24),
    "E5": ("ExponentialDecay(1, 3, 2)", 0),
    "P1": ("PiecewiseConstantDecay([100, 200], [0.3, 0.2, 0.1])", 0),
    "P2": (f"PiecewiseConstantDecay([{2**24 + 10}], [0.5, 0.05])", P24),
    "P3": ("PiecewiseConstantDecay([100, 200], [3, 2, 1])", 0),
    "Y1": ("PolynomialDecay(0.1, 250.5, 0.001, power=0.5)", 0),
    "Y2": ("PolynomialDecay(0.1, 77.5, 0.001, power=2.0, cycle=True)", 0),
    "Y3": ("PolynomialDecay(0.1, 77.5, 0.001, power=1.0, cycle=True)", 0),
    "Y4": ("PolynomialDecay(0.1, 3e7, 0.0, power=1.5)", P24),
    "Y5": ("PolynomialDecay(1, 250, 0, power=2, cycle=True)", 0),
    "Y6": ("PolynomialDecay(0.1, 100.3, 0.01, power=3.0, cycle=True)", 0),
    "I1": ("InverseTimeDecay(0.1, 7, 0.5)", 0),
    "I2": ("InverseTimeDecay(0.1, 2.5, 0.3, staircase=True)", 0),
    "I3": ("InverseTimeDecay(1, 3, 2)", 0),
    "I4": ("InverseTimeDecay(0.1, 1000.5, 0.7)", P24),
    "I6": ("InverseTimeDecay(1, 3, 2)", P31),
    "C1": ("CosineDecay(0.1, 250.5, alpha=0.1)", 0),
    "C2": ("CosineDecay(0.1, 200, alpha=0.2, warmup_target=0.5, warmup_steps=50)", 0),
    "C3": ("CosineDecay(0.1, 3e7)", P24),
    "C4": ("CosineDecay(0.05, 150.5, warmup_target=0.3, warmup_steps=37)", 0),
    "C5": ("CosineDecay(1, 250)", 0),
    "R1": ("CosineDecayRestarts(0.1, 40.5, t_mul=2.0, m_mul=0.8, alpha=0.05)", 0),
    "R2": ("CosineDecayRestarts(0.1, 30, t_mul=1.0, m_mul=0.8)", 0),
    "R3": ("CosineDecayRestarts(0.1, 20.5, t_mul=1.5, m_mul=0.9, alpha=0.1)", 0),
    "R4": ("CosineDecayRestarts(0.1, 1000, t_mul=2.0, m_mul=1.0)", P24),
    "R5": ("CosineDecayRestarts(1, 30, t_mul=1.0, m_mul=1.0)", 0),
    "W1": ("WarmUp(0.1, PolynomialDecay(0.1, 250.5, 0.001), 50)", 0),
    "W2": ("WarmUp(0.3, PolynomialDecay(0.2, 100.5, 0.01, power=0.5), 77, power=2.0)", 0),
    "W3": ("WarmUp(0.05, CosineDecay(0.1, 250.5, alpha=0.1), 33, power=0.7)", 0),
    "W4": ("WarmUp(0.1, ExponentialDecay(0.1, 1000, 0.96), 2**24 + 5)", P24),
}


@functools.cache
def _classes() -> tuple[type, type]:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    class Weight(keras.layers.Layer):
        """Output ``x*0 + w`` for one scalar float32 weight ``w``, starting at 0."""

        def build(self, input_shape: Any) -> None:
            self.w = self.add_weight(shape=(), initializer="zeros", name="w", dtype="float32")

        def call(self, x: Any) -> Any:
            return x * 0.0 + self.w

    class Record(keras.callbacks.Callback):
        """After every batch: record ``-w``, then put ``w`` back to 0."""

        def __init__(self, weight: Any, out: np.ndarray) -> None:
            super().__init__()
            self.weight, self.out, self.i = weight, out, 0

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            self.out[self.i] = -self.weight.value.numpy()
            self.i += 1
            self.weight.assign(0.0)

    return Weight, Record


def applied_rates(schedule: Any, steps: int, start: int = 0, mode: str = "graph",
                  epochs: int = 1, callbacks: tuple[Any, ...] = ()) -> np.ndarray:
    """The float32 rate SGD applied at steps ``start .. start + steps - 1`` of ``model.fit``,
    run as ``epochs`` epochs of ``steps // epochs`` steps with ``callbacks`` (a
    LearningRateScheduler) besides the recording one."""
    import keras

    weight_layer, record_callback = _classes()
    inputs = keras.Input(shape=(1,), dtype="float32")
    layer = weight_layer()
    model = keras.Model(inputs, layer(inputs))
    optimizer = keras.optimizers.SGD(learning_rate=schedule, momentum=0.0)
    optimizer.build(model.trainable_variables)
    optimizer.iterations.assign(start)
    options = {"eager": {"run_eagerly": True}, "xla": {"jit_compile": True}}.get(mode, {})
    model.compile(optimizer=optimizer, loss=lambda y, p: keras.ops.mean(p), **options)
    if mode == "graph":
        assert not model.jit_compile and not model.run_eagerly  # Keras's default, on a CPU
    out = np.full(steps, np.nan, dtype=np.float32)
    record = record_callback(layer.w, out)
    x = np.zeros((steps // epochs, 1), dtype=np.float32)
    model.fit(x, x, batch_size=1, epochs=epochs, shuffle=False, verbose=0,
              callbacks=[record, *callbacks])
    assert record.i == steps and int(optimizer.iterations.numpy()) == start + steps
    return out


def ulps(a: Any, b: Any) -> np.ndarray:
    """Signed distance of float32 values in units in the last place (-0.0 == +0.0; nan == nan)."""

    def key(x: Any) -> np.ndarray:
        i = np.asarray(x, dtype=np.float32).view(np.int32).astype(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFF), i)

    a32, b32 = np.asarray(a, np.float32), np.asarray(b, np.float32)
    return np.where(np.isnan(a32) & np.isnan(b32), 0, key(a32) - key(b32))


def max_ulp(a: Any, b: Any) -> int:
    return int(np.max(np.abs(ulps(a, b)))) if np.size(a) else 0
