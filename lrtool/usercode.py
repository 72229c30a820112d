"""A user's own schedule class, named as ``FILE.py:Name(args)`` or ``package.module:Name(args)``,
or function for ``keras.callbacks.LearningRateScheduler`` (``FILE.py:name``, run per epoch:
``lrtool.schedules.epochfn``), and ``--import`` of the code that registers custom classes for
Keras JSON.

Importing that file or module is the one place lrtool runs user code, and only because the user
named it. The arguments of ``Name(...)`` are still read like any SCHEDULE: numbers and
arithmetic, never code. The object is then called by TensorFlow, so TensorFlow must be
installed; it is loaded before the user's module, which will import it too.

Example:
    >>> split_target("schedules/warmup.py:LinearWarmup(1e-3, warmup=500)")
    ('schedules/warmup.py', 'LinearWarmup', '(1e-3, warmup=500)')
    >>> split_target("CosineDecay(0.1, 1000)") is None
    True
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
import sys
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from lrtool.schedules import OpaqueSchedule, ScheduleError
from lrtool.schedules.epochfn import EpochFunction, check_signature
from lrtool.snippet import SnippetError, find_call
from lrtool.textinput import printable

_TARGET = re.compile(r"(?P<where>[^:()\s][^:()]*):(?P<name>[A-Za-z_]\w*)\s*(?P<args>\(.*\))?",
                     re.S)
_MODULE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def split_target(text: str) -> tuple[str, str, str | None] | None:
    """(file or module, name, argument text) of ``FILE.py:Name(...)``; None for anything else."""
    match = _TARGET.fullmatch(text.strip())
    if match is None:
        return None
    where = match["where"].strip()
    if not (where.endswith(".py") or _MODULE.fullmatch(where)):
        return None
    return where, match["name"], match["args"]


def import_target(where: str) -> ModuleType:
    """Import a ``.py`` file or a module (from the current directory or installed)."""
    _load_tensorflow()
    if where.endswith(".py"):
        return _import_file(where)
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(where)
    except ModuleNotFoundError as exc:
        if exc.name and where.startswith(exc.name):
            raise ScheduleError(None, f"no module named {printable(where)} (looked in the current"
                                " directory and the installed packages)") from None
        raise _failed(where, exc) from None
    except BaseException as exc:  # the user's code, failing in its own way
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise _failed(where, exc) from None


def _import_file(path: str) -> ModuleType:
    shown = printable(path)
    if not os.path.isfile(path):
        raise ScheduleError(None, f"no such file: {shown}")
    stem = os.path.splitext(os.path.basename(path))[0]
    name = stem if (stem.isidentifier() and stem not in sys.modules
                    and stem not in sys.stdlib_module_names) else f"lrtool_user_{abs(hash(path))}"
    folder = os.path.dirname(os.path.abspath(path))
    if folder not in sys.path:
        sys.path.insert(0, folder)  # so that the file's own imports of its neighbours work
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ScheduleError(None, f"cannot import {shown}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:
        sys.modules.pop(name, None)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise _failed(path, exc) from None
    return module


def _failed(where: str, exc: BaseException) -> ScheduleError:
    """One line for an import that raised: its type and the first line of its message."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, SyntaxError):
        reason = f"{exc.msg} (line {exc.lineno})"
    what = f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__
    return ScheduleError(None, f"importing {printable(where)} failed: {printable(what, 120)}")


def _load_tensorflow() -> Any:
    from lrtool.backends import BackendUnavailable
    from lrtool.backends.tensorflow_backend import load

    try:
        return load()
    except BackendUnavailable as exc:
        raise ScheduleError(None, f"a schedule class of your own runs on TensorFlow: {exc}") from None


def load_schedule(text: str, names: Mapping[str, object]) -> OpaqueSchedule:
    """The schedule ``FILE.py:Name(args)`` describes: the user's class, built with the
    arguments (numbers and arithmetic only, ``--set`` names allowed)."""
    target = split_target(text)
    if target is None:
        raise ScheduleError(None, f"expected FILE.py:Name(arguments), not {printable(text)}")
    where, name, args_text = target
    module = import_target(where)
    cls = getattr(module, name, None)
    if cls is None:
        raise ScheduleError(None, f"{printable(where)} has no {name}")
    import keras

    if callable(cls) and not isinstance(cls, type):  # a LearningRateScheduler function
        if args_text is not None:
            raise ScheduleError(None, f"{name} is a function, which Keras's LearningRateScheduler"
                                f" calls per epoch: name it without arguments, {where}:{name}")
        return EpochFunction(cls, name, check_signature(cls, name))
    base = keras.optimizers.schedules.LearningRateSchedule
    if not (isinstance(cls, type) and issubclass(cls, base)):
        kind = "a function" if inspect.isfunction(cls) else f"a {type(cls).__name__}"
        raise ScheduleError(None, f"{name} in {printable(where)} is {kind}, not a"
                            " keras.optimizers.schedules.LearningRateSchedule subclass")
    args, kwargs = _arguments(name, args_text or "()", names)
    try:
        obj = cls(*args, **kwargs)
    except Exception as exc:  # the user's constructor, failing in its own way
        raise ScheduleError(None, f"{name}{printable(args_text or '()', 40)} failed:"
                            f" {printable(f'{type(exc).__name__}: {exc}', 120)}") from None
    return OpaqueSchedule(obj, name, _named(cls, args, kwargs), steps=_suggested(args, kwargs),
                          source=where)


def _arguments(name: str, args_text: str, names: Mapping[str, object]) -> tuple[tuple, dict]:
    try:
        found = find_call(f"{name}{args_text}", {name}, names)
    except SnippetError as exc:
        raise ScheduleError(exc.argument, str(exc)) from None
    return found.args, dict(found.kwargs)


def _named(cls: type, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The arguments under their parameter names where the constructor's signature tells."""
    try:
        bound = inspect.signature(cls).bind_partial(*args, **kwargs)
    except (TypeError, ValueError):
        return {**{f"arg{i}": v for i, v in enumerate(args)}, **kwargs}
    return dict(bound.arguments)


def _suggested(args: tuple, kwargs: dict[str, Any]) -> int:
    """Steps enough to show the schedule: three times its largest step-like argument, at
    least 10,000 (there is no formula to read a period from)."""
    steps = [v for k, v in kwargs.items() if "step" in k and isinstance(v, (int, float))]
    return int(max([10_000] + [3 * v for v in steps if 0 < v < 10**9]))


def deserialize(document: dict[str, Any]) -> OpaqueSchedule:
    """A custom schedule from its Keras JSON, with the classes ``--import`` registered."""
    _load_tensorflow()
    import keras

    try:
        obj = keras.optimizers.schedules.deserialize(document)
    except Exception as exc:  # Keras's own message says which class it could not find
        raise ScheduleError(None, f"Keras cannot build {printable(str(document.get('class_name')))}"
                            f": {printable(str(exc).splitlines()[0] if str(exc) else '', 120)}"
                            ) from None
    config = document.get("config")
    return OpaqueSchedule(obj, arguments=config if isinstance(config, dict) else None)
