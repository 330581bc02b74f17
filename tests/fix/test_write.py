from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from composeguard.fix import write as write_module
from composeguard.fix.plan import FileChange
from composeguard.fix.write import within, write_changes


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".composeguard"))


def test_updates_keep_the_mode_and_create_new_files(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text("echo a\n")
    script.chmod(0o750)
    results = write_changes([
        FileChange(script, "echo a\n", "echo b\n"),
        FileChange(tmp_path / "sub" / "new.yaml", None, "a: 1\n"),
    ], [tmp_path])
    assert [(r.written, r.message) for r in results] == [(True, "updated"), (True, "created")]
    assert script.read_text() == "echo b\n"
    assert stat.S_IMODE(script.stat().st_mode) == 0o750
    assert (tmp_path / "sub" / "new.yaml").read_text() == "a: 1\n"
    assert leftovers(tmp_path) == []


def test_never_outside_the_checked_paths(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    outside = tmp_path / "outside.yaml"
    outside.write_text("a: 1\n")
    (project / "link.yaml").symlink_to(outside)
    results = write_changes([
        FileChange(outside, "a: 1\n", "a: 2\n"),
        FileChange(project / "link.yaml", "a: 1\n", "a: 2\n"),
        FileChange(project / ".." / "escape.yaml", None, "x\n"),
    ], [project])
    assert [r.written for r in results] == [False, False, False]
    assert all("outside the checked paths" in r.message for r in results)
    assert outside.read_text() == "a: 1\n"
    assert not (tmp_path / "escape.yaml").exists()


def test_a_checked_file_is_its_own_project(tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text("a: 1\n")
    assert within(compose, [compose])
    assert not within(tmp_path / "other.yaml", [compose])


def test_symlink_inside_the_project_updates_its_target(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text("a: 1\n")
    (tmp_path / "link.yaml").symlink_to("real.yaml")
    results = write_changes([FileChange(tmp_path / "link.yaml", "a: 1\n", "a: 2\n")], [tmp_path])
    assert results[0].written
    assert (tmp_path / "link.yaml").is_symlink()
    assert (tmp_path / "real.yaml").read_text() == "a: 2\n"


def test_files_changed_since_planning_are_not_overwritten(tmp_path: Path) -> None:
    edited = tmp_path / "compose.yaml"
    edited.write_text("a: 3\n")  # someone edited it after the plan read "a: 1"
    existing = tmp_path / "new.yaml"
    existing.write_text("mine\n")
    changes = [FileChange(edited, "a: 1\n", "a: 2\n"), FileChange(existing, None, "generated\n")]
    results = write_changes(changes, [tmp_path])
    assert [r.written for r in results] == [False, False]
    assert "changed after it was read" in results[0].message
    assert "exists already" in results[1].message
    assert edited.read_text() == "a: 3\n" and existing.read_text() == "mine\n"

    forced = write_changes(changes, [tmp_path], force=True)
    assert [r.written for r in forced] == [True, True]
    assert edited.read_text() == "a: 2\n" and existing.read_text() == "generated\n"


def test_an_io_error_on_one_file_leaves_the_others_written(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a regular file, so no directory can be made here\n")
    good = tmp_path / "good.yaml"
    good.write_text("a: 1\n")
    results = write_changes([
        FileChange(tmp_path / "blocker" / "x.yaml", None, "x\n"),
        FileChange(good, "a: 1\n", "a: 2\n"),
    ], [tmp_path])
    assert [r.written for r in results] == [False, True]
    assert results[0].message.startswith("cannot write")
    assert good.read_text() == "a: 2\n"


def test_a_failed_rename_leaves_the_old_file_whole(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "compose.yaml"
    target.write_text("a: 1\n")

    def failing_replace(source: str, destination: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(write_module.os, "replace", failing_replace)
    results = write_changes([FileChange(target, "a: 1\n", "a: 2\n")], [tmp_path])
    assert not results[0].written and "No space left" in results[0].message
    assert target.read_text() == "a: 1\n"
    assert leftovers(tmp_path) == []


def test_new_files_get_the_umask_mode(tmp_path: Path) -> None:
    mask = os.umask(0o027)
    try:
        write_changes([FileChange(tmp_path / "n.yaml", None, "x\n")], [tmp_path])
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "n.yaml").stat().st_mode) == 0o640
