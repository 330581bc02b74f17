"""Where a project backs up its data stores (CG602), found in compose, scripts and cron files.

A backup counts only for the kind of store it can read: ``mysqldump`` backs up mysql and
mariadb, ``pg_dump`` postgres, ``mongodump`` mongo. A tool that copies volumes or files
(``offen/docker-volume-backup``, ``mazzolino/restic``) counts for a store whose data volume it
mounts; a file-level backup run from a script (``restic backup``, ``borg create``) can copy
anything, so it counts for every store. A backup service in compose counts for the stores of
its own setup that it reaches (``depends_on``, ``links``, a host name in its environment), or
for every store of its kinds there when it names none of them. A store service that dumps in
its own start command, or mounts a folder or volume named for backups (``pgbackups:/backups``,
where its image's backup job writes), backs itself up.

Places searched: compose services (a known backup image, a name or image containing
``backup``, or a start command that dumps), shell scripts, Makefile recipes, CI steps,
package.json scripts, crontab files, a composer.json requiring spatie/laravel-backup, the
app's own backup script (``export.py`` calling ``export_ctf()``), and the
project's guides (a README, an operations or self-hosting document) whose shell code blocks
have operators dump a store: a documented backup is a backup path.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from composeguard.lint.facts.commands import Operation, classify, unwrap
from composeguard.lint.facts.datastores import parse_image
from composeguard.lint.facts.dumps import TEST_DIRS
from composeguard.lint.model.compose import (
    ComposeModel,
    Environment,
    Mount,
    MountKind,
    Service,
    environment_mapping,
    name_words,
    word_runs,
)
from composeguard.lint.model.services import absolute_source
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.nodes import scalar_text
from composeguard.lint.parse.origin import TextOrigin
from composeguard.lint.parse.shell import Command, parse_script, shell_body

if TYPE_CHECKING:
    from composeguard.lint.facts.datastores import DataStore
    from composeguard.lint.facts.storage import Persistence
    from composeguard.lint.project import Project

Kinds = frozenset[str] | None
"""Store names (``DataStore.name``) a backup can read; None: any store."""
StoreKey = tuple[Path | None, str]
"""A store service across the setups of one folder: (project directory, service name)."""

MYSQL = frozenset({"mysql", "mariadb"})
POSTGRES = frozenset({"postgres"})
MONGO = frozenset({"mongo"})
REDIS = frozenset({"redis", "valkey", "keydb", "dragonfly"})
SQL_AND_MONGO = MYSQL | POSTGRES | MONGO

TOOL_KINDS: Mapping[str, Kinds] = {
    "MySQL": MYSQL, "MariaDB": MYSQL, "mydumper": MYSQL, "Percona XtraBackup": MYSQL,
    "PostgreSQL": POSTGRES, "pgBackRest": POSTGRES, "WAL-G": POSTGRES, "WAL-E": POSTGRES,
    "Barman": POSTGRES, "MongoDB": MONGO, "Redis": REDIS, "InfluxDB": frozenset({"influxdb"}),
}
"""``Action.tool`` of a BACKUP action -> the stores it reads (a tool not listed: any)."""

SIMILAR_COMMANDS: Mapping[tuple[str, str], Kinds] = {
    ("artisan", "backup:run"): SQL_AND_MONGO,  # spatie/laravel-backup
    ("manage.py", "dbbackup"): SQL_AND_MONGO,  # django-dbbackup
    ("mc", "mirror"): frozenset({"minio"}),
    ("clickhouse-backup", "create"): frozenset({"clickhouse"}),
    ("clickhouse-backup", "create_remote"): frozenset({"clickhouse"}),
    ("neo4j-admin", "dump"): frozenset({"neo4j"}),
    ("neo4j-admin", "backup"): frozenset({"neo4j"}),
    ("neo4j-admin", "database"): frozenset({"neo4j"}),
    ("etcdctl", "snapshot"): frozenset({"etcd"}),
    ("nodetool", "snapshot"): frozenset({"cassandra"}),
    ("restic", "backup"): None,
    ("borg", "create"): None,
    ("kopia", "snapshot"): None,
    ("duplicity", ""): None,
}
"""Backups ``lint/commands.py`` does not know as BACKUP: (program, first operand) -> stores
("" matches any operand)."""

DUMP_IMAGES: Mapping[str, Kinds] = {
    "tiredofit/db-backup": None,
    "prodrigestivill/postgres-backup-local": POSTGRES,
    "kartoza/pg-backup": POSTGRES,
    "eeshugerman/postgres-backup-s3": POSTGRES,
    "schickling/postgres-backup-s3": POSTGRES,
    "databack/mysql-backup": MYSQL,
    "fradelg/mysql-cron-backup": MYSQL,
    "schickling/mysql-backup-s3": MYSQL,
}
"""Images that dump databases over the network."""
VOLUME_BACKUP_IMAGES = frozenset({
    "offen/docker-volume-backup", "futurice/docker-volume-backup", "jareware/docker-volume-backup",
    "loomchild/volume-backup", "mazzolino/restic", "lobaro/restic-backup-docker",
    "restic/restic", "b3vis/borgmatic", "ghcr.io/borgmatic-collective/borgmatic",
    "borgmatic-collective/borgmatic", "kopia/kopia",
})
"""Images that copy files: they back up the volumes they mount."""

_NAME_KINDS = (("mysql", MYSQL), ("mariadb", MYSQL), ("postgres", POSTGRES),
               ("postgresql", POSTGRES), ("pg", POSTGRES), ("mongo", MONGO),
               ("mongodb", MONGO))
_CRON_FOLDERS = frozenset({"cron.d", "crontabs"})
_MAX_NESTING = 3


@dataclass(frozen=True, slots=True)
class Backup:
    """One way the project backs data up."""

    location: Location
    description: str
    """For messages: ``mysqldump (scripts/backup.sh)``, ``service 'backup' (tiredofit/db-backup)``."""
    kinds: Kinds
    stores: frozenset[StoreKey] | None = None
    """The store services it reaches (compose backups); None: every store of its kinds."""

    def covers(self, store: str, key: StoreKey) -> bool:
        return (self.kinds is None or store in self.kinds) and (
            self.stores is None or key in self.stores)


def store_key(model: ComposeModel, service: Service) -> StoreKey:
    return model.project_dir, service.name


NOT_BACKED_UP = frozenset({"rabbitmq", "elasticsearch", "opensearch", "meilisearch", "typesense",
                           "qdrant"})
"""Brokers and search indexes: their content is in transit or rebuilt from the database."""


def stores_without_backup(project: Project) -> Iterator[tuple[Service, DataStore]]:
    """Each production data store (once, caches, brokers and search indexes aside) of a setup
    not marked as development, that no backup of the project covers."""
    seen: set[Location] = set()
    for model, service, state in project.data_store_services(Environment.PRODUCTION):
        store = state.store
        if store.cache or store.name in NOT_BACKED_UP or service.location in seen:
            continue
        if project.defined_for_development(model, service) is not None:
            continue
        seen.add(service.location)
        key = store_key(model, service)
        if not any(backup.covers(store.name, key) for backup in find_backups(project)):
            yield service, store


def _find_backups(project: Project) -> tuple[Backup, ...]:
    """Every backup path of ``project``, each found once."""
    found: list[Backup] = []
    found.extend(_compose_backups(project))
    for fragment, script in project.shell_fragments:
        found.extend(_command_backups(script.commands, fragment.path))
    for path in project.discovery.package_jsons:
        found.extend(_package_backups(path, project.read_text(path)))
    documented = list(project.guide_commands(_may_back_up))
    for command in documented:
        found.extend(_command_backups((command,), command.location.path))
    for path in project.discovery.files:
        if is_cron_file(path):
            text = project.read_text(path)
            if text is not None:
                found.extend(_command_backups(cron_commands(path, text), path))
        elif path.name == "composer.json":
            found.extend(_composer_backups(path, project.read_text(path)))
    for path, parts, _ in project.files_with_parts:
        if path.suffix == ".py" and name_words(path.stem) & APP_BACKUP_WORDS \
                and not TEST_DIRS & {part.lower() for part in parts[:-1]}:
            found.extend(_script_backups(path, project.read_text(path)))
    return tuple(dict.fromkeys(found))


# -- commands ------------------------------------------------------------------------------------


def command_backups(words: Sequence[str], depth: int = 0) -> list[tuple[str, Kinds]]:
    """(command, stores it reads) for each backup one simple command makes, a shell body after
    a remote wrapper included (``docker compose exec -T db sh -c 'pg_dump ...'``)."""
    found = [(action.command, TOOL_KINDS.get(action.tool)) for action in classify(words)
             if action.operation is Operation.BACKUP]
    args = unwrap(words)
    if not args:
        return found
    program = posixpath.basename(args[0]).lower()
    operands = [word for word in args[1:] if not word.startswith("-")]
    for (name, operand), kinds in SIMILAR_COMMANDS.items():
        if program == name and (not operand or operand in operands[:1]):
            found.append((" ".join(w for w in (name, operand) if w), kinds))
    body = shell_body(args) if tuple(args) != tuple(words) else None
    if body is not None and depth < _MAX_NESTING:
        for command in parse_script(args[body], TextOrigin(Path(), args[body])).commands:
            found.extend(command_backups(command.words, depth + 1))
    return found


def _command_backups(commands: Iterable[Command], path: Path) -> Iterator[Backup]:
    for command in commands:
        for what, kinds in command_backups(command.words):
            yield Backup(command.location, f"`{what}` in {path.name}", kinds)


def _may_back_up(line: str) -> bool:
    """A documented code line worth parsing for a backup: it names a dump or backup tool."""
    lower = line.lower()
    return any(word in lower for word in ("dump", "backup", "restic", "borg", "wal-g",
                                          "--rdb", "barman", "bgsave"))


def _package_backups(path: Path, text: str | None) -> Iterator[Backup]:
    from composeguard.lint.facts.scripts import package_scripts

    for fragment in package_scripts(path, text).values() if text is not None else ():
        yield from _command_backups(parse_script(fragment.text, fragment.origin).commands, path)


def _composer_backups(path: Path, text: str | None) -> Iterator[Backup]:
    """spatie/laravel-backup: ``artisan backup:run`` dumps the app's databases."""
    try:
        data = json.loads(text) if text is not None else None
    except (ValueError, RecursionError):
        return
    require = data.get("require") if isinstance(data, dict) else None
    if isinstance(require, dict) and "spatie/laravel-backup" in {str(k).lower() for k in require}:
        yield Backup(Location(path, 1, 1), "spatie/laravel-backup", SQL_AND_MONGO)


APP_BACKUP_WORDS = frozenset({"backup", "export", "dump"})
"""Words of a script the project ships to back up or export the app's data."""


def _script_backups(path: Path, text: str | None) -> Iterator[Backup]:
    """The app's own backup: a Python script named for backing up or exporting (``export.py``,
    ``scripts/backup_db.py``) whose code calls a function named so (``export_ctf()``), as
    spatie/laravel-backup is Laravel's. It covers the databases the app keeps."""
    from composeguard.lint.facts.django import script_calls

    for name, line in script_calls(text) if text is not None else ():
        if name_words(name) & APP_BACKUP_WORDS:
            yield Backup(Location(path, line, 1), f"{path.name} (`{name}()`)", SQL_AND_MONGO)
            return


# -- cron ----------------------------------------------------------------------------------------


def is_cron_file(path: Path) -> bool:
    """A crontab: named ``crontab``/``*.cron``/``*.crontab``, or in a ``cron.d``/``crontabs``
    folder (the scripts of ``cron.daily`` & co are shell scripts, read as such)."""
    name = path.name.lower()
    return (name == "crontab" or name.endswith((".cron", ".crontab"))
            or path.parent.name.lower() in _CRON_FOLDERS)


def cron_commands(path: Path, text: str) -> list[Command]:
    """The commands of a crontab, each parsed as shell at its own line. Files in ``cron.d``
    have a user field before the command, as in ``/etc/crontab``; a ``%`` ends the command
    (the rest is its standard input)."""
    system = path.parent.name.lower() == "cron.d"
    commands: list[Command] = []
    for number, line in enumerate(text.splitlines(), start=1):
        start = _cron_command_start(line, system)
        if start is None:
            continue
        command = _before_percent(line[start:])
        origin = TextOrigin(path, command, number, start + 1)
        commands.extend(parse_script(command, origin).commands)
    return commands


def _cron_command_start(line: str, system: bool) -> int | None:
    """Where the command of a crontab line starts; None for blank, comment and variable lines."""
    stripped = line.lstrip()
    words = stripped.split(None, 1)
    if not words or words[0].startswith("#") or "=" in words[0] or (
            len(words) > 1 and words[1].startswith("=")):
        return None
    fields = (1 if stripped.startswith("@") else 5) + system
    index = len(line) - len(stripped)
    for _ in range(fields):
        while index < len(line) and not line[index].isspace():
            index += 1
        while index < len(line) and line[index].isspace():
            index += 1
    return index if index < len(line) else None


def _before_percent(command: str) -> str:
    escaped = False
    for index, char in enumerate(command):
        if char == "%" and not escaped:
            return command[:index]
        escaped = char == "\\" and not escaped
    return command


# -- compose -------------------------------------------------------------------------------------


def _compose_backups(project: Project) -> Iterator[Backup]:
    stores: dict[int, list[tuple[Service, Persistence]]] = {}
    for model, service, state in project.data_store_services():
        stores.setdefault(id(model), []).append((service, state))
    for model in project.models:
        in_model = stores.get(id(model), [])
        if not in_model:
            continue
        store_ids = {id(service) for service, _ in in_model}
        for service in model.services.values():
            backup = _service_backup(project, model, service, in_model, store_ids)
            if backup is not None:
                yield backup


def _service_backup(
    project: Project, model: ComposeModel, service: Service,
    stores: list[tuple[Service, Persistence]], store_ids: set[int],
) -> Backup | None:
    image = service.image or ""
    repository = parse_image(image).repository if image else ""
    where = f"service '{service.name}'" + (f" ({image})" if image else "")
    if repository in VOLUME_BACKUP_IMAGES:
        mounted = _sources(service, model)
        reached = {store_key(model, s) for s, state in stores
                   if state.persisted_by is not None
                   and _source(state.persisted_by, model) in mounted}
        reached |= {store_key(model, s) for s, _ in stores if s.name in _volumes_from(service)}
        return Backup(service.location, where, None, frozenset(reached)) if reached else None
    kinds: list[Kinds] = []
    if repository in DUMP_IMAGES:
        kinds.append(DUMP_IMAGES[repository])
    for step in project.start_steps(model, service):
        kinds.extend(k for _, k in command_backups(step.command.words))
    if id(service) in store_ids:
        if kinds or _mounts_backups(service):
            return Backup(service.location, f"{where}, dumping itself", None,
                          frozenset({store_key(model, service)}))
        return None
    if not kinds and ("backup" in f"{service.name} {repository}".lower()
                      or _mounts_backups(service)):
        kinds.append(_kinds_in_name(f"{service.name} {repository}"))
    if not kinds:
        return None
    union = _union(kinds)
    candidates = [(s, state) for s, state in stores
                  if union is None or state.store.name in union]
    named = _references(service)
    served = [s for s, _ in candidates if s.name in named] or [s for s, _ in candidates]
    if not served:
        return None
    return Backup(service.location, where, union, frozenset(store_key(model, s) for s in served))


def _mounts_backups(service: Service) -> bool:
    """A mount named for backups (``./backups:/backups``): where a dump job writes."""
    return any("backup" in f"{mount.source or ''} {mount.target}".lower()
               for mount in service.mounts)


def _union(kinds: Iterable[Kinds]) -> Kinds:
    result: set[str] = set()
    for kind in kinds:
        if kind is None:
            return None
        result |= kind
    return frozenset(result)


def _kinds_in_name(text: str) -> Kinds:
    words = set(_tokens(text.lower().replace("/", " ")))
    found = [kinds for word, kinds in _NAME_KINDS if word in words]
    return _union(found) if found else None


def _tokens(text: str) -> list[str]:
    """Words of letters, digits, ``_`` and ``.``: ``postgres://u@db:5432/x`` -> postgres, u,
    db, 5432, x (``-`` splits too, so ``mysql-backup`` names mysql)."""
    return word_runs(text, "_.")


def _references(service: Service) -> set[str]:
    """The services ``service`` names: ``depends_on``, ``links``, ``volumes_from`` and the
    host names in its environment values."""
    named: set[str] = set(_volumes_from(service))
    depends = service.get("depends_on")
    if depends is not None and depends.is_map:
        named.update(name for name, _ in depends.items())
    for key in ("depends_on", "links"):
        node = service.get(key)
        for item in node.value if node is not None and node.is_list else ():
            named.add(scalar_text(item.value).split(":")[0])
    for value in environment_mapping(service.get("environment")).values():
        if value.value is not None:
            named.update(_tokens(scalar_text(value.value)))
            named.update(t.split(".")[0] for t in _tokens(scalar_text(value.value)))
    return named


def _volumes_from(service: Service) -> list[str]:
    node = service.get("volumes_from")
    names = []
    for item in node.value if node is not None and node.is_list else ():
        parts = scalar_text(item.value).split(":")
        names.append(parts[1] if parts[0] == "service" and len(parts) > 1 else parts[0])
    return names


def _source(mount: Mount, model: ComposeModel) -> str | None:
    if mount.kind not in (MountKind.NAMED, MountKind.BIND):
        return None
    return absolute_source(mount, model)


def _sources(service: Service, model: ComposeModel) -> set[str]:
    return {s for mount in service.mounts if (s := _source(mount, model)) is not None}


def find_backups(project: Project) -> tuple[Backup, ...]:
    """Every way the project backs up its data stores, found once per project."""
    return project.memo(("rules/environments/backups.py", "find_backups"), lambda: _find_backups(project))
