"""The SCHEDULE argument: a Keras constructor expression, or a JSON file (``-`` for stdin).

An expression is read with ``ast.parse`` and ``ast.literal_eval`` only: nothing in it runs, so
``__import__("os").system(...)`` is a syntax error of lrtool's, not a command. Accepted::

    ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)
    keras.optimizers.schedules.PiecewiseConstantDecay([1000, 2000], [0.1, 0.01, 0.001])
    tf.keras.optimizers.schedules.CosineDecay(0.0, 1000, warmup_target=0.1, warmup_steps=100)

Positional arguments follow Keras's own parameter order (``name`` included: CosineDecay's fourth
positional parameter is ``name``). Every failure is a ScheduleError with a one-line message.
"""

from __future__ import annotations

import ast
import os
import sys
from typing import Any, TextIO

from lrtool.schedules import REGISTRY, Schedule, ScheduleError
from lrtool.schedules.params import number_text

#: Module paths a class name may be written under (each a suffix of the full path is accepted).
PREFIXES = ("tf.keras.optimizers.schedules", "tensorflow.keras.optimizers.schedules",
            "keras.optimizers.schedules", "optimizers.schedules", "schedules")
_EXAMPLE = "such as ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)"


def parse(argument: str, stdin: TextIO | None = None) -> Schedule:
    """The schedule a SCHEDULE argument describes: expression, JSON file, inline JSON, or ``-``.

    ``-`` reads standard input (``stdin``, default ``sys.stdin``), holding JSON or an expression.
    """
    text = argument.strip()
    if text == "-":
        return parse_text((stdin or sys.stdin).read(), "standard input")
    if "(" in text or text in REGISTRY or text.split(".")[-1] in REGISTRY:
        return parse_expression(text)
    if text.startswith(("{", "[")):
        return _json(text)
    if os.path.isfile(argument):
        try:
            with open(argument, encoding="utf-8") as handle:
                content = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise ScheduleError(None, f"cannot read {argument}: {exc}") from None
        return parse_text(content, argument)
    if os.path.exists(argument):
        raise ScheduleError(None, f"{argument} is not a file")
    if _is_python(text):  # 0.1 * 2 and the like: say what an expression must be
        return parse_expression(text)
    raise ScheduleError(None, f"{argument!r} is neither a schedule expression ({_EXAMPLE})"
                        " nor a JSON file")


def _is_python(text: str) -> bool:
    """An expression that is more than a dotted name (which reads as a missing file name)."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return False
    return not isinstance(node, (ast.Name, ast.Attribute))


def parse_text(text: str, source: str = "the input") -> Schedule:
    """JSON or an expression, as found in a file or on standard input."""
    stripped = text.strip()
    if not stripped:
        raise ScheduleError(None, f"{source} is empty")
    return _json(stripped) if stripped.startswith(("{", "[")) else parse_expression(stripped)


def _json(text: str) -> Schedule:
    from lrtool.keras_json import loads

    return loads(text)


def parse_expression(text: str) -> Schedule:
    """A schedule from ``ClassName(arguments)``, literals only."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ScheduleError(None, f"not a valid expression ({exc.msg}): {_short(text)}") from None
    node = tree.body
    if isinstance(node, (ast.Name, ast.Attribute)):
        cls = _class(node)
        raise ScheduleError(None, f"{cls.keras_name} needs its arguments:"
                            f" {cls.keras_name}({_example_args(cls)})")
    if not isinstance(node, ast.Call):
        raise ScheduleError(None, f"expected a schedule constructor call ({_EXAMPLE}),"
                            f" not {_short(text)}")
    cls = _class(node.func)
    signature = cls.signature()
    arguments: dict[str, Any] = {}
    for i, value in enumerate(node.args):
        if isinstance(value, ast.Starred):
            raise ScheduleError(None, "*arguments are not supported: write each argument")
        if i >= len(signature):
            raise ScheduleError(None, f"{cls.keras_name} takes at most {len(signature)}"
                                f" positional arguments ({', '.join(signature)})")
        arguments[signature[i]] = _literal(value, signature[i])
    for keyword in node.keywords:
        if keyword.arg is None:
            raise ScheduleError(None, "**arguments are not supported: write each argument")
        if keyword.arg in arguments:
            raise ScheduleError(keyword.arg, f"{cls.keras_name} got {keyword.arg!r} twice")
        arguments[keyword.arg] = _literal(keyword.value, keyword.arg)
    name = arguments.get("name")
    if name is not None and not isinstance(name, str):
        raise ScheduleError("name", f"must be a string, not {name!r}")
    return cls.from_arguments(arguments)


def _class(func: ast.expr) -> type[Schedule]:
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.insert(0, func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        raise ScheduleError(None, f"expected a schedule class name ({_EXAMPLE})")
    parts.insert(0, func.id)
    name, prefix = parts[-1], ".".join(parts[:-1])
    if prefix and not any(p == prefix or p.endswith("." + prefix) for p in PREFIXES):
        raise ScheduleError(None, f"{prefix}.{name} is not a Keras schedule:"
                            " write keras.optimizers.schedules.NAME or just NAME")
    cls = REGISTRY.get(name)
    if cls is None:
        raise ScheduleError(None, f"unknown schedule {name!r}; lrtool knows {', '.join(REGISTRY)}")
    return cls


def _literal(node: ast.expr, argument: str) -> Any:
    """A number, bool, None, string or list of numbers; anything else names the argument."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise ScheduleError(argument, f"must be a literal (a number, a list of numbers, True,"
                            f" False or None), not {_short(ast.unparse(node))}") from None
    if isinstance(value, tuple):
        value = list(value)
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, (complex, dict, set, list, tuple, bytes)):
            raise ScheduleError(argument, f"must be a number or a flat list of numbers, not"
                                f" {_short(ast.unparse(node))}")
    return value


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _example_args(cls: type[Schedule]) -> str:
    return ", ".join(f"{k}={number_text(v, True)}" for k, v in cls.example.items())
