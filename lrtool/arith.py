"""Arithmetic over a Python syntax tree, computed by walking the tree: nothing is ever run.

Learning-rate code holds a little arithmetic (``EPOCHS * steps_per_epoch``, ``1e-3 * 2``,
``[0.1, 0.01]``). It is computed here with Python's own operators on the values, so int and
float come out exactly as Python would make them: Keras computes differently with an int
learning rate. Anything else (calls other than ``int``, ``float``, ``round``, ``min``, ``max``
and ``abs``, attributes, subscripts, lambdas, comprehensions, f-strings, comparisons) is
refused with a one-line SnippetError naming what was found.

Cost is bounded before anything is computed, because a pasted ``10**10**10`` or
``[0] * 10**9`` would otherwise hang or exhaust memory (input size and depth limits are
``lrtool.pysource``'s):

* integers: below 10**MAX_INT_DIGITS in magnitude (``*`` and ``**`` are checked beforehand);
* floats: finite (a result that would overflow to infinity is refused);
* lists: numbers only, at most MAX_ITEMS items (``[0.1] * 3`` and ``a + b`` are fine);
* strings: literals only (the ``name=`` argument), never in arithmetic;
* work: at most MAX_WORK node visits and list items handled per snippet.

Example:
    >>> evaluate_expression("10 * 1000"), evaluate_expression("1e-3 * 2")
    (10000, 0.002)
    >>> evaluate_expression("EPOCHS * 391 // 2", {"EPOCHS": 10})
    1955
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from lrtool.pysource import SnippetError, closest, dotted, excerpt, parse, source

MAX_INT_DIGITS = 1000
MAX_ITEMS = 1_000_000
MAX_WORK = 2_000_000
_INT_LIMIT = 10**MAX_INT_DIGITS
_INT_BITS = _INT_LIMIT.bit_length()
_NO_NAMES: Mapping[str, object] = MappingProxyType({})
_OPERATORS: dict[type, tuple[str, Callable[[object, object], object]]] = {
    ast.Add: ("+", operator.add), ast.Sub: ("-", operator.sub), ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv), ast.FloorDiv: ("//", operator.floordiv),
    ast.Mod: ("%", operator.mod), ast.Pow: ("**", operator.pow),
}
#: Built-in functions allowed in arithmetic, with their (fewest, most) positional arguments.
FUNCTIONS: dict[str, tuple[int, int]] = {
    "int": (1, 1), "float": (1, 1), "round": (1, 2), "min": (1, MAX_ITEMS),
    "max": (1, MAX_ITEMS), "abs": (1, 1),
}


class OutOfBudget(SnippetError):
    """Too much work in all: never deferred, unlike the other errors of one assignment."""


@dataclass(frozen=True)
class Unset:
    """A name the code assigns but that has no value lrtool can compute, and why."""

    reason: str


class Budget:
    """Work left for one snippet: many cheap statements can add up to a slow one."""

    def __init__(self, units: int = MAX_WORK) -> None:
        self.units = units

    def spend(self, units: int) -> None:
        self.units -= units
        if self.units < 0:
            raise OutOfBudget(f"the snippet needs too much arithmetic (over {MAX_WORK:,} steps)")


def evaluate_expression(text: str, names: Mapping[str, object] = _NO_NAMES, *,
                        where: str = "the expression") -> object:
    """The value of one expression of literals, names from ``names`` and arithmetic.

    For ``--set NAME=VALUE`` values and option values; ``where`` says in messages what the
    expression is (``"--set EPOCHS"``).
    """
    tree = parse(text.removeprefix("\ufeff").strip(), mode="eval")
    try:
        return evaluate(tree.body, names, where)  # type: ignore[attr-defined]
    except SnippetError as exc:
        raise with_hint(exc, names) from None


def with_hint(error: SnippetError, names: Mapping[str, object]) -> SnippetError:
    """``error`` with "did you mean" added when it is about an undefined name close to one."""
    if not error.missing:
        return error
    close = closest(error.missing, [k for k, v in list(names.items())[:5000]
                                    if not isinstance(v, Unset)])
    if close is None:
        return error
    return SnippetError(f"{error.message} (did you mean {excerpt(close, 40)!r}?)",
                        error.argument, detail=error.detail)


def evaluate(node: ast.AST, names: Mapping[str, object], where: str, *,
             argument: str | None = None, budget: Budget | None = None) -> object:
    """The value of expression ``node``; ``where`` and ``argument`` go into any error.

    ``node`` must come from ``parse`` (or be part of a tree that did): depth is not checked
    again here.
    """
    try:
        return _Evaluator(names, where, argument, budget or Budget()).value(node)
    except RecursionError:
        raise SnippetError(f"{where} is nested too deeply", argument) from None


class _Evaluator:
    """One evaluation: the names it may read and what to say where in errors."""

    def __init__(self, names: Mapping[str, object], where: str, argument: str | None,
                 budget: Budget) -> None:
        self.names, self.where, self.argument, self.budget = names, where, argument, budget

    def fail(self, detail: str, message: str | None = None, **extra: str) -> SnippetError:
        return SnippetError(message or f"{detail} in {self.where}", self.argument,
                            detail=detail, **extra)

    def code(self, what: str) -> SnippetError:
        return self.fail(what, f"{self.where} must be a number or arithmetic, not {what}")

    def value(self, node: ast.AST) -> object:
        self.budget.spend(1)
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise self.code(describe(node))
        return method(node)

    def _Constant(self, node: ast.Constant) -> object:
        if node.value is None or isinstance(node.value, (bool, str)):
            return node.value
        if isinstance(node.value, (int, float)):
            return self.checked(node.value, node)
        raise self.code(describe(node))

    def _Name(self, node: ast.Name) -> object:
        name = node.id
        if name not in self.names:
            shown = excerpt(name, 40)
            raise self.fail(f"undefined name {shown!r}", f"undefined name {shown!r} in"
                            f" {self.where}; give it with --set {shown}=VALUE", missing=name)
        value = self.names[name]
        if isinstance(value, Unset):
            shown = excerpt(name, 40)
            raise self.fail(f"{shown!r} has no value", f"{shown!r} in {self.where} has no value"
                            f" ({value.reason}); give it with --set {shown}=VALUE")
        return value

    def _UnaryOp(self, node: ast.UnaryOp) -> object:
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise self.code(f"the operator in {source(node)}")
        operand = self.value(node.operand)
        if not is_number(operand):
            raise self.unsupported(node, f"{_SIGNS[type(node.op)]}{type(operand).__name__}")
        return -operand if isinstance(node.op, ast.USub) else +operand  # type: ignore[operator]

    def _BinOp(self, node: ast.BinOp) -> object:
        if type(node.op) not in _OPERATORS:
            raise self.code(f"the operator in {source(node)}")
        symbol, function = _OPERATORS[type(node.op)]
        left, right = self.value(node.left), self.value(node.right)
        if isinstance(left, str) or isinstance(right, str):
            raise self.fail(f"strings cannot take part in arithmetic: {source(node)}")
        if is_number(left) and is_number(right):
            return self.number(node, function, left, right)
        if isinstance(left, list) and isinstance(right, list) and symbol == "+":
            return self.items(node, left + right, len(left) + len(right))
        if symbol == "*" and isinstance(left, list) != isinstance(right, list):
            items, times = (left, right) if isinstance(left, list) else (right, left)
            if type(times) is int:
                size = len(items) * max(times, 0)  # type: ignore[arg-type]
                return self.items(node, None if size > MAX_ITEMS else items * times, size)
        types = f"{type(left).__name__} {symbol} {type(right).__name__}"
        raise self.unsupported(node, types)

    def unsupported(self, node: ast.AST, types: str) -> SnippetError:
        return self.fail(f"unsupported operand types {types}: {source(node)}",
                         f"unsupported operand types in {self.where}: {types} ({source(node)})")

    def number(self, node: ast.BinOp, function: Callable[[object, object], object],
               left: int | float, right: int | float) -> object:
        both_int = type(left) is int and type(right) is int
        if both_int and isinstance(node.op, ast.Mult):
            if left.bit_length() + right.bit_length() > _INT_BITS + 1:  # type: ignore[union-attr]
                raise self.too_large(node)
        if both_int and isinstance(node.op, ast.Pow) and right > 0 and abs(left) > 1:
            if (left.bit_length() - 1) * right > _INT_BITS:  # type: ignore[union-attr,operator]
                raise self.too_large(node)
        try:
            result = function(left, right)
        except ZeroDivisionError:
            raise self.fail(f"division by zero: {source(node)}") from None
        except OverflowError:
            raise self.too_large(node) from None
        return self.checked(result, node)

    def checked(self, result: object, node: ast.AST) -> object:
        """``result`` if it is within the limits on ints and floats, else the refusal."""
        if isinstance(result, complex):
            raise self.fail(f"{source(node)} gives a complex number")
        if isinstance(result, float) and not math.isfinite(result):
            raise self.too_large(node)
        if type(result) is int and abs(result) >= _INT_LIMIT:
            raise self.too_large(node)
        return result

    def too_large(self, node: ast.AST) -> SnippetError:
        return self.fail(f"{source(node)} is too large (limits: integers below"
                         f" 10**{MAX_INT_DIGITS}, finite floats)")

    def items(self, node: ast.AST, items: list[object] | None, size: int) -> list[object]:
        if items is None or size > MAX_ITEMS:
            raise self.fail(f"{source(node)} has {size:,} items; lrtool reads at most"
                            f" {MAX_ITEMS:,}")
        self.budget.spend(size)
        return items

    def _List(self, node: ast.List | ast.Tuple) -> list[object]:
        values = []
        for item in node.elts:
            value = self.value(item)
            if not is_number(value):
                raise self.code(f"a list holding {source(item)} (lists hold numbers only)")
            values.append(value)
        return self.items(node, values, len(values))

    _Tuple = _List

    def _Call(self, node: ast.Call) -> object:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            raise self.code(describe(node))
        fewest, most = FUNCTIONS[name]
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.code(f"{source(node)} (write {name}() with plain positional arguments)")
        if not fewest <= len(node.args) <= most:
            raise self.fail(f"{name}() takes {fewest}-{most} arguments: {source(node)}")
        args = [self.value(a) for a in node.args]
        if name in ("min", "max") and len(args) == 1:
            if not isinstance(args[0], list):
                raise self.fail(f"{name}() takes a list or several numbers: {source(node)}")
            self.budget.spend(len(args[0]))
            args = args[0]
        numbers = args[:1] if name == "round" else args
        if not args or not all(is_number(a) for a in numbers):
            raise self.fail(f"{name}() takes numbers: {source(node)}")
        return self.checked(self.call(name, args, node), node)

    def call(self, name: str, args: list, node: ast.Call) -> object:
        if name == "round" and len(args) == 2:
            number, digits = args
            if digits is not None and type(digits) is not int:
                raise self.fail(f"round() takes a whole number of digits: {source(node)}")
            if type(number) is int and digits is not None and digits < -MAX_INT_DIGITS - 1:
                return 0  # what Python gives, without computing 10**-digits
        try:
            return _BUILTINS[name](*args)
        except OverflowError:
            raise self.too_large(node) from None


_BUILTINS: dict[str, Callable[..., object]] = {
    "int": int, "float": float, "round": round, "min": min, "max": max, "abs": abs}
_SIGNS = {ast.USub: "-", ast.UAdd: "+"}
_KINDS = {
    ast.Attribute: "attribute access", ast.Subscript: "a subscript", ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a comprehension",
    ast.JoinedStr: "an f-string", ast.Compare: "a comparison", ast.BoolOp: "and/or",
    ast.IfExp: "a conditional", ast.Dict: "a dict", ast.Set: "a set",
    ast.NamedExpr: "an assignment", ast.Starred: "*unpacking", ast.Await: "await",
    ast.Yield: "yield", ast.YieldFrom: "yield",
}


def is_number(value: object) -> bool:
    """An int or float: bools are literals for flags (``staircase=True``), not numbers here."""
    return type(value) in (int, float)


def describe(node: ast.AST) -> str:
    """What ``node`` is, for "must be a number or arithmetic, not ...": "a call to open()"."""
    if isinstance(node, ast.Call):
        parts = dotted(node.func)
        name = excerpt(".".join(parts), 40) if parts else source(node.func)
        return f"a call to {name}()"
    if isinstance(node, ast.Constant):
        return f"the constant {source(node)}"
    return f"{_KINDS.get(type(node), 'code')} ({source(node)})"
