"""A constant learning rate: what an optimizer compiled with ``learning_rate=0.001`` applies.

Keras has no schedule class for it: the optimizer keeps the number in a float32 variable and
applies that variable at every step. lrtool shows it as a schedule of its own so that a saved
model compiled with a plain rate reads like any other (one value, no edges), rather than as a
``PiecewiseConstantDecay`` with made-up boundaries that the user never wrote. It is not in the
registry: it cannot be written as Keras schedule JSON (``lrtool config`` says so), and the
Keras classes the registry mirrors do not include it.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from lrtool.schedules.base import Schedule
from lrtool.schedules.params import ScheduleError, arg, number_text, require_number
from lrtool.shape import NoEdges, Shape

if TYPE_CHECKING:
    import numpy as np

    from lrtool.schedules.kmath import Mode


@dataclasses.dataclass(frozen=True)
class Constant(Schedule):
    """The optimizer's own float32 ``learning_rate`` variable, the same at every step.

    Example:
        Constant(0.01) gives float32(0.01) (0.009999999776482582) at every step
    """

    keras_name = "Constant"
    keras_module = ""
    example = {"learning_rate": 0.001}
    dtype_arguments = ("learning_rate",)

    learning_rate: float = arg("The optimizer's learning rate, a float32 variable.",
                               typical=(1e-5, 1.0), scale="log")

    def validate(self) -> None:
        require_number("learning_rate", self.learning_rate, minimum=0)

    def keras_config(self) -> dict[str, Any]:
        raise ScheduleError(None, "a constant learning rate is no Keras schedule: in Keras it"
                            f" is the optimizer's learning_rate={number_text(self.learning_rate, True)}")

    def formula(self, steps: np.ndarray, mode: Mode = "graph") -> np.ndarray:
        import numpy as np

        return np.full(np.shape(steps), self.learning_rate, dtype=np.float32)

    def shape(self, mode: Mode = "graph") -> Shape:
        return Shape(NoEdges(), monotone=True, bad="never")
