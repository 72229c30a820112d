"""The calls in pasted training code: which are schedules, optimizers or ``compile``, and
which schedule to show.

A schedule call is a call to a known class name, bare or under a Keras module path
(KERAS_MODULES, or a tail of one such as ``schedules.CosineDecay``); a known name under any
other path (``torch.optim.lr_scheduler.X``) is refused rather than guessed at. Its arguments
are evaluated where the call stands, with the values names have there; WarmUp's
``decay_schedule_fn`` is a schedule, called there or named, and is then not shown itself.

An optimizer's learning rate is its ``learning_rate=`` or ``lr=`` (Keras 2) argument, or its
first positional one. When that is a schedule (inline or through a name), the schedule is
"used"; ``compile(optimizer=...)`` of that optimizer uses it more. The schedule shown is the
most used one, the latest of equals; when an optimizer's learning rate is a call lrtool does
not know (``CustomSchedule(d_model)``) and no known schedule is used, that call is named in
the error, since showing another schedule would show the wrong one.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from lrtool.arith import FUNCTIONS, Budget, OutOfBudget, evaluate, with_hint
from lrtool.pysource import SnippetError, closest, dotted, excerpt, source

#: Module paths schedule classes live under, as written in code.
KERAS_MODULES = (
    "keras.optimizers.schedules", "keras.optimizers.schedules.learning_rate_schedule",
    "keras.src.optimizers.schedules.learning_rate_schedule", "tf_keras.optimizers.schedules",
    "tf.keras.optimizers.schedules", "tensorflow.keras.optimizers.schedules",
    "tf.optimizers.schedules", "tensorflow.optimizers.schedules", "transformers",
    "tf.keras.experimental", "tensorflow.keras.experimental", "keras.experimental",
    "transformers.optimization_tf",
)
#: Optimizer classes (Keras 2 and 3) whose first positional argument is the learning rate.
OPTIMIZERS = frozenset({"SGD", "Adam", "AdamW", "Adamax", "Adagrad", "Adadelta", "Adafactor",
                        "Nadam", "RMSprop", "Ftrl", "Lion", "Lamb", "Muon"})
_WRAPPERS = frozenset({"LossScaleOptimizer"})  # first argument: an optimizer, not a rate
_EXAMPLE = "ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)"


@dataclass(frozen=True)
class Found:
    """A schedule constructor call as written, with its arguments' values."""

    class_name: str
    qualifier: str  # the dotted prefix as written, "" if none
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    note: str | None = None  # which call was chosen among several, and why


@dataclass(eq=False)
class Schedule:
    """A schedule call: its Found, or the error to raise if it is the one chosen."""

    node: ast.Call
    outcome: Found | SnippetError
    name: str | None = None  # the first name it was assigned to
    rank: int = 0  # 1: passed to an optimizer; 2: compiled into a model
    user: str = ""

    @property
    def label(self) -> str:
        line = self.node.lineno
        what = self.outcome.class_name if isinstance(self.outcome, Found) else "schedule"
        return f"{self.name} (line {line})" if self.name else f"the {what} on line {line}"


@dataclass(eq=False)
class Unknown:
    """A call lrtool does not know, kept in case it turns out to be a learning rate."""

    name: str
    rank: int = 0
    user: str = ""


@dataclass(eq=False)
class Optimizer:
    """An optimizer call, kept so that ``compile(optimizer=name)`` finds its learning rate."""

    target: Schedule | Unknown | None


class Calls:
    """The calls read so far; ``values`` and ``bindings`` are the names' state, kept by the
    statements' reader and read here at each call."""

    def __init__(self, known: Collection[str], prefixes: Collection[str],
                 values: Mapping[str, object], bindings: Mapping[str, object],
                 budget: Budget, signatures: Mapping[str, Sequence[str]]) -> None:
        self.known = frozenset(known)
        self.signatures = signatures
        self.known_list = sorted(known) if isinstance(known, (set, frozenset)) else list(known)
        self.prefixes = tuple(prefixes)
        self.values, self.bindings, self.budget = values, bindings, budget
        self.aliases: dict[str, list[str]] = {}  # grows as imports are read
        self.schedules: dict[int, Schedule] = {}
        self.optimizers: dict[int, Optimizer] = {}
        self.unknowns: list[Unknown] = []
        self.nested: set[int] = set()  # schedule calls given as another schedule's argument
        self.hints: dict[int, str] = {}  # by priority, for "no schedule constructor found"

    def call(self, node: ast.Call) -> None:
        """Read one call, inner calls first."""
        parts = dotted(node.func)
        if not parts:
            return
        full = self.aliases.get(parts[0], [parts[0]]) + parts[1:]
        name = parts[-1]
        if name in self.known or (len(parts) == 1 and full[-1] in self.known
                                  and self.keras_path(full[:-1])):
            ok = len(parts) == 1 or self.keras_path(parts[:-1]) or self.keras_path(full[:-1])
            self.schedules[id(node)] = self.schedule(node, full[-1], parts, ok)
        elif name == "compile" and len(parts) > 1:
            self.compile(node, parts)
        elif _is_optimizer(full):
            self.optimizers[id(node)] = self.optimizer(node, full[-1])
        elif "lr_scheduler" in full or full[0] == "torch":
            self.hints.setdefault(1, f"{excerpt('.'.join(parts), 50)} on line {node.lineno} is"
                                     " PyTorch's")
        elif (close := closest(name, self.known_list)) and close != name:
            self.hints.setdefault(-1, f"{excerpt(name, 40)} on line {node.lineno} is no schedule"
                                      f" lrtool knows; did you mean {close}?")

    def keras_path(self, parts: list[str]) -> bool:
        path = ".".join(parts)
        return bool(path) and any(m == path or m.endswith("." + path) for m in self.prefixes)

    def bound(self, value: ast.Call) -> Schedule | Optimizer | Unknown | None:
        """What a name assigned call ``value`` is bound to; None for arithmetic (``int(x)``)."""
        found = self.schedules.get(id(value)) or self.optimizers.get(id(value))
        parts = dotted(value.func)
        if found is None and not (parts and len(parts) == 1 and parts[0] in FUNCTIONS):
            return Unknown(".".join(parts) if parts else source(value.func))
        return found

    def schedule(self, node: ast.Call, class_name: str, parts: list[str], ok: bool) -> Schedule:
        qualifier = ".".join(parts[:-1])
        if not ok:
            return Schedule(node, SnippetError(
                f"{excerpt(qualifier, 60)}.{class_name} on line {node.lineno} is not a Keras"
                f" schedule: write keras.optimizers.schedules.{class_name} or just {class_name}"))
        try:
            args, kwargs = self.arguments(node, class_name)
        except OutOfBudget:
            raise
        except SnippetError as exc:  # kept, and raised only if this call is chosen
            return Schedule(node, exc.with_traceback(None))
        return Schedule(node, Found(class_name, qualifier, args, kwargs))

    def arguments(self, node: ast.Call, class_name: str) -> tuple[tuple, dict]:
        where = f"{class_name} on line {node.lineno}"
        names = self.signatures.get(class_name, ())
        args = []
        for i, arg in enumerate(node.args, 1):
            if isinstance(arg, ast.Starred):
                raise SnippetError(f"*arguments are not supported ({where}): write each argument")
            name = names[i - 1] if i <= len(names) else None
            args.append(self.value(arg, name or f"argument {i} of {class_name}", name))
        kwargs: dict[str, object] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                raise SnippetError(f"**arguments are not supported ({where}): write each"
                                   " argument")
            if keyword.arg in kwargs:
                raise SnippetError(f"{where} gets {keyword.arg} twice", keyword.arg)
            kwargs[keyword.arg] = self.value(keyword.value, keyword.arg, keyword.arg)
        return tuple(args), kwargs

    def value(self, node: ast.AST, where: str, argument: str | None) -> object:
        """A number (or list...); for WarmUp's ``decay_schedule_fn``, a schedule."""
        inner = self.schedules.get(id(node)) or self.bindings.get(getattr(node, "id", None))
        if not isinstance(inner, Schedule) or argument != "decay_schedule_fn":
            return evaluate(node, self.values, where, argument=argument, budget=self.budget)
        self.nested.add(id(inner.node))
        if isinstance(inner.outcome, SnippetError):
            raise inner.outcome
        return inner.outcome

    def optimizer(self, node: ast.Call, name: str) -> Optimizer:
        rate = next((k.value for k in node.keywords if k.arg in ("learning_rate", "lr")), None)
        if rate is None and node.args and name not in _WRAPPERS:
            rate = node.args[0]
        target = None if rate is None else self.target(rate)
        if rate is not None and target is None:
            self.hints.setdefault(2, f"{name} on line {node.lineno} gets the learning rate"
                                     f" {source(rate)}")
        self.use(target, 1, f"{name} on line {node.lineno}")
        return Optimizer(target)

    def target(self, rate: ast.AST) -> Schedule | Unknown | None:
        """The schedule (or unknown call) an optimizer's learning rate is, if any."""
        if isinstance(rate, ast.Call):
            bound = self.bound(rate)
            return bound if isinstance(bound, (Schedule, Unknown)) else None
        if isinstance(rate, ast.Name):
            bound = self.bindings.get(rate.id)
            return bound if isinstance(bound, (Schedule, Unknown)) else None
        return None

    def compile(self, node: ast.Call, parts: list[str]) -> None:
        given = next((k.value for k in node.keywords if k.arg == "optimizer"),
                     node.args[0] if node.args else None)
        if isinstance(given, ast.Call):
            optimizer = self.optimizers.get(id(given))
        else:
            bound = self.bindings.get(given.id) if isinstance(given, ast.Name) else None
            optimizer = bound if isinstance(bound, Optimizer) else None
        if optimizer is not None:
            self.use(optimizer.target, 2, f"{excerpt('.'.join(parts), 40)} on line {node.lineno}")

    def use(self, target: Schedule | Unknown | None, rank: int, user: str) -> None:
        if target is None or rank < target.rank:
            return
        target.rank, target.user = rank, user
        if isinstance(target, Unknown) and target not in self.unknowns:
            self.unknowns.append(target)

    def uncalled(self, nodes: list[ast.AST], funcs: set[int]) -> None:
        """Note a schedule class named but not called (``CosineDecay`` alone)."""
        for node in nodes:
            name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
            if name in self.known and id(node) not in funcs and isinstance(
                    getattr(node, "ctx", None), ast.Load):
                line = getattr(node, "lineno", 0)
                self.hints[0] = f"{name} on line {line} is named but not called"
                return

    def choose(self) -> Found:
        """The most used schedule call, the latest of equals; or the error that says why not."""
        schedules = sorted((s for s in self.schedules.values() if id(s.node) not in self.nested),
                           key=lambda s: _end(s.node))
        used = [s for s in schedules if s.rank]
        unknown = max(reversed(self.unknowns), key=lambda u: u.rank, default=None)
        if unknown and (not used or unknown.rank > max(s.rank for s in used)):
            raise self.unknown(unknown)  # what the model trains with is not a known schedule
        if used:
            best = max(used, key=lambda s: (s.rank, _end(s.node)))
        elif schedules:
            best = schedules[-1]
        else:
            hint = f" ({self.hints[min(self.hints)]})" if self.hints else ""
            raise SnippetError(f"no schedule constructor found{hint}; expected e.g. {_EXAMPLE}")
        if isinstance(best.outcome, SnippetError):
            raise with_hint(best.outcome, self.values)
        return replace(best.outcome, note=_note(best, schedules))

    def unknown(self, call: Unknown) -> SnippetError:
        name = call.name.split(".")[-1]
        passed = f" passed to {call.user}" if call.user else ""
        known = ", ".join(self.known_list)
        known = known if len(known) <= 110 else known[:107] + "..."
        if "." in call.name and not self.keras_path(call.name.split(".")[:-1]):
            return SnippetError(f"{excerpt(call.name, 60)}(){passed} is not a Keras schedule;"
                                f" known: {known}")
        close = closest(name, self.known_list)
        tail = f"did you mean {close!r}?" if close else f"known: {known}"
        return SnippetError(f"unknown schedule {excerpt(name, 40)!r}{passed}; {tail}")


def _end(node: ast.AST) -> tuple[int, int]:
    return (node.end_lineno or 0, node.end_col_offset or 0)  # type: ignore[attr-defined]


def _note(best: Schedule, schedules: list[Schedule]) -> str | None:
    if len(schedules) < 2:
        return None
    ties = sum(s.rank == best.rank for s in schedules) > 1
    if best.rank == 0:
        why = "the last one"
    elif ties:
        why = "the last one " + ("compiled" if best.rank == 2 else "passed to an optimizer")
    else:
        why = f"the one passed to {best.user}"
    return f"{len(schedules)} schedules are constructed; showing {best.label}, {why}"


def _is_optimizer(full: list[str]) -> bool:
    name, module = full[-1], ".".join(full[:-1])
    return name in OPTIMIZERS or name.endswith("Optimizer") or (name[:1].isupper() and (
        module.endswith(("optimizers", "optimizers.legacy", "optimizers.experimental"))))


def aliases(node: ast.Import | ast.ImportFrom) -> dict[str, list[str]]:
    """Names an import binds to module paths: ``import tensorflow.keras as tk`` makes
    ``tk.optimizers.schedules.X`` a Keras path, ``from ... import CosineDecay as CD`` a class."""
    bound: dict[str, list[str]] = {}
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                bound[alias.asname] = alias.name.split(".")
    elif node.module and not node.level:
        for alias in node.names:
            if alias.name != "*":
                bound[alias.asname or alias.name] = [*node.module.split("."), alias.name]
    return bound
