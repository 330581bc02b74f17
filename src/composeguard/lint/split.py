"""Whether a project keeps separate compose setups for development and production (CG601).

The split is judged per repository (per checked folder outside git), not per folder: a project
whose development file lives in ``docker/dev/`` or ``.devcontainer/`` beside a root
``docker-compose.yml`` is split. A file counts as a side of the split when it names an
environment: a development file (``compose.override.yaml``, ``*.dev.*``, ``*.local.*``, a
development folder or tool folder, or a configured pattern) or a production file by its name
(``*.prod.*``, ``*.staging.*``...). A variant such as ``docker-compose.postgres.yml`` and test
files (``*.test.*``, ``*.ci.*``) do not split environments.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from composeguard.lint.commands import Action, Operation
from composeguard.lint.compose import (
    PRODUCTION_MARKERS,
    ComposeFile,
    ComposeModel,
    Environment,
    Service,
    name_markers,
)
from composeguard.lint.finding import Location

if TYPE_CHECKING:
    from composeguard.lint.project import Project
    from composeguard.lint.startup import StartStep

ON_START = (Operation.DESTROY, Operation.MIGRATE, Operation.SEED)
"""What a setup must not do on every start in production: wipe, migrate, seed."""


def names_an_environment(compose_file: ComposeFile) -> bool:
    """The file is the development or production side of a split (see the module docstring)."""
    if compose_file.environment is Environment.DEVELOPMENT:
        return True
    return compose_file.environment is Environment.PRODUCTION and bool(
        set(name_markers(compose_file.path.name)) & PRODUCTION_MARKERS)


def unsplit_bases(
    files: Sequence[ComposeFile],
    repository_root: Callable[[Path], Path | None],
    checked: Iterable[Path],
) -> list[ComposeFile]:
    """The production-facing base files (``compose.yaml`` & co) of repositories, or checked
    folders outside git, in which no compose file names an environment."""
    roots = [Path(os.path.abspath(p)) for p in checked]
    roots = [r if r.is_dir() else r.parent for r in roots]

    def scope(path: Path) -> Path:
        found = repository_root(path)
        if found is not None:
            return found
        absolute = Path(os.path.abspath(path))
        inside = [r for r in roots if r in absolute.parents]
        return max(inside, key=lambda r: len(r.parts)) if inside else absolute.parent

    split = {scope(f.path) for f in files if names_an_environment(f)}
    return [f for f in files if f.is_base and f.environment is Environment.PRODUCTION
            and f.root is not None and scope(f.path) not in split]


@dataclass(frozen=True, slots=True)
class AutomaticStep:
    """A migrate, seed or wipe action that ``service`` runs on every start."""

    service: Service
    step: StartStep
    action: Action


def automatic_steps(project: Project, model: ComposeModel) -> tuple[AutomaticStep, ...]:
    """The migrate/seed/wipe actions the setup runs on every start, in service order (a
    service defined in a development file aside)."""
    found = []
    for service in model.services.values():
        if project.defined_for_development(model, service) is not None:
            continue
        for step in project.start_steps(model, service):
            found.extend(AutomaticStep(service, step, action) for action in step.actions
                         if not step.gated and action.operation in ON_START)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class UnsplitSetup:
    """A base file that is the only setup for every environment, run as production, and what
    it does automatically on every start (never empty)."""

    base: ComposeFile
    model: ComposeModel
    steps: tuple[AutomaticStep, ...]
    location: Location
    """The first step when a file of the setup writes it, else the base's ``services:`` key."""


def unsplit_setups(project: Project) -> Iterator[UnsplitSetup]:
    """Each unsplit base's production setup that migrates, seeds or wipes on start, once per
    place to point at."""
    reported: set[Location] = set()
    for base in project.unsplit_compose_bases():
        for model in project.models_for(Environment.PRODUCTION):
            if model.files[0].path != base.path:
                continue
            steps = automatic_steps(project, model)
            if not steps:
                continue
            location = _split_location(base, model, steps[0].step)
            if location in reported:
                continue
            reported.add(location)
            yield UnsplitSetup(base, model, steps, location)


def _split_location(base: ComposeFile, model: ComposeModel, first: StartStep) -> Location:
    if any(first.location.path == f.path for f in model.files):
        return first.location
    services = base.services_node()
    return services.key_loc if services is not None and services.key_loc else Location(
        base.path, 1, 1)
