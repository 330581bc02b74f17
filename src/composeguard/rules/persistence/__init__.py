"""CG1xx: data that does not survive a rebuild."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from composeguard.lint.engine.finding import Finding, Severity, offer
from composeguard.lint.facts.commands import Operation
from composeguard.lint.facts.datastores import major_version
from composeguard.lint.facts.storage import Persistence
from composeguard.lint.model.compose import ComposeModel, Environment, MountKind, Service
from composeguard.lint.model.discover import DEPENDENCY_DIRS
from composeguard.lint.parse.location import Location
from composeguard.lint.project import Project
from composeguard.rules.base import Rule, rule
from composeguard.rules.persistence.fixes import (
    add_volume_fix,
    keep_volumes_fix,
    move_mount_fix,
    name_anonymous_fix,
    pin_major_fix,
    rabbitmq_hostname_fix,
)

NOT_TEST = (Environment.PRODUCTION, Environment.DEVELOPMENT)

DEPENDENCY_MASKS = DEPENDENCY_DIRS | {"__pycache__", ".cache", "site-packages", "target",
                                      ".bundle", "dist"}
"""Directories that anonymous volumes hide a bind mount's copy of, on purpose."""


@rule(
    code="CG101",
    name="stateful-service-without-volume",
    severity=Severity.ERROR,
    other_severities=(Severity.WARNING,),
    summary="A database or other data store whose data directory is not on a volume.",
    what="""
        Reports a service whose image is a known data store (mysql, mariadb, postgres, mongo,
        redis, rabbitmq, elasticsearch, minio, mssql, ...) with no named volume and no bind
        mount at the image's data directory, or with one at the wrong directory for the
        image's version (postgres 18 moved its data to /var/lib/postgresql), or only at a
        folder inside it or inside a directory mistaken for it (`/var/lib/redis/data`). An anonymous volume or a tmpfs at the data directory is left to
        CG102 and CG103. Test files are not checked. A `build:` service is the store its
        Dockerfile's stage is built `FROM` (`FROM postgres:16-alpine`, through earlier stages
        and `target:`). The stores, their data directories and the documentation each comes
        from are listed in [data-stores.md](data-stores.md).

        What is lost must be data someone means to keep:

        - **Caches and brokers** (redis, valkey, keydb, dragonfly, rabbitmq) hold what is
          rebuilt or re-sent: cached values, messages in flight. They are reported (as
          warnings) only when the project asks them to keep something: a volume mounted for
          them that misses the data directory, an append-only file turned on in the command
          (`--appendonly yes`), or a job worker of the same setup that keeps its schedule
          there (Sidekiq's scheduled and retry sets, Laravel Horizon or `queue:work redis`,
          RQ Scheduler). A cache whose command turns persistence off is never reported.
        - **Development setups** hold a developer's scratch data where the project has
          another way to production (a production compose setup or a platform such as
          Kubernetes in the same repository): they are reported only when a volume mounted
          for the store misses the data directory (persistence asked for and not given, or
          a PostgreSQL that refuses to start). A development setup that is the project's only
          one is checked like a production one: it is often what ends up on a server.
    """,
    why="""
        Most database images declare their data directory a `VOLUME`, so without a named
        volume Compose gives it an unnamed one. That one survives `docker compose up
        --force-recreate` and a changed setting (Compose hands it to the new container), but
        `docker compose down` removes the container and the next `up` creates a new, empty
        volume: the database starts empty and the old data sits orphaned until `docker volume
        prune` deletes it. An image without a `VOLUME` keeps the data in the container itself,
        gone whenever it is recreated.
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
    fix_safety="""
        Unsafe (`composeguard fix --unsafe-fixes`). The fix mounts a named volume at the data
        directory and declares it under the top-level `volumes:` (created when missing); it is
        named after the store (`mysql_data`), or after the service (`db_data`) when the project
        runs several services of the store or the name is taken by any compose file of the
        directory. A volume at the wrong directory for the image's version is moved to the
        right one. The compose file is then right, but on a deployment that already runs, the
        next `docker compose up` starts the store on the new, empty volume: copy the current
        data into it first (and upgrade it when the major version changed). Left unfixed: a
        service whose volumes come from an anchor, an `extends`ed or included file, or a list a
        later file resets. A PostgreSQL 18+ that refuses its volume at
        `/var/lib/postgresql/data` (a moving tag such as `postgres:latest` that reached 18,
        or a tag raised by hand) holds data an older major wrote: moving the mount would
        start an empty cluster beside it, so the fix pins the image to the major in the
        data's `PG_VERSION` (`postgres:17`, `postgres:17-alpine`) when the data is
        bind-mounted and readable, and there is no fix otherwise.
    """,
    references=("https://hub.docker.com/_/mysql#where-to-store-data",
                "https://github.com/docker-library/postgres/pull/1259"),
)
def stateful_service_without_volume(self: Rule, project: Project) -> Iterator[Finding]:
    for model, service, state in project.data_store_services(*NOT_TEST, Environment.EXAMPLE):
        if model.environment is Environment.EXAMPLE and not state.refuses_to_start:
            continue
        if state.persisted or state.anonymous or state.tmpfs or state.persistence_disabled:
            continue
        store = state.store
        kept = None
        if state.wrong_mount is None and state.missed is None:
            if model.environment is Environment.DEVELOPMENT \
                    and (store.in_flight or project.deployed_otherwise(model)):
                continue
            if store.in_flight:
                kept = _kept_on_purpose(project, model, service, state)
                if kept is None:
                    continue
        severity = Severity.WARNING if store.in_flight else Severity.ERROR
        volume = f"{store.name}_data:{state.data_dir}"
        if state.refuses_to_start:
            major = project.postgres_major_on_disk(model, service, state)
            pin = f"`postgres:{major}`" if major is not None else "`postgres:<major>`"
            message = (f"service '{service.name}' ({store.name}) mounts its volume at the wrong "
                       f"directory: {state.wrong_reason}; pin "
                       f"the major that wrote the data ({pin}), or upgrade the data to 18 "
                       f"before mounting the volume at {state.data_dir}")
            fix = offer(pin_major_fix, project, model, service, major) \
                if major is not None else None
            yield self.finding(state.wrong_mount.location if state.wrong_mount else
                               service.location, message, severity=severity, fix=fix)
            continue
        if state.wrong_mount is not None:
            message = (f"service '{service.name}' ({store.name}) mounts its volume at the wrong "
                       f"directory: {state.wrong_reason}; mount the volume at {state.data_dir} "
                       "instead")
            yield self.finding(state.wrong_mount.location, message, severity=severity,
                               fix=offer(move_mount_fix, project, model, service, state))
            continue
        what = "data" if kept is None else kept
        if state.missed is not None:
            what += f" (the volume at {state.missed.target} holds none of it)"
        if state.image_volume is not None:
            fate = (f"its {what} sits in the image's unnamed volume, which `up --force-recreate` "
                    "keeps but `docker compose down` leaves behind: the next `up` starts empty")
        else:
            fate = (f"its {what} lives in the container and is lost with it (a new image, a "
                    "changed setting, `docker compose down`)")
        message = (f"service '{service.name}' ({store.name}) has no volume at {state.data_dir}: "
                   f"{fate}; mount a named volume there (`{volume}`)")
        yield self.finding(service.location, message, severity=severity,
                           fix=offer(add_volume_fix, project, model, service, state))


def _kept_on_purpose(project: Project, model: ComposeModel, service: Service,
                     state: Persistence) -> str | None:
    """What the project keeps in a cache or broker, for the message, or None when it keeps
    nothing there that is not rebuilt or re-sent."""
    if state.persistence_on:
        return "append-only file (its command turns it on)"
    worker = project.schedule_kept_in(model, service)
    if worker is not None:
        return f"job schedule (`{worker[0]}`, {worker[1].path.name}:{worker[1].line})"
    return None


@rule(
    code="CG102",
    name="anonymous-volume",
    severity=Severity.ERROR,
    other_severities=(Severity.WARNING,),
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
    fix_safety="""
        Unsafe (`composeguard fix --unsafe-fixes`). At a data directory, the fix names the
        volume (`postgres_data:/var/lib/postgresql/data`, or `source:` in long syntax) and
        declares it under the top-level `volumes:`. The old anonymous volume keeps the data:
        copy it into the named volume before the next `docker compose up`. An anchored volume
        that several services share is not fixed (one named volume would then hold the data
        of several servers), and neither are anonymous volumes elsewhere: naming those would
        make throw-away content (caches, build output) outlive image updates, so whether to
        name or drop them is a person's call.
    """,
)
def anonymous_volume(self: Rule, project: Project) -> Iterator[Finding]:
    at_data_dirs = set()
    for model, service, state in project.data_store_services(Environment.PRODUCTION):
        mount = state.anonymous
        if mount is None:
            continue
        at_data_dirs.add(mount)
        yield self.finding(mount.location, (
            f"service '{service.name}' ({state.store.name}) keeps its data in an anonymous "
            f"volume at {mount.target}: `docker compose down` orphans it and the next `up` "
            f"starts empty; name it (`{state.store.name}_data:{mount.target}`)"),
            fix=offer(name_anonymous_fix, project, model, service, state))
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
)
def stateful_data_on_tmpfs(self: Rule, project: Project) -> Iterator[Finding]:
    for _, service, state in project.data_store_services(*NOT_TEST):
        if state.tmpfs is not None and not state.persisted:
            yield self.finding(state.tmpfs.location, (
                f"service '{service.name}' ({state.store.name}) keeps {state.data_dir} on tmpfs: "
                "the data is erased at every stop; use a named volume outside test files"))


@rule(
    code="CG104",
    name="volume-destroying-command",
    severity=Severity.ERROR,
    other_severities=(Severity.WARNING, Severity.INFO),
    summary="A script or start command deletes Docker volumes, and the data in them.",
    what="""
        Reports `docker compose down -v`/`--volumes`, `docker-compose down -v`,
        `docker volume rm`/`prune` and `docker system prune --volumes` in shell scripts,
        Makefile recipes, CI workflow steps and compose start commands. The name of the
        script, Makefile target or CI job says what it is for: an error in a deploy step
        (`deploy.sh`, `make release`, a deploy job, or a command naming a production compose
        file) and in a routine one (`make up`, `make migrate`, `start.sh`), which is run again
        and again on a live setup; `info` in a step named for what it destroys (`make
        destroy`, `clean`, `reset`, `nuke`, `down-all`), which is deliberate and which `fix`
        never changes; a warning elsewhere. CI jobs that do not deploy are not reported: a CI
        runner's volumes are thrown away with the runner. A volume removal matters when a
        volume holds a store's data: a `down -v` is not reported when the setup it acts on
        (its `-f` files, else Compose's default files) is development's, a test's or an
        example, when the script, target or job is named for development or tests
        (`dev_run.sh`, `test.sh`, `dev-docker-down`), or when every data store of that setup
        keeps its data on a bind mount (which `down -v` leaves) or it has none.
    """,
    why="""
        Named volumes are where the databases keep their data. `down -v` removes them together
        with the containers, so the next `up` starts every database empty. Typed by habit on
        the production host, or left in a deploy script, it deletes production data.
    """,
    example="""
        # scripts/deploy.sh
        docker compose pull
        docker compose down -v
        docker compose up -d
    """,
    use_instead="""
        # scripts/deploy.sh
        docker compose pull
        docker compose up -d --remove-orphans
    """,
    fix_safety="""
        `composeguard fix --unsafe-fixes` removes `-v`/`--volumes` from the flagged
        `docker compose down` (or `docker system prune`) of a script, Makefile recipe or CI
        step, where the subcommand and the flag are written plainly on the line. Unsafe: a
        script that relied on starting from empty volumes (a reset, a test run) now keeps
        the old data. `docker volume rm`/`prune` and compose start commands are not fixed.
    """,
)
def volume_destroying_command(self: Rule, project: Project) -> Iterator[Finding]:
    from composeguard.lint.facts.deploy import fragment_purpose
    from composeguard.lint.facts.purpose import ScriptPurpose

    for fragment, command, actions, purpose, named in project.script_actions(
            Operation.VOLUME_DESTROY):
        if fragment.kind == "ci" and purpose is not ScriptPurpose.DEPLOY:
            continue
        if fragment_purpose(fragment)[0] in (Environment.DEVELOPMENT, Environment.TEST):
            continue
        setup = project.command_setup(fragment, command)
        if project.aimed_at_throwaway(fragment, command) or (
                setup is not None and not project.keeps_data_in_volumes(setup)):
            continue
        if purpose is ScriptPurpose.TEARDOWN:
            yield self.finding(command.location, (
                f"`{actions[0].command}` deletes the project's volumes"), help=(
                f"`{named}`, a step named for what it destroys, deletes the project's volumes "
                "and every database in them: never run it where production's data lives"),
                severity=Severity.INFO)
            continue
        live = purpose in (ScriptPurpose.DEPLOY, ScriptPurpose.ROUTINE)
        where = {ScriptPurpose.DEPLOY: f"`{named}`, a deploy step,",
                 ScriptPurpose.ROUTINE: f"`{named}`, a routine step,"}.get(purpose, "this script")
        yield self.finding(
            command.location,
            f"`{actions[0].command}` deletes the project's volumes",
            help=(f"`{actions[0].command}` in {where} deletes the project's volumes and every "
                  "database in them; leave volumes out (`docker compose down` keeps them)"),
            severity=Severity.ERROR if live else Severity.WARNING,
            fix=offer(keep_volumes_fix, project, command),
        )
    for model, service, step, action in project.start_actions(NOT_TEST, (Operation.VOLUME_DESTROY,)):
        yield self.finding(
            step.location,
            f"service '{service.name}' runs `{action.command}` on start: it deletes the "
            "project's volumes and the data in them",
            severity=Severity.ERROR if model.environment.production_facing else Severity.WARNING,
        )


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
    fix_safety="""
        `composeguard fix --unsafe-fixes` sets `hostname:` to the service name (letters,
        digits and `-`) in the file that defines the service. Unsafe: the broker running now
        keeps its data under its current random host name, and the next `docker compose up`
        starts a node named after the new one, empty: drain or move its queues first.
    """,
    references=("https://hub.docker.com/_/rabbitmq#how-to-use-this-image",),
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
            f"set `hostname: {service.name}`"), fix=offer(rabbitmq_hostname_fix, project, service))


# -- CG106 data-store-image-not-pinned -------------------------------------------------------

_UPGRADE_NOTES = {
    "postgres": "PostgreSQL opens data files only with the major version that wrote them "
                "(pg_upgrade or a dump and restore; 18 also moved the data directory)",
    "mysql": "MySQL upgrades its data files in place on the first start of a new major and "
             "cannot go back",
    "mariadb": "MariaDB upgrades its data files in place on the first start of a new major "
               "and cannot go back",
    "mongo": "MongoDB refuses data files more than one major version behind",
    "elasticsearch": "Elasticsearch reads only indices of the previous major version",
    "opensearch": "OpenSearch reads only indices of the previous major version",
}


def moving_tag(tag: str | None) -> bool:
    """A tag that follows new major versions: none, ``latest``, ``alpine``, ``bookworm``,
    ``management``... A tag that starts with a version (``16``, ``v2.9``, ``8.4-oracle``),
    names a PostgreSQL major (``latest-pg16``) or a dated release (minio's ``RELEASE.``)
    is pinned, and so is an ``lts`` tag: it moves only to the next long-term release, which
    MySQL and MariaDB upgrade to in place."""
    if tag is None:
        return True
    if major_version(tag) is not None or tag.startswith("RELEASE.") or \
            tag.split("-")[0] == "lts":
        return False
    return not any(part.startswith("pg") and part[2:].isdigit() for part in tag.split("-"))


@rule(
    code="CG106",
    name="data-store-image-not-pinned",
    severity=Severity.WARNING,
    summary="A production data store's image has no version, or a tag that moves across majors.",
    what="""
        Reports a data store (see [data-stores.md](data-stores.md)) in a production-facing
        setup whose image has no tag or a tag that follows new major versions: `postgres`,
        `postgres:latest`, `postgres:alpine`, `mysql`, `mongo:latest`, `rabbitmq:management`.
        A tag that starts with a version (`postgres:17`, `mysql:8.4-oracle`, `mongo:7.0`),
        names a PostgreSQL major (`timescale/timescaledb:latest-pg16`), a dated release
        (`minio/minio:RELEASE...`) or a digest is pinned, and so is `lts` (`mariadb:lts`
        moves only to the next long-term release, an upgrade the store makes in place). A
        `build:` service is judged by its
        Dockerfile's `FROM`. Caches (redis, valkey) are left out, as are tags that still hold a
        `${VAR}` (the deploy chooses them) and development and test setups. The fix pins
        the major that wrote the data when the data says so (a bind-mounted PostgreSQL
        cluster's `PG_VERSION`); otherwise only the person who knows which version wrote the
        data can pin it.
    """,
    why="""
        The next pull, on a new host, after `docker compose pull`, or when the cache is
        cleared, can bring a new major version of the store to data written by the old one.
        Its on-disk format or data directory may differ: PostgreSQL 18 moved its data
        directory and refuses the old mount, a PostgreSQL major cannot open the previous
        one's files, MySQL upgrades them in place on first start and cannot go back. The
        outage starts with an ordinary redeploy, and the quick way out (a fresh volume)
        throws the data away.
    """,
    example="""
        services:
          db:
            image: postgres
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    use_instead="""
        services:
          db:
            image: postgres:17    # the major version that wrote the data
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    fix_safety="""
        Unsafe (`composeguard fix --unsafe-fixes`), and offered only for PostgreSQL whose data
        is bind-mounted and readable: the image is pinned to the major in the cluster's
        `PG_VERSION` (`postgres` -> `postgres:16`, `postgres:alpine` -> `postgres:16-alpine`),
        the version that can open the data. An image written in a Dockerfile's `FROM` is not
        edited.
    """,
    references=("https://hub.docker.com/_/postgres#image-variants",
                "https://www.postgresql.org/docs/current/upgrading.html",
                "https://dev.mysql.com/doc/refman/8.4/en/upgrade-docker-mysql.html"),
)
def data_store_image_not_pinned(self: Rule, project: Project) -> Iterator[Finding]:
    from composeguard.lint.facts.datastores import parse_image

    seen: set[Location] = set()
    for model, service, state in project.data_store_services(Environment.PRODUCTION):
        if state.store.cache or project.defined_for_development(model, service):
            continue
        written = project.store_image(service, model)
        if written is None:
            continue
        image, location = written
        node = service.get("image")
        templated = node is not None and node.loc == location and node.template is not None
        ref = parse_image(image)
        if templated or "@" in image or "$" in image or not moving_tag(ref.tag) or \
                location in seen:
            continue
        seen.add(location)
        shown = f"`{image}`" if ref.tag else f"`{image}` with no tag"
        via = "" if node is not None and node.loc == location else " (its Dockerfile's FROM)"
        on_disk = project.postgres_major_on_disk(model, service, state)
        note = _UPGRADE_NOTES.get(state.store.name,
                                  "a new major version may not read the old one's data")
        yield self.finding(location, (
            f"service '{service.name}' ({state.store.name}) runs {shown}, not pinned to a major"),
            help=(f"`{image}`{via} moves to each new major version: the next pull can start a "
                  f"new major on data the old one wrote, and {note}; pin the major version the "
                  f"data was written with ({_pin_hint(ref.repository, state, on_disk)})"),
            fix=offer(pin_major_fix, project, model, service, on_disk)
            if on_disk is not None and via == "" else None)


def _pin_hint(repository: str, state: Persistence, on_disk: int | None) -> str:
    """What the data tells of the version that wrote it: a bind-mounted cluster's PG_VERSION,
    else the layout (an official PostgreSQL image's volume at …/data is that of 17 and
    before, one at /var/lib/postgresql that of 18 and after). Otherwise the running
    container is the witness."""
    from composeguard.lint.facts.storage import POSTGRES_18_DIR, POSTGRES_OLD_DIR

    if on_disk is not None:
        return f"its data's PG_VERSION says {on_disk}: `{repository}:{on_disk}`"
    mount = state.persisted_by or state.wrong_mount
    target = mount.target.rstrip("/") if mount is not None else None
    if state.store.name == "postgres" and state.store.data_dir == POSTGRES_OLD_DIR:
        if target == POSTGRES_OLD_DIR:
            return (f"its volume at {POSTGRES_OLD_DIR} is the layout of PostgreSQL 17 and "
                    f"before: `{repository}:17` or the major it runs now")
        if target == POSTGRES_18_DIR:
            return (f"its volume at {POSTGRES_18_DIR} is the layout of PostgreSQL 18 and "
                    f"after: `{repository}:18` or the major it runs now")
    return (f"`{repository}:<major>`; the running container's image shows it: "
            "`docker compose images`")
