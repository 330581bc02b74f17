"""Every finding composeguard reports on the example, the fixtures and both corpora has a
message of at most 100 characters and a help text (the cases files are held to the same by
``test_examples``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from composeguard.lint.project import Project
from composeguard.runner import run

from ..conftest import every_project
from .test_examples import assert_readable


@pytest.mark.parametrize("root", every_project(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_finding_is_short_and_has_help(root: Path) -> None:
    findings = run(Project([root])).findings
    for finding in findings:
        assert_readable(finding)
