"""The fixes of the persistence rules: CG101 and CG102 (a data store's data directory on a
named volume), CG104 (a command that destroys volumes) and CG105 (RabbitMQ's host name).
The fixes of CG101 and CG102: a data store's data directory on a named volume.

Three repairs, all edits of the compose file the finding points at (never of a file pulled in
with ``extends``/``include``, whose top-level volumes the project may not see):

- a missing volume: a named volume mounted at the data directory and declared under the
  top-level ``volumes:`` (the section created when missing);
- a volume at the wrong directory for the image: the mount's target moved to the data
  directory; but a PostgreSQL 18+ that refuses its volume at ``/var/lib/postgresql/data``
  holds data an older major wrote, so its mount is never moved (the new directory would
  start an empty cluster): the image is pinned to the major in the data's ``PG_VERSION``
  when the data is bind-mounted and readable, else nothing is changed;
- an anonymous volume at the data directory: the same volume given a name, and declared.

A volume is named after the store (``mysql_data``) when the project runs one service of that
store, else after the service (``db_data``); a name any compose file of the same directory
already uses (Compose prefixes volumes with the directory's project name, so those files share
volumes) is never reused. A mount that comes from an anchor several services share is left
alone: one named volume would then hold the data of several database servers.

All three are unsafe: the compose file becomes right, but on a deployment that already runs,
the next ``docker compose up`` starts the store on the new, empty volume; the data (in the old
container or its anonymous volume) has to be copied over first.

CG104: ``-v``/``--volumes`` removed from the ``down`` (or ``system prune``) of a script line,
where those words are written plainly on it. CG105: ``hostname: <service>`` on a rabbitmq
service.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import TYPE_CHECKING

from composeguard.fix.builders import best_effort, model_document, single_user, yaml_document
from composeguard.fix.volumes import data_volume_names
from composeguard.lint.engine.finding import Edit, Fix, fix_builder
from composeguard.lint.model.compose import parse_mount
from composeguard.lint.parse.location import Location

if TYPE_CHECKING:
    from composeguard.lint.facts.storage import Persistence
    from composeguard.lint.model.compose import ComposeModel, Service
    from composeguard.lint.parse.shell import Command
    from composeguard.lint.project import Project


COPY_FIRST = ("on a running deployment the next `docker compose up` starts on the new, empty "
              "volume: copy the current data into it first")


@fix_builder(safe=False)
@best_effort
def add_volume_fix(project: Project, model: ComposeModel, service: Service, state: Persistence
                   ) -> Fix | None:
    """CG101 with no mount at the data directory: mount a new named volume there."""
    path = service.location.path
    doc = model_document(project, model, path)
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
@best_effort
def move_mount_fix(project: Project, model: ComposeModel, service: Service, state: Persistence
                   ) -> Fix | None:
    """CG101 with a volume at the wrong directory: move its target to the data directory."""
    mount = state.wrong_mount
    if mount is None:
        return None
    doc = model_document(project, model, mount.location.path)
    node = doc.item_at(mount.location.line, mount.location.column) if doc else None
    if doc is None or node is None or not single_user(doc, node):
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
@best_effort
def pin_major_fix(project: Project, model: ComposeModel, service: Service, major: int
                  ) -> Fix | None:
    """CG101 on a PostgreSQL that refuses its old data directory: pin the image to the major
    that wrote the data (``postgres`` -> ``postgres:17``, ``postgres:alpine`` ->
    ``postgres:17-alpine``), never move the mount."""
    node = service.get("image")
    if node is None or not node.is_scalar or node.template is not None:
        return None
    written = str(node.value)
    slash, colon = written.rfind("/"), written.rfind(":")
    if "@" in written:
        return None
    repository, tag = (written[:colon], written[colon + 1:]) if colon > slash else (written, "")
    variant = "" if tag in ("", "latest") else f"-{tag}"
    doc = model_document(project, model, node.loc.path)
    item = doc.node_at(node.loc.line, node.loc.column) if doc else None
    if doc is None or item is None or item.kind != "scalar" or not single_user(doc, item):
        return None
    pinned = f"{repository}:{major}{variant}"
    edits = doc.edits(doc.replace_scalar(item, pinned))
    if not edits:
        return None
    return Fix(f"pin service '{service.name}' to `{pinned}`, the major version whose "
               "PG_VERSION its data directory holds; the volume stays where the data is",
               edits, safe=False)


@fix_builder(safe=False)
@best_effort
def name_anonymous_fix(project: Project, model: ComposeModel, service: Service,
                       state: Persistence) -> Fix | None:
    """CG102 at the data directory: give the anonymous volume a name and declare it."""
    mount = state.anonymous
    if mount is None:
        return None
    path = mount.location.path
    doc = model_document(project, model, path)
    node = doc.item_at(mount.location.line, mount.location.column) if doc else None
    if doc is None or node is None or not single_user(doc, node):
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



def _hostname(name: str) -> str | None:
    """A service name as a host name: letters, digits and ``-`` (others become ``-``)."""
    host = "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-" for c in name)
    host = host.strip("-")
    return host[:63] if host else None


@fix_builder(safe=False)
@best_effort
def rabbitmq_hostname_fix(project: Project, service: Service) -> Fix | None:
    """CG105: ``hostname: <service name>`` in the file that defines the service."""
    path = service.location.path
    doc = yaml_document(project, path)
    host = _hostname(service.name)
    if doc is None or host is None:
        return None
    node = doc.lookup(("services", service.name))
    if node is None or node.kind != "map" or node.own("hostname") is not None:
        return None
    edits = doc.edits(doc.set_entry(("services", service.name), "hostname", host))
    if not edits:
        return None
    return Fix(f"set `hostname: {host}` on service '{service.name}': RabbitMQ then keeps its "
               f"data under mnesia/rabbit@{host} across recreations; the broker running now "
               "keeps its data under its current random host name, so the next `up` starts "
               "an empty node: drain or move its queues first", edits, safe=False)


_VOLUME_FLAGS = {"down": ("-v", "--volumes"), "prune": ("--volumes",)}


@fix_builder(safe=False)
@best_effort
def keep_volumes_fix(project: Project, command: Command) -> Fix | None:
    """CG104 in a script: ``-v``/``--volumes`` removed from ``down`` (or ``system prune``)
    where the subcommand and the flag are written plainly on one line."""
    from composeguard.lint.facts.commands import Operation, classify

    words, places = command.words, command.word_locations
    if len(words) != len(places) or not places:
        return None
    path = places[0].path
    text = project.read_text(path)
    if text is None:
        return None
    lines = text.split("\n")
    sub = next((i for i, w in enumerate(words) if w in _VOLUME_FLAGS), None)
    if sub is None or not _plain(lines, places[sub], words[sub]):
        return None
    removed = [i for i in range(sub + 1, len(words)) if words[i] in _VOLUME_FLAGS[words[sub]]]
    kept = [w for i, w in enumerate(words) if i not in removed]
    if not removed or any(a.operation is Operation.VOLUME_DESTROY for a in classify(kept)):
        return None
    edits = []
    for index in removed:
        here, before = places[index], places[index - 1]
        if not _plain(lines, here, words[index]) or before.end[0] != here.line:
            return None
        gap = lines[here.line - 1][before.end[1] - 1 : here.column - 1]
        if not gap or gap.strip(" \t"):
            return None
        edits.append(Edit(path, before.end, here.end, ""))
    shown = " ".join(words[: sub + 1])
    return Fix(f"line {places[sub].line}: remove `{' '.join(words[i] for i in removed)}` from `{shown}`: the volumes and "
               "the databases in them are kept; a script that relied on starting from empty "
               "volumes (a reset, a test run) no longer does", tuple(edits), safe=False)


def _plain(lines: list[str], location: Location, word: str) -> bool:
    """``word`` is written at ``location`` as is (no quotes, no variable), on one line."""
    line, column = location.line, location.column
    end_line, end_column = location.end
    if line != end_line or not 1 <= line <= len(lines):
        return False
    return lines[line - 1][column - 1 : end_column - 1] == word

