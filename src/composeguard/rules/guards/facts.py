"""What guards production data against a mistaken command (CG501): whether the project seeds,
and where Rails' database environment check is turned off.

A Laravel app's own guard is read from its service providers (:mod:`composeguard.lint.facts.laravel`);
what is here are the project-wide facts the advice around it needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from composeguard.lint.facts.commands import Action, Operation, classify
from composeguard.lint.model.compose import PRODUCTION_MARKERS

if TYPE_CHECKING:
    from composeguard.lint.facts.laravel import LaravelApp
    from composeguard.lint.parse.location import Location
    from composeguard.lint.project import Project

RAILS_CHECK = "DISABLE_DATABASE_ENVIRONMENT_CHECK"


@dataclass(frozen=True, slots=True)
class SeedingEvidence:
    """What shows that a project seeds: a command at ``path`` line ``line``, or the app's
    DatabaseSeeder (``line`` None)."""

    path: Path
    line: int | None = None


def seeding_evidence(project: Project, app: LaravelApp) -> SeedingEvidence | None:
    """The first seeding start step, script, Makefile or CI command, else ``app``'s
    ``database/seeders/DatabaseSeeder.php``: where the project shows that it seeds."""
    for model in project.models:
        for service in model.services.values():
            for step in project.start_steps(model, service):
                if any(a.operation is Operation.SEED for a in step.actions):
                    return SeedingEvidence(step.location.path, step.location.line)
    for fragment, script in project.shell_fragments:
        for command in script.commands:
            if any(a.operation is Operation.SEED for a in classify(command.words)):
                return SeedingEvidence(fragment.path, command.location.line)
    seeder = app.root / "database" / "seeders" / "DatabaseSeeder.php"
    return SeedingEvidence(seeder) if seeder in project.discovery.files else None


def runs_what_the_guard_blocks(project: Project, app: LaravelApp) -> bool:
    """Whether the project runs, for ``app``, an artisan command that wipes or seeds a
    database: in a start command, a script, a Makefile target or a CI step whose file is in
    the app's folder or in a folder above it that holds no other Laravel app. Where it never
    does, a missing guard has nothing to stop."""
    wanted = (Operation.DESTROY, Operation.SEED)
    others = [other.root for other in project.laravel_apps if other.root != app.root]

    def artisan(actions: Iterable[Action]) -> bool:
        return any(a.operation in wanted and a.tool == "Laravel artisan" for a in actions)

    def mine(path: Path) -> bool:
        folder = path.parent
        if folder == app.root or app.root in folder.parents:
            return True
        return folder in app.root.parents and not any(folder in o.parents for o in others)

    for model in project.models:
        for service in model.services.values():
            if any(artisan(step.actions) and mine(step.location.path)
                   for step in project.start_steps(model, service)):
                return True
    return any(artisan(classify(command.words)) and mine(fragment.path)
               for fragment, script in project.shell_fragments for command in script.commands)


def production_env_file(path: Path) -> bool:
    """An env file whose name marks production (``.env.production``, ``prod.env``...)."""
    words = path.name.lower().replace("-", ".").replace("_", ".").split(".")
    return "env" in words and bool(set(words) & PRODUCTION_MARKERS)


@dataclass(frozen=True, slots=True)
class DisabledCheck:
    """A place that sets ``DISABLE_DATABASE_ENVIRONMENT_CHECK`` for production; ``where``
    names it for a message (``service 'web'``, ``.env.production``...)."""

    location: Location
    where: str


def disabled_environment_checks(project: Project) -> Iterator[DisabledCheck]:
    """Each place (once) that turns off Rails' refusal to drop a production database:
    ``config/environments/production.rb``, a production-facing service's environment, a
    production env file."""
    seen: set[Location] = set()
    for check in _disabled_checks(project):
        if check.location not in seen:
            seen.add(check.location)
            yield check


def _disabled_checks(project: Project) -> Iterator[DisabledCheck]:
    for root in project.rails_apps:
        location = project.rails_environment_check_disabled(root)
        if location is not None:
            yield DisabledCheck(location, "config/environments/production.rb")
    for _, service in project.production_services():
        node = service.environment.get(RAILS_CHECK)
        if node is not None and node.value is not None:
            yield DisabledCheck(node.anchor_loc, f"service '{service.name}'")
    for path in project.env_files:
        env = project.env_file(path) if production_env_file(path) else None
        for entry in env.entries if env is not None else ():
            if entry.key == RAILS_CHECK and entry.raw is not None:
                yield DisabledCheck(entry.location, path.name)
