"""A schedule lrtool knows only as ``steps -> values``: a TensorFlow ``LearningRateSchedule``
object it did not write, such as a user's own subclass.

There is no formula to run with NumPy and no stated shape, so the safe defaults apply
(``lrtool.shape``): the tensorflow backend calls the object, plots evaluate every step while
that is affordable and sample each pixel column beyond (and say "sampled"), and unusable rates
are found by evaluating every requested step. Its Keras config is the object's own
``get_config``.
"""

from __future__ import annotations

from typing import Any

from lrtool.schedules.params import ScheduleError, number_text


class OpaqueSchedule:
    """A TensorFlow schedule object, with the name and arguments it was built from if known."""

    has_staircase = False
    int_rate = False
    bad_rate_hint = ""

    def __init__(self, obj: Any, name: str | None = None,
                 arguments: dict[str, Any] | None = None, steps: int = 10_000,
                 source: str | None = None) -> None:
        self.obj = obj
        self.keras_name = name or type(obj).__name__
        self._arguments = dict(arguments or {})
        self._steps = steps
        #: The file or module of ``FILE.py:Name(args)`` when built from one: with ``label``,
        #: the SCHEDULE text that builds it again (the explorer re-reads it after an edit).
        self.source = source

    def __repr__(self) -> str:
        return f"OpaqueSchedule({self.label()})"

    @property
    def keras_module(self) -> str:
        return type(self.obj).__module__

    def arguments(self) -> dict[str, Any]:
        """The literal constructor arguments it was built with, when lrtool built it."""
        return dict(self._arguments)

    def label(self) -> str:
        inner = ", ".join(f"{k}={number_text(v, True)}" for k, v in self._arguments.items())
        return f"{self.keras_name}({inner})"

    def keras_config(self) -> dict[str, Any]:
        """The object's own ``get_config()``; a class without one cannot be written as JSON."""
        get_config = getattr(self.obj, "get_config", None)
        try:
            config = get_config() if callable(get_config) else None
        except NotImplementedError:
            config = None
        except Exception as exc:  # the user's code, failing in its own way
            raise ScheduleError(None, f"{self.keras_name}.get_config() failed:"
                                f" {type(exc).__name__}: {exc}") from None
        if not isinstance(config, dict):
            raise ScheduleError(None, f"{self.keras_name} has no get_config() returning its"
                                " arguments, so it cannot be written as Keras JSON")
        return config

    def value_dtype(self) -> str:
        return "float32"

    def suggested_steps(self) -> int:
        return self._steps

    def shape(self, mode: str = "graph") -> None:
        return None

    def surprises(self, first: int, last: int) -> list[str]:
        return []
