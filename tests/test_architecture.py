"""The shape of the package: one acyclic converter, no import circle, no lazy import.

Each module of ``src/loyalty_core`` may import only modules below it: the import graph of the
package (module-level imports, ``TYPE_CHECKING`` blocks left out) has no cycle, and no function
imports a loyalty_core module on the spot to dodge one. Third-party optional dependencies
(pandas, matplotlib, pendulum's people-facing parsing) may still be imported where used.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Final

import pytest

SRC: Final = Path(__file__).parents[1] / "src"
PACKAGE: Final = "loyalty_core"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: Final = {_module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


def _resolve(name: str) -> str:
    """The module a dotted import name loads: itself, or the closest package holding it."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(node: ast.Import | ast.ImportFrom, module: str) -> list[str]:
    """The loyalty_core modules one import statement loads."""
    found: list[str] = []
    if isinstance(node, ast.Import):
        found += [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        # `from loyalty_core import clock` loads the submodule clock; a plain name, the package.
        found += [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
            for alias in node.names
        ]
    return [_resolve(name) for name in found if name.split(".")[0] == PACKAGE]


def _module_level_imports(tree: ast.Module, module: str) -> set[str]:
    edges: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            edges.update(_targets(node, module))
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            pending += node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody
            for handler in node.handlers:
                pending += handler.body
    edges.discard(module)
    return edges


GRAPH: Final = {
    module: _module_level_imports(ast.parse(path.read_text()), module)
    for module, path in MODULES.items()
}


def _cycle() -> list[str] | None:
    """One import cycle of the package, or ``None`` (an iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in sorted(GRAPH):
        if root in state:
            continue
        path: list[str] = [root]
        children = [iter(sorted(GRAPH[root]))]
        state[root] = 1
        while children:
            child = next(children[-1], None)
            if child is None:
                state[path.pop()] = 2
                children.pop()
            elif state.get(child) == 1:
                return [*path[path.index(child) :], child]
            elif child not in state:
                state[child] = 1
                path.append(child)
                children.append(iter(sorted(GRAPH[child])))
    return None


def test_the_package_has_no_import_cycle() -> None:
    """Issue 12: the converter and the values form no import circle."""
    assert _cycle() is None, " -> ".join(_cycle() or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The search above can fail: a graph with a cycle is reported."""
    saved = dict(GRAPH)
    try:
        GRAPH["loyalty_core.limits"] = {*GRAPH["loyalty_core.limits"], "loyalty_core._fields"}
        assert _cycle() is not None
    finally:
        GRAPH.clear()
        GRAPH.update(saved)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_function_imports_a_loyalty_core_module(module: str) -> None:
    """No lazy import holds a cycle together: every loyalty_core import is at module level."""
    tree = ast.parse(MODULES[module].read_text())
    lazy = [
        f"line {node.lineno}"
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom) and _targets(node, module)
    ]
    assert not lazy, f"{module} imports loyalty_core inside a function at {', '.join(lazy)}"


LOWER: Final = (
    "_fields",
    "_value_items",
    "benefits",
    "rewards",
    "credits",
    "profiles",
    "records",
    "claims",
    "redemptions",
    "extension",
    "notifications",
)
"""STYLE.md's layers below the request bodies: the converter, the values, the rules."""
UPPER: Final = ("payloads", "scenarios", "analysis", "testing", "cli", "_model")


def _reachable(module: str) -> set[str]:
    seen: set[str] = set()
    pending = [module]
    while pending:
        for child in GRAPH[pending.pop()]:
            if child not in seen:
                seen.add(child)
                pending.append(child)
    return seen


@pytest.mark.parametrize("module", LOWER)
def test_imports_flow_one_way(module: str) -> None:
    """Values convert themselves and rules decide; neither reaches the request bodies or above."""
    above = tuple(f"{PACKAGE}.{name}" for name in UPPER)
    reached = [m for m in _reachable(f"{PACKAGE}.{module}") if m.startswith(above)]
    assert not reached


_ERRORS: Final = frozenset({"InvalidRequest", "PayloadError", "ConditionError"})


def _error_name(call: ast.Call) -> str | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name if name in _ERRORS else None


def _bare_text(node: ast.expr) -> bool:
    """A message given where a Problem belongs: text, a name holding text, or an f-string."""
    return isinstance(node, ast.JoinedStr | ast.Name) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_error_carries_problems(module: str) -> None:
    """Issue 15: an InvalidRequest, PayloadError or ConditionError is built from Problems.

    Built from text, its ``.problems`` would be empty and a caller could not tell which
    argument was wrong. (A name may hold Problems: only names called ``msg`` or ``message``,
    the house's names for text, count as text.)
    """
    tree = ast.parse(MODULES[module].read_text())
    bare = [
        f"line {node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _error_name(node)
        and node.args
        and _bare_text(node.args[0])
        and (not isinstance(node.args[0], ast.Name) or node.args[0].id in {"msg", "message"})
    ]
    assert not bare, f"{module} builds an error from text at {', '.join(bare)}"
