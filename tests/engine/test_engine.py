"""composeguard's claims about data, proven on a real Docker engine with real database servers.

On a copy of the bundled example per database kind (its MariaDB service, and the same project
with a PostgreSQL service instead), each under its own ``COMPOSE_PROJECT_NAME``:

1. before ``fix``, a row survives ``up --force-recreate`` (the image's unnamed volume is kept)
   but is gone after ``docker compose down`` and ``up``, as CG101 says;
2. after ``composeguard fix --unsafe-fixes --scripts`` it survives ``down``/``up`` and
   ``down``/``build``/``up``, and the generated production file runs on the same data
   through its own ``down``/``up``; the generated development file starts too;
4. the split alone, on a server that ran the base: the production file started as its
   header says finds the rows the base wrote, on the base's named volume as it is, and from
   the base's unnamed volume once the copy command the fix describes has run;
3. the backup script writes a dump; the restore script takes a safety backup, then puts back
   exactly what the backup held; a backup older than ``KEEP_DAYS`` is restored and kept; a dump
   of a stopped database exits non-zero and leaves no partial file.

Only the database service is started: the example's app image is built from registries this
machine does not reach. The database publishes no port in these copies, so the two kinds run
side by side under xdist.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..conftest import make_git_repo

pytestmark = pytest.mark.engine

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "laravel-shop"
MYSQL_BLOCK = """  mysql:
    image: mysql:8.0
    environment:
      MYSQL_ROOT_PASSWORD: root
      MYSQL_DATABASE: shop
      MYSQL_USER: shop
      MYSQL_PASSWORD: secret
    ports:
      - "3306:3306"
"""
MYSQL_UNPUBLISHED = MYSQL_BLOCK.replace('    ports:\n      - "3306:3306"\n', "")
POSTGRES_BLOCK = """  mysql:
    image: postgres:15
    environment:
      POSTGRES_USER: shop
      POSTGRES_PASSWORD: secret
      POSTGRES_DB: shop
"""
SECRETS = {"MYSQL_ROOT_PASSWORD": "root", "MYSQL_PASSWORD": "secret",
           "POSTGRES_PASSWORD": "secret", "RABBITMQ_DEFAULT_PASS": "secret"}
"""What the generated production file requires from the server's environment."""


@dataclass
class Deployment:
    root: Path
    env: dict[str, str]
    kind: str
    service: str = "mysql"  # the example's name for its database service, kept for both kinds

    def compose(self, *args: str, files: tuple[str, ...] = (), check: bool = True,
                timeout: int = 180) -> subprocess.CompletedProcess[str]:
        chosen = [part for name in files for part in ("-f", name)]
        done = subprocess.run(["docker", "compose", *chosen, *args], cwd=self.root, env=self.env,
                              capture_output=True, text=True, timeout=timeout, check=False)
        if check:
            assert done.returncode == 0, f"docker compose {' '.join(args)}:\n{done.stderr}"
        return done

    def up(self, *extra: str, files: tuple[str, ...] = ()) -> None:
        self.compose("up", "-d", *extra, self.service, files=files)
        self.wait(files)

    def wait(self, files: tuple[str, ...] = ()) -> None:
        probe = (["mariadb-admin", "--user=root", "--password=root", "ping"]
                 if self.kind == "mysql" else ["pg_isready", "-U", "shop", "-d", "shop"])
        deadline = time.monotonic() + 120
        while True:
            ready = self.compose("exec", "-T", self.service, *probe, files=files, check=False)
            if ready.returncode == 0 and self.sql("SELECT 1", files=files, check=False):
                return
            assert time.monotonic() < deadline, ready.stderr
            time.sleep(0.5)

    def sql(self, statement: str, files: tuple[str, ...] = (), check: bool = True) -> str:
        client = (["mariadb", "--user=root", "--password=root", "-N", "-B", "shop", "-e"]
                  if self.kind == "mysql" else
                  ["psql", "-U", "shop", "-d", "shop", "-At", "-v", "ON_ERROR_STOP=1", "-c"])
        done = self.compose("exec", "-T", self.service, *client, statement, files=files,
                            check=False)
        if check:
            assert done.returncode == 0, f"{statement}: {done.stderr}"
        return done.stdout if done.returncode == 0 else ""

    def rows(self, table: str = "orders", files: tuple[str, ...] = ()) -> list[str]:
        exists = self.sql(f"SELECT count(*) FROM information_schema.tables WHERE "
                          f"table_name = '{table}'", files=files).strip()
        if exists == "0":
            return []
        return sorted(self.sql(f"SELECT note FROM {table}", files=files).split())

    def write(self, note: str, table: str = "orders", files: tuple[str, ...] = ()) -> None:
        self.sql(f"CREATE TABLE IF NOT EXISTS {table} (note VARCHAR(40))", files=files)
        self.sql(f"INSERT INTO {table} VALUES ('{note}')", files=files)

    def down(self, files: tuple[str, ...] = ()) -> None:
        self.compose("down", files=files)

    def script(self, name: str, *args: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.root / "scripts" / name), *args], cwd="/",
                              env={**self.env, **(env or {})}, capture_output=True, text=True,
                              timeout=300, check=False)


@pytest.fixture(params=["mysql", "postgres"])
def deployment(request: pytest.FixtureRequest, engine: dict[str, str], tmp_path: Path):
    kind = request.param
    root = tmp_path / f"shop-{kind}"
    shutil.copytree(EXAMPLE, root)
    compose = root / "docker-compose.yml"
    text = compose.read_text()
    assert MYSQL_BLOCK in text, "the example's mysql service changed: update MYSQL_BLOCK"
    # no published port: the tests reach the server with `docker compose exec`, and a port
    # the machine already uses (or the other kind's test) must not stop them
    compose.write_text(text.replace(MYSQL_BLOCK,
                                    POSTGRES_BLOCK if kind == "postgres" else MYSQL_UNPUBLISHED))
    make_git_repo(root)
    project = f"cgengine-{kind}-{os.getpid()}"
    env = {**engine, **SECRETS, "COMPOSE_PROJECT_NAME": project}
    found = Deployment(root, env, kind)
    yield found
    for files in ((), ("docker-compose.prod.yml",), ("docker-compose.dev.yml",)):
        if all((root / f).exists() for f in files):
            found.compose("down", "--volumes", "--remove-orphans", files=files, check=False)


def test_what_composeguard_says_happens_and_fix_makes_the_data_survive(
        deployment: Deployment) -> None:
    d = deployment
    # -- 1. before fix: CG101's claim --------------------------------------------------------
    check = subprocess.run([sys.executable, "-m", "composeguard", "check", "--format", "json",
                            "--select", "CG101", "."], cwd=d.root, env=d.env,
                           capture_output=True, text=True, timeout=120, check=False)
    [message] = [f"{f['message']}: {f['help']}" for f in json.loads(check.stdout)["findings"]
                 if "'mysql'" in f["message"]]
    assert "`up --force-recreate` keeps" in message and "`docker compose down`" in message
    d.up()
    d.write("before-fix")
    d.up("--force-recreate")
    assert d.rows() == ["before-fix"], "the image's unnamed volume was reused, as CG101 says"
    d.down()
    d.up()
    assert d.rows() == [], "after down and up the data is gone, as CG101 says"
    d.down()

    # -- 2. after fix -------------------------------------------------------------------------
    fixed = subprocess.run([sys.executable, "-m", "composeguard", "fix", "--unsafe-fixes",
                            "--scripts", "."], cwd=d.root, env=d.env, capture_output=True,
                           text=True, timeout=300, check=False)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    d.up()
    d.write("after-fix")
    d.down()
    d.up()
    assert d.rows() == ["after-fix"]
    d.down()
    d.compose("build", d.service)
    d.up()
    assert d.rows() == ["after-fix"]
    d.down()

    prod = ("docker-compose.prod.yml",)
    d.up(files=prod)
    assert d.rows(files=prod) == ["after-fix"], "production runs on the base's volume"
    d.write("in-production", files=prod)
    d.down(files=prod)
    d.up(files=prod)
    assert d.rows(files=prod) == ["after-fix", "in-production"]
    d.down(files=prod)
    dev = ("docker-compose.dev.yml",)
    d.up(files=dev)
    d.down(files=dev)

    # -- 3. backup and restore ----------------------------------------------------------------
    d.up()
    backup = d.script("backup-database.sh")
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip())
    assert dump.is_absolute() and dump.is_file() and dump.stat().st_size > 0
    d.sql("DELETE FROM orders")
    d.write("changed-later")
    d.write("made-after-the-backup", table="later")
    restored = d.script("restore-database.sh", str(dump), "--yes")
    assert restored.returncode == 0, restored.stderr
    held = ["after-fix", "in-production"]  # what the base and production wrote, one volume
    assert d.rows() == held, "the restore puts back exactly what the backup held"
    assert d.rows("later") == ["made-after-the-backup"], \
        "a table made after the backup is kept, as the restore script's usage says"
    safety = [p for p in dump.parent.iterdir() if "before-restore" in p.name]
    assert len(safety) == 1 and safety[0].stat().st_size > 0

    old = time.time() - 40 * 86400
    os.utime(dump, (old, old))
    d.write("after-the-old-backup")
    restored = d.script("restore-database.sh", str(dump), "--yes", env={"KEEP_DAYS": "14"})
    assert restored.returncode == 0, restored.stderr
    assert dump.exists(), "restoring a backup older than KEEP_DAYS keeps it"
    assert d.rows() == held

    d.compose("stop", d.service)
    before = sorted(p.name for p in dump.parent.iterdir())
    failed = d.script("backup-database.sh")
    assert failed.returncode != 0
    assert sorted(p.name for p in dump.parent.iterdir()) == before, "no partial dump is left"
    d.down()


@pytest.mark.parametrize("volume", ["named", "unnamed"])
def test_the_split_production_file_starts_on_the_data_production_has(
        volume: str, deployment: Deployment) -> None:
    d = deployment
    compose = d.root / "docker-compose.yml"
    if volume == "named":
        data_dir = "/var/lib/mysql" if d.kind == "mysql" else "/var/lib/postgresql/data"
        block = MYSQL_UNPUBLISHED if d.kind == "mysql" else POSTGRES_BLOCK
        compose.write_text(compose.read_text().replace(
            block, f"{block}    volumes:\n      - shop_db:{data_dir}\n", 1)
            + "  shop_db:\n")
    d.up()
    d.write("live-order")
    # the split only (CG601): the base keeps its volumes as they are on the server
    fixed = subprocess.run([sys.executable, "-m", "composeguard", "fix", "--unsafe-fixes",
                            "--select", "CG601", "."], cwd=d.root, env=d.env,
                           capture_output=True, text=True, timeout=300, check=False)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    prod = d.root / "docker-compose.prod.yml"
    header = [line for line in prod.read_text().splitlines() if line.startswith("# Run: ")]
    assert header == ["# Run: docker compose -f docker-compose.prod.yml up -d"]
    copy = [part.split("`")[-2] for part in fixed.stdout.split("; ")
            if f"stop {d.service} && docker volume create" in part]
    if volume == "named":
        assert copy == [], fixed.stdout
    else:
        [command] = copy
        # the description names the project by its folder; this test's runs have their own
        project = d.env["COMPOSE_PROJECT_NAME"]
        command = command.replace(f" {d.root.name}_", f" {project}_")
        copied = subprocess.run(["sh", "-c", command], cwd=d.root, env=d.env,
                                capture_output=True, text=True, timeout=300, check=False)
        assert copied.returncode == 0, copied.stderr
    # only the database: the example's app image is built from registries not reached here
    run = f"{header[0].removeprefix('# Run: ')} {d.service}"
    started = subprocess.run(["sh", "-c", run], cwd=d.root,
                             env=d.env, capture_output=True, text=True, timeout=300,
                             check=False)
    assert started.returncode == 0, started.stderr
    d.wait(files=(prod.name,))
    assert d.rows(files=(prod.name,)) == ["live-order"]


def test_an_anonymous_volume_survives_a_recreate_but_not_down(engine: dict[str, str],
                                                               tmp_path: Path) -> None:
    """CG102's claim, observed: an anonymous volume at the data directory keeps the data
    through `up --force-recreate` and a changed setting, and `down` orphans it."""
    root = make_git_repo(shutil.copytree(EXAMPLE, tmp_path / "shop"))
    compose = root / "docker-compose.yml"
    compose.write_text(compose.read_text().replace(
        MYSQL_BLOCK, MYSQL_UNPUBLISHED + "    volumes:\n      - /var/lib/mysql\n"))
    d = Deployment(root, {**engine, **SECRETS,
                          "COMPOSE_PROJECT_NAME": f"cgengine-anon-{os.getpid()}"}, "mysql")
    try:
        check = subprocess.run([sys.executable, "-m", "composeguard", "check", "--format",
                                "json", "--select", "CG102", "."], cwd=root, env=d.env,
                               capture_output=True, text=True, timeout=120, check=False)
        [message] = [f"{f['message']}: {f['help']}"
                     for f in json.loads(check.stdout)["findings"]]
        assert "`docker compose down` orphans it and the next `up` starts empty" in message
        d.up()
        d.write("kept")
        d.up("--force-recreate")
        assert d.rows() == ["kept"]
        compose.write_text(compose.read_text().replace("MYSQL_USER: shop",
                                                       "MYSQL_USER: shop\n      TZ: UTC"))
        d.up()  # a changed setting: Compose recreates the container, and keeps the volume
        assert d.rows() == ["kept"]
        d.down()
        d.up()
        assert d.rows() == []
    finally:
        d.compose("down", "--volumes", check=False)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("clash", ["port", "container_name"])
def test_what_cg004_and_cg005_report_stops_up_half_done(clash: str, engine: dict[str, str],
                                                       tmp_path: Path) -> None:
    """CG004's and CG005's claim, observed: Compose starts the first service and fails on
    the second ("port is already allocated", "container name ... is already in use"); with
    the clash removed, as the finding says, both start."""
    port, name = _free_port(), f"cgengine-{os.getpid()}-{clash}"
    if clash == "port":
        extra = f'    ports: ["127.0.0.1:{port}:80"]\n'
    else:
        extra = f"    container_name: {name}\n"
    service = '    image: mysql:8.0\n    entrypoint: ["sleep", "300"]\n'
    text = f"services:\n  first:\n{service}{extra}  second:\n{service}{extra}"
    root = tmp_path / "clash"
    root.mkdir()
    (root / "compose.yaml").write_text(text)
    d = Deployment(root, {**engine, "COMPOSE_PROJECT_NAME": f"cgengine-{clash}-{os.getpid()}"},
                   "mysql")
    try:
        check = subprocess.run([sys.executable, "-m", "composeguard", "check", "--concise",
                                "--no-cache", "--select", "CG004,CG005", "."], cwd=root,
                               env=d.env, capture_output=True, text=True, timeout=120,
                               check=False)
        code = "CG004" if clash == "port" else "CG005"
        assert [line.split()[1] for line in check.stdout.splitlines() if "CG00" in line] == [
            code], check.stdout
        failed = d.compose("up", "-d", check=False)
        assert failed.returncode != 0
        assert ("port is already allocated" in failed.stderr
                or "address already in use" in failed.stderr
                or "is already in use" in failed.stderr), failed.stderr
        d.compose("down", check=False)
        fixed = text.replace(extra, "", 1)
        (root / "compose.yaml").write_text(fixed)
        again = subprocess.run([sys.executable, "-m", "composeguard", "check", "--no-color",
                                "--no-cache", "--select", "CG004,CG005", "."], cwd=root,
                               env=d.env, capture_output=True, text=True, timeout=120,
                               check=False)
        assert again.returncode == 0, again.stdout
        d.compose("up", "-d")
    finally:
        d.compose("down", "--volumes", check=False)
