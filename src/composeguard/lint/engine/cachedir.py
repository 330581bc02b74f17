"""Where composeguard keeps what it may forget: ``$COMPOSEGUARD_CACHE_DIR``, else
``$XDG_CACHE_HOME/composeguard``, else ``~/.cache/composeguard``.

A folder is used only when it is this user's alone: every level of it (the cache folder and
the folders below it that composeguard uses, and the parents composeguard creates) is a real
folder, owned by the user and not writable by group or others. Another user who could write
there could replace a kept report (a forged "All clear."). A
folder that fails is said once on stderr, and the run goes on without the cache.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

_WARNED: set[str] = set()


def cache_folder() -> Path:
    """``$COMPOSEGUARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/composeguard``, else
    ``~/.cache/composeguard``."""
    chosen = os.environ.get("COMPOSEGUARD_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "composeguard"


def untrusted(st: os.stat_result) -> str | None:
    """Why a folder or file with this ``lstat`` is not the user's alone, or None."""
    if stat.S_ISLNK(st.st_mode):
        return "is a symbolic link"
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return "belongs to another user"
    if st.st_mode & 0o022:
        return "can be written by other users"
    return None


def read_own(path: Path) -> bytes:
    """A file of the cache folder, read only when it is a regular file that is the user's
    alone (never through a symlink); ValueError otherwise, OSError when it cannot be read."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode) or untrusted(st) is not None:
            raise ValueError(f"{path} is not the user's alone")
        return handle.read()


def usable_folder(*below: str, create: bool) -> Path | None:
    """The cache folder, or ``below`` inside it, when every level is the user's alone (see
    the module's docstring); missing levels are made ``0700`` when ``create``, else None.
    An untrusted level is named once on stderr and gives None."""
    base = cache_folder()
    missing: list[Path] = []
    parent = base.absolute().parent
    while not os.path.lexists(parent) and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    levels = [*reversed(missing), base, *(base.joinpath(*below[:i + 1])
                                         for i in range(len(below)))]
    for level in levels:
        try:
            st = os.lstat(level)
        except FileNotFoundError:
            if not create:
                return None
            try:
                os.mkdir(level, 0o700)
                st = os.lstat(level)
            except OSError:
                return None
        except OSError:
            return None
        problem = untrusted(st) or (None if stat.S_ISDIR(st.st_mode) else "is not a folder")
        if problem is not None:
            _warn(level, problem)
            return None
    return levels[-1]


def _warn(folder: Path, problem: str) -> None:
    key = os.fspath(folder)
    if key in _WARNED:
        return
    _WARNED.add(key)
    print(f"composeguard: not using the cache folder {key}: it {problem}; running without "
          "the cache", file=sys.stderr)
