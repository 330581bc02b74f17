"""Every rule's own valid and invalid examples, run by one test (as Fixit does)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from composeguard.lint.engine.finding import SUMMARY_LIMIT, Finding
from composeguard.lint.engine.selection import Selection
from composeguard.lint.project import Project
from composeguard.rules import Example, Rule, all_rules
from composeguard.runner import run

from ..conftest import built, make_git_repo, write_tree

CASES = [
    pytest.param(rule, example, id=f"{rule.code}-{'valid' if example.valid else 'invalid'}-{i}")
    for rule in all_rules()
    for i, example in enumerate(rule.examples)
]


def test_every_rule_has_valid_and_invalid_examples() -> None:
    for rule in all_rules():
        assert any(e.valid for e in rule.examples), f"{rule.code} has no valid example"
        assert any(not e.valid for e in rule.examples), f"{rule.code} has no invalid example"


def assert_readable(finding: Finding) -> None:
    """A message short enough to read at a glance, naming the thing, and a help text."""
    assert len(finding.message) <= SUMMARY_LIMIT, \
        f"{finding.code}: a message of {len(finding.message)} characters: {finding.message}"
    assert finding.help.strip(), f"{finding.code}: no help for: {finding.message}"
    subject_only = re.fullmatch(r"(service|services) '[^']*'( \([^)]*\))?", finding.message)
    assert not subject_only, f"{finding.code}: a message that says nothing is wrong: {finding.text}"


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_rule_example(rule: Rule, example: Example, tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", example.files)
    if example.git:
        make_git_repo(root)
    result = run(Project([root]), Selection(select=(rule.code, *example.also)))
    assert not result.errors
    result.findings = [f for f in result.findings if f.code == rule.code]
    got = sorted((f.location.path.relative_to(root).as_posix(), f.location.line)
                 for f in result.findings)
    assert got == sorted(example.expect), (
        f"{rule.code} {example.title or ''}: expected {sorted(example.expect)}, got "
        + "; ".join(f"{f.location.path.name}:{f.location.line} {f.message}" for f in result.findings)
    )
    for finding in result.findings:
        assert_readable(finding)
        fix = finding.fix.build() if finding.fix is not None else None
        assert fix is None or fix.safe == finding.fix.safe, \
            f"{rule.code} {example.title}: check called the fix {finding.fix.safe}, it is {fix.safe}"


FIX_CASES = [
    pytest.param(rule, example, id=f"{rule.code}-fixed-{i}")
    for rule in all_rules()
    for i, example in enumerate(rule.examples)
    if example.fixed is not None
]


@pytest.mark.parametrize(("rule", "example"), FIX_CASES)
def test_rule_example_fixed(rule: Rule, example: Example, tmp_path: Path) -> None:
    """The fix engine turns the example into exactly its ``fixed`` text (as Fixit checks),
    every compose file it changes still passes Compose's own validation, and fixing again
    changes nothing."""
    from composeguard.fix.apply.plan import plan_fixes
    from composeguard.fix.write import write_changes

    from ..fix.compose_binary import compose_config

    assert example.fixed is not None
    root = write_tree(tmp_path / "project", example.files)
    if example.git:
        make_git_repo(root)
    selection = Selection(select=(rule.code,))
    plan = plan_fixes([root], selection=selection, unsafe=True)
    assert not plan.errors
    after = dict(example.files)
    after.update({c.path.relative_to(root).as_posix(): c.after for c in plan.changes})
    assert after == {**example.files, **example.fixed}, f"{rule.code} {example.title}"
    valid_before = {c.path: compose_config([c.path], root)[0] for c in plan.changes
                    if c.before is not None and c.path.suffix in (".yaml", ".yml")}
    assert all(r.written for r in write_changes(plan.changes, [root]))
    for path, was_valid in valid_before.items():
        if was_valid:
            assert compose_config([path], root) == (True, ""), path
    assert plan_fixes([root], selection=selection, unsafe=True).changes == ()
    assert not [f for f in run(Project([root]), selection).findings if built(f)]


def test_every_cases_file_belongs_to_a_rule_of_its_folder() -> None:
    import composeguard.rules as catalog

    expected = {rule.cases_path for rule in all_rules()}
    present = set(Path(catalog.__file__).parent.glob("*/cases/*.yaml"))
    assert present == expected


def test_a_malformed_cases_file_is_named(tmp_path: Path) -> None:
    from composeguard.rules.base import load_cases

    bad = tmp_path / "CG999.yaml"
    bad.write_text("cases:\n  - title: x\n    expect: []\n    file: {}\n")
    with pytest.raises(ValueError, match=r"CG999.yaml: case 1: unknown keys \['file'\]"):
        load_cases(bad)
