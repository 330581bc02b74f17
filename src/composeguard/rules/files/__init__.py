"""CG0xx: files Compose could not run."""

from __future__ import annotations

from collections.abc import Iterator

from composeguard.lint.compose import MountKind
from composeguard.lint.finding import Finding, Location, Severity
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
            yield self.finding(Location(compose_file.path, error.line, error.column), error.message)


@rule(
    code="CG002",
    name="compose-schema-violation",
    severity=Severity.ERROR,
    summary="A compose file that parses but breaks the Compose specification.",
    what="""
        Checks every compose file that parses against the official Compose specification JSON
        schema (the copy `check-jsonschema` ships), as Compose does before it runs anything:
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
    from composeguard.lint.schema import validate_compose

    for compose_file in project.compose_files:
        if compose_file.error is not None:
            continue
        if compose_file.root is None:
            if compose_file.is_base:
                yield self.finding(Location(compose_file.path),
                                   "empty compose file: Compose refuses to load it")
            continue
        for violation in validate_compose(compose_file.root):
            yield self.finding(violation.location, violation.message)
    for model in project.models:
        for location, message in model.problems:
            yield self.finding(location, message)


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
