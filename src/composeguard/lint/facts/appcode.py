"""What the app's own code does to data: the commands its code calls, what its seeds do to
rows, and the migrations its start code runs and swallows.

Functions of the files the project holds (``files``: each path with its parts below the
checked root and whether git tracks it) and readers the Project hands in; the Laravel, Django
and JavaScript readers are loaded only when a file asks for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from composeguard.lint.facts.commands import CodeCommand, Operation, classify, unwrap
from composeguard.lint.model.compose import name_words
from composeguard.lint.model.discover import nested
from composeguard.lint.parse.location import Location

if TYPE_CHECKING:
    from composeguard.lint.facts.laravel import LaravelApp

Files = Sequence[tuple[Path, tuple[str, ...], bool]]
Read = Callable[[Path], "str | None"]

PYTHON_START_WORDS = frozenset({"main", "app", "application", "server", "wsgi", "asgi",
                                "startup", "start", "run", "boot", "bootstrap", "lifespan",
                                "entrypoint", "serve"})
"""Words of the names of the Python files an app starts from."""


def seed_effects(words: Sequence[str], folders: Sequence[Path], files: Files, read_source: Read,
                 laravel_apps: Callable[[], Sequence[LaravelApp]], read_text: Read
                 ) -> frozenset[str] | None:
    """What the seeds a seed command runs do to rows (``upsert``, ``insert``,
    ``update``, ``delete``, ``unknown``), for the app the service builds or mounts:
    Laravel's seeders (:func:`~composeguard.lint.facts.laravel.seeder_effects`, the project's
    only app otherwise), knex's ``seeds/`` and Sequelize's ``seeders/`` files
    (:func:`~composeguard.lint.facts.appschema.seed_file_effects`). None for another command
    or when the seeds are not found."""
    tools = {a.tool for a in classify(words) if a.operation is Operation.SEED}
    seed_dirs = {"Knex": "seeds", "Sequelize": "seeders"}
    if tools & set(seed_dirs):
        wanted = {seed_dirs[t] for t in tools if t in seed_dirs}
        from composeguard.lint.facts.appschema import SCRIPT_SUFFIXES, seed_file_effects

        effects: set[str] = set()
        for path, parts, _ in files:
            if path.suffix in SCRIPT_SUFFIXES and wanted & {p.lower() for p in parts[:-1]} \
                    and "node_modules" not in parts \
                    and (not folders or any(nested(f, path.parent) for f in folders)):
                text = read_source(path)
                effects |= seed_file_effects(path, text) if text is not None else {"unknown"}
        return frozenset(effects) or None
    args = unwrap(words)
    if len(args) < 2 or args[0].rsplit("/", 1)[-1] != "artisan" \
            or args[1] not in ("db:seed", "migrate", "migrate:fresh", "migrate:refresh"):
        return None
    from composeguard.lint.facts.laravel import seeder_effects

    option = "--class" if args[1] == "db:seed" else "--seeder"
    seeder = "DatabaseSeeder"
    for i, word in enumerate(args[2:], start=2):
        if word.startswith(option + "="):
            seeder = word.split("=", 1)[1]
        elif word == option and i + 1 < len(args):
            seeder = args[i + 1]
    every = laravel_apps()
    apps = [a for a in every if any(nested(folder, a.root) for folder in folders)]
    if not apps and len(every) == 1:
        apps = list(every)
    if len(apps) != 1:
        return None
    return seeder_effects(apps[0], read_text, seeder)


def swallowed_migrations(files: Files, read_text: Read, runs_app: Callable[[Path], bool]
                         ) -> tuple[tuple[Location, str], ...]:
    """Migrations the app's own Python start code runs in a ``try`` whose handler only
    logs (:func:`~composeguard.lint.facts.django.swallowed_migrations`), each with the place of
    the ``except`` and what migrates. Read in the files an app starts from (``main.py``,
    ``app.py``, ``server.py``, ``wsgi.py``, ``startup.py``...) outside tests and
    migrations, of apps the project runs."""
    from composeguard.lint.facts.dumps import TEST_DIRS

    found: list[tuple[Location, str]] = []
    for path, parts, _ in files:
        folders = {part.lower() for part in parts[:-1]}
        if path.suffix != ".py" or not name_words(path.stem) & PYTHON_START_WORDS \
                or folders & (TEST_DIRS | {"migrations", "alembic", "venv", ".venv"}):
            continue
        text = read_text(path)
        if text is None:
            continue
        from composeguard.lint.facts.django import swallowed_migrations as swallowed_in

        swallowed = swallowed_in(text)
        if swallowed and runs_app(path.parent):
            found.extend((Location(path, line, 1), what) for what, line in swallowed)
    return tuple(found)


def code_commands(files: Files, repo_roots: Iterable[Path], laravel: Sequence[Path],
                  read_source: Read, runs_app: Callable[[Path], bool]
                  ) -> tuple[CodeCommand, ...]:
    """Artisan and ``manage.py`` commands the app's own code runs
    (``Artisan::call('migrate:fresh')``, ``call_command('flush')``; see
    :func:`~composeguard.lint.facts.laravel.artisan_calls` and
    :func:`~composeguard.lint.facts.django.management_calls`), in the PHP of the Laravel apps
    and in Python files, of apps the project runs. Not read: tests, migrations, seeders,
    factories, dependencies, and files named for a reset or for development
    (``ResetDemoCommand.php``, ``dev_tools.py``): a wipe is what they are for."""
    from composeguard.lint.facts.appschema import SKIPPED_WORDS
    from composeguard.lint.facts.commands import CodeCommand
    from composeguard.lint.facts.dumps import TEST_DIRS
    from composeguard.lint.model.compose import class_name_words
    from composeguard.lint.model.discover import (
        CODE_COMMAND_MARKERS,
        DEPENDENCY_DIRS,
        code_command_files,
    )

    skipped = TEST_DIRS | DEPENDENCY_DIRS | {"migrations", "seeders", "seeds", "factories",
                                             "site-packages", "storage"}
    marked: set[str] = set()
    unsearched: set[Path] = set()
    for root in repo_roots:
        candidates = code_command_files(root)
        if candidates is None:
            unsearched.add(root)
        else:
            marked |= candidates
    found: list[CodeCommand] = []
    for path, parts, in_repo in files:
        if path.suffix not in (".php", ".py") or {p.lower() for p in parts[:-1]} & skipped \
                or class_name_words(path.stem) & (SKIPPED_WORDS | {"wipe", "fresh", "flush"}):
            continue
        if path.suffix == ".php" and not any(root in path.parents for root in laravel):
            continue
        if in_repo and str(path) not in marked \
                and not any(root in path.parents for root in unsearched):
            continue
        text = read_source(path)
        if text is None or not any(m in text.lower() for m in CODE_COMMAND_MARKERS):
            continue
        if path.suffix == ".php":
            from composeguard.lint.facts.laravel import artisan_calls

            calls = artisan_calls(path, text)
        else:
            from composeguard.lint.facts.django import management_calls

            calls = [CodeCommand(words, Location(path, line, 1), gated)
                     for words, line, gated in management_calls(text)]
        if calls and runs_app(path.parent):
            found.extend(calls)
    return tuple(found)
