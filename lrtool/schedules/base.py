"""What every schedule is: Keras arguments as data, plus the formula Keras applies to them.

A schedule class is a frozen dataclass whose fields are the Keras constructor's arguments, under the
same names and with the same defaults, so that a Keras config maps onto it one to one. This module
knows nothing of click or of any output: the CLI, the backends and the outputs all read schedules
through the small interface defined here.

NumPy is imported inside the methods that compute, so importing a schedule stays cheap (shell
completion imports the registry on every TAB).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import numpy as np


class ScheduleError(ValueError):
    """A schedule argument is unusable; ``argument`` names it so the CLI can name its option."""

    def __init__(self, argument: str | None, message: str) -> None:
        super().__init__(message)
        self.argument = argument
        self.message = message


def arg(help: str, **kwargs: Any) -> Any:
    """A dataclass field carrying the one-line help the CLI shows for it."""
    return dataclasses.field(metadata={"help": help}, **kwargs)


def number_text(value: object, keep_floats: bool = False) -> str:
    """Python literal text, with whole floats written as integers (1000, not 1000.0).

    ``keep_floats`` writes them as floats (1.0) for arguments whose int-ness changes what Keras
    computes, such as ``initial_learning_rate``.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16 and not keep_floats:
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(number_text(v, keep_floats) for v in value) + "]"
    return repr(value)


def require_finite(name: str, value: object) -> None:
    """Reject nan, inf and non-numbers: Keras would accept them and train on garbage."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScheduleError(name, f"must be a number, not {value!r}")
    if not math.isfinite(value):
        raise ScheduleError(name, f"must be a finite number, not {value!r}")


@dataclasses.dataclass(frozen=True)
class Schedule:
    """Base of all schedules: Keras config round trip, validation and the evaluation hooks."""

    #: The Keras class name, as in ``keras.optimizers.schedules.<keras_name>``.
    keras_name: ClassVar[str] = ""
    #: Arguments of the Keras documentation's example: the CLI's defaults, so that a bare
    #: ``lrtool table`` shows something meaningful.
    example: ClassVar[dict[str, Any]] = {}
    #: Why the schedule can give an unusable rate, shown with the first step that does.
    bad_rate_hint: ClassVar[str] = ""
    #: Arguments whose Python type (int or float) sets the dtype Keras computes in.
    dtype_arguments: ClassVar[tuple[str, ...]] = ("initial_learning_rate",)
    #: The Keras constructor's parameters in order, ``name`` included: how positional arguments
    #: of an expression map to names. Empty means the fields followed by ``name``.
    keras_signature: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        self.validate()

    # --- data -----------------------------------------------------------------------------

    def validate(self) -> None:
        """Raise ScheduleError for arguments Keras would reject or that make no schedule."""

    def arguments(self) -> dict[str, Any]:
        """The Keras constructor arguments, in Keras's order."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def keras_config(self) -> dict[str, Any]:
        """What Keras's ``get_config()`` returns for the same schedule (``name`` included)."""
        return {**self.arguments(), "name": self.default_name()}

    @classmethod
    def default_name(cls) -> str:
        return cls.keras_name

    @classmethod
    def signature(cls) -> tuple[str, ...]:
        """Keras's parameter order, for positional arguments."""
        return cls.keras_signature or (*(f.name for f in dataclasses.fields(cls)), "name")

    @classmethod
    def from_arguments(cls, arguments: dict[str, Any]) -> Schedule:
        """Build from Keras keyword arguments, naming missing and unknown ones.

        ``name`` is accepted and ignored: it labels TensorFlow ops, it changes no value.
        """
        fields = {f.name: f for f in dataclasses.fields(cls)}
        given = {k: v for k, v in arguments.items() if k != "name"}
        unknown = sorted(set(given) - set(fields))
        if unknown:
            raise ScheduleError(
                unknown[0],
                f"{cls.keras_name} has no argument {unknown[0]!r}"
                f" (it takes {', '.join(fields)})",
            )
        missing = [
            name
            for name, f in fields.items()
            if name not in given
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        ]
        if missing:
            raise ScheduleError(missing[0], f"{cls.keras_name} needs the argument {missing[0]!r}")
        return cls(**given)

    def label(self) -> str:
        """The schedule as a Keras constructor call, for captions and titles.

        Example:
            InverseTimeDecay(initial_learning_rate=0.1, decay_steps=1000, decay_rate=0.5)
        """
        inner = ", ".join(
            f"{k}={number_text(v, self.int_rate or k in self.dtype_arguments)}"
            for k, v in self.arguments().items()
            if not self._is_default(k)
        )
        return f"{self.keras_name}({inner})"

    def _is_default(self, name: str) -> bool:
        field = next(f for f in dataclasses.fields(self) if f.name == name)
        return field.default is not dataclasses.MISSING and getattr(self, name) == field.default

    # --- staircase ------------------------------------------------------------------------

    @property
    def has_staircase(self) -> bool:
        return any(f.name == "staircase" for f in dataclasses.fields(self))

    def with_staircase(self, staircase: bool) -> Schedule:
        return dataclasses.replace(self, staircase=staircase)  # type: ignore[call-arg]

    # --- formula --------------------------------------------------------------------------

    def suggested_steps(self) -> int:
        """How many steps show the schedule's shape when the user does not say."""
        return 10

    @property
    def int_rate(self) -> bool:
        """An int ``initial_learning_rate``: Keras then computes in int32 and float64, not float32."""
        rate = getattr(self, "initial_learning_rate", None)
        return isinstance(rate, int) and not isinstance(rate, bool)

    def value_dtype(self) -> str:
        """The NumPy dtype name of the values Keras returns ("float32" unless an int changes it)."""
        return "float32"

    def change_text(self, first: int, last: int) -> str:
        """How much the rate moves from step ``first`` to ``last``, as words for a warning."""
        import numpy as np

        a, b = (float(v) for v in self.evaluate_numpy(np.array([first, last], dtype=np.int64)))
        if a == b:
            return "the rate does not change"
        if a == 0 or not (np.isfinite(a) and np.isfinite(b)):
            return f"the rate goes from {a:.7g} to {b:.7g}"
        return f"the rate {'falls' if b < a else 'rises'} by only {abs(b / a - 1):.2%}"

    def surprises(self, first: int, last: int) -> list[str]:
        """Why this schedule would surprise its author over steps first..last: one line each.

        Not errors: Keras runs these schedules as written; the CLI shows the lines as warnings.
        """
        return []

    def evaluate_numpy(self, steps: np.ndarray) -> np.ndarray:
        """The float32 values Keras computes at these int64 steps, in Keras's operation order."""
        raise NotImplementedError

    def evaluate_keras(self, schedule: Any, steps: Any) -> Any:
        """Run the real Keras schedule object on a vector of steps (a tf.int64 tensor).

        Keras's element-wise schedules broadcast as they are; a schedule whose ``__call__`` is
        scalar-only overrides this, still running Keras's own code.
        """
        return schedule(steps)

    def edges(self, lo: int, hi: int, limit: int) -> list[int]:
        """Steps in [lo, hi] where the value jumps or turns (stair edges, restarts), ascending.

        Between two consecutive edges the schedule is monotone, which is what lets plots and
        tables show a billion steps from a few thousand evaluations. At most ``limit`` of them,
        spread evenly, when there are more.
        """
        return []

    def edge_count(self, lo: int, hi: int) -> int:
        """At least as many as there are edges in [lo, hi], known without finding them.

        A plot takes every edge of a schedule that turns, so it asks this first: to find them all
        when there are few enough, and to evaluate every step instead when that costs less. Not
        known by default: one per step, the most there can be.
        """
        return max(hi - lo, 0)

    def monotone(self, lo: int, hi: int) -> bool:
        """Whether the value only falls, or only rises, over steps [lo, hi], edges included.

        A plot column's extremes are then its first and last steps, so an even spread of the
        edges draws it exactly however many there are. False unless the schedule knows: a plot
        then takes every edge.
        """
        return False

    def first_bad_step(self, steps: Sequence[int]) -> int | None:
        """The first requested step whose value is not a usable rate (nan, inf, negative).

        The default evaluates every step with NumPy; schedules with a closed form override it.
        """
        from lrtool.backends.numpy_backend import first_bad_by_evaluation

        return first_bad_by_evaluation(self, steps)
