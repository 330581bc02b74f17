"""Which database an app falls back to in production, and whether SQLite there is deliberate.

SQLite in a container is only lost data when its file lives in the writable layer. A Rails 8
app on SQLite with ``storage/`` on a named volume, or a Laravel service whose
``DB_DATABASE`` is a file under a mounted ``/data``, chose SQLite and keeps it; the same
configuration without the volume loses the database at the next deploy.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from composeguard.lint.facts.django import DjangoSettings
    from composeguard.lint.model.compose import Service
    from composeguard.lint.project import Project

LARAVEL_DB_SETTINGS = ("DB_HOST", "DB_DATABASE", "DB_USERNAME", "DB_PASSWORD", "DB_URL")


def sqlite_file(name: str, value: str, service: Service) -> str | None:
    """Where the app keeps the SQLite file that setting ``name`` (``DB_CONNECTION`` or
    ``DATABASE_URL``, with ``value``) selects, as a container path (relative to the app when
    it is not absolute); None for an in-memory database."""
    if name == "DB_CONNECTION":
        path = (service.env("DB_DATABASE") or "").strip() or "database/database.sqlite"
    else:
        try:
            parts = urlsplit(value)
        except ValueError:
            return None
        path = parts.path.removeprefix("/")
    return None if not path or path == ":memory:" else path


def on_volume(path: str | None, service: Service) -> bool:
    """Whether the SQLite file is on a named volume or bind mount of the service: an
    absolute path below the mount's target, a relative one under a target ending in its
    folder (``/var/www/html/database``), or anywhere in the project bind-mounted whole."""
    if path is None:
        return False
    folder = posixpath.dirname(posixpath.normpath(path)) if not path.startswith("/") else ""
    for mount in service.mounts:
        if not mount.is_persistent or mount.read_only:
            continue
        target = posixpath.normpath(mount.target)
        if path.startswith("/"):
            if posixpath.normpath(path).startswith(target.rstrip("/") + "/"):
                return True
        elif (folder and target.endswith("/" + folder)) or (
                mount.source is not None and mount.source.rstrip("/") == "."):
            return True
    return False


def services_built_from(project: Project, folder: Path) -> Iterator[Service]:
    """Production-facing services whose image is built from ``folder`` (or a folder above)."""
    from composeguard.lint.facts.start_commands import service_build

    folder = folder.resolve()
    for model, service in project.production_services():
        build = service_build(service, model)
        if build is not None and (build.context == folder or build.context in folder.parents):
            yield service


def kept_on_volumes(project: Project, root: Path, path: Callable[[Service], str | None]) -> bool:
    """Whether production-facing services are built from the app at ``root`` and every one
    keeps the app's SQLite file (``path`` in that service) on a volume: a deliberate,
    persistent SQLite deployment rather than a forgotten fallback."""
    services = list(services_built_from(project, root))
    return bool(services) and all(on_volume(path(s), s) for s in services)


def _production_django_settings(project: Project) -> tuple[DjangoSettings, ...]:
    """Per settings folder: its production modules, else its single module or ``base``; none
    of an app the project never runs (:meth:`~composeguard.lint.project.Project.runs_app`)."""
    by_folder: dict[Path, list[DjangoSettings]] = {}
    for settings in project.django_settings:
        by_folder.setdefault(settings.path.parent, []).append(settings)
    judged: list[DjangoSettings] = []
    for folder, group in by_folder.items():
        if not project.runs_app(folder):
            continue
        production = [s for s in group if s.role == "production"]
        judged.extend(production or [s for s in group if s.role in ("single", "base")])
    return tuple(judged)


def unused_database_setting(project: Project, root: Path) -> tuple[str, str] | None:
    """(service, setting) of a production service built from the Laravel app at ``root``
    that names a database server (``DB_HOST``...) but leaves ``DB_CONNECTION`` unset: unless
    the app's own ``.env`` sets it, the app never uses that database."""
    for service in services_built_from(project, root):
        environment = service.environment
        given = [n for n in LARAVEL_DB_SETTINGS if n in environment]
        if given and "DB_CONNECTION" not in environment:
            return service.name, given[0]
    return None


def production_django_settings(project: Project) -> tuple[DjangoSettings, ...]:
    """The Django settings production runs, computed once per project."""
    return project.memo(("rules/appconfig/appdb.py", "production_django_settings"), lambda: _production_django_settings(project))
