from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from composeguard.fix import write as write_module
from composeguard.fix.apply.plan import FileChange
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
    assert "outside the checked paths" in results[0].message
    assert "symlink" in results[1].message
    assert "outside the checked paths" in results[2].message
    assert outside.read_text() == "a: 1\n"
    assert not (tmp_path / "escape.yaml").exists()


def test_a_checked_file_is_its_own_project(tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text("a: 1\n")
    assert within(compose, [compose])
    assert not within(tmp_path / "other.yaml", [compose])


def test_a_symlink_is_never_written_through(tmp_path: Path) -> None:
    """Not even one that points inside the project: the link is what the user named."""
    (tmp_path / "real.yaml").write_text("a: 1\n")
    (tmp_path / "link.yaml").symlink_to("real.yaml")
    results = write_changes([FileChange(tmp_path / "link.yaml", "a: 1\n", "a: 2\n")], [tmp_path])
    assert not results[0].written and "symlink" in results[0].message
    assert (tmp_path / "link.yaml").is_symlink()
    assert (tmp_path / "real.yaml").read_text() == "a: 1\n"


def test_a_checked_path_that_is_a_symlink_is_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "compose.yaml").write_text("a: 1\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "linked").symlink_to(outside)
    (project / "compose.yaml").symlink_to(outside / "compose.yaml")
    for root, target in ((project / "linked", project / "linked" / "compose.yaml"),
                         (project / "linked", project / "linked" / "new.yaml"),
                         (project / "compose.yaml", project / "compose.yaml"),
                         (project, project / "linked" / "new.yaml")):
        before = None if target.name == "new.yaml" else "a: 1\n"
        [result] = write_changes([FileChange(target, before, "a: 2\n")], [root])
        assert not result.written and "symlink" in result.message, (root, target)
    assert (outside / "compose.yaml").read_text() == "a: 1\n"
    assert not (outside / "new.yaml").exists()


@pytest.mark.parametrize("hard_links", [True, False])
def test_the_files_of_one_fix_are_written_together_or_not_at_all(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hard_links: bool) -> None:
    base = tmp_path / "compose.yaml"
    base.write_text("command: migrate && serve\n")
    other = tmp_path / "other.yaml"
    other.write_text("a: 1\n")
    real_replace = os.replace

    def replace(source: str, destination: object) -> None:
        if str(destination).endswith("compose.prod.yaml"):
            raise OSError(27, "File too large")
        real_replace(source, destination)

    real_link = os.link

    def link(source: str, destination: object) -> None:
        if str(destination).endswith("compose.prod.yaml"):
            raise OSError(27, "File too large")
        real_link(source, destination)

    monkeypatch.setattr(write_module.os, "replace", replace)
    monkeypatch.setattr(write_module.os, "link", link)
    if not hard_links:  # a file system without them: the old bytes are kept in memory
        monkeypatch.setattr(write_module.os, "link",
                            lambda *a: (_ for _ in ()).throw(OSError(1, "not supported")))
    changes = [FileChange(base, "command: migrate && serve\n", "command: serve\n"),
               FileChange(tmp_path / "compose.dev.yaml", None, "dev\n"),
               FileChange(tmp_path / "compose.prod.yaml", None, "prod\n"),
               FileChange(other, "a: 1\n", "a: 2\n")]
    group = [base, tmp_path / "compose.dev.yaml", tmp_path / "compose.prod.yaml"]
    results = write_changes(changes, [tmp_path], groups=[group])
    assert [r.written for r in results] == [False, False, False, True]
    assert "File too large" in results[2].message
    assert "compose.prod.yaml, changed by the same fix, could not be" in results[0].message
    # the base file was replaced, then put back; the dev file was created, then removed
    assert base.read_text() == "command: migrate && serve\n"
    assert not (tmp_path / "compose.dev.yaml").exists()
    assert other.read_text() == "a: 2\n"
    assert leftovers(tmp_path) == []


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
