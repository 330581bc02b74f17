"""Database dumps: files that hold a database's rows, recognised by name and by the first bytes.

A dump in git puts every row it holds (customers' data, password hashes) in every clone and in
the history for good. What counts, and how much of a file is read to decide:

- ``.sql`` files are read up to :data:`HEAD_BYTES`: a dump tool's header (``-- MySQL dump``,
  ``-- PostgreSQL database dump``, phpMyAdmin's, Adminer's...) makes a dump. A hand-written
  ``init.sql`` or ``schema.sql``, with or without a few INSERTs of seed data, is not one.
- compressed SQL (``.sql.gz``, ``.sql.bz2``...) is a dump by name: nobody writes it by hand.
- PostgreSQL's custom format (``PGDMP`` magic, any name), mongodump's ``.bson`` files and
  Redis's RDB snapshots (``REDIS`` magic) are dumps by their bytes or name.
- a Django fixture (a JSON list of ``{"model", "pk", "fields"}`` objects) is read with the
  ``json`` parser when it is at most :data:`MAX_JSON_BYTES`: it is a dump when it holds
  ``auth.user`` rows with password hashes, or the tables only ``dumpdata`` of the whole
  database writes (content types, permissions, sessions, the admin log) beside other tables.
  One of those tables alone (a list of permissions or groups to load) is a fixture written
  for the app, not a dump. A larger fixture is a whole-database dump without reading further.

Test folders (``tests/``, ``spec/``...) hold made-up data and are not looked at.
"""

from __future__ import annotations

import enum
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

HEAD_BYTES = 16 * 1024
"""How much of a ``.sql`` or ``.dump`` file is read for a dump tool's header."""
MAX_JSON_BYTES = 8 * 1024 * 1024
"""A larger JSON fixture is judged by its first bytes alone."""
COMPRESSED = frozenset({"gz", "bz2", "xz", "zst", "zip", "7z", "lz4", "tgz"})
TEST_DIRS = frozenset({"test", "tests", "spec", "specs", "testdata", "test-data", "test_data",
                       "__tests__", "e2e"})
DUMP_HEADERS = (
    "-- mysql dump", "-- mariadb dump", "-- postgresql database dump", "-- dump completed",
    "-- phpmyadmin sql dump", "-- adminer ", "-- host: ", "-- server version", "-- mysqldump",
    "-- dumped from database version", "-- dumped by pg_dump", "/*!40101 set",
    "-- heidisql", "-- navicat", "-- sequel pro sql dump", "-- tableplus",
)
"""Lines (lower case, at the start of a line) that only a dump tool writes."""
WHOLE_DATABASE_MODELS = frozenset({"contenttypes.contenttype", "auth.permission",
                                   "sessions.session", "admin.logentry"})
"""Tables that a fixture holds only when ``dumpdata`` dumped the whole database."""
PASSWORD_HASH_PREFIXES = ("pbkdf2_", "argon2", "bcrypt", "scrypt", "sha1$", "md5$", "!")


class DumpKind(enum.Enum):
    SQL = "SQL dump"
    COMPRESSED_SQL = "compressed SQL dump"
    POSTGRES_CUSTOM = "pg_dump archive"
    BSON = "mongodump file"
    REDIS = "Redis snapshot"
    DJANGO_USERS = "Django fixture holding user accounts and password hashes"
    DJANGO_WHOLE = "dumpdata of the whole Django database"


@dataclass(frozen=True, slots=True)
class Dump:
    path: Path
    kind: DumpKind


def candidate(parts: tuple[str, ...]) -> bool:
    """Whether a file (path components below the repository root) may be a dump by its name,
    so that reading its first bytes is worth it."""
    if any(p.lower() in TEST_DIRS for p in parts[:-1]):
        return False
    name = parts[-1].lower()
    last, _ = _suffix(name)
    if last in ("sql", "dump", "pgdump", "backup", "bson", "rdb"):
        return True
    return last == "json" and ("fixtures" in (p.lower() for p in parts[:-1])
                               or any(w in name for w in ("dump", "backup", "export")))


def judge(path: Path) -> DumpKind | None:
    """What kind of dump the regular file at ``path`` is, reading as little as it can; None
    for anything else (or a file that cannot be read)."""
    last, compressed = _suffix(path.name.lower())
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        if compressed and last == "sql":
            return DumpKind.COMPRESSED_SQL
        if last == "bson":
            return DumpKind.BSON
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
            if head.startswith(b"PGDMP"):
                return DumpKind.POSTGRES_CUSTOM
            if head.startswith(b"REDIS") and last == "rdb":
                return DumpKind.REDIS
            if compressed:
                return None
            if last == "json":
                return _django_fixture(path, head, handle.read(MAX_JSON_BYTES))
    except OSError:
        return None
    return DumpKind.SQL if last in ("sql", "dump", "backup") and _dump_header(head) else None


def _suffix(name: str) -> tuple[str, bool]:
    """The suffix under any compression suffixes (``shop.sql.gz`` -> ``sql``), and whether
    there were any."""
    suffixes = name.split(".")[1:]
    compressed = bool(suffixes) and suffixes[-1] in COMPRESSED
    while suffixes and suffixes[-1] in COMPRESSED:
        suffixes.pop()
    return (suffixes[-1] if suffixes else ""), compressed


def _dump_header(head: bytes) -> bool:
    text = head.decode("utf-8", "replace").lower()
    return any(line.lstrip().startswith(DUMP_HEADERS) for line in text.splitlines()[:60])


def _django_fixture(path: Path, head: bytes, rest: bytes) -> DumpKind | None:
    start = head.lstrip()[:1]
    if start != b"[" or b'"model"' not in head:
        return None
    data = head + rest
    if len(data) > MAX_JSON_BYTES:
        return DumpKind.DJANGO_WHOLE
    try:
        rows = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(rows, list):
        return None
    models = {row.get("model") for row in rows if isinstance(row, dict)}
    if models & WHOLE_DATABASE_MODELS and len(models) > 1:
        return DumpKind.DJANGO_WHOLE
    for row in rows:
        if not isinstance(row, dict) or row.get("model") != "auth.user":
            continue
        fields = row.get("fields")
        password = fields.get("password") if isinstance(fields, dict) else None
        if isinstance(password, str) and password.startswith(PASSWORD_HASH_PREFIXES):
            return DumpKind.DJANGO_USERS
    return None
