"""Every fixture project under tests/fixtures/ and what composeguard must report on it.

Each fixture is copied to a temp dir, made a real git repository, and checked on its own. The
lists below are the findings each fixture was written to produce (code, path, line), each with
the reason: every one must be found. Whatever else is found must be what the behaviour
snapshot recorded (``python -m tests.regen`` rewrites it; its diff is the review), so a new
rule that reports on a fixture needs no edit here. A last test runs composeguard over the
whole tree at once, in place, to show it raises nothing and reports nothing unrecorded.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from composeguard.lint.project import Project
from composeguard.runner import run

from .behaviour import SNAPSHOT
from .conftest import FIXTURES, make_git_repo

Expected = list[tuple[str, str, int]]

STARTUP: dict[str, Expected] = {
    "startup_laravel": [
        ("CG104", "scripts/deploy.sh", 6),  # docker compose down --volumes in a deploy script
        ("CG201", "docker/entrypoint.sh", 6),  # db:seed in the image's entrypoint
        ("CG202", "docker-compose.override.yml", 5),  # migrate:fresh in the dev override
        ("CG203", "docker/entrypoint.sh", 5),  # migrate on its own line, no set -e
        ("CG203", "docker/entrypoint.sh", 6),  # db:seed || true
        ("CG402", "artisan", 1),  # Laravel 11 without config/database.php: SQLite, and no .gitignore
        ("CG501", "artisan", 1),  # no provider guards migrate:fresh & co
        ("CG602", "docker-compose.yml", 23),  # mysql with no backup (info)
    ],
    "startup_django": [
        ("CG201", "compose.yaml", 4),  # loaddata
        ("CG203", "compose.yaml", 4),  # migrate; ...
        ("CG203", "compose.yaml", 4),  # loaddata; ...
        ("CG303", "compose.yaml", 15),  # POSTGRES_PASSWORD: postgres
        ("CG502", "compose.yaml", 17),  # "5432:5432"
        ("CG602", "compose.yaml", 11),  # postgres with no backup (info)
    ],
    "startup_rails": [
        ("CG104", "Makefile", 12),  # $(COMPOSE) down --volumes in `reset`
        ("CG201", "docker-compose.yml", 4),  # rails db:seed
        ("CG601", "docker-compose.yml", 4),  # one compose file, migrating and seeding on start
        ("CG602", "docker-compose.yml", 10),  # postgres with no backup (info)
    ],
    "startup_prisma": [
        ("CG104", ".github/workflows/deploy.yml", 14),  # down -v in the deploy job
        ("CG201", "package.json", 9),  # prisma db seed in start:prod
        ("CG602", "docker-compose.yml", 10),  # postgres with no backup (info)
    ],
}

APPS: dict[str, Expected] = {
    "django_single_settings": [
        ("CG602", "compose.yaml", 2),  # service 'db' (postgres) holds production data, but no backup
        ("CG402", "manage.py", 1),  # db.sqlite3 (Django's default SQLite database) is not ignored
        ("CG302", "mysite/settings.py", 26),  # mysite.settings sets DEBUG = True, and production runs these
        ("CG301", "mysite/settings.py", 78),  # mysite.settings runs DATABASES['default'] on `django.db.back
    ],
    "django_split_environ": [
        ("CG602", "compose.yaml", 16),  # service 'postgres' (postgres) holds production data, but no 
    ],
    "laravel11_fixed": [],
    "laravel11_fresh": [
        ("CG301", ".env.example", 24),  # .env.example is an env template that `cp` turns into the ser
        ("CG301", "config/database.php", 19),  # config/database.php falls back to the `sqlite` connection wh
    ],
    "laravel_handwritten_guard": [],
    "rails7_default": [
        ("CG301", "config/database.yml", 8),  # config/database.yml runs `production
    ],
    "rails_postgres": [
        ("CG602", "compose.yaml", 2),  # service 'db' (postgres) holds production data, but no backup
    ],
}
"""The framework configuration fixtures (tests/lint/test_laravel.py, test_django.py,
test_rails.py)."""

MODEL: dict[str, Expected] = {
    "model_anchors_merge": [
        ("CG102", "docker-compose.yml", 8),  # service 'api' has an anonymous volume at /srv/tmp
        ("CG102", "docker-compose.yml", 8),  # service 'worker' has an anonymous volume at /srv/tmp
        ("CG602", "docker-compose.yml", 30),  # service 'db' (postgres) holds production data, but no backup
    ],
    "model_env_file": [
        ("CG403", ".env", 1),  # .env is tracked by git and holds credentials (APP_KEY; value
        ("CG602", "compose.yaml", 19),  # service 'mysql' (mysql) holds production data, but no backup
        ("CG403", "secrets.env", 1),  # secrets.env is tracked by git and holds credentials (DB_PASS
        ("CG302", "secrets.env", 2),  # secrets.env, an env file production reads, sets APP_DEBUG=tr
    ],
    "model_extends_other_file": [],
    "model_extends_same_file": [],
    "model_extends_then_override": [],
    "model_include": [
        ("CG602", "infra/db.compose.yaml", 2),  # service 'db' (postgres) holds production data, but no backup
    ],
    "model_interp_dotenv": [
        ("CG602", "compose.yaml", 22),  # service 'db' (mariadb) holds production data, but no backup 
    ],
    "model_interp_no_dotenv": [],
    "model_laravel_sail": [
    ],
    "model_list_env_forms": [],
    "model_multi_env": [
        ("CG602", "docker-compose.staging.yml", 6),  # service 'mongo' (mongo) holds production data, but no backup
    ],
    "model_override": [
        ("CG602", "compose.yaml", 13),  # service 'db' (postgres) holds production data, but no backup
    ],
    "model_prod_file": [
        ("CG602", "docker-compose.prod.yml", 12),  # service 'db' (postgres) holds production data, but no backup
    ],
    "model_rejected_extends_cycle": [
        ("CG002", "compose.yaml", 6),  # extends cycle
    ],
    "model_rejected_include_conflict": [
        ("CG002", "compose.yaml", 4),  # services.db conflicts with the one included at line 2
        ("CG101", "compose.yaml", 4),  # service 'db' (postgres) has no volume at /var/lib/postgresql
        ("CG602", "compose.yaml", 4),  # service 'db' (postgres) holds production data, but no backup
    ],
    "model_rejected_include_missing": [
        ("CG002", "compose.yaml", 2),  # included file is not found
    ],
    "model_rejected_missing_extends": [
        ("CG002", "compose.yaml", 3),  # service 'web' extends 'nowhere', which is not defined in com
        ("CG002", "compose.yaml", 7),  # service 'api' extends 'ghost', which is not defined
    ],
    "model_reset_override_tags": [],
    "model_short_long_volumes": [
        ("CG102", "compose.yaml", 7),  # service 'db' has an anonymous volume at /var/log/mysql
        ("CG102", "compose.yaml", 15),  # service 'db' has an anonymous volume at /var/lib/mysql-files
        ("CG103", "compose.yaml", 26),  # service 'redis' (redis) keeps /data on tmpfs
    ],
    "model_volume_replace_target": [
        ("CG602", "compose.production.yaml", 2),  # service 'postgres' (postgres) holds production data, but no 
    ],
}
"""The compose-model fixtures (tests/lint/test_model_vs_compose.py) and their findings."""

ENVIRONMENTS: dict[str, Expected] = {
    "seed_same_compose": [
        # One docker-compose.yml for laptops and the server; its tracked .env says
        # APP_ENV=local, which describes one machine and does not make the setup development.
        ("CG101", "docker-compose.yml", 12),  # mysql without a volume
        ("CG102", "docker-compose.yml", 23),  # redis on an anonymous /data
        ("CG201", "docker-compose.yml", 5),  # db:seed on every start
        ("CG203", "docker-compose.yml", 5),  # migrate || true
        ("CG203", "docker-compose.yml", 5),  # db:seed || true
        ("CG301", ".env", 5),  # DB_CONNECTION=sqlite in the tracked .env
        ("CG301", "config/database.php", 19),  # env('DB_CONNECTION', 'sqlite')
        ("CG302", ".env", 2),  # APP_ENV=local in the .env production reads
        ("CG302", ".env", 4),  # APP_DEBUG=true
        ("CG303", "docker-compose.yml", 15),  # MYSQL_ROOT_PASSWORD: root
        ("CG401", "database/database.sqlite", 1),
        ("CG402", ".gitignore", 1),
        ("CG403", ".env", 1),
        ("CG501", "app/Providers/AppServiceProvider.php", 20),  # it seeds: nothing stops it
        ("CG502", "docker-compose.yml", 18),  # "3306:3306"
        ("CG601", "docker-compose.yml", 5),  # one setup that migrates and seeds on start
        ("CG602", "docker-compose.yml", 12),  # mysql with no backup (info)
    ],
    "production_named_local": [
        # docker/production/ is production whatever its values say; docker/development/ is not.
        ("CG302", "docker/production/docker-compose.mysql.yml", 5),  # APP_ENV=local
        ("CG302", "docker/production/docker-compose.mysql.yml", 6),  # APP_DEBUG=true
        ("CG303", "docker/production/docker-compose.mysql.yml", 17),  # MYSQL_PASSWORD=somepass
        ("CG303", "docker/production/docker-compose.mysql.yml", 18),  # ALLOW_EMPTY_ROOT_PASSWORD
    ],
}
"""The judgement of what a setup is for (lint/purpose.py) on whole projects."""

EXPECTED: dict[str, Expected] = {**STARTUP, **APPS, **MODEL, **ENVIRONMENTS}


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


def recorded(name: str) -> list[tuple[str, str, int]]:
    """The fixture's findings as the behaviour snapshot holds them."""
    record = json.loads(SNAPSHOT.read_text(encoding="utf-8"))[f"fixtures/{name}"]
    return sorted((code, path, line) for code, path, line, *_ in record["findings"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings(name: str, tmp_path: Path) -> None:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, symlinks=True)
    make_git_repo(root)
    found = findings_of(root)
    assert sorted((Counter(EXPECTED[name]) - Counter(found)).elements()) == [], "lost"
    assert found == recorded(name)


def test_whole_fixture_tree_in_place() -> None:
    """One run over tests/fixtures/: no errors and no finding outside the expectations (a
    fixture checked in place lives in this repository's git, so tracked-file rules may
    report less than in a repository of its own, never more)."""
    got = Counter(
        (code, path.split("/", 1)[0], path.split("/", 1)[1], line)
        for code, path, line in findings_of(FIXTURES, FIXTURES)
    )
    allowed = Counter((code, name, path, line)
                      for name in EXPECTED for code, path, line in recorded(name))
    unexpected = got - allowed
    assert not unexpected, sorted(unexpected)
