"""What a run read: every path it opened, stat'ed or listed, and every command it ran.

:func:`recording` watches a run (``composeguard check``) through Python's audit events (every
``open``, ``os.listdir`` and ``os.scandir``, whoever calls them) and through ``os.stat`` and
``os.lstat`` (``pathlib`` and ``os.path`` call them through the module, so an existence test
is seen as well as a read). The git commands the run asks are noted with their output by
:mod:`composeguard.lint.model.discover` itself. The record is what a cached result depends on
(:mod:`composeguard.lint.engine.cache`): while none of it changes, the run would print the same.

Paths of the standard library, the installed libraries, composeguard's own code and the cache
folder are left out: the cache key covers those. A run that starts any other program cannot be recorded
(:attr:`Record.unrecordable`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

RACY_NS = 2_000_000_000
"""A file or folder changed this close before the run began may change again without its
time stamp moving (file systems keep whole seconds, or a kernel tick): its content is
compared too, as git does with a racily clean index entry."""

Signature = tuple[int, ...] | tuple[str, int]
"""``(mode, inode, device, size, mtime_ns, ctime_ns)``, or ``("missing", errno)``. A folder
only tested (``is_dir()``, a step of ``resolve()``) keeps ``(mode, inode, device)``: what it
holds is the business of the listings and the files read, and its times move whenever anything
in it does (``/tmp``)."""


def signature(path: str, kind: str = "stat") -> Signature:
    """What the record compares for a path used in this way: a stat result, or the error."""
    try:
        st = _REAL_LSTAT(path) if kind == "lstat" else _REAL_STAT(path)
    except OSError as exc:
        return ("missing", exc.errno or 0)
    return _of(st, kind)


def _of(st: os.stat_result, kind: str) -> tuple[int, ...]:
    if kind in ("stat", "lstat") and stat.S_ISDIR(st.st_mode):
        return (st.st_mode, st.st_ino, st.st_dev)
    return (st.st_mode, st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


KEPT_DEVICE_FOLDERS = ("/dev/shm/",)
"""Folders under ``/dev/`` (left out for ``/dev/null`` and the like) that hold ordinary files,
a project among them: recorded as any other."""


@dataclass
class Record:
    """The inputs of one run, in the order they were first touched."""

    started_ns: int
    left_out: tuple[str, ...]
    stats: dict[tuple[str, str], Signature] = field(default_factory=dict)
    commands: dict[tuple[tuple[str, ...], str], tuple[int, bytes]] = field(default_factory=dict)
    spawned: list[tuple[str, ...]] = field(default_factory=list)
    unrecordable: str | None = None

    def _wanted(self, path: Any) -> str | None:
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        elif not isinstance(path, str):
            try:
                path = os.fspath(path)
            except TypeError:
                return None  # a file descriptor: its path was seen when it was opened
            if not isinstance(path, str):
                path = os.fsdecode(path)
        full: str = os.path.abspath(path)
        if (full + "/").startswith(self.left_out) and not full.startswith(KEPT_DEVICE_FOLDERS):
            return None
        return full

    def saw_stat(self, path: Any, kind: str, result: os.stat_result | OSError) -> None:
        full = self._wanted(path)
        if full is None or (full, kind) in self.stats:
            return
        if isinstance(result, OSError):
            self.stats[(full, kind)] = ("missing", result.errno or 0)
        else:
            self.stats[(full, kind)] = _of(result, kind)

    def _saw(self, path: Any, kind: str) -> None:
        full = self._wanted(path)
        if full is not None and (full, kind) not in self.stats:
            self.stats[(full, kind)] = signature(full, kind)

    def saw_open(self, path: Any) -> None:
        self._saw(path, "open")

    def saw_listing(self, path: Any) -> None:
        self._saw("." if path is None else path, "list")

    def saw_command(self, argv: Sequence[str], cwd: str, returncode: int, output: bytes) -> None:
        self.commands.setdefault((tuple(argv), os.path.abspath(cwd)), (returncode, output))

    def saw_spawn(self, argv: Any) -> None:
        try:
            self.spawned.append(tuple(os.fsdecode(a) for a in argv))
        except TypeError:
            self.unrecordable = "a program was started with arguments that cannot be read"

    def racy(self, sig: Signature) -> bool:
        """Whether a file or folder changed within :data:`RACY_NS` before the run began."""
        return len(sig) == 6 and max(int(sig[4]), int(sig[5])) >= self.started_ns - RACY_NS

    def finish(self) -> None:
        noted = {argv for argv, _ in self.commands}
        for argv in self.spawned:
            if argv not in noted:
                self.unrecordable = f"it ran `{argv[0] if argv else '?'}`, which is not recorded"
                return


_ACTIVE: list[Record] = []
_REAL_STAT = os.stat
_REAL_LSTAT = os.lstat
_HOOKED = False


def active() -> Record | None:
    return _ACTIVE[-1] if _ACTIVE else None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _ACTIVE:
        return
    record = _ACTIVE[-1]
    if event == "open":
        if args and args[0] is not None:
            record.saw_open(args[0])
    elif event in ("os.listdir", "os.scandir"):
        record.saw_listing(args[0] if args else None)
    elif event == "subprocess.Popen" and len(args) > 1:
        record.saw_spawn(args[1])
    elif event in ("os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork"):
        record.unrecordable = f"it started a program ({event})"


def _stat(path: Any, *, dir_fd: int | None = None, follow_symlinks: bool = True
          ) -> os.stat_result:
    return _watched(_REAL_STAT, path, dir_fd, follow_symlinks)


def _lstat(path: Any, *, dir_fd: int | None = None) -> os.stat_result:
    return _watched(_REAL_LSTAT, path, dir_fd, None)


def _watched(real: Any, path: Any, dir_fd: int | None, follow: bool | None) -> os.stat_result:
    kwargs: dict[str, Any] = {} if follow is None else {"follow_symlinks": follow}
    if dir_fd is not None:
        kwargs["dir_fd"] = dir_fd
    record = _ACTIVE[-1] if _ACTIVE and dir_fd is None and not isinstance(path, int) else None
    kind = "lstat" if follow is None or not follow else "stat"
    try:
        result: os.stat_result = real(path, **kwargs)
    except OSError as exc:
        if record is not None:
            record.saw_stat(path, kind, exc)
        raise
    if record is not None:
        record.saw_stat(path, kind, result)
    return result


def left_out_paths(extra: Sequence[str] = ()) -> tuple[str, ...]:
    """Folders whose files a run's record leaves out: the standard library's, the installed
    libraries' (``site-packages``), composeguard's own and ``extra`` (the cache folder). Never
    ``sys.prefix`` itself: a system Python's is ``/usr``, and a project may live in
    ``/usr/src``."""
    import composeguard

    package = os.path.dirname(os.path.abspath(composeguard.__file__))
    stdlib = os.path.dirname(os.path.abspath(os.__file__))
    roots = {package, stdlib, os.path.join(stdlib, "lib-dynload"), *extra}
    roots |= {os.path.abspath(entry) for entry in sys.path
              if os.path.basename(entry.rstrip("/")) in ("site-packages", "dist-packages")}
    folders = tuple(sorted(r.rstrip("/") + "/" for r in roots if r))
    return (*folders, "/dev/", "/proc/", "/sys/")


@contextlib.contextmanager
def recording(left_out: tuple[str, ...]) -> Iterator[Record]:
    """Record what the body reads; nested recordings each see only their own body."""
    global _HOOKED
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED = True
    record = Record(time.time_ns(), left_out)
    _ACTIVE.append(record)
    os.stat, os.lstat = _stat, _lstat
    try:
        yield record
    finally:
        _ACTIVE.remove(record)
        if not _ACTIVE:
            os.stat, os.lstat = _REAL_STAT, _REAL_LSTAT
        record.finish()


def note_command(argv: Sequence[str], cwd: os.PathLike[str] | str, returncode: int,
                 output: bytes) -> None:
    """Tell the recording (if any) that the run depends on this command's output."""
    record = active()
    if record is not None:
        record.saw_command(argv, os.fspath(cwd), returncode, output)
