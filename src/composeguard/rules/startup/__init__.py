"""CG2xx: work done automatically on every container start."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

from composeguard.lint.engine.finding import Finding, Fix, Severity, offer
from composeguard.lint.facts.commands import DATA_STEPS, Action, Operation
from composeguard.lint.facts.start_commands import StartStep
from composeguard.lint.model.compose import Environment, Service
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.shell import Command, Failure
from composeguard.lint.project import Project
from composeguard.rules.base import Rule, rule

PRODUCTION = (Environment.PRODUCTION,)
NOT_TEST = (Environment.PRODUCTION, Environment.DEVELOPMENT)


def _start_command_fix() -> Callable[..., Fix | None]:
    """The split's start-command fix, imported when a finding offers it: a check that finds
    nothing never loads the split generator."""
    from composeguard.fix.split import start_command_fix

    return start_command_fix


def _fix_safety(split: str, effect: str) -> str:
    return (
        "Unsafe. Where one compose file serves every environment, `composeguard fix "
        f"--unsafe-fixes` generates the dev/prod split (see CG601): {split}, and the base's "
        "start command keeps only the server. Where the project is split already, the step "
        "is removed from the production start command (`sh -c \"php artisan migrate --force "
        f"&& php-fpm\"` becomes `php-fpm`). Unsafe: {effect}, which is the point. Steps in a "
        "script or a Dockerfile, and start commands the shell model cannot read exactly (a "
        "condition, a pipe, a redirection), are not fixed."
    )


def _deploy_actions(project: Project, operations: tuple[Operation, ...]) -> Iterator[
        tuple[Command, Action, str]]:
    """Each command of a deploy step (a script, Makefile target or CI job named for deploying,
    or one naming a production compose file) that has one of ``operations``, unconditioned,
    aimed at no development, test or example setup, with its action and the step's name: what
    runs on every deploy, as a start command runs on every start."""
    from composeguard.lint.facts.purpose import ScriptPurpose

    seen: set[Location] = set()
    for operation in operations:
        for fragment, command, actions, purpose, named in project.script_actions(operation):
            if purpose is not ScriptPurpose.DEPLOY or command.conditions \
                    or command.location in seen \
                    or project.aimed_at_throwaway(fragment, command):
                continue
            seen.add(command.location)
            yield command, actions[0], named


def _where(service: Service, step: StartStep) -> str:
    if step.via in ("command", "entrypoint"):
        return f"service '{service.name}'"
    return f"service '{service.name}' (through {step.via})"


def _production_steps(project: Project) -> Iterator[tuple[Service, StartStep]]:
    """Each ungated start step of a production service: what the rules that judge a start
    command by its words (not by its data effects, which :meth:`Project.start_actions`
    gives) read."""
    for model, service in project.production_services():
        for step in project.start_steps(model, service):
            if not step.gated:
                yield service, step


def _step_finding(rule: Rule, step: StartStep, location: Location, sentence: str,
                  **keywords: Any) -> Finding:
    """A finding whose sentence names the service with :func:`_where`: split into message
    and help as every finding is, with how the step was found when that took a guess
    (``StartStep.note``) at the end of the help."""
    from composeguard.lint.engine.finding import split_message

    message, help_text = split_message(sentence)
    return rule.finding(location, message, help=f"{help_text} ({step.note})" if step.note
                        else help_text, **keywords)


def _seeding(effects: frozenset[str] | None) -> str:
    """What a restart does, from what the seeds do to rows."""
    if effects and "delete" in effects:
        return "deletes the rows the seeds own and seeds them again"
    if effects and "update" in effects:
        return ("overwrites the rows the seeds name with the seed's values, undoing what "
                "users and admins changed since")
    return "inserts the seed data again"


@rule(
    code="CG201",
    name="seed-on-start",
    severity=Severity.ERROR,
    summary="A production container seeds the database every time it starts.",
    what="""
        Reports a seeder in what a service runs on start in a production-facing compose file:
        its `command`/`entrypoint` (string or list form, `sh -c`/`bash -lc` bodies read as
        shell), the Dockerfile ENTRYPOINT/CMD of its build, and the project scripts and
        `npm run` scripts those call. Wrappers are seen through (`exec`, `VAR=value` prefixes,
        `gosu`, `bundle exec`, `npx`, `uv run`...). Known seeders include `artisan db:seed`,
        `artisan migrate --seed`, `manage.py loaddata`, `rails db:seed`/`db:setup`/`db:reset`,
        `prisma db seed`, `knex seed:run`, `sequelize db:seed:all`, `doctrine:fixtures:load`.
        Development and test files may seed. A seed behind `if [ "$SEED" = 1 ]` is reported
        only when the service's environment turns it on; `rails db:prepare` seeds only a new
        database and is not reported, nor is a Laravel seed whose seeders (followed through
        `$this->call(...)`, read with tree-sitter's PHP grammar) only upsert
        (`updateOrCreate`, `firstOrCreate`, `upsert`, `updateOrInsert`, `insertOrIgnore`),
        nor a knex or Sequelize seed whose files (`seeds/`, `seeders/`, read with
        tree-sitter's JavaScript and TypeScript grammars) only upsert
        (`.insert(...).onConflict(...).merge()` or `.ignore()`): running it again leaves
        existing rows as they are. What the message says follows what the seeds do: seeds that
        delete first (`knex('users').del()`, `truncate`, `bulkDelete`) wipe their tables on
        every start, seeds that update (`->update([...])`) overwrite what users and admins
        changed, the others insert again. An image built only for development setups is judged
        by its own ENTRYPOINT and CMD too, whatever command the development file gives it:
        that is what it runs wherever else it is deployed (not a development image: a
        development Dockerfile or stage, a development server). A deploy step runs on every
        deploy as a start command
        runs on every start: a seeder in a script, Makefile target or CI job named for
        deploying (or one that runs a production compose file), outside any condition, is
        reported too.
    """,
    why="""
        A container restarts on every deploy, crash, or host reboot. A seeder run each time
        inserts its rows again (duplicates, reset admin passwords, demo data in production) or
        fails on unique keys, and `doctrine:fixtures:load` purges the tables before loading.
    """,
    example="""
        services:
          app:
            build: .
            command: sh -c "php artisan migrate --force && php artisan db:seed --force && php-fpm"
    """,
    use_instead="""
        services:
          app:
            build: .
            command: php-fpm
        # seed once, by hand:  docker compose run --rm app php artisan db:seed --force
        # keep the automatic seeding in docker-compose.dev.yml
    """,
    fix_safety=_fix_safety("the seeding step stays in the generated development file, "
                           "chained with `&&`",
                           "production no longer seeds on start; seed once by hand"),
    references=("https://laravel.com/docs/11.x/seeding#running-seeders",
                "https://docs.docker.com/reference/compose-file/services/#command"),
)
def seed_on_start(self: Rule, project: Project) -> Iterator[Finding]:
    for model, service, step, action in project.start_actions(PRODUCTION, (Operation.SEED,)):
        effects = project.seed_effects(model, service, step.command.words)
        if effects == frozenset({"upsert"}):
            continue  # every seeder only upserts: a start leaves existing rows as they are
        what = _seeding(effects)
        yield _step_finding(self, step,
            step.location,
            f"{_where(service, step)} seeds the database on every start (`{action.command}`): "
            f"each restart or deploy {what}; seed once by hand or in the development compose "
            "file",
            fix=offer(_start_command_fix(), project, model, service, step),
        )
    for _, service, step, action in project.image_start_actions((Operation.SEED,)):
        yield _step_finding(self, step, step.location, (
            f"{_where(service, step)} seeds on every start of the image (`{action.command}`): "
            "the development file gives the service its own command, "
            "but wherever else the image runs, each restart inserts the seed data again; seed "
            "once by hand"))
    for command, action, named in _deploy_actions(project, (Operation.SEED,)):
        yield self.finding(command.location, (
            f"`{named}`, a deploy step, seeds the database on every deploy "
            f"(`{action.command}`): each deploy inserts the seed data again; seed once by hand"))


@rule(
    code="CG202",
    name="destructive-db-command-on-start",
    severity=Severity.ERROR,
    summary="A container wipes or rebuilds the database every time it starts.",
    what="""
        Reports a start command that drops or wipes data, in any compose file that is not a
        test file: `artisan migrate:fresh/refresh/reset`, `artisan db:wipe`, `manage.py flush`,
        `rails db:drop/db:reset/db:schema:load`, `prisma migrate reset`,
        `prisma db push --force-reset`, `sequelize db:drop`, `doctrine:schema:drop`..., and
        a database dropped with its own tools: `mysqladmin drop`, `dropdb`, `redis-cli
        FLUSHALL`, `DROP`/`TRUNCATE` given to `mysql -e` or `psql -c`, `mongosh --eval
        'db.dropDatabase()'`. The
        command is found as for CG201: compose commands, Dockerfile entrypoints, and the
        project scripts they run. In production-facing setups, `manage.py makemigrations`
        on start too (not `--check` or `--dry-run`): the server writes its own migrations
        from the models, and Django turns a renamed field it cannot ask about into a drop
        and an add.
    """,
    why="""
        The command runs again whenever the container is recreated: a deploy, a crash, a host
        reboot. Each time every table is dropped and rebuilt, and the data written since the
        last start is gone. In development it silently throws away the developer's data too.
    """,
    example="""
        services:
          app:
            build: .
            command: sh -c "php artisan migrate:fresh --seed --force && php-fpm"
    """,
    use_instead="""
        services:
          app:
            build: .
            command: php-fpm
        # reset a development database on purpose:
        #   docker compose run --rm app php artisan migrate:fresh --seed
    """,
    fix_safety=_fix_safety("the wiping step is left out of both generated files",
                           "nothing wipes the database on start any more"),
)
def destructive_db_command_on_start(self: Rule, project: Project) -> Iterator[Finding]:
    for model, service, step, action in project.start_actions(NOT_TEST, (Operation.DESTROY,)):
        yield _step_finding(self, step,
            step.location,
            f"{_where(service, step)} runs `{action.command}` on every start: it drops the "
            "database's data each time the container is recreated",
            fix=offer(_start_command_fix(), project, model, service, step),
        )
    yield from _migrations_made_on_start(self, project)


def _migrations_made_on_start(self: Rule, project: Project) -> Iterator[Finding]:
    from composeguard.lint.facts.commands import generates_migrations

    seen: set[Location] = set()
    for service, step in _production_steps(project):
        made = generates_migrations(step.command.words)
        if made is not None and step.location not in seen:
            seen.add(step.location)
            yield _step_finding(self, step, step.location, (
                f"{_where(service, step)} runs `{made}` on every start: the server writes "
                "migrations nobody reviewed from the models it runs, and a renamed field "
                "becomes a dropped column and a new empty one; make migrations in development "
                "and commit them"))


@rule(
    code="CG203",
    name="masked-failure",
    severity=Severity.ERROR,
    summary="A migration or seed whose failure is ignored, so the app starts anyway.",
    what="""
        Reports, in production-facing files, a migration, seed or other database step in a
        start command whose failure cannot stop the start: `|| true`, `|| :`, `|| exit 0`,
        `|| echo ...`, or a `;` or line break chaining onto the next command without
        `set -e`, or a pipe into `tee`; and the same in a deploy step (a script, Makefile
        target or CI job named for deploying, or one that runs a production compose file),
        where the next command starts the new code on what the failed step left; and in the
        app's own Python start code (`main.py`, `app.py`, `wsgi.py`, `startup.py`... of an
        app the project runs), a migration (`alembic.command.upgrade`, Flask-Migrate's
        `upgrade()`, `call_command("migrate")`) inside a `try` whose `except Exception`
        neither raises nor exits. A step the
        image itself runs (its ENTRYPOINT or CMD,
        and the scripts they call) goes wherever the image runs: it is reported whatever
        setup builds the image, unless the image is a development one (built from a
        development Dockerfile or stage, or starting a development server). A service that
        runs an image by name starts as the Dockerfile a script or CI job builds that image
        from (`docker build -f docker/Dockerfile -t org/app .`), also when the name is given
        to the build afterwards (`docker tag app-base org/app:latest`, or a manifest list of
        the build's platform images: `docker manifest create org/app --amend
        org/app-amd64`).
    """,
    why="""
        A migration that fails half-way leaves the schema between two versions. If the failure
        is swallowed, the new code starts on it and writes rows the old or new schema cannot
        read, turning a failed deploy into corrupted data.
    """,
    example="""
        services:
          app:
            build: .
            command: sh -c "php artisan migrate --force || true && php-fpm"
    """,
    use_instead="""
        services:
          app:
            build: .
            command: sh -c "php artisan migrate --force && exec php-fpm"
    """,
    fix_safety=_fix_safety("the step stays in the generated development file, chained with "
                           "`&&` instead of `|| true`",
                           "production no longer runs the step on start"),
)
def masked_failure(self: Rule, project: Project) -> Iterator[Finding]:
    operations = DATA_STEPS
    reported: set[Location] = set()
    production = project.start_actions(PRODUCTION, operations)
    image = project.image_start_actions(operations)
    for model, service, step, action in itertools.chain(production, image):
        command = step.command
        if command.failure not in (Failure.IGNORED, Failure.CONTINUES) or not command.masked_by:
            continue
        if step.location in reported:
            continue
        reported.add(step.location)
        state = {Operation.MIGRATE: "a half-migrated", Operation.SEED: "a partly seeded"}.get(
            action.operation, "a half-reset")
        yield _step_finding(self, step,
            step.location,
            f"{_where(service, step)} ignores a failure of `{action.command}`: "
            f"{_mask(command.masked_by)} lets the app start on {state} database; "
            "chain it with `&&` or `set -e`",
            fix=offer(_start_command_fix(), project, model, service, step),
        )
    for location, what in project.swallowed_migrations:
        yield self.finding(location, (
            f"{location.path.name} swallows a failure of `{what}` when the app starts"), help=(
            "it catches every error without raising it, so the app serves on a half-migrated "
            "database; let the exception stop the start (`raise`)"))
    for command, action, named in _deploy_actions(project, operations):
        if command.failure not in (Failure.IGNORED, Failure.CONTINUES) or not command.masked_by \
                or command.location in reported:
            continue
        yield self.finding(command.location, (
            f"`{named}`, a deploy step: a failure of `{action.command}` is ignored "
            f"({_mask(command.masked_by)}), so the deploy goes on with the database as the "
            "failed step left it; chain the steps with `&&` or `set -e`"))


def _mask(masked_by: str) -> str:
    """What lets the failure through, by its operator: ``|| true``, ``;``, a pipe, ``&``."""
    if masked_by.startswith("||"):
        return f"`{masked_by}`"
    if masked_by.startswith(";"):
        return "`;` without `set -e`"
    if masked_by.startswith("&"):
        return "`&` runs it in the background"
    if masked_by.startswith("|"):
        program = masked_by[1:].split()[:1]
        into = f" into `{program[0]}`" if program else ""
        return f"the pipe{into}, whose status wins without `set -o pipefail`"
    return "a line break without `set -e`"


@rule(
    code="CG204",
    name="migrate-on-start-in-production",
    severity=Severity.WARNING,
    summary="Several production replicas migrate the database automatically on every start.",
    what="""
        Reports automatic migrations (`artisan migrate`, `manage.py migrate`,
        `rails db:migrate`, `prisma migrate deploy`, `alembic upgrade`...) in what a service
        runs on start in a production-facing compose file, when several containers of the
        service start at once (`deploy.replicas` or `scale` above 1, `deploy.mode: global`):
        each runs the migration. A single instance whose start stops on a failed migration
        (`&&`, `set -e`) is a valid, deliberate deploy step for that app, and is not
        reported; a migration whose failure is swallowed is CG203's.

        A service that shows it is a development service is judged as development here and
        in CG201 and CG203, whatever its file is called: its start command runs a development
        server (`manage.py runserver`, `artisan serve`, `uvicorn --reload`, `nodemon`...), its
        environment sets `APP_ENV`/`RAILS_ENV`/`NODE_ENV`... to development or local, it is
        built from a development Dockerfile or stage, or it keeps a terminal open
        (`tty` and `stdin_open`).
    """,
    why="""
        A deploy should migrate once, as its own step, after a backup, and stop if it fails.
        Migrating on start runs the migration from every replica at once: two containers
        apply the same migration together, one fails half-way or both write the schema, and
        a destructive migration runs before anyone has taken a backup.
    """,
    example="""
        services:
          app:
            build: .
            command: sh -c "php artisan migrate --force && php-fpm"
            deploy:
              replicas: 3
    """,
    use_instead="""
        services:
          app:
            build: .
            command: php-fpm
            deploy:
              replicas: 3
        # deploy: back up, then  docker compose run --rm app php artisan migrate --force
    """,
    fix_safety=_fix_safety("the migration stays in the generated development file",
                           "production no longer migrates on start; migrate as a deploy step, "
                           "after a backup"),
)
def migrate_on_start_in_production(self: Rule, project: Project) -> Iterator[Finding]:
    for model, service, step, action in project.start_actions(PRODUCTION, (Operation.MIGRATE,)):
        together = _started_together(service)
        if together is None:
            continue
        yield _step_finding(self, step,
            step.location,
            f"{_where(service, step)} migrates on every start with several replicas: "
            f"`{action.command}` runs in a production file, and {together} start at once, "
            "each migrating",
            fix=offer(_start_command_fix(), project, model, service, step),
        )


def _started_together(service: Service) -> str | None:
    """How several containers of ``service`` start at once (``scale`` or ``deploy.replicas``
    above 1, ``deploy.mode: global``), for messages; None for a single one."""
    from composeguard.lint.parse.nodes import scalar_text

    if service.replicas > 1:
        return f"its {service.replicas} replicas"
    deploy = service.get("deploy")
    mode = deploy.get("mode") if deploy is not None and deploy.is_map else None
    if mode is not None and mode.is_scalar and scalar_text(mode.value) == "global":
        return "one replica per node (`mode: global`)"
    return None


# -- CG205 env-file-replaced-on-start ----------------------------------------------------------


@rule(
    code="CG205",
    name="env-file-replaced-on-start",
    severity=Severity.WARNING,
    other_severities=(Severity.ERROR,),
    summary="A production start command replaces the app's `.env`, or the key in it.",
    what="""
        Reports a start command of a production-facing setup (the compose `command`/
        `entrypoint`, the Dockerfile's ENTRYPOINT/CMD and the scripts they run) that replaces
        the app's `.env` with the example one: `cp .env.example .env`, `cat .env.dist > .env`.
        An error when a later step of the same start migrates, seeds or wipes the database:
        it then runs with the example's settings (its database, its `APP_ENV`). A copy guarded
        by a test of the file (`[ -f .env ] || cp ...`, `if [ ! -f .env ]`) or made with
        `cp -n` leaves an existing `.env` alone and is fine, as are development setups.

        Also `php artisan key:generate` (not `--show`) on every start: it writes a new
        `APP_KEY` into `.env` whenever it runs with `--force`, or in an app whose `APP_ENV`
        is not production (in production, without `--force`, it asks and a start cannot
        answer). Guarded by a condition (`if [ -z "$APP_KEY" ]`), it is fine.
    """,
    why="""
        The `.env` of a production container holds production's settings: the database host
        and password, `APP_ENV=production`, the keys. Copying the example over it on every
        start swaps them for the example's defaults, often `DB_CONNECTION=sqlite`, a local
        host, `APP_ENV=local`, `APP_DEBUG=true`. The app then writes to the wrong database, or
        to a SQLite file inside the container that the next recreate throws away; followed by
        `migrate:fresh`, the wipe runs wherever the example points.
    """,
    example="""
        services:
          app:
            image: shop/app:1.4
            command: sh -c "cat .env.example > .env && php artisan migrate --force && php-fpm"
    """,
    use_instead="""
        services:
          app:
            image: shop/app:1.4
            command: sh -c "php artisan migrate --force && php-fpm"
            env_file: .env.production   # kept on the server, not in git
    """,
)
def env_file_replaced_on_start(self: Rule, project: Project) -> Iterator[Finding]:
    from composeguard.lint.facts.commands import copies_example_env

    seen: set[Location] = set()
    data = DATA_STEPS
    for model, service in project.production_services():
        steps = project.start_steps(model, service)
        for i, step in enumerate(steps):
            source = copies_example_env(step.command.words, step.command.redirects)
            if source is None or step.gated or step.location in seen:
                continue
            seen.add(step.location)
            after = next((a for later in steps[i + 1:] if not later.gated
                          for a in later.actions if a.operation in data), None)
            then = (f", and then runs `{after.command}` with the example's database settings"
                    if after is not None else "")
            yield _step_finding(self, step, step.location, (
                f"{_where(service, step)} copies {source} over .env on every start: the "
                f"production settings are replaced by the example's{then}; keep the "
                "server's .env (copy only when it is missing: `cp -n`) or pass the settings "
                "with `env_file:`/`environment:`"),
                severity=Severity.ERROR if after is not None else Severity.WARNING)
    yield from _key_regenerated(self, project, seen)


def _key_regenerated(self: Rule, project: Project, seen: set[Location]) -> Iterator[Finding]:
    from composeguard.lint.facts.commands import rewrites_app_key

    for service, step in _production_steps(project):
        forced = rewrites_app_key(step.command.words)
        if forced is None or step.command.conditions or step.location in seen:
            continue
        if not forced and (service.env("APP_ENV") or "").strip().lower() == "production":
            continue
        seen.add(step.location)
        yield _step_finding(self, step, step.location, (
                f"{_where(service, step)} runs `artisan key:generate` on every start: each "
                "start writes a new APP_KEY into .env, and everything encrypted with the old "
                "one (sessions, encrypted columns, signed links) can no longer be read; "
                "generate the key once and keep it in the server's environment"),
                severity=Severity.ERROR)


# -- CG206 schema-reset-by-app-config ---------------------------------------------------------


@rule(
    code="CG206",
    name="schema-reset-by-app-config",
    severity=Severity.ERROR,
    summary="The app's ORM settings drop or rewrite the schema every time it starts.",
    what="""
        Reports settings with which the application rebuilds its database schema on each
        start: TypeORM's `synchronize: true` or `dropSchema: true` (in `new DataSource({...})`,
        `TypeOrmModule.forRoot({...})`, `ormconfig.*`), Sequelize's `sync({ force: true })`
        (drops every table) and `sync({ alter: true })` (drops the columns the models lost),
        Hibernate's `spring.jpa.hibernate.ddl-auto` (or `hibernate.hbm2ddl.auto`, or JPA's
        schema-generation action) set to `create`, `create-drop` or `drop-and-create` in
        `application.properties`/`application.yml`, a production profile's file or a
        production service's `SPRING_JPA_HIBERNATE_DDL_AUTO`, also as a `${VAR:create}`
        default. TypeScript and JavaScript are read with tree-sitter's grammars, properties
        with `javaproperties`. A value that depends on the environment (`synchronize:
        process.env.DB_SYNC === 'true'`, a `sync()` inside `if (process.env.NODE_ENV ===
        'development')`) is the deploy's choice and not reported; development and test
        profiles, tests, seeders and scripts named for a reset are not read.
    """,
    why="""
        These settings make every start of the app a schema migration nobody reviewed: a
        restart after a deploy, a crash loop, a scaled-up container. `create` and `force`
        drop every table; `synchronize` and `alter` drop each column and table the code no
        longer declares, so renaming a field in the code deletes the column and its data in
        production. The ORM's own documentation says not to use them in production.
    """,
    example="""
        services:
          api:
            image: shop/api:1.4
            environment:
              SPRING_JPA_HIBERNATE_DDL_AUTO: create
    """,
    use_instead="""
        services:
          api:
            image: shop/api:1.4
            environment:
              SPRING_JPA_HIBERNATE_DDL_AUTO: validate   # schema changes go through migrations
    """,
    references=("https://typeorm.io/docs/advanced-topics/migrations/",
                "https://sequelize.org/docs/v6/core-concepts/model-basics/#model-synchronization",
                "https://docs.spring.io/spring-boot/how-to/data-initialization.html"),
)
def schema_reset_by_app_config(self: Rule, project: Project) -> Iterator[Finding]:
    for reset in project.schema_resets:
        yield self.finding(reset.location, (
            f"{reset.framework}'s `{reset.setting}` rebuilds the schema on start"), help=(
            f"it {reset.effect}: a restart of the app in "
            "production deletes data; generate and run migrations instead (and keep this for "
            "a development profile)"))
    from composeguard.lint.facts.appschema import DDL_ENVIRONMENT, DESTRUCTIVE_DDL, ddl_effect

    for written in project.written_settings({name: DESTRUCTIVE_DDL for name in DDL_ENVIRONMENT}):
        effect = ddl_effect(written.value)
        how = (f"falls back to {written.name}={written.value} when "
               f"{', '.join(written.written.variables)} is unset on the server"
               if written.written.fallback else f"sets {written.name}={written.value}")
        yield self.finding(written.node.anchor_loc, (
            f"service '{written.service.name}' rebuilds the schema on every start"), help=(
            f"it {how}, which {effect}: a restart in production "
            "deletes data; use `validate` and run migrations"))
