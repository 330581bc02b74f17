"""What an env file is for, judged by its name, and what production reads from env files.

Two questions are asked of an env file's name, and they have different answers on purpose:

- *which environment reads it* (CG301, CG302): ``.env.production.example`` holds production
  settings, ``.env.production.local`` one developer's overrides, ``app.prod.env`` production's;
- *may git track it* (CG403, :func:`composeguard.lint.repofiles.env_file_role`):
  ``.env.production.example`` is a template, ``.env.production.encrypted`` is meant to be
  committed, ``app.prod.env`` is outside the ``.env`` family.

:class:`EnvFileRole` carries both answers, so every rule asks the Project the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from composeguard.lint.compose import (
    DEVELOPMENT_MARKERS,
    PRODUCTION_MARKERS,
    TEST_MARKERS,
    name_words,
)
from composeguard.lint.nodes import scalar_text

if TYPE_CHECKING:
    from composeguard.lint.finding import Location
    from composeguard.lint.project import Project

_TEMPLATE_WORDS = frozenset({"example", "examples", "sample", "samples", "dist", "template",
                             "templates", "tpl", "tmpl", "default", "defaults"})
_NOT_PRODUCTION_WORDS = DEVELOPMENT_MARKERS | TEST_MARKERS | {"dusk", "cypress", "playwright",
                                                              "phpunit"}


@dataclass(frozen=True, slots=True)
class EnvFileRole:
    """What an env file's name says it is for."""

    deployment: str
    """``production`` (``.env.production``, ``.env.prod``, ``.env.staging``...),
    ``development`` (``.env.local``, ``.env.testing``, ``.env.production.local``: one
    machine's overrides), ``template`` (``.env.example``) or ``plain`` (``.env``)."""
    repository: str | None
    """What git may track: :func:`composeguard.lint.repofiles.env_file_role`."""


@dataclass(frozen=True, slots=True)
class EnvValue:
    """A setting production reads from an env file, at the line that writes it."""

    path: Path
    name: str
    value: str
    location: Location


def env_file_role(path: Path) -> EnvFileRole:
    from composeguard.lint.repofiles import env_file_role as repository_role

    return EnvFileRole(_deployment_role(Path(path).name), repository_role(Path(path).name))


def _deployment_role(name: str) -> str:
    words = name_words(name)
    if words & PRODUCTION_MARKERS and "local" not in words:
        return "production"
    if words & _NOT_PRODUCTION_WORDS:
        return "development"
    return "template" if words & _TEMPLATE_WORDS else "plain"




def production_env_values(project: Project) -> Iterator[EnvValue]:
    """Every entry of a file named for production, and what a production-facing service
    takes through ``env_file:`` from a file git tracks (an untracked one is this machine's
    copy), after ``environment:`` and later files have won as in Compose."""
    for path in project.env_files:
        production = project.env_file_role(path).deployment == "production"
        env = project.env_file(path) if production else None
        for name, (value, location) in (env.resolve() if env is not None else {}).items():
            yield EnvValue(path, name, value, location)
    env_files = set(project.env_files)
    for _, service in project.production_services():
        for name, node in service.environment.items():
            path = node.loc.path
            if path in env_files and node.value is not None and project.tracked(path) \
                    and project.env_file_role(path).deployment in ("plain", "template"):
                yield EnvValue(path, name, scalar_text(node.value), node.loc)
