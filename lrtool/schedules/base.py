"""What a schedule is: Keras's arguments as data, plus the formula Keras applies to them.

A schedule class is a frozen dataclass whose fields are the Keras constructor's arguments, under
the same names and with the same defaults (``params.arg``), so that a Keras config maps onto it
one to one. Its module adds validation, the NumPy ``formula``, and a short ``shape`` stating
where the value jumps or turns (``lrtool.shape``). Nothing here knows of click, backends, plots
or tables.

Example:
    >>> from lrtool.schedules import InverseTimeDecay
    >>> s = InverseTimeDecay(0.1, decay_steps=1000, decay_rate=0.5)
    >>> s.label()
    'InverseTimeDecay(initial_learning_rate=0.1, decay_steps=1000, decay_rate=0.5)'
    >>> s.with_staircase(True).keras_config()["staircase"]
    True
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar

from lrtool.schedules.params import ScheduleError, number_text
from lrtool.suggest import did_you_mean

if TYPE_CHECKING:
    import numpy as np

    from lrtool.schedules.kmath import Mode
    from lrtool.shape import Shape


#: A list argument longer than this is labelled by its first and last LABEL_KEEP items: a
#: title or caption cannot show a million boundaries, and writing them out would take seconds.
LABEL_ITEMS = 64
LABEL_KEEP = 4


def argument_text(value: Any, keep_floats: bool) -> str:
    """An argument as a label writes it; a long list shortened to its first and last
    LABEL_KEEP items, with how many are left out between them."""
    if not isinstance(value, (list, tuple)) or len(value) <= LABEL_ITEMS:
        return number_text(value, keep_floats)
    keep = LABEL_KEEP
    head = number_text(list(value[:keep]), keep_floats)[:-1]
    tail = number_text(list(value[-keep:]), keep_floats)[1:]
    return f"{head}, ...{len(value) - 2 * keep:,} more..., {tail}"


@dataclasses.dataclass(frozen=True)
class Milestone:
    """A step the author of a schedule set it up to reach: the first stair, a boundary, the end
    of the warmup or of the decay, the first restart.

    A run whose last step comes before ``step`` never gets there: the commonest reason a
    learning rate "never decayed" (decay_steps counted in epochs, or for a longer run). ``what``
    names it as written (``decay_steps (100000)``), ``missed`` says what the run then never
    shows. ``gradual`` marks a time scale rather than an event (a continuous decay's
    decay_steps): a run shorter than it surprises only if the rate then barely moves.
    """

    what: str
    step: int
    missed: str = ""
    gradual: bool = False
    plural: bool = False


@dataclasses.dataclass(frozen=True)
class Schedule:
    """Base of the schedules lrtool knows the formula of."""

    #: The class name, as in ``keras.optimizers.schedules.<keras_name>``.
    keras_name: ClassVar[str] = ""
    #: The module Keras's serialize format names for the class.
    keras_module: ClassVar[str] = "keras.optimizers.schedules"
    #: What Keras's serialize format writes as ``registered_name`` for the class.
    registered_name: ClassVar[str | None] = None
    #: Arguments of the Keras documentation's example, for error messages and CLI defaults.
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

    def validate(self) -> None:
        """Raise ScheduleError for arguments Keras would reject or that make no schedule."""

    # --- arguments ------------------------------------------------------------------------

    def arguments(self) -> dict[str, Any]:
        """The Keras constructor arguments, in Keras's order."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def keras_config(self) -> dict[str, Any]:
        """What Keras's ``get_config()`` returns for the same schedule (``name`` included)."""
        return {**self.arguments(), "name": self.default_name()}

    def serialized(self) -> dict[str, Any]:
        """What ``keras.optimizers.schedules.serialize`` returns for the same schedule."""
        return {"module": self.keras_module, "class_name": self.keras_name,
                "config": self.keras_config(), "registered_name": self.registered_name}

    @classmethod
    def default_name(cls) -> str:
        return cls.keras_name

    @classmethod
    def signature(cls) -> tuple[str, ...]:
        """Keras's parameter order, for positional arguments."""
        return cls.keras_signature or (*(f.name for f in dataclasses.fields(cls)), "name")

    @classmethod
    def from_arguments(cls, arguments: dict[str, Any], notes: list[str] | None = None) -> Schedule:
        """Build from Keras keyword arguments, naming missing and unknown ones.

        ``name`` is accepted and ignored: it labels TensorFlow ops, it changes no value. With
        ``notes``, arguments Keras cannot run but that have an obvious repair (Keras's own
        CosineDecay example writes an int 0 where it fails unless it is 0.0) are repaired, and
        a note says what Keras would do with them as written.
        """
        if notes is not None:
            try:
                return cls.from_arguments(arguments)
            except ScheduleError as exc:
                if not exc.repair:
                    raise
                fixed = ", ".join(f"{k}={number_text(v, True)}" for k, v in exc.repair.items())
                notes.append(f"{cls.keras_name}: {exc.argument} {exc.message}; showing it with"
                             f" {fixed}")
                return cls.from_arguments({**arguments, **exc.repair})
        fields = {f.name: f for f in dataclasses.fields(cls)}
        given = {k: v for k, v in arguments.items() if k != "name"}
        unknown = sorted(set(given) - set(fields))
        if unknown:
            hint = did_you_mean(unknown[0], fields) or f"it takes {', '.join(fields)}"
            raise ScheduleError(unknown[0], f"{cls.keras_name} has no argument {unknown[0]!r};"
                                f" {hint}")
        missing = [name for name, f in fields.items() if name not in given
                   and f.default is dataclasses.MISSING
                   and f.default_factory is dataclasses.MISSING]
        if missing:
            raise ScheduleError(missing[0], f"{cls.keras_name} needs the argument {missing[0]!r}")
        return cls(**given)

    def label(self) -> str:
        """The schedule as a Keras constructor call, without arguments left at their default."""
        defaults = {f.name: f.default for f in dataclasses.fields(self)}
        inner = ", ".join(
            f"{k}={argument_text(v, self.int_rate or k in self.dtype_arguments)}"
            for k, v in self.arguments().items()
            if defaults[k] is dataclasses.MISSING or getattr(self, k) != defaults[k]
        )
        return f"{self.keras_name}({inner})"

    @property
    def has_staircase(self) -> bool:
        return any(f.name == "staircase" for f in dataclasses.fields(self))

    def with_staircase(self, staircase: bool) -> Schedule:
        return dataclasses.replace(self, staircase=staircase)  # type: ignore[call-arg]

    # --- the values -----------------------------------------------------------------------

    @property
    def int_rate(self) -> bool:
        """An int ``initial_learning_rate``: Keras then computes in int32 and float64, not float32."""
        rate = getattr(self, "initial_learning_rate", None)
        return isinstance(rate, int) and not isinstance(rate, bool)

    def value_dtype(self) -> str:
        """The NumPy dtype name of the values Keras returns ("float32" unless an int changes it)."""
        return "float32"

    def suggested_steps(self) -> int:
        """How many steps show the schedule's shape when the user does not say."""
        return 10

    def formula(self, steps: np.ndarray, mode: Mode = "graph") -> np.ndarray:
        """The values Keras computes at these int64 steps, in the dtype it computes in, as
        ``model.fit`` runs it in ``mode`` (``kmath.Mode``): operation for operation, with the
        rewrites TensorFlow's graph optimizer makes."""
        raise NotImplementedError

    def shape(self, mode: Mode = "graph") -> Shape | None:
        """Where the value jumps or turns in ``mode`` (see ``lrtool.shape``); None: unknown."""
        return None

    def surprises(self, first: int, last: int) -> list[str]:
        """Why this schedule would surprise its author over steps first..last: one line each.

        Not errors: Keras runs these schedules as written; the CLI shows them as warnings.
        Steps the schedule is set up to reach are ``milestones``, judged in one place
        (``lrtool.surprises``) so that every schedule's are phrased and filtered alike.
        """
        return []

    def milestones(self, last: int) -> list[Milestone]:
        """The steps this schedule is set up to reach, in order (see ``Milestone``); a run
        ending at ``last`` misses those after it. Only those near ``last`` need be listed."""
        return []
