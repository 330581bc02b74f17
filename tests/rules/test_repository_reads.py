"""The benchmark's repository case, untimed: checking a large committed application reads only
the files composeguard has reason to read (compose, env, ignore files, scripts, app
configuration, and the one database file it reports), never the bulk of the source tree."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from composeguard.cli import main

BENCH = Path(__file__).resolve().parents[2] / "bench"

_opened: list[str] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        _opened.append(os.path.abspath(os.fsdecode(args[0])))


_HOOKED = False


@contextlib.contextmanager
def opened_files() -> Iterator[list[str]]:
    """Every path ``open()``/``os.open()`` is asked for inside the block (an audit hook cannot
    be removed, so it is installed once and records only while a block runs)."""
    global _opened, _HOOKED
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED = True
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Any:
    sys.path.insert(0, str(BENCH))
    try:
        from make_corpus import generate_repository
    finally:
        sys.path.remove(str(BENCH))
    # bench/make_corpus.py's Repository: the scripts folder is not a package to import types from
    return generate_repository(tmp_path_factory.mktemp("bench") / "repository", files=2_000)


def test_check_reads_no_file_it_does_not_need(repository: Any) -> None:
    root = str(repository.root)
    out = io.StringIO()
    with opened_files() as opened, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(io.StringIO()):
        code = main(["check", "--format", "json", root])
    assert code == 1
    reported = {(f["code"], Path(f["path"]).resolve().relative_to(repository.root).as_posix())
                for f in json.loads(out.getvalue())["findings"]}
    assert {("CG401", "storage/app/reports.sqlite"), ("CG403", ".env")} <= reported

    inside = {p for p in opened if p.startswith(root + os.sep)}
    read_files = {p for p in inside if os.path.isfile(p)}
    noise = {str(p) for p in repository.noise}
    assert not read_files & noise, sorted(read_files & noise)[:10]
    allowed = {str(p) for p in repository.needed} | {str(repository.database)}
    unexpected = {p for p in read_files - allowed if os.sep + ".git" + os.sep not in p}
    assert not unexpected, sorted(unexpected)
    assert {str(repository.root / name) for name in ("docker-compose.yml", ".env")} <= read_files
    assert len(repository.noise) > 1_900


def test_the_generated_repository_is_what_the_benchmark_says(repository: Any) -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=repository.root, check=True,
                            capture_output=True).stdout.split(b"\0")
    tracked = [name for name in listed if name]
    assert len(tracked) == repository.files == 2_000
    assert b".env" in tracked and b"storage/app/reports.sqlite" in tracked
    assert sum(name.startswith(b"vendor/") for name in tracked) >= 900
