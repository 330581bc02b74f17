"""Finding the files of a project: compose files and what git would ignore.

Git is asked once per repository (``git ls-files -z --cached --others --exclude-standard``) for
the files it does not ignore; outside a repository every file below the path counts.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from composeguard.lint.compose import is_compose_file_name

SKIPPED_DIRS = frozenset({".git", "vendor", "node_modules", ".venv", "__pycache__", ".tox"})


@dataclass(frozen=True, slots=True)
class GitRepo:
    root: Path
    visible: frozenset[Path]
    """Absolute paths of the files git tracks or would track (not ignored)."""


@lru_cache(maxsize=64)
def git_repo_for(directory: Path) -> GitRepo | None:
    """The repository holding ``directory`` and its non-ignored files, or None outside git."""
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=directory, capture_output=True, text=True, timeout=30, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if top.returncode != 0 or not top.stdout.strip():
        return None
    root = Path(top.stdout.strip()).resolve()
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, timeout=120, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if listed.returncode != 0:
        return None
    names = listed.stdout.decode("utf-8", "surrogateescape").split("\0")
    return GitRepo(root, frozenset(root / name for name in names if name))


@dataclass
class Discovery:
    compose_files: list[Path] = field(default_factory=list)
    explicit_files: set[Path] = field(default_factory=set)


def discover(paths: Iterable[Path], exclude: Iterable[str] = ()) -> Discovery:
    """Every compose file below ``paths`` (absolute, sorted, de-duplicated).

    A path named explicitly is linted whatever its name; directories are walked without
    following directory symlinks, skipping :data:`SKIPPED_DIRS`, ``exclude`` globs and what
    git ignores.
    """
    import fnmatch

    found: dict[Path, None] = {}
    explicit: set[Path] = set()
    patterns = tuple(exclude)

    def excluded(path: Path) -> bool:
        text = path.as_posix()
        return any(fnmatch.fnmatch(text, p) or fnmatch.fnmatch(path.name, p) for p in patterns)

    for raw in paths:
        path = Path(os.path.abspath(raw))
        if path.is_dir():
            for candidate in _walk(path):
                if not excluded(candidate):
                    found.setdefault(candidate, None)
        else:
            found.setdefault(path, None)
            explicit.add(path)
    return Discovery(sorted(found), explicit)


def _walk(top: Path) -> Iterator[Path]:
    repo = git_repo_for(top)
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        directory = Path(dirpath)
        for name in sorted(filenames):
            if not is_compose_file_name(name):
                continue
            path = directory / name
            if repo is not None and _inside(path, repo.root) and _resolved_parent(path) not in repo.visible:
                continue
            yield path


def _resolved_parent(path: Path) -> Path:
    """The path with its directories resolved but not the file itself (it may be a symlink)."""
    try:
        return path.parent.resolve() / path.name
    except (OSError, RuntimeError):  # a directory symlink loop: keep the path as given
        return path


def _inside(path: Path, root: Path) -> bool:
    try:
        _resolved_parent(path).relative_to(root)
    except ValueError:
        return False
    return True
