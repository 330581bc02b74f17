"""The bundled example (examples/laravel-shop) and the README's Quick start that runs it.

The example is broken on purpose, one mistake per failure mode of RULES.md. Every rule of the
installed catalog that should fire on it must fire; rules not written yet are skipped, so the
test tightens by itself as the catalog grows.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
from pathlib import Path

import pytest

from composeguard.cli import main
from composeguard.rules import find_rule

from .tools import compose_binary

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "laravel-shop"
COMPOSE = "docker-compose.yml"

EXPECTED: dict[str, str | None] = {
    "CG101": COMPOSE,  # mysql (and redis) without a volume
    "CG104": "scripts/deploy.sh",  # docker compose down -v
    "CG105": COMPOSE,  # rabbitmq without hostname
    "CG201": COMPOSE,  # db:seed on every start
    "CG203": COMPOSE,  # migrate/seed || true
    "CG301": "config/database.php",  # env('DB_CONNECTION', 'sqlite')
    "CG303": COMPOSE,  # MYSQL_ROOT_PASSWORD: root
    "CG402": None,  # database/database.sqlite is not ignored
    "CG501": None,  # no DB::prohibitDestructiveCommands()
    "CG502": COMPOSE,  # "3306:3306"
    "CG601": None,  # one compose setup for every environment, and it migrates
    "CG602": None,  # no backup of mysql
}
"""Codes the example must trigger (once the rule exists), with the file, where it is certain."""

NOT_EXPECTED = ("CG001", "CG002", "CG003", "CG102", "CG103", "CG204", "CG302", "CG403")
"""The example is valid Compose, has no anonymous or tmpfs volumes, no debug, no tracked .env;
its one app instance migrates on start with the failure masked: CG203's, not CG204's."""


def check_example(*extra: str) -> tuple[int, list[dict], str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", "--format", "json", *extra, str(EXAMPLE)])
    return code, json.loads(out.getvalue())["findings"], out.getvalue()


def example_path(finding: dict) -> str:
    path = Path(finding["path"])
    path = path if path.is_absolute() else Path.cwd() / path
    return path.resolve().relative_to(EXAMPLE).as_posix()


def service_lines(name: str) -> range:
    """The lines of one service's block in the example's compose file."""
    lines = (EXAMPLE / COMPOSE).read_text(encoding="utf-8").splitlines()
    start = lines.index(f"  {name}:") + 1
    end = start
    while end < len(lines) and (not lines[end] or lines[end].startswith("    ")):
        end += 1
    return range(start, end + 1)


@pytest.fixture(scope="module")
def example_findings() -> tuple[int, list[dict]]:
    code, findings, _ = check_example()
    return code, findings


def test_exit_code_and_every_available_rule_fires(example_findings: tuple[int, list[dict]]) -> None:
    code, findings = example_findings
    available = {c: p for c, p in EXPECTED.items() if find_rule(c) is not None}
    assert available, "no rule of the example's failure modes exists yet"
    assert code == 1, f"exit {code}: {findings}"
    missing = []
    for expected_code, expected_path in available.items():
        hits = [f for f in findings if f["code"] == expected_code]
        if expected_path is not None:
            hits = [f for f in hits if example_path(f) == expected_path]
        if not hits:
            missing.append(f"{expected_code} in {expected_path or 'the example'}")
    assert not missing, "missing: " + ", ".join(missing) + f"\ngot: {json.dumps(findings, indent=1)}"


def test_mysql_without_volume_is_reported_at_the_mysql_service(
    example_findings: tuple[int, list[dict]],
) -> None:
    _, findings = example_findings
    mysql = service_lines("mysql")
    hits = [f for f in findings if f["code"] == "CG101" and example_path(f) == COMPOSE
            and f["line"] in mysql and f["severity"] == "error"]
    assert hits, f"no CG101 error within lines {mysql.start}-{mysql.stop - 1}: {findings}"


def test_no_false_positives(example_findings: tuple[int, list[dict]]) -> None:
    _, findings = example_findings
    wrong = [f for f in findings if f["code"] in NOT_EXPECTED]
    assert not wrong, json.dumps(wrong, indent=1)


def test_every_finding_is_inside_the_example(example_findings: tuple[int, list[dict]]) -> None:
    _, findings = example_findings
    for finding in findings:
        path = EXAMPLE / example_path(finding)
        assert path.exists(), finding
        if path.is_file():
            line_count = max(1, len(path.read_bytes().splitlines()))
            assert 1 <= finding["line"] <= line_count, finding
        assert finding["column"] >= 1, finding


def test_fail_on_error_still_fails_when_an_error_is_found() -> None:
    code, findings, _ = check_example("--fail-on", "error")
    assert code == (1 if any(f["severity"] == "error" for f in findings) else 0)


def test_example_is_valid_compose() -> None:
    """The example's mistakes are about data, not syntax: Compose itself accepts the file."""
    done = subprocess.run(
        [str(compose_binary()), "-f", str(EXAMPLE / COMPOSE), "--project-directory", str(EXAMPLE), "config", "-q"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr


# -- the README's Quick start and CI ---------------------------------------------------------


def quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```[a-z]*\n(.*?)```", section, re.DOTALL)
    assert block, "the Quick start section has no code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_has_exactly_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    assert "composeguard check examples/laravel-shop" in commands[0]
    assert "pytest" in commands[1]
    assert not any(c.rstrip().endswith("\\") for c in commands), "one self-contained line each"


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = quick_start_commands()[1]
    assert command in ci.splitlines(), f".ci/run does not run {command!r}"
    assert "set -euo pipefail" in ci


def test_the_readme_sample_output_is_what_the_example_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every finding line and the summary line the README shows under "Output formats" is a
    line `composeguard check examples/laravel-shop` really prints from the repository root."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Output formats\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```text\n(.*?)```", section, re.DOTALL)
    assert block, "the Output formats section has no text block"
    shown = [line for line in block.group(1).splitlines() if line.strip() and line != "..."]
    assert len(shown) >= 2
    monkeypatch.chdir(REPO)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["check", "--no-color", "examples/laravel-shop"])
    printed = out.getvalue().splitlines()
    assert [line for line in shown if line not in printed] == []
