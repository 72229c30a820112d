"""A ``keras.callbacks.LearningRateScheduler`` function: a rate per epoch, not per step.

Keras calls ``schedule(epoch, lr)`` at the start of each epoch, with ``lr`` the optimizer's
current rate read back as a Python float, falling back to ``schedule(epoch)`` on a TypeError;
it accepts only a float (or NumPy float) and assigns it to the optimizer's float32 variable. So
the ``lr`` the next epoch gets is the float32 rounding of what the function returned, and every
step of an epoch applies that float32 (``keras/src/callbacks/learning_rate_scheduler.py``).

lrtool repeats exactly that, from the initial rate over the epochs asked for, and maps epochs
onto steps with the steps per epoch. The function is the user's own code, run only because the
user named it (``FILE.py:function``). Its values are known epoch by epoch: an edge can be only
where an epoch starts, so plots of any length stay exact.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lrtool.schedules.opaque import OpaqueSchedule
from lrtool.schedules.params import ScheduleError
from lrtool.shape import Segments, Shape

if TYPE_CHECKING:
    import numpy as np

#: Calls of the user's function (one per epoch) lrtool makes at most for one run.
MAX_EPOCHS = 1_000_000


def check_signature(function: Callable[..., Any], name: str) -> bool:
    """Whether ``function`` takes ``(epoch, lr)``; False for ``(epoch)``; ScheduleError when it
    can be called neither way, as Keras's callback would fail on it."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return True  # a builtin or C function: Keras tries (epoch, lr) first too
    for args, takes_lr in (((0, 0.1), True), ((0,), False)):
        try:
            signature.bind(*args)
            return takes_lr
        except TypeError:
            continue
    raise ScheduleError(None, f"{name}{signature} cannot be called as {name}(epoch, lr) or"
                        f" {name}(epoch), as keras.callbacks.LearningRateScheduler calls it")


class EpochFunction(OpaqueSchedule):
    """A LearningRateScheduler function, run from ``initial`` for ``epochs`` epochs of
    ``steps_per_epoch`` steps (``bind``); until bound it is only the function."""

    per_epoch = True
    bad_rate_hint = "it is what the function returned for that epoch"

    def __init__(self, function: Callable[..., Any], name: str, takes_lr: bool) -> None:
        super().__init__(function, name)
        self.takes_lr = takes_lr
        self.initial: float | None = None
        self.steps_per_epoch = 0
        self.rates: Any = None  # float32 per epoch, once bound

    def label(self) -> str:
        start = f" from {self.initial!r}" if self.takes_lr and self.initial is not None else ""
        return f"LearningRateScheduler({self.keras_name}){start} per epoch"

    def keras_config(self) -> dict[str, Any]:
        raise ScheduleError(None, f"{self.keras_name} is a LearningRateScheduler function, not a"
                            " LearningRateSchedule: Keras JSON cannot hold it")

    def call(self, epoch: int, lr: float) -> float:
        """One call as the callback makes it; ScheduleError saying why Keras would fail."""
        shown = f"{self.keras_name}({epoch}, {lr!r})" if self.takes_lr else (
            f"{self.keras_name}({epoch})")
        try:
            try:
                value = self.obj(epoch, lr)
            except TypeError:  # Keras's fallback to the old API, whatever raised it
                value = self.obj(epoch)
        except Exception as exc:  # the user's code, failing in its own way
            reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
            raise ScheduleError(None, f"{shown} raised {type(exc).__name__}"
                                + (f": {reason}" if reason else "")) from None
        import numpy as np

        if isinstance(value, bool) or not isinstance(value, (float, np.float32, np.float64)):
            raise ScheduleError(None, f"{shown} returned {value!r:.60}"
                                f" ({type(value).__name__}): keras.callbacks.LearningRateScheduler"
                                " accepts only a float")
        return float(value)

    def bind(self, initial: float, steps_per_epoch: int, epochs: int) -> EpochFunction:
        """The rates of ``epochs`` epochs from ``initial``, as the callback sets them."""
        import numpy as np

        if epochs > MAX_EPOCHS:
            raise ScheduleError(None, f"{epochs:,} epochs is more than the {MAX_EPOCHS:,} calls"
                                f" of {self.keras_name} lrtool makes")
        bound = EpochFunction(self.obj, self.keras_name, self.takes_lr)
        bound.initial, bound.steps_per_epoch = initial, steps_per_epoch
        rates = np.empty(epochs, np.float32)
        lr = float(np.float32(initial))  # the optimizer's float32 variable, read back
        with np.errstate(over="ignore"):
            for epoch in range(epochs):
                rates[epoch] = np.float32(self.call(epoch, lr))
                lr = float(rates[epoch])
        bound.rates = rates
        return bound

    def suggested_steps(self) -> int:
        return len(self.rates) * self.steps_per_epoch if self.rates is not None else 10

    def epoch(self, steps: np.ndarray) -> np.ndarray:
        """The epoch each step is in (as floats, the segment index of ``lrtool.shape``)."""
        import numpy as np

        return (np.asarray(steps, np.int64) // self.steps_per_epoch).astype(np.float64)

    def formula(self, steps: np.ndarray, mode: str = "graph") -> np.ndarray:
        """The rate of each step's epoch: the same in every mode, as Python computes it."""
        import numpy as np

        if self.rates is None:
            raise ScheduleError(None, f"{self.keras_name} needs the run's epochs first")
        epochs = np.asarray(steps, np.int64) // self.steps_per_epoch
        if epochs.size and int(epochs.max()) >= len(self.rates):
            raise ScheduleError(None, f"step {int(steps.max())} is past the {len(self.rates)}"
                                f" epochs {self.keras_name} was run for")
        return self.rates[epochs]

    def shape(self, mode: str = "graph") -> Shape | None:  # type: ignore[override]
        """Constant within each epoch: edges only where an epoch starts and the rate moves."""
        if self.rates is None:
            return None
        return Shape(Segments(self.epoch), monotone=False, bad="stretch")
