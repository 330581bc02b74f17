"""CG6xx: environments and operations."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from composeguard.lint.engine.finding import Finding, Fix, Severity, offer
from composeguard.lint.model.compose import ComposeFile, Service
from composeguard.lint.project import Project
from composeguard.rules.base import Rule, listed, rule
from composeguard.rules.environments import backups, facts


def _split_fix() -> Callable[..., Fix | None]:
    """The split generator, imported when a finding offers it (a check that finds nothing
    never loads it)."""
    from composeguard.fix.split import split_fix

    return split_fix


# -- CG601 no-environment-split ----------------------------------------------------------------


@rule(
    code="CG601",
    name="no-environment-split",
    severity=Severity.WARNING,
    summary="One compose setup serves every environment, and it migrates or seeds on start.",
    what="""
        Reports a production-facing base compose file (`compose.yaml`, `docker-compose.yml`...)
        when the repository (or the checked folder, outside git) has no other setup for
        development or production, and the services of that one setup migrate, seed or wipe
        the database on every start (`artisan migrate --force`, `db:seed`, `rails db:migrate`,
        `prisma migrate deploy`, ..., found as in CG201-CG204, through entrypoint scripts too).
        A development file (`compose.override.yaml`, `*.dev.*`, `*.local.*`, a file in a
        development folder such as `.devcontainer/`) or a production file by name (`*.prod.*`,
        `*.staging.*`...) anywhere in the repository is a split; a variant such as
        `docker-compose.postgres.yml` and test files are not. A setup that shows it is for
        development only (a development server, `APP_ENV=local`...) is not reported, nor is a
        single file that does not seed or wipe on start: a migration is a valid deploy step
        for one instance (a swallowed failure is CG203's, one cause one finding). A setup
        left in doubt (a development server in a setup that also prepares for production) is
        reported: it serves both. The finding points at the first such
        command when it is written in the compose file, else at the file's `services:` key.
    """,
    why="""
        With one file for everything, the convenience of development (migrate and seed on
        every `up`) runs in production too: each deploy or restart seeds again, and a failed
        migration is retried on the live database, often with `|| true` so that the
        developer's container still starts. There is no place to keep production's start
        command plain and its migrations a separate, backed-up deploy step.
    """,
    example="""
        # docker-compose.yml, the only compose file
        services:
          app:
            build: .
            command: sh -c "php artisan migrate --force || true && php artisan db:seed --force || true && php-fpm"
    """,
    use_instead="""
        # docker-compose.yml: production (deploy: back up, then run migrate once)
        services:
          app:
            build: .
            command: php-fpm

        # docker-compose.dev.yml: development
        #   docker compose -f docker-compose.yml -f docker-compose.dev.yml up
        services:
          app:
            command: sh -c "php artisan migrate && php artisan db:seed && php-fpm"
    """,
    fix_safety="""
        Unsafe. `composeguard fix --unsafe-fixes` generates the split: the base file's start
        commands reduced to the server (`php-fpm`), and two complete, standalone files beside
        it, named like it. `docker-compose.dev.yml` keeps the automatic migrate/seed steps,
        chained with `&&` instead of `|| true` (a wipe such as `migrate:fresh` is dropped),
        with its own `<name>_dev` volumes and data-store ports on 127.0.0.1.
        `docker-compose.prod.yml` runs nothing automatically, keeps the base's volumes (the
        same names: on a server that ran the base, the same Compose volumes and the same
        data; only development gets new ones), `restart: unless-stopped`, no published
        data-store ports, literal
        data-store passwords replaced by required variables (`${MYSQL_ROOT_PASSWORD:?...}`),
        a named volume at every store's data directory and a fixed rabbitmq `hostname:`.
        `--layout override` writes the two files as overrides for `-f base -f file` instead.
        Unsafe because production stops migrating on start (the point: migrate as a backed-up
        deploy step), and because where the base kept a store's data in an unnamed volume,
        production mounts a named one: the description gives the commands that copy the data
        into it before the first `up` (`docker compose -f docker-compose.yml stop db && docker
        volume create ... && docker run --rm --volumes-from ...`); set the required
        passwords to the ones the stores were created with. A start command the shell model
        cannot read exactly (a condition, a pipe, a redirection) is left alone and the split is
        not offered; steps that run from a script or a Dockerfile are named in the fix as not
        fixed, except a step that wipes data: a production file must not wipe on start, so
        then no split is offered. Existing split files are never overwritten.
    """,
    references=("https://docs.docker.com/compose/how-tos/multiple-compose-files/merge/",
                "https://docs.docker.com/compose/how-tos/production/"),
)
def no_environment_split(self: Rule, project: Project) -> Iterator[Finding]:
    for setup in facts.unsplit_setups(project):
        base, first = setup.base, setup.steps[0]
        commands = listed(dict.fromkeys(s.action.command for s in setup.steps))
        where = "" if setup.location == first.step.location else (
            f" (service '{first.service.name}', through {first.step.via} line "
            f"{first.step.location.line}{'; ' + first.step.note if first.step.note else ''})")
        yield self.finding(setup.location, (
            f"{base.path.name} serves development and production alike, and migrates or seeds "
            "on start"), help=(
            f"it is the only compose setup, and it runs {commands} on every start{where}: "
            "each production restart "
            "repeats what suits a developer's laptop; give development its own file that "
            f"runs these steps (`docker compose -f {base.path.name} -f "
            f"{_dev_name(base)} up`), keep production's start to the server alone, "
            "and migrate production as a backed-up deploy step"),
            fix=offer(_split_fix(), project, setup.model))


def _dev_name(base: ComposeFile) -> str:
    stem, _, extension = base.path.name.rpartition(".")
    return f"{stem}.dev.{extension}"


# -- CG602 no-database-backup -------------------------------------------------------------------

_DUMPS = {
    "mysql": "`mysqldump --single-transaction`",
    "mariadb": "`mariadb-dump --single-transaction`",
    "postgres": "`pg_dump -Fc`",
    "mongo": "`mongodump --archive`",
}
"""The dump each store's CG602 advises; the documentation names backup services for each."""


def _backup_message(project: Project, service: Service, store: str) -> str:
    """Short on purpose: what is missing, what it costs, what to add."""
    other = sorted({b.description for b in backups.find_backups(project)})
    found = ""
    if other:
        more = f" and {len(other) - 1} more" if len(other) > 1 else ""
        found = f" (found: {other[0]}{more}, none for {store})"
    dump = _DUMPS.get(store, "a volume backup (`offen/docker-volume-backup`)")
    return (f"service '{service.name}' ({store}) has no backup in the project: "
            f"a lost disk or a `down -v` loses its data for good{found}; "
            f"schedule {dump} and copy the dumps off the host")


@rule(
    code="CG602",
    name="no-database-backup",
    severity=Severity.INFO,
    summary="A production database with no backup anywhere in the project.",
    what="""
        Reports a data store in a production-facing compose setup (mysql, mariadb, postgres,
        mongo, mssql, clickhouse, cassandra, influxdb, neo4j, couchdb, minio, etcd) when the
        project has no backup path for it: no backup service in any compose file (a dumping
        image such as `tiredofit/db-backup`, `prodrigestivill/postgres-backup-local`,
        `databack/mysql-backup`, `fradelg/mysql-cron-backup`, `kartoza/pg-backup`; a volume
        backup such as `offen/docker-volume-backup` or `mazzolino/restic` mounting the store's
        volume; a service whose start command dumps, or whose name, image or mounts say
        `backup`; a store that mounts a backups folder for its own dump job),
        and no shell script, Makefile recipe, CI step, package.json script, crontab or guide
        (a README, an operations or self-hosting document, outside its development sections:
        a documented backup is a backup) that runs a dump of the store's kind. A dump must match the store: `mysqldump`,
        `mariadb-dump`, `mydumper` and `xtrabackup` back up mysql and mariadb; `pg_dump`,
        `pg_dumpall`, `pg_basebackup`, pgBackRest, WAL-G and Barman postgres; `mongodump`
        mongo. `restic backup`, `borg create` and spatie/laravel-backup (`artisan backup:run`)
        count too, and so does the app's own backup: a Python script the project ships named
        for backing up or exporting (`export.py`, `scripts/backup_db.py`, outside test
        folders) whose code calls a function named so (`export_ctf()`, `create_backup()`). Caches (redis, valkey, memcached), brokers (rabbitmq) and search indexes
        (elasticsearch, meilisearch...) are not reported, nor are stores of development
        setups.
    """,
    why="""
        A volume keeps data across container restarts, not across a failed disk, a deleted
        volume (`docker compose down -v`), a host that is rebuilt, a migration that drops a
        column, or ransomware. Without a copy somewhere else, any of these loses the data for
        good. A backup that no file of the project mentions is one nobody can check.
    """,
    example="""
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    use_instead="""
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
          backup:
            image: prodrigestivill/postgres-backup-local:16
            environment:
              POSTGRES_HOST: db
              POSTGRES_DB: app
              POSTGRES_USER: app
              POSTGRES_PASSWORD: ${DB_PASSWORD:?}
              SCHEDULE: "@daily"
            volumes:
              - /srv/backups:/backups
        volumes:
          pgdata:
    """,
    fix_safety="""
        Not fixed by `composeguard fix` alone: a backup needs a place off the host that only
        you can choose. `composeguard fix --scripts` (with or without `--unsafe-fixes`) writes
        `scripts/backup-database.sh` and `scripts/restore-database.sh` (executable) for the
        project's mysql/mariadb, postgres or mongo service, which this rule then counts as the
        backup path; an existing script is never replaced. Schedule the backup script (cron,
        a systemd timer) and copy its dumps off the host yourself.
    """,
    references=("https://dev.mysql.com/doc/refman/8.4/en/mysqldump.html",
                "https://www.postgresql.org/docs/current/backup-dump.html",
                "https://github.com/offen/docker-volume-backup"),
)
def no_database_backup(self: Rule, project: Project) -> Iterator[Finding]:
    for service, store in backups.stores_without_backup(project):
        yield self.finding(service.location, _backup_message(project, service, store.name))


@rule(
    code="CG603",
    name="destructive-routine-step",
    severity=Severity.ERROR,
    summary="A deploy step or a routine Makefile target wipes the database.",
    what="""
        Reports a database wipe (`artisan migrate:fresh`/`db:wipe`, `manage.py flush`,
        `rails db:reset`/`db:schema:load`, `prisma migrate reset`, `doctrine:schema:drop`...,
        the commands CG202 knows, also through `docker compose exec app ...`) in a shell
        script, Makefile target or CI job whose name says it is a deploy (`deploy.sh`, `make
        release`, a deploy job, a command naming a production compose file) or a routine step
        run again and again on a live setup (`make up`, `make migrate`, `make start`,
        `update.sh`). A step named for what it destroys (`make fresh`, `reset`, `nuke`,
        `rollback`) does what it says and is not reported, nor are steps with other names
        (`make seed`, `make test`, `setup.sh`): the wipe is their purpose. A shell function
        is a step of its own, as a Makefile target is (`function db:reset { ... }` in a
        task runner script `scripts/run`): its name decides when it says what the step is
        for, else the script's name does. A wipe run in a
        setup judged development, test or example (`docker compose -f
        docker-compose.dev.yml exec app php artisan migrate:fresh`) touches no live data.
    """,
    why="""
        A routine name is an invitation to run the step without a second thought: `make
        migrate` on the production host after a `git pull`, or a deploy pipeline on every
        merge. When the recipe behind the name drops every table, the habit that should apply
        a migration deletes the data instead, and the step gives no warning because it was
        written for a laptop.
    """,
    example="""
        # Makefile
        migrate:
        	docker compose exec app php artisan migrate:fresh --seed --force
    """,
    use_instead="""
        # Makefile
        migrate:
        	docker compose exec app php artisan migrate --force

        fresh:  # development only: drops every table
        	docker compose exec app php artisan migrate:fresh --seed
    """,
)
def destructive_routine_step(self: Rule, project: Project) -> Iterator[Finding]:
    from composeguard.lint.facts.commands import Operation
    from composeguard.lint.facts.purpose import ScriptPurpose

    steps = {ScriptPurpose.DEPLOY: "a deploy step", ScriptPurpose.ROUTINE: "a routine step"}
    for fragment, command, wipes, purpose, named in project.script_actions(Operation.DESTROY):
        if project.aimed_at_throwaway(fragment, command):
            continue
        if purpose in steps:
            yield self.finding(command.location, (
                f"{steps[purpose]} runs `{wipes[0].command}`, which drops the database's data"),
                help=(f"`{named}` is {steps[purpose]}: whoever runs it on a live setup loses "
                      "the data; keep the wipe in a step named for it (`fresh`, `reset`) and let "
                      "this one only migrate"))
