"""Writing a plan's file changes: atomically, inside the project, over nothing unexpected.

Each file is written to a temporary file in its own directory and renamed over the target
(``os.replace``), so a reader sees the old text or the new one, never half of either; the
target's mode (and, where allowed, owner) is kept. A change is refused when its file is outside
the checked paths (symlinks resolved), when the file changed since the plan read it, or when a
file the plan creates exists by now; ``force`` lifts the last two. Nothing is ever deleted, and
a failure on one file is reported while the others are still written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from composeguard.fix.plan import FileChange


@dataclass(frozen=True, slots=True)
class WriteResult:
    path: Path
    written: bool
    message: str
    """``updated``/``created``, or why the file was not written."""


class _Refused(Exception):
    """A change the rules of writing do not allow (not an I/O error)."""


def within(path: Path, roots: Sequence[Path]) -> bool:
    """``path`` (symlinks resolved) is one of ``roots`` or below a root that is a directory."""
    real = os.path.realpath(path)
    for root in roots:
        top = os.path.realpath(root)
        if real == top or (os.path.isdir(top) and real.startswith(top.rstrip(os.sep) + os.sep)):
            return True
    return False


def write_changes(changes: Sequence[FileChange], roots: Sequence[Path], *, force: bool = False
                  ) -> tuple[WriteResult, ...]:
    """Write every change that may be written; one result per change, in order."""
    results = []
    for change in changes:
        try:
            message = _write(change, roots, force)
            results.append(WriteResult(change.path, True, message))
        except _Refused as refused:
            results.append(WriteResult(change.path, False, str(refused)))
        except (OSError, ValueError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            results.append(WriteResult(change.path, False, f"cannot write: {reason}"))
    return tuple(results)


def _write(change: FileChange, roots: Sequence[Path], force: bool) -> str:
    if not within(change.path, roots):
        raise _Refused("outside the checked paths: not written")
    target = Path(os.path.realpath(change.path))
    current = _current(target)
    if change.before is None and current is not None and not force:
        raise _Refused("exists already: not overwritten (--force replaces it)")
    if change.before is not None and not force:
        if current is None:
            raise _Refused("was removed after it was read: not written")
        if current != change.before.encode("utf-8"):
            raise _Refused("changed after it was read: not overwritten (--force writes anyway)")
    data = change.after.encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    exclusive = current is None and not force
    _atomic_write(target, data, exclusive)
    return "created" if current is None else "updated"


def _current(target: Path) -> bytes | None:
    if not os.path.lexists(target):
        return None
    if not target.is_file():
        raise _Refused("is not a regular file: not written")
    return target.read_bytes()


def _atomic_write(target: Path, data: bytes, exclusive: bool) -> None:
    """Write ``data`` to a temporary file beside ``target`` and move it into place; with
    ``exclusive``, only if ``target`` still does not exist."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    mode = (info.st_mode & 0o7777) if info is not None else (0o666 & ~_umask())
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".composeguard",
                                         dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        if info is not None and hasattr(os, "chown"):
            try:
                os.chown(temporary, info.st_uid, info.st_gid)
            except OSError:
                pass  # only root may give a file away; the mode is what matters
        if exclusive:
            _link_new(temporary, target)
        else:
            os.replace(temporary, target)
        _sync_directory(target.parent)
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)


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
