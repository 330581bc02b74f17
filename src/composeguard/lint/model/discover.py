"""Finding the files of a project: compose files, the places where commands live, and what git
tracks or ignores.

Git is asked once per repository (``git ls-files -z -t --cached --others --exclude-standard``):
the status tags split what it tracks from what it merely does not ignore; outside a repository
every file below the path counts. The walk is one pass over directory entries; the only file
contents it reads are the first bytes of a few extensionless files, to see a shell shebang.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path, PurePosixPath

from composeguard.lint.model.compose import is_compose_file_name
from composeguard.lint.model.inputs import note_command
from composeguard.lint.parse.shell import SHELLS

DEPENDENCY_DIRS = frozenset({"node_modules", "vendor", ".venv", "venv", "bower_components",
                             ".next", ".nuxt", "deps", "_build"})
"""Folders a package manager or a build fills: never the project's own files. The one list
discovery, the setup judgement, the persistence rules and the framework readers start from."""
SKIPPED_DIRS = DEPENDENCY_DIRS | {".git", "__pycache__", ".tox"}
"""Folders discovery never enters."""

SCRIPT_DIRS = frozenset(
    {"bin", "script", "scripts", "docker", ".docker", "deploy", "ops", "hooks"}
)
"""Directories whose extensionless files are worth a peek for a shebang even when they are not
executable (a checkout on Windows or from an archive loses the executable bit)."""

SHEBANG_BYTES = 128
MAKEFILE_NAMES = frozenset({"Makefile", "makefile", "GNUmakefile"})

_IN_INDEX_TAGS = frozenset("HSMRC")
"""``git ls-files -t`` tags of entries in the index: cached, skip-worktree, unmerged, removed,
changed. ``?`` is an untracked file and ``K`` an untracked file in the way of an index entry."""


@dataclass(frozen=True, slots=True)
class GitRepo:
    root: Path
    file_names: frozenset[str]
    """Absolute paths, as strings, of the files git tracks or would track (not ignored)."""
    tracked_names: frozenset[str] = frozenset()
    """Absolute paths, as strings, of the files in git's index (a repository of 20,000 files
    is listed on every run: a ``Path`` for each cost a third of the run)."""
    visible_names: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    """``file_names``, and every directory holding a visible file (or an untracked nested
    repository git lists whole): the walk tests these and enters nothing else."""

    @property
    def visible(self) -> frozenset[Path]:
        """The files git tracks or would track."""
        return frozenset(map(Path, self.file_names))

    @property
    def tracked(self) -> frozenset[Path]:
        """The files in git's index."""
        return frozenset(map(Path, self.tracked_names))


GIT_TOPLEVEL = ("git", "rev-parse", "--show-toplevel")
GIT_LIST = ("git", "ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard")
CODE_COMMAND_MARKERS = ("artisan", "->call", "call_command")
"""What a PHP or Python file that runs an artisan or ``manage.py`` command from code holds
(case-insensitive): the files worth parsing for them."""
GIT_GREP_CODE = ("git", "grep", "-l", "-z", "-I", "-i", "-F", "--untracked",
                 *(arg for marker in CODE_COMMAND_MARKERS for arg in ("-e", marker)),
                 "--", "*.php", "*.py")
GIT_COMMANDS = {"toplevel": GIT_TOPLEVEL, "list": GIT_LIST, "grep-code": GIT_GREP_CODE}
"""The only commands a kept result may ask to run again (by name), to compare their output."""


def git_output(argv: tuple[str, ...], cwd: Path, timeout: float) -> tuple[int, bytes]:
    """(exit code, stdout) of a git command; (-1, b"") when it cannot run. Each call is noted
    for a recording run (:func:`composeguard.lint.model.inputs.note_command`), cached or not."""
    result = _git(argv, cwd, timeout)
    note_command(argv, cwd, *result)
    return result


@lru_cache(maxsize=256)
def _git(argv: tuple[str, ...], cwd: Path, timeout: float) -> tuple[int, bytes]:
    try:
        done = subprocess.run(list(argv), cwd=cwd, capture_output=True, timeout=timeout,
                              check=False)
    except (OSError, subprocess.SubprocessError, ValueError):
        return -1, b""
    return done.returncode, done.stdout


def forget() -> None:
    """Forget the git answers of an earlier run in this process (the index may have moved)."""
    _git.cache_clear()
    _parse_listing.cache_clear()


def _toplevel(directory: Path) -> Path | None:
    code, out = git_output(GIT_TOPLEVEL, directory, 30)
    top = out.decode("utf-8", "surrogateescape").strip()
    if code != 0 or not top:
        return None
    return _resolved(top)


@lru_cache(maxsize=256)
def _resolved(top: str) -> Path:
    return Path(top).resolve()


def work_tree(directory: Path) -> Path | None:
    """The git work tree holding ``directory`` (resolved), or None outside any."""
    return _toplevel(Path(directory))


def code_command_files(root: Path) -> frozenset[str] | None:
    """Absolute paths, as strings, of the PHP and Python files of the repository at ``root``
    (tracked, or untracked and not ignored) that hold a :data:`CODE_COMMAND_MARKERS` marker,
    found by ``git grep`` so that a large source tree is not opened file by file; None when
    git cannot answer (the caller then reads the files itself)."""
    code, out = git_output(GIT_GREP_CODE, root, 120)
    if code not in (0, 1):
        return None
    prefix = str(root).rstrip("/") + "/"
    return frozenset(prefix + name for name in out.decode("utf-8", "surrogateescape")
                     .split("\0") if name)


def _list_repo(root: Path) -> GitRepo | None:
    code, out = git_output(GIT_LIST, root, 120)
    return _parse_listing(root, out) if code == 0 else None


@lru_cache(maxsize=64)
def _parse_listing(root: Path, listing: bytes) -> GitRepo:
    prefix = str(root).rstrip("/") + "/"
    visible: set[str] = set()
    tracked: list[str] = []
    names: set[str] = set()
    for entry in listing.decode("utf-8", "surrogateescape").split("\0"):
        tag, _, name = entry.partition(" ")
        if not name:
            continue
        path = prefix + name.rstrip("/")
        visible.add(path)
        if tag.upper() in _IN_INDEX_TAGS:
            tracked.append(path)
        parent = path.rpartition("/")[0]
        while parent not in names and len(parent) >= len(prefix):
            names.add(parent)
            parent = parent.rpartition("/")[0]
    return GitRepo(root, frozenset(visible), frozenset(tracked), frozenset(names.union(visible)))


WORKSPACE_NOTES = ("readme", "license", "licence", "changelog", "notes", ".ds_store",
                   ".composeguard.toml", "pyproject.toml", ".editorconfig")
"""Names (lower case, or their start) of files a folder of clones may hold beside them
without being a project of its own: nothing composeguard reads to judge a setup."""


def separate_projects(paths: Sequence[Path]) -> list[tuple[Path, ...]]:
    """The checked paths grouped into projects that share nothing: one per git work tree
    they lie in, and one for whatever lies in no repository. A folder in no repository that
    holds only clones (every subfolder a work tree of its own, with at most notes beside them:
    :data:`WORKSPACE_NOTES`) is one project per clone. A backup, a guard or a start script in
    one project says nothing about the stores of another, and projects can be checked apart,
    in parallel."""
    groups: dict[Path | None, list[Path]] = {}
    for raw in paths:
        absolute = Path(os.path.abspath(raw))
        folder = absolute if absolute.is_dir() else absolute.parent
        top = work_tree(folder) if folder.is_dir() else None
        if top is not None:
            groups.setdefault(top, []).append(raw)
            continue
        clones = _clones(absolute) if absolute.is_dir() else None
        if not clones:
            groups.setdefault(None, []).append(raw)
            continue
        for clone in clones:
            shown = Path(raw) / clone.name
            groups.setdefault(work_tree(clone) or clone, []).append(shown)
    return [tuple(group) for group in groups.values()]


def _clones(folder: Path) -> list[Path] | None:
    """The work trees directly in ``folder`` when it holds nothing else but notes, at least
    two of them; else None."""
    clones: list[Path] = []
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return None
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name in SKIPPED_DIRS or entry.name in (".idea", ".vscode"):
                continue
            if not os.path.lexists(os.path.join(entry.path, ".git")):
                return None
            clones.append(Path(entry.path))
        elif not entry.name.lower().startswith(WORKSPACE_NOTES) and \
                not entry.name.lower().endswith((".md", ".txt", ".rst")):
            return None
    return clones if len(clones) >= 2 else None


def git_repo_for(directory: Path) -> GitRepo | None:
    """The repository holding ``directory`` and its non-ignored files, or None outside git."""
    root = _toplevel(Path(directory))
    return _list_repo(root) if root is not None else None


@dataclass
class Discovery:
    """The files of a project by kind; every list holds absolute paths, sorted."""

    compose_files: list[Path] = field(default_factory=list)
    explicit_files: set[Path] = field(default_factory=set)
    shell_scripts: list[Path] = field(default_factory=list)
    makefiles: list[Path] = field(default_factory=list)
    ci_workflows: list[Path] = field(default_factory=list)
    dockerfiles: list[Path] = field(default_factory=list)
    package_jsons: list[Path] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    """Every file the walk kept (and every file named explicitly), whatever its kind."""
    repos: tuple[GitRepo, ...] = ()
    not_checked: dict[Path, str] = field(default_factory=dict)
    """Folders the walk could not enter, and folders named like a compose file, with why."""

    @property
    def repo_roots(self) -> tuple[Path, ...]:
        return tuple(repo.root for repo in self.repos)

    def tracked(self, path: Path) -> bool | None:
        """Whether git tracks ``path``; None when it is outside every repository seen."""
        real = _resolved_parent(Path(os.path.abspath(path)))
        for repo in sorted(self.repos, key=lambda r: len(r.root.parts), reverse=True):
            if real == repo.root or repo.root in real.parents:
                return str(real) in repo.tracked_names
        return None


def discover(paths: Iterable[Path], exclude: Iterable[str] = ()) -> Discovery:
    """Every file below ``paths`` that git does not ignore, sorted by kind.

    A path named explicitly is linted whatever its name: as a compose file unless its name or
    shebang makes it a script, Makefile, CI workflow, Dockerfile or package.json. Directories
    are walked without following directory symlinks, skipping :data:`SKIPPED_DIRS`, ``exclude``
    globs and what git ignores.
    """
    import fnmatch

    # Git is asked afresh for each discovery (each Project): within one process, `fix` writes
    # and untracks files between two checks.
    forget()
    patterns = tuple(exclude)
    kinds: dict[str, set[Path]] = {kind: set() for kind in _KINDS}
    every: set[Path] = set()
    explicit: set[Path] = set()
    repos: dict[Path, GitRepo] = {}
    not_checked: dict[Path, str] = {}

    def excluded(path: Path) -> bool:
        text = path.as_posix()
        return any(fnmatch.fnmatch(text, p) or fnmatch.fnmatch(path.name, p) for p in patterns)

    for raw in paths:
        path = Path(os.path.abspath(raw))
        if path.is_dir():
            for candidate, kind in _walk(path, repos, not_checked):
                if not excluded(candidate):
                    every.add(candidate)
                    if kind is not None:
                        kinds[kind].add(candidate)
        else:
            every.add(path)
            explicit.add(path)
            parent = f"{path.parent.parent.name}/{path.parent.name}"
            kind = classify(path.name, partial(_peek, path), parent)
            kinds[kind or "compose"].add(path)
            repo = git_repo_for(path.parent) if path.parent.is_dir() else None
            if repo is not None:
                repos.setdefault(repo.root, repo)
    return Discovery(
        compose_files=sorted(kinds["compose"]),
        explicit_files=explicit,
        shell_scripts=sorted(kinds["script"]),
        makefiles=sorted(kinds["makefile"]),
        ci_workflows=sorted(kinds["ci"]),
        dockerfiles=sorted(kinds["dockerfile"]),
        package_jsons=sorted(kinds["package.json"]),
        files=sorted(every, key=_parts),
        repos=tuple(repos[root] for root in sorted(repos)),
        not_checked={p: not_checked[p] for p in sorted(not_checked) if not excluded(p)},
    )


_KINDS = ("compose", "script", "makefile", "ci", "dockerfile", "package.json")


def classify(
    name: str, first_bytes: Callable[[], bytes] | None = None, parent: str = ""
) -> str | None:
    """The kind of a file from its name (one of ``compose``, ``script``, ``makefile``, ``ci``,
    ``dockerfile``, ``package.json``), or None.

    ``first_bytes`` gives the file's first bytes; it is called only for an extensionless file,
    to look for a shell shebang. ``parent`` is the directory's last two names
    (``.github/workflows``).
    """
    lower = name.lower()
    if parent == ".github/workflows" and lower.endswith((".yml", ".yaml")):
        return "ci"
    if "compose" in lower and is_compose_file_name(name):
        return "compose"
    if lower.endswith((".sh", ".bash")):
        return "script"
    if name in MAKEFILE_NAMES or lower.endswith(".mk"):
        return "makefile"
    if lower in {".gitlab-ci.yml", ".gitlab-ci.yaml"} or lower.endswith(
        (".gitlab-ci.yml", ".gitlab-ci.yaml")
    ):
        return "ci"
    if parent == ".github/workflows" and lower.endswith((".yml", ".yaml")):
        return "ci"
    if _is_dockerfile_name(lower):
        return "dockerfile"
    if name == "package.json":
        return "package.json"
    if "." not in name and first_bytes is not None and is_shell_shebang(first_bytes()):
        return "script"
    return None


def _is_dockerfile_name(lower: str) -> bool:
    if lower.endswith(".dockerignore"):
        return False
    for stem in ("dockerfile", "containerfile"):
        if lower == stem or lower.startswith(stem + ".") or lower.endswith("." + stem):
            return True
    return False


def is_shell_shebang(data: bytes) -> bool:
    """``#!/bin/sh``, ``#!/usr/bin/env bash``, ``#!/usr/bin/env -S bash -e``, ``#!/bin/busybox
    sh`` and the like."""
    if not data.startswith(b"#!"):
        return False
    words = data[2:].split(b"\n", 1)[0].decode("utf-8", "replace").split()
    if not words:
        return False
    interpreter = PurePosixPath(words[0]).name
    if interpreter == "env":
        rest = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
        interpreter = PurePosixPath(rest[0]).name if rest else ""
    elif interpreter == "busybox":
        interpreter = words[1] if len(words) > 1 else "sh"
    return interpreter in SHELLS


def _peek(path: Path) -> bytes:
    """The first bytes of a regular file (never a FIFO or device, which could block)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return b""
        with open(path, "rb") as handle:
            return handle.read(SHEBANG_BYTES)
    except OSError:
        return b""


def _walk(top: Path, repos: dict[Path, GitRepo], not_checked: dict[Path, str]
          ) -> Iterator[tuple[Path, str | None]]:
    """Each non-ignored file below ``top`` with its kind.

    Paths are tested as strings (a Path per entry costs more than the rest of the walk).
    Directories are resolved once, at ``top``: below it the walk never follows a symlink, so a
    child's real path is its parent's plus its name. A directory with its own ``.git`` is asked
    about separately; a directory holding no visible file is not entered at all.
    """
    top_text = str(top)
    try:
        real_top = str(top.resolve())
    except (OSError, RuntimeError):
        real_top = top_text
    stack: list[tuple[Path, str, GitRepo | None]] = [(top, real_top, None)]
    while stack:
        folder, real, repo = stack.pop()
        directory = str(folder)
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as error:
            not_checked[folder] = f"cannot be read ({error.strerror or error}): not checked"
            continue
        own_git = any(e.name == ".git" for e in entries)
        if directory == top_text or (own_git and (repo is None or real != str(repo.root))):
            found = git_repo_for(Path(real))
            if found is not None:
                repos.setdefault(found.root, found)
                repo = found
        root = str(repo.root) if repo is not None else ""
        names = repo.visible_names if repo is not None and (
            real == root or real.startswith(root.rstrip("/") + "/")) else None
        head, base = os.path.split(directory)
        parent_names = f"{os.path.basename(head)}/{base}"
        peek_all = directory == top_text or base in SCRIPT_DIRS
        subdirs = []
        for entry in entries:
            real_child = f"{real.rstrip('/')}/{entry.name}"
            is_link = entry.is_symlink()
            try:
                # a link is followed with os.stat, which a recording run notes (the entry's
                # own answer is not seen, and the link's target may change type)
                is_dir = os.path.isdir(entry.path) if is_link else entry.is_dir()
            except OSError:  # a symlink loop: a file that cannot be read, reported as such
                is_dir = False
            if names is not None and real_child not in names:
                continue
            if is_dir:
                if not is_link and entry.name not in SKIPPED_DIRS:
                    subdirs.append((folder / entry.name, real_child, repo))
                if is_compose_file_name(entry.name):
                    not_checked[folder / entry.name] = ("is a folder named like a compose file, "
                                                        "not a file: not checked")
                continue
            path = folder / entry.name
            peek = None
            if "." not in entry.name and (peek_all or _executable(entry)):
                peek = partial(_peek, path)
            yield path, classify(entry.name, peek, parent_names)
        stack.extend(reversed(subdirs))


def _executable(entry: os.DirEntry[str]) -> bool:
    try:
        return bool(os.stat(entry.path).st_mode & 0o111)  # seen by a recording run
    except OSError:
        return False


def _parts(path: Path) -> tuple[str, ...]:
    """Sort key equal to Path ordering, without its slow comparisons."""
    return path.parts


def _resolved_parent(path: Path) -> Path:
    """The path with its directories resolved but not the file itself (it may be a symlink)."""
    try:
        return path.parent.resolve() / path.name
    except (OSError, RuntimeError):  # a directory symlink loop: keep the path as given
        return path


def nested(a: Path, b: Path) -> bool:
    """One folder is the other or holds it."""
    a, b = Path(os.path.abspath(a)), Path(os.path.abspath(b))
    return a == b or a in b.parents or b in a.parents
