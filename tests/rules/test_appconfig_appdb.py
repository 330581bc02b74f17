"""Which database an app falls back to in production, and whether SQLite there is kept."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from composeguard.lint.model.compose import Service
from composeguard.lint.project import Project
from composeguard.rules.appconfig.appdb import (
    kept_on_volumes,
    on_volume,
    production_django_settings,
    services_built_from,
    sqlite_file,
    unused_database_setting,
)

Make = Callable[..., Path]


def app_service(project_dir: Make, body: str) -> Service:
    root = project_dir({"compose.yaml": "services:\n  app:\n    build: .\n" + body})
    return Project([root]).models[0].services["app"]


@pytest.mark.parametrize(("name", "value", "body", "path"), [
    ("DB_CONNECTION", "", "", "database/database.sqlite"),
    ("DB_CONNECTION", "", "    environment:\n      DB_DATABASE: /data/app.sqlite\n",
     "/data/app.sqlite"),
    ("DB_CONNECTION", "", "    environment:\n      DB_DATABASE: ':memory:'\n", None),
    ("DATABASE_URL", "sqlite:////data/db.sqlite3", "", "/data/db.sqlite3"),
    ("DATABASE_URL", "sqlite:///db.sqlite3", "", "db.sqlite3"),
    ("DATABASE_URL", "sqlite://", "", None),
    ("DATABASE_URL", "sqlite://[broken", "", None),
])
def test_sqlite_file(project_dir: Make, name: str, value: str, body: str,
                     path: str | None) -> None:
    assert sqlite_file(name, value, app_service(project_dir, body)) == path


@pytest.mark.parametrize(("volumes", "path", "kept"), [
    ("      - data:/data\n", "/data/db.sqlite3", True),
    ("      - data:/data\n", "/database/db.sqlite3", False),
    ("      - data:/data:ro\n", "/data/db.sqlite3", False),
    ("      - /data\n", "/data/db.sqlite3", False),
    ("      - data:/var/www/html/database\n", "database/database.sqlite", True),
    ("      - data:/var/www/html/storage\n", "database/database.sqlite", False),
    ("      - .:/var/www/html\n", "database/database.sqlite", True),
    ("      - data:/data\n", None, False),
])
def test_on_volume(project_dir: Make, volumes: str, path: str | None, kept: bool) -> None:
    service = app_service(project_dir, "    volumes:\n" + volumes)
    assert on_volume(path, service) is kept


RAILS_COMPOSE = ("services:\n  web:\n    build: .\n    volumes:\n{mount}"
                 "  worker:\n    build: .\n    volumes:\n      - storage:/rails/storage\n"
                 "  db:\n    image: postgres:16\nvolumes:\n  storage:\n")


@pytest.mark.parametrize(("mount", "kept"), [
    ("      - storage:/rails/storage\n", True),
    ("      - storage:/rails/tmp\n", False),
])
def test_sqlite_kept_on_volumes_needs_every_service_built_from_the_app(
    project_dir: Make, mount: str, kept: bool
) -> None:
    root = project_dir({"compose.yaml": RAILS_COMPOSE.format(mount=mount)})
    project = Project([root])
    assert [s.name for s in services_built_from(project, root)] == ["web", "worker"]
    assert kept_on_volumes(project, root, lambda _: "storage/production.sqlite3") is kept


def test_nothing_built_from_the_app_is_no_deliberate_sqlite(project_dir: Make) -> None:
    root = project_dir({"compose.yaml": "services:\n  db:\n    image: postgres:16\n"})
    assert not kept_on_volumes(Project([root]), root, lambda _: "/data/x.sqlite")


DJANGO = {"manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
                       "'mysite.settings.local')\n", "mysite/__init__.py": "",
          "mysite/settings/__init__.py": "", "mysite/settings/base.py": "DEBUG = False\n",
          "mysite/settings/local.py": "from .base import *\n"}


def test_production_django_settings_prefer_production_modules(project_dir: Make) -> None:
    root = project_dir({**DJANGO, "mysite/settings/production.py": "from .base import *\n",
                        "mysite/settings/staging.py": "from .base import *\n"})
    modules = sorted(s.module for s in production_django_settings(Project([root])))
    assert modules == ["mysite.settings.production", "mysite.settings.staging"]


def test_production_django_settings_fall_back_to_base(project_dir: Make) -> None:
    root = project_dir(DJANGO)
    assert [s.module for s in production_django_settings(Project([root]))] == [
        "mysite.settings.base"]


def test_unused_database_setting(project_dir: Make) -> None:
    unused = project_dir({"compose.yaml": "services:\n  app:\n    build: .\n    environment:\n"
                                          "      DB_PASSWORD: x\n      DB_HOST: mysql\n"})
    assert unused_database_setting(Project([unused]), unused) == ("app", "DB_HOST")
    (unused / "compose.yaml").write_text("services:\n  app:\n    build: .\n    environment:\n"
                                         "      DB_HOST: mysql\n      DB_CONNECTION: mysql\n")
    assert unused_database_setting(Project([unused]), unused) is None
