"""CG301/CG302 behaviour the rules' own examples cannot express: what the messages say, odd
input, and the env-file line a finding points at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from composeguard.lint.engine.finding import Finding, Severity
from composeguard.lint.project import Project
from composeguard.rules.appconfig import debug_enabled_in_production, sqlite_default_connection

Make = Callable[..., Path]

LARAVEL = {
    "artisan": "#!/usr/bin/env php\n<?php\n",
    "composer.json": '{"require": {"laravel/framework": "^11.9"}}\n',
    "config/database.php": "<?php\nreturn [\n    'default' => env('DB_CONNECTION', 'sqlite'),\n];\n",
}


def cg301(root: Path) -> list[Finding]:
    return list(sqlite_default_connection.check(Project([root])))


def cg302(root: Path) -> list[Finding]:
    return list(debug_enabled_in_production.check(Project([root])))


def test_laravel_message_names_the_database_server_the_app_ignores(project_dir: Make) -> None:
    root = project_dir({**LARAVEL, "compose.yaml": "services:\n  app:\n    build: .\n"
                        "    environment:\n      DB_HOST: mysql\n  mysql:\n    image: mysql:8.4\n"})
    [finding] = cg301(root)
    assert finding.severity is Severity.ERROR
    assert "service 'app' sets DB_HOST but not DB_CONNECTION" in finding.text
    assert "env('DB_CONNECTION', 'mysql')" in finding.text
    assert "writable layer" in finding.text


def test_laravel_hint_only_for_a_service_that_leaves_db_connection_unset(
    project_dir: Make,
) -> None:
    root = project_dir({**LARAVEL, "compose.yaml": "services:\n  app:\n    build: .\n"
                        "    environment:\n      DB_CONNECTION: mysql\n      DB_HOST: mysql\n"
                        "  other:\n    build: ./other\n    environment:\n      DB_HOST: x\n"})
    [finding] = cg301(root)
    assert "DB_HOST" not in finding.text


def test_laravel_sqlite_kept_on_a_volume_by_every_app_service_is_deliberate(
    project_dir: Make,
) -> None:
    kept = "    volumes:\n      - db:/var/www/html/database\n"
    compose = ("services:\n  app:\n    build: .\n" + kept
               + "  worker:\n    build: .\n    command: php artisan queue:work\n{worker}"
               + "volumes:\n  db:\n")
    assert cg301(project_dir({**LARAVEL, "compose.yaml": compose.format(worker=kept)})) == []
    [finding] = cg301(project_dir({**LARAVEL, "compose.yaml": compose.format(worker="")}))
    assert finding.location.path.name == "database.php"


def test_django_message_names_the_database_url_the_settings_ignore(project_dir: Make) -> None:
    root = project_dir({
        "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n",
        "site/__init__.py": "",
        "site/settings.py": "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}\n",
        "compose.yaml": "services:\n  web:\n    build: .\n    environment:\n"
                        "      DATABASE_URL: postgres://u:${PW:?}@db/app\n",
    })
    [finding] = cg301(root)
    assert "compose service 'web' sets DATABASE_URL, which these settings never read" \
        in finding.text
    assert "dj_database_url.config" in finding.text


def test_outside_git_an_env_template_counts_and_a_plain_env_does_not(project_dir: Make) -> None:
    root = project_dir({".env": "DB_CONNECTION=sqlite\n", ".env.example": "DB_CONNECTION=sqlite\n"})
    assert [f.location.path.name for f in cg301(root)] == [".env.example"]


def test_a_tracked_plain_env_file_counts(project_dir: Make) -> None:
    root = project_dir({".env": "APP_KEY=x\nDATABASE_URL=sqlite:///db.sqlite3\n"}, git=True)
    [finding] = cg301(root)
    assert (finding.location.path.name, finding.location.line) == (".env", 2)
    assert "an env file git tracks" in finding.text


def test_sqlite_file_on_a_bind_mounted_project_is_not_reported(project_dir: Make) -> None:
    root = project_dir({"compose.yaml": "services:\n  app:\n    build: .\n    environment:\n"
                        "      DATABASE_URL: sqlite:///db.sqlite3\n    volumes:\n      - .:/app\n"})
    assert cg301(root) == []


def test_a_read_only_or_unrelated_volume_does_not_keep_the_file(project_dir: Make) -> None:
    root = project_dir({"compose.yaml": "services:\n  app:\n    build: .\n    environment:\n"
                        "      DATABASE_URL: sqlite:////data/db.sqlite3\n    volumes:\n"
                        "      - data:/data:ro\n      - logs:/var/log\nvolumes:\n  data:\n  logs:\n"})
    assert [f.location.line for f in cg301(root)] == [5]


def test_a_value_in_the_base_the_prod_file_keeps_is_reported_once(project_dir: Make) -> None:
    root = project_dir({
        "compose.yaml": "services:\n  app:\n    build: .\n    environment:\n      DEBUG: 'true'\n",
        "compose.prod.yaml": "services:\n  app:\n    restart: always\n",
    })
    assert [(f.location.path.name, f.location.line) for f in cg302(root)] == [("compose.yaml", 5)]


def test_a_data_store_debug_flag_is_not_the_apps(project_dir: Make) -> None:
    root = project_dir({"compose.yaml": "services:\n  cache:\n    image: redis:7\n"
                        "    environment:\n      DEBUG: '1'\n"})
    assert cg302(root) == []


@pytest.mark.parametrize("value", [
    "sqlite://[::1", "${DB_CONNECTION:-", "sqlite:", "sqlite://:memory:", "'\\x00'",
])
def test_odd_values_never_raise(project_dir: Make, value: str) -> None:
    root = project_dir({
        **LARAVEL,
        "config/database.php": "<?php\nreturn [ 'default' => env('DB_CONNECTION', ",
        "compose.yaml": f"services:\n  app:\n    build: .\n    environment:\n"
                        f"      DATABASE_URL: \"{value}\"\n      DB_CONNECTION: \"{value}\"\n"
                        f"      DB_DATABASE: [1, 2]\n      APP_DEBUG: \"{value}\"\n",
        ".env.production": f"DATABASE_URL={value}\nAPP_DEBUG\n=broken\n",
        "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'x.settings')\n",
        "x/__init__.py": "",
        "x/settings.py": "DEBUG = (\n",
    })
    cg301(root)
    cg302(root)


def test_env_finding_points_at_the_entry_after_blank_lines(project_dir: Make) -> None:
    root = project_dir({".env.example": "APP_NAME=shop\n\n\nDB_CONNECTION=sqlite\n"})
    assert [f.location.line for f in cg301(root)] == [4]


RAILS = {
    "config/application.rb": "module Shop\n  class Application < Rails::Application\n  end\nend\n",
    "Gemfile": 'source "https://rubygems.org"\ngem "rails", "~> 8.0"\n',
}


@pytest.mark.parametrize(
    ("database", "mount", "reported"),
    [
        # the standard Rails 8 layout: the file under storage/, a volume there
        ("storage/production.sqlite3", "/rails/storage", False),
        # the file is elsewhere: a volume at storage/ keeps nothing
        ("db/production.sqlite3", "/rails/storage", True),
        ("db/production.sqlite3", "/rails/db", False),
    ],
)
def test_rails_sqlite_is_kept_only_where_database_yml_puts_the_file(
        project_dir: Make, database: str, mount: str, reported: bool) -> None:
    root = project_dir({**RAILS, "config/database.yml": (
        "default: &default\n  adapter: sqlite3\n  pool: <%= ENV.fetch('RAILS_MAX_THREADS') { 5 } %>\n"
        f"production:\n  <<: *default\n  database: {database}\n"),
        "compose.yaml": ("services:\n  web:\n    build: .\n    environment:\n"
                         f"      RAILS_ENV: production\n    volumes:\n      - data:{mount}\n"
                         "volumes:\n  data:\n")})
    found = cg301(root)
    assert bool(found) is reported
    if reported:
        assert found[0].location.line == 2 and "through `<<: *default`" in found[0].text
