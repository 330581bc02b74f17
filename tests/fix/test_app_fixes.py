"""The app-configuration, repository and guard fixes (CG301, CG402, CG501, CG105, CG104, CG303,
CG502) through the whole engine: on copies of real projects, on odd layouts, and what they
refuse to touch."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composeguard.fix.apply.plan import FixPlan, plan_fixes
from composeguard.fix.write import write_changes
from composeguard.lint.engine.finding import Severity
from composeguard.lint.engine.selection import Selection
from composeguard.lint.project import Project
from composeguard.rules.repository.fixes import ignore_text, patterns_in
from composeguard.runner import run

from ..conftest import FIXTURES, built
from .compose_binary import compose_config

ProjectDir = Callable[..., Path]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MINE = ("CG301", "CG402", "CG501", "CG105", "CG104", "CG303", "CG502")
ALL_MINE = Selection(select=MINE)


def fix(root: Path, selection: Selection = ALL_MINE, *, unsafe: bool = True) -> FixPlan:
    plan = plan_fixes([root], selection=selection, unsafe=unsafe)
    assert not plan.errors
    results = write_changes(plan.changes, [root])
    assert all(r.written for r in results), results
    return plan


def findings(root: Path, selection: Selection = ALL_MINE) -> list[tuple[str, str, int]]:
    result = run(Project([root]), selection)
    assert not result.errors
    return sorted((f.code, f.location.path.relative_to(root).as_posix(), f.location.line)
                  for f in result.findings)


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_bytes().decode("utf-8", "surrogateescape")
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts}


def differences(before: str, after: str) -> list[tuple[list[str], list[str]]]:
    """Each place where the lines differ: (lines of ``before``, lines of ``after``)."""
    a, b = before.splitlines(True), after.splitlines(True)
    return [(a[i1:i2], b[j1:j2]) for op, i1, i2, j1, j2
            in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes() if op != "equal"]


def php_parses(text: str) -> bool:
    """tree-sitter-php reads the file without an ERROR or MISSING node."""
    import tree_sitter_php
    from tree_sitter import Language, Parser

    tree = Parser(Language(tree_sitter_php.language_php())).parse(text.encode())
    return not tree.root_node.has_error


def compose_accepts(files: Sequence[Path], root: Path, environment: Mapping[str, str]) -> bool:
    """``docker compose config -q`` of the real binary, with the server's variables set."""
    return compose_config(files, root, environment, fill_required=False)[0]


# -- the acceptance projects ----------------------------------------------------------------------


def test_laravel_shop_is_fixed_line_by_line(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "laravel-shop", root)
    before = snapshot(root)
    assert {code for code, _, _ in findings(root)} == set(MINE)

    fix(root)
    after = snapshot(root)
    assert findings(root) == []
    assert plan_fixes([root], selection=ALL_MINE, unsafe=True).changes == ()

    changed = {path for path in after if after[path] != before.get(path)}
    assert changed == {".gitignore", "app/Providers/AppServiceProvider.php", "config/database.php",
                       "docker-compose.yml", "scripts/deploy.sh"}
    assert differences(before[".gitignore"], after[".gitignore"]) == [
        ([], ["\n", "# composeguard: database files\n", "*.sqlite*\n"])]
    assert differences(before["config/database.php"], after["config/database.php"]) == [
        (["    'default' => env('DB_CONNECTION', 'sqlite'),\n"],
         ["    'default' => env('DB_CONNECTION', 'mysql'),\n"])]
    assert differences(before["app/Providers/AppServiceProvider.php"],
                       after["app/Providers/AppServiceProvider.php"]) == [
        ([], ["use Illuminate\\Support\\Facades\\DB;\n"]),
        ([], ["        DB::prohibitDestructiveCommands($this->app->isProduction());\n"])]
    assert php_parses(after["app/Providers/AppServiceProvider.php"])
    assert php_parses(after["config/database.php"])
    assert differences(before["scripts/deploy.sh"], after["scripts/deploy.sh"]) == [
        (["docker compose down -v\n"], ["docker compose down\n"])]
    assert differences(before["docker-compose.yml"], after["docker-compose.yml"]) == [
        (["      MYSQL_ROOT_PASSWORD: root\n"],
         ['      MYSQL_ROOT_PASSWORD: "${MYSQL_ROOT_PASSWORD:?set MYSQL_ROOT_PASSWORD}"\n']),
        (["      MYSQL_PASSWORD: secret\n"],
         ['      MYSQL_PASSWORD: "${MYSQL_PASSWORD:?set MYSQL_PASSWORD}"\n']),
        (['      - "3306:3306"\n'], ['      - "127.0.0.1:3306:3306"\n']),
        ([], ["    hostname: rabbitmq\n"]),
    ]
    server = {"MYSQL_ROOT_PASSWORD": "x", "MYSQL_PASSWORD": "y", "RABBITMQ_DEFAULT_PASS": "z"}
    assert compose_accepts([root / "docker-compose.yml"], root, server)
    assert not compose_accepts([root / "docker-compose.yml"], root, {})


def test_laravel_shop_safe_fixes_only(tmp_path: Path) -> None:
    """Without --unsafe-fixes: the guard, the ignore pattern, the fallback and the port."""
    root = tmp_path / "shop"
    shutil.copytree(EXAMPLES / "laravel-shop", root)
    plan = fix(root, unsafe=False)
    assert sorted(f.code for f in plan.applied) == ["CG301", "CG402", "CG501", "CG502"]
    # mysql on 127.0.0.1 only: its stock passwords are no longer reachable from other machines
    # (rabbitmq's `secret` never was: it publishes no port), so CG303 has nothing left
    assert sorted(f.code for f in plan.unsafe_left) == ["CG104", "CG105"]
    assert {code for code, _, _ in findings(root)} == {"CG104", "CG105"}


def test_laravel11_fresh_without_a_database_server(tmp_path: Path) -> None:
    """No server in compose: the fallback stays (the message says what to write). The app
    runs no command that wipes or seeds, so no guard is asked for; once a target wipes the
    database, the guard is added."""
    root = tmp_path / "fresh"
    shutil.copytree(FIXTURES / "laravel11_fresh", root)
    before = snapshot(root)
    fix(root)
    assert snapshot(root) == before
    (root / "Makefile").write_text("fresh:\n\tphp artisan migrate:fresh --seed\n")
    before = snapshot(root)
    fix(root)
    after = snapshot(root)
    assert [p for p in after if after[p] != before[p]] == ["app/Providers/AppServiceProvider.php"]
    provider = after["app/Providers/AppServiceProvider.php"]
    assert differences(before["app/Providers/AppServiceProvider.php"], provider) == [
        ([], ["use Illuminate\\Support\\Facades\\DB;\n"]),
        (["        //\n"], ["        DB::prohibitDestructiveCommands($this->app->isProduction());\n"]),
    ]
    assert php_parses(provider)
    left = run(Project([root]), ALL_MINE).findings
    assert [(f.code, built(f)) for f in left] == [("CG301", False), ("CG301", False)]
    assert "env('DB_CONNECTION', 'mysql')" in next(f.text for f in left
                                                  if f.location.path.name == "database.php")


def test_laravel11_fresh_with_a_postgres_service(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    shutil.copytree(FIXTURES / "laravel11_fresh", root)
    (root / "compose.yaml").write_text(
        "services:\n  app:\n    build: .\n  pgsql:\n    image: postgres:17\n    volumes:\n"
        "      - pg:/var/lib/postgresql/data\nvolumes:\n  pg:\n")
    before = snapshot(root)
    fix(root)
    after = snapshot(root)
    assert differences(before["config/database.php"], after["config/database.php"]) == [
        (["    'default' => env('DB_CONNECTION', 'sqlite'),\n"],
         ["    'default' => env('DB_CONNECTION', 'pgsql'),\n"])]
    assert differences(before[".env.example"], after[".env.example"]) == [
        (["DB_CONNECTION=sqlite\n"], ["DB_CONNECTION=pgsql\n"])]
    assert php_parses(after["config/database.php"])
    assert findings(root) == []
    assert plan_fixes([root], selection=ALL_MINE, unsafe=True).changes == ()
    assert compose_accepts([root / "compose.yaml"], root, {})


# -- CG301 ----------------------------------------------------------------------------------------

LARAVEL = {"artisan": "#!/usr/bin/env php\n<?php\n",
           "composer.json": '{"require": {"laravel/framework": "^11.9"}}\n'}
DATABASE_PHP = ("<?php\n\nreturn [\n    'default' => {default},\n    'connections' => [\n"
                "        'sqlite' => [],\n        'mysql' => [],\n        'pgsql' => [],\n"
                "    ],\n];\n")
MYSQL = "services:\n  db:\n    image: mariadb:11\n    volumes:\n      - db:/var/lib/mysql\n" \
        "volumes:\n  db:\n"


@pytest.mark.parametrize(("written", "fixed"), [
    ("env('DB_CONNECTION', 'sqlite')", "env('DB_CONNECTION', 'mysql')"),
    ('env("DB_CONNECTION", "sqlite")', 'env("DB_CONNECTION", "mysql")'),
    ("'sqlite'", "'mysql'"),
    ("env('DB_CONNECTION') ?? 'sqlite'", "env('DB_CONNECTION') ?? 'mysql'"),
    ("env(key: 'DB_CONNECTION', default: 'sqlite')", "env(key: 'DB_CONNECTION', default: 'mysql')"),
    ("\\Illuminate\\Support\\Env::get('DB_CONNECTION', 'sqlite')",
     "\\Illuminate\\Support\\Env::get('DB_CONNECTION', 'mysql')"),
])
def test_the_fallback_literal_alone_changes(project_dir: ProjectDir, written: str,
                                            fixed: str) -> None:
    root = project_dir({**LARAVEL, "compose.yaml": MYSQL,
                        "config/database.php": DATABASE_PHP.replace("{default}", written)})
    fix(root, Selection(select=("CG301",)))
    text = (root / "config/database.php").read_text()
    assert text == DATABASE_PHP.replace("{default}", fixed)
    assert php_parses(text)
    assert findings(root, Selection(select=("CG301",))) == []


@pytest.mark.parametrize("compose", [
    MYSQL,
    "services:\n  a:\n    image: mysql:8\n  b:\n    image: postgres:16\n",
    "services:\n  cache:\n    image: redis:7\n",
    None,
], ids=["one-server", "two-kinds", "no-sql-server", "no-compose"])
def test_no_fallback_fix_without_one_server(project_dir: ProjectDir, compose: str | None) -> None:
    files = {**LARAVEL, "config/database.php": DATABASE_PHP.replace(
        "{default}", "env('DB_CONNECTION', 'sqlite')")}
    if compose is not None:
        files["compose.yaml"] = compose
    root = project_dir(files)
    found = run(Project([root]), Selection(select=("CG301",))).findings
    assert len(found) == 1
    assert built(found[0]) == (compose == MYSQL)


def test_no_fallback_fix_to_a_connection_the_config_lacks(project_dir: ProjectDir) -> None:
    root = project_dir({**LARAVEL, "compose.yaml": MYSQL, "config/database.php":
                        "<?php\nreturn ['default' => env('DB_CONNECTION', 'sqlite'),\n"
                        "    'connections' => ['sqlite' => [], 'pgsql' => []]];\n"})
    assert [built(f) for f in run(Project([root]), Selection(select=("CG301",))).findings] \
        == [False]


@pytest.mark.parametrize(("name", "line", "fixed", "safe"), [
    (".env.example", "DB_CONNECTION=sqlite", "DB_CONNECTION=mysql", True),
    (".env.example", 'DB_CONNECTION="sqlite"  # the default', 'DB_CONNECTION="mysql"  # the default',
     True),
    (".env.example", "export DB_CONNECTION='sqlite'", "export DB_CONNECTION='mysql'", True),
    (".env.production", "DB_CONNECTION = sqlite", "DB_CONNECTION = mysql", False),
])
def test_env_files_get_the_connection(project_dir: ProjectDir, name: str, line: str,
                                      fixed: str, safe: bool) -> None:
    text = f"APP_NAME=shop\r\n{line}\r\nDB_HOST=db\r\n"
    root = project_dir({**LARAVEL, "compose.yaml": MYSQL, name: text})
    selection = Selection(select=("CG301",))
    plan = fix(root, selection, unsafe=False)
    assert [f.safe for f in plan.applied] == ([True] if safe else [])
    assert [f.safe for f in plan.unsafe_left] == ([] if safe else [False])
    fix(root, selection)
    assert (root / name).read_bytes().decode() == f"APP_NAME=shop\r\n{fixed}\r\nDB_HOST=db\r\n"
    assert findings(root, selection) == []


def test_env_files_outside_the_app_and_urls_are_not_fixed(project_dir: ProjectDir) -> None:
    root = project_dir({**{f"app/{k}": v for k, v in LARAVEL.items()}, "compose.yaml": MYSQL,
                        ".env.example": "DB_CONNECTION=sqlite\n",
                        "app/.env.production": "DATABASE_URL=sqlite:///db.sqlite3\n"})
    found = run(Project([root]), Selection(select=("CG301",))).findings
    assert sorted((f.location.path.name, built(f)) for f in found) == [
        (".env.example", False), (".env.production", False)]


def test_django_is_fixed_and_rails_messages_give_the_change(project_dir: ProjectDir) -> None:
    root = project_dir({
        "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n",
        "site/__init__.py": "", "compose.yaml": "services:\n  db:\n    image: postgres:16\n",
        "site/settings.py": "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', "
                            "'NAME': 'db.sqlite3'}}\n",
        "rails/Gemfile": "gem 'rails'\n",
        "rails/config/application.rb": "module A\n  class Application < Rails::Application\n"
                                       "  end\nend\n",
        "rails/config/database.yml": "production:\n  adapter: sqlite3\n"
                                     "  database: storage/production.sqlite3\n"})
    found = {f.location.path.name: f for f in
             run(Project([root]), Selection(select=("CG301",))).findings}
    assert built(found["settings.py"]) and not built(found["database.yml"])
    assert "dj_database_url.config(conn_max_age=600)" in found["settings.py"].text
    assert 'url: <%= ENV["DATABASE_URL"] %>' in found["database.yml"].text


# -- CG402 ----------------------------------------------------------------------------------------

DJANGO = {"manage.py": "import os\n", "mysite/__init__.py": "",
          "mysite/settings.py": "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', "
                                "'NAME': 'db.sqlite3'}}\n"}
CG402 = Selection(select=("CG402",))


@pytest.mark.parametrize(("before", "after"), [
    ("/venv", "/venv\n\n# composeguard: database files\ndb.sqlite3*\n"),
    ("/venv\r\n", "/venv\r\n\r\n# composeguard: database files\r\ndb.sqlite3*\r\n"),
    ("/venv\n\n\n", "/venv\n\n\n\n# composeguard: database files\ndb.sqlite3*\n"),
    ("", "# composeguard: database files\ndb.sqlite3*\n"),
    ("/venv\n# composeguard: database files\n*.db\n",
     "/venv\n# composeguard: database files\n*.db\ndb.sqlite3*\n"),
])
def test_patterns_appended_to_the_root_gitignore(project_dir: ProjectDir, before: str,
                                                 after: str) -> None:
    root = project_dir({**DJANGO, ".gitignore": before})
    plan = fix(root, CG402, unsafe=False)
    assert [f.safe for f in plan.applied] == [True]
    assert (root / ".gitignore").read_bytes().decode() == after
    assert findings(root, CG402) == []
    assert plan_fixes([root], selection=CG402).changes == ()


def test_gitignore_created_in_a_git_repository(project_dir: ProjectDir) -> None:
    root = project_dir({**DJANGO, "sub/.keep": ""}, git=True)
    fix(root, CG402)
    assert (root / ".gitignore").read_text() == "# composeguard: database files\ndb.sqlite3*\n"
    assert findings(root, CG402) == []
    assert (root / "manage.py").exists()


def test_a_deeper_negation_is_not_fixed_from_the_root(project_dir: ProjectDir) -> None:
    root = project_dir({**DJANGO, ".gitignore": "/venv\n", "mysite/.gitignore": "!*.sqlite3\n",
                        "mysite/data.sqlite3": ""})
    found = run(Project([root]), CG402).findings
    assert sorted((f.location.path.relative_to(root).as_posix(), built(f)) for f in found) == [
        (".gitignore", True), ("mysite/.gitignore", False)]
    fix(root, CG402)
    assert (root / ".gitignore").read_text() == \
        "/venv\n\n# composeguard: database files\ndb.sqlite3*\n"
    assert [f.location.path.name for f in run(Project([root]), CG402).findings] == [".gitignore"]


def test_database_files_are_never_touched(project_dir: ProjectDir) -> None:
    """CG401/CG403 carry no fix; CG402 only ignores: the tracked files stay as they are."""
    root = project_dir({**LARAVEL, "database/database.sqlite": "SQLite format 3\0data",
                        ".env": "DB_PASSWORD=Kq8-shop-2x\n", ".gitignore": "/vendor\n"}, git=True)
    plan = fix(root, Selection(select=("CG401", "CG402", "CG403")))
    assert [c.path.name for c in plan.changes] == [".gitignore"]
    assert (root / "database/database.sqlite").read_text() == "SQLite format 3\0data"
    left = run(Project([root]), Selection(select=("CG401", "CG403"))).findings
    assert sorted(f.code for f in left) == ["CG401", "CG403"]
    assert all("git rm --cached" in f.text and not built(f) for f in left)
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True,
                             check=True).stdout.split()
    assert "database/database.sqlite" in tracked and ".env" in tracked


@settings(max_examples=60, deadline=None)
@given(current=st.one_of(st.none(), st.text(alphabet="ab*#/\n\r !", max_size=40)),
       patterns=st.lists(st.sampled_from(["*.sqlite*", "db.sqlite3*", "*.db", "*.db[-.]*"]),
                         max_size=3))
def test_ignore_text_adds_each_pattern_once(current: str | None, patterns: list[str]) -> None:
    once = ignore_text(current, patterns)
    assert ignore_text(once, patterns) == once
    assert once.startswith(current or "")
    lines = {line.strip() for line in once.replace("\r\n", "\n").split("\n")}
    assert set(patterns) <= lines


def test_patterns_in_suggestions() -> None:
    assert patterns_in("`*.db` and `*.db[-.]*`") == ("*.db", "*.db[-.]*")
    assert patterns_in("`*.sqlite*`") == ("*.sqlite*",)


# -- CG501 ----------------------------------------------------------------------------------------

CG501 = Selection(select=("CG501",))


def provider(body: str, imports: str = "use Illuminate\\Support\\ServiceProvider;\n") -> str:
    return ("<?php\n\nnamespace App\\Providers;\n\n" + imports +
            "\nclass AppServiceProvider extends ServiceProvider\n{\n" + body + "}\n")


def laravel(version: str = "^11.31", **files: str) -> dict[str, str]:
    """A Laravel app with a Makefile target that wipes its database: what the guard stops."""
    return {"artisan": "#!/usr/bin/env php\n<?php\n",
            "composer.json": json.dumps({"require": {"laravel/framework": version}}),
            "Makefile": "fresh:\n\tphp artisan migrate:fresh\n", **files}


CALL = "DB::prohibitDestructiveCommands($this->app->isProduction());"
PROVIDER = "app/Providers/AppServiceProvider.php"


@pytest.mark.parametrize(("body", "imports", "fixed_body", "fixed_imports"), [
    pytest.param("    public function boot(): void\n    {\n        Model::unguard();\n    }\n",
                 "use Illuminate\\Database\\Eloquent\\Model;\n",
                 f"    public function boot(): void\n    {{\n        {CALL}\n"
                 "        Model::unguard();\n    }\n",
                 "use Illuminate\\Database\\Eloquent\\Model;\nuse Illuminate\\Support\\Facades\\DB;\n",
                 id="first-statement-use-sorted-last"),
    pytest.param("\tpublic function boot(): void {\n\t\t//\n\t}\n",
                 "use Illuminate\\Support\\Facades\\DB;\n",
                 f"\tpublic function boot(): void {{\n\t\t{CALL}\n\t}}\n",
                 "use Illuminate\\Support\\Facades\\DB;\n", id="tabs-kr-brace-imported"),
    pytest.param("  public function boot(): void {}\n", "use App\\Support\\DB;\n",
                 "  public function boot(): void {\n"
                 "    \\Illuminate\\Support\\Facades\\DB::prohibitDestructiveCommands("
                 "$this->app->isProduction());\n  }\n",
                 "use App\\Support\\DB;\n", id="empty-one-liner-db-is-another-class"),
    pytest.param("", "use Illuminate\\Support\\ServiceProvider;\n",
                 f"    public function boot(): void\n    {{\n        {CALL}\n    }}\n",
                 "use Illuminate\\Support\\Facades\\DB;\nuse Illuminate\\Support\\ServiceProvider;\n",
                 id="empty-class"),
])
def test_guard_in_the_file_s_own_layout(project_dir: ProjectDir, body: str, imports: str,
                                        fixed_body: str, fixed_imports: str) -> None:
    root = project_dir(laravel(**{PROVIDER: provider(body, imports)}))
    plan = fix(root, CG501, unsafe=False)
    assert [f.code for f in plan.applied] == ["CG501"]
    text = (root / PROVIDER).read_text()
    assert text == provider(fixed_body, fixed_imports)
    assert php_parses(text)
    assert findings(root, CG501) == []
    assert plan_fixes([root], selection=CG501).changes == ()


def test_guard_added_to_a_crlf_file(project_dir: ProjectDir) -> None:
    text = provider("    public function boot(): void\n    {\n        //\n    }\n")
    root = project_dir(laravel())
    (root / PROVIDER).parent.mkdir(parents=True)
    (root / PROVIDER).write_bytes(text.replace("\n", "\r\n").encode())
    fix(root, CG501)
    after = (root / PROVIDER).read_bytes().decode()
    assert after.count("\r\n") == after.count("\n")
    assert f"        {CALL}\r\n" in after
    assert "use Illuminate\\Support\\Facades\\DB;\r\nuse Illuminate\\Support\\ServiceProvider;" \
        in after
    assert findings(root, CG501) == []


@pytest.mark.parametrize(("files", "why"), [
    (laravel("^10.48", **{PROVIDER: provider("    public function boot(): void\n    {\n    }\n")}),
     "Laravel 10 has no prohibitDestructiveCommands"),
    (laravel("*", **{PROVIDER: provider("    public function boot(): void\n    {\n    }\n")}),
     "unknown version"),
    (laravel(**{PROVIDER: provider("    public function boot(): void\n    {\n"
                                    "        DB::prohibitDestructiveCommands(false);\n    }\n",
                                    "use Illuminate\\Support\\Facades\\DB;\n")}),
     "a call switched off stays the user's decision"),
    (laravel(**{PROVIDER: provider("    public function boot(): void\n    {\n        if (\n"
                                    "    }\n")}),
     "the file does not parse"),
    (laravel(), "no AppServiceProvider"),
])
def test_guard_not_added(project_dir: ProjectDir, files: dict[str, str], why: str) -> None:
    root = project_dir(files)
    found = run(Project([root]), CG501).findings
    assert [built(f) for f in found] == [False], why


# -- CG105, CG303, CG502: compose files ------------------------------------------------------------

STACK = """\
# production stack
x-db-env: &db-env
  MYSQL_DATABASE: shop

services:
  db:
    image: mysql:8.4
    environment:
      <<: *db-env
      MYSQL_PASSWORD: ${DB_PASSWORD:-secret}   # the app's password
      MYSQL_ROOT_PASSWORD: 'root'
    ports: ["3306:3306", "127.0.0.1:33060:33060"]
    volumes:
      - db:/var/lib/mysql
  queue:
    image: rabbitmq:3.13-management
    environment:
      - RABBITMQ_DEFAULT_USER=shop
      - RABBITMQ_DEFAULT_PASS=guest
    ports:
      - target: 5672
        published: 5672
      - "15672:15672"
    volumes: [mq:/var/lib/rabbitmq]
volumes:
  db:
  mq:
"""

STACK_FIXED = """\
# production stack
x-db-env: &db-env
  MYSQL_DATABASE: shop

services:
  db:
    image: mysql:8.4
    environment:
      <<: *db-env
      MYSQL_PASSWORD: "${DB_PASSWORD:?set DB_PASSWORD}"   # the app's password
      MYSQL_ROOT_PASSWORD: '${MYSQL_ROOT_PASSWORD:?set MYSQL_ROOT_PASSWORD}'
    ports: ["127.0.0.1:3306:3306", "127.0.0.1:33060:33060"]
    volumes:
      - db:/var/lib/mysql
  queue:
    image: rabbitmq:3.13-management
    environment:
      - RABBITMQ_DEFAULT_USER=shop
      - "RABBITMQ_DEFAULT_PASS=${RABBITMQ_DEFAULT_PASS:?set RABBITMQ_DEFAULT_PASS}"
    ports:
      - target: 5672
        published: 5672
        host_ip: "127.0.0.1"
      - "15672:15672"
    volumes: [mq:/var/lib/rabbitmq]
    hostname: queue
volumes:
  db:
  mq:
"""
SERVER = {"DB_PASSWORD": "a", "MYSQL_ROOT_PASSWORD": "b", "RABBITMQ_DEFAULT_PASS": "c"}
COMPOSE_RULES = Selection(select=("CG105", "CG303", "CG502"))


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_compose_fixes_keep_every_other_byte(project_dir: ProjectDir, newline: str) -> None:
    root = project_dir({})
    compose = root / "compose.yaml"
    compose.write_bytes(STACK.replace("\n", newline).encode())
    assert compose_accepts([compose], root, {})
    plan = fix(root, COMPOSE_RULES)
    assert sorted((f.code, f.safe) for f in plan.applied) == [
        ("CG105", False), ("CG303", False), ("CG303", False), ("CG303", False),
        ("CG502", True), ("CG502", True)]
    assert compose.read_bytes().decode() == STACK_FIXED.replace("\n", newline)
    assert findings(root, COMPOSE_RULES) == []
    assert plan_fixes([root], selection=COMPOSE_RULES, unsafe=True).changes == ()
    assert compose_accepts([compose], root, SERVER)
    assert not compose_accepts([compose], root, {})


def test_credentials_from_a_merge_key_are_left_alone(project_dir: ProjectDir) -> None:
    """YamlText refuses edits that would change a merged copy too: no fix, the message stays."""
    root = project_dir({"compose.yaml": "x-env: &env\n  POSTGRES_PASSWORD: example\nservices:\n"
                        "  db:\n    image: postgres:16\n    environment:\n      <<: *env\n"})
    [found] = run(Project([root]), Selection(select=("CG303",))).findings
    assert (found.location.line, built(found)) == (2, False)
    assert "${POSTGRES_PASSWORD:?}" in found.text


def test_published_port_forms(project_dir: ProjectDir) -> None:
    root = project_dir({"compose.yaml": "services:\n  db:\n    image: postgres:16\n    ports:\n"
                        "      - 0.0.0.0:5432:5432\n      - ${PG_PORT:-5433}:5432/tcp\n"
                        "      - ${PG_BIND}:5434:5432\n"
                        "  cache:\n    image: redis:7\n    ports: &ports\n      - 6379:6379\n"
                        "  other:\n    image: redis:7\n    ports: *ports\n"})
    selection = Selection(select=("CG502",))
    found = {f.location.line: built(f) for f in run(Project([root]), selection).findings}
    assert found == {5: True, 6: True, 7: False, 11: False}
    fix(root, selection)
    text = (root / "compose.yaml").read_text()
    assert '      - "127.0.0.1:5432:5432"\n' in text
    assert '      - "127.0.0.1:${PG_PORT:-5433}:5432/tcp"\n' in text
    assert "      - ${PG_BIND}:5434:5432\n" in text and "      - 6379:6379\n" in text
    assert compose_accepts([root / "compose.yaml"], root, {"PG_BIND": "127.0.0.1"})


def test_rabbitmq_hostname_in_the_defining_file(project_dir: ProjectDir) -> None:
    root = project_dir({"compose.yaml": "services:\n  mq_1:\n    image: rabbitmq:3\n"
                        "    volumes: [mq:/var/lib/rabbitmq]\nvolumes:\n  mq: {}\n"})
    plan = fix(root, Selection(select=("CG105",)), unsafe=False)
    assert plan.changes == () and [f.code for f in plan.unsafe_left] == ["CG105"]
    fix(root, Selection(select=("CG105",)))
    assert (root / "compose.yaml").read_text() == (
        "services:\n  mq_1:\n    image: rabbitmq:3\n    volumes: [mq:/var/lib/rabbitmq]\n"
        "    hostname: mq-1\nvolumes:\n  mq: {}\n")
    assert compose_accepts([root / "compose.yaml"], root, {})


# -- CG104 ----------------------------------------------------------------------------------------

CG104 = Selection(select=("CG104",))


def test_volume_flags_removed_where_written_plainly(project_dir: ProjectDir) -> None:
    script = ("#!/bin/sh\nset -e\ndocker compose down -v --remove-orphans\n"
              "docker-compose -f docker-compose.prod.yml down --volumes\n"
              "docker system prune -af --volumes\n"
              "docker compose down \"-v\"\n"
              "docker compose down \\\n  -v\n"
              "docker volume prune -f\n")
    root = project_dir({"scripts/deploy.sh": script})
    found = {f.location.line: built(f) for f in run(Project([root]), CG104).findings}
    assert found == {3: True, 4: True, 5: True, 6: False, 7: False, 9: False}
    fix(root, CG104)
    assert (root / "scripts/deploy.sh").read_text() == (
        "#!/bin/sh\nset -e\ndocker compose down --remove-orphans\n"
        "docker-compose -f docker-compose.prod.yml down\n"
        "docker system prune -af\n"
        "docker compose down \"-v\"\n"
        "docker compose down \\\n  -v\n"
        "docker volume prune -f\n")
    assert sorted(findings(root, CG104)) == [("CG104", "scripts/deploy.sh", 6),
                                             ("CG104", "scripts/deploy.sh", 7),
                                             ("CG104", "scripts/deploy.sh", 9)]


def test_a_target_named_for_what_it_destroys_is_left_alone(tmp_path: Path) -> None:
    """``make reset`` runs ``down --volumes`` on purpose: an info finding, and no fix, safe or
    not, changes what the target does."""
    root = tmp_path / "startup_rails"
    shutil.copytree(FIXTURES / "startup_rails", root)
    before = snapshot(root)
    result = run(Project([root]), CG104)
    assert [(f.location.path.name, f.location.line, f.severity) for f in result.findings] == [
        ("Makefile", 12, Severity.INFO)]
    plan = fix(root, CG104)
    assert plan.changes == () and snapshot(root) == before


@pytest.mark.parametrize("fixture", ["startup_laravel", "startup_prisma"])
def test_volume_flags_in_fixture_scripts_makefiles_and_workflows(fixture: str,
                                                                 tmp_path: Path) -> None:
    root = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, root)
    before = snapshot(root)
    plan = fix(root, CG104, unsafe=False)
    assert plan.changes == () and [f.code for f in plan.unsafe_left] == ["CG104"]
    fix(root, CG104)
    after = snapshot(root)
    [changed] = [p for p in after if after[p] != before[p]]
    [(old, new)] = differences(before[changed], after[changed])
    assert len(old) == len(new) == 1
    assert new[0] in (old[0].replace(" -v", ""), old[0].replace(" --volumes", ""))
    assert findings(root, CG104) == []


def test_an_unset_published_variable_keeps_its_place(project_dir: ProjectDir) -> None:
    """`${DB_PORT}:5432` with DB_PORT unset reads as `:5432`; the fix must still write
    `127.0.0.1:${DB_PORT}:5432`, not a second colon (found on the real corpus)."""
    root = project_dir({"compose.yaml": "services:\n  db:\n    image: postgres:16\n    ports:\n"
                        "      - ${DB_PORT}:5432\n      - \"5432\"\n"})
    fix(root, Selection(select=("CG502",)))
    text = (root / "compose.yaml").read_text()
    assert '      - "127.0.0.1:${DB_PORT}:5432"\n' in text
    assert '      - "127.0.0.1::5432"\n' in text
    assert compose_accepts([root / "compose.yaml"], root, {"DB_PORT": "5432"})
