"""The fix of CG402: the missing patterns appended, under ``# composeguard: database files``,
to the ``.gitignore`` at the root of what was checked (created when missing), when git's own
rules say the result ignores the database (a deeper ``!pattern`` would still win: no fix
then).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from composeguard.fix.builders import best_effort
from composeguard.lint.engine.finding import Edit, Fix, fix_builder

if TYPE_CHECKING:
    from composeguard.lint.project import Project


IGNORE_HEADER = "# composeguard: database files"


def patterns_in(suggestion: str) -> tuple[str, ...]:
    """The patterns of a CG402 suggestion (each written in backquotes)."""
    return tuple(p for p in suggestion.split("`")[1::2] if p and "\n" not in p)


def ignore_text(current: str | None, patterns: Sequence[str]) -> str:
    """``current`` (a .gitignore's text, None when it does not exist) with ``patterns`` added
    under :data:`IGNORE_HEADER`; patterns it has already are not repeated."""
    text = current or ""
    present = {line.strip() for line in text.replace("\r\n", "\n").split("\n")}
    missing = [p for p in dict.fromkeys(patterns) if p not in present]
    if not missing:
        return text
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    block = "\n".join(missing) + "\n"
    own_block = any(line.strip() == IGNORE_HEADER for line in lines) and _ends_with_block(lines)
    if own_block:
        added = block
    elif lines:
        added = f"\n{IGNORE_HEADER}\n{block}"
    else:
        added = f"{IGNORE_HEADER}\n{block}"
    separator = "" if not text or text.endswith("\n") else "\n"
    return text + separator + added


def _ends_with_block(lines: list[str]) -> bool:
    """The file ends with our header and nothing but plain patterns after it."""
    for line in reversed(lines):
        stripped = line.strip()
        if stripped == IGNORE_HEADER:
            return True
        if not stripped or stripped.startswith("#"):
            return False
    return False


@fix_builder(safe=True)
@best_effort
def ignore_patterns_fix(project: Project, target: Path, patterns: Sequence[str],
                        shown: Sequence[str]) -> Fix | None:
    """CG402: ``patterns`` appended to the ``.gitignore`` at ``target`` (created when
    missing); ``shown`` names the database files it now ignores, for the description."""
    if not patterns or target.is_symlink():
        return None
    exists = target.exists()
    current = project.read_text(target) if exists else None
    if exists and current is None:
        return None
    after = ignore_text(current, patterns)
    listed = ", ".join(f"`{p}`" for p in dict.fromkeys(patterns))
    files = ", ".join(shown)
    if current is None:
        return Fix(f"create {target.name} ignoring {listed} ({files})", new_files=((target,
                                                                               after),))
    if after == current:
        return None
    lines = current.split("\n")
    position = (len(lines), len(lines[-1]) + 1)
    added = after[len(current):]
    return Fix(f"add {listed} to {target.name} ({files})",
               (Edit(target, position, position, added),))


def ignored_with(project: Project, root: Path, target: Path, text: str, path: Path) -> bool:
    """Whether git would ignore ``path`` once the ignore file ``target`` holds ``text``."""
    from composeguard.lint.facts.ignore import IgnoreRules

    def read(candidate: Path) -> str | None:
        if candidate == target:
            return text
        return None if candidate.is_symlink() else project.read_text(candidate)

    try:
        found = IgnoreRules(root, read).explain(path)
    except (OSError, ValueError, LookupError, RecursionError):
        return False
    return found is not None and not found.negated

