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

from lrtool.evaluate import Evaluation, evaluate  # noqa: E402
from lrtool.schedules import (
    REGISTRY,
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    OpaqueSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
    Schedule,
    ScheduleError,
)
from lrtool.steps import Steps

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
