"""CG1xx: data that does not survive a rebuild."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from composeguard.lint.compose import Environment, MountKind
from composeguard.lint.finding import Finding, Severity
from composeguard.lint.project import Project
from composeguard.rules.base import Example, Rule, rule

NOT_TEST = (Environment.PRODUCTION, Environment.DEVELOPMENT)

DEPENDENCY_MASKS = frozenset({
    "node_modules", ".venv", "venv", "vendor", "bower_components", "__pycache__", ".next",
    ".nuxt", ".cache", "site-packages", "target", ".bundle", "deps", "_build", "dist",
})
"""Directories that anonymous volumes hide a bind mount's copy of, on purpose."""

_DB = "services:\n  db:\n    image: {image}\n{extra}"


def _compose(image: str, extra: str = "", tail: str = "") -> str:
    return _DB.format(image=image, extra=extra) + tail


@rule(
    code="CG101",
    name="stateful-service-without-volume",
    severity=Severity.ERROR,
    summary="A database or other data store whose data directory is not on a volume.",
    what="""
        Reports a service whose image is a known data store (mysql, mariadb, postgres, mongo,
        redis, rabbitmq, elasticsearch, minio, mssql, ...) with no named volume and no bind
        mount at the image's data directory, or with one at the wrong directory for the
        image's version (postgres 18 moved its data to /var/lib/postgresql). Redis and valkey
        are caches: a warning in production-facing files only, and nothing when the command
        turns persistence off. An anonymous volume or a tmpfs at the data directory is left to
        CG102 and CG103. Test files are not checked.
    """,
    why="""
        Without a volume the data lives in the container's writable layer. `docker compose up`
        after a new image, a changed setting or `docker compose down` creates a new container,
        and the database starts empty: every row written in production is gone.
    """,
    example="""
        services:
          db:
            image: mysql:8.4
            environment:
              MYSQL_DATABASE: shop
    """,
    use_instead="""
        services:
          db:
            image: mysql:8.4
            environment:
              MYSQL_DATABASE: shop
            volumes:
              - mysql_data:/var/lib/mysql
        volumes:
          mysql_data:
    """,
    fix_safety="`composeguard fix` adds a named volume at the data directory (planned).",
    references=("https://hub.docker.com/_/mysql#where-to-store-data",
                "https://github.com/docker-library/postgres/pull/1259"),
    examples=(
        Example({"compose.yaml": _compose("mysql:8.4")}, expect=(("compose.yaml", 2),),
                title="mysql with no volume"),
        Example({"compose.yaml": _compose("mysql:8.4", "    volumes:\n      - mysql_data:/var/lib/mysql\n",
                                          "volumes:\n  mysql_data:\n")}, title="named volume"),
        Example({"compose.yaml": _compose("docker.io/library/postgres:16-alpine",
                                          "    volumes:\n      - ./data/pg:/var/lib/postgresql/data\n")},
                title="bind mount on postgres 16"),
        Example({"compose.yaml": _compose("postgres:16",
                                          "    volumes:\n      - pg:/var/lib/postgresql\n",
                                          "volumes:\n  pg:\n")},
                expect=(("compose.yaml", 5),), title="postgres 16 mounted one level too high"),
        Example({"compose.yaml": _compose("postgres:18",
                                          "    volumes:\n      - pg:/var/lib/postgresql/data\n",
                                          "volumes:\n  pg:\n")},
                expect=(("compose.yaml", 5),), title="postgres 18 at the old directory"),
        Example({"compose.yaml": _compose("postgres:18",
                                          "    volumes:\n      - pg:/var/lib/postgresql\n",
                                          "volumes:\n  pg:\n")}, title="postgres 18"),
        Example({"compose.yaml": _compose(
            "postgres:15", "    environment:\n      PGDATA: /var/lib/postgresql/data/pgdata\n"
            "    volumes:\n      - pg:/var/lib/postgresql/data\n", "volumes:\n  pg:\n")},
            title="PGDATA below the volume"),
        Example({"compose.yaml": _compose("redis:7-alpine")}, expect=(("compose.yaml", 2),),
                title="redis without a volume (warning)"),
        Example({"compose.yaml": _compose("redis:7", "    command: redis-server --save \"\" --appendonly no\n")},
                title="redis with persistence turned off"),
        Example({"compose.yaml": _compose("memcached:1.6")}, title="memcached is not a data store"),
        Example({"docker-compose.test.yml": _compose("postgres:16")}, title="test file"),
        Example({"compose.override.yaml": _compose("redis:7")}, title="a cache in development"),
        Example({"compose.dev.yaml": _compose("mysql:8")}, expect=(("compose.dev.yaml", 2),),
                title="a database in development"),
        Example({"compose.yaml": _compose("postgres:16", "    entrypoint: [\"pg_dump\", \"-h\", \"db\"]\n")},
                title="the image used as a client"),
        Example({"compose.yaml": "services:\n  db:\n    image: mariadb:11\n",
                 "compose.override.yaml": "services:\n  db:\n    volumes:\n      - db:/var/lib/mysql\n"
                 "volumes:\n  db:\n"},
                expect=(("compose.yaml", 2),),
                title="the override adds the volume, the base (production) has none"),
    ),
)
def stateful_service_without_volume(self: Rule, project: Project) -> Iterator[Finding]:
    for model, service, state in project.data_store_services(*NOT_TEST):
        if state.persisted or state.anonymous or state.tmpfs or state.persistence_disabled:
            continue
        store = state.store
        if store.cache and not model.environment.production_facing:
            continue
        severity = Severity.WARNING if store.cache else Severity.ERROR
        volume = f"{store.name}_data:{state.data_dir}"
        if state.wrong_mount is not None:
            message = (f"service '{service.name}' ({store.name}): {state.wrong_reason}; "
                       f"mount the volume at {state.data_dir} instead")
            yield self.finding(state.wrong_mount.location, message, severity=severity)
            continue
        what = "cache data" if store.cache else "data"
        message = (f"service '{service.name}' ({store.name}) has no volume at {state.data_dir}: "
                   f"its {what} is lost whenever the container is recreated; mount a named "
                   f"volume there (`{volume}`)")
        yield self.finding(service.location, message, severity=severity)


@rule(
    code="CG102",
    name="anonymous-volume",
    severity=Severity.ERROR,
    summary="A volume with only a container path, orphaned by `docker compose down`.",
    what="""
        Reports, in production-facing files, a volume given only a container path
        (`- /var/lib/mysql`, or long syntax `type: volume` with no `source`), also when it
        arrives through a YAML anchor or merge key. An error at a data store's data
        directory, a warning elsewhere. Dependency masks such as `node_modules`, `.venv` or
        `vendor` are intentional and not reported.
    """,
    why="""
        An anonymous volume gets a random name. `docker compose down` leaves it behind and the
        next `up` creates a new, empty one, so the database comes back empty while the old data
        sits in an orphaned volume that `docker volume prune` deletes.
    """,
    example="""
        services:
          db:
            image: postgres:16
            volumes:
              - /var/lib/postgresql/data
    """,
    use_instead="""
        services:
          db:
            image: postgres:16
            volumes:
              - postgres_data:/var/lib/postgresql/data
        volumes:
          postgres_data:
    """,
    fix_safety="`composeguard fix` names the volume (planned); the old anonymous volume's data "
               "must be copied by hand.",
    examples=(
        Example({"compose.yaml": _compose("postgres:16", "    volumes:\n      - /var/lib/postgresql/data\n")},
                expect=(("compose.yaml", 5),), title="anonymous volume at the data directory"),
        Example({"compose.yaml": "x-db: &db\n  image: mysql:8\n  volumes:\n    - /var/lib/mysql\n"
                 "services:\n  db:\n    <<: *db\n"},
                expect=(("compose.yaml", 4),), title="through a merge key: reported at the anchor"),
        Example({"compose.yaml": "services:\n  app:\n    image: node:22\n    volumes:\n"
                 "      - .:/app\n      - /app/node_modules\n"}, title="node_modules mask"),
        Example({"compose.yaml": "services:\n  app:\n    image: nginx\n    volumes:\n"
                 "      - type: volume\n        target: /var/cache/nginx\n"},
                expect=(("compose.yaml", 5),), title="long syntax without source (warning)"),
        Example({"compose.override.yaml": _compose("postgres:16", "    volumes:\n      - /var/lib/postgresql/data\n")},
                title="development file"),
    ),
)
def anonymous_volume(self: Rule, project: Project) -> Iterator[Finding]:
    at_data_dirs = set()
    for _, service, state in project.data_store_services(Environment.PRODUCTION):
        mount = state.anonymous
        if mount is None:
            continue
        at_data_dirs.add(mount)
        yield self.finding(mount.location, (
            f"service '{service.name}' ({state.store.name}) keeps its data in an anonymous "
            f"volume at {mount.target}: `docker compose down` orphans it and the next `up` "
            f"starts empty; name it (`{state.store.name}_data:{mount.target}`)"))
    for model in project.models_for(Environment.PRODUCTION):
        for service in model.services.values():
            for mount in service.mounts:
                if (mount.kind is MountKind.ANONYMOUS and mount not in at_data_dirs
                        and mount.target.startswith("/")
                        and posixpath.basename(mount.target) not in DEPENDENCY_MASKS):
                    yield self.finding(mount.location, (
                        f"service '{service.name}' has an anonymous volume at {mount.target}: "
                        "it is orphaned by `docker compose down`; give it a name or drop it"),
                        severity=Severity.WARNING)


@rule(
    code="CG103",
    name="stateful-data-on-tmpfs",
    severity=Severity.ERROR,
    summary="A data store's data directory on tmpfs (memory) outside test files.",
    what="""
        Reports a tmpfs mount (the `tmpfs:` key or a `type: tmpfs` volume) at a data store's
        data directory in a development or production-facing file.
    """,
    why="""
        tmpfs lives in memory: every stop, restart or crash of the container erases the
        database. It is a good trick for fast throw-away test databases and a data-loss bug
        everywhere else.
    """,
    example="""
        services:
          db:
            image: postgres:16
            tmpfs:
              - /var/lib/postgresql/data
    """,
    use_instead="""
        services:
          db:
            image: postgres:16
            volumes:
              - postgres_data:/var/lib/postgresql/data
        volumes:
          postgres_data:
    """,
    examples=(
        Example({"compose.yaml": _compose("postgres:16", "    tmpfs:\n      - /var/lib/postgresql/data\n")},
                expect=(("compose.yaml", 5),), title="tmpfs key"),
        Example({"compose.yaml": _compose("mysql:8", "    volumes:\n      - type: tmpfs\n"
                                          "        target: /var/lib/mysql\n")},
                expect=(("compose.yaml", 5),), title="long syntax tmpfs"),
        Example({"docker-compose.test.yml": _compose("postgres:16", "    tmpfs:\n      - /var/lib/postgresql/data\n")},
                title="test file"),
        Example({"compose.yaml": _compose("postgres:16", "    tmpfs:\n      - /tmp\n"
                                          "    volumes:\n      - pg:/var/lib/postgresql/data\n",
                                          "volumes:\n  pg:\n")}, title="tmpfs elsewhere"),
    ),
)
def stateful_data_on_tmpfs(self: Rule, project: Project) -> Iterator[Finding]:
    for _, service, state in project.data_store_services(*NOT_TEST):
        if state.tmpfs is not None and not state.persisted:
            yield self.finding(state.tmpfs.location, (
                f"service '{service.name}' ({state.store.name}) keeps {state.data_dir} on tmpfs: "
                "the data is erased at every stop; use a named volume outside test files"))


@rule(
    code="CG105",
    name="rabbitmq-hostname-not-fixed",
    severity=Severity.WARNING,
    summary="A persistent rabbitmq service without a fixed `hostname:`.",
    what="""
        Reports a rabbitmq service that persists /var/lib/rabbitmq but sets neither
        `hostname:` nor a fixed `RABBITMQ_NODENAME`. Test files are not checked.
    """,
    why="""
        RabbitMQ stores its data under `mnesia/rabbit@<hostname>`. Compose gives each new
        container a random hostname, so a recreated broker looks in a new, empty directory:
        queues, durable messages and users seem gone although the volume still holds them.
    """,
    example="""
        services:
          queue:
            image: rabbitmq:3-management
            volumes:
              - rabbitmq_data:/var/lib/rabbitmq
    """,
    use_instead="""
        services:
          queue:
            image: rabbitmq:3-management
            hostname: rabbitmq
            volumes:
              - rabbitmq_data:/var/lib/rabbitmq
    """,
    fix_safety="`composeguard fix` sets `hostname:` to the service name (planned).",
    references=("https://hub.docker.com/_/rabbitmq#how-to-use-this-image",),
    examples=(
        Example({"compose.yaml": _compose("rabbitmq:3-management",
                                          "    volumes:\n      - rabbitmq_data:/var/lib/rabbitmq\n",
                                          "volumes:\n  rabbitmq_data:\n")},
                expect=(("compose.yaml", 2),), title="no hostname"),
        Example({"compose.yaml": _compose("rabbitmq:3-management",
                                          "    hostname: rabbitmq\n"
                                          "    volumes:\n      - rabbitmq_data:/var/lib/rabbitmq\n",
                                          "volumes:\n  rabbitmq_data:\n")}, title="fixed hostname"),
        Example({"compose.yaml": _compose("rabbitmq:3", "    environment:\n"
                                          "      RABBITMQ_NODENAME: rabbit@localhost\n"
                                          "    volumes:\n      - mq:/var/lib/rabbitmq\n",
                                          "volumes:\n  mq:\n")}, title="fixed node name"),
    ),
)
def rabbitmq_hostname_not_fixed(self: Rule, project: Project) -> Iterator[Finding]:
    for _, service, state in project.data_store_services(*NOT_TEST):
        if state.store.name != "rabbitmq" or not state.persisted or service.text("hostname"):
            continue
        nodename = service.env("RABBITMQ_NODENAME") or ""
        if "@" in nodename and "$" not in nodename:
            continue
        yield self.finding(service.location, (
            f"service '{service.name}' (rabbitmq) has no fixed `hostname:`: its data lives under "
            "mnesia/rabbit@<hostname>, so a recreated container starts with an empty broker; "
            f"set `hostname: {service.name}`"))
