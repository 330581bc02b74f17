"""Where a data-store service keeps its data, and whether a mount really persists it.

The facts CG101, CG102, CG103 and CG105 share: the data directory for this image and version
(postgres moved it in 18; ``PGDATA`` moves it anywhere), which mount covers it, and whether the
mount is shadowed by the image's own ``VOLUME``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from composeguard.lint.facts.datastores import DataStore, is_under, major_version, parse_image
from composeguard.lint.model.compose import ComposeModel, Mount, MountKind, Service
from composeguard.lint.parse.shell import SHELLS

POSTGRES_OLD_DIR = "/var/lib/postgresql/data"
POSTGRES_18_DIR = "/var/lib/postgresql"
POSTGRES_CURRENT_MAJOR = 18
"""The major version the official image's moving tags (none, ``latest``, ``alpine``,
``bookworm``) start today."""
OFFICIAL_POSTGRES = "postgres"

SERVER_PROGRAMS = frozenset({
    "mysqld", "mariadbd", "postgres", "docker-entrypoint", "redis-server", "valkey-server",
    "mongod", "rabbitmq-server", "minio", "clickhouse-server", "cassandra", "influxd",
    "neo4j", "couchdb", "sqlservr", "elasticsearch", "opensearch", "keydb-server",
})


@dataclass(frozen=True, slots=True)
class Persistence:
    """What a data-store service's mounts do to its data directory."""

    store: DataStore
    data_dir: str
    """The directory to persist, for this image version and environment."""
    persisted_by: Mount | None = None
    anonymous: Mount | None = None
    """An anonymous volume at the data directory (orphaned by ``docker compose down``)."""
    tmpfs: Mount | None = None
    """A tmpfs at the data directory (gone at every stop)."""
    wrong_mount: Mount | None = None
    wrong_reason: str | None = None
    persistence_disabled: bool = False
    """The service's command turns the store's persistence off (``redis-server --save ""``)."""
    missed: Mount | None = None
    """A named volume mounted for the store that holds none of its data: at a folder inside
    the data directory (``rabbitmq_data:/var/lib/rabbitmq/data``) or inside a directory
    users mistake for it (``redis_data:/var/lib/redis/data``)."""
    persistence_on: bool = False
    """The service's command turns the store's append-only file on (``--appendonly yes``)."""
    image_volume: str | None = None
    """The image's own ``VOLUME`` holding the data directory: unnamed, the data then survives
    a recreated container (``up --force-recreate``) but not ``docker compose down``."""

    @property
    def persisted(self) -> bool:
        return self.persisted_by is not None

    @property
    def refuses_to_start(self) -> bool:
        """The wrong mount stops the container (PostgreSQL 18+ with a volume at …/data):
        reported even in examples, since Compose's setup cannot run at all."""
        return (self.wrong_mount is not None and self.data_dir == POSTGRES_18_DIR
                and self.wrong_mount.target == POSTGRES_OLD_DIR)


def data_directories(store: DataStore, service: Service, image: str | None = None
                     ) -> tuple[str, tuple[str, ...], str | None]:
    """The data directory, every directory a mount may target to persist it, and the image's
    VOLUME directory (which shadows a mount above it)."""
    data_dir, accepted, volume_dir = _image_layout(store, image or service.image or "")
    if store.name == "minio":
        served = minio_data_dir(service)
        if served is not None:
            return served, (served,), volume_dir
    if store.data_dir_env:
        configured = service.env(store.data_dir_env)
        if configured and configured.startswith("/") and "$" not in configured:
            configured = _norm(configured)
            return configured, (configured,), volume_dir
    served = _data_dir_argument(service)
    if served is not None:
        return served, (served,), volume_dir
    return data_dir, accepted, volume_dir


DATA_DIR_FLAGS = frozenset({"--dbpath", "--dir", "--datadir", "-D", "--data-dir"})
"""Server flags that move the data directory: ``mongod --dbpath``, ``redis-server --dir``,
``mysqld --datadir``, ``postgres -D``, ``typesense-server --data-dir``."""


def _data_dir_argument(service: Service) -> str | None:
    """The data directory the service's command gives the server, if it gives one."""
    argv = [*(service.argv("entrypoint") or []), *(service.argv("command") or [])]
    for i, arg in enumerate(argv):
        flag, equals, value = arg.partition("=")
        if not equals:
            value = argv[i + 1] if i + 1 < len(argv) else ""
        if flag in DATA_DIR_FLAGS and value.startswith("/") and "$" not in value:
            return _norm(value)
    return None


def _image_layout(store: DataStore, image: str) -> tuple[str, tuple[str, ...], str | None]:
    """The store's own layout; official postgres images moved theirs in 18. A moving tag of
    the official image (none, ``latest``, ``alpine``) is today's major; for a version nobody
    can read (``${PG_VERSION}``, a fork's ``latest``) either directory is accepted."""
    if store.name != "postgres" or store.data_dir != POSTGRES_OLD_DIR:
        return store.data_dir, (store.data_dir,), store.volume_dir
    major = postgres_major(image)
    if major is None:
        return POSTGRES_OLD_DIR, (POSTGRES_OLD_DIR, POSTGRES_18_DIR), None
    if major >= 18:
        # the image's PGDATA, where the cluster itself lives: a mount there persists it too
        return POSTGRES_18_DIR, (POSTGRES_18_DIR, f"{POSTGRES_18_DIR}/{major}/docker"), \
            POSTGRES_18_DIR
    return POSTGRES_OLD_DIR, (POSTGRES_OLD_DIR,), POSTGRES_OLD_DIR


def postgres_major(image: str) -> int | None:
    """The PostgreSQL major version of an image tag: ``16-alpine``, ``latest-pg16``, ``15-3.4``;
    the official image's moving tags (none, ``latest``, ``alpine``) are the current major."""
    ref = parse_image(image)
    tag = ref.tag
    if tag is not None and ("$" in tag or not tag):
        return None  # a variable, also one Compose interpolated to nothing (``postgres:``)
    if tag is not None and (match := re.search(r"pg(\d+)", tag)):
        return int(match.group(1))
    major = major_version(tag)
    if major is None and ref.repository == OFFICIAL_POSTGRES:
        return POSTGRES_CURRENT_MAJOR
    return major


def covers(mount_target: str, data_dir: str, volume_dir: str | None) -> bool:
    """A mount at ``mount_target`` holds ``data_dir``: at it, or above it and not shadowed by
    the image's own VOLUME between the two."""
    if mount_target == data_dir:
        return True
    if not is_under(data_dir, mount_target):
        return False
    shadowed = (
        volume_dir is not None
        and volume_dir != mount_target
        and is_under(volume_dir, mount_target)
        and is_under(data_dir, volume_dir)
    )
    return not shadowed


def analyse(service: Service, store: DataStore, inherited: tuple[Mount, ...] = (),
            image: str | None = None) -> Persistence:
    """Judge the service's own mounts and those it takes with ``volumes_from``; ``image`` is
    the image that is the store (the Dockerfile's FROM for a built one), else ``image:``."""
    data_dir, accepted, volume_dir = data_directories(store, service, image)
    persisted = anonymous = tmpfs = wrong = missed = None
    reason = None
    for mount in (*service.mounts, *inherited):
        hits = any(covers(mount.target, d, volume_dir) for d in accepted)
        if hits and mount.is_persistent and persisted is None:
            persisted = mount
        elif hits and mount.kind is MountKind.ANONYMOUS and anonymous is None:
            anonymous = mount
        elif hits and mount.kind is MountKind.TMPFS and tmpfs is None:
            tmpfs = mount
        elif mount.is_persistent and wrong is None:
            reason = _wrong_directory_reason(store, mount, data_dir)
            if reason is not None:
                wrong = mount
            elif mount.kind is MountKind.NAMED and missed is None and (
                    is_under(mount.target, data_dir)
                    or any(is_under(mount.target, d) for d in store.mistaken_dirs)):
                missed = mount
    image_volume = volume_dir if volume_dir and is_under(data_dir, volume_dir) else None
    return Persistence(store, data_dir, persisted, anonymous, tmpfs, wrong,
                       reason if wrong is not None else None,
                       persistence_disabled=_persistence_disabled(service, store),
                       missed=missed, persistence_on=_append_only(service, store),
                       image_volume=image_volume)


def _wrong_directory_reason(store: DataStore, mount: Mount, data_dir: str) -> str | None:
    """Why a mount near the data directory does not persist it, or None if it is unrelated."""
    if store.name == "postgres" and store.data_dir == POSTGRES_OLD_DIR:
        if data_dir == POSTGRES_18_DIR and mount.target == POSTGRES_OLD_DIR:
            return (f"PostgreSQL 18+ keeps its data under {POSTGRES_18_DIR}; a volume at "
                    f"{POSTGRES_OLD_DIR} makes the container refuse to start")
        if data_dir == POSTGRES_OLD_DIR and mount.target == POSTGRES_18_DIR:
            return (f"on PostgreSQL 17 and older a volume at {POSTGRES_18_DIR} does not persist "
                    f"the data: the image's own VOLUME at {POSTGRES_OLD_DIR} shadows it")
    if is_under(data_dir, mount.target) and mount.target != data_dir:
        return (f"the volume at {mount.target} does not persist {data_dir}: the image declares "
                f"its own VOLUME at {data_dir}, which shadows it")
    if _mistaken_for(mount.target, data_dir, store):
        return (f"{mount.target} is not where the image keeps its data ({data_dir}), so the "
                "volume stays empty")
    return None


def _mistaken_for(target: str, data_dir: str, store: DataStore) -> bool:
    """A directory users mount for this store by mistake, or a near-miss spelling of the data
    directory's own name beside it (``/var/lib/postgresq``)."""
    if target in store.mistaken_dirs:
        return True
    if posixpath.dirname(target) != posixpath.dirname(data_dir) or target == data_dir:
        return False
    from difflib import SequenceMatcher

    return SequenceMatcher(None, posixpath.basename(target),
                           posixpath.basename(data_dir)).ratio() >= 0.85


def _persistence_disabled(service: Service, store: DataStore) -> bool:
    """``redis-server --save ""`` without ``--appendonly yes``: a pure cache by configuration."""
    if not store.cache:
        return False
    argv = service.argv("command") or []
    save_off = any(a == "--save" and i + 1 < len(argv) and argv[i + 1] in ("", '""', "''")
                   for i, a in enumerate(argv))
    save_off |= any(a in ('--save=""', "--save=''", "--save=") for a in argv)
    return save_off and not _append_only(service, store)


def _append_only(service: Service, store: DataStore) -> bool:
    """``redis-server --appendonly yes``: the cache is asked to keep every write."""
    if not store.cache:
        return False
    argv = service.argv("command") or []
    return any(a == "--appendonly" and i + 1 < len(argv) and argv[i + 1].lower() == "yes"
               for i, a in enumerate(argv))


def runs_server(service: Service) -> bool:
    """False when a data-store image runs something else: a client, a backup or seed job, a
    data-only container (``pg_dump``, ``./container.sh``, ``true``).

    The image's own entrypoint starts the server with flags (``--appendonly yes``) or the
    server program (``postgres -c ...``); a shell counts when its script starts the server.
    """
    entrypoint = service.argv("entrypoint")
    argv = entrypoint if entrypoint else service.argv("command")
    if not argv:
        return True
    return _starts_server(argv, from_entrypoint=bool(entrypoint))


def _starts_server(argv: list[str], from_entrypoint: bool) -> bool:
    program = posixpath.basename(argv[0])
    if program.startswith("-") and not from_entrypoint:
        return True
    if _is_server_program(program) or program == "server":
        return True
    if program in SHELLS and len(argv) >= 3 and argv[1].startswith("-") and "c" in argv[1]:
        return any(_is_server_program(posixpath.basename(word)) for word in _shell_words(argv[2]))
    return False


def _shell_words(script: str) -> list[str]:
    """The words of every command an ``sh -c`` script runs, read by the shell parser."""
    from composeguard.lint.parse.origin import TextOrigin
    from composeguard.lint.parse.shell import parse_script

    parsed = parse_script(script, TextOrigin(Path("-c"), script))
    return [word for command in parsed.commands for word in command.words]


def _is_server_program(program: str) -> bool:
    """``mysqld``, ``mysqld_safe``, ``docker-entrypoint.sh`` but not ``mysqldump``."""
    return any(program == server or program.startswith((server + "_", server + ".", server + "-"))
               for server in SERVER_PROGRAMS)


def minio_data_dir(service: Service) -> str | None:
    """``minio server /export --console-address :9001`` keeps its data in /export."""
    argv = service.argv("command") or []
    if "server" not in argv:
        return None
    for arg in argv[argv.index("server") + 1 :]:
        if arg.startswith("/"):
            return _norm(arg)
    return None


def _norm(path: str) -> str:
    return posixpath.normpath(path)


def postgres_major_on_disk(model: ComposeModel, service: Service, state: Persistence,
                           read_text: Callable[[Path], str | None]) -> int | None:
    """The PostgreSQL major that wrote a store's bind-mounted data, from the cluster's
    ``PG_VERSION`` file (at the mount, at PGDATA below it, or at 18's ``<major>/docker``);
    None for a named volume, or data this user cannot read."""
    from composeguard.lint.model.services import absolute_source

    mount = state.persisted_by or state.wrong_mount
    if state.store.name != "postgres" or mount is None or mount.kind is not MountKind.BIND:
        return None
    source = absolute_source(mount, model)
    if source is None:
        return None
    below = [""]
    pgdata = service.env("PGDATA")
    if pgdata and posixpath.normpath(pgdata).startswith(mount.target.rstrip("/") + "/"):
        below.append(posixpath.relpath(posixpath.normpath(pgdata), mount.target))
    below += [f"{major}/docker" for major in range(18, 31)]
    for folder in below:
        text = read_text(Path(source, folder, "PG_VERSION"))
        if text is not None and text.strip().isdigit():
            return int(text.strip())
    return None
