"""The planner with made-up rules: passes, conflicts, new files, limits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import composeguard.rules
from composeguard.fix.apply.plan import UNSAFE, FileChange, plan_fixes, unified_diff
from composeguard.lint.engine.finding import Edit, Finding, Fix, Severity
from composeguard.lint.engine.selection import Selection
from composeguard.lint.parse.location import Location
from composeguard.lint.project import Project
from composeguard.rules.base import Rule, rule

ProjectDir = Callable[..., Path]
COMPOSE = "services:\n  web:\n    image: nginx\n"


def make_rule(code: str, check: Callable[[Project], Iterator[Finding]]) -> Rule:
    @rule(code=code, name=f"made-up-{code.lower()}", severity=Severity.WARNING, summary="s",
          what="w", why="y", example="e", use_instead="u")
    def made_up(self: Rule, project: Project) -> Iterator[Finding]:
        yield from check(project)

    return made_up


@pytest.fixture
def rules(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Replace the catalog with made-up rules for one test."""

    def install(*made_up: Rule) -> None:
        monkeypatch.setattr(composeguard.rules, "all_rules", lambda: tuple(made_up))

    return install


def compose_path(project: Project) -> Path:
    return project.discovery.compose_files[0]


def finding(code: str, path: Path, fix: Fix, line: int = 1) -> Finding:
    return Finding(code, f"made-up-{code.lower()}", Severity.WARNING, Location(path, line),
                   fix.description, fix)


def test_conflicting_fixes_are_rebuilt_in_a_later_pass(rules: Callable[..., None],
                                                        project_dir: ProjectDir) -> None:
    """Two fixes append at the same point: the second is built again from the first's text."""

    def append(name: str) -> Callable[[Project], Iterator[Finding]]:
        def check(project: Project) -> Iterator[Finding]:
            path = compose_path(project)
            text = project.read_text(path) or ""
            if f"# {name}" not in text:
                lines = text.count("\n")
                where = (lines, len(text.split("\n")[lines - 1]) + 1)
                yield finding("CG901", path, Fix(f"add {name}",
                                                 (Edit(path, where, where, f"\n# {name}"),)))

        return check

    rules(make_rule("CG901", append("one")), make_rule("CG902", append("two")))
    root = project_dir({"compose.yaml": COMPOSE})
    plan = plan_fixes([root])
    assert plan.passes == 3
    assert [f.description for f in plan.applied] == ["add one", "add two"]
    assert plan.not_applied == ()
    assert plan.changes == (FileChange(root / "compose.yaml", COMPOSE,
                                       COMPOSE + "# one\n# two\n"),)
    assert (root / "compose.yaml").read_text() == COMPOSE  # planning writes nothing


def test_last_pass_reports_the_overlap(rules: Callable[..., None],
                                       project_dir: ProjectDir) -> None:
    def check(project: Project) -> Iterator[Finding]:
        path = compose_path(project)
        for text in ("a", "b"):
            yield finding("CG901", path, Fix(f"set {text}", (Edit(path, (3, 12), (3, 17), text),)))

    rules(make_rule("CG901", check))
    root = project_dir({"compose.yaml": COMPOSE})
    plan = plan_fixes([root], max_passes=1)
    assert [f.description for f in plan.applied] == ["set a"]
    assert [(f.description, f.reason) for f in plan.not_applied] == [
        ("set b", "overlaps another fix")]
    assert plan.changes[0].after == "services:\n  web:\n    image: a\n"


def test_a_fix_that_comes_back_is_applied_once(rules: Callable[..., None],
                                               project_dir: ProjectDir) -> None:
    def check(project: Project) -> Iterator[Finding]:
        path = compose_path(project)
        yield finding("CG901", path, Fix("prepend", (Edit(path, (1, 1), (1, 1), "# x\n"),)))

    rules(make_rule("CG901", check))
    root = project_dir({"compose.yaml": COMPOSE})
    plan = plan_fixes([root])
    assert plan.passes == 2
    assert plan.changes[0].after == "# x\n" + COMPOSE
    assert "do not converge" in (plan.not_applied[0].reason or "")


def test_unsafe_fixes_only_when_asked(rules: Callable[..., None], project_dir: ProjectDir) -> None:
    def check(project: Project) -> Iterator[Finding]:
        path = compose_path(project)
        if "nginx" in (project.read_text(path) or ""):
            yield finding("CG901", path, Fix("pin", (Edit(path, (3, 12), (3, 17), "nginx:1.27"),),
                                             safe=False))

    rules(make_rule("CG901", check))
    root = project_dir({"compose.yaml": COMPOSE})
    plan = plan_fixes([root])
    assert plan.changes == ()
    assert [f.reason for f in plan.unsafe_left] == [UNSAFE]
    plan = plan_fixes([root], unsafe=True)
    assert plan.changes[0].after.endswith("image: nginx:1.27\n")


def test_new_files_only_where_nothing_exists(rules: Callable[..., None],
                                             project_dir: ProjectDir) -> None:
    def check(project: Project) -> Iterator[Finding]:
        path = compose_path(project)
        new = path.parent / "scripts" / "backup.sh"
        if new.exists() and new.read_text() != "mine\n":
            return
        yield finding("CG901", path, Fix("backup script", new_files=((new, "#!/bin/sh\n"),)))

    rules(make_rule("CG901", check))
    root = project_dir({"compose.yaml": COMPOSE})
    plan = plan_fixes([root])
    assert plan.changes == (FileChange(root / "scripts" / "backup.sh", None, "#!/bin/sh\n"),)
    assert plan.not_applied == ()

    (root / "scripts").mkdir()
    (root / "scripts" / "backup.sh").write_text("mine\n")
    plan = plan_fixes([root])
    assert plan.changes == ()
    assert "exists already" in (plan.not_applied[0].reason or "")
    plan = plan_fixes([root], force=True)
    assert plan.changes == (FileChange(root / "scripts" / "backup.sh", "mine\n", "#!/bin/sh\n"),)


def test_fixes_outside_the_checked_paths_are_refused(rules: Callable[..., None],
                                                     project_dir: ProjectDir,
                                                     tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("a: 1\n")

    def check(project: Project) -> Iterator[Finding]:
        path = compose_path(project)
        yield finding("CG901", path, Fix("edit outside", (Edit(outside, (1, 4), (1, 5), "2"),)))
        yield finding("CG902", path, Fix("create outside", new_files=((outside.parent / "n", ""),)))

    rules(make_rule("CG901", check))
    root = project_dir({"compose.yaml": COMPOSE})
    plan = plan_fixes([root])
    assert plan.changes == ()
    assert all("outside the checked paths" in (f.reason or "") for f in plan.not_applied)
    assert len(plan.not_applied) == 2


def test_a_checked_file_allows_only_itself(rules: Callable[..., None],
                                           project_dir: ProjectDir) -> None:
    def check(project: Project) -> Iterator[Finding]:
        path = compose_path(project)
        yield finding("CG901", path, Fix("beside", new_files=((path.parent / "x.yaml", ""),)))
        if "# hi" not in (project.read_text(path) or ""):
            yield finding("CG902", path, Fix("itself", (Edit(path, (1, 1), (1, 1), "# hi\n"),)))

    rules(make_rule("CG901", check))
    root = project_dir({"compose.yaml": COMPOSE})
    plan = plan_fixes([root / "compose.yaml"])
    assert [c.path.name for c in plan.changes] == ["compose.yaml"]
    assert [f.description for f in plan.not_applied] == ["beside"]


def test_edits_that_do_not_fit_are_reported(rules: Callable[..., None],
                                            project_dir: ProjectDir) -> None:
    def check(project: Project) -> Iterator[Finding]:
        path = compose_path(project)
        yield finding("CG901", path, Fix("too far", (Edit(path, (40, 1), (40, 1), "x"),)))
        yield finding("CG902", path, Fix("self overlap", (Edit(path, (1, 1), (1, 5), "x"),
                                                           Edit(path, (1, 3), (1, 6), "y"))))

    rules(make_rule("CG901", check))
    root = project_dir({"compose.yaml": COMPOSE})
    plan = plan_fixes([root])
    assert plan.changes == ()
    reasons = [f.reason or "" for f in plan.not_applied]
    assert "outside the file" in reasons[0] and "overlap" in reasons[1]


def test_byte_order_mark_and_crlf_survive(rules: Callable[..., None],
                                          project_dir: ProjectDir) -> None:
    def check(project: Project) -> Iterator[Finding]:
        path = compose_path(project)
        if "# top" not in (project.read_text(path) or ""):
            yield finding("CG901", path, Fix("comment", (Edit(path, (1, 1), (1, 1), "# top\n"),)))

    rules(make_rule("CG901", check))
    root = project_dir({"compose.yaml": "\ufeff" + COMPOSE.replace("\n", "\r\n")})
    plan = plan_fixes([root])
    assert plan.changes[0].after == "\ufeff# top\r\n" + COMPOSE.replace("\n", "\r\n")


def test_a_crashing_rule_is_reported_and_the_others_still_fix(
        rules: Callable[..., None], project_dir: ProjectDir) -> None:
    def crash(project: Project) -> Iterator[Finding]:
        raise RuntimeError("boom")
        yield  # pragma: no cover

    def check(project: Project) -> Iterator[Finding]:
        path = compose_path(project)
        if "# ok" not in (project.read_text(path) or ""):
            yield finding("CG902", path, Fix("ok", (Edit(path, (1, 1), (1, 1), "# ok\n"),)))

    rules(make_rule("CG901", crash), make_rule("CG902", check))
    root = project_dir({"compose.yaml": COMPOSE})
    plan = plan_fixes([root])
    assert len(plan.errors) == 1 and "boom" in plan.errors[0]
    assert plan.changes[0].after.startswith("# ok\n")
    assert plan_fixes([root], selection=Selection(select=("CG901",))).changes == ()


def test_unified_diff_of_new_and_changed_files() -> None:
    changed = FileChange(Path("c.yaml"), "a: 1\nb: 2", "a: 1\nb: 3")
    assert unified_diff(changed, "c.yaml") == (
        "--- a/c.yaml\n+++ b/c.yaml\n@@ -1,2 +1,2 @@\n a: 1\n-b: 2\n"
        "\\ No newline at end of file\n+b: 3\n\\ No newline at end of file\n")
    created = FileChange(Path("n.sh"), None, "echo\n")
    assert unified_diff(created, "n.sh") == "--- /dev/null\n+++ b/n.sh\n@@ -0,0 +1 @@\n+echo\n"


def test_later_passes_see_what_git_tracks_and_leave_no_trace(
        rules: Callable[..., None], project_dir: ProjectDir, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The second fix is rebuilt in a mirror of the project, which must know the file is
    tracked (else it would not be offered there); the mirror is removed afterwards."""
    import subprocess
    import tempfile

    def tracked_only(name: str) -> Callable[[Project], Iterator[Finding]]:
        def check(project: Project) -> Iterator[Finding]:
            for path in project.discovery.compose_files:
                text = project.read_text(path) or ""
                if project.tracked(path) and f"# {name}" not in text:
                    end = (text.count("\n"), len(text.split("\n")[-2]) + 1)
                    yield finding("CG901", path, Fix(name, (Edit(path, end, end, f"\n# {name}"),)))

        return check

    rules(make_rule("CG901", tracked_only("one")), make_rule("CG902", tracked_only("two")))
    root = project_dir({"compose.yaml": COMPOSE, ".gitignore": "local/\n"}, git=True)
    (root / "compose.prod.yaml").write_text(COMPOSE)  # untracked: never fixed
    (root / "local").mkdir()
    (root / "local" / "compose.yaml").write_text(COMPOSE)  # ignored: never even seen
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    plan = plan_fixes([root])
    assert [(c.path.relative_to(root).as_posix(), c.after) for c in plan.changes] == [
        ("compose.yaml", COMPOSE + "# one\n# two\n")]
    assert plan.passes == 3
    assert list(scratch.iterdir()) == []
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True,
                            text=True, check=True).stdout
    assert status == "?? compose.prod.yaml\n"


def test_check_builds_no_fix_and_fix_builds_each_offer(rules: Callable[..., None],
                                                       project_dir: ProjectDir) -> None:
    """`check` only records the offer; `fix` builds it, and an offer that finds no exact
    edit is reported as not fixed, with nothing changed."""
    from composeguard.lint.engine.finding import fix_builder, offer
    from composeguard.runner import run

    built: list[str] = []

    @fix_builder(safe=True)
    def comment(path: Path, text: str | None) -> Fix | None:
        built.append(str(text))
        return None if text is None else Fix("comment", (Edit(path, (1, 1), (1, 1), text),))

    def check(project: Project) -> Iterator[Finding]:
        path = compose_path(project)
        for line, text in ((1, "# hi\n"), (2, None)):
            if "# hi" not in (project.read_text(path) or ""):
                yield Finding("CG901", "made-up", Severity.WARNING, Location(path, line), "m",
                              offer(comment, path, text))

    rules(make_rule("CG901", check))
    root = project_dir({"compose.yaml": COMPOSE})
    result = run(Project([root]))
    assert [f.fixable for f in result.findings] == [True, True]
    assert built == []
    plan = plan_fixes([root])
    assert [c.after for c in plan.changes] == ["# hi\n" + COMPOSE]
    assert [(f.line, f.reason) for f in plan.not_applied] == []
    assert built[:2] == ["# hi\n", "None"]


def test_an_offer_that_builds_nothing_is_said_not_fixed(rules: Callable[..., None],
                                                        project_dir: ProjectDir) -> None:
    from composeguard.fix.apply.plan import NOT_BUILT
    from composeguard.lint.engine.finding import fix_builder, offer

    @fix_builder(safe=True)
    def nothing(path: Path) -> Fix | None:
        return None

    def check(project: Project) -> Iterator[Finding]:
        yield Finding("CG901", "made-up", Severity.WARNING, Location(compose_path(project), 3),
                      "m", offer(nothing, compose_path(project)))

    rules(make_rule("CG901", check))
    root = project_dir({"compose.yaml": COMPOSE})
    plan = plan_fixes([root])
    assert plan.changes == ()
    assert [(f.code, f.line, f.reason) for f in plan.not_applied] == [("CG901", 3, NOT_BUILT)]


def test_a_builder_without_declared_safety_is_refused() -> None:
    from composeguard.lint.engine.finding import offer

    with pytest.raises(TypeError, match="declares no safety"):
        offer(lambda: None)
