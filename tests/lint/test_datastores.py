from __future__ import annotations

import pytest

from composeguard.lint.facts.datastores import DataStoreTable, parse_image


@pytest.mark.parametrize(
    ("image", "store"),
    [
        ("postgres", "postgres"),
        ("docker.io/library/postgres:16-alpine", "postgres"),
        ("postgres:18.4-alpine@sha256:9a8afca54e7861fd90fab5fdf4c42477a6b1cb7d2935", "postgres"),
        ("postgis/postgis:15-3.4", "postgres"),
        ("localhost:5000/mysql:8", "mysql"),
        ("mcr.microsoft.com/mssql/server:2022-latest", "mssql"),
        ("bitnami/postgresql:16", "postgres"),
        ("quay.io/minio/minio", "minio"),
        ("MariaDB:11", "mariadb"),
        ("valkey/valkey:8", "valkey"),
        ("rabbitmq:3-management", "rabbitmq"),
        ("memcached:1.6", None),
        ("myorg/postgres-tools", None),
        ("company/mysql", None),
        ("${DB_IMAGE}", None),
        ("ghcr.io/acme/app:1.2", None),
    ],
)
def test_matches_on_the_repository_whatever_registry_or_tag(image: str, store: str | None) -> None:
    found = DataStoreTable().match(image)
    assert (found.name if found else None) == store


def test_parse_image_keeps_the_tag_but_not_the_registry_port() -> None:
    ref = parse_image("registry.example.com:5000/team/postgres:16")
    assert (ref.repository, ref.tag) == ("team/postgres", "16")


def test_configured_stores_are_added() -> None:
    table = DataStoreTable().with_extra({"acme/ledger-db": "/srv/ledger"})
    store = table.match("ghcr.io/acme/ledger-db:3")
    assert store is not None and store.data_dir == "/srv/ledger"
    assert table.match("postgres:16") is not None
