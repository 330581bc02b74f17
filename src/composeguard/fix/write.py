"""Writing a plan's file changes: all of a fix or none of it, inside the project, never
through a symlink, over nothing unexpected, one run at a time.

- **Groups.** The files one fix edits or creates (the dev/prod split rewrites the base file
  and creates two more) are written together: every new text is first staged in a temporary
  file beside its target, then the targets are replaced one by one; when one replacement
  fails, those already made are rolled back (the old file is kept as a hard link until the
  group is done). A group that cannot be staged is not written at all. Other groups still are.
- **Atomic files.** A target is replaced with ``os.replace`` from its staged copy, so a reader
  sees the old text or the new one, never half of either; its mode (and, where allowed,
  owner) is kept; the directory is synced.
- **Boundaries.** A change is refused when its file is outside the checked paths, or when the
  file, a folder between it and the checked path, or the checked path itself is a symlink.
- **Nothing unexpected.** Right before its file is replaced, under the lock, its content is
  compared with what the plan read; a file that changed since, or a file the plan creates that
  exists by now, is refused (``force`` lifts both). Nothing the user wrote is ever deleted.
- **One run at a time.** :func:`project_lock` holds an exclusive ``flock`` on the project's
  top folder (the git work tree, else the folder of the checked paths) for a whole
  ``composeguard fix`` run, planning included, so two runs at once (an editor's, pre-commit's,
  a CI job's) act as if run one after the other.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

LOCK_TIMEOUT = 300.0
"""Seconds a run waits for another run's lock before it gives up."""


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file's text before (None: the fix creates it) and after every fix of the plan."""

    path: Path
    before: str | None
    after: str


@dataclass(frozen=True, slots=True)
class WriteResult:
    path: Path
    written: bool
    message: str
    """``updated``/``created``, or why the file was not written."""


class _Refused(Exception):
    """A change the rules of writing do not allow (not an I/O error)."""


class LockTimeout(Exception):
    """Another run held the project's lock for longer than we wait."""


# -- where writing is allowed --------------------------------------------------------------


def refusal(path: Path, roots: Sequence[Path]) -> str | None:
    """Why ``path`` may not be written under ``roots``, or None when it may: it must be a
    checked path or below a checked directory, with no symlink on the way (the checked path
    itself included)."""
    target = os.path.abspath(path)
    linked = False
    for root in roots:
        root_abs = os.path.abspath(root)
        for base in dict.fromkeys((root_abs, os.path.realpath(root))):
            if target != base and not (os.path.isdir(base)
                                       and target.startswith(base.rstrip(os.sep) + os.sep)):
                continue
            if os.path.islink(root_abs):
                linked = True
                continue
            if _symlink_between(base, target):
                linked = True
                continue
            return None
    if linked:
        return "is a symlink, or inside one: not written through it"
    return "outside the checked paths: not written"


def within(path: Path, roots: Sequence[Path]) -> bool:
    """``path`` may be written: inside ``roots`` and reached through no symlink."""
    return refusal(path, roots) is None


def _symlink_between(base: str, target: str) -> bool:
    current = base
    for part in Path(os.path.relpath(target, base)).parts:
        if part == ".":
            continue
        current = os.path.join(current, part)
        if os.path.islink(current):
            return True
    return False


# -- the lock --------------------------------------------------------------------------------


def lock_folder(roots: Sequence[Path]) -> Path:
    """The folder whose lock a run on ``roots`` takes: the git work tree of the first checked
    path, else the deepest folder that holds every checked path."""
    from composeguard.lint.model.discover import work_tree

    folders = [Path(os.path.abspath(r if os.path.isdir(r) else os.path.dirname(r) or "."))
               for r in roots] or [Path(os.path.abspath("."))]
    top = work_tree(folders[0])
    if top is not None:
        return Path(top)
    return Path(os.path.commonpath([str(f) for f in folders]))


@contextlib.contextmanager
def project_lock(roots: Sequence[Path], *, timeout: float = LOCK_TIMEOUT,
                 waiting: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """Hold the exclusive lock of the project's top folder (see :func:`lock_folder`).

    ``waiting(folder)`` is called once when another run holds it. On systems without
    ``fcntl`` (Windows) there is no lock; the content check before each replacement still
    stops a run from overwriting another's change.
    """
    folder = lock_folder(roots)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield folder
        return
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        yield folder
        return
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and waiting is not None:
                    waiting(folder)
                    told = True
                if time.monotonic() > deadline:
                    raise LockTimeout(
                        f"another composeguard fix has held the lock on {folder} for "
                        f"{timeout:.0f} s; nothing was written") from None
                time.sleep(0.05)
            except OSError:
                break  # a file system without locks: go on unlocked
        yield folder
    finally:
        os.close(handle)  # closing the descriptor releases the lock


# -- writing ---------------------------------------------------------------------------------


def write_changes(changes: Sequence[FileChange], roots: Sequence[Path], *, force: bool = False,
                  groups: Iterable[Iterable[Path]] | None = None) -> tuple[WriteResult, ...]:
    """Write every change that may be written; one result per change, in order.

    ``groups`` names the paths that must be written together (the files of one fix); a path
    in no group is a group of its own. Call under :func:`project_lock`.
    """
    by_path = {change.path: change for change in changes}
    seen: set[Path] = set()
    ordered: list[list[FileChange]] = []
    for paths in groups or ():
        members = [by_path[p] for p in dict.fromkeys(paths) if p in by_path and p not in seen]
        seen.update(c.path for c in members)
        if members:
            ordered.append(members)
    ordered.extend([c] for c in changes if c.path not in seen)
    results: dict[Path, WriteResult] = {}
    for group in ordered:
        for result in _write_group(group, roots, force):
            results[result.path] = result
    return tuple(results[c.path] for c in changes)


@dataclass
class _Staged:
    change: FileChange
    target: Path
    temporary: str
    existed: bool
    backup: str | None = None
    """A hard link to the replaced file, kept until the group is done."""
    old: bytes | None = None
    """The replaced file's bytes, where no hard link could be made."""
    replaced: bool = False


def _write_group(group: list[FileChange], roots: Sequence[Path], force: bool
                 ) -> list[WriteResult]:
    staged: list[_Staged] = []
    try:
        try:
            for change in group:
                staged.append(_stage(change, roots, force))
        except (_Refused, OSError, ValueError) as error:
            failed = group[len(staged)]
            return _group_failed(group, failed, _reason(error))
        for item in staged:
            try:
                _commit(item, force)
            except (_Refused, OSError, ValueError) as error:
                stuck = _roll_back(staged)
                reason = _reason(error)
                if stuck:
                    reason += f"; could not put back {', '.join(stuck)}"
                return _group_failed(group, item.change, reason)
        for item in staged:
            _sync_directory(item.target.parent)
        return [WriteResult(item.change.path, True, "updated" if item.existed else "created")
                for item in staged]
    finally:
        for item in staged:
            for leftover in (item.temporary, item.backup):
                if leftover is not None and os.path.lexists(leftover):
                    with contextlib.suppress(OSError):
                        os.unlink(leftover)


def _reason(error: BaseException) -> str:
    if isinstance(error, _Refused):
        return str(error)
    reason = error.strerror if isinstance(error, OSError) and error.strerror else error
    return f"cannot write: {reason}"


def _group_failed(group: list[FileChange], failed: FileChange, reason: str) -> list[WriteResult]:
    others = f"not written: {failed.path.name}, changed by the same fix, could not be ({reason})"
    return [WriteResult(c.path, False, reason if c is failed else others) for c in group]


def _stage(change: FileChange, roots: Sequence[Path], force: bool) -> _Staged:
    """Check the change and write its new text to a temporary file beside the target."""
    why = refusal(change.path, roots)
    if why is not None:
        raise _Refused(why)
    target = Path(os.path.abspath(change.path))
    current = _current(target)
    _check_unchanged(change, current, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    mode = (info.st_mode & 0o7777) if info is not None else (0o666 & ~_umask())
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".composeguard",
                                         dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(change.after.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        if info is not None and hasattr(os, "chown"):
            with contextlib.suppress(OSError):  # only root may give a file away
                os.chown(temporary, info.st_uid, info.st_gid)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return _Staged(change, target, temporary, current is not None)


def _check_unchanged(change: FileChange, current: bytes | None, force: bool) -> None:
    if force:
        return
    if change.before is None and current is not None:
        raise _Refused("exists already: not overwritten (--force replaces it)")
    if change.before is not None:
        if current is None:
            raise _Refused("was removed after it was read: not written")
        if current != change.before.encode("utf-8"):
            raise _Refused("changed after it was read: not overwritten (--force writes anyway)")


def _commit(item: _Staged, force: bool) -> None:
    """Replace the target with its staged text, checking its content once more first."""
    current = _current(item.target)
    _check_unchanged(item.change, current, force)
    if current is not None:
        item.backup = item.temporary + ".old"
        try:
            os.link(item.target, item.backup)
        except OSError:
            item.backup, item.old = None, current
        os.replace(item.temporary, item.target)
    elif force:
        os.replace(item.temporary, item.target)
    else:
        _link_new(item.temporary, item.target)
    item.replaced = True


def _roll_back(staged: list[_Staged]) -> list[str]:
    """Put back what the group replaced so far; returns what could not be put back."""
    stuck: list[str] = []
    for item in reversed(staged):
        if not item.replaced:
            continue
        try:
            if item.existed and item.backup is not None:
                os.replace(item.backup, item.target)
            elif item.existed and item.old is not None:
                _rewrite(item.target, item.old)
            elif _current(item.target) == item.change.after.encode("utf-8"):
                os.unlink(item.target)  # the file this group created, and only that
        except (OSError, _Refused):
            stuck.append(str(item.target))
    return stuck


def _rewrite(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".composeguard",
                                         dir=target.parent)
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.replace(temporary, target)


def _current(target: Path) -> bytes | None:
    if not os.path.lexists(target):
        return None
    if os.path.islink(target):
        raise _Refused("is a symlink: not written through it")
    if not target.is_file():
        raise _Refused("is not a regular file: not written")
    return target.read_bytes()


def _link_new(temporary: str, target: Path) -> None:
    """Create ``target`` from ``temporary`` only if it does not exist (a hard link fails when
    it does); on file systems without hard links, check and rename."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise _Refused("exists already: not overwritten (--force replaces it)") from None
    except OSError:
        if os.path.lexists(target):
            raise _Refused("exists already: not overwritten (--force replaces it)") from None
        os.replace(temporary, target)


def _sync_directory(directory: Path) -> None:
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
