"""The shape of the package: one acyclic converter, no import circle, no lazy import.

Each module of ``src/loyalty_core`` may import only modules below it, in the layers that
docs/explanation/architecture.md lists (the test reads the page's table): the import graph of
the package (module-level imports, ``TYPE_CHECKING`` blocks left out) goes down those layers,
has no cycle, and no function imports a loyalty_core module on the spot to dodge one. Every
error the package raises carries its Problems. Third-party optional dependencies
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


# --- the documented layers ------------------------------------------------------------------

ARCHITECTURE: Final = SRC.parent / "docs" / "explanation" / "architecture.md"
SUBPACKAGES: Final = ("analysis", "scenarios", "testing")


def _documented_layers() -> dict[str, int]:
    """The layer of each module, as the table of docs/explanation/architecture.md gives it."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    table = text.split("<!-- layers:", 1)[1].split("\n## ", 1)[0]
    layers: dict[str, int] = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].isdigit():
            continue
        for name in cells[1].split(","):
            layers[name.strip().strip("`")] = int(cells[0])
    return layers


LAYERS: Final = _documented_layers()


def _unit(module: str) -> str:
    """The table's name for a module: a sub-package's modules go by the sub-package."""
    parts = module.split(".")
    if module == PACKAGE:
        return PACKAGE
    return parts[1]


def test_the_page_lists_every_module_once() -> None:
    units = {_unit(module) for module in MODULES}
    assert set(LAYERS) == units, (
        f"not on the page: {sorted(units - set(LAYERS))}; "
        f"on the page, not in the package: {sorted(set(LAYERS) - units)}"
    )
    assert len(LAYERS) >= 25  # the table was read, not an empty match


def test_imports_go_down_the_documented_layers() -> None:
    """Every import goes to a lower layer, or stays inside one sub-package (the page's rule)."""
    upward = sorted(
        f"{module} (layer {LAYERS[_unit(module)]}) imports {target} (layer {LAYERS[_unit(target)]})"
        for module, targets in GRAPH.items()
        for target in targets
        if not (_unit(module) == _unit(target) and _unit(module) in SUBPACKAGES)
        and LAYERS[_unit(target)] >= LAYERS[_unit(module)]
    )
    assert not upward, "\n".join(upward)


def test_the_layer_check_finds_an_upward_import() -> None:
    saved = {module: set(targets) for module, targets in GRAPH.items()}
    try:
        GRAPH["loyalty_core.clock"] = {*GRAPH["loyalty_core.clock"], "loyalty_core.policy"}
        with pytest.raises(AssertionError, match="loyalty_core.clock .layer 1. imports"):
            test_imports_go_down_the_documented_layers()
    finally:
        GRAPH.clear()
        GRAPH.update(saved)
