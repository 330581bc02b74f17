"""CG501, CG601 and CG602 beyond their own examples: what the messages advise, and the readers
behind them (where a guard belongs, which setups are split, where a backup is found)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composeguard.lint.project import Project
from composeguard.rules.environments import no_database_backup, no_environment_split
from composeguard.rules.environments.backups import (
    MYSQL,
    POSTGRES,
    command_backups,
    cron_commands,
    find_backups,
)
from composeguard.rules.guards import (
    destructive_commands_unguarded,
)
from composeguard.rules.guards.facts import production_env_file

from ..conftest import FIXTURES, make_git_repo, write_tree

PROVIDER = "app/Providers/AppServiceProvider.php"

_PROVIDER = """<?php

namespace App\\Providers;

use Illuminate\\Database\\Console\\Migrations\\FreshCommand;
use Illuminate\\Support\\Facades\\DB;
use Illuminate\\Support\\ServiceProvider;

class AppServiceProvider extends ServiceProvider
{
    public function boot(): void
    {
<body>    }
}
"""


def _laravel_app(boot: str, version: str = "^11.31") -> dict[str, str]:
    """A Laravel 11 app: ``boot`` is the body of AppServiceProvider::boot()."""
    composer = {"require": {"php": "^8.2", "laravel/framework": version},
                "autoload": {"psr-4": {"App\\": "app/"}}}
    return {"artisan": "#!/usr/bin/env php\n<?php\n", "composer.json": json.dumps(composer),
            "app/Providers/AppServiceProvider.php": _PROVIDER.replace("<body>", boot)}


def messages(rule, root: Path) -> list[tuple[str, int, str]]:
    return sorted((f.location.path.relative_to(root).as_posix(), f.location.line, f.text)
                  for f in rule.check(Project([root])))


# -- CG501 -------------------------------------------------------------------------------------


WIPES = {"Makefile": "fresh:\n\tphp artisan migrate:fresh\n"}
"""A target that wipes the database: what a missing guard would let reach production."""


def test_unguarded_app_gets_the_call_and_no_seed_advice_without_seeding(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**_laravel_app("        //\n"), **WIPES})
    [(path, line, message)] = messages(destructive_commands_unguarded, root)
    assert (path, line) == (PROVIDER, 11)
    assert "DB::prohibitDestructiveCommands($this->app->isProduction());" in message
    assert "SeedCommand" not in message and "upgrade" not in message


def test_old_laravel_is_told_to_upgrade_or_hand_write_the_guard(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**_laravel_app("        //\n", version="^10.48"), **WIPES})
    [(_, _, message)] = messages(destructive_commands_unguarded, root)
    assert "composer.json's `^10.48` predates" in message
    assert "CommandStarting" in message


def test_a_seeding_project_is_told_about_seed_command_prohibit(tmp_path: Path) -> None:
    files = {**_laravel_app("        //\n", version="^12.6"), **WIPES}
    files["database/seeders/DatabaseSeeder.php"] = "<?php\n"
    [(_, _, message)] = messages(destructive_commands_unguarded, write_tree(tmp_path, files))
    assert "database/seeders/DatabaseSeeder.php" in message
    assert "SeedCommand::prohibit($this->app->isProduction());" in message
    assert "after upgrading" not in message


def test_seed_advice_names_the_seeding_start_command(tmp_path: Path) -> None:
    files = _laravel_app("        //\n")
    files["compose.yaml"] = ("services:\n  app:\n    build: .\n"
                             "    command: sh -c \"php artisan db:seed --force && php-fpm\"\n")
    [(_, _, message)] = messages(destructive_commands_unguarded, write_tree(tmp_path, files))
    assert "compose.yaml line 4" in message and "after upgrading" in message


def test_seed_prohibited_with_the_guard_is_no_finding(tmp_path: Path) -> None:
    body = ("        DB::prohibitDestructiveCommands($this->app->isProduction());\n"
            "        \\Illuminate\\Database\\Console\\Seeds\\SeedCommand::prohibit();\n")
    files = _laravel_app(body, version="^12.6")
    files["database/seeders/DatabaseSeeder.php"] = "<?php\n"
    assert messages(destructive_commands_unguarded, write_tree(tmp_path, files)) == []


def test_partial_prohibit_calls_name_what_still_runs(tmp_path: Path) -> None:
    body = "        FreshCommand::prohibit($this->app->isProduction());\n"
    [(path, line, message)] = messages(destructive_commands_unguarded,
                                       write_tree(tmp_path, _laravel_app(body)))
    assert (path, line) == (PROVIDER, 13)
    assert "block `migrate:fresh` in production" in message
    assert "`migrate:refresh`, `migrate:reset` and `db:wipe` still run" in message


def test_guard_site_without_boot_is_the_provider_file(tmp_path: Path) -> None:
    files = {**_laravel_app(""), **WIPES}
    files[PROVIDER] = "<?php\nclass AppServiceProvider {}\n"
    [(path, line, _)] = messages(destructive_commands_unguarded, write_tree(tmp_path, files))
    assert (path, line) == (PROVIDER, 1)


@pytest.mark.parametrize(("name", "production"), [
    (".env.production", True), (".env.staging", True), ("prod.env", True),
    (".env", False), (".env.local", False), (".env.production.example", True),
    ("environment.prod", False),
])
def test_production_env_file_names(name: str, production: bool) -> None:
    assert production_env_file(Path(name)) is production


def test_handwritten_guard_fixture_is_guarded() -> None:
    project = Project([FIXTURES / "laravel_handwritten_guard"])
    assert list(destructive_commands_unguarded.check(project)) == []


# -- CG601 -------------------------------------------------------------------------------------

MIGRATING = ("services:\n  app:\n    image: shop/app:1.4\n"
             "    command: sh -c \"php artisan migrate --force && php artisan db:seed --force && "
             "php-fpm\"\n")


def test_no_split_message_lists_the_automatic_steps(tmp_path: Path) -> None:
    [(path, line, message)] = messages(no_environment_split,
                                       write_tree(tmp_path, {"compose.yaml": MIGRATING}))
    assert (path, line) == ("compose.yaml", 4)
    assert "`artisan migrate`" in message and "`artisan db:seed`" in message
    assert "composeguard fix" not in message


def test_split_is_judged_per_checked_folder_outside_git(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": MIGRATING,
                                 "docker/local/compose.yaml": "services:\n  app:\n    image: a\n"})
    assert messages(no_environment_split, root) == []


def test_a_compose_variant_is_no_split(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": MIGRATING,
                                 "compose.postgres.yaml": "services:\n  db:\n    image: postgres:16\n"})
    assert [(p, n) for p, n, _ in messages(no_environment_split, root)] == [("compose.yaml", 4)]


def test_two_repositories_are_judged_apart(tmp_path: Path) -> None:
    single = make_git_repo(write_tree(tmp_path / "single", {"compose.yaml": MIGRATING}))
    make_git_repo(write_tree(tmp_path / "split", {
        "compose.yaml": MIGRATING, "compose.override.yaml": "services:\n  app:\n    tty: true\n"}))
    found = [(f.location.path, f.location.line)
             for f in no_environment_split.check(Project([tmp_path]))]
    assert found == [(single / "compose.yaml", 4)]


# -- CG602 -------------------------------------------------------------------------------------


def test_a_backup_of_another_kind_is_named_in_the_message(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  db:\n    image: postgres:16\n",
                                 "backup.sh": "#!/bin/sh\nmysqldump shop > shop.sql\n"})
    [(_, _, message)] = messages(no_database_backup, root)
    assert "pg_dump" in message and "`mysqldump` in backup.sh" in message


def test_a_store_mounting_a_backups_volume_backs_itself_up(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": (
        "services:\n  db:\n    image: postgres:16\n    volumes:\n"
        "      - pgdata:/var/lib/postgresql/data\n      - pgbackups:/backups\n"
        "volumes:\n  pgdata:\n  pgbackups:\n")})
    assert messages(no_database_backup, root) == []


def test_a_volume_backup_must_mount_the_store_volume(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": (
        "services:\n  db:\n    image: mysql:8.4\n    volumes:\n      - dbdata:/var/lib/mysql\n"
        "  backup:\n    image: offen/docker-volume-backup:v2\n    volumes:\n"
        "      - uploads:/backup/uploads:ro\nvolumes:\n  dbdata:\n  uploads:\n")})
    assert [(p, n) for p, n, _ in messages(no_database_backup, root)] == [("compose.yaml", 2)]


def test_a_backup_service_reaches_the_store_it_names(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": (
        "services:\n  main:\n    image: postgres:16\n  analytics:\n    image: postgres:16\n"
        "  backup:\n    image: prodrigestivill/postgres-backup-local:16\n"
        "    environment:\n      POSTGRES_HOST: main\n")})
    assert [(p, n) for p, n, _ in messages(no_database_backup, root)] == [("compose.yaml", 4)]


def test_development_setups_and_caches_are_not_judged(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": (
        "services:\n  web:\n    image: shop/app\n    command: python manage.py runserver\n"
        "  db:\n    image: postgres:16\n  cache:\n    image: valkey/valkey:8\n")})
    assert messages(no_database_backup, root) == []


@pytest.mark.parametrize(("words", "kinds"), [
    (("docker", "compose", "exec", "-T", "db", "sh", "-c", "exec pg_dump -Fc app"), POSTGRES),
    (("mysqldump", "--all-databases"), MYSQL),
    (("php", "artisan", "backup:run"), MYSQL | POSTGRES | {"mongo"}),
    (("restic", "backup", "/var/lib/docker/volumes"), None),
    (("redis-cli", "--rdb", "dump.rdb"), {"redis", "valkey", "keydb", "dragonfly"}),
])
def test_command_backups(words: tuple[str, ...], kinds: frozenset[str] | None) -> None:
    assert [k for _, k in command_backups(words)] == [kinds]


@pytest.mark.parametrize("words", [("pg_restore", "app.dump"), ("restic", "restore", "latest"),
                                   ("mysql", "-e", "select 1"), ("redis-cli", "ping")])
def test_commands_that_are_not_backups(words: tuple[str, ...]) -> None:
    assert command_backups(words) == []


def test_cron_lines_user_field_and_percent() -> None:
    text = ("SHELL=/bin/sh\nMAILTO = ops@example.com\n# comment\n\n"
            "0 3 * * * root pg_dump app > /b/app-$(date +\\%F).sql\n"
            "@daily root mongodump --archive=/b/m.gz % ignored input\n")
    commands = cron_commands(Path("etc/cron.d/backup"), text)
    programs = [(c.words[0], c.location.line) for c in commands]
    assert ("pg_dump", 5) in programs and ("mongodump", 6) in programs
    assert all(c.words[0] != "root" for c in commands)
    assert not any("ignored" in c.words for c in commands)
    dump = next(c for c in commands if c.words[0] == "pg_dump")
    assert dump.location.column == 16


def test_user_crontab_has_no_user_field() -> None:
    [command, *_] = cron_commands(Path("docker/crontab"), "*/5 * * * * mysqldump shop\n")
    assert command.words == ("mysqldump", "shop")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("* @%\\\n#=0123abc/-\"'$()")), max_size=80))
def test_cron_reader_never_raises(text: str) -> None:
    cron_commands(Path("cron.d/x"), text)
    cron_commands(Path("crontab"), text)


def test_laravel_fixed_fixture_is_backed_up_by_its_script() -> None:
    project = Project([FIXTURES / "laravel11_fixed"])
    assert list(no_database_backup.check(project)) == []
    assert any("mysqldump" in b.description for b in find_backups(project))


def test_the_backup_message_is_short_and_names_the_dump(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"compose.yaml": "services:\n  db:\n    image: postgres:16\n",
                                 "scripts/backup.sh": "#!/bin/sh\nmysqldump shop > a.sql\n"
                                                      "mongodump --archive > b.dump\n"})
    [(_, _, message)] = messages(no_database_backup, root)
    assert "`pg_dump -Fc`" in message and "none for postgres" in message
    assert len(message) <= 240, message  # was 420 before issue 10


@pytest.mark.parametrize(
    ("command", "mask"),
    [
        ('["sh", "-c", "python manage.py migrate; gunicorn app.wsgi"]', "`;` without `set -e` lets"),
        ('sh -c "php artisan migrate --force || true && php-fpm"', "`|| true` lets"),
        ('sh -c "php artisan migrate --force | tee /tmp/log && php-fpm"', "the pipe into `tee`"),
        ('[bash, -c, "rails db:migrate\\nexec puma"]', "a line break without `set -e` lets"),
    ],
)
def test_cg203_names_the_operator_that_masks_the_failure(tmp_path: Path, command: str,
                                                          mask: str) -> None:
    from composeguard.rules.startup import masked_failure

    root = write_tree(tmp_path, {"compose.yaml": f"services:\n  app:\n    build: .\n"
                                                 f"    command: {command}\n"})
    [(_, _, message)] = messages(masked_failure, root)
    assert mask in message, message
    assert "gunicorn" not in message and "php-fpm" not in message and "puma" not in message


@pytest.mark.parametrize(
    ("constraint", "lock", "says"),
    [
        # a constraint that admits 11.9+ without a lock: which release runs is unknown
        ("^11.0", None, "require Laravel 11.9+ (composer.json's `^11.0` also admits older"),
        # the lock says what is installed
        ("^11.0", "v11.31.0", "; call `DB::prohibitDestructiveCommands"),
        ("^11.0", "v11.5.2", "Laravel 11.5.2 (composer.lock) predates"),
        ("~11.0.0", None, "composer.json's `~11.0.0` predates"),
        ("^11.9", None, "; call `DB::prohibitDestructiveCommands"),
    ],
)
def test_cg501_reads_the_lock_before_the_constraint(tmp_path: Path, constraint: str,
                                                    lock: str | None, says: str) -> None:
    import json

    files = _laravel_app("        //\n", version=constraint)
    files["deploy.sh"] = "#!/bin/sh\nphp artisan db:seed --force\n"  # what the guard blocks
    if lock is not None:
        files["composer.lock"] = json.dumps(
            {"packages": [{"name": "laravel/framework", "version": lock}]})
    root = write_tree(tmp_path, files)
    [(_, _, message)] = messages(destructive_commands_unguarded, root)
    assert says in message, message
