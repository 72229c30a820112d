"""What every backend is: a name, and values at int64 steps in the dtype Keras returns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

NAMES = ("auto", "tensorflow", "numpy")
ENV_VAR = "LRTOOL_BACKEND"


class Backend(Protocol):
    """``name``; ``mode``: how ``model.fit`` runs the schedule (graph, eager or xla)."""

    name: str
    mode: str

    def evaluate(self, schedule: Any, steps: np.ndarray) -> np.ndarray:
        """The float32 rate the optimizer applies at each of these int64 steps."""
        ...


class BackendUnavailable(RuntimeError):
    """The requested backend cannot run here (or cannot run this schedule); the message says
    how to fix that."""
