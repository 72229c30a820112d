"""Find the learning-rate schedule in pasted Keras training code, without running any of it.

People copy a schedule from their training script or from documentation, and that code rarely
is one constructor call: it sets ``EPOCHS = 10`` first, builds the schedule from those names,
and hands it to an optimizer inside ``model.compile``. ``find_call`` reads such code with
``ast``, keeps the names assigned numbers (computed by ``lrtool.arith``, never by ``eval``),
and returns the schedule constructor call with its arguments evaluated as written: mapping
positional arguments to Keras's parameters is the caller's business.

What is read: assignments (``x = 0.1``, ``a = b = 3``, ``a, b = 1, 2``, ``x *= 2``,
``x: float = 0.1``) in source order, inside ``if``/``with``/``def`` bodies too; imports, for
their aliases; calls (``lrtool.snippet_calls`` says which matter and which one is shown).
Everything else is skipped; an assignment lrtool cannot compute leaves its name without a
value, which is an error only if the chosen call uses it. Names given to ``find_call`` (from
``--set``) win over the snippet's own assignments of them. A leading byte order mark,
Markdown fences, notebook magics and a common indent are tolerated.

Example:
    >>> found = find_call('''
    ... EPOCHS = 10
    ... lr = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=EPOCHS * 1000)
    ... model.compile(optimizer=keras.optimizers.AdamW(learning_rate=lr, weight_decay=0.01))
    ... ''', {"CosineDecay"})
    >>> found.class_name, found.qualifier, found.args, found.kwargs
    ('CosineDecay', 'keras.optimizers.schedules', (0.001,), {'decay_steps': 10000})
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import replace
from collections.abc import Collection, Iterator, Mapping, Sequence
from types import MappingProxyType

from lrtool.arith import Budget, OutOfBudget, Unset, evaluate, evaluate_expression
from lrtool.pysource import NotPython, SnippetError, excerpt, parse, source
from lrtool.snippet_calls import (KERAS_MODULES, Calls, Found, Optimizer, Schedule, Unknown,
                                  aliases)

__all__ = ["KERAS_MODULES", "Found", "SnippetError", "evaluate_expression", "find_call"]

_BODIES = ("body", "handlers", "orelse", "finalbody", "cases")
_PASTE_ONLY = re.compile(r"\s*(```|%%?[A-Za-z_]|![A-Za-z_./ ])")
_NO_NAMES: Mapping[str, object] = MappingProxyType({})


def find_call(text: str, known: Collection[str], names: Mapping[str, object] = _NO_NAMES, *,
              prefixes: Collection[str] = KERAS_MODULES,
              signatures: Mapping[str, Sequence[str]] = _NO_NAMES) -> Found:  # type: ignore[assignment]
    """The schedule constructor call in ``text`` among classes ``known``, with its arguments.

    ``names`` are values given outside the snippet (``--set NAME=VALUE``); ``prefixes`` the
    module paths a dotted class name may be written under; ``signatures`` each class's
    parameter names in order, so that an error in a positional argument names it. Raises
    SnippetError.
    """
    tree, dropped, error = _parse_pasted(text.removeprefix("\ufeff"))
    scan = _Scan(known, names, prefixes, signatures)
    for statement in _statements(tree.body):  # type: ignore[attr-defined]
        scan.statement(statement)
    try:
        found = scan.calls.choose()
    except SnippetError:
        if error is not None:
            raise error from None  # what is left of a broken paste: its first syntax error
        raise
    if dropped:
        lines = ", ".join(str(n) for n in sorted(dropped))
        skipped = f"skipped line{'s' if len(dropped) > 1 else ''} {lines}, not Python"
        found = replace(found, note=f"{found.note}; {skipped}" if found.note else skipped)
    return found


#: Lines that are not Python are dropped one at a time, at most this many, from inputs of at
#: most SALVAGE_CHARS characters (each try parses the whole input again).
SALVAGE_LINES = 20
SALVAGE_CHARS = 100_000


def _parse_pasted(text: str) -> tuple[ast.AST, list[int], NotPython | None]:
    """The tree of ``text``, the lines dropped to get it, and the syntax error dropping them
    worked around (to report instead if what is left holds no schedule).

    If ``text`` is not Python as it stands: without Markdown fences, notebook magics
    (``%matplotlib``, ``!pip``) and a common indent (code copied from inside a function or a
    docstring); and if still not, without the lines that are not Python (a documentation page
    copied with a broken line in it), one at a time. Line numbers stay as pasted.
    """
    try:
        return parse(text), [], None
    except NotPython as first:
        lines = ["" if _PASTE_ONLY.match(line) else line for line in text.split("\n")]
        cleaned = textwrap.dedent("\n".join(lines))
        if len(cleaned) > SALVAGE_CHARS:
            if cleaned == text:
                raise
            return parse(cleaned), [], None
        lines, dropped = cleaned.split("\n"), []
        for _ in range(SALVAGE_LINES + 1):
            try:
                return parse("\n".join(lines)), dropped, first if dropped else None
            except NotPython as exc:
                line = exc.lineno
                if line is None or not 0 < line <= len(lines) or not lines[line - 1].strip():
                    break
                lines[line - 1] = ""
                dropped.append(line)
        raise first


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement in source order, those of nested blocks (if, with, def, ...) too."""
    for statement in body:
        yield statement
        for name in _BODIES:
            for item in getattr(statement, name, None) or ():
                yield from _statements([item] if isinstance(item, ast.stmt) else item.body)


def _own_expressions(statement: ast.stmt) -> list[ast.AST]:
    return [c for c in ast.iter_child_nodes(statement)
            if not isinstance(c, (ast.stmt, ast.excepthandler, ast.match_case))]


class _Scan:
    """What the statements read so far have made of names: values, and calls they stand for."""

    def __init__(self, known: Collection[str], names: Mapping[str, object],
                 prefixes: Collection[str], signatures: Mapping[str, Sequence[str]]) -> None:
        self.given = frozenset(names)
        self.values: dict[str, object] = dict(names)
        self.bindings: dict[str, Schedule | Unknown | Optimizer] = {}
        self.budget = Budget()
        self.calls = Calls(known, prefixes, self.values, self.bindings, self.budget, signatures)

    def statement(self, statement: ast.stmt) -> None:
        nodes = [n for e in _own_expressions(statement) for n in ast.walk(e)]
        calls = sorted((n for n in nodes if isinstance(n, ast.Call)),
                       key=lambda n: (n.end_lineno, n.end_col_offset))
        for call in calls:  # before the assignment: its value is computed first
            self.calls.call(call)
        if 0 not in self.calls.hints:
            self.calls.uncalled(nodes, {id(c.func) for c in calls})
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                self.bind(target, statement.value, statement.lineno)
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            self.bind(statement.target, statement.value, statement.lineno)
        elif isinstance(statement, ast.AugAssign):
            self.augment(statement)
        else:
            self.other_bindings(statement, nodes)

    def bind(self, target: ast.AST, value: ast.AST, line: int) -> None:
        """Assign ``value`` to ``target``; attributes and subscripts bind no name."""
        if isinstance(target, ast.Name):
            self.set(target.id, self.result(value, line), line)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self.unpack(target, value, line)

    def unpack(self, target: ast.Tuple | ast.List, value: ast.AST, line: int) -> None:
        elts = target.elts
        starred = any(isinstance(e, ast.Starred) for e in elts)
        if (isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(elts)
                and not starred and not any(isinstance(e, ast.Starred) for e in value.elts)):
            for one, item in zip(elts, value.elts):  # pairwise: one bad item spoils no other
                self.bind(one, item, line)
            return
        result = self.result(value, line)
        if (isinstance(result, list) and len(result) == len(elts)
                and all(isinstance(e, ast.Name) for e in elts)):
            for one, number in zip(elts, result):
                self.set(one.id, number, line)  # type: ignore[attr-defined]
            return
        unset = result if isinstance(result, Unset) else Unset(
            f"line {line} unpacks it from {source(value)}")
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self.set(node.id, unset, line)

    def augment(self, statement: ast.AugAssign) -> None:
        if isinstance(statement.target, ast.Name):
            name = statement.target.id
            node = ast.BinOp(ast.Name(name, ast.Load()), statement.op, statement.value)
            node = ast.fix_missing_locations(ast.copy_location(node, statement))
            self.set(name, self.result(node, statement.lineno), statement.lineno)

    def other_bindings(self, statement: ast.stmt, nodes: list[ast.AST]) -> None:
        """Names bound by imports, defs, loops, ``with ... as``: values lrtool cannot know."""
        line = statement.lineno
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            bound = [(a.asname or a.name).split(".")[0] for a in statement.names]
            self.calls.aliases.update(aliases(statement))
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound = [statement.name]
        else:
            bound = [n.id for n in nodes
                     if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)]
        for name in bound:
            self.set(name, Unset(f"line {line} binds it in code lrtool does not run"), line)

    def result(self, value: ast.AST, line: int) -> object:
        """What a name assigned ``value`` holds: a number (or list...), a call, or Unset."""
        if isinstance(value, ast.Call):
            bound = self.calls.bound(value)
            if bound is not None:
                return bound
        if isinstance(value, ast.Name) and value.id in self.bindings:
            return self.bindings[value.id]
        try:
            return evaluate(value, self.values, f"line {line}", budget=self.budget)
        except OutOfBudget:
            raise
        except SnippetError as exc:
            return Unset(f"line {line}: {exc.detail}")

    def set(self, name: str, result: object, line: int) -> None:
        if name in self.given:
            return
        self.bindings.pop(name, None)
        if isinstance(result, (Schedule, Unknown, Optimizer)):
            self.bindings[name] = result
            if isinstance(result, Schedule):
                result.name = result.name or excerpt(name, 40)
                what = "a schedule"
            elif isinstance(result, Unknown):
                what = f"a call to {excerpt(result.name, 40)}()"
            else:
                what = "an optimizer"
            result = Unset(f"line {line} sets it to {what}")
        self.values[name] = result
