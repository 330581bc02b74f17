"""``composeguard fix --scripts``: the backup and restore scripts, checked by shellcheck, run
against a stand-in ``docker`` and dump tools, and seen by CG602 afterwards."""

from __future__ import annotations

import gzip
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from composeguard.cli import main
from composeguard.fix.backup_scripts import (
    BACKUP_SCRIPT,
    NO_STORE,
    RESTORE_SCRIPT,
    backup_script_files,
    backup_target,
    script_changes,
    write_scripts,
)
from composeguard.lint.engine.selection import Selection
from composeguard.lint.project import Project
from composeguard.runner import run

from ..tools import shellcheck as find_shellcheck

ProjectDir = Callable[..., Path]
CG602 = Selection(select=("CG602",))
SECRET = "s3cret-value"
STORES = {"mysql": "mysql:8.4", "mariadb": "mariadb:11", "postgres": "postgres:17",
          "mongo": "mongo:7"}
DATA_DIRS = {"mysql": "/var/lib/mysql", "mariadb": "/var/lib/mysql",
             "postgres": "/var/lib/postgresql/data", "mongo": "/data/db"}


def compose(store: str, service: str = "db") -> str:
    return (f"services:\n  app:\n    build: .\n  {service}:\n    image: {STORES[store]}\n"
            f"    volumes:\n      - data:{DATA_DIRS[store]}\nvolumes:\n  data:\n")


shellcheck = find_shellcheck


def backup_findings(root: Path) -> list[str]:
    result = run(Project([root]), CG602)
    assert not result.errors
    return [f.message.split("'")[1] for f in result.findings]


@pytest.mark.parametrize("store", sorted(STORES))
def test_scripts_pass_shellcheck_and_end_cg602(project_dir: ProjectDir, store: str) -> None:
    root = project_dir({"compose.yaml": compose(store)})
    assert backup_findings(root) == ["db"]
    changes, skipped = script_changes(Project([root]), [root])
    assert skipped == ()
    assert [c.path for c in changes] == [root / BACKUP_SCRIPT, root / RESTORE_SCRIPT]
    assert all(c.before is None for c in changes)
    assert all(r.written for r in write_scripts(changes, [root]))
    for change in changes:
        assert stat.S_IMODE(change.path.stat().st_mode) == 0o755
        assert change.path.read_text() == change.after
        done = subprocess.run([shellcheck(), "--shell=bash", str(change.path)],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout
    backup = (root / BACKUP_SCRIPT).read_text()
    assert "set -euo pipefail" in backup and "-mtime +\"$KEEP_DAYS\" -delete" in backup
    assert 'docker compose exec -T "$SERVICE"' in backup
    assert backup_findings(root) == []


def test_the_production_store_is_chosen(project_dir: ProjectDir) -> None:
    root = project_dir({
        "compose.yaml": "services:\n  cache:\n    image: redis:7\n  main:\n    image: postgres:16\n",
        "compose.override.yaml": "services:\n  devdb:\n    image: mysql:8\n",
    })
    target = backup_target(Project([root]))
    assert target is not None
    assert (target.project_dir, target.service, target.store) == (root, "main", "postgres")


def test_no_scripts_for_the_stores_of_tests_and_examples(project_dir: ProjectDir) -> None:
    """A linter's test mocks and a documentation example hold nothing anyone keeps."""
    root = project_dir({
        "tests/mocks/docker-compose.yml": "services:\n  db:\n    image: postgres:16\n",
        "docs/examples/compose.yaml": "services:\n  db:\n    image: mysql:8.4\n",
    })
    assert backup_target(Project([root])) is None
    changes, skipped = script_changes(Project([root]), [root])
    assert changes == () and [path for path, _ in skipped] == [None]


def test_never_over_an_existing_script(project_dir: ProjectDir) -> None:
    mine = "#!/bin/sh\n# our own backup\n"
    root = project_dir({"compose.yaml": compose("postgres"), BACKUP_SCRIPT: mine})
    changes, skipped = script_changes(Project([root]), [root])
    assert [c.path for c in changes] == [root / RESTORE_SCRIPT]
    assert [(p, "exists already" in why) for p, why in skipped] == [(root / BACKUP_SCRIPT, True)]
    (root / RESTORE_SCRIPT).write_text("appeared meanwhile\n")
    results = write_scripts(changes, [root])
    assert [r.written for r in results] == [False]
    assert (root / BACKUP_SCRIPT).read_text() == mine
    assert (root / RESTORE_SCRIPT).read_text() == "appeared meanwhile\n"


def test_no_store_no_scripts(project_dir: ProjectDir) -> None:
    root = project_dir({"compose.yaml": "services:\n  cache:\n    image: redis:7\n"})
    assert backup_script_files(Project([root])) == []
    assert script_changes(Project([root]), [root]) == ((), ((None, NO_STORE),))


def test_scripts_outside_the_checked_file_are_not_written(project_dir: ProjectDir) -> None:
    root = project_dir({"compose.yaml": compose("mysql")})
    changes, skipped = script_changes(Project([root / "compose.yaml"]), [root / "compose.yaml"])
    assert changes == () and len(skipped) == 2
    assert all("outside the checked paths" in why for _, why in skipped)


def test_cli_option(project_dir: ProjectDir, capsys: pytest.CaptureFixture[str]) -> None:
    root = project_dir({"compose.yaml": compose("mariadb")})
    assert main(["fix", "--diff", "--scripts", "--select", "CG602", str(root)]) == 1
    out = capsys.readouterr().out
    assert "+++ b/" in out and "scripts/backup-database.sh" in out and "mariadb-dump" in out
    assert not (root / "scripts").exists()

    assert main(["fix", "--scripts", "--select", "CG602", str(root)]) == 0
    out = capsys.readouterr().out
    assert "backup-database.sh: written (executable)" in out
    assert os.access(root / BACKUP_SCRIPT, os.X_OK) and os.access(root / RESTORE_SCRIPT, os.X_OK)

    assert main(["fix", "--scripts", "--select", "CG602", str(root)]) == 0
    assert "exists already" in capsys.readouterr().err


# -- the scripts at work, against stand-ins for docker and the dump tools --------------------------

DOCKER = """#!/bin/sh
# docker compose exec -T SERVICE COMMAND...: runs COMMAND with the container's environment
echo "$*" >> "$LOG"
[ "$1" = compose ] && [ "$2" = exec ] && [ "$3" = -T ] || exit 97
shift 4
exec env MYSQL_ROOT_PASSWORD='{secret}' POSTGRES_PASSWORD='{secret}' POSTGRES_USER=shop \\
  MONGO_INITDB_ROOT_USERNAME=root MONGO_INITDB_ROOT_PASSWORD='{secret}' "$@"
"""
DUMP = """#!/bin/sh
echo "TOOL $0 $*" >> "$LOG"
[ "${{MYSQL_PWD:-}}${{PGPASSWORD:-}}" = '{secret}' ] || case "$*" in *'{secret}'*) ;; *) exit 98 ;; esac
printf 'DUMP OF THE DATABASE\\n'
"""
LOAD = """#!/bin/sh
echo "TOOL $0 $*" >> "$LOG"
cat > "$RESTORED"
"""
TOOLS = {"mysql": ("mysqldump", "mysql"), "postgres": ("pg_dump", "pg_restore"),
         "mongo": ("mongodump", "mongorestore")}


def stand_ins(folder: Path, store: str) -> None:
    folder.mkdir()
    dump, load = TOOLS[store]
    for name, text in (("docker", DOCKER), (dump, DUMP), (load, LOAD)):
        path = folder / name
        path.write_text(text.format(secret=SECRET))
        path.chmod(0o755)


def scripted_project(project_dir: ProjectDir, tmp_path: Path, store: str
                     ) -> tuple[Path, dict[str, str], Path, Path]:
    """A project with the written scripts, stand-ins on PATH: (root, env, log, restored)."""
    root = project_dir({"compose.yaml": compose(store)})
    changes, _ = script_changes(Project([root]), [root])
    write_scripts(changes, [root])
    stand_ins(tmp_path / "bin", store)
    log, restored = tmp_path / "log", tmp_path / "restored"
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "LOG": str(log),
           "RESTORED": str(restored), "HOME": str(tmp_path)}
    return root, env, log, restored


@pytest.mark.parametrize("store", sorted(TOOLS))
def test_backup_rotation_and_restore(project_dir: ProjectDir, tmp_path: Path, store: str) -> None:
    if store == "mysql" and shutil.which("mariadb-dump"):
        pytest.skip("a real mariadb-dump on this machine would be preferred to the stand-in")
    root, env, log, restored = scripted_project(project_dir, tmp_path, store)
    backups = root / "backups"
    backups.mkdir()
    suffix = {"mysql": ".sql.gz", "postgres": ".dump", "mongo": ".archive.gz"}[store]
    old, recent = backups / f"db-20000101-000000{suffix}", backups / f"db-20990101-000000{suffix}"
    for path, days in ((old, 40), (recent, 10)):
        path.write_bytes(b"x")
        moment = time.time() - days * 86400
        os.utime(path, (moment, moment))

    done = subprocess.run([str(root / BACKUP_SCRIPT)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr + log.read_text()
    written = Path(done.stdout.strip())
    assert written.is_absolute(), "a caller in another folder must be able to use the path"
    assert written.parent.resolve() == backups.resolve() and written.name.endswith(suffix)
    data = written.read_bytes()
    assert (gzip.decompress(data) if store == "mysql" else data) == b"DUMP OF THE DATABASE\n"
    assert not old.exists() and recent.exists()
    assert (backups / ".gitignore").read_text() == "*\n"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert SECRET not in done.stdout + done.stderr

    refused = subprocess.run([str(root / RESTORE_SCRIPT), str(written)], env=env, cwd=tmp_path,
                             input="n\n", capture_output=True, text=True, check=False)
    assert refused.returncode == 1 and "nothing restored" in refused.stderr
    assert not restored.exists()

    before = set(backups.iterdir())
    done = subprocess.run([str(root / RESTORE_SCRIPT), str(written), "--yes"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert restored.read_bytes() == b"DUMP OF THE DATABASE\n"
    [safety] = set(backups.iterdir()) - before
    assert safety.name.startswith("db-before-restore-")
    assert f"safety backup: {safety.parent.resolve() / safety.name}" in done.stderr
    assert written.exists()
    assert SECRET not in done.stdout + done.stderr
    calls = [line.split()[1] for line in log.read_text().splitlines() if line.startswith("TOOL ")]
    dumps = [i for i, c in enumerate(calls) if c.endswith("/" + TOOLS[store][0])]
    loads = [i for i, c in enumerate(calls) if c.endswith("/" + TOOLS[store][1])]
    assert len(dumps) == 2 and len(loads) == 1
    assert dumps[1] < loads[0]


def test_restore_needs_a_file(project_dir: ProjectDir, tmp_path: Path) -> None:
    root = project_dir({"compose.yaml": compose("postgres")})
    changes, _ = script_changes(Project([root]), [root])
    write_scripts(changes, [root])
    done = subprocess.run([str(root / RESTORE_SCRIPT), str(tmp_path / "missing.dump")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "usage:" in done.stderr


@pytest.mark.parametrize("store", sorted(TOOLS))
def test_restoring_a_backup_older_than_keep_days_keeps_it(project_dir: ProjectDir,
                                                          tmp_path: Path, store: str) -> None:
    """The restore's safety backup used to prune old backups, the one being restored too,
    before the restore read it: the file was gone and nothing was restored."""
    root, env, _, restored = scripted_project(project_dir, tmp_path, store)
    env["KEEP_DAYS"] = "14"
    suffix = {"mysql": ".sql.gz", "postgres": ".dump", "mongo": ".archive.gz"}[store]
    backups = root / "backups"
    backups.mkdir()
    old = backups / f"db-20000101-000000{suffix}"
    content = b"DUMP OF THE DATABASE\n"
    old.write_bytes(gzip.compress(content) if store == "mysql" else content)
    moment = time.time() - 40 * 86400
    os.utime(old, (moment, moment))
    done = subprocess.run([str(root / RESTORE_SCRIPT), str(old), "--yes"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert old.exists()
    assert restored.read_bytes() == content
