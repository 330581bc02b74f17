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

``generate_repository`` writes the other benchmark case: one application repository of 20,000
tracked files (``python bench/make_corpus.py OUT_DIR --repository --files 20000``), see there.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from dataclasses import dataclass, field
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


def large_compose_file(size: int, seed: int = 7) -> str:
    """One compose file of at least ``size`` bytes: the data-store services of many generated
    projects in one ``services:`` map, each service and named volume suffixed with its
    project's number, then the ``volumes:`` they use: a templated fleet file."""
    rng = random.Random(seed)
    header = ("# generated large compose file\nx-defaults: &defaults\n  restart: unless-stopped\n"
              "services:\n")
    services: list[str] = []
    volumes: list[str] = []
    written = len(header)
    index = 0
    while written < size:
        project = ProjectWriter(rng, index)
        lines: list[str] = []
        mine: set[str] = set()
        for store in project.stores:
            project.store_service(store, lines, mine)
        suffix = f"-{index:05d}"
        for number, line in enumerate(lines):
            if line.startswith("  ") and not line.startswith("   "):
                lines[number] = line[:-1] + suffix + ":"
            for volume in mine:
                if f"{volume}:" in line or line.endswith(f"source: {volume}"):
                    lines[number] = lines[number].replace(volume, volume + suffix, 1)
        text = "\n".join(lines) + "\n"
        services.append(text)
        declared = [f"  {volume}{suffix}:\n" for volume in sorted(mine)]
        volumes.extend(declared)
        written += len(text) + sum(map(len, declared))
        index += 1
    return header + "".join(services) + "volumes:\n" + "".join(volumes)


# -- one large application repository -------------------------------------------------------

_PACKAGES = ("symfony/console", "symfony/http-kernel", "laravel/framework", "guzzlehttp/guzzle",
             "monolog/monolog", "nesbot/carbon", "league/flysystem", "doctrine/dbal",
             "phpunit/phpunit", "mockery/mockery", "predis/predis", "ramsey/uuid")
_WORDS = ("Order", "Invoice", "Customer", "Product", "Cart", "Payment", "Shipment", "Report",
          "Coupon", "Refund", "Review", "Stock", "Supplier", "Warehouse", "Tax", "Address")

REPOSITORY_NEEDED = {
    "docker-compose.yml": "services:\n  app:\n    build: .\n    env_file: .env\n"
    "    command: [\"docker/entrypoint.sh\"]\n    depends_on: [mysql]\n  mysql:\n"
    "    image: mysql:8.4\n    environment:\n      MYSQL_ROOT_PASSWORD: ${DB_ROOT_PASSWORD:?}\n"
    "    volumes:\n      - mysql-data:/var/lib/mysql\nvolumes:\n  mysql-data:\n",
    "docker-compose.override.yml": "services:\n  app:\n    volumes:\n      - .:/var/www/html\n"
    "    ports:\n      - \"8080:80\"\n",
    "docker-compose.prod.yml": "services:\n  app:\n    image: registry.example.com/shop:${TAG:?}\n"
    "    restart: always\n",
    "services/search/compose.yaml": "services:\n  search:\n    image: getmeili/meilisearch:v1.8\n"
    "    volumes:\n      - search-data:/meili_data\nvolumes:\n  search-data:\n",
    ".env": "APP_NAME=Shop\nAPP_ENV=local\nAPP_KEY=base64:Zm9yLXRoZS1iZW5jaG1hcmstb25seQ==\n"
    "DB_CONNECTION=mysql\nDB_HOST=mysql\nDB_PASSWORD=secret\n",
    ".env.example": "APP_NAME=Shop\nAPP_ENV=local\nAPP_KEY=\nDB_CONNECTION=mysql\nDB_PASSWORD=\n",
    ".gitignore": "/node_modules\n/public/hot\n/public/storage\n/storage/*.key\n"
    ".phpunit.result.cache\n",
    "database/.gitignore": "*.sqlite*\n",
    "artisan": "#!/usr/bin/env php\n<?php\ndefine('LARAVEL_START', microtime(true));\n",
    "composer.json": '{"name": "acme/shop", "require": {"php": "^8.2", '
    '"laravel/framework": "^11.9"}, "autoload": {"psr-4": {"App\\\\": "app/"}}}\n',
    "config/database.php": "<?php\n\nreturn [\n    'default' => env('DB_CONNECTION', 'mysql'),\n];\n",
    "bootstrap/providers.php": "<?php\n\nreturn [\n    App\\Providers\\AppServiceProvider::class,\n];\n",
    "app/Providers/AppServiceProvider.php": "<?php\n\nnamespace App\\Providers;\n\n"
    "use Illuminate\\Support\\Facades\\DB;\nuse Illuminate\\Support\\ServiceProvider;\n\n"
    "class AppServiceProvider extends ServiceProvider\n{\n    public function boot(): void\n    {\n"
    "        DB::prohibitDestructiveCommands($this->app->isProduction());\n    }\n}\n",
    "Dockerfile": "FROM php:8.3-fpm\nCOPY . /var/www/html\nENTRYPOINT [\"docker/entrypoint.sh\"]\n",
    "docker/entrypoint.sh": "#!/bin/sh\nset -e\nphp artisan migrate --force\nexec php-fpm\n",
    "scripts/backup.sh": "#!/bin/sh\nset -e\ndocker compose exec -T mysql mysqldump shop "
    "> backup.sql\n",
    "Makefile": "up:\n\tdocker compose up -d\n",
    ".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - run: docker compose config -q\n",
    "package.json": '{"private": true, "scripts": {"build": "vite build"}}\n',
}
"""The files composeguard has reason to read: compose files, env files, ignore files, scripts and
app configuration. Everything else the generator writes is noise it must leave unopened."""

TRACKED_DATABASE = "storage/app/reports.sqlite"


@dataclass
class Repository:
    root: Path
    files: int
    needed: list[Path] = field(default_factory=list)
    noise: list[Path] = field(default_factory=list)
    database: Path | None = None


def _noise_files(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """``count`` files of a real application's bulk: a committed vendor tree (about half),
    application source, migrations, tests, front-end sources, translations and assets."""
    files: list[tuple[str, str]] = []
    areas = [(0.50, "vendor"), (0.15, "app"), (0.05, "database/migrations"), (0.10, "tests"),
             (0.12, "resources/js"), (0.04, "lang"), (0.04, "public/images")]
    for share, area in areas:
        for index in range(int(count * share)):
            word = rng.choice(_WORDS)
            if area == "vendor":
                package = _PACKAGES[index % len(_PACKAGES)]
                depth = "/".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3)))
                path = f"vendor/{package}/src/{depth}/{word}{index}.php"
            elif area == "app":
                kind = rng.choice(("Models", "Http/Controllers", "Services", "Jobs", "Events"))
                path = f"app/{kind}/{word}{index}.php"
            elif area == "database/migrations":
                path = f"database/migrations/2024_01_{index:06d}_create_{word.lower()}s_table.php"
            elif area == "tests":
                path = f"tests/{rng.choice(('Unit', 'Feature'))}/{word}{index}Test.php"
            elif area == "resources/js":
                path = f"resources/js/{rng.choice(('components', 'pages', 'stores'))}/" \
                       f"{word}{index}.{rng.choice(('vue', 'ts', 'js'))}"
            elif area == "lang":
                path = f"lang/{rng.choice(('en', 'de', 'fr', 'nl'))}/{word.lower()}{index}.json"
            else:
                path = f"public/images/{word.lower()}-{index}.svg"
            body = f"<?php\n\n// {word} {index}\n" if path.endswith(".php") else f"{word} {index}\n"
            files.append((path, body))
    while len(files) < count:
        index = len(files)
        files.append((f"docs/{rng.choice(_WORDS).lower()}-{index}.md", f"# {index}\n"))
    return files


def generate_repository(out_dir: Path, files: int = 20_000, seed: int = 7) -> Repository:
    """Write a Laravel application of ``files`` files into ``out_dir`` and commit every one of
    them in a new git repository: a committed vendor tree, source, migrations, tests, front-end
    code, translations and assets, four compose files, scripts, one tracked ``.env`` with
    credentials and one tracked SQLite database (``storage/app/reports.sqlite``)."""
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    repository = Repository(out_dir, files)
    needed = dict(REPOSITORY_NEEDED)
    database = out_dir / TRACKED_DATABASE
    database.parent.mkdir(parents=True, exist_ok=True)
    database.write_bytes(b"SQLite format 3\x00" + bytes(4080))
    repository.database = database
    for relative, text in needed.items():
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        repository.needed.append(path)
    for script in ("artisan", "docker/entrypoint.sh", "scripts/backup.sh"):
        (out_dir / script).chmod(0o755)
    folders: set[Path] = set()
    for relative, text in _noise_files(rng, files - len(needed) - 1):
        path = out_dir / relative
        if path.parent not in folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        path.write_text(text, encoding="utf-8")
        repository.noise.append(path)
    commit_all(out_dir)
    return repository


def commit_all(folder: Path) -> None:
    """Make ``folder`` a new git repository with every file in it committed."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    for command in (["init", "-q", "-b", "main"], ["add", "-A"],
                    ["-c", "user.email=bench@example.invalid", "-c", "user.name=bench",
                     "commit", "-q", "-m", "benchmark repository"]):
        subprocess.run(["git", *command], cwd=folder, env=env, check=True, capture_output=True)


def generate_workspace(out_dir: Path, clones: int, count: int, seed: int = 7) -> list[Path]:
    """A folder of ``clones`` git repositories holding ``count`` generated compose files in
    all (a developer's or a CI runner's checkout of several applications); their paths."""
    written: list[Path] = []
    for index in range(clones):
        folder = out_dir / f"clone{index:02d}"
        share = count // clones + (1 if index < count % clones else 0)
        written.extend(generate(folder, share, seed + index))
        commit_all(folder)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=1000, help="compose files to write")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repository", action="store_true",
                        help="write one git repository of --files tracked files instead")
    parser.add_argument("--files", type=int, default=20_000)
    args = parser.parse_args(argv)
    if args.repository:
        repository = generate_repository(args.out_dir, args.files, args.seed)
        print(f"wrote and committed {repository.files} files under {args.out_dir}")
        return 0
    files = generate(args.out_dir, args.count, args.seed)
    projects = len({p.parent for p in files})
    print(f"wrote {len(files)} compose files in {projects} projects under {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
