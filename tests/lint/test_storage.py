"""The data-directory facts CG101/CG102/CG103/CG105 share, on real compose text."""

from __future__ import annotations

from pathlib import Path

import pytest

from composeguard.lint.project import Project

from ..conftest import write_tree


def persistence(tmp_path: Path, service_yaml: str):
    text = "services:\n  db:\n" + "".join(f"    {line}\n" for line in service_yaml.splitlines())
    root = write_tree(tmp_path / "p", {"compose.yaml": text + "volumes:\n  pg:\n"})
    project = Project([root])
    (model,) = project.models
    return project.persistence(model.services["db"], model)


@pytest.mark.parametrize(
    ("service", "persisted", "data_dir"),
    [
        ("image: postgres:16\nvolumes: [pg:/var/lib/postgresql/data]", True, "/var/lib/postgresql/data"),
        ("image: postgres:16\nvolumes: [pg:/var/lib/postgresql]", False, "/var/lib/postgresql/data"),
        ("image: postgres:18\nvolumes: [pg:/var/lib/postgresql]", True, "/var/lib/postgresql"),
        ("image: postgres:18\nvolumes: [pg:/var/lib/postgresql/data]", False, "/var/lib/postgresql"),
        # the official image's moving tags start today's major, 18
        ("image: postgres\nvolumes: [pg:/var/lib/postgresql/data]", False, "/var/lib/postgresql"),
        ("image: postgres:alpine\nvolumes: [pg:/var/lib/postgresql]", True, "/var/lib/postgresql"),
        ("image: postgres:latest\nvolumes: [pg:/var/lib/postgresql]", True, "/var/lib/postgresql"),
        # a version nobody can read: either directory
        ("image: 'postgres:${PG_VERSION}'\nvolumes: [pg:/var/lib/postgresql/data]", True,
         "/var/lib/postgresql/data"),
        ("image: 'postgres:${PG_VERSION}'\nvolumes: [pg:/var/lib/postgresql]", True,
         "/var/lib/postgresql/data"),
        ("image: mongo:7\ncommand: mongod --dbpath /var/lib/mongodb\nvolumes: [pg:/var/lib/mongodb]",
         True, "/var/lib/mongodb"),
        ("image: redis:7\ncommand: [redis-server, --dir=/srv/redis]\nvolumes: [pg:/srv/redis]",
         True, "/srv/redis"),
        ("image: timescale/timescaledb:latest-pg16\nvolumes: [pg:/var/lib/postgresql]", False,
         "/var/lib/postgresql/data"),
        ("image: postgres:15\nenvironment: {PGDATA: /pgdata}\nvolumes: [pg:/pgdata]", True, "/pgdata"),
        ("image: mysql:8\nvolumes: [pg:/var/lib]", False, "/var/lib/mysql"),
        ("image: mysql:8\nvolumes: ['./db:/var/lib/mysql:rw']", True, "/var/lib/mysql"),
        ("image: minio/minio\ncommand: server /export --console-address :9001\nvolumes: [pg:/export]",
         True, "/export"),
        ("image: minio/minio\ncommand: server /export\nvolumes: [pg:/data]", False, "/export"),
    ],
)
def test_data_directory_and_persistence(tmp_path: Path, service: str, persisted: bool,
                                        data_dir: str) -> None:
    state = persistence(tmp_path, service)
    assert state is not None
    assert (state.persisted, state.data_dir) == (persisted, data_dir)


def test_a_mount_one_level_too_high_says_why(tmp_path: Path) -> None:
    state = persistence(tmp_path, "image: postgres:17\nvolumes: [pg:/var/lib/postgresql]")
    assert state.wrong_mount is not None and "shadows" in (state.wrong_reason or "")


@pytest.mark.parametrize(
    ("service", "wrong", "data_dir"),
    [
        ("image: postgres:16\nvolumes: [pg:/var/lib/postgres]", "/var/lib/postgres",
         "/var/lib/postgresql/data"),
        ("image: postgres\nvolumes: [pg:/var/lib/postgresq]", "/var/lib/postgresq",
         "/var/lib/postgresql"),
        ("image: getmeili/meilisearch:v1.10\nvolumes: [pg:/data.ms]", "/data.ms", "/meili_data"),
        ("image: mongo:7\nvolumes: [pg:/var/lib/mongodb]", "/var/lib/mongodb", "/data/db"),
    ],
)
def test_a_mount_at_a_mistaken_directory_is_named(tmp_path: Path, service: str, wrong: str,
                                                  data_dir: str) -> None:
    state = persistence(tmp_path, service)
    assert state.wrong_mount is not None and state.wrong_mount.target == wrong
    assert state.data_dir == data_dir and not state.persisted
    assert wrong in (state.wrong_reason or "") and data_dir in (state.wrong_reason or "")


def test_an_unrelated_mount_is_not_a_mistake(tmp_path: Path) -> None:
    state = persistence(tmp_path, "image: postgres:16\nvolumes: ['./init:/docker-entrypoint-initdb.d']")
    assert state.wrong_mount is None and not state.persisted


@pytest.mark.parametrize(
    ("service", "image_volume"),
    [
        ("image: mysql:8", "/var/lib/mysql"),
        ("image: postgres:15\nenvironment: {PGDATA: /srv/pg}", None),
        ("image: typesense/typesense:27.0", None),
    ],
)
def test_whether_the_image_volume_holds_the_data(tmp_path: Path, service: str,
                                                 image_volume: str | None) -> None:
    state = persistence(tmp_path, service)
    assert state is not None and state.image_volume == image_volume


@pytest.mark.parametrize(
    "service",
    [
        "image: postgres:16\nentrypoint: [pg_dump, -h, db]",
        "image: postgres:16\ncommand: 'true'",
        "image: mysql:8\ncommand: sh -c 'mysqldump -h db app > /backup/app.sql'",
        "image: postgis/postgis:16\nentrypoint: ./container.sh postgres://db/app",
        "image: postgres:16\ncommand: [sh, -c, 'pg_dump -h db app>/backup/app.sql;echo done']",
    ],
)
def test_a_data_store_image_used_as_a_client_is_not_judged(tmp_path: Path, service: str) -> None:
    assert persistence(tmp_path, service) is None


@pytest.mark.parametrize(
    "service",
    [
        "image: mysql:8\ncommand: --default-authentication-plugin=mysql_native_password",
        "image: postgres:16\ncommand: postgres -c max_connections=200",
        "image: mysql:8\ncommand: [sh, -c, 'chown -R mysql /var/lib/mysql && exec docker-entrypoint.sh mysqld']",
        "image: redis:7\ncommand: redis-server --appendonly yes",
        "image: postgres:16\ncommand: [bash, -ec, 'sleep 1&&exec postgres -c fsync=on']",
    ],
)
def test_server_commands_are_judged(tmp_path: Path, service: str) -> None:
    assert persistence(tmp_path, service) is not None


def test_redis_with_saving_turned_off_is_a_pure_cache(tmp_path: Path) -> None:
    state = persistence(tmp_path, "image: redis:7\ncommand: redis-server --save '' --appendonly no")
    assert state is not None and state.persistence_disabled
    state = persistence(tmp_path, "image: redis:7\ncommand: redis-server --save '' --appendonly yes")
    assert state is not None and not state.persistence_disabled


def test_volumes_from_a_data_only_container(tmp_path: Path) -> None:
    text = (
        "services:\n  db:\n    image: postgres:9.6\n    volumes_from: [data]\n"
        "  data:\n    image: postgres:9.6\n    command: 'true'\n    volumes:\n"
        "      - /var/lib/postgresql/data\n"
    )
    project = Project([write_tree(tmp_path / "p", {"compose.yaml": text})])
    (model,) = project.models
    state = project.persistence(model.services["db"], model)
    assert state is not None and state.anonymous is not None
    assert state.anonymous.location.line == 9
