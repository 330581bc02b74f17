"""The fixes of CG101 and CG102: a data store's data directory on a named volume.

Three repairs, all edits of the compose file the finding points at (never of a file pulled in
with ``extends``/``include``, whose top-level volumes the project may not see):

- a missing volume: a named volume mounted at the data directory and declared under the
  top-level ``volumes:`` (the section created when missing);
- a volume at the wrong directory for the image (postgres 18 and ``/var/lib/postgresql/data``):
  the mount's target moved to the data directory;
- an anonymous volume at the data directory: the same volume given a name, and declared.

A volume is named after the store (``mysql_data``) when the project runs one service of that
store, else after the service (``db_data``); a name any compose file of the same directory
already uses (Compose prefixes volumes with the directory's project name, so those files share
volumes) is never reused. A mount that comes from an anchor several services share is left
alone: one named volume would then hold the data of several database servers.

All three are unsafe: the compose file becomes right, but on a deployment that already runs,
the next ``docker compose up`` starts the store on the new, empty volume; the data (in the old
container or its anonymous volume) has to be copied over first.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from composeguard.fix.yaml_edits import YamlText, YNode
from composeguard.lint.compose import ComposeModel, MountKind, Service, iter_mounts, parse_mount
from composeguard.lint.finding import Fix, fix_builder
from composeguard.lint.project import Project
from composeguard.lint.storage import Persistence

COPY_FIRST = ("on a running deployment the next `docker compose up` starts on the new, empty "
              "volume: copy the current data into it first")

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def _best_effort(builder: Callable[..., Fix | None]) -> Callable[..., Fix | None]:
    """A fix that cannot be built is no fix; the finding is still reported."""

    @wraps(builder)
    def build(*args: object) -> Fix | None:
        try:
            return builder(*args)
        except (LookupError, ValueError, TypeError, AttributeError, RecursionError):
            return None

    return build


@fix_builder(safe=False)
@_best_effort
def add_volume_fix(project: Project, model: ComposeModel, service: Service, state: Persistence
                   ) -> Fix | None:
    """CG101 with no mount at the data directory: mount a new named volume there."""
    path = service.location.path
    doc = _document(project, model, path)
    if doc is None or _mounts_target(project, path, service.name, state.data_dir):
        return None
    name = data_volume_names(project, path).get(service.name)
    if name is None:
        return None
    edits = doc.edits(
        doc.append_item(("services", service.name, "volumes"), f"{name}:{state.data_dir}"),
        doc.set_entry(("volumes",), name),
    )
    if not edits:
        return None
    return Fix(f"mount a new named volume `{name}` at {state.data_dir} in service "
               f"'{service.name}' and declare it under the top-level `volumes:`; {COPY_FIRST}",
               edits, safe=False)


@fix_builder(safe=False)
@_best_effort
def move_mount_fix(project: Project, model: ComposeModel, service: Service, state: Persistence
                   ) -> Fix | None:
    """CG101 with a volume at the wrong directory: move its target to the data directory."""
    mount = state.wrong_mount
    if mount is None:
        return None
    doc = _document(project, model, mount.location.path)
    node = doc.item_at(mount.location.line, mount.location.column) if doc else None
    if doc is None or node is None or not _single_user(doc, node):
        return None
    if node.kind == "scalar" and node.value is not None:
        parts = node.value.split(":")
        hits = [i for i, part in enumerate(parts)
                if i > 0 and part.startswith("/") and posixpath.normpath(part) == mount.target]
        if len(hits) != 1:
            return None
        parts[hits[0]] = state.data_dir
        change = doc.replace_scalar(node, ":".join(parts))
    elif node.kind == "map" and (target := node.own("target")) is not None:
        change = doc.replace_scalar(target, state.data_dir)
    else:
        return None
    edits = doc.edits(change)
    if not edits:
        return None
    return Fix(f"move the volume of service '{service.name}' from {mount.target} to "
               f"{state.data_dir}; the data written so far is not where the store will look: "
               "copy it (or upgrade it, for a new major version) before the next `up`",
               edits, safe=False)


@fix_builder(safe=False)
@_best_effort
def name_anonymous_fix(project: Project, model: ComposeModel, service: Service,
                       state: Persistence) -> Fix | None:
    """CG102 at the data directory: give the anonymous volume a name and declare it."""
    mount = state.anonymous
    if mount is None:
        return None
    path = mount.location.path
    doc = _document(project, model, path)
    node = doc.item_at(mount.location.line, mount.location.column) if doc else None
    if doc is None or node is None or not _single_user(doc, node):
        return None
    name = data_volume_names(project, path).get(service.name)
    if name is None:
        return None
    if node.kind == "scalar" and node.value and ":" not in node.value:
        change = doc.replace_scalar(node, f"{name}:{node.value}")
    elif node.kind == "map" and node.own("source") is None:
        change = doc.add_entry(node, "source", name)
    else:
        return None
    edits = doc.edits(change, doc.set_entry(("volumes",), name))
    if not edits:
        return None
    return Fix(f"name the anonymous volume at {mount.target} of service '{service.name}' "
               f"`{name}` and declare it under the top-level `volumes:`; the old anonymous "
               f"volume keeps the data: copy it into `{name}` before the next `up`",
               edits, safe=False)


def data_volume_names(project: Project, path: Path) -> dict[str, str]:
    """The new volume name of each data-store service without a persisted data directory, in
    the setups that ``path`` is part of.

    Decided for all of them at once, in name order, so two fixes of one pass never pick the
    same name.
    """
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


def _document(project: Project, model: ComposeModel, path: Path) -> YamlText | None:
    """The compose file ``path`` as editable YAML, when it is one of the model's own files."""
    if not any(f.path == path for f in model.files):
        return None
    text = project.compose_file(path).text
    return _parse(path, text) if text is not None else None


def _parse(path: Path, text: str) -> YamlText | None:
    return YamlText.parse(path, text)


def _single_user(doc: YamlText, node: YNode) -> bool:
    """No anchor shares ``node`` with another service (one alias, and the anchor itself is
    not a service of its own)."""
    anchors = doc.anchors_above(node)
    if not anchors:
        return True
    users = sum(doc.alias_count(anchor) for anchor in anchors)
    defined_in_services = bool(node.path) and node.path[0] == "services"
    return users + (1 if defined_in_services else 0) == 1


def _mounts_target(project: Project, path: Path, service: str, target: str) -> bool:
    """The service as written in ``path`` already mounts something at ``target`` (a later
    file must then remove it: adding another would loop)."""
    root = project.compose_file(path).root
    services = root.get("services") if root is not None else None
    node = services.get(service) if services is not None else None
    volumes = node.get("volumes") if node is not None else None
    if volumes is None or not volumes.is_list:
        return False
    return any((mount := parse_mount(item)) is not None and mount.target == target
               for item in volumes.value)
