"""The shape of the code itself: layers import one way, modules stay small, privates stay private.

The import graph is read from the source (function-local imports included: a lazy import is
still a dependency), so a cycle fails here before it can surprise anyone at run time.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "lrtool"
MAX_LINES = 300


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def resolve(name: str) -> str | None:
    """The lrtool module an import names: the longest known prefix of the dotted name."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every import in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names], node.lineno))
    return found


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for module, names, _ in imports(path):
            if not module.startswith("lrtool"):
                continue
            targets = [resolve(f"{module}.{n}") if f"{module}.{n}" in MODULES else resolve(module)
                       for n in names] or [resolve(module)]
            edges[name].update(t for t in targets if t and t != name)
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycles() -> None:
    cycle = find_cycle(graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_check_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_layers_import_one_way() -> None:
    """Schedules know nothing of the CLI, backends, the engine or outputs; the engine and the
    shape knowledge know no output; outputs know no CLI."""
    edges = graph()

    def reaches(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in edges[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        return seen

    for name in MODULES:
        below = reaches(name)
        if name.startswith(("lrtool.schedules", "lrtool.shape")):
            assert not {m for m in below if m.startswith(
                ("lrtool.cli", "lrtool.backends", "lrtool.engine", "lrtool.output"))}, name
        if name.startswith(("lrtool.engine", "lrtool.shape", "lrtool.backends")):
            assert not {m for m in below if m.startswith(("lrtool.output", "lrtool.cli"))}, name
        if name.startswith("lrtool.output"):
            assert not {m for m in below if m.startswith("lrtool.cli")}, name


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


def test_nothing_imports_another_modules_private_names() -> None:
    offences = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {}
        for module, names, line in imports(path):
            if not module.startswith("lrtool"):
                continue
            if any(part.startswith("_") for part in module.split(".")):
                offences.append(f"{name}:{line} imports {module}")
            offences += [f"{name}:{line} imports {module}.{n}" for n in names
                         if n.startswith("_") and not n.startswith("__")]
            aliases.update({n: f"{module}.{n}" for n in names})
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and aliases.get(node.value.id, "") in MODULES
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                offences.append(f"{name}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert offences == []


def test_help_and_completion_import_no_heavy_package() -> None:
    code = ("import sys; from lrtool.cli import cli; import lrtool.schedules, lrtool.engine,"
            " lrtool.picture, lrtool.shape;"
            " print(sorted(m for m in ('numpy', 'matplotlib', 'tensorflow', 'rich', 'textual')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stderr
