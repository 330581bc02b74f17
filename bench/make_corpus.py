#!/usr/bin/env python3
"""Generate a deterministic corpus of compose projects for the benchmark.

    python bench/make_corpus.py OUT_DIR [--count 1000] [--seed 7]

Writes ``count`` compose files into project folders under OUT_DIR (``p0000/``, ``p0001/``...):
each project has a base file and, often, a development override, a production or staging file,
a test file and an ``.env`` for interpolation. The services are a realistic mix (an app built
from the folder or pulled with an interpolated tag, a web server, workers, and data stores:
MySQL, MariaDB, Postgres 16/18, MongoDB, Redis, RabbitMQ, Elasticsearch, MinIO, memcached),
with named, bind, anonymous and tmpfs mounts, and with YAML anchors and merge keys, ``${VAR:-default}``
interpolation, start commands that migrate and seed, healthchecks, ports and profiles. Roughly
one file in fifty is broken on purpose (a YAML syntax error), as in real repositories.

The same seed always writes the same bytes; only the standard library is used.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Store:
    name: str
    image: str
    data_dir: str
    port: int
    env: tuple[tuple[str, str], ...] = ()


STORES = (
    Store("mysql", "mysql:8.0", "/var/lib/mysql", 3306,
          (("MYSQL_ROOT_PASSWORD", "${DB_ROOT_PASSWORD:-root}"), ("MYSQL_DATABASE", "${DB_DATABASE:-app}"))),
    Store("mariadb", "mariadb:11.4", "/var/lib/mysql", 3306,
          (("MARIADB_ROOT_PASSWORD", "${DB_PASSWORD}"), ("MARIADB_DATABASE", "app"))),
    Store("postgres", "postgres:16-alpine", "/var/lib/postgresql/data", 5432,
          (("POSTGRES_PASSWORD", "${POSTGRES_PASSWORD:-postgres}"), ("POSTGRES_DB", "app"))),
    Store("postgres", "postgres:18", "/var/lib/postgresql", 5432,
          (("POSTGRES_PASSWORD_FILE", "/run/secrets/pg"),)),
    Store("mongo", "mongo:7", "/data/db", 27017, (("MONGO_INITDB_ROOT_USERNAME", "root"),)),
    Store("redis", "redis:7-alpine", "/data", 6379),
    Store("rabbitmq", "rabbitmq:3.13-management", "/var/lib/rabbitmq", 5672,
          (("RABBITMQ_DEFAULT_USER", "app"),)),
    Store("elasticsearch", "docker.elastic.co/elasticsearch/elasticsearch:8.13.4",
          "/usr/share/elasticsearch/data", 9200, (("discovery.type", "single-node"),)),
    Store("minio", "minio/minio:latest", "/data", 9000, (("MINIO_ROOT_USER", "minio"),)),
    Store("memcached", "memcached:1.6-alpine", "", 11211),
)

FRAMEWORKS = {
    "laravel": ("php artisan migrate --force", "php artisan db:seed --force", "php-fpm", 9000),
    "django": ("python manage.py migrate --noinput", "python manage.py loaddata initial",
               "gunicorn app.wsgi -b 0.0.0.0:8000", 8000),
    "rails": ("bin/rails db:migrate", "bin/rails db:seed", "bin/rails server -b 0.0.0.0", 3000),
    "node": ("npx prisma migrate deploy", "npx prisma db seed", "node dist/server.js", 3000),
}


class ProjectWriter:
    def __init__(self, rng: random.Random, index: int) -> None:
        self.rng = rng
        self.index = index
        self.framework = rng.choice(sorted(FRAMEWORKS))
        self.stores = self._pick_stores()
        self.anchors = rng.random() < 0.35
        self.base_name = rng.choice(
            ["compose.yaml", "docker-compose.yml", "docker-compose.yml", "docker-compose.yaml"]
        )

    def _pick_stores(self) -> list[Store]:
        pool = list(STORES)
        self.rng.shuffle(pool)
        chosen: list[Store] = []
        for store in pool[: self.rng.choice([1, 1, 2, 2, 3, 4])]:
            if all(s.name != store.name for s in chosen):
                chosen.append(store)
        return chosen

    # -- pieces ----------------------------------------------------------------------------

    def command(self, environment: str) -> str:
        migrate, seed, serve, _ = FRAMEWORKS[self.framework]
        steps = [migrate]
        if environment != "prod" or self.rng.random() < 0.3:
            steps.append(seed)
        joiner = self.rng.choice([" && ", " || true && ", " ; "])
        body = joiner.join(steps) + " && " + serve
        if self.rng.random() < 0.5:
            return f'sh -c "{body}"'
        return "[\"sh\", \"-c\", \"" + body + "\"]"

    def store_mount(self, store: Store) -> tuple[list[str], str | None]:
        """The data-directory mount lines (maybe none) and the named volume they use."""
        if not store.data_dir:
            return [], None
        kind = self.rng.choices(["named", "bind", "anonymous", "none", "long"], [5, 2, 1, 3, 1])[0]
        volume = f"{store.name}-data"
        if kind == "named":
            return [f"      - {volume}:{store.data_dir}"], volume
        if kind == "bind":
            return [f"      - ./docker/{store.name}/data:{store.data_dir}"], None
        if kind == "anonymous":
            return [f"      - {store.data_dir}"], None
        if kind == "long":
            return ["      - type: volume", f"        source: {volume}",
                    f"        target: {store.data_dir}"], volume
        return [], None

    def store_service(self, store: Store, lines: list[str], volumes: set[str]) -> None:
        lines.append(f"  {store.name}:")
        if self.anchors and self.rng.random() < 0.6:
            lines.append("    <<: *defaults")
        tag = store.image
        if self.rng.random() < 0.2:
            image, _, version = store.image.rpartition(":")
            tag = f"{image}:${{{store.name.upper()}_VERSION:-{version}}}"
        lines.append(f"    image: {tag}")
        if store.name == "rabbitmq" and self.rng.random() < 0.5:
            lines.append("    hostname: rabbitmq")
        if store.env:
            lines.append("    environment:")
            lines.extend(f"      {k}: \"{v}\"" for k, v in store.env)
        mounts, volume = self.store_mount(store)
        if mounts:
            lines.append("    volumes:")
            lines.extend(mounts)
        if volume:
            volumes.add(volume)
        if self.rng.random() < 0.4:
            lines.append("    ports:")
            host = self.rng.choice(["", "127.0.0.1:"])
            lines.append(f"      - \"{host}{store.port}:{store.port}\"")
        if self.rng.random() < 0.3:
            lines += ["    healthcheck:", "      test: [\"CMD-SHELL\", \"exit 0\"]",
                      "      interval: 10s", "      retries: 5"]

    def base(self) -> str:
        rng = self.rng
        lines: list[str] = [f"# generated project {self.index:04d} ({self.framework})"]
        if rng.random() < 0.1:
            lines.append("version: \"3.8\"")
        if self.anchors:
            lines += ["x-defaults: &defaults", "  restart: unless-stopped",
                      "  logging:", "    driver: json-file", "    options:",
                      "      max-size: \"10m\"", ""]
        lines.append("services:")
        port = FRAMEWORKS[self.framework][3]
        lines.append("  app:")
        if self.anchors:
            lines.append("    <<: *defaults")
        if rng.random() < 0.6:
            lines.append("    build: .")
        else:
            lines.append("    image: ${APP_IMAGE:-ghcr.io/acme/app}:${TAG:-latest}")
        lines.append(f"    command: {self.command('base')}")
        lines.append("    env_file: .env")
        lines += ["    environment:", f"      APP_PORT: \"{port}\"",
                  "      DB_HOST: ${DB_HOST:-" + (self.stores[0].name) + "}"]
        if self.stores:
            lines.append("    depends_on:")
            lines.extend(f"      - {s.name}" for s in self.stores)
        if rng.random() < 0.5:
            lines.append("  worker:")
            if self.anchors:
                lines.append("    <<: *defaults")
            lines += ["    image: ${APP_IMAGE:-ghcr.io/acme/app}:${TAG:-latest}",
                      "    command: [\"" + self.framework + "-worker\", \"--queue=default\"]"]
        if rng.random() < 0.5:
            lines += ["  web:", "    image: nginx:1.27-alpine", "    ports:", "      - \"80:80\"",
                      "    volumes:", "      - ./docker/nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
        volumes: set[str] = set()
        for store in self.stores:
            self.store_service(store, lines, volumes)
        if rng.random() < 0.15:
            lines += ["  mailpit:", "    image: axllent/mailpit", "    profiles: [\"dev\"]"]
        if volumes:
            lines.append("")
            lines.append("volumes:")
            for volume in sorted(volumes):
                lines.append(f"  {volume}:")
                if rng.random() < 0.2:
                    lines.append("    driver: local")
        return "\n".join(lines) + "\n"

    def override(self) -> str:
        lines = ["services:", "  app:", "    volumes:", "      - .:/var/www/html",
                 "      - /var/www/html/vendor", "    ports:", "      - \"8080:80\""]
        for store in self.stores[:2]:
            lines += [f"  {store.name}:", "    ports:", f"      - \"{store.port}:{store.port}\""]
        return "\n".join(lines) + "\n"

    def production(self) -> str:
        lines = ["services:", "  app:", "    image: registry.example.com/acme/app:${TAG:?set TAG}",
                 f"    command: {self.command('prod')}", "    restart: always",
                 "    deploy:", "      replicas: 2"]
        for store in self.stores:
            if store.data_dir and self.rng.random() < 0.5:
                lines += [f"  {store.name}:", "    restart: always"]
                if self.rng.random() < 0.3:
                    lines += ["    ports: !reset []"]
        return "\n".join(lines) + "\n"

    def test(self) -> str:
        lines = ["services:"]
        for store in self.stores:
            if store.data_dir:
                lines += [f"  {store.name}:", "    volumes: !reset []", "    tmpfs:",
                          f"      - {store.data_dir}"]
        lines += ["  app:", "    environment:", "      APP_ENV: testing"]
        return "\n".join(lines) + "\n"

    def env(self) -> str:
        return ("APP_ENV=production\nTAG=1.4.2\nDB_HOST=" + (self.stores[0].name) +
                "\nDB_DATABASE=app\nDB_PASSWORD=change-me\n")

    def files(self, broken_ratio: float) -> list[tuple[str, str]]:
        rng = self.rng
        files = [(self.base_name, self.base())]
        stem = self.base_name.split(".")[0]
        ext = self.base_name.rsplit(".", 1)[1]
        if rng.random() < 0.6:
            files.append((f"{stem}.override.{ext}", self.override()))
        if rng.random() < 0.5:
            files.append((f"{stem}.{rng.choice(['prod', 'production', 'staging'])}.{ext}",
                          self.production()))
        if rng.random() < 0.2:
            files.append((f"{stem}.test.{ext}", self.test()))
        if rng.random() < broken_ratio:
            name, text = files[-1]
            files[-1] = (name, text.replace("    ", "   ", 1) + "  broken: [unclosed\n")
        return files


def generate(
    out_dir: Path, count: int = 1000, seed: int = 7, broken_ratio: float = 0.02
) -> list[Path]:
    """Write ``count`` compose files (plus ``.env`` files) below ``out_dir``; return their paths.

    ``broken_ratio`` is the share of projects whose last file gets a YAML syntax error.
    """
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    index = 0
    while len(written) < count:
        project = ProjectWriter(rng, index)
        folder = out_dir / f"p{index:04d}"
        folder.mkdir(exist_ok=True)
        (folder / ".env").write_text(project.env(), encoding="utf-8")
        for name, text in project.files(broken_ratio)[: count - len(written)]:
            path = folder / name
            path.write_text(text, encoding="utf-8")
            written.append(path)
        index += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=1000, help="compose files to write")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    files = generate(args.out_dir, args.count, args.seed)
    projects = len({p.parent for p in files})
    print(f"wrote {len(files)} compose files in {projects} projects under {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
