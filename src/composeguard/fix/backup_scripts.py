"""``composeguard fix --scripts``: a backup and a restore script for the project's database.

CG602 reports a production data store that nothing backs up. The repair is not an edit of
what is there but two new files, beside the compose file of the store's setup:
``scripts/backup-database.sh`` and ``scripts/restore-database.sh``. They are written only on
request and never over an existing file (not even with ``--force``: a project's own backup
script is worth more than ours).

What the scripts do, for mysql/mariadb (``mysqldump``/``mariadb-dump``, gzip), postgres
(``pg_dump``'s custom format, compressed, read back by ``pg_restore``) and mongo
(``mongodump --archive --gzip``, ``mongorestore``):

- run the dump inside the store's container (``docker compose exec -T <service>``), with the
  credentials of the container's own environment, so a password never appears on the host's
  command lines or in any output;
- ``set -euo pipefail``: a failed dump stops the script before the temporary file becomes a
  backup and before old backups are rotated;
- keep 30 days (``find ... -mtime +30 -delete``, ``KEEP_DAYS`` to change it) in ``backups/``
  (``BACKUP_DIR``), a folder that git-ignores itself and only the owner can read;
- the restore script asks first (``--yes`` skips the question) and takes a safety backup with
  the backup script before it replaces anything.

Both pass ``shellcheck``; the tests run it. The backup script calls the dump tool by name, so
``composeguard check`` sees it and no longer reports CG602 for that store.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from composeguard.lint.model.compose import Environment

if TYPE_CHECKING:
    from composeguard.fix.write import FileChange, WriteResult
    from composeguard.lint.project import Project

BACKUP_SCRIPT = "scripts/backup-database.sh"
RESTORE_SCRIPT = "scripts/restore-database.sh"
KEEP_DAYS = 30
SCRIPT_MODE = 0o755
NO_STORE = ("no mysql, mariadb, postgres or mongo service in a production or development setup: "
            "no backup script written")
_KINDS = {"mysql": "mysql", "mariadb": "mysql", "postgres": "postgres", "mongo": "mongo"}
_SERVICE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


@dataclass(frozen=True, slots=True)
class BackupTarget:
    """The data store the scripts back up."""

    project_dir: Path
    """The folder Compose runs the store's setup from (the scripts go to its ``scripts/``)."""
    service: str
    store: str
    """``mysql``, ``mariadb``, ``postgres`` or ``mongo``."""

    @property
    def kind(self) -> str:
        return _KINDS[self.store]


def backup_target(project: Project) -> BackupTarget | None:
    """The store to back up: the first mysql/mariadb/postgres/mongo server (by folder, then
    service name) of the production-facing setups, else of the development ones; None when
    there is none. A test's or an example's store holds nothing anyone keeps (a linter's
    `tests/mocks/` compose files): no scripts for it."""
    for environments in ((Environment.PRODUCTION,), (Environment.DEVELOPMENT,)):
        found = sorted(
            (_project_dir(model.project_dir, service.location.path), service.name,
             state.store.name)
            for model, service, state in project.data_store_services(*environments)
            if state.store.name in _KINDS and set(service.name) <= _SERVICE_CHARS
        )
        if found:
            return BackupTarget(*found[0])
    return None


def _project_dir(project_dir: Path | None, compose_file: Path) -> Path:
    return Path(os.path.abspath(project_dir if project_dir is not None else compose_file.parent))


def backup_script_files(project: Project) -> list[tuple[Path, str]]:
    """(path, text) of the backup and restore scripts for the project's store; empty when
    the project runs no store they know."""
    target = backup_target(project)
    if target is None:
        return []
    return [(target.project_dir / BACKUP_SCRIPT, backup_script(target)),
            (target.project_dir / RESTORE_SCRIPT, restore_script(target))]


def script_changes(project: Project, roots: Sequence[Path]
                   ) -> tuple[tuple[FileChange, ...], tuple[tuple[Path | None, str], ...]]:
    """The scripts as new-file changes, and (path, why) for each one left out: it exists
    already (never replaced) or lies outside the checked ``roots``; (None, why) when the
    project runs no store the scripts know."""
    from composeguard.fix.write import FileChange, within

    files = backup_script_files(project)
    if not files:
        return (), ((None, NO_STORE),)
    changes: list[FileChange] = []
    skipped: list[tuple[Path | None, str]] = []
    for path, text in files:
        if os.path.lexists(path):
            skipped.append((path, "exists already: not replaced (a script is never overwritten)"))
        elif not within(path, roots):
            skipped.append((path, "is outside the checked paths: not written"))
        else:
            changes.append(FileChange(path, None, text))
    return tuple(changes), tuple(skipped)


def write_scripts(changes: Sequence[FileChange], roots: Sequence[Path]
                  ) -> tuple[WriteResult, ...]:
    """Create the scripts (atomically, never over an existing file) and make them executable."""
    from composeguard.fix.write import write_changes

    new = [c for c in changes if c.before is None]
    # the restore script calls the backup script: both or neither
    results = write_changes(new, roots, force=False, groups=[[c.path for c in new]])
    for result in results:
        if result.written:
            os.chmod(result.path, SCRIPT_MODE)
    return results


# -- the scripts ---------------------------------------------------------------------------------

_HEADER = """\
#!/usr/bin/env bash
# {what}.
# Written by `composeguard fix --scripts`: adapt it to the server as needed.
#
{usage}
set -euo pipefail

SERVICE="{service}"
"""

_BACKUP_USAGE = """\
# Usage: scripts/backup-database.sh   (from any folder; prints the absolute path it wrote)
# Run it every day from cron, for example:
#   15 3 * * * /path/to/project/scripts/backup-database.sh >> /var/log/database-backup.log 2>&1
# BACKUP_DIR (default: backups/ in the project), KEEP_DAYS (default: {keep}) and BACKUP_LABEL
# (a word in the file name) can be set in the environment, and COMPOSE_FILE when production
# runs other compose files than the default ones; BACKUP_PRUNE=no keeps every old backup (the
# restore script's safety backup uses it). Copy the backups to another machine too: a backup
# on the server's own disk is lost with that disk.
# The dump runs inside the container, with the credentials of the container's own
# environment: they never appear on this host's command lines or in any output.\
"""

_BACKUP_BODY = """\
cd "$(dirname "$0")/.."
BACKUP_DIR="${{BACKUP_DIR:-backups}}"
KEEP_DAYS="${{KEEP_DAYS:-{keep}}}"

umask 077
mkdir -p "$BACKUP_DIR"
BACKUP_DIR="$(cd "$BACKUP_DIR" && pwd)"
# a dump must never be committed: the folder ignores itself
[ -e "$BACKUP_DIR/.gitignore" ] || printf '*\\n' > "$BACKUP_DIR/.gitignore"

FILE="$BACKUP_DIR/$SERVICE-${{BACKUP_LABEL:+$BACKUP_LABEL-}}$(date +%Y%m%d-%H%M%S){suffix}"
if [ -e "$FILE" ]; then
  echo "$FILE exists already: not overwritten" >&2
  exit 1
fi
TMP="$FILE.partial"
trap 'rm -f "$TMP"' EXIT

# shellcheck disable=SC2016 # the single-quoted script is expanded by the container's shell
docker compose exec -T "$SERVICE" sh -c '{dump}'{compress} > "$TMP"
mv "$TMP" "$FILE"

# only after a good backup, and never for a restore's safety backup: remove those older than
# KEEP_DAYS days
if [ "${{BACKUP_PRUNE:-yes}}" != "no" ]; then
  find "$BACKUP_DIR" -name "$SERVICE-*{suffix}" -type f -mtime +"$KEEP_DAYS" -delete
fi
echo "$FILE"
"""

_RESTORE_USAGE = """\
# Usage: scripts/restore-database.sh BACKUP_FILE [--yes]
# BACKUP_FILE is one written by scripts/backup-database.sh. The script asks before it
# replaces anything (--yes does not ask) and first takes a safety backup of the current data
# with scripts/backup-database.sh (which then deletes no old backup, BACKUP_FILE included), so
# a wrong restore can be undone.
# What a restore does: every table the backup holds is dropped and loaded again, exactly as it
# was at the backup. A table created after the backup is not in it, so it is left as it is.
# The restore runs inside the container, with the credentials of the container's own
# environment: they never appear on this host's command lines or in any output.\
"""

_RESTORE_BODY = """\
HERE="$(cd "$(dirname "$0")" && pwd)"

if [ "$#" -lt 1 ] || [ ! -f "$1" ]; then
  echo "usage: $0 BACKUP_FILE [--yes]" >&2
  exit 2
fi
FILE="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"

if [ "${{2:-}}" != "--yes" ]; then
  read -r -p "Replace the data of service '$SERVICE' with $FILE? [y/N] " answer || answer=""
  case "$answer" in
    [yY] | [yY][eE][sS]) ;;
    *)
      echo "nothing restored" >&2
      exit 1
      ;;
  esac
fi

echo "taking a safety backup of the current data first" >&2
SAFETY="$(BACKUP_LABEL=before-restore BACKUP_PRUNE=no "$HERE/backup-database.sh")"
echo "safety backup: $SAFETY" >&2

cd "$HERE/.."
# shellcheck disable=SC2016 # the single-quoted script is expanded by the container's shell
{feed} | docker compose exec -T "$SERVICE" sh -c '{restore}'
echo "restored $FILE into service '$SERVICE'"
"""

_MYSQL_LOGIN = """
  pw="${MARIADB_ROOT_PASSWORD:-${MYSQL_ROOT_PASSWORD:-}}"
  pw_file="${MARIADB_ROOT_PASSWORD_FILE:-${MYSQL_ROOT_PASSWORD_FILE:-}}"
  if [ -z "$pw" ] && [ -n "$pw_file" ]; then pw="$(cat "$pw_file")"; fi
  export MYSQL_PWD="$pw"\
"""

_POSTGRES_LOGIN = """
  PGPASSWORD="${POSTGRES_PASSWORD:-${POSTGRESQL_PASSWORD:-}}"
  if [ -z "$PGPASSWORD" ] && [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
    PGPASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")"
  fi
  export PGPASSWORD
  user="${POSTGRES_USER:-${POSTGRESQL_USERNAME:-postgres}}"
  db="${POSTGRES_DB:-${POSTGRESQL_DATABASE:-$user}}"\
"""

_MONGO_LOGIN = """
  user="${MONGO_INITDB_ROOT_USERNAME:-${MONGODB_ROOT_USER:-}}"
  pw="${MONGO_INITDB_ROOT_PASSWORD:-${MONGODB_ROOT_PASSWORD:-}}"
  if [ -z "$user" ] && [ -n "$pw" ]; then user=root; fi\
"""

_TOOLS = {
    "mysql": {
        "suffix": ".sql.gz", "compress": " | gzip",
        "dump": _MYSQL_LOGIN + """
  if command -v mariadb-dump >/dev/null 2>&1; then
    exec mariadb-dump --user=root --single-transaction --routines --triggers --events \\
      --all-databases
  else
    exec mysqldump --user=root --single-transaction --routines --triggers --events \\
      --all-databases
  fi
""",
        "feed": 'case "$FILE" in *.gz) gunzip -c "$FILE" ;; *) cat "$FILE" ;; esac',
        "restore": _MYSQL_LOGIN + """
  if command -v mariadb >/dev/null 2>&1; then exec mariadb --user=root; fi
  exec mysql --user=root
""",
    },
    "postgres": {
        "suffix": ".dump", "compress": "",
        "dump": _POSTGRES_LOGIN + """
  exec pg_dump --format=custom --compress=6 --username="$user" --dbname="$db"
""",
        "feed": 'cat "$FILE"',
        "restore": _POSTGRES_LOGIN + """
  exec pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error \\
    --username="$user" --dbname="$db"
""",
    },
    "mongo": {
        "suffix": ".archive.gz", "compress": "",
        "dump": _MONGO_LOGIN + """
  if [ -n "$user" ]; then
    exec mongodump --quiet --archive --gzip --authenticationDatabase=admin \\
      --username="$user" --password="$pw"
  fi
  exec mongodump --quiet --archive --gzip
""",
        "feed": 'cat "$FILE"',
        "restore": _MONGO_LOGIN + """
  if [ -n "$user" ]; then
    exec mongorestore --quiet --archive --gzip --drop --authenticationDatabase=admin \\
      --username="$user" --password="$pw"
  fi
  exec mongorestore --quiet --archive --gzip --drop
""",
    },
}

_WHAT = {"mysql": "a gzipped SQL dump", "postgres": "pg_dump's compressed custom format",
         "mongo": "a gzipped mongodump archive"}


def backup_script(target: BackupTarget) -> str:
    """The text of ``scripts/backup-database.sh`` for ``target``."""
    tools = _TOOLS[target.kind]
    header = _HEADER.format(
        what=f"Back up the {target.store} database of compose service '{target.service}' as "
             f"{_WHAT[target.kind]}",
        usage=_BACKUP_USAGE.format(keep=KEEP_DAYS), service=target.service)
    return header + "\n" + _BACKUP_BODY.format(keep=KEEP_DAYS, suffix=tools["suffix"],
                                               dump=tools["dump"], compress=tools["compress"])


def restore_script(target: BackupTarget) -> str:
    """The text of ``scripts/restore-database.sh`` for ``target``."""
    tools = _TOOLS[target.kind]
    header = _HEADER.format(
        what=f"Restore the {target.store} database of compose service '{target.service}' "
             "from a backup",
        usage=_RESTORE_USAGE, service=target.service)
    return header + "\n" + _RESTORE_BODY.format(feed=tools["feed"], restore=tools["restore"])
