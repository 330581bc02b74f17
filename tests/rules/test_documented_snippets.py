"""Every rule page's Example makes its rule report, and its Use instead does not (nor does it
break the file), whenever the snippet is a project's files: one compose file, or several
files each headed by a ``# path`` comment line. Shell sessions (``$ git ...``) and fragments
of a PHP file are illustrations; they are listed here by name, so a new rule's snippets are
tested unless someone decides otherwise, on purpose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from composeguard.lint.engine.selection import Selection
from composeguard.lint.project import Project
from composeguard.rules import Rule, all_rules
from composeguard.runner import run

from ..conftest import write_tree

ILLUSTRATIONS = {
    ("CG301", "example"), ("CG301", "use_instead"),   # a line of config/database.php
    ("CG401", "example"), ("CG401", "use_instead"),   # git commands
    ("CG402", "example"), ("CG402", "use_instead"),   # one .gitignore, without the app
    ("CG403", "example"), ("CG403", "use_instead"),   # git commands
    ("CG404", "example"), ("CG404", "use_instead"),   # git commands
    ("CG501", "example"), ("CG501", "use_instead"),   # a method of AppServiceProvider
    ("CG503", "example"), ("CG503", "use_instead"),   # a method of a controller
}
HEADER = re.compile(r"^# ((?:[\w./-]+\.(?:ya?ml|sh))|(?:[\w./-]*/)?Makefile)\b.*$")


def snippet_files(text: str) -> dict[str, str]:
    """A snippet as files: split at ``# path`` header lines (``compose.yaml`` without one)."""
    files: dict[str, list[str]] = {}
    current = "compose.yaml"
    for line in text.strip("\n").split("\n"):
        header = HEADER.match(line)
        if header:
            current = header.group(1)
            files.setdefault(current, [])
            continue
        files.setdefault(current, []).append(line)
    return {path: "\n".join(lines).strip("\n") + "\n" for path, lines in files.items()
            if "\n".join(lines).strip()}


CASES = [pytest.param(rule, which, id=f"{rule.code}-{which}")
         for rule in all_rules() for which in ("example", "use_instead")
         if (rule.code, which) not in ILLUSTRATIONS]


@pytest.mark.parametrize(("rule", "which"), CASES)
def test_documented_snippet(rule: Rule, which: str, tmp_path: Path) -> None:
    text = getattr(rule, which)
    assert not text.lstrip().startswith("```"), \
        f"{rule.code} {which}: a fenced snippet is an illustration: list it in ILLUSTRATIONS"
    root = write_tree(tmp_path / "project", snippet_files(text))
    found = run(Project([root]), Selection(select=(rule.code,))).findings
    if which == "example":
        assert found, f"{rule.code}: its documented Example reports nothing"
    else:
        assert found == [], f"{rule.code}: its Use instead still reports {found[0].message}"
        if rule.code not in ("CG001", "CG002"):
            broken = run(Project([root]), Selection(select=("CG001", "CG002"))).findings
            assert broken == [], f"{rule.code}: its Use instead is {broken[0].message}"


def test_every_illustration_is_a_snippet_of_a_rule() -> None:
    names = {(rule.code, which) for rule in all_rules() for which in ("example", "use_instead")}
    assert names >= ILLUSTRATIONS


def test_snippet_files_split_at_headers() -> None:
    assert snippet_files("# a.yml: one\nx: 1\n\n# b/c.yaml\ny: 2\n") == {"a.yml": "x: 1\n",
                                                                          "b/c.yaml": "y: 2\n"}
    assert snippet_files("services: {}\n") == {"compose.yaml": "services: {}\n"}
