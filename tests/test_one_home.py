"""Every concept has one home: a table of the words that make it up is written once.

Each concept below is recognised by a few of its words (at least two of them in one collection
literal is a definition of it) and has the module or modules allowed to define it. A second
``SHELLS``-like table anywhere else in the package fails here: import the home's table, or
build on it (``DEPENDENCY_DIRS | {...}``), instead.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "composeguard"


@dataclass(frozen=True)
class Concept:
    name: str
    words: frozenset[str]
    homes: tuple[str, ...]
    why: str = ""


CONCEPTS = (
    Concept("programs that run shell code", frozenset({"bash", "dash", "zsh", "ksh", "mksh"}),
            ("lint/parse/shell.py",)),
    Concept("shell test commands", frozenset({"[", "[["}), ("lint/parse/shell.py",)),
    Concept("process wrappers", frozenset({"gosu", "su-exec", "tini", "dumb-init", "s6-setuidgid"}),
            ("lint/parse/argv.py",)),
    Concept("docker/compose global options", frozenset({"--project-directory", "--tlscacert",
                                                        "--tlskey"}),
            ("lint/parse/argv.py",)),
    Concept("artisan commands that drop data", frozenset({"migrate:fresh", "migrate:reset",
                                                          "db:wipe"}),
            ("lint/facts/commands.py", "lint/facts/laravel.py"),
            "the command table says what each command does; laravel.py lists what Laravel's "
            "DB::prohibitDestructiveCommands() blocks, a fact about Laravel"),
    Concept("dependency folders", frozenset({"node_modules", "bower_components", ".venv"}),
            ("lint/model/discover.py",)),
    Concept("test data folders", frozenset({"testdata", "test_data", "__tests__"}),
            ("lint/facts/dumps.py",)),
    Concept("credential words", frozenset({"PASSWORD", "PASSWD", "SECRET", "TOKEN"}),
            ("lint/facts/secrets.py", "rules/repository/facts.py"),
            "masking output is deliberately broader (any substring) than CG403's judgement of "
            "a variable name (its words)"),
)

DATA_STEPS_HOME = "lint/facts/commands.py"
"""Where the operations a start command must not do (migrate, seed, destroy) are listed."""


def literals(tree: ast.AST) -> list[tuple[int, frozenset[str]]]:
    """Every collection literal of strings (a set, list, tuple, dict's keys, or ``_opts("a b")``)
    with its line."""
    found: list[tuple[int, frozenset[str]]] = []
    for node in ast.walk(tree):
        items: list[ast.expr | None] = []
        if isinstance(node, ast.Set | ast.List | ast.Tuple):
            items = list(node.elts)
        elif isinstance(node, ast.Dict):
            items = list(node.keys)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "_opts" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.lineno, frozenset(node.args[0].value.split())))
            continue
        words = frozenset(i.value for i in items
                          if isinstance(i, ast.Constant) and isinstance(i.value, str))
        if len(words) >= 2:
            found.append((node.lineno, words))
    return found


def data_step_literals(tree: ast.AST) -> list[int]:
    """Lines of a literal naming all of ``Operation.MIGRATE``, ``SEED`` and ``DESTROY``."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Set | ast.List | ast.Tuple):
            names = {e.attr for e in node.elts if isinstance(e, ast.Attribute)
                     and isinstance(e.value, ast.Name) and e.value.id == "Operation"}
            if {"MIGRATE", "SEED", "DESTROY"} <= names:
                lines.append(node.lineno)
    return lines


def second_homes(sources: dict[str, str]) -> list[str]:
    problems = []
    for relative, text in sorted(sources.items()):
        tree = ast.parse(text)
        for line, words in literals(tree):
            for concept in CONCEPTS:
                if relative not in concept.homes and len(words & concept.words) >= 2:
                    problems.append(f"{relative}:{line} defines {concept.name} again "
                                    f"(home: {', '.join(concept.homes)})")
        if relative != DATA_STEPS_HOME:
            problems += [f"{relative}:{line} lists the data steps again (home: "
                         f"{DATA_STEPS_HOME}, DATA_STEPS)" for line in data_step_literals(tree)]
    return problems


def package_sources() -> dict[str, str]:
    return {path.relative_to(PACKAGE).as_posix(): path.read_text(encoding="utf-8")
            for path in PACKAGE.rglob("*.py")}


def test_no_concept_is_defined_twice() -> None:
    assert second_homes(package_sources()) == []


def test_every_home_defines_its_concept() -> None:
    sources = package_sources()
    for concept in CONCEPTS:
        for home in concept.homes:
            assert any(len(words & concept.words) >= 2
                       for _, words in literals(ast.parse(sources[home]))), (concept.name, home)
    assert data_step_literals(ast.parse(sources[DATA_STEPS_HOME]))


def test_a_second_table_is_found() -> None:
    planted = {
        "lint/facts/storage.py": 'RUNNERS = frozenset({"bash", "sh", "zsh"})\n',
        "rules/startup/__init__.py": "STEPS = (Operation.MIGRATE, Operation.SEED, "
                                     "Operation.DESTROY)\n",
        "lint/parse/shell.py": 'SHELLS = frozenset({"sh", "bash", "dash"})\n',
    }
    assert second_homes(planted) == [
        ("lint/facts/storage.py:1 defines programs that run shell code again "
         "(home: lint/parse/shell.py)"),
        ("rules/startup/__init__.py:1 lists the data steps again (home: "
         "lint/facts/commands.py, DATA_STEPS)"),
    ]


SPLITTERS_ALLOWED = {
    "lint/facts/scripts.py": "a Dockerfile instruction's arguments (WORKDIR, ENV, VOLUME) are "
                             "split by Docker's own word rules, not by a shell",
}
"""Modules outside the parse layer that may split text into words themselves, and why."""


def shlex_splits(tree: ast.AST) -> list[int]:
    """Lines that split text with the standard library's shell lexer."""
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "shlex"
            and node.func.attr in ("split", "shlex")]


def test_shell_text_is_split_in_the_parse_layer_only() -> None:
    """One way to read a command line: the shell parser (lint/parse/shell.py, words_of and
    compose_words among its answers), not a second lexer in a fact or a rule."""
    found = [f"{relative}:{line}" for relative, text in sorted(package_sources().items())
             if not relative.startswith("lint/parse/") and relative not in SPLITTERS_ALLOWED
             for line in shlex_splits(ast.parse(text))]
    assert found == []
    assert shlex_splits(ast.parse("import shlex\nshlex.split(x)\n")) == [2]
