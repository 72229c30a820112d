"""transformers' TensorFlow ``WarmUp`` class, for the tensorflow backend without transformers.

The ``__call__`` is transformers' own (``transformers/optimization_tf.py``), operation for
operation, so TensorFlow computes what it computes in ``model.fit``. Unlike transformers',
``from_config`` turns the nested decay_schedule_fn of Keras JSON back into a schedule, so that
``keras.optimizers.schedules.deserialize(..., custom_objects=custom_objects())`` builds it.
The class is made on first use: TensorFlow is imported only then.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def warmup_class() -> type:
    """The ``WarmUp`` LearningRateSchedule class, built once."""
    import keras
    import tensorflow as tf

    class WarmUp(keras.optimizers.schedules.LearningRateSchedule):
        """A polynomial warmup to ``initial_learning_rate``, then ``decay_schedule_fn``
        called with ``step - warmup_steps``."""

        def __init__(self, initial_learning_rate: float, decay_schedule_fn: Any,
                     warmup_steps: int, power: float = 1.0, name: str | None = None) -> None:
            super().__init__()
            self.initial_learning_rate = initial_learning_rate
            self.warmup_steps = warmup_steps
            self.power = power
            self.decay_schedule_fn = decay_schedule_fn
            self.name = name

        def __call__(self, step: Any) -> Any:
            with tf.name_scope(self.name or "WarmUp") as name:
                global_step_float = tf.cast(step, tf.float32)
                warmup_steps_float = tf.cast(self.warmup_steps, tf.float32)
                warmup_percent_done = global_step_float / warmup_steps_float
                warmup_learning_rate = self.initial_learning_rate * tf.math.pow(
                    warmup_percent_done, self.power)
                return tf.cond(
                    global_step_float < warmup_steps_float,
                    lambda: warmup_learning_rate,
                    lambda: self.decay_schedule_fn(step - self.warmup_steps),
                    name=name,
                )

        def get_config(self) -> dict[str, Any]:
            return {
                "initial_learning_rate": self.initial_learning_rate,
                "decay_schedule_fn": keras.optimizers.schedules.serialize(self.decay_schedule_fn),
                "warmup_steps": self.warmup_steps,
                "power": self.power,
                "name": self.name,
            }

        @classmethod
        def from_config(cls, config: dict[str, Any]) -> Any:
            inner = config["decay_schedule_fn"]
            if isinstance(inner, dict):
                inner = keras.optimizers.schedules.deserialize(
                    inner, custom_objects=custom_objects())
            return cls(**{**config, "decay_schedule_fn": inner})

    WarmUp.__module__ = "transformers.optimization_tf"
    return WarmUp


def custom_objects() -> dict[str, type]:
    """The classes lrtool's Keras JSON names that Keras itself does not know."""
    return {"WarmUp": warmup_class()}
