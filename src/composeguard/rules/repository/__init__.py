"""CG4xx: what the repository tracks or fails to ignore."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from pathlib import Path

from composeguard.lint.engine.finding import Finding, FixOffer, Severity, offer
from composeguard.lint.facts.ignore import IgnoreMatch
from composeguard.lint.parse.location import Location
from composeguard.lint.project import Project
from composeguard.rules.base import Rule, rule
from composeguard.rules.repository import facts
from composeguard.rules.repository.facts import TrackedFile, ignore_suggestion
from composeguard.rules.repository.fixes import (
    ignore_patterns_fix,
    ignore_text,
    ignored_with,
    patterns_in,
)

GIT_CODES = ("CG401", "CG403", "CG404")
"""The rules that read what git tracks: silent outside a repository (the CLI says so)."""


def _already_ignored(project: Project, tracked: TrackedFile) -> str:
    found = facts.already_ignored_by(project, tracked)
    if found is None:
        return ""
    where = Path(os.path.relpath(found.source, tracked.root)).as_posix()
    return (f" ({where}:{found.line} already ignores it with `{found.pattern}`, but git goes on "
            "tracking a file that was committed before)")


# -- CG401 database-file-tracked --------------------------------------------------------------


@rule(
    code="CG401",
    name="database-file-tracked",
    severity=Severity.ERROR,
    summary="Git tracks a database file.",
    what="""
        Reports a file git tracks that is a database: by name (`*.sqlite`, `*.sqlite3`, `*.db`,
        `*.db3`, `*.s3db`, SQLite's `-journal`/`-wal`/`-shm` side files, and backups or
        archives of any of them such as `app.sqlite3.bak` or `db.sqlite.gz`), and by the
        16-byte `SQLite format 3` header for files whose name does not say: no extension or a
        generic data/backup one (`.bak`, `.dat`, `.bin`...) in a folder meant for data
        (`database/`, `db/`, `storage/`, `data/`, `var/`). Only those few candidates are
        opened, so a large repository costs no more than its file list. Files below test,
        fixture, seed and sample folders (`tests/`, `spec/`, `fixtures/`, `testdata/`,
        `seed/`, `samples/`, `datasets/`) are committed on purpose and are not reported, nor
        are databases beside the project's tooling (`scripts/`, `tools/`, `docs/`: what those
        tools use or produce, not the app's runtime database), nor Windows' `Thumbs.db`. A
        file named like a database that holds something else (not empty and without SQLite's
        header: an env file called `.env.db`, a Git LFS pointer) is not one. The finding is on
        the file, line 1.
        Outside a git repository this rule is silent (`--verbose` says so).
    """,
    why="""
        A tracked database is committed with whatever it holds when someone runs
        `git commit -a`: customer records and password hashes end up in every clone and in the
        history for good. Worse, git now owns the file: a `git pull`, `git checkout`,
        `git stash` or `git reset --hard` on a server replaces the live database with the
        committed copy, and the data written since is gone.
    """,
    example="""
        $ git ls-files database/
        database/database.sqlite
    """,
    use_instead="""
        $ git rm --cached database/database.sqlite   # the file stays on disk
        $ echo '*.sqlite*' >> database/.gitignore
    """,
    references=("https://git-scm.com/docs/git-rm#Documentation/git-rm.txt---cached",
                "https://www.sqlite.org/fileformat.html#the_database_header"),
)
def database_file_tracked(self: Rule, project: Project) -> Iterator[Finding]:
    for database in facts.tracked_databases(project):
        tracked, relative = database.file, database.file.relative
        kind = "database file" if database.by_name else "SQLite database"
        pattern = ignore_suggestion(tracked.path.name) if database.by_name else f"`/{relative}`"
        yield self.finding(Location(tracked.path, 1), (
            f"{relative} is a {kind} tracked by git: each commit can store live data in the "
            "history for good, and a `git pull`, `git checkout` or `git stash` on a server "
            "replaces the live database with the committed copy; run "
            f"`git rm --cached {shlex.quote(relative)}` at the repository root (the file stays on "
            f"disk) and add {pattern} to .gitignore{_already_ignored(project, tracked)}"))


# -- CG402 database-files-not-ignored -----------------------------------------------------------


def _not_ignored_because(match: IgnoreMatch | None, root: Path) -> str:
    if match is None:
        return "no ignore rule matches it"
    where = Path(os.path.relpath(match.source, root)).as_posix()
    if match.negated:
        return f"`{match.pattern}` at {where}:{match.line} re-includes it"
    return f"only {where} ignores it, and that file is not part of the repository"


@rule(
    code="CG402",
    name="database-files-not-ignored",
    severity=Severity.WARNING,
    summary="The ignore rules would not keep a SQLite database out of git.",
    what="""
        Reports a SQLite file that the project's ignore rules (every `.gitignore` that applies,
        evaluated as git does) would not ignore: the framework's default database of an app
        that uses SQLite (Laravel `database/database.sqlite` when the default connection, the
        framework default of Laravel 11+, or the app's `.env` says sqlite; Django `db.sqlite3`
        beside manage.py when a settings module uses the sqlite3 engine; Rails: each SQLite
        file `config/database.yml` names, `storage/<env>.sqlite3` by default), and every
        database file that exists in the tree (outside test and fixture folders). A project
        without a SQLite app and without such a file is never reported. An ignore that
        only `.git/info/exclude` provides does not count: it is not shared. The finding
        points at the `!pattern` that re-includes the file, else at the deepest `.gitignore`
        on the way to it (line 1), else, when there is none, at the app's `artisan`,
        `manage.py` or `config/database.yml`, or at the database file itself. The rule also
        applies outside a git repository: the ignore files are part of the project, and the
        first `git add -A` would commit the database.
    """,
    why="""
        A database file git does not ignore is one `git add -A` or `git commit -a` away from
        the history: the data is in every clone for good, and once tracked, a `git pull` or
        `git checkout` on a server replaces the live database with the committed copy.
    """,
    example="""
        # .gitignore of a Laravel app without database/.gitignore
        /vendor
        .env
    """,
    use_instead="""
        # database/.gitignore (as the Laravel skeleton ships it)
        *.sqlite*
    """,
    fix_safety="""
        `composeguard fix` appends the missing patterns (`*.sqlite*`, `db.sqlite3*`...) to
        the `.gitignore` at the root of what was checked, under a
        `# composeguard: database files` comment, creating the file when there is none. It
        only does so when git's own rules say the result ignores the database (a `!pattern`
        in a deeper `.gitignore` would still win: no fix then). Safe: ignoring a file never
        deletes or untracks it; a database git already tracks is CG401's, whose message gives
        the `git rm --cached` command.
    """,
    references=("https://git-scm.com/docs/gitignore",
                "https://github.com/laravel/laravel/blob/11.x/database/.gitignore",
                "https://github.com/github/gitignore/blob/main/Rails.gitignore"),
)
def database_files_not_ignored(self: Rule, project: Project) -> Iterator[Finding]:
    found = list(facts.unignored_databases(project))
    fixes = _ignore_fixes(project, [(d.path, d.root, d.boundary / ".gitignore",
                                     patterns_in(d.pattern)) for d in found])
    for item in found:
        shown = Path(os.path.relpath(item.path, item.boundary)).as_posix()
        yield self.finding(item.location, f"{shown} is not ignored by git", help=(
            f"it is {item.what}, and {_not_ignored_because(item.match, item.root)}: "
            "the first `git add -A` or `git commit -a` puts the live database into the history, "
            "and once tracked, a `git pull` or `git checkout` on a server replaces it with the "
            f"committed copy; add {item.pattern} to "
            f"{Path(os.path.relpath(item.gitignore, item.boundary)).as_posix()}"),
            fix=fixes.get(item.path))


def _ignore_fixes(project: Project, wanted: list[tuple[Path, Path, Path, tuple[str, ...]]]
                  ) -> dict[Path, FixOffer]:
    """One fix per root ``.gitignore``: the patterns of every database file it would then
    ignore (as git decides: a deeper ``!pattern`` still wins), so the findings of one file
    share one fix."""
    groups: dict[Path, list[tuple[Path, tuple[str, ...]]]] = {}
    for path, root, gitignore, patterns in wanted:
        if not patterns:
            continue
        current = project.read_text(gitignore) if gitignore.is_file() else None
        if ignored_with(project, root, gitignore, ignore_text(current, patterns), path):
            groups.setdefault(gitignore, []).append((path, patterns))
    fixes: dict[Path, FixOffer] = {}
    for gitignore, members in groups.items():
        patterns = tuple(p for _, group in members for p in group)
        shown = tuple(Path(os.path.relpath(path, gitignore.parent)).as_posix()
                      for path, _ in members)
        fix = offer(ignore_patterns_fix, project, gitignore, patterns, shown)
        if fix is None:
            continue
        for path, _ in members:
            fixes[path] = fix
    return fixes


# -- CG403 env-file-tracked ------------------------------------------------------------------


def _what_it_holds(role: str, credentials: tuple[str, ...]) -> str:
    if credentials:
        listed = ", ".join(credentials[:4]) + (", ..." if len(credentials) > 4 else "")
        return f"credentials ({listed}; values not shown)"
    if role == "private":
        return "one machine's private settings"
    return "real settings"


@rule(
    code="CG403",
    name="env-file-tracked",
    severity=Severity.ERROR,
    summary="Git tracks an env file holding real settings.",
    what="""
        Reports an env file git tracks that holds real settings: one machine's files
        (`.env.local`, `.env.*.local`, `.env.backup`, dotenvx's `.env.keys`) always, and `.env`,
        `.env.<environment>` (`.env.production`, `.env.prod`, `.env.staging`, `.env.docker`...)
        and any other env file when it sets a credential: a variable named like a password,
        secret, token or private key (`DB_PASSWORD`, `APP_KEY`, `SECRET_KEY_BASE`,
        `AWS_SECRET_ACCESS_KEY`) with a written value, or a URL with a password
        (`DATABASE_URL=postgres://u:p@db/app`). A credential is a value that looks like one:
        an empty value or a placeholder is not (one repeated character, a default everyone
        knows such as `password`, `secret` or `guest`, a phrase asking to be replaced in any
        spelling such as `!ChangeMe!`, `changethis` or `ch4n63m31fy0uc4n`, a name for what
        it is such as `rabbit_password`): a file whose every secret is one of those is a
        template of defaults, whatever its name. An env file that `env_file:` loads only into
        setups judged development or test (`.env.dev` beside the production stack's
        untracked `.env.prod`) holds a development machine's values and is not reported.
        Files an `env_file:` of a production-facing service names count when they set a
        credential. Templates (`.env.example`, `.env.sample`, `.env.dist`, `.env.template`,
        `.env.defaults`...), encrypted files made to be committed (`.env.encrypted`,
        `.env.vault`), test settings (`.env.testing`, `.env.test`, `.env.ci`) and files below
        test or fixture folders are fine. Where a convention commits env files as shared,
        secret-free defaults, those are reported only when they set a credential: Symfony's
        `.env` and `.env.<env>`, Vite's, Next.js', Create React App's and Vue CLI's `.env` and
        `.env.<mode>`, and the `.env` beside compose files that is not a Laravel, Django or
        Rails app's (Compose's interpolation defaults). The finding is on the file, line 1;
        the message names the credential variables, never their values. Outside a git
        repository this rule is silent (`--verbose` says so).
    """,
    why="""
        Whoever has a clone, a fork or the history has the database password and the app's
        keys: enough to read, ransom or drop the production data, and removing the file later
        does not remove it from the history. A tracked env file is also overwritten by a
        `git pull` on a server: the server's own settings give way to the committed ones, and
        the app writes to another database or can no longer decrypt what it stored.
    """,
    example="""
        $ git ls-files
        .env
        .env.example
        artisan
    """,
    use_instead="""
        $ git rm --cached .env        # the file stays on disk
        $ echo '.env' >> .gitignore   # keep committing .env.example, without values
    """,
    references=("https://12factor.net/config",
                "https://laravel.com/docs/11.x/configuration#environment-file-security",
                "https://symfony.com/doc/current/configuration.html#configuring-environment-variables-in-env-files"),
)
def env_file_tracked(self: Rule, project: Project) -> Iterator[Finding]:
    for found in facts.tracked_env_files(project):
        tracked, credentials, convention = found.file, found.credentials, found.convention
        path, relative = tracked.path, tracked.relative
        note = ""
        if convention is not None:
            elsewhere = "the server's environment" if convention == "Compose" else (
                f"{path.name}.local or the server's environment")
            note = (f" (committing {path.name} as shared defaults is {convention}'s convention, "
                    f"but credentials do not belong in it: move them to {elsewhere})")
        rotate = "; then change every credential it held: the history keeps them" \
            if credentials else ""
        holds = _what_it_holds(found.role, credentials)
        yield self.finding(Location(path, 1), f"{relative} is tracked by git", help=(
            f"it holds {holds}{note}: "
            "anyone with a clone or the history has them, and a `git pull` on a server puts the "
            "committed values over the server's own; run "
            f"`git rm --cached {shlex.quote(relative)}` at the repository root (the file stays on "
            f"disk) and add `{path.name}` to .gitignore"
            f"{_already_ignored(project, tracked)}{rotate}"))


# -- CG404 database-dump-tracked --------------------------------------------------------------


@rule(
    code="CG404",
    name="database-dump-tracked",
    severity=Severity.ERROR,
    summary="Git tracks a database dump: SQL from a dump tool, a pg_dump archive, BSON, a "
            "Django fixture of user accounts.",
    what="""
        Reports a file git tracks that holds a database's rows: a `.sql` file a dump tool
        wrote (its header says `-- MySQL dump`, `-- PostgreSQL database dump`, phpMyAdmin,
        Adminer...), compressed SQL (`.sql.gz`, `.sql.xz`...), a `pg_dump -Fc` archive (any
        name, by its `PGDMP` bytes), mongodump's `.bson` files, a Redis `dump.rdb`, and a
        Django fixture (JSON) holding `auth.user` rows with password hashes or a `dumpdata`
        of the whole database (content types, permissions, sessions beside other tables).
        Hand-written `init.sql`/`schema.sql` files, seed INSERTs, fixtures of other models
        and a fixture of one framework table alone (the permissions or groups an app loads)
        are not dumps; test folders are not looked at. Only the first 16 KB of a SQL file are read,
        and a JSON fixture over 8 MB is judged by its first bytes. Outside a git repository
        this rule is silent.
    """,
    why="""
        A dump is the database itself: customers' rows, e-mail addresses, password hashes,
        API tokens. Committed, it is in every clone, fork and CI cache, and in the history
        after it is deleted; a dump taken from production is a data breach waiting for the
        repository to be shared. It also ages: restoring "the dump in the repo" after an
        incident brings back last year's data over this year's.
    """,
    example="""
        $ git ls-files backups/
        backups/prod-2024-05-01.sql.gz
    """,
    use_instead="""
        $ git rm --cached backups/prod-2024-05-01.sql.gz
        $ echo '/backups/' >> .gitignore
        # keep dumps in the backup store, encrypted, with a retention policy
    """,
)
def database_dump_tracked(self: Rule, project: Project) -> Iterator[Finding]:
    for dump in project.tracked_dumps:
        tracked = facts.tracked_file(project, dump.path, fixtures=True)
        if tracked is None:
            continue
        relative = tracked.relative
        yield self.finding(Location(dump.path, 1), (
            f"git tracks {relative}, a {dump.kind.value}: its rows are in every clone "
            "and in the history for good; run "
            f"`git rm --cached {shlex.quote(relative)}` at the repository root (the file stays on "
            f"disk), add `/{relative}` to .gitignore, and if it came from production, rotate "
            f"the passwords and tokens it holds{_already_ignored(project, tracked)}"))
