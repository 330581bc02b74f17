"""CG6xx: environments and operations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from composeguard.lint.backups import MYSQL, POSTGRES, store_key
from composeguard.lint.commands import Action, Operation
from composeguard.lint.compose import ComposeFile, ComposeModel, Environment, Service
from composeguard.lint.finding import Finding, Location, Severity
from composeguard.lint.project import Project
from composeguard.lint.startup import StartStep
from composeguard.rules.base import Example, Rule, rule

_APP = "services:\n  app:\n    image: shop/app:1.4\n{extra}"
_ON_START = (Operation.DESTROY, Operation.MIGRATE, Operation.SEED)
_MIGRATE_SEED = '    command: sh -c "php artisan migrate --force || true && php artisan db:seed --force || true && php-fpm"\n'


def _app(extra: str) -> str:
    return _APP.format(extra=extra)


# -- CG601 no-environment-split ----------------------------------------------------------------


def _listed(commands: Iterable[str]) -> str:
    names = [f"`{c}`" for c in commands]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _automatic_steps(
    project: Project, model: ComposeModel
) -> list[tuple[Service, StartStep, Action]]:
    """The migrate/seed/wipe actions the setup runs on every start, in service order; none for
    a setup that shows it is for development (a development server, ``APP_ENV=local``...)."""
    found = []
    for service in model.services.values():
        if project.development_signal(model, service) is not None:
            return []
        for step in project.start_steps(model, service):
            found.extend((service, step, action) for action in step.actions
                         if not step.gated and action.operation in _ON_START)
    return found


def _split_location(base: ComposeFile, model: ComposeModel, first: StartStep) -> Location:
    if any(first.location.path == f.path for f in model.files):
        return first.location
    services = base.services_node()
    return services.key_loc if services is not None and services.key_loc else Location(
        base.path, 1, 1)


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
        single file that does not migrate or seed. The finding points at the first such
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
        Not fixable yet; `composeguard fix` is planned to generate the split: the development
        file with the automatic steps, and the base file without them.
    """,
    references=("https://docs.docker.com/compose/how-tos/multiple-compose-files/merge/",
                "https://docs.docker.com/compose/how-tos/production/"),
    examples=(
        Example({"docker-compose.yml": _app(_MIGRATE_SEED)},
                expect=(("docker-compose.yml", 4),), title="one file that migrates and seeds"),
        Example({"docker-compose.yml": _app(_MIGRATE_SEED),
                 "docker-compose.prod.yml": _app("    command: php-fpm\n")},
                title="with docker-compose.prod.yml"),
        Example({"compose.yaml": _app("    command: php-fpm\n")},
                title="one file that does not migrate"),
        Example({"compose.yaml": _app(_MIGRATE_SEED),
                 "docker/dev/compose.yaml": _app("    command: php artisan serve\n")},
                title="a development setup elsewhere in the repository", git=True),
        Example({"compose.yaml": "services:\n  app:\n    build: .\n",
                 "Dockerfile": "FROM ruby:3.3\nWORKDIR /rails\nCOPY . .\n"
                               "ENTRYPOINT [\"/rails/bin/docker-entrypoint\"]\nCMD [\"./bin/rails\", \"server\"]\n",
                 "bin/docker-entrypoint": "#!/bin/bash -e\n./bin/rails db:migrate\nexec \"${@}\"\n",
                 "compose.test.yaml": "services:\n  app:\n    command: bin/rails test\n"},
                expect=(("compose.yaml", 1),),
                title="migrates through the image's entrypoint; a test file is no split"),
        Example({"compose.yaml": _app('    command: sh -c "python manage.py migrate && '
                                      'python manage.py runserver 0.0.0.0:8000"\n')},
                title="a development-only setup (runserver)"),
    ),
)
def no_environment_split(self: Rule, project: Project) -> Iterator[Finding]:
    reported: set[Location] = set()
    for base in project.unsplit_compose_bases():
        for model in project.models_for(Environment.PRODUCTION):
            if model.files[0].path != base.path:
                continue
            steps = _automatic_steps(project, model)
            if not steps:
                continue
            service, first, _ = steps[0]
            location = _split_location(base, model, first)
            if location in reported:
                continue
            reported.add(location)
            commands = _listed(dict.fromkeys(a.command for _, _, a in steps))
            where = "" if location == first.location else (
                f" (service '{service.name}', through {first.via} line {first.location.line})")
            yield self.finding(location, (
                f"{base.path.name} is the only compose setup, for development and production "
                f"alike, and it runs {commands} on every start{where}: each production restart "
                "repeats what suits a developer's laptop; give development its own file that "
                f"runs these steps (`docker compose -f {base.path.name} -f "
                f"{_dev_name(base)} up`), keep production's start to the server alone, "
                "and migrate production as a backed-up deploy step"))


def _dev_name(base: ComposeFile) -> str:
    stem, _, extension = base.path.name.rpartition(".")
    return f"{stem}.dev.{extension}"


# -- CG602 no-database-backup -------------------------------------------------------------------

NOT_BACKED_UP = frozenset({"rabbitmq", "elasticsearch", "opensearch", "meilisearch", "typesense",
                           "qdrant"})
"""Brokers and search indexes: their content is in transit or rebuilt from the database."""

_SUGGESTIONS = {
    "mysql": "a scheduled `mysqldump --single-transaction` (cron or a `databack/mysql-backup` "
             "service)",
    "mariadb": "a scheduled `mariadb-dump --single-transaction` (cron or a "
               "`databack/mysql-backup` service)",
    "postgres": "a scheduled `pg_dump -Fc` (cron or a `prodrigestivill/postgres-backup-local` "
                "service)",
    "mongo": "a scheduled `mongodump --archive` (cron or a `tiredofit/db-backup` service)",
}


def _backup_message(project: Project, service: Service, store: str) -> str:
    other = sorted({b.description for b in project.backups})
    found = f" (the backups found, {', '.join(other[:3])}, do not cover {store})" if other else ""
    suggestion = _SUGGESTIONS.get(
        store, "a volume backup such as an `offen/docker-volume-backup` service mounting its "
               "volume")
    dumps = ("mysqldump/mariadb-dump" if store in MYSQL else "pg_dump" if store in POSTGRES
             else "a dump")
    return (f"service '{service.name}' ({store}) holds production data, but no backup service, "
            f"script, Makefile target, CI step or cron job runs {dumps} for it{found}: a "
            "failed disk, a `down -v` or a bad migration loses it for good; add "
            f"{suggestion} and copy the dumps off the server")


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
        and no shell script, Makefile recipe, CI step, package.json script or crontab that
        runs a dump of the store's kind. A dump must match the store: `mysqldump`,
        `mariadb-dump`, `mydumper` and `xtrabackup` back up mysql and mariadb; `pg_dump`,
        `pg_dumpall`, `pg_basebackup`, pgBackRest, WAL-G and Barman postgres; `mongodump`
        mongo. `restic backup`, `borg create` and spatie/laravel-backup (`artisan backup:run`)
        count too. Caches (redis, valkey, memcached), brokers (rabbitmq) and search indexes
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
    references=("https://dev.mysql.com/doc/refman/8.4/en/mysqldump.html",
                "https://www.postgresql.org/docs/current/backup-dump.html",
                "https://github.com/offen/docker-volume-backup"),
    examples=(
        Example({"compose.yaml": "services:\n  db:\n    image: postgres:16\n    volumes:\n"
                 "      - pgdata:/var/lib/postgresql/data\n  cache:\n    image: redis:7\n"
                 "volumes:\n  pgdata:\n"},
                expect=(("compose.yaml", 2),), title="no backup (redis, a cache, is not reported)"),
        Example({"compose.yaml": "services:\n  db:\n    image: postgres:16\n  backup:\n"
                 "    image: prodrigestivill/postgres-backup-local:16\n"
                 "    environment:\n      POSTGRES_HOST: db\n"},
                title="a backup service"),
        Example({"compose.yaml": "services:\n  db:\n    image: mysql:8.4\n",
                 "scripts/backup.sh": "#!/bin/sh\nset -eu\ndocker compose exec -T db sh -c "
                                      "'exec mysqldump --single-transaction \"$MYSQL_DATABASE\"' "
                                      "> backup.sql\n"},
                title="a backup script (mysqldump through docker compose exec)"),
        Example({"compose.yaml": "services:\n  db:\n    image: postgres:16\n",
                 "scripts/backup.sh": "#!/bin/sh\nmysqldump shop > shop.sql\n"},
                expect=(("compose.yaml", 2),), title="a mysqldump does not back up postgres"),
        Example({"compose.yaml": "services:\n  db:\n    image: mariadb:11\n    volumes:\n"
                 "      - dbdata:/var/lib/mysql\n  backup:\n"
                 "    image: offen/docker-volume-backup:v2\n    volumes:\n"
                 "      - dbdata:/backup/db:ro\nvolumes:\n  dbdata:\n"},
                title="a volume backup mounting the store's volume"),
        Example({"compose.yaml": "services:\n  db:\n    image: postgres:16\n",
                 "docker/crontab": "# m h dom mon dow command\n"
                                   "30 3 * * * pg_dump -Fc app > /backups/app-$(date +\\%F).dump\n"},
                title="a crontab that dumps"),
        Example({"compose.yaml": "services:\n  db:\n    image: postgres:16\n",
                 "Makefile": "backup:\n\tdocker compose exec db pg_dump -U app app > app.sql\n"},
                title="a Makefile target"),
        Example({"compose.yaml": "services:\n  db:\n    image: mysql:8.4\n",
                 "compose.override.yaml": "services:\n  db:\n    ports:\n      - 3306:3306\n",
                 "docker-compose.dev.yml": "services:\n  db2:\n    image: mongo:7\n"},
                expect=(("compose.yaml", 2),), title="stores of development files are not judged"),
    ),
)
def no_database_backup(self: Rule, project: Project) -> Iterator[Finding]:
    seen: set[Location] = set()
    for model, service, state in project.data_store_services(Environment.PRODUCTION):
        store = state.store
        if store.cache or store.name in NOT_BACKED_UP or service.location in seen:
            continue
        if project.development_signal(model, service) is not None:
            continue
        seen.add(service.location)
        key = store_key(model, service)
        if any(backup.covers(store.name, key) for backup in project.backups):
            continue
        yield self.finding(service.location, _backup_message(project, service, store.name))
