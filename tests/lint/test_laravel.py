from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composeguard.lint.facts.laravel import (
    PROHIBIT_DESTRUCTIVE_COMMANDS,
    DestructiveGuard,
    LaravelApp,
    admits_from,
    default_connection,
    destructive_guard,
    detect_laravel,
    lowest_allowed_version,
    provider_files,
)

from ..conftest import FIXTURES, read, span, write_tree

MakeProject = Callable[..., Path]
DB_PHP = Path("config/database.php")
FOUR = frozenset(PROHIBIT_DESTRUCTIVE_COMMANDS)




def composer(constraint: str = "^11.31", psr4: Mapping[str, object] | None = None) -> str:
    autoload = {"psr-4": dict(psr4 or {"App\\": "app/"})}
    return json.dumps({"require": {"laravel/framework": constraint}, "autoload": autoload})


def lock(version: str) -> str:
    return json.dumps({"packages": [{"name": "laravel/framework", "version": version}]})


def provider(body: str, uses: str = "", name: str = "AppServiceProvider", members: str = "") -> str:
    return (
        f"<?php\n\nnamespace App\\Providers;\n\n{uses}\nuse Illuminate\\Support\\ServiceProvider;"
        f"\n\nclass {name} extends ServiceProvider\n{{\n{members}\n    public function boot(): void\n"
        f"    {{\n{body}\n    }}\n}}\n"
    )


def laravel_project(
    make: MakeProject, files: Mapping[str, str], version: str | None = "v11.31.0"
) -> LaravelApp:
    base = {"artisan": "#!/usr/bin/env php\n<?php\n", "composer.json": composer()}
    if version is not None:
        base["composer.lock"] = lock(version)
    root = make({**base, **files})
    app = detect_laravel(root, read)
    assert app is not None
    return app


def guard_of(
    make: MakeProject,
    body: str,
    uses: str = "",
    version: str | None = "v11.31.0",
    members: str = "",
) -> DestructiveGuard | None:
    files = {"app/Providers/AppServiceProvider.php": provider(body, uses, members=members)}
    return destructive_guard(laravel_project(make, files, version), read)


# -- detect_laravel ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "version"),
    [
        ("laravel11_fresh", (11, 31, 0)),
        ("laravel11_fixed", (11, 31, 0)),
        ("laravel_handwritten_guard", (11, 5, 0)),
    ],
)
def test_fixtures_are_laravel_apps_with_the_locked_version(
    fixture: str, version: tuple[int, int, int]
) -> None:
    root = FIXTURES / fixture
    assert detect_laravel(root, read) == LaravelApp(root, version)


def test_not_laravel_without_artisan_or_framework(project_dir: MakeProject) -> None:
    no_artisan = project_dir({"composer.json": composer()})
    assert detect_laravel(no_artisan, read) is None
    (no_artisan / "artisan").write_text("<?php\n")
    (no_artisan / "composer.json").write_text(json.dumps({"require": {"symfony/console": "^7"}}))
    assert detect_laravel(no_artisan, read) is None
    for broken in ("{", "[]", '{"require": ["laravel/framework"]}', "[" * 100_000):
        (no_artisan / "composer.json").write_text(broken)
        assert detect_laravel(no_artisan, read) is None


def test_version_falls_back_to_the_constraint(project_dir: MakeProject) -> None:
    root = project_dir({"artisan": "", "composer.json": composer("^11.9")})
    assert detect_laravel(root, read) == LaravelApp(root, (11, 9, 0), "^11.9")
    (root / "composer.lock").write_text(lock("11.x-dev"))
    assert detect_laravel(root, read) == LaravelApp(root, (11, 9, 0), "^11.9")
    (root / "composer.lock").write_text(lock("v11.40.2"))
    assert detect_laravel(root, read) == LaravelApp(root, (11, 40, 2))
    (root / "composer.json").write_text(composer("dev-master"))
    (root / "composer.lock").write_text("not json")
    assert detect_laravel(root, read) == LaravelApp(root, None, "dev-master")


@pytest.mark.parametrize(
    ("constraint", "lowest"),
    [
        ("^11.9", (11, 9, 0)),
        ("~11.0", (11, 0, 0)),
        ("11.*", (11, 0, 0)),
        ("11.31.2", (11, 31, 2)),
        ("v11.31.0", (11, 31, 0)),
        ("^10.0|^11.0", (10, 0, 0)),
        ("^11.0 || ^10.48", (10, 48, 0)),
        (">=11.9 <12.0", (11, 9, 0)),
        (">=11.0,<11.5", (11, 0, 0)),
        ("11.0 - 11.9", (11, 0, 0)),
        ("^11.0@dev", (11, 0, 0)),
        ("11.0.0-beta1", (11, 0, 0)),
        ("*", None),
        ("<12", None),
        ("^11.0 | *", None),
        ("dev-master", None),
        ("", None),
    ],
)
def test_lowest_allowed_version(constraint: str, lowest: tuple[int, int, int] | None) -> None:
    assert lowest_allowed_version(constraint) == lowest


@pytest.mark.parametrize(
    ("constraint", "admits"),
    [
        ("^11.0", True), ("~11.0", True), ("11.*", True), (">=10", True), ("^11.9", True),
        ("^10.0|^11.0", True), ("11.0 - 11", True), ("*", True), ("dev-master", True),
        ("~11.0.0", False), ("<11.9", False), ("11.0 - 11.8", False), ("^10.0", False),
        ("11.0.0", False), (">=11.0,<11.5", False), ("^0.1", False),
    ],
)
def test_admits_from_11_9(constraint: str, admits: bool) -> None:
    assert admits_from(constraint, (11, 9, 0)) is admits


# -- default_connection ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "connection", "source"),
    [
        ("laravel11_fresh", "sqlite", "env('DB_CONNECTION', 'sqlite')"),
        ("laravel11_fixed", "mysql", "env('DB_CONNECTION', 'mysql')"),
    ],
)
def test_default_connection_of_the_fixtures(fixture: str, connection: str, source: str) -> None:
    path = FIXTURES / fixture / DB_PHP
    text = path.read_text()
    found = default_connection(path, text)
    assert found is not None
    assert (found.connection, found.from_env) == (connection, "DB_CONNECTION")
    assert (found.location.path, found.location.line, found.location.column) == (path, 19, 18)
    assert span(text, found.location) == source


@pytest.mark.parametrize(
    ("value", "connection", "from_env", "located"),
    [
        ("env('DB_CONNECTION', 'sqlite')", "sqlite", "DB_CONNECTION", None),
        ("'sqlite'", "sqlite", None, None),
        ("env('DB_CONNECTION') ?? 'sqlite'", "sqlite", "DB_CONNECTION", None),
        ('env("DB_CONNECTION", "sqlite")', "sqlite", "DB_CONNECTION", None),
        ('"pg\\x73ql"', "pgsql", None, None),
        ("'it\\'s'", "it's", None, None),
        (
            "env( 'DB_CONNECTION' ,\n\t/* why */ 'sqlite' // now\n )",
            "sqlite",
            "DB_CONNECTION",
            None,
        ),
        (
            "(env('DB_CONNECTION', ('sqlite')))",
            "sqlite",
            "DB_CONNECTION",
            "env('DB_CONNECTION', ('sqlite'))",
        ),
        ("\\env('DB_CONNECTION', 'mariadb')", "mariadb", "DB_CONNECTION", None),
        ("env(key: 'DB_CONNECTION', default: 'sqlite')", "sqlite", "DB_CONNECTION", None),
        ("env(default: 'sqlite', key: 'DB_CONNECTION')", "sqlite", "DB_CONNECTION", None),
        ("Env::get('DB_CONNECTION', 'pgsql')", "pgsql", "DB_CONNECTION", None),
        (
            "\\Illuminate\\Support\\Env::get('DB_CONNECTION', 'pgsql')",
            "pgsql",
            "DB_CONNECTION",
            None,
        ),
        ("env('DB_CONNECTION', env('DB_DRIVER', 'sqlite'))", "sqlite", "DB_CONNECTION", None),
        (
            "env('DB_CONNECTION', 'mysql') ?? 'sqlite'",
            "mysql",
            "DB_CONNECTION",
            "env('DB_CONNECTION', 'mysql')",
        ),
    ],
)
def test_default_connection_forms(
    value: str, connection: str, from_env: str | None, located: str | None
) -> None:
    text = (
        "<?php\n\nuse Illuminate\\Support\\Env;\n\nreturn [\n    // the default\n"
        f"    'default' => {value},\n    'redis' => ['default' => ['host' => 'x']],\n];\n"
    )
    found = default_connection(DB_PHP, text)
    assert found is not None
    assert (found.connection, found.from_env) == (connection, from_env)
    assert found.location.line == 7
    assert span(text, found.location) == (located or value)


@pytest.mark.parametrize(
    "value",
    [
        "env('DB_CONNECTION', DEFAULT_CONNECTION)",
        "env('DB_CONNECTION', pick_connection())",
        "env('DB_CONNECTION')",
        "env('DB_CONNECTION', null)",
        "env('DB_CONNECTION') ?? DEFAULT_CONNECTION",
        '"{$driver}"',
        "App\\env('DB_CONNECTION', 'sqlite')",
        "Other::get('DB_CONNECTION', 'sqlite')",
    ],
)
def test_a_default_that_is_not_a_literal_is_unknown(value: str) -> None:
    assert default_connection(DB_PHP, f"<?php\nreturn ['default' => {value}];\n") is None


def test_columns_count_characters_not_bytes() -> None:
    text = "<?php\nreturn ['naïve' => 'ç', /* ünïcødé 🙂 */ 'default' => env('DB_CONNECTION', 'sqlite')];\n"
    found = default_connection(DB_PHP, text)
    assert found is not None
    assert found.location.column == text.splitlines()[1].index("env(") + 1
    assert span(text, found.location) == "env('DB_CONNECTION', 'sqlite')"


@pytest.mark.parametrize(
    "text",
    [
        "<?php\nnamespace Config;\nreturn array('default' => 'sqlite');\n",
        "<?php\n$ignored = ['default' => 'mysql'];\nreturn ['default' => 'sqlite'];\n",
        "<?php\nreturn ['default' => 'sqlite', 'connections' => [ 'x' => ['driver' => ]],];\n",
        "<?php\nreturn [\n    'default' => 'sqlite'\n    'connections' => [],\n];\n",
        "<?php\nreturn [\n    'default' => 'sqlite',\n",
    ],
)
def test_default_connection_in_odd_and_broken_files(text: str) -> None:
    found = default_connection(DB_PHP, text)
    assert found is not None and found.connection == "sqlite"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "<?php\n",
        "not php at all",
        "<?php\nreturn ['connections' => ['default' => 'sqlite']];\n",
        "<?php\nreturn config('database');\n",
        "<?php\nreturn ['default' =>",
        "<?php\nreturn ['default' => env('A', " * 500,
        "<?php\nreturn " + "[" * 20_000 + "'default' => 'sqlite'" + "]" * 20_000 + ";",
    ],
)
def test_no_default_connection_in_odd_input(text: str) -> None:
    assert default_connection(DB_PHP, text) is None


def test_text_that_is_not_valid_unicode_does_not_raise() -> None:
    found = default_connection(DB_PHP, "<?php\nreturn ['default' => '\ud800'];")
    assert found is not None and found.from_env is None and found.location.column == 22


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<?php",
                "return",
                "[",
                "]",
                "(",
                ")",
                "'default'",
                "=>",
                "env(",
                "'DB_CONNECTION'",
                ",",
                "'sqlite'",
                "??",
                "/*",
                "*/",
                "//",
                "\n",
                ";",
                "\\env",
                "Env::get(",
                '"',
                "'",
                "default:",
                "key:",
                "null",
                "é",
            ]
        )
    ),
    st.text(max_size=40),
)
def test_default_connection_survives_any_token_soup(tokens: list[str], noise: str) -> None:
    found = default_connection(DB_PHP, " ".join(tokens) + noise)
    assert found is None or isinstance(found.connection, str)


# -- destructive_guard: DB::prohibitDestructiveCommands -------------------------------------


def test_fixed_fixture_is_guarded_by_the_method() -> None:
    root = FIXTURES / "laravel11_fixed"
    app = detect_laravel(root, read)
    assert app is not None
    guard = destructive_guard(app, read)
    assert guard is not None
    assert (guard.kind, guard.commands, guard.seed_prohibited) == (
        "prohibitDestructiveCommands",
        FOUR,
        False,
    )
    path = root / "app/Providers/AppServiceProvider.php"
    assert guard.location.path == path
    assert span(path.read_text(), guard.location) == (
        "DB::prohibitDestructiveCommands($this->app->isProduction())"
    )


def test_fresh_fixture_is_unguarded() -> None:
    app = detect_laravel(FIXTURES / "laravel11_fresh", read)
    assert app is not None
    assert destructive_guard(app, read) is None


@pytest.mark.parametrize(
    ("uses", "call"),
    [
        ("use Illuminate\\Support\\Facades\\DB;", "DB::prohibitDestructiveCommands();"),
        (
            "use Illuminate\\Support\\Facades\\DB as Database;",
            "Database::prohibitDestructiveCommands();",
        ),
        ("use Illuminate\\Support\\Facades;", "Facades\\DB::prohibitDestructiveCommands(true);"),
        ("", "\\Illuminate\\Support\\Facades\\DB::prohibitDestructiveCommands();"),
        ("", "\\DB::prohibitDestructiveCommands(app()->isProduction());"),
        ("use DB;", "DB::prohibitDestructiveCommands(prohibit: true);"),
        ("use Illuminate\\Support\\Facades\\DB;", "db::PROHIBITDESTRUCTIVECOMMANDS();"),
    ],
)
def test_method_guard_forms(project_dir: MakeProject, uses: str, call: str) -> None:
    guard = guard_of(project_dir, f"        {call}", uses)
    assert guard is not None
    assert (guard.kind, guard.commands) == ("prohibitDestructiveCommands", FOUR)


@pytest.mark.parametrize(
    ("uses", "body"),
    [
        ("use Illuminate\\Support\\Facades\\DB;", "// DB::prohibitDestructiveCommands();"),
        ("use Illuminate\\Support\\Facades\\DB;", "/* DB::prohibitDestructiveCommands(); */"),
        ("use Illuminate\\Support\\Facades\\DB;", "# DB::prohibitDestructiveCommands();"),
        ("use Illuminate\\Support\\Facades\\DB;", "$s = 'DB::prohibitDestructiveCommands();';"),
        ("use Illuminate\\Support\\Facades\\DB;", "DB::prohibitDestructiveCommands(false);"),
        ("", "DB::prohibitDestructiveCommands();"),
        ("use App\\Support\\DB;", "DB::prohibitDestructiveCommands();"),
        (
            "use Illuminate\\Support\\Facades\\DB;",
            "DB::connection()->prohibitDestructiveCommands();",
        ),
    ],
)
def test_what_is_not_the_method_guard(project_dir: MakeProject, uses: str, body: str) -> None:
    assert guard_of(project_dir, f"        {body}", uses) is None


@pytest.mark.parametrize(
    ("version", "rollback"),
    [("v11.39.0", True), ("v12.0.1", True), ("v11.38.2", False), (None, False)],
)
def test_method_blocks_rollback_from_11_39(
    project_dir: MakeProject, version: str | None, rollback: bool
) -> None:
    guard = guard_of(
        project_dir,
        "        DB::prohibitDestructiveCommands();",
        "use Illuminate\\Support\\Facades\\DB;",
        version,
    )
    assert guard is not None
    assert guard.commands == (FOUR | {"migrate:rollback"} if rollback else FOUR)


# -- destructive_guard: per-command prohibit() calls -----------------------------------------


def test_per_command_prohibit_calls(project_dir: MakeProject) -> None:
    uses = (
        "use Illuminate\\Database\\Console\\Migrations\\FreshCommand;\n"
        "use Illuminate\\Database\\Console\\Migrations\\{RefreshCommand, ResetCommand as Reset};\n"
        "use Illuminate\\Database\\Console\\WipeCommand;\n"
        "use Illuminate\\Database\\Console\\Seeds\\SeedCommand;"
    )
    body = (
        "        FreshCommand::prohibit($this->app->isProduction());\n"
        "        Reset::prohibit();\n"
        "        // RefreshCommand::prohibit();\n"
        "        WipeCommand::prohibit(false);\n"
        "        SeedCommand::prohibit();"
    )
    guard = guard_of(project_dir, body, uses)
    assert guard is not None
    assert (guard.kind, guard.commands, guard.seed_prohibited) == (
        "prohibit-calls",
        frozenset({"migrate:fresh", "migrate:reset"}),
        True,
    )
    text = guard.location.path.read_text()
    assert span(text, guard.location) == "FreshCommand::prohibit($this->app->isProduction())"


def test_prohibit_on_unresolved_classes_is_not_a_guard(project_dir: MakeProject) -> None:
    body = "        FreshCommand::prohibit();\n        App\\WipeCommand::prohibit();"
    assert guard_of(project_dir, body, "use App\\Console\\FreshCommand;") is None


def test_seed_prohibit_alone_is_not_a_destructive_guard(project_dir: MakeProject) -> None:
    uses = "use Illuminate\\Database\\Console\\Seeds\\SeedCommand;"
    assert guard_of(project_dir, "        SeedCommand::prohibit();", uses) is None
    both = "        SeedCommand::prohibit();\n        \\DB::prohibitDestructiveCommands();"
    guard = guard_of(project_dir, both, uses)
    assert guard is not None and guard.seed_prohibited


# -- destructive_guard: hand-written listeners ------------------------------------------------

LISTENER_USES = (
    "use Illuminate\\Console\\Events\\CommandStarting;\n"
    "use Illuminate\\Support\\Facades\\App;\nuse Illuminate\\Support\\Facades\\Event;\n"
    "use Illuminate\\Support\\Facades\\Log;\nuse Illuminate\\Support\\Str;"
)


def test_handwritten_fixture_is_a_guard() -> None:
    root = FIXTURES / "laravel_handwritten_guard"
    app = detect_laravel(root, read)
    assert app is not None
    guard = destructive_guard(app, read)
    assert guard is not None
    assert (guard.kind, guard.commands, guard.seed_prohibited) == ("hand-written", FOUR, False)
    path = root / "app/Providers/DatabaseSafetyServiceProvider.php"
    assert guard.location.path == path
    assert span(path.read_text(), guard.location).startswith("Event::listen(CommandStarting::class")


def test_a_listener_that_only_logs_is_not_a_guard(tmp_path: Path) -> None:
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "laravel_handwritten_guard", root)
    provider_path = root / "app/Providers/DatabaseSafetyServiceProvider.php"
    text = provider_path.read_text()
    throw = text[text.index("throw new") : text.index(");", text.index("throw new")) + 2]
    logged = text.replace(throw, "\\Illuminate\\Support\\Facades\\Log::warning('destructive');")
    assert logged != text
    provider_path.write_text(logged)
    app = detect_laravel(root, read)
    assert app is not None
    assert destructive_guard(app, read) is None


@pytest.mark.parametrize(
    ("body", "commands"),
    [
        (
            (
                "Event::listen(CommandStarting::class, function (CommandStarting $event) {\n"
                "    if (App::environment('production') && $event->command === 'db:wipe') {\n"
                "        exit(1);\n    }\n});"
            ),
            {"db:wipe"},
        ),
        (
            (
                "Event::listen(function (CommandStarting $event): void {\n"
                "    if (app()->isProduction() && Str::startsWith($event->command, 'migrate:')) {\n"
                "        die('refused');\n    }\n});"
            ),
            {"migrate:fresh", "migrate:refresh", "migrate:reset", "migrate:rollback"},
        ),
        (
            (
                "Event::listen(CommandStarting::class, fn (CommandStarting $e) => match (true) {\n"
                "    config('app.env') === 'production' && in_array($e->command, ['migrate:fresh',"
                " 'migrate:reset']) => throw new \\RuntimeException('no'),\n    default => null,\n});"
            ),
            {"migrate:fresh", "migrate:reset"},
        ),
        (
            (
                "$this->app['events']->listen(\\Illuminate\\Console\\Events\\CommandStarting::class,"
                " function ($event) {\n    if ($this->app->environment(['staging', 'production'])\n"
                "        && str_starts_with($event->command, 'db:')) {\n"
                "        throw new \\LogicException('refused');\n    }\n});"
            ),
            {"db:wipe"},
        ),
    ],
)
def test_handwritten_guard_variants(
    project_dir: MakeProject, body: str, commands: set[str]
) -> None:
    guard = guard_of(project_dir, body, LISTENER_USES)
    assert guard is not None
    assert (guard.kind, guard.commands) == ("hand-written", frozenset(commands))


def test_handwritten_guard_listing_commands_in_a_class_constant(
    project_dir: MakeProject,
) -> None:
    members = (
        "    private const REFUSED = ['migrate:fresh', 'migrate:refresh', 'db:wipe'];\n"
        "    private const OTHER = ['migrate:reset'];\n"
    )
    body = (
        "Event::listen(CommandStarting::class, function ($event) {\n"
        "    if (! $this->app->isProduction()) {\n        return;\n    }\n"
        "    if (in_array($event->command, self::REFUSED, true)) {\n"
        "        throw new \\RuntimeException('refused');\n    }\n});"
    )
    guard = guard_of(project_dir, body, LISTENER_USES, members=members)
    assert guard is not None
    assert guard.commands == frozenset({"migrate:fresh", "migrate:refresh", "db:wipe"})


@pytest.mark.parametrize(
    "body",
    [
        # logs only
        (
            "Event::listen(CommandStarting::class, function ($event) {\n"
            "    if (app()->isProduction() && $event->command === 'migrate:fresh') {\n"
            "        Log::warning('migrate:fresh in production');\n    }\n});"
        ),
        # refuses in every environment: not a production guard we can tell from a bug
        (
            "Event::listen(CommandStarting::class, function ($event) {\n"
            "    if ($event->command === 'migrate:fresh') {\n        throw new \\RuntimeException();\n"
            "    }\n});"
        ),
        # no command named
        (
            "Event::listen(CommandStarting::class, function ($event) {\n"
            "    if (app()->isProduction()) {\n        throw new \\RuntimeException();\n    }\n});"
        ),
        # another event
        (
            "Event::listen(\\Illuminate\\Console\\Events\\CommandFinished::class, function ($event) {\n"
            "    if (app()->isProduction() && $event->command === 'db:wipe') { exit(1); }\n});"
        ),
        # commented out
        (
            "// Event::listen(CommandStarting::class, function ($event) {\n"
            "//     if (app()->isProduction() && $event->command === 'db:wipe') { exit(1); }\n// });"
        ),
        # a class-based listener is not read
        "Event::listen(CommandStarting::class, \\App\\Listeners\\RefuseWipe::class);",
    ],
)
def test_handwritten_near_misses(project_dir: MakeProject, body: str) -> None:
    assert guard_of(project_dir, body, LISTENER_USES) is None


def test_handwritten_guard_naming_db_seed_prohibits_seeding(project_dir: MakeProject) -> None:
    body = (
        "Event::listen(CommandStarting::class, function ($event) {\n"
        "    if (app()->isProduction() && in_array($event->command, ['db:wipe', 'db:seed'])) {\n"
        "        throw new \\RuntimeException('refused');\n    }\n});"
    )
    guard = guard_of(project_dir, body, LISTENER_USES)
    assert guard is not None
    assert (guard.commands, guard.seed_prohibited) == (frozenset({"db:wipe"}), True)


def test_the_method_outranks_a_listener_and_commands_add_up(project_dir: MakeProject) -> None:
    body = (
        "\\DB::prohibitDestructiveCommands();\n"
        "Event::listen(CommandStarting::class, function ($event) {\n"
        "    if (app()->isProduction() && $event->command === 'migrate:rollback') { exit(1); }\n});"
    )
    guard = guard_of(project_dir, body, LISTENER_USES)
    assert guard is not None
    assert guard.kind == "prohibitDestructiveCommands"
    assert guard.commands == FOUR | {"migrate:rollback"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(noise=st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200))
def test_guard_reading_survives_any_provider_text(
    tmp_path_factory: pytest.TempPathFactory, noise: str
) -> None:
    guarded = provider("        \\DB::prohibitDestructiveCommands();")
    files = {
        "artisan": "",
        "composer.json": composer(),
        "app/Providers/AppServiceProvider.php": "<?php\n" + noise,
        "app/Providers/Half.php": guarded[: len(guarded) // 2] + noise,
        "app/Providers/Whole.php": guarded + noise,
        "bootstrap/providers.php": "<?php return [" + noise,
    }
    root = write_tree(tmp_path_factory.mktemp("noise"), files)
    guard = destructive_guard(LaravelApp(root, None), read)
    assert guard is None or guard.commands <= FOUR


# -- provider_files --------------------------------------------------------------------------


SAFETY = provider("        \\DB::prohibitDestructiveCommands();", name="SafetyProvider").replace(
    "namespace App\\Providers;", "namespace Domain\\Safety;"
)


def test_providers_registered_outside_app_providers(project_dir: MakeProject) -> None:
    files = {
        "composer.json": composer(psr4={"App\\": "app/", "Domain\\": ["lib/", "src/Domain/"]}),
        "app/Providers/AppServiceProvider.php": provider("        //"),
        "bootstrap/providers.php": (
            "<?php\n\nreturn [\n    App\\Providers\\AppServiceProvider::class,\n"
            "    // Domain\\Commented\\Provider::class,\n"
            "    \\Domain\\Safety\\SafetyProvider::class,\n    Domain\\Missing\\Provider::class,\n"
            "    Illuminate\\Auth\\AuthServiceProvider::class,\n];\n"
        ),
        "src/Domain/Safety/SafetyProvider.php": SAFETY,
        "src/Domain/Commented/Provider.php": "<?php\n",
    }
    app = laravel_project(project_dir, files)
    assert provider_files(app, read) == [
        app.root / "app/Providers/AppServiceProvider.php",
        app.root / "src/Domain/Safety/SafetyProvider.php",
    ]
    guard = destructive_guard(app, read)
    assert guard is not None
    assert guard.location.path == app.root / "src/Domain/Safety/SafetyProvider.php"


def test_providers_from_config_app(project_dir: MakeProject) -> None:
    files = {
        "composer.json": composer(psr4={"App\\": "app/", "Evil\\": "../outside/"}),
        "config/app.php": (
            "<?php\n\nuse Illuminate\\Support\\ServiceProvider;\nuse App\\Support;\n\nreturn [\n"
            "    'name' => env('APP_NAME', 'Laravel'),\n"
            "    'providers' => ServiceProvider::defaultProviders()->merge([\n"
            "        Support\\SafetyProvider::class,\n        'App\\Legacy\\StringProvider',\n"
            "        Evil\\Provider::class,\n    ])->toArray(),\n"
            "    'aliases' => ['X' => App\\Support\\NotAProvider::class],\n];\n"
        ),
        "app/Support/SafetyProvider.php": "<?php\n",
        "app/Support/NotAProvider.php": "<?php\n",
        "app/Legacy/StringProvider.php": "<?php\n",
    }
    app = laravel_project(project_dir, files)
    (app.root.parent / "outside").mkdir()
    (app.root.parent / "outside/Provider.php").write_text("<?php\n")
    assert provider_files(app, read) == [
        app.root / "app/Support/SafetyProvider.php",
        app.root / "app/Legacy/StringProvider.php",
    ]


def test_provider_files_with_broken_inputs(project_dir: MakeProject) -> None:
    files = {
        "composer.json": '{"require": {"laravel/framework": "^11"}, "autoload": {"psr-4": 3}}',
        "bootstrap/providers.php": "<?php return [ App\\Providers\\X::class ",
        "config/app.php": "<?php return ['providers' => ",
    }
    app = laravel_project(project_dir, files)
    assert provider_files(app, read) == []
