"""The package's layers, each a folder, point one way (bottom first):

    lint/parse -> lint/model -> lint/facts -> lint/project.py -> lint/engine -> fix/
    -> rules/ -> runner.py -> fix/apply/ -> cli.py and the tools (docs, config_schema)

A module may import its own layer and any layer below, never one above; no import cycle
(imports inside functions and under TYPE_CHECKING count too)."""

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


LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("package", ("composeguard",)),
    ("parse", ("composeguard.lint.parse",)),
    ("model", ("composeguard.lint.model",)),
    ("facts", ("composeguard.lint.facts",)),
    ("project", ("composeguard.lint", "composeguard.lint.project")),
    ("engine", ("composeguard.lint.engine",)),
    ("fix", ("composeguard.fix",)),
    ("rules", ("composeguard.rules",)),
    ("runner", ("composeguard.runner",)),
    ("apply", ("composeguard.fix.apply",)),
    ("cli", ("composeguard.cli", "composeguard.__main__", "composeguard.docs",
             "composeguard.config_schema")),
)
"""Each layer and the packages or modules it holds; a module belongs to the longest match."""


def layer_of(module: str) -> int:
    best, rank = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            exact = prefix in ("composeguard", "composeguard.lint")
            if (module == prefix or (not exact and module.startswith(prefix + "."))) \
                    and len(prefix) > best:
                best, rank = len(prefix), index
    assert rank >= 0, f"{module} is in no layer: add its folder to LAYERS"
    return rank


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted(f"{name} ({LAYERS[layer_of(name)][0]}) imports {other} "
                  f"({LAYERS[layer_of(other)][0]})"
                  for name, imported in graph.items() for other in imported
                  if layer_of(other) > layer_of(name))


def test_every_module_is_in_a_layer_and_no_layer_imports_one_above_it() -> None:
    assert upward_imports(import_graph()) == []


def test_the_layer_check_finds_an_upward_import() -> None:
    graph = {"composeguard.lint.parse.shell": {"composeguard.lint.facts.commands"},
             "composeguard.lint.facts.commands": set(),
             "composeguard.rules.base": {"composeguard.lint.engine.finding"},
             "composeguard.lint.engine.finding": set()}
    assert upward_imports(graph) == [
        "composeguard.lint.parse.shell (parse) imports composeguard.lint.facts.commands (facts)"]


def test_every_layer_is_a_folder_of_the_package() -> None:
    package = SOURCE / "composeguard"
    for name in ("lint/parse", "lint/model", "lint/facts", "lint/engine", "fix/apply"):
        assert (package / name / "__init__.py").is_file(), name
    loose = sorted(p.name for p in (package / "lint").glob("*.py"))
    assert loose == ["__init__.py", "project.py"]
