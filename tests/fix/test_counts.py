"""What ``check`` calls fixable is what ``fix --unsafe-fixes`` says it fixed: on the example,
every fixture and both corpora. A fix that resolves several findings counts each of them, an
offer whose fix cannot be built is not called fixable, and a finding another fix made go away
counts as fixed."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from composeguard.cli import main
from composeguard.fix.apply.plan import plan_fixes

from ..conftest import EXAMPLE, every_project, make_git_repo, write_tree


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def _copy(source: Path, tmp_path: Path) -> Path:
    root = tmp_path / source.name
    shutil.copytree(source, root, symlinks=True)
    if not (root / ".git").exists():
        make_git_repo(root)
    return root


@pytest.mark.parametrize("source", every_project(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_check_counts_what_fix_fixes(source: Path, tmp_path: Path) -> None:
    root = _copy(source, tmp_path)
    _, out, _ = _cli("check", "--no-cache", "--format", "json", str(root))
    fixable = sum(1 for f in json.loads(out)["findings"] if f["fixable"])
    plan = plan_fixes([root], unsafe=True)
    assert plan.resolved == fixable, [(f.codes or f.code, f.path.name, f.reason)
                                      for f in (*plan.applied, *plan.not_applied)]


def test_the_example_says_the_same_numbers_in_check_and_fix(tmp_path: Path) -> None:
    root = _copy(EXAMPLE, tmp_path)
    _, out, _ = _cli("check", "--no-cache", str(root))
    summary = out.strip().splitlines()[-1]
    safe = int(summary.split("; ")[1].split()[0])
    unsafe = int(summary.split("; ")[2].split()[0])
    code, out, _ = _cli("fix", "--unsafe-fixes", str(root))
    assert code == 0
    fixed = out.strip().splitlines()[-1]
    assert fixed.startswith(f"Fixed {safe + unsafe} problems with "), fixed
    split = next(line for line in out.splitlines() if " split " in line)
    assert "CG201, CG203, CG601 split" in split  # one fix, every rule it resolves


def test_an_offer_fix_cannot_build_is_not_called_fixable(tmp_path: Path) -> None:
    """The split of a start command written as a folded multi-line ``sh -c`` finds no exact
    edit: check does not count it, and fix says so instead of fixing."""
    root = write_tree(tmp_path / "p", {
        "docker-compose.yml": (
            "services:\n  app:\n    build: .\n    restart: always\n    command: >\n"
            "      sh -c \"\n        until nc -z db 5432; do sleep 5; done;\n"
            "        npx sequelize-cli db:migrate && npx sequelize-cli db:seed:all && "
            "npm start\n      \"\n"
            "  db:\n    image: postgres:16\n    volumes:\n      - pg:/var/lib/postgresql/data\n"
            "volumes:\n  pg:\n"),
        "package.json": '{"scripts": {"start": "node dist/main.js"}}',
    })
    _, out, _ = _cli("check", "--no-cache", "--format", "json", str(root))
    findings = json.loads(out)["findings"]
    plan = plan_fixes([root], unsafe=True)
    unbuilt = [f for f in plan.not_applied if "no exact edit" in (f.reason or "")]
    assert unbuilt, "the case no longer exercises an unbuildable offer"
    assert not any(f["fixable"] for f in findings if f["code"] == unbuilt[0].code)
    assert plan.resolved == sum(1 for f in findings if f["fixable"])
