"""``fix`` on every fixture project (a copy of it): afterwards ``check`` reports none of what
was fixed, no file got broken, and every Compose setup that Compose accepted still passes."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from composeguard.fix.apply.plan import plan_fixes
from composeguard.fix.write import write_changes
from composeguard.lint.engine.selection import Selection
from composeguard.lint.project import Project
from composeguard.rules import all_rules
from composeguard.runner import run

from ..conftest import FIXTURES, built
from .compose_binary import compose_config

PROJECTS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
FIXABLE = tuple(sorted(r.code for r in all_rules() if any(e.fixed for e in r.examples)))
FILE_RULES = Selection(select=("CG0",))


def test_the_rules_with_fixes_are_known() -> None:
    assert {"CG101", "CG102"} <= set(FIXABLE)


def chains(root: Path) -> list[tuple[Path, ...]]:
    return [tuple(f.path for f in chain) for chain in Project([root]).chains()]


@pytest.mark.parametrize("fixture", PROJECTS, ids=lambda p: p.name)
def test_fix_leaves_nothing_fixable_and_breaks_nothing(fixture: Path, tmp_path: Path) -> None:
    root = tmp_path / fixture.name
    shutil.copytree(fixture, root, symlinks=True)
    selection = Selection(select=FIXABLE)
    before = run(Project([root]), selection).findings
    fixed = len([f for f in before if built(f)])  # built now: files change below
    for finding in before:
        fix = finding.fix.build() if finding.fix is not None else None
        assert fix is None or fix.safe == finding.fix.safe, \
            f"{finding.code}: the built fix's safety is not what check said"
    broken_before = Counter((f.code, f.location.path) for f in run(Project([root]),
                                                                     FILE_RULES).findings)
    plan = plan_fixes([root], selection=selection, unsafe=True)
    assert not plan.errors
    changed = {c.path for c in plan.changes}
    valid_before = {chain: compose_config(chain, root)[0] for chain in chains(root)
                    if changed & set(chain)}
    assert all(r.written for r in write_changes(plan.changes, [root]))

    after = run(Project([root]), selection).findings
    assert [f for f in after if built(f)] == []
    # What the fix did not build is still there, and nothing new; a finding may also go
    # because the fix changed what its setup is for (the split makes the base development's).
    assert len(after) <= len(before) - fixed
    assert {(f.code, f.location) for f in after} <= {(f.code, f.location) for f in before}
    broken_after = Counter((f.code, f.location.path) for f in run(Project([root]),
                                                                   FILE_RULES).findings)
    assert broken_after - broken_before == Counter()
    for chain, was_valid in valid_before.items():
        if was_valid:
            assert compose_config(chain, root) == (True, ""), chain
    assert plan_fixes([root], selection=selection, unsafe=True).changes == ()


def test_fixtures_themselves_are_untouched() -> None:
    """The test above works on copies: the fixtures still hold their findings."""
    found = run(Project([FIXTURES / "model_rejected_include_conflict"]),
                Selection(select=("CG101",))).findings
    assert [f.code for f in found] == ["CG101"]
