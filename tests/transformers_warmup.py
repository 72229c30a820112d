"""transformers' TensorFlow ``WarmUp``, copied from ``transformers/optimization_tf.py``, as the
reference lrtool's own WarmUp must match bit for bit (transformers is not installed here).

``reference_object`` builds the Keras object any registry schedule stands for: Keras's own
from the schedule's JSON, and for a WarmUp this copy, around the reference of its inner schedule.
"""

from __future__ import annotations

import functools
from typing import Any

from lrtool.keras_json import to_keras
from lrtool.schedules import Schedule, WarmUp


@functools.cache
def transformers_warmup() -> type:
    import tensorflow as tf

    class TransformersWarmUp(tf.keras.optimizers.schedules.LearningRateSchedule):
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
                "decay_schedule_fn": self.decay_schedule_fn,
                "warmup_steps": self.warmup_steps,
                "power": self.power,
                "name": self.name,
            }

    return TransformersWarmUp


def reference_object(schedule: Schedule) -> Any:
    """The Keras (or transformers) object the schedule describes, built without lrtool's code."""
    import tensorflow as tf

    if isinstance(schedule, WarmUp):
        return transformers_warmup()(schedule.initial_learning_rate,
                                     reference_object(schedule.decay_schedule_fn),
                                     schedule.warmup_steps, schedule.power)
    return tf.keras.optimizers.schedules.deserialize(to_keras(schedule))
