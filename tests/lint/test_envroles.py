"""Env files judged by name (which environment reads them, whether git may track them), and
the settings production reads from env files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from composeguard.lint.facts.envroles import EnvFileRole, env_file_role
from composeguard.lint.project import Project
from composeguard.rules.appconfig.facts import production_env_values

Make = Callable[..., Path]


@pytest.mark.parametrize(("name", "deployment", "repository"), [
    (".env", "plain", "plain"),
    (".env.production", "production", "environment"),
    (".env.staging", "production", "environment"),
    (".env.example", "template", "template"),
    (".env.testing", "development", "test"),
    (".env.dusk.local", "development", "test"),
    # The two questions part ways on these names:
    (".env.production.example", "production", "template"),
    (".env.production.local", "development", "private"),
    (".env.production.encrypted", "production", "encrypted"),
    (".env.docker", "plain", "environment"),
    (".env.backup", "plain", "private"),
    ("app.prod.env", "production", "other"),
    ("db.env", "plain", "other"),
])
def test_env_file_role(name: str, deployment: str, repository: str) -> None:
    assert env_file_role(Path("deploy") / name) == EnvFileRole(deployment, repository)


@given(st.text(max_size=40))
def test_env_file_role_never_raises(name: str) -> None:
    role = env_file_role(Path("x") / name.replace("\x00", ""))
    assert role.deployment in {"production", "development", "template", "plain"}


def values(root: Path) -> list[tuple[str, str, str, int]]:
    return [(v.path.name, v.name, v.value, v.location.line)
            for v in production_env_values(Project([root]))]


def test_every_entry_of_a_production_env_file(project_dir: Make) -> None:
    root = project_dir({".env.production": "APP_ENV=local\nAPP_DEBUG=true\n",
                        ".env.production.local": "APP_DEBUG=true\n", ".env": "APP_DEBUG=true\n"})
    assert values(root) == [(".env.production", "APP_ENV", "local", 1),
                            (".env.production", "APP_DEBUG", "true", 2)]


def test_a_tracked_env_file_a_production_service_loads(project_dir: Make) -> None:
    files = {"compose.yaml": "services:\n  app:\n    build: .\n    env_file: app.env\n"
                             "    environment:\n      FLASK_ENV: production\n",
             "app.env": "FLASK_DEBUG=1\nFLASK_ENV=development\n"}
    assert values(project_dir(files, git=True)) == [("app.env", "FLASK_DEBUG", "1", 1)]


def test_an_untracked_env_file_is_this_machines_copy(project_dir: Make) -> None:
    files = {"compose.yaml": "services:\n  app:\n    build: .\n    env_file: app.env\n",
             "app.env": "FLASK_DEBUG=1\n"}
    assert values(project_dir(files)) == []
