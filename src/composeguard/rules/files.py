"""CG0xx: files Compose could not run."""

from __future__ import annotations

from collections.abc import Iterator

from composeguard.lint.finding import Finding, Location, Severity
from composeguard.lint.project import Project
from composeguard.rules.base import Example, Rule, rule


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
    examples=(
        Example({"compose.yaml": "services:\n  db:\n    image: [mysql\n"}, expect=(("compose.yaml", 4),),
                title="unclosed flow sequence"),
        Example({"compose.yaml": "services:\n  db:\n    image: mysql\n"}, title="valid YAML"),
    ),
)
def yaml_syntax_error(self: Rule, project: Project) -> Iterator[Finding]:
    for compose_file in project.compose_files:
        error = compose_file.error
        if error is not None:
            yield self.finding(Location(compose_file.path, error.line, error.column), error.message)
