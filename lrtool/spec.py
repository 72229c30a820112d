"""The SCHEDULE argument, in every form users keep a schedule in.

* Training code, as written: a constructor call (``CosineDecay(1e-3, 10 * 1000)``) or a pasted
  snippet that assigns numbers, builds the schedule and hands it to an optimizer. It is read
  with ``ast`` and computed by lrtool (``lrtool.snippet``): nothing in it runs, so
  ``__import__("os").system(...)`` is refused, not executed. Names it does not define come
  from ``names`` (``--set NAME=VALUE``).
* Keras JSON: ``serialize`` output, the older ``{"class_name", "config"}`` form, an optimizer's
  or a model's config; inline, in a file, or on standard input (``-``).
* A file: JSON, or training code (``.py`` files are read as code, never imported).
* A saved model: a ``.keras`` archive, a legacy ``.h5`` file, or a model's ``config.json``
  (``lrtool.modelfile``): its compiled optimizer's learning rate, and the step it reached.
* ``FILE.py:Name(args)`` or ``package.module:Name(args)``: the user's own class
  (``lrtool.usercode``), the one form that runs user code.

An existing file always wins: ``sched(1).json`` or a file named ``CosineDecay`` is read as the
file. Positional arguments follow Keras's own parameter order (``name`` included: CosineDecay's
fourth positional parameter is ``name``). Every failure is a ScheduleError with one line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, BinaryIO

from lrtool.modelfile import SavedModel, kind, not_a_model_file
from lrtool.schedules import REGISTRY, AnySchedule, Schedule, ScheduleError
from lrtool.schedules.params import number_text, short_repr
from lrtool.pysource import NotPython
from lrtool.snippet import Found, SnippetError, find_call
from lrtool.suggest import did_you_mean
from lrtool.textinput import printable, read_file, read_stream, stdin_binary

#: Extensions that say an argument names a file, even when no such file exists.
FILE_EXTENSIONS = (".json", ".keras", ".h5", ".py")
_SIGNATURES = {name: cls.signature() for name, cls in REGISTRY.items()}


class Reader:
    """Reads SCHEDULE arguments with the names ``--set`` gives and the code ``--import`` loaded.

    ``custom`` builds a schedule from Keras JSON of a class lrtool does not know (after
    ``--import``); without it such JSON is refused, naming the class and ``--import``.
    """

    def __init__(self, names: Mapping[str, object] | None = None,
                 stdin: BinaryIO | None = None, custom: Any = None) -> None:
        self.names = dict(names or {})
        self.stdin = stdin
        self.custom = custom
        #: What the reader chose or repaired, one line each, for the user to see.
        self.notes: list[str] = []
        #: The saved models read so far (``lrtool.modelfile``): their schedules, and the step
        #: each one's training reached.
        self.saved: list[SavedModel] = []

    def parse(self, argument: str) -> AnySchedule:
        """The schedule a SCHEDULE argument describes."""
        if argument.strip() == "-":
            stream = self.stdin or stdin_binary()
            return self.parse_text(read_stream(stream, "standard input"), "standard input")
        if "(" not in argument and (reason := not_a_model_file(argument)):
            raise ScheduleError(None, reason)
        if os.path.isfile(argument):
            file_kind = model_kind(argument)
            if file_kind is not None:
                from lrtool.modelfile import read

                return self._saved(read(argument, file_kind, self.custom, self.notes))
            return self.parse_text(read_file(argument), printable(argument),
                                   python=argument.endswith(".py"), path=argument)
        from lrtool.usercode import load_schedule, split_target

        if split_target(argument) is not None:
            return load_schedule(argument, self.names)
        if os.path.isdir(argument):
            raise ScheduleError(None, f"{printable(argument)} is a directory, not a schedule file")
        text = argument.strip()
        if "(" not in text and ("/" in text or text.endswith((*FILE_EXTENSIONS, ".txt"))
                                or _file_hint(argument)):
            raise ScheduleError(None, f"no such file: {printable(argument)}"
                                + _file_hint(argument))
        if text.isidentifier() and text not in REGISTRY and did_you_mean(text, REGISTRY):
            raise ScheduleError(None, f"unknown schedule {text!r}; {did_you_mean(text, REGISTRY)}")
        return self.parse_text(argument, "the argument")

    def parse_text(self, text: str, source: str, python: bool = False,
                   path: str | None = None) -> AnySchedule:
        """JSON or training code, as found in an argument, a file (``path``) or standard input."""
        stripped = text.strip().removeprefix("\ufeff").strip()
        if not stripped:
            raise ScheduleError(None, f"{source} is empty")
        if stripped.startswith(("{", "[")) and not python:
            from lrtool.keras_json import decode, from_keras
            from lrtool.modelfile import from_json, is_model

            document = decode(stripped)
            if is_model(document):
                return self._saved(from_json(document, path, self.custom, self.notes))
            return from_keras(document, self.custom, self.notes)
        return self.parse_code(stripped, quote=source == "the argument")

    def _saved(self, saved: SavedModel) -> AnySchedule:
        self.saved.append(saved)
        return saved.schedule

    def parse_code(self, text: str, quote: bool = True) -> Schedule:
        """A registry schedule from training code: a call, or a snippet around one.

        ``quote``: a syntax error may quote the line at fault. Not for a file's or standard
        input's contents, which may be anything (a key file given by mistake).
        """
        name = text.rpartition(".")[2]
        if name in REGISTRY and text.replace(".", "").replace("_", "").isalnum():
            cls = REGISTRY[name]
            example = ", ".join(f"{k}={number_text(v, True)}" for k, v in cls.example.items())
            raise ScheduleError(None, f"{name} needs its arguments: {name}({example})")
        try:
            found = find_call(text, REGISTRY, self.names, signatures=_SIGNATURES)
        except SnippetError as exc:
            unknown = _lone_call(text)
            if unknown is not None:
                known = did_you_mean(unknown, REGISTRY) or f"lrtool knows {', '.join(REGISTRY)}"
                raise ScheduleError(None, f"unknown schedule {printable(unknown)!r}; {known}"
                                    ) from None
            message = str(exc)
            if isinstance(exc, NotPython) and not quote:
                message = message.removesuffix(exc.quoted)
            raise ScheduleError(exc.argument, message) from None
        if found.note:
            self.notes.append(found.note)
        return from_found(found, self.notes)


def model_kind(path: str) -> str | None:
    """``zip`` or ``hdf5`` for a saved model's file, by its first bytes; None for text."""
    try:
        with open(path, "rb") as handle:
            return kind(handle.read(8))
    except OSError:
        return None  # read_file says why


def _file_hint(argument: str) -> str:
    """``; did you mean 'lr.json'?`` for a misspelled schedule file beside the one named."""
    folder, name = os.path.split(argument)
    try:
        names = [n for n in os.listdir(folder or ".") if n.endswith(FILE_EXTENSIONS)]
    except OSError:
        return ""
    hint = did_you_mean(name, names)
    if hint and folder:
        hint = did_you_mean(argument, [os.path.join(folder, n) for n in names])
    return f"; {hint}" if hint else ""


def _lone_call(text: str) -> str | None:
    """The name called, when the whole text is one call of a class lrtool does not know."""
    import ast

    try:
        tree = ast.parse(text, mode="eval") if len(text) < 10_000 else None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    node = tree.body if tree is not None else None
    if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
        name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        return name if name not in REGISTRY else None
    return None


def from_found(found: Found, notes: list[str] | None = None) -> Schedule:
    """The registry schedule of a constructor call found in code (``notes``: see
    ``Schedule.from_arguments``)."""
    cls = REGISTRY[found.class_name]
    signature = cls.signature()
    if len(found.args) > len(signature):
        raise ScheduleError(None, f"{cls.keras_name} takes at most {len(signature)}"
                            f" positional arguments ({', '.join(signature)})")
    arguments: dict[str, Any] = dict(zip(signature, found.args))
    for name, value in found.kwargs.items():
        if name in arguments:
            raise ScheduleError(name, f"{cls.keras_name} got {name!r} twice")
        arguments[name] = value
    arguments = {k: from_found(v, notes) if isinstance(v, Found) else v
                 for k, v in arguments.items()}  # WarmUp's decay_schedule_fn
    name = arguments.get("name")
    if name is not None and not isinstance(name, str):
        raise ScheduleError("name", f"must be a string, not {short_repr(name)}")
    return cls.from_arguments(arguments, notes)


def parse(argument: str, stdin: BinaryIO | None = None,
          names: Mapping[str, object] | None = None) -> AnySchedule:
    """The schedule a SCHEDULE argument describes (see the module's docstring).

    Example:
        parse("ExponentialDecay(0.1, decay_steps=10 * 100, decay_rate=0.96)")
    """
    return Reader(names, stdin).parse(argument)
