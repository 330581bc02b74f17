"""The pre-commit hook definition: well-formed, and run when (and only when) it should be."""

from __future__ import annotations

import re
import subprocess
import sys
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
    "backups/shop.sql", "backups/shop.sql.gz", "data/nightly.dump", "mongo/orders.bson",
    "redis/dump.rdb", "accounts/fixtures/users.json", "db-dump.json",
    "src/main/resources/application.properties", "src/main/resources/application-prod.yml",
    "ormconfig.json", "src/data-source.ts", "src/app.module.ts", "server.js", "models/index.js",
]

NOT_READ = [
    "README.md", "src/app.py", "app/Models/User.php", "config/app.php", "routes/web.php",
    "composer.yml", "mycompose.yml", "docker-compose.yml.bak", "compose.yaml.orig",
    "compose.json", "docs/compose.md", "kubernetes/deployment.yaml", "mkdocs.yml",
    ".github/dependabot.yml", "environment.yml", "tests/test_settings.txt", "public/index.php",
    "environments/.envrc", "config/database.php.dist",
]


@pytest.fixture(scope="module")
def hooks() -> dict[str, dict]:
    data = YAML(typ="safe", pure=True).load(HOOKS_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, list) and data
    by_id = {hook["id"]: hook for hook in data}
    assert len(by_id) == len(data), "hook ids must be unique"
    return by_id


@pytest.fixture(scope="module")
def files_pattern(hooks: dict[str, dict]) -> re.Pattern[str]:
    return re.compile(hooks["composeguard"]["files"])


def test_hook_ids(hooks: dict[str, dict]) -> None:
    assert list(hooks) == ["composeguard", "composeguard-fix"]


def test_check_hook_definition(hooks: dict[str, dict]) -> None:
    hook = hooks["composeguard"]
    assert hook["name"] == "composeguard"
    assert hook["entry"] == "composeguard check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False, "rules need the whole project, not the changed files"
    assert hook["require_serial"] is True


def test_fix_hook_definition(hooks: dict[str, dict]) -> None:
    hook = hooks["composeguard-fix"]
    assert hook["entry"] == "composeguard fix", "unsafe fixes are opt-in through `args`"
    assert "args" not in hook
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False, "fix plans the whole project, like check"
    assert hook["require_serial"] is True
    assert "always_run" not in hook
    assert hook["files"] == hooks["composeguard"]["files"], "both hooks run for the same commits"


def test_pre_commit_accepts_the_manifest() -> None:
    import pre_commit  # noqa: F401 - the [test] extra installs it
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(HOOKS_FILE)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", READ_BY_COMPOSEGUARD)
def test_runs_for_files_composeguard_reads(files_pattern: re.Pattern[str], path: str) -> None:
    # pre-commit matches `files` with re.search against the repository-relative path
    assert files_pattern.search(path), path


@pytest.mark.parametrize("path", READ_BY_COMPOSEGUARD + NOT_READ)
def test_runs_for_every_dump_and_orm_setting_the_rules_would_read(
        files_pattern: re.Pattern[str], path: str) -> None:
    """The hook's list and the readers' own choice of files (CG404's, CG206's) agree."""
    from composeguard.lint.facts.appschema import wanted
    from composeguard.lint.facts.dumps import candidate

    parts = tuple(path.split("/"))
    if candidate(parts) or wanted(Path(path), parts):
        assert files_pattern.search(path), path


@pytest.mark.parametrize("path", NOT_READ)
def test_does_not_run_for_unrelated_files(files_pattern: re.Pattern[str], path: str) -> None:
    assert not files_pattern.search(path), path


def readme_pre_commit_config() -> str:
    """The `.pre-commit-config.yaml` snippet of the README's pre-commit section."""
    lines = (HOOKS_FILE.parent / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("## pre-commit")
    opening = lines.index("```yaml", start)
    return "\n".join(lines[opening + 1:lines.index("```", opening)]) + "\n"


def test_readme_snippet_is_a_valid_config_using_these_hooks(
    hooks: dict[str, dict], tmp_path: Path
) -> None:
    import pre_commit  # noqa: F401 - the [test] extra installs it

    from composeguard.lint.engine.report import REPOSITORY_URL
    snippet = readme_pre_commit_config()
    (repo,) = YAML(typ="safe", pure=True).load(snippet)["repos"]
    assert repo["repo"] == REPOSITORY_URL, "one repository URL for SARIF, the Action and hooks"
    assert {hook["id"] for hook in repo["hooks"]} == set(hooks)
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(snippet, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(config)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
