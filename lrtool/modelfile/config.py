"""The compiled optimizer's learning rate, found in a model's config as Keras writes it.

Keras 3 keeps it in ``compile_config.optimizer.config.learning_rate`` (``config.json`` of a
``.keras`` archive, ``model.to_json()``); legacy ``.h5`` files keep the optimizer in the
``training_config`` attribute as ``optimizer_config``. The rate is a float (the optimizer's
float32 variable: shown as ``Constant``) or a serialized schedule (read by ``lrtool.keras_json``:
a custom class needs ``--import``). Nothing is deserialized by Keras, nothing is built.
"""

from __future__ import annotations

from typing import Any

from lrtool.keras_json import OPTIMIZERS, Custom, from_keras
from lrtool.schedules import AnySchedule, ScheduleError
from lrtool.schedules.constant import Constant
from lrtool.textinput import printable

#: Keras's model classes, and the keys only a model's config has: how a model is told apart
#: from a schedule or an optimizer in JSON.
MODEL_CLASSES = frozenset({"Sequential", "Functional", "Model"})
MODEL_KEYS = ("compile_config", "build_config", "training_config")


def is_model(document: Any) -> bool:
    """Whether decoded JSON is a model's config (``config.json``, ``model.to_json()``)."""
    if not isinstance(document, dict) or not isinstance(document.get("class_name"), str):
        return False
    config = document.get("config")
    return (document["class_name"] in MODEL_CLASSES or any(k in document for k in MODEL_KEYS)
            or (isinstance(config, dict) and isinstance(config.get("layers"), list)))


def model_name(document: dict[str, Any]) -> str:
    """``Sequential 'classifier'``: the model as its config names it, for messages."""
    config = document.get("config")
    name = config.get("name") if isinstance(config, dict) else None
    shown = printable(str(document.get("class_name")), 40)
    return f"{shown} {printable(name, 40)!r}" if isinstance(name, str) else shown


def optimizer_of(document: dict[str, Any], training: Any = None) -> dict[str, Any]:
    """The serialized optimizer a model was compiled with; ScheduleError when there is none.

    ``training`` is a legacy ``.h5`` file's ``training_config`` (None: not in the file).
    """
    compiled = None
    if training is not None:
        optimizer = training.get("optimizer_config") if isinstance(training, dict) else None
    else:
        compiled = document.get("compile_config")
        optimizer = compiled.get("optimizer") if isinstance(compiled, dict) else None
    if optimizer is None and training is None and isinstance(compiled, dict) and compiled:
        raise ScheduleError(None, f"the model ({model_name(document)}) was compiled, but its"
                            " config leaves the optimizer out (model.to_json() does): give the"
                            " model.save('model.keras') file, or the config.json inside it")
    if optimizer is None:
        raise ScheduleError(None, f"the model ({model_name(document)}) was saved without"
                            " compile(), so it holds no optimizer and no learning rate: save it"
                            " after model.compile(optimizer=...)")
    if isinstance(optimizer, str):  # compile(optimizer="adam") before Keras resolved it
        raise ScheduleError(None, f"the model was compiled with optimizer={optimizer!r}, saved"
                            " by name only: its learning rate is the optimizer's default")
    if not isinstance(optimizer, dict) or not isinstance(optimizer.get("config"), dict):
        raise ScheduleError(None, "the model's optimizer config is not a Keras optimizer")
    inner = optimizer["config"].get("inner_optimizer")  # LossScaleOptimizer wraps the real one
    return inner if isinstance(inner, dict) and isinstance(inner.get("config"), dict) else optimizer


def learning_rate(optimizer: dict[str, Any], custom: Custom | None = None,
                  notes: list[str] | None = None) -> AnySchedule:
    """The schedule an optimizer config applies: a constant rate or a serialized schedule."""
    config = optimizer["config"]
    name = printable(str(optimizer.get("class_name")), 40)
    rate = config.get("learning_rate", config.get("lr"))
    if isinstance(rate, (int, float)) and not isinstance(rate, bool):
        return Constant(float32_text(rate))
    if isinstance(rate, dict) and isinstance(rate.get("class_name"), str):
        if rate["class_name"] in OPTIMIZERS:
            raise ScheduleError(None, f"the {name} optimizer's learning rate is an optimizer")
        return from_keras(rate, custom, notes)
    raise ScheduleError(None, f"the {name} optimizer has no learning rate lrtool can read"
                        f" (learning_rate={printable(repr(rate), 40)})")


def schedule_of(document: Any, custom: Custom | None = None, notes: list[str] | None = None,
                training: Any = None) -> AnySchedule:
    """The learning rate of the optimizer a model's config was compiled with."""
    if not isinstance(document, dict):
        raise ScheduleError(None, "the model config is not a JSON object")
    return learning_rate(optimizer_of(document, training), custom, notes)


def float32_text(rate: float) -> float:
    """The shortest float naming the same float32 as ``rate``: Keras writes the optimizer's
    float32 variable as a float64 (0.009999999776482582 for 0.01), and the optimizer applies the
    float32, which 0.01 names too."""
    import math

    if not math.isfinite(rate):
        return float(rate)
    import numpy as np

    with np.errstate(over="ignore"):
        single = np.float32(rate)
    return float(str(single)) if np.isfinite(single) else float(rate)
