"""CG5xx: production guards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from composeguard.lint.engine.finding import Finding, Severity, offer
from composeguard.lint.model.compose import PublishedPort
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.nodes import scalar_text
from composeguard.lint.project import Project
from composeguard.rules.base import Rule, listed, rule
from composeguard.rules.guards import facts
from composeguard.rules.guards.facts import RAILS_CHECK
from composeguard.rules.guards.fixes import destructive_guard_fix, loopback_port_fix

if TYPE_CHECKING:
    from composeguard.lint.facts.laravel import DestructiveGuard, LaravelApp

# -- CG502 database-port-published -------------------------------------------------------------


def _loopback_suggestion(port: PublishedPort) -> str:
    item = port.node
    if port.long_syntax:
        return "set `host_ip: 127.0.0.1`"
    if item.template is not None:
        return "write `127.0.0.1:` in front of the host port"
    target = f"{port.targets.start}" + (f"-{port.targets.stop - 1}" if len(port.targets) > 1 else "")
    protocol = f"/{port.protocol}" if "/" in scalar_text(item.value) else ""
    return f"write `127.0.0.1:{port.published}:{target}{protocol}`"


@rule(
    code="CG502",
    name="database-port-published",
    severity=Severity.WARNING,
    summary="A data store's client port published on every host interface in production.",
    what="""
        Reports, in production-facing compose files, a `ports:` entry of a data-store service
        that publishes one of the store's client ports (mysql 3306, postgres 5432, mongo
        27017, redis 6379, elasticsearch 9200/9300, rabbitmq's AMQP/MQTT/STOMP ports, ...) on
        all host interfaces: no host IP (`"3306:3306"`, an ephemeral `"3306"`, a range,
        `${DB_PORT:-3306}:3306` as interpolated), `0.0.0.0` or `[::]`, short or long syntax.
        Binding to a loopback address (`127.0.0.1:3306:3306`, `[::1]:...`,
        `host_ip: 127.0.0.1`) or to one chosen address, `expose:`, and development and test
        files are fine. A broker's admin UI (rabbitmq management on 15672) and search APIs
        made to face browsers with scoped keys (meilisearch, typesense) are not client ports
        here; MinIO's S3 API (9000) and console (9001) are: they serve its data with the
        root user's keys (files served to browsers go through a proxy's host name).

        A database console (Adminer, phpMyAdmin, pgAdmin, mongo-express, Redis Commander) is a
        login page onto the databases it reaches: reported the same way when its web port is
        published on every interface, and when a Traefik router serves it on a host name
        (`traefik.http.routers.R.rule=Host(...)`) with no middleware in front of it (an IP
        allow-list or basic auth).
    """,
    why="""
        A published port is reachable from every network the server is on, and Docker writes
        its own iptables rules, so host firewalls such as ufw do not stop it. An internet-facing
        database is scanned within minutes: a guessed or leaked password, or none, and its
        data is read, ransomed or dropped. Other containers reach the database over the
        Compose network without any published port.
    """,
    example="""
        services:
          db:
            image: postgres:16
            ports:
              - "5432:5432"
    """,
    use_instead="""
        services:
          db:
            image: postgres:16
            ports:
              - "127.0.0.1:5432:5432"   # or no ports at all: the app uses db:5432
    """,
    fix_safety="""
        `composeguard fix` binds the published port to the loopback address in the file the
        finding points at: `"3306:3306"` becomes `"127.0.0.1:3306:3306"`, an ephemeral
        `"5432"` becomes `"127.0.0.1::5432"`, long syntax gets `host_ip: 127.0.0.1`. Safe: the
        services of the setup reach the store over the Compose network as before; a client
        on another machine now needs an SSH tunnel. A `ports:` list that comes from an anchor
        is left alone (other services may share it).
    """,
    references=("https://docs.docker.com/engine/network/packet-filtering-firewalls/",
                "https://docs.docker.com/reference/compose-file/services/#ports"),
)
def database_port_published(self: Rule, project: Project) -> Iterator[Finding]:
    seen: set[Location] = set()
    for model, service in project.production_services():
        store = project.data_store(service, model)
        if store is None or not store.client_ports:
            continue
        for port in service.ports:
            if port.protocol != "tcp" or not port.all_interfaces:
                continue
            exposed = [p for p in store.client_ports if p in port.targets]
            if not exposed or port.node.loc in seen:
                continue
            seen.add(port.node.loc)
            ports = ", ".join(map(str, exposed))
            yield self.finding(port.node.loc, (
                f"service '{service.name}' ({store.name}) publishes port"
                f"{'s' if len(exposed) > 1 else ''} {ports} on every host interface"),
                help=("the port is open past host firewalls such as ufw: anyone who reaches "
                      f"the server can try to log in; {_loopback_suggestion(port)} or drop the "
                      "mapping (other services reach it over the Compose network)"),
                fix=offer(loopback_port_fix, project, port.node, port.host_ip, port.published))
    yield from _published_consoles(self, project, seen)


def _published_consoles(self: Rule, project: Project, seen: set[Location]
                        ) -> Iterator[Finding]:
    from composeguard.lint.facts.datastores import database_console

    for model, service in project.production_services():
        console = database_console(service.image)
        if console is None:
            continue
        what = f"service '{service.name}' ({console.name}, a database console)"
        for port in service.ports:
            exposed = [p for p in console.ports if p in port.targets]
            if port.protocol != "tcp" or not port.all_interfaces or not exposed \
                    or port.node.loc in seen:
                continue
            seen.add(port.node.loc)
            yield self.finding(port.node.loc, (
                f"{what} publishes port {exposed[0]} on every host interface"),
                help=("a login page onto the database for anyone who reaches the server; "
                      f"{_loopback_suggestion(port)} and reach it through an SSH tunnel"),
                fix=offer(loopback_port_fix, project, port.node, port.host_ip,
                          port.published))
        routes = service.public_routes()
        if not routes:
            continue
        # one finding per console, at a route the setup's last file writes when it has one
        last = model.files[-1].path
        _, node = next((r for r in routes if r[1].loc.path == last), routes[0])
        if node.loc in seen:
            continue
        seen.add(node.loc)
        names = ", ".join(f"`{r}`" for r, _ in routes)
        yield self.finding(node.loc, f"{what} is routed to the internet with no middleware", help=(
            f"Traefik serves it on a host name (router{'s' if len(routes) > 1 else ''} {names}) "
            "with no middleware in front: a login page onto the database on the internet; put "
            "an IP allow-list or basic auth in front of it, or drop the route"))


# -- CG501 destructive-commands-unguarded --------------------------------------------------------



def _blocked() -> tuple[str, ...]:
    """What ``DB::prohibitDestructiveCommands()`` blocks on every 11.9+ release, in message
    order (the Laravel reader is loaded only for a project with a Laravel app)."""
    from composeguard.lint.facts.laravel import PROHIBIT_DESTRUCTIVE_COMMANDS

    return PROHIBIT_DESTRUCTIVE_COMMANDS

_GUARD_SINCE = (11, 9, 0)
_SEED_GUARD_SINCE = (12, 6, 0)
_CALL = "`DB::prohibitDestructiveCommands($this->app->isProduction());`"
_SEED_CALL = "`SeedCommand::prohibit($this->app->isProduction());`"


def _seed_advice(project: Project, app: LaravelApp, guard: DestructiveGuard | None) -> str:
    evidence = None if guard is not None and guard.seed_prohibited else \
        facts.seeding_evidence(project, app)
    if evidence is None:
        return ""
    try:
        shown = evidence.path.relative_to(app.root).as_posix()
    except ValueError:
        shown = evidence.path.name
    shown += f" line {evidence.line}" if evidence.line is not None else ""
    upgrade = (" after upgrading" if app.before(_SEED_GUARD_SINCE)
               else f" once composer.json requires it (`{app.constraint}` admits older releases)"
               if app.maybe_before(_SEED_GUARD_SINCE) else "")
    return (f"; the project seeds ({shown}) and `db:seed` is not covered: also call "
            f"{_SEED_CALL} (Laravel 12.6+){upgrade}")


_UNGUARDED = "no guard stops `migrate:fresh` or `db:wipe` from running in production"


def _unguarded_message(app: LaravelApp, seed: str) -> str:
    """The help of a missing guard (the message is :data:`_UNGUARDED`)."""
    risk = (f"nothing stops {listed(_blocked()).replace(' and ', ' or ')} from running against "
            "the production database: one command typed in the wrong terminal, or run with "
            "the wrong .env, drops every table")
    version = app.version
    if version is not None and app.before(_GUARD_SINCE):
        installed = (f"Laravel {'.'.join(map(str, version))} (composer.lock)" if app.locked
                     else f"composer.json's `{app.constraint}`")
        return (f"{risk}; {installed} predates `DB::prohibitDestructiveCommands()` (11.9): "
                f"upgrade and call {_CALL} in "
                "AppServiceProvider::boot(), or add a `CommandStarting` listener that throws "
                f"for these commands in production{seed}")
    if app.maybe_before(_GUARD_SINCE):
        return (f"{risk}; require Laravel 11.9+ (composer.json's `{app.constraint}` also admits "
                "older releases, and no composer.lock says which is installed), then call "
                f"{_CALL} in AppServiceProvider::boot(){seed}")
    return f"{risk}; call {_CALL} in AppServiceProvider::boot(){seed}"


def _partial_message(guard: DestructiveGuard, missing: list[str], seed: str
                     ) -> tuple[str, str]:
    blocked = [c for c in _blocked() if c in guard.commands]
    what = "the listener" if guard.kind == "hand-written" else "these `prohibit()` calls"
    fix = (f"refuse {listed(missing)} in the listener too" if guard.kind == "hand-written"
           else f"call {_CALL} instead, which covers all four (Laravel 11.9+)")
    plural = "s" if len(missing) > 1 else ""
    message = f"the guard leaves {len(missing)} destructive command{plural} unblocked in production"
    return (message,
            (f"{what} block{'s' if guard.kind == 'hand-written' else ''} "
             f"{listed(blocked) if blocked else 'other commands'} in production, but "
             f"{listed(missing)} still run{'s' if len(missing) == 1 else ''} against the "
             f"production database and drop its tables; {fix}{seed}"))


@rule(
    code="CG501",
    name="destructive-commands-unguarded",
    severity=Severity.WARNING,
    summary="Nothing stops migrate:fresh, db:wipe or db:drop from running in production.",
    what="""
        Reports a Laravel app (an `artisan` file and laravel/framework in composer.json) whose
        service providers (`app/Providers/*.php` and those bootstrap/providers.php or
        config/app.php register) never block the destructive artisan commands in production,
        read from the PHP syntax tree: `DB::prohibitDestructiveCommands(...)` (Laravel 11.9+;
        it blocks `migrate:fresh`, `migrate:refresh`, `migrate:reset`, `db:wipe`, and from
        11.39 `migrate:rollback`), the per-command `FreshCommand::prohibit()` calls, or a
        hand-written `CommandStarting` listener that throws for them when the environment is
        production. A commented-out call does not count. A guard that blocks only some of
        the four commands is reported at the guard, naming the ones still allowed. The
        finding points at `AppServiceProvider::boot()` (else the provider file, else
        `artisan`). On Laravel older than 11.9 the message says to upgrade or write the
        listener; where the project seeds (a seeding start command or script, or a
        DatabaseSeeder), it also suggests `SeedCommand::prohibit()` (Laravel 12.6+). A
        missing guard is reported where the project itself runs an artisan command that wipes
        or seeds a database (a start command, a script, a Makefile target, a CI step): an app
        that never runs one has nothing for the guard to stop.

        For Rails, reports `DISABLE_DATABASE_ENVIRONMENT_CHECK` set in
        `config/environments/production.rb`, in a production-facing compose service's
        environment, or in a production env file (`.env.production`).
    """,
    why="""
        `php artisan migrate:fresh` drops every table before migrating. Run by mistake against
        production (a terminal on the wrong server, a `.env` pointing at the production
        database, a deploy script copied from development) it deletes all data in a second,
        and Laravel asks no question when `--force` is given. Rails refuses `db:drop`,
        `db:reset` and `db:schema:load` on a production database unless
        `DISABLE_DATABASE_ENVIRONMENT_CHECK` is set; setting it permanently removes that
        last safety net.
    """,
    example="""
        ```php
        // app/Providers/AppServiceProvider.php
        public function boot(): void
        {
            //
        }
        ```
    """,
    use_instead="""
        ```php
        use Illuminate\\Database\\Console\\Seeds\\SeedCommand;
        use Illuminate\\Support\\Facades\\DB;

        public function boot(): void
        {
            DB::prohibitDestructiveCommands($this->app->isProduction());
            SeedCommand::prohibit($this->app->isProduction()); // Laravel 12.6+
        }
        ```
    """,
    fix_safety="""
        `composeguard fix` adds `DB::prohibitDestructiveCommands($this->app->isProduction());`
        to `AppServiceProvider::boot()` (in place of the skeleton's `//` placeholder, else as
        its first statement; the method is added when the class has none), with
        `use Illuminate\\Support\\Facades\\DB;` among the imports when `DB` is not imported
        yet, in the file's own indentation. Laravel 11.9+ only (older releases lack the
        method: upgrade first), never beside an existing `prohibitDestructiveCommands` call,
        and only when the result parses and is seen as the guard. Safe: it changes nothing
        outside production, where only the four destructive commands start refusing to run.
        Without an AppServiceProvider, and for Rails, nothing is fixed.
    """,
    references=("https://laravel.com/docs/11.x/migrations#prohibiting-destructive-commands",
                "https://guides.rubyonrails.org/active_record_migrations.html"),
)
def destructive_commands_unguarded(self: Rule, project: Project) -> Iterator[Finding]:
    for app in project.laravel_apps:
        guard = project.laravel_guard(app)
        if guard is None and not facts.runs_what_the_guard_blocks(project, app):
            continue
        seed = _seed_advice(project, app, guard)
        if guard is None:
            yield self.finding(project.laravel_guard_site(app), _UNGUARDED,
                               help=_unguarded_message(app, seed),
                               fix=offer(destructive_guard_fix, project, app))
            continue
        missing = [c for c in _blocked() if c not in guard.commands]
        if missing:
            message, help_text = _partial_message(guard, missing, seed)
            yield self.finding(guard.location, message, help=help_text,
                               fix=offer(destructive_guard_fix, project, app))
    for check in facts.disabled_environment_checks(project):
        yield self.finding(check.location, f"{check.where} sets {RAILS_CHECK}", help=(
            "it turns off Rails' refusal to run `db:drop`, "
            "`db:reset`, `db:schema:load` and `db:purge` against the production database: one "
            "mistaken command then deletes its data; remove it (set it only on the one "
            "command line where a reset is really meant)"))


# -- CG503 destructive-command-in-app-code ------------------------------------------------------


@rule(
    code="CG503",
    name="destructive-command-in-app-code",
    severity=Severity.ERROR,
    summary="The app's own code runs a command that wipes its database.",
    what="""
        Reports application code that runs a command which drops or empties the database:
        Laravel's `Artisan::call('migrate:fresh')` (also `migrate:refresh`, `migrate:reset`,
        `migrate:rollback`, `db:wipe`, through `callSilent`, `queue`, or `$this->call(...)` in
        a console command) and Django's `call_command('flush')` (also `reset_db`, or
        `migrate <app> zero`), read from the PHP syntax tree (tree-sitter) and the Python one
        (libcst), with the effect of the command judged as for start commands. Only code of
        an app the project runs is read.

        Not reported: a call that runs only under a condition on the environment
        (`if (app()->environment('local'))`, `if settings.DEBUG:`), which is the deploy's
        choice; a Laravel command the app's providers refuse in production
        (`DB::prohibitDestructiveCommands()`, see CG501): it cannot run there; tests,
        migrations, seeders, factories and dependencies; and files named for a reset or
        for development (`ResetDemoCommand.php`, `dev_tools.py`): wiping is what they are
        for, as a task named `db:reset` is (CG603). Ruby code (`Rake::Task['db:reset']`) is
        not read: the project has no Ruby parser.
    """,
    why="""
        Code paths run in production whenever someone reaches them: a setup wizard left
        routable after the install, an admin button, a queued job, a scheduled command. A
        `migrate:fresh` or `flush` there deletes every row of the production database with
        no backup taken and no confirmation asked (`--force` and `interactive=False` are
        given in the code), and no deploy review sees it coming, since it is not in any
        script.
    """,
    example="""
        ```php
        // app/Http/Controllers/InstallController.php
        public function finish()
        {
            Artisan::call('migrate:fresh', ['--force' => true]);
        }
        ```
    """,
    use_instead="""
        ```php
        public function finish()
        {
            abort_if(File::exists(storage_path('installed')), 404);
            Artisan::call('migrate', ['--force' => true]);   // adds tables, keeps rows
        }
        ```
    """,
    references=("https://laravel.com/docs/11.x/artisan#programmatically-executing-commands",
                "https://docs.djangoproject.com/en/5.1/ref/django-admin/#flush"),
)
def destructive_command_in_app_code(self: Rule, project: Project) -> Iterator[Finding]:
    from composeguard.lint.facts.commands import Operation, classify

    for call in project.code_commands:
        wipes = [a for a in classify(call.words) if a.operation is Operation.DESTROY]
        if not wipes or call.conditional:
            continue
        app = next((a for a in project.laravel_apps if a.root in call.location.path.parents),
                   None) if call.location.path.suffix == ".php" else None
        guard = project.laravel_guard(app) if app is not None else None
        if guard is not None and call.words[2] in guard.commands:
            continue
        yield self.finding(call.location, (
            f"{call.location.path.name} runs `{wipes[0].command}` from the app's own code"),
            help=("the command deletes every row of the database the app is connected to, in "
                  "production too; run only non-destructive commands from code (`migrate`), "
                  "or refuse this one in production"))
