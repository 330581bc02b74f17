"""CG106 suggests the major version to pin from what the mounts show, and never guesses."""

from __future__ import annotations

from pathlib import Path

import pytest

from composeguard.lint.engine.selection import Selection
from composeguard.lint.project import Project
from composeguard.runner import run

from ..conftest import write_tree


@pytest.mark.parametrize(("image", "target", "hint"), [
    ("postgres", "/var/lib/postgresql/data", "`postgres:17` or the major it runs now"),
    ("postgres:latest", "/var/lib/postgresql", "`postgres:18` or the major it runs now"),
    ("mongo", "/data/db", "`mongo:<major>`; the running container's image shows it"),
])
def test_the_pin_suggested(image: str, target: str, hint: str, tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"compose.yaml": (
        f"services:\n  db:\n    image: {image}\n    volumes:\n      - data:{target}\n"
        "volumes:\n  data:\n")})
    [finding] = run(Project([root]), Selection(select=("CG106",))).findings
    assert hint in finding.text
    assert finding.fix is None
