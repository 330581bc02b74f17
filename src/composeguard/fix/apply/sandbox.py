"""A throw-away copy of the project, where the next pass of fixes is linted.

Fixes are applied in passes, as ruff does: two fixes that touch the same place (two services
that both need the top-level ``volumes:`` section created) cannot both be built from the
original text, so the second is built again from the text the first produced. The linter reads
files from disk (compose files, env files, suppression comments, git's view), so each later
pass runs on a mirror of the project in a temporary directory: every file the project
discovered or read, with the planned contents, at the same absolute path below the mirror's
root, and a git index holding the same tracked files. Nothing in the real project is touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from composeguard.lint.project import Project

COPY_LIMIT = 8 * 1024 * 1024
"""Bytes copied of one file; a larger file keeps its size as a sparse tail (every size limit
of the linter is below this, and content checks read the first bytes only)."""


class Sandbox:
    """A mirror of real paths below ``root`` (``/a/b`` is ``root/a/b``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def inside(self, real: Path) -> Path:
        absolute = Path(os.path.abspath(real))
        return self.root.joinpath(*absolute.parts[1:])

    def outside(self, path: Path) -> Path:
        """The real path of a mirrored one (paths outside the mirror are returned as is)."""
        absolute = Path(os.path.abspath(path))
        try:
            relative = absolute.relative_to(self.root)
        except ValueError:
            return absolute
        return Path(absolute.anchor).joinpath(relative)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def mirror(project: Project, contents: Mapping[Path, str], paths: Iterable[Path]) -> Sandbox:
    """A sandbox holding the files ``project`` read or discovered, with ``contents`` (real
    path -> planned text) in place of their files; ``paths`` are the checked paths."""
    sandbox = Sandbox(Path(tempfile.mkdtemp(prefix="composeguard-fix-")))
    try:
        checked = [Path(os.path.abspath(p)) for p in paths]
        for path in checked:
            if path.is_dir():
                sandbox.inside(path).mkdir(parents=True, exist_ok=True)
        for real in sorted(_project_files(project, checked)):
            if real not in contents:
                _copy(real, sandbox.inside(real))
        for real, text in contents.items():
            target = sandbox.inside(real)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        _mirror_git(project, sandbox)
    except BaseException:
        sandbox.close()
        raise
    return sandbox


def _project_files(project: Project, checked: list[Path]) -> set[Path]:
    files = {Path(os.path.abspath(p)) for p in project.discovery.files}
    for model in project.models:
        files.update(f.path for f in model.files)
        files.update(model.base_dirs)
    files.update(project.env_files)
    for repo_root in project.discovery.repo_roots:
        for path in checked:
            directory = path if path.is_dir() else path.parent
            while directory == repo_root or repo_root in directory.parents:
                files.add(directory / ".gitignore")
                if directory == repo_root:
                    break
                directory = directory.parent
    return {Path(os.path.abspath(f)) for f in files}


def _copy(real: Path, target: Path) -> None:
    """Copy a regular file (a symlink as a symlink), at most :data:`COPY_LIMIT` bytes of it."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if real.is_symlink():
            os.symlink(os.readlink(real), target)
            return
        if not real.is_file():
            return
        size = real.stat().st_size
        with open(real, "rb") as source, open(target, "wb") as copy:
            copy.write(source.read(COPY_LIMIT))
            if size > COPY_LIMIT:
                copy.truncate(size)
    except OSError:
        pass  # a file that cannot be read is missing in the mirror, as it is unreadable here


def _mirror_git(project: Project, sandbox: Sandbox) -> None:
    """A git repository at each mirrored repository root whose index holds the files git
    tracks in the real one (no history: the linter asks only what is tracked or ignored)."""
    for repo in project.discovery.repos:
        root = sandbox.inside(repo.root)
        tracked = [path for path in sorted(repo.tracked)
                   if sandbox.inside(path).exists() or sandbox.inside(path).is_symlink()]
        try:
            root.mkdir(parents=True, exist_ok=True)
            _git(root, "init", "-q")
            exclude = repo.root / ".git" / "info" / "exclude"
            if exclude.is_file():
                (root / ".git" / "info").mkdir(parents=True, exist_ok=True)
                shutil.copyfile(exclude, root / ".git" / "info" / "exclude")
            if tracked:
                listing = "\0".join(p.relative_to(repo.root).as_posix() for p in tracked)
                _git(root, "add", "-f", "--pathspec-from-file=-", "--pathspec-file-nul",
                     stdin=listing)
        except (OSError, ValueError, subprocess.SubprocessError):
            continue


def _git(cwd: Path, *args: str, stdin: str | None = None) -> None:
    environment = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
    subprocess.run(["git", "-c", "core.hooksPath=/dev/null", *args], cwd=cwd,
                   input=stdin.encode("utf-8", "surrogateescape") if stdin is not None else None,
                   env=environment, capture_output=True, timeout=120, check=False)
