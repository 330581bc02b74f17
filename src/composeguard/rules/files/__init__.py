"""CG0xx: files Compose could not run."""

from __future__ import annotations

from collections.abc import Iterator

from composeguard.lint.engine.finding import Finding, Severity
from composeguard.lint.model.compose import (
    ComposeModel,
    Environment,
    MountKind,
    PublishedPort,
    Service,
    port_range,
)
from composeguard.lint.parse.location import Location
from composeguard.lint.project import Project
from composeguard.rules.base import Rule, rule


@rule(
    code="CG001",
    name="yaml-syntax-error",
    severity=Severity.ERROR,
    summary="A compose file that cannot be read or parsed as YAML.",
    what="""
        Reports a compose file that is not valid YAML (or not readable text: invalid UTF-8, a
        binary file, an alias bomb, a file too large to be a compose file), at the line and
        column the parser stopped.
    """,
    why="""
        Compose refuses to start a project whose file does not parse, and every other check is
        blind to it: a database with no volume in a file nobody can read is found only when the
        deploy fails, or after someone "fixes" the file in a hurry.
    """,
    example="""
        services:
          db:
            image: mysql:8
            environment:
              MYSQL_DATABASE: app
             MYSQL_USER: app   # indented one space less
    """,
    use_instead="""
        services:
          db:
            image: mysql:8
            environment:
              MYSQL_DATABASE: app
              MYSQL_USER: app
    """,
)
def yaml_syntax_error(self: Rule, project: Project) -> Iterator[Finding]:
    for compose_file in project.compose_files:
        error = compose_file.error
        if error is not None:
            yield self.finding(Location(compose_file.path, error.line, error.column),
                               error.message, help=(
                "Compose cannot load the file, so nothing in it runs; fix the YAML at this "
                "position (the other files are still checked)"))


_SPEC_HELP = ("Compose refuses a file that breaks its specification, so nothing in it runs; "
              "correct it as the Compose specification says")


@rule(
    code="CG002",
    name="compose-schema-violation",
    severity=Severity.ERROR,
    summary="A compose file that parses but breaks the Compose specification.",
    what="""
        Checks every compose file that parses against the official Compose specification JSON
        schema (a pinned copy shipped with composeguard, dated in its `compose-spec.SOURCE`),
        as Compose does before it runs anything:
        unknown keys (with a suggestion when one is close: `imagee` -> `image`), values of the
        wrong type, invalid service names, missing required keys, each reported at the key or
        list item to edit. `!reset` values are left out and `!override` tags ignored, as in
        Compose; the obsolete `version:` key and `x-*` extension keys are valid, and an override
        file may leave out `image`. A value that holds a `${VAR}` is not judged: Compose checks
        it after interpolation, so the verdict depends on the deploy environment. Also reports
        what Compose refuses while assembling the project: an `extends` of a service that does
        not exist, an `include` of a missing file, an empty base file. An `env_file` missing
        from the checkout is not reported: env files are created at deploy time and kept out of
        git.
    """,
    why="""
        Compose refuses to run a file that breaks its specification, so the mistake surfaces
        during the deploy, when it is most expensive, and the hurried fix is rarely reviewed.
        A misspelt key is the dangerous case: `volume:` for `volumes:` under a database service
        means the mount its author wrote is not there, and deleting the "offending" line to get
        the deploy through leaves the data inside the container, lost at the next rebuild.
    """,
    example="""
        services:
          db:
            image: postgres:17
            volume:                 # unknown key: the service gets no volume
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    use_instead="""
        services:
          db:
            image: postgres:17
            volumes:
              - pgdata:/var/lib/postgresql/data
        volumes:
          pgdata:
    """,
    references=("https://github.com/compose-spec/compose-spec/blob/main/schema/compose-spec.json",),
)
def compose_schema_violation(self: Rule, project: Project) -> Iterator[Finding]:
    from composeguard.lint.model.schema import validate_compose

    for compose_file in project.compose_files:
        if compose_file.error is not None:
            continue
        if compose_file.root is None:
            if compose_file.is_base:
                yield self.finding(Location(compose_file.path),
                                   "empty compose file: Compose refuses to load it")
            continue
        for violation in validate_compose(compose_file.root):
            message, _, hint = violation.message.partition("; ")
            yield self.finding(violation.location, message,
                               help=f"{hint}; {_SPEC_HELP}" if hint else _SPEC_HELP)
    for model in project.models:
        for location, message in model.problems:
            yield self.finding(location, message, help=_SPEC_HELP)


@rule(
    code="CG003",
    name="undefined-named-volume",
    severity=Severity.ERROR,
    summary="A service mounts a named volume that the top-level `volumes:` does not declare.",
    what="""
        Reports a service mount whose source is a volume name (`data:/var/lib/mysql`, or long
        syntax `type: volume` with `source: data`) when the project Compose would run does not
        declare that name under the top-level `volumes:`. Each environment is judged as Compose
        runs it, so a volume declared in the base file and used in the override is fine. Bind
        mounts, anonymous volumes and tmpfs are not named volumes; a source that still holds a
        `${VAR}` is not judged.
    """,
    why="""
        Compose refuses to start the project ("service refers to undefined volume"), so the
        deploy fails. The usual hurried fix, deleting the mount line or turning it into an
        anonymous volume, leaves the database writing into the container, where the next
        rebuild throws the data away.
    """,
    example="""
        services:
          db:
            image: mysql:8
            volumes:
              - dbdata:/var/lib/mysql
    """,
    use_instead="""
        services:
          db:
            image: mysql:8
            volumes:
              - dbdata:/var/lib/mysql
        volumes:
          dbdata:
    """,
)
def undefined_named_volume(self: Rule, project: Project) -> Iterator[Finding]:
    for model in project.models:
        declared = model.volumes
        for service in model.services.values():
            for mount in service.mounts:
                source = mount.source
                if (mount.kind is MountKind.NAMED and source and source not in declared
                        and not mount.templated):
                    yield self.finding(
                        mount.location,
                        f"named volume {source!r} is not declared: add `{source}:` under the "
                        "top-level `volumes:` (Compose refuses to start a service that mounts an "
                        "undeclared volume)",
                    )


# -- CG004 duplicate-host-port ------------------------------------------------------------


def _overlap(a: PublishedPort, b: PublishedPort) -> range | None:
    """The host ports both bind on one address and protocol, or None."""
    if a.protocol != b.protocol:
        return None
    if a.host_ip and b.host_ip and not a.all_interfaces and not b.all_interfaces \
            and a.host_ip != b.host_ip:
        return None
    first, second = _host_ports(a), _host_ports(b)
    if first is None or second is None:
        return None
    start, stop = max(first.start, second.start), min(first.stop, second.stop)
    return range(start, stop) if start < stop else None


def _host_ports(port: PublishedPort) -> range | None:
    """The host ports an entry binds; None for an ephemeral one (Docker picks a free port)
    or one that still holds a ``${VAR}``."""
    if not port.published or "$" in port.published:
        return None
    return port_range(port.published)


def _ports_text(ports: range, protocol: str) -> str:
    shown = str(ports.start) if len(ports) == 1 else f"{ports.start}-{ports.stop - 1}"
    return f"{shown}/{protocol}"


@rule(
    code="CG004",
    name="duplicate-host-port",
    severity=Severity.ERROR,
    summary="Two services of one setup publish the same host port.",
    what="""
        Reports a `ports:` entry that binds a host port another service of the same setup
        already binds, on the same protocol (`53/udp` and `53/tcp` do not clash) and an
        overlapping address (no address, `0.0.0.0` and `::` overlap every address;
        `127.0.0.1:8080` and `127.0.0.2:8080` do not). Ranges overlap when any port does
        (`8000-8010` and `8005`). Ports are compared after interpolation with the project's
        `.env`; an entry that still holds a `${VAR}`, or leaves the host port to Docker, is not
        judged. A service with `scale:`/`deploy.replicas` above 1 and a fixed host port clashes
        with itself; one scaled to 0 starts nothing. Services behind disjoint `profiles:` never
        start together and are not compared, nor are two services that `include:` pulls in
        from separate files (a catalog such as Laradock's, started by name) unless one
        depends on the other. Test setups are left to their own CI run.
    """,
    why="""
        Compose creates the first container and fails on the second with "port is already
        allocated", so `up` stops half done. In a deploy that means the new database or app
        container never starts while the old one is gone, and the hurried fix (deleting the
        mapping, or the other service) is made under pressure, on the production host.
    """,
    example="""
        services:
          app:
            image: shop/app:1.4
            ports:
              - "8080:80"
          admin:
            image: shop/admin:1.4
            ports:
              - "8080:8000"
    """,
    use_instead="""
        services:
          app:
            image: shop/app:1.4
            ports:
              - "8080:80"
          admin:
            image: shop/admin:1.4
            ports:
              - "8081:8000"
    """,
    references=("https://docs.docker.com/reference/compose-file/services/#ports",),
)
def duplicate_host_port(self: Rule, project: Project) -> Iterator[Finding]:
    seen: set[Location] = set()
    for model in _startable_models(project):
        taken: list[tuple[Service, PublishedPort]] = []
        for service in model.services.values():
            if service.get("network_mode") is not None or service.replicas == 0:
                continue
            for port in service.ports:
                ports = _host_ports(port)
                if ports is None:
                    continue
                if service.replicas > 1:
                    yield from _once(seen, self.finding(port.node.loc, (
                        f"service '{service.name}' starts {service.replicas} containers and "
                        f"each binds host port {_ports_text(ports, port.protocol)}: the second "
                        "fails with \"port is already allocated\"; publish a range or put a "
                        "proxy in front")))
                for other, earlier in taken:
                    clash = _overlap(earlier, port)
                    if clash is None or not _start_together(model, service, other):
                        continue
                    yield from _once(seen, _port_clash(self, service, port, other, earlier, clash))
                    break
                taken.append((service, port))


def _port_clash(self: Rule, service: Service, port: PublishedPort, other: Service,
                earlier: PublishedPort, clash: range) -> Finding:
    ports = _ports_text(clash, port.protocol)
    if port.node.via_alias and port.node.loc == earlier.node.loc:
        # ``<<: *app`` copied the other service's ports: the edit belongs to this service.
        return self.finding(service.location, (
            f"service '{service.name}' publishes host port {ports} again, through a merge key"),
            help=(f"it takes `ports:` from a YAML merge key, so it publishes host port {ports} "
                  f"as service '{other.name}' does (line {earlier.node.loc.line}): Compose fails "
                  "to start the second with \"port is already allocated\"; give it "
                  "`ports: !reset []` or ports of its own"))
    return self.finding(port.node.loc, (
        f"services '{service.name}' and '{other.name}' publish host port {ports}"),
        help=(f"service '{other.name}' publishes it too (line {earlier.node.loc.line} of "
              f"{earlier.node.loc.path.name}): Compose fails to start the second with \"port "
              "is already allocated\"; give one of them another host port"))


def _startable_models(project: Project) -> Iterator[ComposeModel]:
    """The setups whose clashes matter: a test setup that cannot start fails its own CI run
    first (and linters' test fixtures clash on purpose)."""
    return project.models_for(Environment.PRODUCTION, Environment.DEVELOPMENT,
                              Environment.EXAMPLE)


def _start_together(model: ComposeModel, service: Service, other: Service) -> bool:
    """Whether one ``docker compose up`` starts both. Not for one service against itself (a
    merge repeats an entry Compose keeps once), nor across disjoint profiles. Services that
    ``include:`` pulls in from separate files are a catalog started by name (``up nginx
    mysql``), so two of them count only when one depends on the other."""
    if service is other or not service.runs_beside(other):
        return False
    chain = {f.path for f in model.files}
    defined = (service.location.path, other.location.path)
    if defined[0] != defined[1] and not (set(defined) & chain):
        return other.name in service.dependencies or service.name in other.dependencies
    return True


def _once(seen: set[Location], finding: Finding) -> Iterator[Finding]:
    if finding.location not in seen:
        seen.add(finding.location)
        yield finding


# -- CG005 duplicate-container-name -------------------------------------------------------


@rule(
    code="CG005",
    name="duplicate-container-name",
    severity=Severity.ERROR,
    summary="Two services of one setup set the same `container_name`, or a scaled one sets it.",
    what="""
        Reports a `container_name:` that another service of the same setup also sets, and a
        `container_name:` on a service with `scale:`/`deploy.replicas` above 1. Compared after
        interpolation; a name that still holds a `${VAR}` is not judged, nor are services
        behind disjoint `profiles:`.
    """,
    why="""
        Docker names containers uniquely, so the second service fails with "Conflict. The
        container name is already in use" and `up` stops half done; Compose refuses a
        `container_name` on a scaled service outright. The database or app of a deploy is then
        not running, and the hurried way out (removing "the old container") is how volumes and
        data get removed with it.
    """,
    example="""
        services:
          db:
            image: postgres:17
            container_name: shop-db
          db-replica:
            image: postgres:17
            container_name: shop-db
    """,
    use_instead="""
        services:
          db:
            image: postgres:17
            container_name: shop-db
          db-replica:
            image: postgres:17
            container_name: shop-db-replica
    """,
    references=("https://docs.docker.com/reference/compose-file/services/#container_name",),
)
def duplicate_container_name(self: Rule, project: Project) -> Iterator[Finding]:
    seen: set[Location] = set()
    for model in _startable_models(project):
        named: dict[str, list[Service]] = {}
        for service in model.services.values():
            node = service.get("container_name")
            name = service.text("container_name")
            if node is None or not name or "$" in name or service.replicas == 0:
                continue
            if service.replicas > 1:
                yield from _once(seen, self.finding(node.anchor_loc, (
                    f"service '{service.name}' sets container_name {name!r} and starts "
                    f"{service.replicas} containers: Compose refuses it; drop container_name")))
            other = next((o for o in named.get(name, ()) if _start_together(model, service, o)),
                         None)
            if other is not None:
                where = other.get("container_name")
                line = where.anchor_loc.line if where is not None else other.location.line
                yield from _once(seen, self.finding(node.anchor_loc, (
                    f"service '{service.name}' sets container_name {name!r}, as service "
                    f"'{other.name}' does (line {line}): the second fails with \"container name "
                    "is already in use\"; give each its own name, or leave container_name out")))
            named.setdefault(name, []).append(service)


# -- CG006 unused-suppression ----------------------------------------------------------------


@rule(
    code="CG006",
    name="unused-suppression",
    severity=Severity.WARNING,
    summary="A suppression comment that suppresses nothing, or names no rule.",
    what="""
        Reports each code or name in a `# composeguard: ignore[...]` or `ignore-file[...]`
        comment that hid no finding in this run: one that names no rule (`ignore[CG999]`, a
        misspelt name), and one whose rule ran and reported nothing on the lines the comment
        covers (or, for `ignore-file`, in the file). Read in the compose files and in every
        file a finding points at, after the other rules, by the engine that applies the
        suppressions (no rule reads them). A code of a rule this run did not select
        (`--select`, `ignore` in the configuration) is not judged. As ruff's RUF100.
    """,
    why="""
        A suppression outlives the finding it was written for: once the volume is added or the
        password moved, the comment stays and silently hides the next finding of that rule on
        that line, which may be the one that loses the data. A code that names no rule hides
        nothing at all, while its author believes the finding is handled.
    """,
    example="""
        services:
          db:   # composeguard: ignore[CG1O1] a letter O: no rule has this code
            image: mysql:8.4
            volumes:
              - dbdata:/var/lib/mysql
        volumes:
          dbdata:
    """,
    use_instead="""
        services:
          db:
            image: mysql:8.4
            volumes:
              - dbdata:/var/lib/mysql
        volumes:
          dbdata:
    """,
)
def unused_suppression(self: Rule, project: Project) -> Iterator[Finding]:
    """Reported by the runner once the suppressions are applied (see
    :func:`composeguard.runner.run`): no rule reads suppression comments."""
    return iter(())
