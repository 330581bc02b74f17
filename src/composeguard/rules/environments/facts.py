"""The setups of CG601: production-facing base files of projects that keep one compose
setup for every environment, and the steps they run on every start.

Which base files are unsplit is a fact of the core (:func:`composeguard.lint.facts.unsplit.unsplit_bases`,
asked through :meth:`~composeguard.lint.project.Project.unsplit_compose_bases`); what they
run on start, and where the finding points, is this family's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from composeguard.lint.facts.commands import DATA_STEPS, Action
from composeguard.lint.model.compose import ComposeFile, ComposeModel, Environment, Service
from composeguard.lint.parse.location import Location

if TYPE_CHECKING:
    from composeguard.lint.facts.start_commands import StartStep
    from composeguard.lint.project import Project


@dataclass(frozen=True, slots=True)
class AutomaticStep:
    """A migrate, seed or wipe action that ``service`` runs on every start."""

    service: Service
    step: StartStep
    action: Action


def automatic_steps(project: Project, model: ComposeModel) -> tuple[AutomaticStep, ...]:
    """The migrate/seed/wipe actions the setup runs on every start, in service order (a
    service defined in a development file aside)."""
    found: list[AutomaticStep] = []
    for service in model.services.values():
        if project.defined_for_development(model, service) is not None:
            continue
        for step in project.start_steps(model, service):
            found.extend(AutomaticStep(service, step, action) for action in step.actions
                         if not step.gated and action.operation in DATA_STEPS)
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
    place to point at; a setup left in doubt between development and production (a
    development server in a setup that also prepares for production) serves both."""
    reported: set[Location] = set()
    for base in project.unsplit_compose_bases():
        for model in project.models:
            if model.files[0].path != base.path or not (
                    model.environment is Environment.PRODUCTION or project.judgement(model).doubt):
                continue
            steps = automatic_steps(project, model)
            if not any(_for_development_only(s) for s in steps):
                continue
            location = _split_location(base, model, steps[0].step)
            if location in reported:
                continue
            reported.add(location)
            yield UnsplitSetup(base, model, steps, location)


def _for_development_only(step: AutomaticStep) -> bool:
    """What a developer wants on every start and production must not: seeding or wiping. A
    migration is a valid deploy step for one instance (a swallowed failure is CG203's)."""
    from composeguard.lint.facts.commands import Operation

    return step.action.operation in (Operation.SEED, Operation.DESTROY)


def _split_location(base: ComposeFile, model: ComposeModel, first: StartStep) -> Location:
    if any(first.location.path == f.path for f in model.files):
        return first.location
    services = base.services_node()
    return services.key_loc if services is not None and services.key_loc else Location(
        base.path, 1, 1)

