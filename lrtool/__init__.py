"""lrtool: see every learning rate a Keras schedule will give your optimizer, before you train.

The library is usable without the CLI::

    >>> from lrtool import InverseTimeDecay, evaluate
    >>> evaluate(InverseTimeDecay(0.1, 1, 0.5), range(3), backend="numpy").values.tolist()
    [0.10000000149011612, 0.06666667014360428, 0.05000000074505806]
    >>> from lrtool.spec import parse
    >>> parse("PiecewiseConstantDecay([1000], [1e-2, 1e-3])").label()
    'PiecewiseConstantDecay(boundaries=[1000], values=[0.01, 0.001])'
"""

from lrtool.startup import install_if_command

install_if_command()  # first: Ctrl-C during the imports below ends the command quietly

from typing import Any  # noqa: E402

#: Where each public name lives; imported on first use, so that the CLI's --help and shell
#: completion do not load what they do not need.
_PUBLIC = {
    "Evaluation": "lrtool.evaluation", "evaluate": "lrtool.evaluation", "Steps": "lrtool.steps",
    **{name: "lrtool.schedules" for name in (
        "REGISTRY", "CosineDecay", "CosineDecayRestarts", "ExponentialDecay", "InverseTimeDecay",
        "OpaqueSchedule", "PiecewiseConstantDecay", "PolynomialDecay", "Schedule",
        "ScheduleError")},
}


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'lrtool' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_PUBLIC[name]), name)


__all__ = [
    "REGISTRY",
    "CosineDecay",
    "CosineDecayRestarts",
    "Evaluation",
    "ExponentialDecay",
    "InverseTimeDecay",
    "OpaqueSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "Schedule",
    "ScheduleError",
    "Steps",
    "evaluate",
]
