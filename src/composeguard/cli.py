"""The command line (placeholder until the CLI helper lands)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from composeguard.lint.finding import Severity
from composeguard.lint.project import Project
from composeguard.lint.runner import exit_code, run


@click.group()
def cli() -> None:
    """Lint Docker Compose projects for mistakes that lose production data."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    project = Project(paths or (Path("."),))
    result = run(project)
    for f in result.findings:
        click.echo(f"{f.location.path}:{f.location.line}:{f.location.column}: {f.code} [{f.severity}] {f.message}")
    sys.exit(exit_code(result.findings, Severity.WARNING, result.errors))


def main(argv: Sequence[str] | None = None) -> int:
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="composeguard",
                 standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
