"""Every fixture project under tests/fixtures/ and exactly what composeguard reports on it.

Each fixture is copied to a temp dir, made a real git repository, and checked on its own; the
findings must equal the list below (code, path, line), no more and no less. A last test runs
composeguard over the whole tree at once, in place, to show it raises nothing and reports
nothing this file does not expect.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from composeguard.lint.project import Project
from composeguard.lint.runner import run

from .conftest import FIXTURES, make_git_repo

Expected = list[tuple[str, str, int]]

STARTUP: dict[str, Expected] = {
    "startup_laravel": [
        ("CG104", "scripts/deploy.sh", 6),  # docker compose down --volumes in a deploy script
        ("CG201", "docker/entrypoint.sh", 6),  # db:seed in the image's entrypoint
        ("CG202", "docker-compose.override.yml", 5),  # migrate:fresh in the dev override
        ("CG203", "docker/entrypoint.sh", 5),  # migrate on its own line, no set -e
        ("CG203", "docker/entrypoint.sh", 6),  # db:seed || true
        ("CG204", "docker/entrypoint.sh", 5),
    ],
    "startup_django": [
        ("CG201", "compose.yaml", 4),  # loaddata
        ("CG203", "compose.yaml", 4),  # migrate; ...
        ("CG203", "compose.yaml", 4),  # loaddata; ...
        ("CG204", "compose.yaml", 4),
        ("CG303", "compose.yaml", 15),  # POSTGRES_PASSWORD: postgres
        ("CG502", "compose.yaml", 17),  # "5432:5432"
    ],
    "startup_rails": [
        ("CG104", "Makefile", 12),  # $(COMPOSE) down --volumes in `reset`
        ("CG201", "docker-compose.yml", 4),  # rails db:seed
        ("CG204", "docker-compose.yml", 4),  # rails db:migrate
    ],
    "startup_prisma": [
        ("CG104", ".github/workflows/deploy.yml", 14),  # down -v in the deploy job
        ("CG201", "package.json", 9),  # prisma db seed in start:prod
        ("CG204", "package.json", 9),  # prisma migrate deploy in start:prod
    ],
}

APPS: dict[str, Expected] = {
    "django_single_settings": [],
    "django_split_environ": [],
    "laravel11_fixed": [],
    "laravel11_fresh": [],
    "laravel_handwritten_guard": [],
    "rails7_default": [],
    "rails_postgres": [],
}
"""The framework configuration fixtures (tests/lint/test_laravel.py, test_django.py,
test_rails.py)."""

MODEL: dict[str, Expected] = {
    "model_anchors_merge": [
        ("CG102", "docker-compose.yml", 8),  # the anchored anonymous volume, for api
        ("CG102", "docker-compose.yml", 8),  # ... and for worker
        ("CG303", "docker-compose.yml", 34),  # ${POSTGRES_PASSWORD:-...} literal fallback
    ],
    "model_env_file": [],
    "model_extends_other_file": [],
    "model_extends_same_file": [],
    "model_extends_then_override": [],
    "model_include": [],
    "model_interp_dotenv": [],
    "model_interp_no_dotenv": [],
    "model_laravel_sail": [],  # MYSQL_ALLOW_EMPTY_PASSWORD, but LARAVEL_SAIL marks development
    "model_list_env_forms": [],
    "model_multi_env": [],
    "model_override": [],
    "model_prod_file": [],
    "model_rejected_extends_cycle": [
        ("CG002", "compose.yaml", 6),
    ],
    "model_rejected_include_conflict": [
        ("CG002", "compose.yaml", 4),
        ("CG101", "compose.yaml", 4),
    ],
    "model_rejected_include_missing": [
        ("CG002", "compose.yaml", 2),
    ],
    "model_rejected_missing_extends": [
        ("CG002", "compose.yaml", 3),
        ("CG002", "compose.yaml", 7),
    ],
    "model_reset_override_tags": [],
    "model_short_long_volumes": [
        ("CG102", "compose.yaml", 7),
        ("CG102", "compose.yaml", 15),
        ("CG103", "compose.yaml", 26),
    ],
    "model_volume_replace_target": [],
}
"""The compose-model fixtures (tests/lint/test_model_vs_compose.py) and their findings."""

EXPECTED: dict[str, Expected] = {**STARTUP, **APPS, **MODEL}


def findings_of(root: Path, project_root: Path | None = None) -> list[tuple[str, str, int]]:
    result = run(Project([root]))
    assert not result.errors, result.errors
    base = project_root or root
    return sorted((f.code, f.location.path.relative_to(base).as_posix(), f.location.line)
                  for f in result.findings)


def test_every_fixture_has_expectations() -> None:
    fixtures = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert fixtures == set(EXPECTED), (
        f"without expectations: {sorted(fixtures - set(EXPECTED))}; "
        f"expected but missing: {sorted(set(EXPECTED) - fixtures)}"
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings(name: str, tmp_path: Path) -> None:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, symlinks=True)
    make_git_repo(root)
    assert findings_of(root) == sorted(EXPECTED[name])


def test_whole_fixture_tree_in_place() -> None:
    """One run over tests/fixtures/: no errors and no finding outside the expectations (a
    fixture checked in place lives in this repository's git, so tracked-file rules may
    report less than in a repository of its own, never more)."""
    got = Counter(
        (code, path.split("/", 1)[0], path.split("/", 1)[1], line)
        for code, path, line in findings_of(FIXTURES, FIXTURES)
    )
    allowed = Counter((code, name, path, line)
                      for name, expected in EXPECTED.items() for code, path, line in expected)
    unexpected = got - allowed
    assert not unexpected, sorted(unexpected)
