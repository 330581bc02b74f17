"""The package's layers point one way: cli -> runner -> rules -> the core's views -> the
core -> parsers. No import cycle (imports inside functions and under TYPE_CHECKING count
too), and no module of the core imports the Project it serves."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src"


def import_graph() -> dict[str, set[str]]:
    """Each composeguard module -> the composeguard modules it imports, anywhere in it."""
    modules: dict[str, Path] = {}
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(SOURCE).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_one() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_core_module_imports_the_project() -> None:
    """The Project is built from lint/'s modules; none of them imports it back. The runner,
    which runs the rules over a Project, sits above them (``composeguard.runner``)."""
    graph = import_graph()
    importers = sorted(name for name, imported in graph.items()
                       if name.startswith("composeguard.lint.")
                       and "composeguard.lint.project" in imported)
    assert importers == []


def test_the_core_never_imports_a_rule_family_a_fix_or_the_cli() -> None:
    """lint/ may ask the catalog (``composeguard.rules``) for the list of rules; it never
    reaches into a family, the fix machinery or the CLI."""
    graph = import_graph()
    upward = {(name, other) for name, imported in graph.items()
              if name.startswith("composeguard.lint.") for other in imported
              if other.startswith(("composeguard.rules.", "composeguard.fix", "composeguard.cli"))
              and other != "composeguard.rules.base"}
    assert upward == set()
