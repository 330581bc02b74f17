"""CG401-CG403: what the rules' own examples cannot express (a repository below the checked
folder, .git/info/exclude, files committed before they were ignored, the --verbose note) and
the naming knowledge they rest on."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from composeguard.cli import main
from composeguard.lint.engine.selection import Selection
from composeguard.lint.facts.envroles import repository_role as env_file_role
from composeguard.lint.facts.rails import sqlite_paths
from composeguard.lint.parse.envfile import parse_env_text
from composeguard.lint.project import Project
from composeguard.rules.repository.facts import (
    DATABASE_EXTENSIONS,
    credential_keys,
    database_extension,
    is_credential_name,
    worth_sniffing,
)
from composeguard.runner import run

from ..conftest import make_git_repo, write_tree

CODES = ("CG401", "CG402", "CG403")
LARAVEL = {
    "artisan": "#!/usr/bin/env php\n<?php\n",
    "composer.json": '{"require": {"laravel/framework": "^11.9"}}\n',
    "config/database.php": "<?php\nreturn ['default' => env('DB_CONNECTION', 'sqlite')];\n",
}


def findings(root: Path, *codes: str) -> list[tuple[str, str, int, str]]:
    result = run(Project([root]), Selection(select=codes or CODES))
    assert not result.errors
    return sorted((f.code, f.location.path.relative_to(root).as_posix(), f.location.line,
                   f.text) for f in result.findings)


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_repository_in_a_subfolder_of_the_checked_folder(tmp_path: Path) -> None:
    """Only what the nested repository tracks is judged; the files around it are outside git."""
    root = write_tree(tmp_path / "checkout", {
        "app/compose.yaml": "services: {}\n", "app/.env.production": "APP_DEBUG=false\nDB_PASSWORD=Kq8-shop-2x\n",
        "app/data/app.sqlite3": "",
        "notes/.env.local": "X=1\n", "notes/old.db": "",
    })
    make_git_repo(root / "app")
    got = [(code, path, line) for code, path, line, _ in findings(root)]
    assert got == [
        ("CG401", "app/data/app.sqlite3", 1),
        ("CG402", "app/data/app.sqlite3", 1),  # no .gitignore in the repository: the file itself
        ("CG402", "notes/old.db", 1),  # outside git the ignore rules still apply
        ("CG403", "app/.env.production", 1),
    ]
    messages = {path: message for _, path, _, message in findings(root, "CG401")}
    assert "`git rm --cached data/app.sqlite3`" in messages["app/data/app.sqlite3"]


def test_a_file_committed_before_it_was_ignored_is_still_tracked(tmp_path: Path) -> None:
    root = make_git_repo(write_tree(tmp_path / "p", {
        "compose.yaml": "services: {}\n", ".env": "DB_PASSWORD=hunter2\n", "app.db": "",
    }))
    (root / ".gitignore").write_text("# local files\n.env\n*.db\n", encoding="utf-8")
    git(root, "add", ".gitignore")
    got = findings(root)
    assert [(c, p, n) for c, p, n, _ in got] == [("CG401", "app.db", 1), ("CG403", ".env", 1)]
    for _, path, _, message in got:
        assert ".gitignore:" in message and "already ignores it" in message, message
        assert f"git rm --cached {path}" in message and "stays on disk" in message
    assert "hunter2" not in got[1][3] and "DB_PASSWORD" in got[1][3]


def test_an_ignore_only_in_git_info_exclude_does_not_count(tmp_path: Path) -> None:
    root = make_git_repo(write_tree(tmp_path / "p", {**LARAVEL, ".gitignore": "/vendor\n"}))
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "exclude").write_text("*.sqlite\n", encoding="utf-8")
    got = findings(root, "CG402")
    assert [(c, p, n) for c, p, n, _ in got] == [("CG402", ".gitignore", 1)]
    assert ".git/info/exclude" in got[0][3] and "not part of the repository" in got[0][3]


def test_rails_default_gitignore_covers_storage(tmp_path: Path) -> None:
    app = {
        "Gemfile": 'source "https://rubygems.org"\ngem "rails", "~> 7.1"\n',
        "config/application.rb": "module Shop\n  class Application < Rails::Application\n"
                                 "  end\nend\n",
        "config/database.yml": "default: &default\n  adapter: sqlite3\n"
                               "development:\n  <<: *default\n  database: storage/development.sqlite3\n"
                               "production:\n  <<: *default\n"
                               "  database: <%= ENV['DB_PATH'] %>\n",
    }
    covered = make_git_repo(write_tree(tmp_path / "a", {**app, ".gitignore": "/storage/*\n"}))
    assert findings(covered, "CG402") == []
    bare = make_git_repo(write_tree(tmp_path / "b", {**app, ".gitignore": "/log/*\n"}))
    got = findings(bare, "CG402")
    assert [(c, p, n) for c, p, n, _ in got] == [("CG402", ".gitignore", 1)] * 2
    assert "storage/development.sqlite3" in got[0][3] + got[1][3]
    assert "storage/production.sqlite3" in got[0][3] + got[1][3]  # the ERB path: the default


def test_an_app_that_does_not_use_sqlite_is_not_nagged(tmp_path: Path) -> None:
    root = make_git_repo(write_tree(tmp_path / "p", {
        **LARAVEL,
        "config/database.php": "<?php\nreturn ['default' => env('DB_CONNECTION', 'mysql')];\n",
        "compose.yaml": "services: {}\n",
    }))
    assert findings(root, "CG402") == []
    (root / ".env").write_text("DB_CONNECTION=sqlite\n", encoding="utf-8")
    assert [c for c, *_ in findings(root, "CG402")] == ["CG402"]


def test_a_tracked_symlink_holds_no_data(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"compose.yaml": "services: {}\n", "real/x.txt": "x"})
    (root / "db.sqlite3").symlink_to(root / "real" / "x.txt")
    (root / "app.sqlite3").write_text("", encoding="utf-8")
    make_git_repo(root)
    assert [(c, p) for c, p, _, _ in findings(root, "CG401")] == [("CG401", "app.sqlite3")]


# -- the CLI's note outside git --------------------------------------------------------------


def cli_stderr(*args: str) -> str:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        main(["check", *args])
    return err.getvalue()


NOTE = "not a git repository: CG401, CG403 and CG404 (tracked files) were not checked"


@pytest.mark.parametrize(("git_repository", "args", "expected"), [
    (False, ("--verbose",), NOTE),
    (False, ("--verbose", "--select", "CG403"),
     "not a git repository: CG403 (tracked files) was not checked"),
    (False, ("--verbose", "--select", "CG1"), None),
    (False, (), None),
    (True, ("--verbose",), None),
])
def test_verbose_says_once_that_tracked_files_were_not_checked(
    project_dir: Callable[..., Path], git_repository: bool, args: tuple[str, ...],
    expected: str | None,
) -> None:
    root = project_dir({"compose.yaml": "services: {}\n", ".env": "DB_PASSWORD=x\n"},
                       git=git_repository)
    if not git_repository and subprocess.run(["git", "rev-parse"], check=False, cwd=root,
                                             capture_output=True).returncode == 0:
        pytest.skip("the temporary directory is inside a git repository")
    stderr = cli_stderr(*args, str(root))
    notes = [line for line in stderr.splitlines() if "not a git repository" in line]
    assert notes == ([f"composeguard: {expected}"] if expected else []), stderr


# -- naming knowledge ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("database.sqlite", "sqlite"), ("db.sqlite3", "sqlite3"), ("app.db", "db"),
    ("app.db-wal", "db"), ("app.sqlite-shm", "sqlite"), ("x.sqlite3-journal", "sqlite3"),
    ("prod.sqlite3.bak", "sqlite3"), ("shop.db.2024-05-01.gz", "db"), ("data.s3db", "s3db"),
    ("Thumbs.db", None), ("schema.db.json", None), ("dbconfig.php", None), (".db", None),
    ("notes.txt.bak", None), ("sqlite", None), ("mongodb.conf", None),
])
def test_database_extension(name: str, expected: str | None) -> None:
    assert database_extension(name) == expected


def test_only_data_folders_are_sniffed() -> None:
    assert worth_sniffing(("storage", "app", "store"))
    assert worth_sniffing(("data", "app.bak"))
    assert not worth_sniffing(("src", "blob"))
    assert not worth_sniffing(("data", "users.csv"))
    assert not worth_sniffing(("storage", ".gitignore"))
    assert not worth_sniffing(("store",))


@pytest.mark.parametrize(("name", "role"), [
    (".env", "plain"), (".env.production", "environment"), (".env.prod", "environment"),
    (".env.docker", "environment"), (".env.local", "private"), (".env.production.local", "private"),
    (".env.backup", "private"), (".env.keys", "private"), (".env.example", "template"),
    (".env.sample", "template"), (".env.dist", "template"), (".env.template", "template"),
    (".env.defaults", "template"), (".env.local.example", "template"),
    (".env.production.encrypted", "encrypted"), (".env.vault", "encrypted"),
    (".env.testing", "test"), (".env.test", "test"), (".env.dusk.local", "test"),
    ("db.env", "other"), ("app.env.example", "template"),
])
def test_env_file_role(name: str, role: str) -> None:
    assert env_file_role(name) == role


@pytest.mark.parametrize(("key", "secret"), [
    ("DB_PASSWORD", True), ("MYSQL_ROOT_PASSWORD", True), ("APP_KEY", True),
    ("SECRET_KEY_BASE", True), ("AWS_SECRET_ACCESS_KEY", True), ("STRIPE_SECRET", True),
    ("GITHUB_TOKEN", True), ("MAIL_PASS", True), ("JWT_PRIVATE_KEY", True),
    ("DB_PASSWORD_FILE", False), ("AWS_ACCESS_KEY_ID", False), ("VITE_PUSHER_APP_KEY", False),
    ("PWD", False), ("TOKEN_TTL", False), ("DB_USERNAME", False), ("PRIVATE_REGISTRY", False),
])
def test_credential_names(key: str, secret: bool) -> None:
    assert is_credential_name(key) is secret


def test_credential_keys_need_a_written_value() -> None:
    env = parse_env_text(
        "DB_PASSWORD=\nAPP_KEY=${APP_KEY}\nREDIS_PASSWORD=null\nMAIL_PASSWORD=${MAIL:-fallback}\n"
        "DATABASE_URL=postgres://shop:hunter2@db/shop\nCACHE_URL=redis://cache:6379\n"
        "QUOTED='${NOT_EXPANDED}'\nAPI_TOKEN='${literal}'\n", Path(".env"))
    assert credential_keys(env.entries) == ("MAIL_PASSWORD", "DATABASE_URL", "API_TOKEN")


def test_rails_sqlite_paths() -> None:
    text = ("default: &default\n  adapter: sqlite3\n"
            "development:\n  <<: *default\n  database: db/development.sqlite3\n"
            "test:\n  <<: *default\n  database: ':memory:'\n"
            "production:\n  primary:\n    <<: *default\n    database: storage/production.sqlite3\n"
            "  cache:\n    <<: *default\n    database: storage/production_cache.sqlite3\n"
            "  queue:\n    adapter: postgresql\n    database: queue\n"
            "staging:\n  adapter: sqlite3\n  database: /var/lib/app/staging.sqlite3\n")
    assert sqlite_paths(Path("database.yml"), text) == (
        "db/development.sqlite3", "storage/production.sqlite3",
        "storage/production_cache.sqlite3")
    assert sqlite_paths(Path("database.yml"), "production: [unclosed\n") == ()


def test_django_test_settings_on_sqlite_create_no_file(tmp_path: Path) -> None:
    def settings(engine: str) -> str:
        return f"DATABASES = {{'default': {{'ENGINE': 'django.db.backends.{engine}'}}}}\n"

    files = {"manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
                          "'mysite.settings.production')\n",
             "mysite/__init__.py": "", "mysite/settings/__init__.py": "",
             "mysite/settings/test.py": settings("sqlite3"), ".gitignore": "/static\n"}
    postgres = make_git_repo(write_tree(tmp_path / "a", {
        **files, "mysite/settings/production.py": settings("postgresql")}))
    assert findings(postgres, "CG402") == []
    sqlite = make_git_repo(write_tree(tmp_path / "b", {
        **files, "mysite/settings/production.py": settings("sqlite3")}))
    assert [(c, p, n) for c, p, n, _ in findings(sqlite, "CG402")] == [("CG402", ".gitignore", 1)]


def test_a_path_with_spaces_is_quoted_for_the_shell(tmp_path: Path) -> None:
    root = make_git_repo(write_tree(tmp_path / "p", {"compose.yaml": "services: {}\n",
                                                     "old data/shop db.sqlite": ""}))
    (message,) = [m for *_, m in findings(root, "CG401")]
    assert "`git rm --cached 'old data/shop db.sqlite'`" in message


@given(st.text(max_size=40))
def test_naming_never_raises(name: str) -> None:
    assert database_extension(name) in {None, *DATABASE_EXTENSIONS}
    assert env_file_role(name) in {"plain", "environment", "private", "template", "encrypted",
                                   "test", "other"}
    is_credential_name(name)
    worth_sniffing(tuple(name.split("/")))
