"""Facts only the app-configuration rules ask: the settings production reads from env
files (CG301/CG302), and the settings production-facing services write in compose files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from composeguard.lint.facts.envroles import env_file_role
from composeguard.lint.parse.nodes import scalar_text

if TYPE_CHECKING:
    from composeguard.lint.parse.location import Location
    from composeguard.lint.project import Project


@dataclass(frozen=True, slots=True)
class EnvValue:
    """A setting production reads from an env file, at the line that writes it."""

    path: Path
    name: str
    value: str
    location: Location


def production_env_values(project: Project) -> Iterator[EnvValue]:
    """Every entry of a file named for production, and what a production-facing service
    takes through ``env_file:`` from a file git tracks (an untracked one is this machine's
    copy), after ``environment:`` and later files have won as in Compose."""
    for path in project.env_files:
        production = env_file_role(path).deployment == "production"
        env = project.env_file(path) if production else None
        for name, (value, location) in (env.resolve() if env is not None else {}).items():
            yield EnvValue(path, name, value, location)
    env_files = set(project.env_files)
    for _, service in project.production_services():
        for name, node in service.environment.items():
            path = node.loc.path
            if path in env_files and node.value is not None and project.tracked(path) \
                    and env_file_role(path).deployment in ("plain", "template"):
                yield EnvValue(path, name, scalar_text(node.value), node.loc)



