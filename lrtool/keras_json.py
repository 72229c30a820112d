"""Schedules to and from the JSON Keras writes: ``keras.optimizers.schedules.serialize`` output.

Read: the serialize form (``module``, ``class_name``, ``config``, ``registered_name``), the older
``{"class_name", "config"}`` form, and an optimizer's config whose ``learning_rate`` holds a
schedule (``optimizer.get_config()``, ``keras.optimizers.serialize(optimizer)``, or a model's
``compile_config``). Written: the serialize form, which ``keras.optimizers.schedules.deserialize``
turns back into a schedule giving the same values.

Ints and floats keep their JSON spelling (``1`` versus ``1.0``), since Keras computes differently
with an int initial rate. No Keras import: this must work without TensorFlow.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from lrtool.schedules import REGISTRY, AnySchedule, OpaqueSchedule, ScheduleError
from lrtool.schedules.params import short_repr
from lrtool.suggest import did_you_mean
from lrtool.textinput import printable

#: Where an optimizer or a model keeps its learning rate or its optimizer, in search order.
_NESTED = ("learning_rate", "lr", "optimizer", "compile_config", "config")


def to_keras(schedule: AnySchedule) -> dict[str, Any]:
    """The dict ``keras.optimizers.schedules.serialize`` returns for the same schedule."""
    if isinstance(schedule, OpaqueSchedule):
        return _serialize(schedule)
    return schedule.serialized()


def _serialize(schedule: OpaqueSchedule) -> dict[str, Any]:
    """Keras's own serialize form of a TensorFlow schedule object (a registered class keeps
    its ``registered_name``), checked for a config first so the error says what is missing."""
    schedule.keras_config()
    import keras

    return keras.optimizers.schedules.serialize(schedule.obj)


def dumps(schedule: AnySchedule, indent: int | None = 2) -> str:
    """The serialize form as JSON text (ends without a newline)."""
    return json.dumps(to_keras(schedule), indent=indent)


#: Custom schedules: Keras JSON of a class lrtool does not know -> a schedule (``--import``).
Custom = Callable[[dict[str, Any]], AnySchedule]


def loads(text: str, custom: Custom | None = None,
          notes: list[str] | None = None) -> AnySchedule:
    """A schedule from JSON text in any of the accepted forms; ScheduleError says what is wrong.

    ``notes`` collects repairs of arguments Keras could not run (``Schedule.from_arguments``).
    """
    return from_keras(decode(text), custom, notes)


def decode(text: str) -> Any:
    """Decoded JSON text; ScheduleError says in one line why it is not usable JSON.

    msgspec reads it first: five times faster than the json module on a config of a million
    numbers, with the same values (floats correctly rounded as Python's ``float`` rounds them,
    ints of any size up to Python's 4300 digits). What it refuses, the json module reads again:
    JSON it alone accepts (NaN, Infinity, 1e400, a lone surrogate) and the error it gives.
    """
    import msgspec

    try:
        return msgspec.json.decode(text)
    except (msgspec.MsgspecError, RecursionError):
        pass
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScheduleError(None, f"not valid JSON: {exc.msg.removesuffix(' at')} at line {exc.lineno}"
                            f" column {exc.colno}") from None
    except RecursionError:
        raise ScheduleError(None, "the JSON is nested too deeply to be a schedule") from None
    except ValueError as exc:
        if "digits" in str(exc):  # Python reads no integer of more than 4300 digits
            raise ScheduleError(None, "the JSON holds an integer of more than 4300 digits:"
                                " no schedule argument is that large") from None
        raise ScheduleError(None, f"not usable JSON: {printable(str(exc), 80)}") from None


def from_keras(document: Any, custom: Custom | None = None,
               notes: list[str] | None = None) -> AnySchedule:
    """A schedule from a decoded Keras JSON document (schedule, optimizer or model config)."""
    found = _find(document, depth=0)
    if found is None:
        raise ScheduleError(None, "no learning rate schedule in this JSON: expected"
                            ' {"class_name": ..., "config": {...}} or an optimizer config'
                            ' whose "learning_rate" holds one')
    return _build(found, custom, notes)


def _find(node: Any, depth: int) -> dict[str, Any] | None:
    """The first dict that names a schedule class, looking through optimizer and model configs."""
    if not isinstance(node, dict) or depth > 8:
        return None
    class_name = node.get("class_name")
    if isinstance(class_name, str) and "config" in node and _is_schedule(node, class_name):
        return node
    for key in _NESTED:
        if key not in node:
            continue
        value = node[key]
        if key in ("learning_rate", "lr") and isinstance(value, (int, float)):
            raise ScheduleError(None, f'the optimizer\'s "{key}" is the constant {short_repr(value)},'
                                " not a schedule")
        found = _find(value, depth + 1)
        if found is not None:
            return found
    return None


#: Keras's optimizers: a dict of one of these classes is a wrapper to look inside, not a schedule.
OPTIMIZERS = frozenset({
    "SGD", "Adam", "AdamW", "Adamax", "Adagrad", "Adadelta", "Adafactor", "Ftrl", "Lamb", "Lion",
    "Nadam", "RMSprop", "Muon", "LossScaleOptimizer",
})


def _is_schedule(node: dict[str, Any], class_name: str) -> bool:
    """Whether a ``class_name`` dict is meant as a schedule (known or not) rather than a wrapper."""
    if class_name in REGISTRY:
        return True
    module = node.get("module")
    if isinstance(module, str) and "schedules" in module:
        return True
    if class_name in OPTIMIZERS or (isinstance(module, str) and module.startswith("keras.")):
        return False
    config = node.get("config")
    return isinstance(config, dict) and not any(k in config for k in _NESTED)


def _build(node: dict[str, Any], custom: Custom | None, notes: list[str] | None,
           depth: int = 0) -> AnySchedule:
    class_name = node["class_name"]
    if depth > 8:
        raise ScheduleError(None, "schedules nested more than 8 deep in one another")
    cls = REGISTRY.get(class_name)
    if cls is None and custom is not None:
        return custom(node)
    if cls is None:
        registered = node.get("registered_name")
        shown = printable(str(class_name), 60)
        what = (f" (a custom schedule, registered as {printable(str(registered), 60)!r})"
                if registered else "")
        close = did_you_mean(str(class_name), REGISTRY)
        known = f"{close}; or" if close else f"lrtool knows {', '.join(REGISTRY)};"
        raise ScheduleError(None, f"unknown schedule class {shown!r}{what}: {known} load the"
                            " code that defines it with --import FILE_OR_MODULE")
    config = node["config"]
    if not isinstance(config, dict):
        raise ScheduleError(None, f'the "config" of {class_name} must be an object, not'
                            f" {type(config).__name__}")
    name = config.get("name")
    if name is not None and not isinstance(name, str):
        raise ScheduleError("name", f"must be a string or null, not {short_repr(name)}")
    nested = {k: _build(v, custom, notes, depth + 1) for k, v in config.items() if _names_class(v)}
    return cls.from_arguments({**config, **nested}, notes)


def _names_class(value: Any) -> bool:
    """A schedule inside a schedule's config (WarmUp's decay_schedule_fn), in either form."""
    return isinstance(value, dict) and isinstance(value.get("class_name"), str) and "config" in value
