"""Results kept between runs: ``composeguard check`` prints its last report again, without
checking anything, while nothing that report came from has changed.

A pre-commit hook runs on every commit, mostly over files that did not change since the last
one. The first run records what it read (:mod:`composeguard.lint.model.inputs`: each file opened,
each path whose existence or type it tested, each folder it listed, each git command and its
output) and keeps its output with that record, in ``results/`` of the cache folder. A later
run with the same key (composeguard's code and version, the interpreter, its libraries'
folder, the working directory, the options, the environment variables that change output or
git, whether the output is a terminal) compares the record with the disk: the same stat of
every path (mode, inode, size, modification and change times), the same output of every git
command, run again, and, for a file or folder changed within two seconds before the run that
recorded it, the same content. Anything different, and the check runs in full.

What is kept is what was printed, so it holds no secret that the report did not. Content is
compared through a keyed BLAKE2 digest (the key is the folder's own, made once), never kept.
``--no-cache`` or ``COMPOSEGUARD_NO_CACHE=1`` turns it off; ``-o``, ``--verbose`` and
``--write-baseline`` runs are never cached, nor is a run whose projects are checked in worker
processes (forking makes the record unrecordable). The folder is composeguard's; deleting it is safe.

Nothing read from an entry is trusted beyond what it says of the disk: the folder, every
entry and the digest key must be the user's alone (:func:`~composeguard.lint.engine.cachedir.
usable_folder`), and an entry names the git commands to compare by their name in
:data:`~composeguard.lint.model.discover.GIT_COMMANDS`; the commands run are composeguard's own.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composeguard import __version__
from composeguard.lint.engine.cachedir import cache_folder, read_own

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - every CPython build has it
    from hashlib import blake2b

FORMAT = 2
MAX_ENTRIES = 256
"""Results kept; the oldest go first."""

KEY_VARIABLES = frozenset({"NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS", "HOME", "PATH",
                           "XDG_CONFIG_HOME", "LANG", "LC_ALL", "LC_CTYPE"})
"""Environment variables a report or a git command depends on (with every ``GIT_*`` and
``COMPOSEGUARD_*``)."""


def disabled() -> bool:
    return os.environ.get("COMPOSEGUARD_NO_CACHE", "") not in ("", "0")


def results_folder(create: bool = False) -> Path | None:
    """``results/`` of the cache folder when it is the user's alone (see
    :func:`~composeguard.lint.engine.cachedir.usable_folder`), else None."""
    from composeguard.lint.engine.cachedir import usable_folder

    return usable_folder("results", create=create)


@dataclass
class Transcript:
    """What a command printed, in order: (text, to stderr, newline, colour)."""

    lines: list[tuple[str, bool, bool, bool | None]] = field(default_factory=list)

    def echo(self, message: str, err: bool = False, nl: bool = True,
             color: bool | None = None) -> None:
        import click

        click.echo(message, err=err, nl=nl, color=color)
        self.lines.append((message, err, nl, color))

    def replay(self) -> None:
        import click

        for message, err, nl, color in self.lines:
            click.echo(message, err=err, nl=nl, color=color)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def code_fingerprint() -> list[object]:
    """composeguard's own files (name, size, modification time) and the stat of the folder
    its libraries are installed in (an install or an upgrade changes it)."""
    import click

    import composeguard

    package = os.path.dirname(os.path.abspath(composeguard.__file__))
    files: list[object] = []
    stack = [package]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        stack.append(entry.path)
                elif entry.name.endswith((".py", ".yaml", ".json", ".typed")):
                    st = entry.stat(follow_symlinks=False)
                    files.append([entry.path[len(package):], st.st_size, st.st_mtime_ns])
    libraries = os.path.dirname(os.path.dirname(os.path.abspath(click.__file__)))
    st = os.stat(libraries)
    return [package, files, libraries, st.st_mtime_ns, st.st_ino]


def run_key(command: str, params: Mapping[str, object]) -> str:
    """The key of a run: everything its output depends on besides the files it reads."""
    environment = sorted((k, v) for k, v in os.environ.items()
                         if k in KEY_VARIABLES or k.startswith(("GIT_", "COMPOSEGUARD_")))
    parts = [FORMAT, __version__, sys.executable, sys.version, os.getcwd(), command,
             sorted((k, _plain(v)) for k, v in params.items()), environment,
             _isatty(sys.stdout), _isatty(sys.stderr), code_fingerprint()]
    return blake2b(json.dumps(parts).encode(), digest_size=20).hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return os.fspath(value)
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


# -- looking up ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    transcript: Transcript
    exit_code: int


def lookup(key: str) -> Hit | None:
    """The kept result of ``key`` if everything it was made from is as it was."""
    folder = results_folder()
    if folder is None:
        return None
    try:
        entry = json.loads(read_own(folder / f"{key}.json"))
        if entry.get("format") != FORMAT or not _still_valid(entry, folder):
            return None
        lines = [(str(t), bool(e), bool(n), c if c is None else bool(c))
                 for t, e, n, c in entry["transcript"]]
        return Hit(Transcript(lines), int(entry["exit"]))
    except (OSError, ValueError, LookupError, TypeError, AttributeError):
        return None  # damaged or from another version: check in full


def _still_valid(entry: Mapping[str, Any], folder: Path) -> bool:
    from composeguard.lint.model.inputs import signature

    for path, kind, sig in entry["stats"]:
        if list(signature(path, str(kind))) != sig:
            return False
    if entry["digests"] or entry["listings"]:
        key = _digest_key(folder, create=False)
        if key is None:
            return False
        if any(_file_digest(path, key) != digest for path, digest in entry["digests"]):
            return False
        if any(_listing_digest(path, key) != digest for path, digest in entry["listings"]):
            return False
    from composeguard.lint.model.discover import GIT_COMMANDS

    for name, cwd, code, digest in entry["commands"]:
        argv = GIT_COMMANDS.get(str(name))
        if argv is None or not os.path.isdir(str(cwd)):
            return False  # a command composeguard does not run is never run for an entry
        if list(_command_result(list(argv), str(cwd), 120)) != [code, digest]:
            return False
    return True


def _command_result(argv: list[str], cwd: str, timeout: float) -> tuple[int, str]:
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError, ValueError):
        return -1, _digest(b"")
    return done.returncode, _digest(done.stdout)


def _digest(data: bytes, key: bytes = b"") -> str:
    return blake2b(data, key=key, digest_size=20).hexdigest()


WHOLE_LIMIT = 8 * 1024 * 1024
"""The largest file a check reads whole (a compose file, a JSON fixture); of a larger one it
reads at most :data:`HEAD_LIMIT` bytes, and so does the digest that compares it."""
HEAD_LIMIT = 16 * 1024


def _file_digest(path: str, key: bytes) -> str | None:
    """The keyed digest of what a check can have read of a file: the whole of it up to
    :data:`WHOLE_LIMIT`, else its first :data:`HEAD_LIMIT` bytes and its size."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            whole = size <= WHOLE_LIMIT
            data = handle.read(WHOLE_LIMIT + 1 if whole else HEAD_LIMIT)
    except OSError:
        return None
    if not whole or len(data) > WHOLE_LIMIT:
        data = data[:HEAD_LIMIT] + f"\0{size}".encode()
    return _digest(data, key)


def _listing_digest(path: str, key: bytes) -> str | None:
    try:
        names = sorted(os.listdir(path))
    except OSError:
        return None
    return _digest("\0".join(names).encode("utf-8", "surrogateescape"), key)


def _digest_key(folder: Path, create: bool) -> bytes | None:
    path = folder / "digest-key"
    try:
        return read_own(path) or None
    except FileNotFoundError:
        if not create:
            return None
    except (OSError, ValueError):
        return None
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return _digest_key(folder, create=False)
    except OSError:
        return None
    key = os.urandom(32)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    return key


# -- keeping -------------------------------------------------------------------------------------


def store(key: str, record: Any, transcript: Transcript, exit_code: int) -> None:
    """Keep a run's output with what it read; a run that cannot be recorded, or a folder that
    cannot be written, keeps nothing (the next run checks in full)."""
    from composeguard.lint.model.inputs import signature

    if record.unrecordable is not None:
        return
    folder = results_folder(create=True)
    if folder is None:
        return
    try:
        digests: list[list[object]] = []
        listings: list[list[object]] = []
        racy = [(path, kind, sig) for (path, kind), sig in record.stats.items()
                if record.racy(sig)]
        digest_key = _digest_key(folder, create=True) if racy else b""
        if digest_key is None:
            return
        for path, kind, sig in racy:
            if signature(path, kind) != sig:
                return  # it changed while the run read it
            if kind == "open" and stat.S_ISREG(int(sig[0])):
                digests.append([path, _file_digest(path, digest_key)])
            elif kind == "list":
                listings.append([path, _listing_digest(path, digest_key)])
        entry = {
            "format": FORMAT,
            "stats": [[path, kind, list(sig)] for (path, kind), sig in record.stats.items()],
            "digests": digests,
            "listings": listings,
            "commands": [[name, cwd, code, _digest(output)]
                         for (argv, cwd), (code, output) in record.commands.items()
                         for name in [_command_name(argv)]],
            "transcript": [list(line) for line in transcript.lines],
            "exit": exit_code,
        }
        _write(folder / f"{key}.json", json.dumps(entry))
        _prune(folder)
    except OSError:
        return


def _command_name(argv: tuple[str, ...]) -> str:
    """The name :data:`~composeguard.lint.model.discover.GIT_COMMANDS` gives ``argv``; a command
    not there makes the run one that is not kept."""
    from composeguard.lint.model.discover import GIT_COMMANDS

    names = [name for name, known in GIT_COMMANDS.items() if tuple(known) == tuple(argv)]
    if not names:
        raise OSError(f"`{' '.join(argv)}` is not a command the cache may run again")
    return names[0]


def _write(path: Path, text: str) -> None:
    import tempfile

    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".result-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _prune(folder: Path) -> None:
    kept = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in kept[MAX_ENTRIES:]:
        with contextlib.suppress(OSError):
            old.unlink()


def cached_run(command: str, params: Mapping[str, object],
               body: Callable[[Transcript], int]) -> int:
    """Run ``body`` (which prints through the transcript it is given) or replay its kept
    result; record and keep the result of a full run."""
    from composeguard.lint.model.inputs import left_out_paths, recording

    key = run_key(command, params)
    hit = lookup(key)
    if hit is not None:
        hit.transcript.replay()
        return hit.exit_code
    transcript = Transcript()
    with recording(left_out_paths((os.fspath(cache_folder().absolute()),))) as record:
        code = body(transcript)
    if code in (0, 1):
        store(key, record, transcript, code)
    return code
