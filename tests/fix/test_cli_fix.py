"""``composeguard fix`` on the command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import composeguard.fix.apply.plan
from composeguard.cli import main
from composeguard.fix.apply.plan import FileChange, FixPlan

ProjectDir = Callable[..., Path]
BASE = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_DB: shop\n"
FIXED = BASE + ("    volumes:\n      - postgres_data:/var/lib/postgresql/data\n"
                "volumes:\n  postgres_data:\n")


def test_diff_prints_and_writes_nothing(project_dir: ProjectDir,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = project_dir({"compose.yaml": BASE})
    assert main(["fix", "--diff", "--unsafe-fixes", str(root)]) == 1
    out, err = capsys.readouterr()
    assert "+    volumes:\n+      - postgres_data:/var/lib/postgresql/data\n" in out
    assert out.startswith("--- a/") and "compose.yaml\n+++ b/" in out
    assert "Would fix 1 problem in 1 file." in err
    assert (root / "compose.yaml").read_text() == BASE


@pytest.mark.parametrize("option", ["--color", "--no-color", None])
def test_fix_colours_the_diff_only_when_asked(project_dir: ProjectDir, option: str | None,
                                              capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # --no-color must win over it
    root = project_dir({"compose.yaml": BASE})
    argv = ["fix", "--diff", "--unsafe-fixes", *([option] if option else []), str(root)]
    assert main(argv) == 1
    out, _ = capsys.readouterr()
    coloured = "\x1b[32m+      - postgres_data:/var/lib/postgresql/data\x1b[0m" in out
    assert coloured is (option != "--no-color")
    if option == "--no-color":
        assert "\x1b[" not in out and "+      - postgres_data:" in out


def test_fix_lines_are_plain_with_no_color(project_dir: ProjectDir,
                                           capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    root = project_dir({"compose.yaml": BASE})
    assert main(["fix", "--unsafe-fixes", "--no-color", str(root)]) == 0
    out, _ = capsys.readouterr()
    assert "\x1b[" not in out and ": CG101 mount a new named volume" in out


def test_unsafe_fixes_are_listed_not_applied(project_dir: ProjectDir,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = project_dir({"compose.yaml": BASE})
    assert main(["fix", str(root)]) == 0
    out, _ = capsys.readouterr()
    assert "No safe fixes to apply." in out
    assert "1 unsafe fix not applied; read them, then rerun with --unsafe-fixes:" in out
    assert "compose.yaml:2:3: CG101 mount a new named volume `postgres_data`" in out
    assert (root / "compose.yaml").read_text() == BASE
    assert main(["fix", "--diff", str(root)]) == 0


def test_fix_writes_and_a_second_run_changes_nothing(project_dir: ProjectDir,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = project_dir({"compose.yaml": BASE})
    assert main(["fix", "--unsafe-fixes", str(root)]) == 0
    out, _ = capsys.readouterr()
    assert "compose.yaml: CG101 mount a new named volume `postgres_data`" in out
    assert "Fixed 1 problem in 1 file." in out
    assert (root / "compose.yaml").read_text() == FIXED
    assert main(["fix", "--unsafe-fixes", str(root)]) == 0
    assert "Nothing to fix." in capsys.readouterr().out
    assert main(["check", "--select", "CG101,CG102", str(root)]) == 0


def test_select_and_ignore_are_checked_like_check(project_dir: ProjectDir,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = project_dir({"compose.yaml": BASE})
    assert main(["fix", "--select", "CG999", str(root)]) == 2
    assert "no rule code" in capsys.readouterr().err
    assert main(["fix", "--unsafe-fixes", "--ignore", "stateful-service-without-volume",
                 str(root)]) == 0
    assert (root / "compose.yaml").read_text() == BASE
    assert main(["fix", "--unsafe-fixes", "--select", "CG1", str(root)]) == 0
    assert (root / "compose.yaml").read_text() == FIXED


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fix", str(tmp_path / "nope")]) == 2
    assert "path does not exist" in capsys.readouterr().err


def test_a_change_that_cannot_be_written_fails_the_run(
        project_dir: ProjectDir, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = project_dir({"compose.yaml": BASE, "other.yaml": "b: 1\n"})
    stale = FileChange(root / "compose.yaml", "not what is on disk\n", "x: 1\n")
    fine = FileChange(root / "other.yaml", "b: 1\n", "b: 2\n")
    monkeypatch.setattr(composeguard.fix.apply.plan, "plan_fixes",
                        lambda *a, **k: FixPlan(changes=(stale, fine)))
    assert main(["fix", str(root)]) == 1
    assert "changed after it was read" in capsys.readouterr().err
    assert (root / "compose.yaml").read_text() == BASE
    assert (root / "other.yaml").read_text() == "b: 2\n"


def test_help_documents_safety(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fix", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--diff", "--unsafe-fixes", "--select", "--ignore", "--force"):
        assert option in out
    assert "atomically" in out


def test_a_failed_write_is_exit_1_and_never_nothing_to_fix(project_dir: ProjectDir,
                                                          capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import composeguard.fix.write as write_module

    def no_space(*_: object) -> None:
        raise OSError(28, "No space left on device")

    root = project_dir({"compose.yaml": BASE})
    monkeypatch.setattr(write_module.os, "replace", no_space)
    monkeypatch.setattr(write_module.os, "link", no_space)
    assert main(["fix", "--unsafe-fixes", str(root)]) == 1
    out, err = capsys.readouterr()
    assert "compose.yaml: cannot write: No space left on device" in err
    assert "Nothing to fix." not in out and "Fixed" not in out
    assert "1 fix not written" in out
    assert (root / "compose.yaml").read_text() == BASE
