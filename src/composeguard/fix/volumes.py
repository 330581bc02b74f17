"""Volume names for the data of a project's stores, shared by the fixes of CG101/CG102
(:mod:`composeguard.rules.persistence.fixes`) and the dev/prod split.

A volume is named after the store (``mysql_data``) when the project runs one service of that
store, else after the service (``db_data``); a name any compose file of the same directory
already uses (Compose prefixes volumes with the directory's project name, so those files share
volumes) is never reused.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from pathlib import Path

from composeguard.lint.model.compose import ComposeModel, MountKind, iter_mounts
from composeguard.lint.project import Project

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


_DECIDED: weakref.WeakKeyDictionary[Project, dict[Path, dict[str, str]]] = \
    weakref.WeakKeyDictionary()


def data_volume_names(project: Project, path: Path) -> dict[str, str]:
    """The new volume name of each data-store service without a persisted data directory, in
    the setups that ``path`` is part of.

    Decided for all of them at once, in name order, so two fixes of one pass never pick the
    same name; decided once per project and file (every fix of the file asks).
    """
    decided = _DECIDED.setdefault(project, {})
    if path not in decided:
        decided[path] = _decide_volume_names(project, path)
    return dict(decided[path])


def _decide_volume_names(project: Project, path: Path) -> dict[str, str]:
    models = [m for m in project.models if any(f.path == path for f in m.files)]
    taken = _names_in_use(project, path, models)
    services_of: dict[str, set[str]] = defaultdict(set)
    needing: dict[str, str] = {}
    for model, service, state in project.data_store_services():
        if not any(model is m for m in models):
            continue
        services_of[state.store.name].add(service.name)
        if state.persisted_by is None and state.wrong_mount is None:
            needing.setdefault(service.name, state.store.name)
    names: dict[str, str] = {}
    for service_name in sorted(needing):
        store = needing[service_name]
        base = _slug(service_name)
        candidates = [f"{store}_data"] if len(services_of[store]) == 1 else []
        candidates += [f"{base}_data", f"{base}_{store}_data"]
        candidates += [f"{base}_data_{n}" for n in range(2, 100)]
        chosen = next((c for c in candidates if c not in taken), None)
        if chosen is not None:
            taken.add(chosen)
            names[service_name] = chosen
    return names


def _names_in_use(project: Project, path: Path, models: list[ComposeModel]) -> set[str]:
    taken: set[str] = set()
    for model in models:
        taken.update(model.volumes)
        for service in model.services.values():
            taken.update(m.source for m in service.mounts
                         if m.kind is MountKind.NAMED and m.source)
    for compose_file in project.compose_files:
        root = compose_file.root
        if compose_file.path.parent != path.parent or root is None or not root.is_map:
            continue
        volumes = root.get("volumes")
        if volumes is not None:
            taken.update(name for name, _ in volumes.items())
        services = root.get("services")
        for _, node in services.items() if services is not None else ():
            if node.is_map:
                taken.update(m.source for m in iter_mounts(node)
                             if m.kind is MountKind.NAMED and m.source)
    return taken


def _slug(name: str) -> str:
    """A service name as a volume name (Compose allows letters, digits, ``_``, ``.``, ``-``)."""
    slug = "".join(c if c in _NAME_CHARS else "_" for c in name)
    return slug if slug[:1].isalnum() else f"v{slug}"


