"""The pre-commit hook definition: well-formed, and run when (and only when) it should be."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

HOOKS_FILE = Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml"

READ_BY_COMPOSEGUARD = [
    "compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml",
    "docker-compose.override.yml", "compose.prod.yaml", "deploy/docker-compose.staging.yml",
    "infra/compose.local.yaml",
    ".env", ".env.production", ".env.example", "backend/.env.local",
    ".gitignore", "storage/.gitignore",
    "Dockerfile", "docker/php/Dockerfile", "Dockerfile.prod", "app.Dockerfile", "Containerfile",
    "scripts/deploy.sh", "docker/entrypoint.sh", "docker-entrypoint", "bin/setup.bash",
    "Makefile", "GNUmakefile", "build/rules.mk",
    "package.json", "artisan", "composer.json",
    "config/database.php", "app/Providers/AppServiceProvider.php", "bootstrap/providers.php",
    "settings.py", "mysite/settings.py", "mysite/settings_prod.py", "config/settings/production.py",
    "config/database.yml", "config/environments/production.rb",
    ".github/workflows/deploy.yml", ".github/workflows/ci.yaml", ".gitlab-ci.yml",
    ".circleci/config.yml", "bitbucket-pipelines.yml",
    "pyproject.toml", ".composeguard.toml",
    "database/database.sqlite", "db.sqlite3", "storage/production.sqlite3", "data/app.db",
]

NOT_READ = [
    "README.md", "src/app.py", "app/Models/User.php", "config/app.php", "routes/web.php",
    "composer.yml", "mycompose.yml", "docker-compose.yml.bak", "compose.yaml.orig",
    "compose.json", "docs/compose.md", "kubernetes/deployment.yaml", "mkdocs.yml",
    ".github/dependabot.yml", "environment.yml", "tests/test_settings.txt", "public/index.php",
    "environments/.envrc", "config/database.php.dist",
]


@pytest.fixture(scope="module")
def hooks() -> list[dict]:
    data = YAML(typ="safe", pure=True).load(HOOKS_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, list) and data
    return data


@pytest.fixture(scope="module")
def files_pattern(hooks: list[dict]) -> re.Pattern[str]:
    return re.compile(hooks[0]["files"])


def test_hook_definition(hooks: list[dict]) -> None:
    (hook,) = hooks
    assert hook["id"] == "composeguard"
    assert hook["name"] == "composeguard"
    assert hook["entry"] == "composeguard check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False, "rules need the whole project, not the changed files"
    assert hook["require_serial"] is True


@pytest.mark.parametrize("path", READ_BY_COMPOSEGUARD)
def test_runs_for_files_composeguard_reads(files_pattern: re.Pattern[str], path: str) -> None:
    # pre-commit matches `files` with re.search against the repository-relative path
    assert files_pattern.search(path), path


@pytest.mark.parametrize("path", NOT_READ)
def test_does_not_run_for_unrelated_files(files_pattern: re.Pattern[str], path: str) -> None:
    assert not files_pattern.search(path), path
