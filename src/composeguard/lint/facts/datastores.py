"""The one table of data stores composeguard knows: which images, where their data lives.

A store is matched on the image's repository path, whatever registry precedes it or tag/digest
follows it: ``docker.io/library/postgres:16-alpine``, ``postgis/postgis:15-3.4`` and
``mcr.microsoft.com/mssql/server:2022-latest`` all match. Configuration can add stores.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Credential:
    """An environment variable through which the image receives a password or key."""

    variable: str
    secret_file: bool = True
    """The image also reads ``<variable>_FILE`` (a Compose secret), so findings can suggest it."""
    after: str | None = None
    """The secret is the part after this separator (``NEO4J_AUTH=neo4j/<password>``)."""


@dataclass(frozen=True, slots=True)
class AuthSwitch:
    """An environment setting that lets clients in without a password."""

    variable: str
    values: frozenset[str] | None = None
    """Values (lower case) that turn authentication off; None: any non-empty value, as the
    official mysql/mariadb entrypoints test ``[ -n "$MYSQL_ALLOW_EMPTY_PASSWORD" ]`` (so even
    ``no`` allows an empty root password)."""


@dataclass(frozen=True, slots=True)
class DataStore:
    name: str
    """The product: ``mysql``, ``postgres``... also what findings call it."""
    repositories: tuple[str, ...]
    """Repository paths that are this store (``mysql``, ``mysql/mysql-server``)."""
    data_dir: str
    """Where the image keeps its data."""
    volume_dir: str | None = None
    """The image's own ``VOLUME``; a mount above it is shadowed by an anonymous volume."""
    data_dir_env: str | None = None
    """An environment variable that moves the data directory (``PGDATA``)."""
    cache: bool = False
    """A cache (redis, valkey): losing it is a warning, not an error."""
    broker: bool = False
    """A message broker (rabbitmq): it holds messages in flight, not the app's records."""
    ports: tuple[int, ...] = ()
    """Every port the image listens on."""
    family: str | None = None
    """The database family for app connections: ``mysql``, ``pgsql``, ``mongodb``..."""
    client_ports: tuple[int, ...] = ()
    """The ports that give access to the data (CG502); ``ports`` unless said otherwise. Admin
    web UIs of brokers (rabbitmq's 15672) and search APIs built to face browsers with scoped
    keys (meilisearch, typesense) are left out; MinIO's S3 API and console serve its data
    with the root user's keys and are in."""
    credentials: tuple[Credential, ...] = ()
    """Variables holding a password or key for the store (CG303)."""
    auth_switches: tuple[AuthSwitch, ...] = ()
    """Settings that turn the store's authentication off (CG303)."""
    mistaken_dirs: tuple[str, ...] = ()
    """Directories mounted by mistake for the data directory: the distribution package's path
    (``/var/lib/mongodb``), an older image's (meilisearch's ``/data.ms``), a common typo."""
    docs: tuple[str, ...] = ()
    """The images' documentation that gives the data directory (and its variable, ports and
    password settings): where each entry of the table comes from."""

    @property
    def in_flight(self) -> bool:
        """A cache or a broker: what it holds is rebuilt or re-sent, unless the project asks
        it to keep something (CG101)."""
        return self.cache or self.broker


def _store(name: str, repos: Iterable[str], data_dir: str, **extra: object) -> DataStore:
    extra.setdefault("volume_dir", data_dir)
    extra.setdefault("client_ports", extra.get("ports", ()))
    return DataStore(name, tuple(repos), data_dir, **extra)  # type: ignore[arg-type]


def _credentials(*variables: str, secret_file: bool = True) -> tuple[Credential, ...]:
    return tuple(Credential(v, secret_file) for v in variables)


_YES = frozenset({"yes", "true", "1"})
_BITNAMI_EMPTY = AuthSwitch("ALLOW_EMPTY_PASSWORD", _YES)
"""Bitnami images refuse to start without a password unless this is ``yes``."""

_MYSQL_AUTH = {
    "credentials": _credentials("MYSQL_ROOT_PASSWORD", "MYSQL_PASSWORD", "MARIADB_ROOT_PASSWORD",
                                "MARIADB_PASSWORD", "MYSQL_REPLICATION_PASSWORD",
                                "MARIADB_REPLICATION_PASSWORD"),
    "auth_switches": (AuthSwitch("MYSQL_ALLOW_EMPTY_PASSWORD"),
                      AuthSwitch("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD"), _BITNAMI_EMPTY),
}
_POSTGRES_AUTH = {
    "credentials": _credentials("POSTGRES_PASSWORD", "POSTGRESQL_PASSWORD",
                                "POSTGRESQL_POSTGRES_PASSWORD", "POSTGRES_POSTGRES_PASSWORD",
                                "POSTGRESQL_REPLICATION_PASSWORD", "POSTGRES_PASS"),
    "auth_switches": (AuthSwitch("POSTGRES_HOST_AUTH_METHOD", frozenset({"trust"})),
                      _BITNAMI_EMPTY),
}
_MONGO_AUTH = {
    "credentials": _credentials("MONGO_INITDB_ROOT_PASSWORD", "MONGODB_ROOT_PASSWORD",
                                "MONGODB_PASSWORD", "MONGODB_REPLICA_SET_KEY"),
    "auth_switches": (_BITNAMI_EMPTY,),
}
_REDIS_AUTH = {"credentials": _credentials("REDIS_PASSWORD", "VALKEY_PASSWORD")}


DATA_STORES: tuple[DataStore, ...] = (
    _store("mysql", ["mysql", "mysql/mysql-server", "percona", "percona/percona-server",
                     "percona-server", "mysql/enterprise-server"],
           "/var/lib/mysql", ports=(3306, 33060), family="mysql", **_MYSQL_AUTH,
           docs=("https://hub.docker.com/_/mysql",
                 "https://hub.docker.com/r/mysql/mysql-server",
                 "https://hub.docker.com/_/percona")),
    _store("mariadb", ["mariadb", "mariadb/server", "linuxserver/mariadb",
                       "yobasystems/alpine-mariadb"],
           "/var/lib/mysql", ports=(3306,), family="mysql", mistaken_dirs=("/var/lib/mariadb",),
           **_MYSQL_AUTH,
           docs=("https://hub.docker.com/_/mariadb",
                 "https://docs.linuxserver.io/images/docker-mariadb/")),
    _store("mysql", ["bitnami/mysql"], "/bitnami/mysql", ports=(3306,), family="mysql",
           **_MYSQL_AUTH,
           docs=("https://hub.docker.com/r/bitnami/mysql",)),
    _store("mariadb", ["bitnami/mariadb"], "/bitnami/mariadb", ports=(3306,), family="mysql",
           **_MYSQL_AUTH,
           docs=("https://hub.docker.com/r/bitnami/mariadb",)),
    _store("postgres", ["postgres", "postgis/postgis", "timescale/timescaledb",
                        "timescale/timescaledb-ha", "pgvector/pgvector", "ankane/pgvector",
                        "supabase/postgres", "kartoza/postgis", "onjin/alpine-postgres"],
           "/var/lib/postgresql/data", data_dir_env="PGDATA", ports=(5432,), family="pgsql",
           mistaken_dirs=("/var/lib/postgres", "/var/lib/pgsql", "/var/lib/pgsql/data"),
           **_POSTGRES_AUTH,
           docs=("https://hub.docker.com/_/postgres",
                 "https://hub.docker.com/r/postgis/postgis",
                 "https://docs.timescale.com/self-hosted/latest/install/installation-docker/",
                 "https://hub.docker.com/r/onjin/alpine-postgres")),
    _store("postgres", ["bitnami/postgresql"], "/bitnami/postgresql", ports=(5432,), family="pgsql",
           **_POSTGRES_AUTH,
           docs=("https://hub.docker.com/r/bitnami/postgresql",)),
    _store("mongo", ["mongo", "mongodb/mongodb-community-server",
                     "mongodb/mongodb-enterprise-server"],
           "/data/db", ports=(27017, 27018, 27019), family="mongodb",
           mistaken_dirs=("/var/lib/mongodb",), **_MONGO_AUTH,
           docs=("https://hub.docker.com/_/mongo",)),
    _store("mongo", ["bitnami/mongodb"], "/bitnami/mongodb", ports=(27017,), family="mongodb",
           **_MONGO_AUTH,
           docs=("https://hub.docker.com/r/bitnami/mongodb",)),
    _store("redis", ["redis", "redis/redis-stack", "redis/redis-stack-server"], "/data",
           mistaken_dirs=("/var/lib/redis",), cache=True, ports=(6379, 8001),
           client_ports=(6379,), family="redis",
           docs=("https://hub.docker.com/_/redis",)),
    _store("redis", ["bitnami/redis"], "/bitnami/redis/data", cache=True, ports=(6379,),
           family="redis", **_REDIS_AUTH,
           docs=("https://hub.docker.com/r/bitnami/redis",)),
    _store("valkey", ["valkey/valkey", "valkey"], "/data", cache=True, ports=(6379,),
           family="redis",
           docs=("https://hub.docker.com/r/valkey/valkey",)),
    _store("valkey", ["bitnami/valkey"], "/bitnami/valkey/data", cache=True, ports=(6379,),
           family="redis", **_REDIS_AUTH,
           docs=("https://hub.docker.com/r/bitnami/valkey",)),
    _store("keydb", ["eqalpha/keydb"], "/data", cache=True, ports=(6379,), family="redis",
           docs=("https://hub.docker.com/r/eqalpha/keydb",)),
    _store("dragonfly", ["dragonflydb/dragonfly"], "/data", cache=True, ports=(6379,),
           family="redis", credentials=_credentials("DFLY_requirepass", secret_file=False),
           docs=("https://www.dragonflydb.io/docs/getting-started/docker-compose",)),
    _store("elasticsearch", ["elasticsearch", "elasticsearch/elasticsearch",
                             "bitnami/elasticsearch"],
           "/usr/share/elasticsearch/data", volume_dir=None, ports=(9200, 9300),
           credentials=_credentials("ELASTIC_PASSWORD", "ELASTICSEARCH_PASSWORD"),
           docs=("https://www.elastic.co/guide/en/elasticsearch/reference/current/docker.html",)),
    _store("opensearch", ["opensearchproject/opensearch"], "/usr/share/opensearch/data",
           volume_dir=None, ports=(9200, 9600), client_ports=(9200,),
           credentials=_credentials("OPENSEARCH_INITIAL_ADMIN_PASSWORD", secret_file=False),
           docs=(
               "https://opensearch.org/docs/latest/install-and-configure/install-opensearch/docker/",)),
    _store("rabbitmq", ["rabbitmq", "bitnami/rabbitmq"], "/var/lib/rabbitmq", broker=True,
           ports=(5672, 5671, 5552, 15672, 61613, 1883),
           client_ports=(5672, 5671, 5552, 61613, 1883),
           credentials=_credentials("RABBITMQ_DEFAULT_PASS", "RABBITMQ_PASSWORD",
                                    "RABBITMQ_ERLANG_COOKIE", secret_file=False),
           docs=("https://hub.docker.com/_/rabbitmq",)),
    _store("minio", ["minio/minio", "bitnami/minio", "quay.io/minio/minio"], "/data",
           volume_dir=None, ports=(9000, 9001), client_ports=(9000, 9001),
           credentials=_credentials("MINIO_ROOT_PASSWORD", "MINIO_SECRET_KEY"),
           docs=("https://min.io/docs/minio/container/index.html",)),
    _store("clickhouse", ["clickhouse/clickhouse-server", "yandex/clickhouse-server",
                          "clickhouse"], "/var/lib/clickhouse",
           ports=(8123, 9000, 9004, 9005, 9440, 8443),
           credentials=_credentials("CLICKHOUSE_PASSWORD", "CLICKHOUSE_ADMIN_PASSWORD",
                                    secret_file=False),
           docs=("https://hub.docker.com/r/clickhouse/clickhouse-server",)),
    _store("cassandra", ["cassandra", "bitnami/cassandra"], "/var/lib/cassandra",
           ports=(9042, 9160), credentials=_credentials("CASSANDRA_PASSWORD"),
           docs=("https://hub.docker.com/_/cassandra",)),
    _store("influxdb", ["influxdb", "bitnami/influxdb"], "/var/lib/influxdb2", ports=(8086,),
           credentials=_credentials("DOCKER_INFLUXDB_INIT_PASSWORD",
                                    "DOCKER_INFLUXDB_INIT_ADMIN_TOKEN", "INFLUXDB_ADMIN_PASSWORD",
                                    "INFLUXDB_USER_PASSWORD", "INFLUXDB_ADMIN_USER_PASSWORD",
                                    "INFLUXDB_ADMIN_USER_TOKEN", secret_file=False),
           docs=("https://hub.docker.com/_/influxdb",)),
    _store("neo4j", ["neo4j"], "/data", ports=(7474, 7473, 7687),
           credentials=(Credential("NEO4J_AUTH", after="/"),),
           auth_switches=(AuthSwitch("NEO4J_AUTH", frozenset({"none"})),),
           docs=("https://neo4j.com/docs/operations-manual/current/docker/introduction/",)),
    _store("couchdb", ["couchdb", "bitnami/couchdb"], "/opt/couchdb/data", ports=(5984,),
           credentials=_credentials("COUCHDB_PASSWORD", "COUCHDB_SECRET", secret_file=False),
           docs=("https://hub.docker.com/_/couchdb",)),
    _store("mssql", ["mssql/server", "microsoft/mssql-server-linux", "azure-sql-edge"],
           "/var/opt/mssql", volume_dir=None, ports=(1433,), family="sqlsrv",
           credentials=_credentials("MSSQL_SA_PASSWORD", "SA_PASSWORD", secret_file=False),
           docs=(
               "https://learn.microsoft.com/en-us/sql/linux/sql-server-linux-docker-container-configure",)),
    _store("meilisearch", ["getmeili/meilisearch"], "/meili_data", data_dir_env="MEILI_DB_PATH",
           ports=(7700,), client_ports=(), mistaken_dirs=("/data.ms",),
           credentials=_credentials("MEILI_MASTER_KEY", secret_file=False),
           docs=("https://www.meilisearch.com/docs/guides/docker",)),
    _store("typesense", ["typesense/typesense"], "/data", volume_dir=None, ports=(8108,),
           client_ports=(), credentials=_credentials("TYPESENSE_API_KEY", secret_file=False),
           docs=("https://typesense.org/docs/guide/install-typesense.html",)),
    _store("qdrant", ["qdrant/qdrant"], "/qdrant/storage", volume_dir=None, ports=(6333, 6334),
           credentials=_credentials("QDRANT__SERVICE__API_KEY", secret_file=False),
           docs=("https://qdrant.tech/documentation/guides/installation/",)),
    _store("etcd", ["bitnami/etcd", "quay.io/coreos/etcd"], "/etcd-data", volume_dir=None,
           ports=(2379, 2380), client_ports=(2379,),
           credentials=_credentials("ETCD_ROOT_PASSWORD"),
           auth_switches=(AuthSwitch("ALLOW_NONE_AUTHENTICATION", _YES),),
           docs=("https://hub.docker.com/r/bitnami/etcd",)),
)


DATABASE_URL_SCHEMES = frozenset({
    "postgres", "postgresql", "postgis", "pgsql", "timescaledb", "cockroachdb", "mysql",
    "mysql2", "mysqlx", "mariadb", "mongodb", "mongodb+srv", "redis", "rediss", "valkey",
    "amqp", "amqps", "mssql", "sqlserver", "clickhouse", "cassandra", "neo4j", "bolt",
    "neo4j+s", "couchdb", "elasticsearch", "opensearch", "oracle",
})
"""URL schemes of connections to a data store (``postgres://app:pw@db/app``); SQLAlchemy's
``postgresql+psycopg`` and JDBC's ``jdbc:mysql:`` are read down to these."""


_DIGEST = re.compile(r"@sha256:[0-9a-f]+$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ImageRef:
    repository: str
    """The repository path without registry host: ``library/postgres`` -> ``postgres``."""
    tag: str | None


def parse_image(image: str) -> ImageRef:
    """Split ``registry:5000/org/name:tag@sha256:...`` into repository path and tag."""
    text = _DIGEST.sub("", image.strip())
    tag = None
    slash = text.rfind("/")
    colon = text.rfind(":")
    if colon > slash:
        text, tag = text[:colon], text[colon + 1 :]
    parts = text.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if parts and parts[0] == "library":
        parts = parts[1:]
    return ImageRef("/".join(parts).lower(), tag)


def major_version(tag: str | None) -> int | None:
    """``18``, ``17.2-alpine``, ``16-bookworm`` -> the leading number; ``latest`` -> None."""
    if not tag:
        return None
    match = re.match(r"v?(\d+)", tag)
    return int(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class DatabaseConsole:
    """A web UI that logs in to databases (CG502): not a store, but a door onto one."""

    name: str
    repositories: tuple[str, ...]
    ports: tuple[int, ...]
    """The ports its web UI listens on inside the container."""
    docs: str


DATABASE_CONSOLES = (
    DatabaseConsole("Adminer", ("adminer",), (8080,), "https://hub.docker.com/_/adminer"),
    DatabaseConsole("phpMyAdmin", ("phpmyadmin", "phpmyadmin/phpmyadmin", "bitnami/phpmyadmin"),
                    (80, 8080, 8443), "https://hub.docker.com/_/phpmyadmin"),
    DatabaseConsole("pgAdmin", ("dpage/pgadmin4",), (80, 443),
                    "https://www.pgadmin.org/docs/pgadmin4/latest/container_deployment.html"),
    DatabaseConsole("mongo-express", ("mongo-express",), (8081,),
                    "https://hub.docker.com/_/mongo-express"),
    DatabaseConsole("Redis Commander", ("rediscommander/redis-commander",), (8081,),
                    "https://hub.docker.com/r/rediscommander/redis-commander"),
)
_CONSOLES = {repo: console for console in DATABASE_CONSOLES for repo in console.repositories}


def database_console(image: str | None) -> DatabaseConsole | None:
    """The database web UI an image is (``adminer``, ``dpage/pgadmin4:8``), if any."""
    if not image or "$" in image.split(":")[0]:
        return None
    return _CONSOLES.get(parse_image(image).repository)


class DataStoreTable:
    def __init__(self, stores: Iterable[DataStore] = DATA_STORES) -> None:
        self._by_repo: dict[str, DataStore] = {}
        for store in stores:
            for repo in store.repositories:
                self._by_repo[repo.lower()] = store

    def with_extra(self, extra: Mapping[str, str]) -> DataStoreTable:
        """Configuration's ``{repository: data_dir}`` added over the built-in table."""
        table = DataStoreTable(())
        table._by_repo = dict(self._by_repo)
        for repo, data_dir in extra.items():
            table._by_repo[repo.lower()] = _store(parse_image(repo).repository, [repo], data_dir)
        return table

    def match(self, image: str | None) -> DataStore | None:
        """The store an image is, if any; unresolved interpolation never matches."""
        if not image or "${" in image or "$" in image.split(":")[0]:
            return None
        repository = parse_image(image).repository
        store = self._by_repo.get(repository)
        if store is not None:
            return store
        # `someregistry/org/mirror/postgres` or `company/mysql`: match on the trailing path.
        parts = repository.split("/")
        for start in range(1, len(parts)):
            store = self._by_repo.get("/".join(parts[start:]))
            if store is not None and "/" not in "/".join(parts[start:]):
                return store if parts[0] in _MIRROR_ORGS else None
            if store is not None:
                return store
        return None


_MIRROR_ORGS = frozenset({"docker", "dockerhub", "mirror", "library", "public", "hub",
                          "amd64", "arm64v8", "arm32v7"})


def is_under(path: str, directory: str) -> bool:
    """``path`` is ``directory`` or inside it (POSIX container paths)."""
    path, directory = posixpath.normpath(path), posixpath.normpath(directory)
    return path == directory or path.startswith(directory.rstrip("/") + "/")
