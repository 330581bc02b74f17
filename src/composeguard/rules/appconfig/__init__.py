"""CG3xx: application configuration."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from composeguard.lint.engine.finding import Finding, FixOffer, Severity, offer
from composeguard.lint.facts.datastores import AuthSwitch, Credential, DataStore
from composeguard.lint.facts.envroles import env_file_role
from composeguard.lint.model.written import Written, setting_matches
from composeguard.lint.model.written import judge_text as _judge_text
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.nodes import Node
from composeguard.lint.project import Project
from composeguard.rules.appconfig import appdb, facts
from composeguard.rules.appconfig.appdb import on_volume, sqlite_file
from composeguard.rules.appconfig.fixes import (
    django_database_fix,
    django_debug_fix,
    env_connection_fix,
    laravel_default_fix,
    required_credential_fix,
)
from composeguard.rules.base import Rule, listed, rule

if TYPE_CHECKING:
    from composeguard.lint.facts.laravel import LaravelApp
    from composeguard.lint.model.compose import ComposeModel, Service

# -- CG303 hardcoded-database-credential ------------------------------------------------------


def _secret_text(written: str, credential: Credential) -> str:
    """The part of the written value that is the secret (``neo4j/<password>``)."""
    if credential.after is None:
        return written
    head, sep, tail = written.partition(credential.after)
    if sep and "$" not in head:
        return tail
    return written if "$" in written else ""


def _unset_clause(names: tuple[str, ...]) -> str:
    if not names:
        return "whenever its variable is unset on the server"
    listed = ", ".join(names)
    return f"whenever {listed} {'is' if len(names) == 1 else 'are'} unset on the server"


def _credential_message(where: str, credential: Credential, written: Written) -> str:
    variable = credential.variable
    if written.fallback:
        first = written.variables[0] if written.variables else variable
        return (f"{where} lets {variable} fall back to a written password: it falls back "
                f"{_unset_clause(written.variables)}; require the variable instead "
                f"(`${{{first}:?}}`)")
    secret = f" or a Compose secret (`{variable}_FILE` with `secrets:`)" \
        if credential.secret_file and credential.after is None else ""
    return (f"{where} writes {variable} in the compose file: the password is readable by "
            f"anyone with the repository or its history; take it from the server's environment "
            f"(`${{{variable}:?}}`){secret}")


def _switch_message(where: str, switch: AuthSwitch, written: Written) -> str | None:
    value = written.value_when_unset.strip()
    if not value or (switch.values is not None and value.lower() not in switch.values):
        return None
    if written.fallback:
        setting = (f"{switch.variable} falls back to `{value}` "
                   f"{_unset_clause(written.variables)}, which")
    else:
        setting = f"{switch.variable}={value}"
    effect = "lets clients connect without a password"
    if switch.values is None:
        effect = "allows a root account without a password"
        if value.lower() in ("no", "false", "0", "off"):
            effect += f" (the image takes any non-empty value, even `{value}`, as yes)"
    return (f"{where} sets {setting.split(' ', 1)[0] if written.fallback else setting}: "
            f"{setting} {effect}; remove it and give the store a password from the "
            "server's environment")


@rule(
    code="CG303",
    name="hardcoded-database-credential",
    severity=Severity.WARNING,
    summary="A data store's password written literally where production reads it.",
    what="""
        Reports, in production-facing compose files, a data store's password given as a literal
        (`MYSQL_ROOT_PASSWORD: root`, `POSTGRES_PASSWORD=postgres`, `MONGO_INITDB_ROOT_PASSWORD`,
        `RABBITMQ_DEFAULT_PASS`, `MINIO_ROOT_PASSWORD`, `MSSQL_SA_PASSWORD`, `ELASTIC_PASSWORD`,
        the password of `NEO4J_AUTH`...), a literal fallback inside an interpolation
        (`${DB_PASSWORD:-secret}`: the password in use whenever the variable is unset on the
        server), and settings that turn authentication off: `MYSQL_ALLOW_EMPTY_PASSWORD` or
        `MARIADB_ALLOW_EMPTY_ROOT_PASSWORD` with any non-empty value (even `no`),
        `POSTGRES_HOST_AUTH_METHOD: trust`, Bitnami's `ALLOW_EMPTY_PASSWORD=yes`,
        `NEO4J_AUTH=none`. The service is judged as Compose runs it with the production
        file; the finding points at the line that writes the value (the anchor's definition
        when it came through an alias). A value that is only `${VAR}`/`${VAR:?msg}`, a
        `*_FILE` secret, an empty value, a value from an `env_file`, and development and
        test files are fine. Also a connection URL with a literal password in any
        production service's environment (`DATABASE_URL: postgres://app:secret@db/app`,
        `REDIS_URL: redis://:pw@cache:6379`, SQLAlchemy's `postgresql+psycopg://`, JDBC's
        `?password=`), or a `${VAR:-...}` fallback to one; a password from `${DB_PASSWORD}`
        is fine. Also a user a MongoDB init script creates with a literal password
        (`db.createUser({user: 'app', pwd: '...'})` in a `.js` file the store mounts under
        `/docker-entrypoint-initdb.d`, read with tree-sitter's JavaScript grammar). Also a
        store password written in a Spring production profile of an app the project runs:
        `spring.*.password` (or a password inside a `spring.*.url`) in
        `application-prod.yml`/`.properties` (any profile named for a deployed environment:
        `production`, `staging`, `live`...) or in a YAML document activated on such a profile,
        also as the default of `${DB_PASSWORD:...}`: the production profile is what the
        server reads, so its password is production's. Values written to be replaced
        (empty, `changeme`, `your_db_password`) are not passwords; a known default (`root`,
        `secret`) written where production reads it is production's password, and the first
        one anybody tries. The development and default profiles are left alone. Also a deploy step (a script, Makefile target or
        CI job named for deploying, as for CG201) that writes a password literally into the
        server's env file: `echo "DB_PASSWORD=..." >> .env`, `printf`, or the replacement
        of `sed -i 's/^DB_PASSWORD=.*/DB_PASSWORD=.../' .env`, judged as the Spring values
        are; a value from a variable (`$DB_PASSWORD`, the CI's secret) is fine. The message never contains the secret.

        A known default (`postgres`, `secret`, `!ChangeMe!`, or the store's own user,
        database or product name: `ctfd`/`ctfd`) of a store that publishes no port beyond the
        host (none, or on 127.0.0.1 only) is a product's zero-config default only the
        setup's own containers can use: not reported, for the store's own variables and for
        a URL that reaches it. A real-looking password is reported wherever it is, and a
        default wherever the store is reachable from other machines.
    """,
    why="""
        A password in the compose file is in every clone of the repository and in its history
        forever, and a well-known one (`root`, `postgres`, `secret`) is the first an attacker
        tries. Whoever gets in can read, encrypt for ransom or drop the production data; a
        database without authentication needs no guessing at all.
    """,
    example="""
        services:
          db:
            image: mysql:8.4
            environment:
              MYSQL_ROOT_PASSWORD: root
              MYSQL_PASSWORD: ${DB_PASSWORD:-secret}
            ports:
              - "3306:3306"
    """,
    use_instead="""
        services:
          db:
            image: mysql:8.4
            environment:
              MYSQL_ROOT_PASSWORD_FILE: /run/secrets/mysql_root_password
              MYSQL_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD on the server}
            secrets:
              - mysql_root_password
        secrets:
          mysql_root_password:
            environment: MYSQL_ROOT_PASSWORD
    """,
    fix_safety="""
        `composeguard fix --unsafe-fixes` replaces a literal password (or a literal fallback)
        in the file the finding points at with a required variable,
        `${MYSQL_ROOT_PASSWORD:?set MYSQL_ROOT_PASSWORD}`. Unsafe: `docker compose` then
        refuses to start until the server provides the variable (its environment, or an
        untracked `.env` beside the compose file), and it must hold the password the store
        was initialised with (the images read it only when the data directory is empty).
        Settings that turn authentication off are not fixed: the store needs a password
        first, and neither is a password written in an anchor that several services merge
        (`x-db-env: &db-env`): change it there by hand. The generated production file of the dev/prod split does the same there.
    """,
    references=("https://hub.docker.com/_/mysql#environment-variables",
                "https://hub.docker.com/_/postgres#postgres_host_auth_method",
                "https://docs.docker.com/compose/how-tos/use-secrets/"),
)
def hardcoded_database_credential(self: Rule, project: Project) -> Iterator[Finding]:
    seen: set[Location] = set()
    for model, service in project.production_services():
        store = project.data_store(service, model)
        if store is None:
            continue
        environment = service.environment
        where = f"service '{service.name}' ({store.name})"
        checks: list[tuple[Node, str | None, FixOffer | None]] = []
        for credential in store.credentials:
            node = environment.get(credential.variable)
            text = project.written_text(model, node) if node is not None else None
            if node is None or text is None:
                continue
            judged = _judge_text(_secret_text(text, credential))
            if (judged.literal or judged.fallback) and _private_default(
                    judged.value_when_unset, service, _store_names(service, store)):
                continue
            if judged.literal or judged.fallback:
                variable = judged.variables[0] if judged.fallback and judged.variables \
                    else credential.variable
                fix = offer(required_credential_fix, project, node, variable) \
                    if credential.after is None else None
                checks.append((node, _credential_message(where, credential, judged), fix))
        for switch in store.auth_switches:
            node = environment.get(switch.variable)
            text = project.written_text(model, node) if node is not None else None
            if node is not None and text is not None:
                checks.append((node, _switch_message(where, switch, _judge_text(text)), None))
        for node, message, fix in checks:
            if message is not None and node.anchor_loc not in seen:
                seen.add(node.anchor_loc)
                yield self.finding(node.anchor_loc, message, fix=fix)
        if store.family == "mongodb":
            yield from _init_script_users(self, project, model, service, store, seen)
    yield from _url_credentials(self, project, seen)
    yield from _deploy_env_writes(self, project, seen)
    for spring in project.spring_credentials:
        how = "as the default of a variable the server may not set" if spring.fallback \
            else "in the file"
        yield self.finding(spring.location, (
            f"{spring.location.path.name} writes the password of `{spring.key}`"), help=(
            f"the `{spring.profile}` profile production runs reads it, written {how}: every "
            "clone of the repository has it; read it from the environment "
            "(`${DB_PASSWORD}`, with no default) and set it on the server"))


def _deploy_env_writes(self: Rule, project: Project, seen: set[Location]) -> Iterator[Finding]:
    """Passwords a deploy step writes literally into the server's env file
    (``echo "DB_PASSWORD=..." >> .env``)."""
    from composeguard.lint.facts.commands import env_file_writes
    from composeguard.lint.facts.purpose import ScriptPurpose
    from composeguard.lint.facts.secrets import asks_to_be_replaced, is_secret_key

    for fragment, script in project.shell_fragments:
        for command in script.commands:
            written = [(file, name) for file, name, value in
                       env_file_writes(command.words, command.redirects)
                       if is_secret_key(name) and value and "$" not in value
                       and "`" not in value and not asks_to_be_replaced(value)]
            if not written or command.location in seen:
                continue
            purpose, named = project.script_purpose(fragment, command)
            if purpose is not ScriptPurpose.DEPLOY or project.aimed_at_throwaway(fragment,
                                                                                 command):
                continue
            seen.add(command.location)
            file = written[0][0].rsplit("/", 1)[-1]
            names = listed(sorted({n for _, n in written}))
            yield self.finding(command.location, (
                f"a deploy step writes {names} into {file} as a literal"), help=(
                f"`{named}` puts the production password in every clone of the repository; "
                "write a variable the deploy is given (`\"DB_PASSWORD=$DB_PASSWORD\"` from the "
                "CI's secrets) or keep the server's env file on the server"))


def _init_script_users(self: Rule, project: Project, model: ComposeModel, service: Service,
                       store: DataStore, seen: set[Location]) -> Iterator[Finding]:
    """Users a MongoDB init script the store mounts creates with a literal password."""
    from composeguard.lint.facts.appschema import created_users

    for path in project.store_init_files(model, service):
        text = project.read_text(path) if path.suffix == ".js" else None
        for user, password, location in created_users(path, text) if text else ():
            if location in seen or _private_default(
                    password, service, (user, *_store_names(service, store))):
                continue
            seen.add(location)
            yield self.finding(location, (
                f"{path.name} creates database user '{user}' with a literal password"), help=(
                f"service '{service.name}' ({store.name}) runs it when it initialises its "
                "data, so the password is in every clone; read it from the environment "
                "(`pwd: process.env.MONGO_APP_PASSWORD`) and set it on the server"))


def _store_names(service: Service, store: DataStore) -> tuple[str, ...]:
    """What a store's default password often repeats: its user and database names, the
    service's name, the image's."""
    written = [service.env(n) or "" for n in service.environment
               if n.upper().endswith(("_USER", "_USERNAME", "_DB", "_DATABASE", "_NAME"))]
    image = (service.image or "").rsplit("/", 1)[-1].split(":")[0]
    return (*written, service.name, image, store.name)


def _private_default(value: str, store: Service, names: Iterable[str]) -> bool:
    """A known default password (:func:`~composeguard.lint.facts.secrets.is_known_default`) of a
    store that publishes no port beyond the host (none, or on a loopback address only): only
    the setup's own containers can use it. A real-looking secret, or a store reachable from
    other machines, is reported."""
    import ipaddress

    from composeguard.lint.facts.secrets import is_known_default

    def loopback(host_ip: str) -> bool:
        try:
            return bool(host_ip) and ipaddress.ip_address(host_ip).is_loopback
        except ValueError:
            return host_ip == "localhost"

    return is_known_default(value, names) and all(loopback(p.host_ip) for p in store.ports)


def _url_credentials(self: Rule, project: Project, seen: set[Location]) -> Iterator[Finding]:
    """Connection URLs with a literal password, in any production service's environment
    (the app's ``DATABASE_URL``, a worker's ``REDIS_URL``)."""
    from composeguard.lint.facts.secrets import store_url_password, url_parts

    for model, service in project.production_services():
        for name, node in service.environment.items():
            text = project.written_text(model, node)
            if text is None or "://" not in text or node.anchor_loc in seen:
                continue
            judged = _judge_text(text)
            scheme = store_url_password(judged.value_when_unset)
            if scheme is None:
                continue
            parts = url_parts(judged.value_when_unset)
            target = model.services.get(parts[2]) if parts is not None else None
            if parts is not None and target is not None and _private_default(
                    parts[1], target, (parts[0], parts[3], parts[2])):
                continue
            seen.add(node.anchor_loc)
            how = (f"falls back to a connection URL (`{scheme}://`) with a password written in "
                   f"the compose file {_unset_clause(judged.variables)}" if judged.fallback else
                   f"is a connection URL (`{scheme}://`) with a password written in the compose "
                   "file")
            yield self.finding(node.anchor_loc, (
                f"service '{service.name}' writes a password in {name}: {name} {how}, readable "
                "by anyone with the repository or its history; take the whole URL from the "
                "server's environment "
                f"(`${{{name}:?}}`) or only its password (`...:${{DB_PASSWORD:?}}@...`)"))


# -- shared by CG301 and CG302 ------------------------------------------------------------------


def _setting(name: str, judged: Written, value: str) -> tuple[str, str]:
    """What a service does with a setting, for the message, and when (for the help: empty
    for a literal)."""
    if judged.fallback:
        return f"lets {name} fall back to `{value}`", f"{_unset_clause(judged.variables)}, "
    return f"sets {name}={value}", ""


# -- example projects of CG301 and CG302 ------------------------------------------------------


# -- CG301 sqlite-default-connection ------------------------------------------------------------

_SQLITE = {"DB_CONNECTION": frozenset({"sqlite"}),
           "DATABASE_URL": frozenset({"sqlite", "sqlite3", "spatialite"})}
_ON_VOLUME = {"DB_CONNECTION": "set DB_DATABASE to a file on a named volume "
                                "(`/data/database.sqlite` with a volume at /data)",
              "DATABASE_URL": "put the file on a named volume "
                              "(`sqlite:////data/db.sqlite3` with a volume at /data)"}
_LOSS = ("the SQLite file lives in the container's writable layer, which Compose throws away "
         "whenever it recreates the container (a new image, a changed setting), and the app "
         "starts again on an empty database")


def _laravel_hint(project: Project, app: LaravelApp) -> str:
    unused = appdb.unused_database_setting(project, app.root)
    if unused is None:
        return ""
    service, setting = unused
    return (f"service '{service}' sets {setting} but not DB_CONNECTION, so unless "
            "the app's own .env sets it, the app never uses that database; ")


def _laravel_findings(self: Rule, project: Project) -> Iterator[Finding]:
    for app in project.laravel_apps:
        if not project.runs_app(app.root):
            continue
        default = project.laravel_default_connection(app)
        if default is None or default.connection.strip().lower() != "sqlite" or \
                appdb.kept_on_volumes(project, app.root,
                                      lambda s: sqlite_file("DB_CONNECTION", "", s)) or \
                _documented_server_database(project, app.root):
            continue
        if default.from_env:
            what = (f"config/database.php falls back to the `sqlite` connection whenever "
                    f"{default.from_env} is unset")
            change = f"env('{default.from_env}', 'mysql')"
        else:
            what, change = "config/database.php always uses the `sqlite` connection", \
                "env('DB_CONNECTION', 'mysql')"
        yield self.finding(default.location, what, help=(
            f"{_laravel_hint(project, app)}{_LOSS}; make the fallback your server "
            f"database (`'default' => {change},` or `pgsql`) and set DB_CONNECTION on the server"),
            fix=offer(laravel_default_fix, project, app))


def _documented_server_database(project: Project, root: Path) -> str | None:
    """The env template beside the app (``.env.example``...) when it sets DB_CONNECTION to a
    server database: a deployment that follows the project's own instructions never reaches
    the fallback."""
    from composeguard.lint.project import DOCUMENTED_ENV_FILES

    for name in DOCUMENTED_ENV_FILES:
        env = project.env_file(root / name) if (root / name).is_file() else None
        value = env.variables().get("DB_CONNECTION", "").strip().lower() if env else ""
        if value:
            return name if value != "sqlite" else None
    return None


def _django_findings(self: Rule, project: Project) -> Iterator[Finding]:
    seen: set[Location] = set()
    for settings in appdb.production_django_settings(project):
        database = project.django_database(settings)
        if database is None or not database.is_sqlite or database.overridable \
                or database.location in seen:
            continue
        seen.add(database.location)
        ignored = next((f"compose service '{s.name}' sets DATABASE_URL, which these settings "
                        "never read; " for s in appdb.services_built_from(project,
                                                                           settings.path.parent)
                        if s.env("DATABASE_URL")), "")
        source = f", inherited from {database.location.path.name}" if database.inherited else ""
        yield self.finding(database.location, (
            f"{settings.module} always runs DATABASES['default'] on SQLite"), help=(
            f"the engine is `{database.engine}`{source}, and nothing in the environment can "
            f"change it; {ignored}{_LOSS}; read it from the "
            "environment: `DATABASES = {'default': dj_database_url.config(conn_max_age=600)}` "
            "or `env.db('DATABASE_URL')`, with no SQLite default"),
            fix=offer(django_database_fix, project, database.location))


def _always(path: str) -> Callable[[Service], str]:
    """The same SQLite file in every service (Rails names it in database.yml)."""
    return lambda _service: path


def _rails_findings(self: Rule, project: Project) -> Iterator[Finding]:
    for root in project.rails_apps:
        database = project.rails_database(root)
        if database is None or not database.is_sqlite or database.from_url_env:
            continue
        if appdb.kept_on_volumes(project, root,
                                 _always(database.database or "storage/production.sqlite3")):
            continue
        merged = " (through `<<: *default`)" if database.via_merge else ""
        yield self.finding(database.location, (
            f"config/database.yml runs `production:` on the `{database.adapter}` adapter"), help=(
            f"it does{merged} whenever DATABASE_URL is unset on the server: {_LOSS}; give "
            "production a server "
            "database: `url: <%= ENV[\"DATABASE_URL\"] %>` under `production:` with DATABASE_URL "
            "set on the server (or, for a deliberate SQLite deployment, mount a named volume "
            "at the app's storage/)"))


def _env_file_findings(self: Rule, project: Project) -> Iterator[Finding]:
    for path in project.env_files:
        role = env_file_role(path).deployment
        if role == "development" or (role == "plain" and project.tracked(path) is not True):
            continue
        if role != "production" and not project.runs_app(path.parent):
            continue
        env = project.env_file(path)
        values = env.resolve() if env is not None else {}
        for name, accepted in _SQLITE.items():
            value, location = values.get(name, ("", None))
            if location is None or not setting_matches(name, value.strip(), accepted):
                continue
            kind = {"production": "a production env file", "template": "an env template that "
                    "`cp` turns into the server's .env"}.get(role, "an env file git tracks")
            app = next((a for a in project.laravel_apps if a.root == path.parent), None)
            fix = offer(env_connection_fix, project, app, path, location.line,
                        template=role == "template", safe=role == "template") \
                if app is not None and name == "DB_CONNECTION" else None
            yield self.finding(location, (
                f"{path.name} sets {name}={value.strip()}: it is {kind}, and {_LOSS}; set "
                f"{name} to the server database "
                f"({'`mysql`, `pgsql`...' if name == 'DB_CONNECTION' else '`postgres://...`'})"),
                fix=fix)


def _compose_findings(self: Rule, project: Project) -> Iterator[Finding]:
    for written in project.written_settings(_SQLITE):
        service, name, value = written.service, written.name, written.value
        if on_volume(sqlite_file(name, value, service), service):
            continue
        setting, when = _setting(name, written.written, value)
        yield self.finding(written.node.anchor_loc, (
            f"service '{service.name}' {setting}: {when}{_LOSS}; "
            f"require the server database (`{name}: ${{{name}:?}}`), or for a deliberate SQLite "
            f"deployment {_ON_VOLUME[name]}"))


@rule(
    code="CG301",
    name="sqlite-default-connection",
    severity=Severity.ERROR,
    summary="The app falls back to SQLite when nothing is set.",
    what="""
        Reports the places that make the app use SQLite unless someone remembers to set a
        variable on the server:

        - Laravel (an `artisan` file and laravel/framework in composer.json):
          `config/database.php` whose `'default'` is `env('DB_CONNECTION', 'sqlite')` or the
          literal `'sqlite'` (read from the PHP syntax tree; the finding points at the call).
        - Django: the settings production runs (the single `settings.py`, else the production
          modules of a settings package, else its `base` module) whose `DATABASES['default']`
          is `django.db.backends.sqlite3` and that no environment variable can change; an
          inherited value is reported once, where `base.py` writes it. A `dj_database_url` or
          `env.db()` call is an override even with a SQLite default.
        - Rails: `config/database.yml` whose `production:` uses the `sqlite3` adapter (through
          `<<: *default` too: the finding points at the anchor's `adapter:`), unless its
          `url:` reads `ENV["DATABASE_URL"]`.
        - Env files: `DB_CONNECTION=sqlite` or `DATABASE_URL=sqlite:...` in an env file git
          tracks, an env template (`.env.example`, `.env.sample`, `.env.dist`,
          `.env.template`: what `cp .env.example .env` puts on the server), or a production
          env file (`.env.production`, `.env.prod`, `.env.staging`...). Development and test
          env files (`.env.local`, `.env.testing`, `.env.dusk.local`) and an untracked `.env`
          are this machine's business and never reported.
        - Compose: `DB_CONNECTION: sqlite` or `DATABASE_URL: sqlite:...` written in a
          production-facing service's `environment`, also as an interpolation default
          (`${DB_CONNECTION:-sqlite}`), unless the SQLite file is on a named volume or bind
          mount of that service (`DB_DATABASE=/data/database.sqlite` with a volume at
          `/data`): a deliberate, persistent SQLite deployment is fine.

        An app the project never runs in production is not judged (its env template and
        tracked env files neither; a production env file still is): in a project whose
        production runs a compose setup, an app folder that no setup builds or mounts and no
        script or CI job builds an image from (a `startproject` skeleton beside the real
        services); and an app that only development or test setups run, in a repository with
        no other way to production (no production setup, platform configuration or image a
        script builds): the project shows it on developers' machines only, with the settings
        of their working tree.

        Laravel's fallback is not reported when the app's env template (`.env.example`...)
        sets DB_CONNECTION to a server database: a deployment that follows the project's own
        instructions never reaches it.

        Laravel and Rails are not reported when the SQLite file is deliberate and kept:
        every production-facing service built from the app mounts a named volume or bind
        mount where the file lives (Laravel's `database/` or `DB_DATABASE`, Rails'
        `storage/`), as a Rails 8 app on SQLite does.
    """,
    why="""
        SQLite keeps the whole database in one file. In a container that file lives in the
        writable layer, which Compose throws away whenever it recreates the container: a new
        image, a changed setting, `docker compose up` after a pull. The app starts again on an
        empty database and nothing fails loudly. When the deployment also ships a real
        database (a mysql service, a `DATABASE_URL`), the app silently ignores it.
    """,
    example="""
        ```php
        // config/database.php
        'default' => env('DB_CONNECTION', 'sqlite'),
        ```

        ```dotenv
        # .env.example
        DB_CONNECTION=sqlite
        ```
    """,
    use_instead="""
        ```php
        // config/database.php
        'default' => env('DB_CONNECTION', 'mysql'),
        ```

        ```dotenv
        # .env.example
        DB_CONNECTION=mysql
        ```
    """,
    fix_safety="""
        Laravel only, and only when the compose setups run one kind of SQL server (mysql or
        mariadb: `mysql`; postgres: `pgsql`; mssql: `sqlsrv`) that config/database.php
        defines. `composeguard fix` replaces the name inside the quotes of the fallback
        (`env('DB_CONNECTION', 'sqlite')` becomes `env('DB_CONNECTION', 'mysql')`), found
        through the PHP syntax tree, and the value of `DB_CONNECTION=sqlite` in the app's env
        files; the `DB_HOST`/`DB_DATABASE`/... lines are left as they are (they name the
        server's own database). Safe for config/database.php (a container's SQLite file is
        lost at the next deploy anyway) and for env templates (`.env.example`: only new
        copies change); unsafe in an env file a server reads (`.env.production`, a tracked
        `.env`): that server's app switches to another database, so move its data first.

        Django, when the compose setups run one SQL server Django has a backend for (postgres,
        or mysql/mariadb) and `DATABASES['default']` is a dict literal: the dict becomes that
        server, read from the environment (`'NAME': os.environ['POSTGRES_DB']`, `USER`,
        `PASSWORD` likewise, `HOST` defaulting to the store's compose service, `PORT` to its
        port), written with the module's own quotes and indentation through libcst;
        `import os` is added when the module lacks it. Unsafe: the app now needs those
        variables where it starts (the message names them) and stops on the first start
        without them instead of falling back to SQLite; a server that ran on SQLite so far
        has its data in that file, so move it first. Rails settings are not fixed: the
        message gives the exact change.
    """,
    references=("https://laravel.com/docs/11.x/database#configuration",
                "https://docs.djangoproject.com/en/5.1/ref/settings/#databases",
                "https://guides.rubyonrails.org/configuring.html#configuring-a-database",
                "https://docs.docker.com/engine/storage/"),
)
def sqlite_default_connection(self: Rule, project: Project) -> Iterator[Finding]:
    yield from _laravel_findings(self, project)
    yield from _django_findings(self, project)
    yield from _rails_findings(self, project)
    yield from _env_file_findings(self, project)
    yield from _compose_findings(self, project)


# -- CG302 debug-enabled-in-production ----------------------------------------------------------

_ON = frozenset({"1", "true", "yes", "on", "(true)"})
_DEBUG = {"APP_DEBUG": _ON, "DEBUG": _ON, "DJANGO_DEBUG": _ON, "FLASK_DEBUG": _ON,
          "RAILS_ENV": frozenset({"development"}), "APP_ENV": frozenset({"local"})}
_DEBUG_EFFECT = {
    "APP_DEBUG": "Laravel's error pages show every visitor the stack trace and the environment "
                 "(database password, APP_KEY), and debug-mode tooling has let attackers run code "
                 "(CVE-2021-3129)",
    "DEBUG": "error pages show every visitor settings, source and stack traces",
    "DJANGO_DEBUG": "Django's error pages show every visitor settings and stack traces, and every "
                    "SQL query is kept in memory",
    "FLASK_DEBUG": "Werkzeug's interactive debugger lets whoever triggers an error run Python on "
                   "the server",
    "RAILS_ENV": "Rails runs the `development:` database settings (often a SQLite file inside the "
                 "container) and shows full error pages",
    "APP_ENV": "Laravel runs as `local`: `migrate:fresh`, `db:wipe` and seeders no longer ask for "
               "confirmation, and guards written against `isProduction()` let them through",
}
_DEBUG_FIX = {"RAILS_ENV": "production", "APP_ENV": "production"}


def _debug_message(subject: str, setting: str, name: str, context: str = "") -> str:
    """``subject setting: context, effect; remedy``, split into message and help."""
    return (f"{subject} {setting}: {context}{_DEBUG_EFFECT[name]}; set "
            f"{name}={_DEBUG_FIX.get(name, 'false')} (or take it from the server's environment)")


def _templates_kept_local(self: Rule, project: Project, folders: set[Path],
                          seen: set[Location]) -> Iterator[Finding]:
    """``APP_DEBUG=true`` in the env template beside a production compose file that itself
    runs its app as ``APP_ENV=local``: that setup shows the server keeps the template's
    development values, so nothing turns its debug mode off."""
    for path in project.env_files:
        if path.parent not in folders or env_file_role(path).deployment != "template":
            continue
        env = project.env_file(path)
        value, location = (env.resolve() if env is not None else {}).get("APP_DEBUG",
                                                                          ("", None))
        if location is not None and value.strip().lower() in _ON and location not in seen:
            seen.add(location)
            yield self.finding(location, _debug_message(
                path.name, f"sets APP_DEBUG={value.strip()}", "APP_DEBUG",
                "it is the env template of a production setup that runs its app as "
                "APP_ENV=local, so the server keeps it: "))


@rule(
    code="CG302",
    name="debug-enabled-in-production",
    severity=Severity.ERROR,
    summary="Debug or development mode switched on where production runs.",
    what="""
        Reports `APP_DEBUG=true`, `DEBUG`/`DJANGO_DEBUG`/`FLASK_DEBUG` set to `1`, `true`,
        `yes` or `on`, `RAILS_ENV=development` and `APP_ENV=local`:

        - written in the `environment` of a production-facing compose service, also as an
          interpolation default (`${APP_DEBUG:-true}`); a data store's own `DEBUG` is not the
          app's;
        - in a production env file: one named for production (`.env.production`, `.env.prod`,
          `.env.staging`...), or one git tracks that a production-facing service loads with
          `env_file:`;
        - as a literal `DEBUG = True` in the Django settings production runs: the single
          `settings.py`, or a production module of a settings package (inherited from `base`
          too, reported where it is written).

        Not reported: the settings of an app the project never runs (no setup builds or
        mounts it, as for CG301), env templates such as `.env.example` (Laravel ships them with
        `APP_ENV=local` and `APP_DEBUG=true` for development, and every deploy guide sets
        both on the server), development and test files, and a compose setup whose services
        say they are development (`APP_ENV=local`, a development server...), which is judged
        as development, not as a debug leak. `NODE_ENV=development` is not debug mode and is
        left alone. The exception to templates: where a production setup itself runs its app
        as `APP_ENV=local` (reported), the setup shows that the server keeps the template's
        development values, so `APP_DEBUG=true` in the env template beside that compose file
        is what production runs with and is reported too.
    """,
    why="""
        Debug mode turns every error into a page that shows the visitor the code, the
        settings and often the database password, and debug tooling has repeatedly let
        attackers run code on the server (Laravel Ignition, CVE-2021-3129; Werkzeug's
        debugger console): whoever gets there can read, encrypt or drop the production
        database. A development environment name also switches off the confirmations and
        guards that stop `migrate:fresh` or `db:wipe` in production, and makes Rails use its
        development database.
    """,
    example="""
        services:
          app:
            build: .
            environment:
              APP_ENV: production
              APP_DEBUG: "true"
    """,
    use_instead="""
        services:
          app:
            build: .
            environment:
              APP_ENV: production
              APP_DEBUG: "false"
    """,
    fix_safety="""
        Django settings only: `DEBUG = True` (or a true number) in the settings production
        runs becomes `DEBUG = os.environ.get('DJANGO_DEBUG') == '1'`, with the module's own
        quotes, through libcst; `import os` is added when the module lacks it. Unsafe: a
        developer whose machine used these settings with debug on sets `DJANGO_DEBUG=1`.
        Values in compose files and env files are not changed: which value each server should
        have is its operator's call, and the message says what to write.
    """,
    references=("https://laravel.com/docs/11.x/configuration#debug-mode",
                "https://docs.djangoproject.com/en/5.1/ref/settings/#debug",
                "https://flask.palletsprojects.com/en/stable/debugging/",
                "https://nvd.nist.gov/vuln/detail/CVE-2021-3129"),
)
def debug_enabled_in_production(self: Rule, project: Project) -> Iterator[Finding]:
    seen: set[Location] = set()
    kept_local: set[Path] = set()
    for written in project.written_settings(_DEBUG):
        service, name = written.service, written.name
        if name == "DEBUG" and project.data_store(service, written.model) is not None:
            continue
        if name == "APP_ENV" and not written.written.fallback:
            kept_local.add(written.model.files[0].path.parent)
        seen.add(written.node.anchor_loc)
        setting, when = _setting(name, written.written, written.value)
        yield self.finding(written.node.anchor_loc, _debug_message(
            f"service '{service.name}'", setting, name, f"{when}in a production setup: "))
    for entry in facts.production_env_values(project):
        name, value, location = entry.name, entry.value, entry.location
        if name in _DEBUG and value.strip().lower() in _DEBUG[name] and location not in seen:
            seen.add(location)
            yield self.finding(location, _debug_message(
                entry.path.name, f"sets {name}={value.strip()}", name,
                "an env file production reads: "))
    yield from _templates_kept_local(self, project, kept_local, seen)
    for settings in appdb.production_django_settings(project):
        debug_at = project.django_debug(settings) if settings.role != "base" else None
        if debug_at is not None and debug_at not in seen:
            seen.add(debug_at)
            yield self.finding(debug_at, f"{settings.module} sets DEBUG = True", help=(
                f"{'' if debug_at.path == settings.path else f'written in {debug_at.path.name}; '}"
                f"production runs these settings: {_DEBUG_EFFECT['DJANGO_DEBUG']}; read it "
                "from the environment with an off default: "
                "`DEBUG = os.environ.get('DJANGO_DEBUG') == '1'`"),
                fix=offer(django_debug_fix, project, debug_at))
