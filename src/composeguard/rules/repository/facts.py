"""What a repository must not track or must ignore: database files and env files (CG4xx).

Decisions, each taken so that a maintainer would agree with the finding:

- **Database files are recognised by name**, behind SQLite's side-file suffixes
  (``app.db-wal``) and backup or compression suffixes (``app.sqlite3.bak``, ``db.sqlite.gz``).
  The 16-byte ``SQLite format 3`` header is read only for a few candidates whose name does not
  say: files without an extension or with a generic data/backup one, in a folder whose name
  says it holds data (``database/``, ``db/``, ``storage/``, ``data/``...). Reading a header is
  a system call per file; a 20,000-file repository must not pay it for its source tree.
- **Test fixtures and shipped data are not findings.** A database or env file below
  ``tests/``, ``spec/``, ``fixtures/``, ``testdata/``, ``seed/``, ``samples/``,
  ``datasets/``... (relative to the repository) is committed on purpose.
- **A database beside the project's tooling** (``scripts/``, ``tools/``, ``docs/``) is what
  those tools use or produce, not the app's runtime database.
- **A database by content, not suffix.** A file named like a database (``app.sqlite``,
  ``.env.db``) that holds something else (a non-empty file without SQLite's header: an env
  file, a Git LFS pointer) is not one. An empty file is the database to be (Laravel's
  ``touch database/database.sqlite``); side files and archives are not read.
- **Env files are judged by role.** Templates (``.env.example``...), encrypted files meant to be
  committed (``.env.encrypted``, ``.env.vault``) and test settings (``.env.testing``) never
  count. One machine's settings (``.env.local``, ``.env.*.local``, ``.env.backup``,
  ``.env.keys``) always do. ``.env`` and ``.env.<environment>`` count when they set a
  credential; a file whose every secret is empty or a placeholder (``!ChangeMe!``,
  ``changethis``, ``password``, see :func:`~composeguard.lint.facts.secrets.is_placeholder`) is a
  template of defaults whatever its name. Values are never kept.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from composeguard.lint.facts.dumps import TEST_DIRS
from composeguard.lint.facts.envroles import repository_role
from composeguard.lint.facts.secrets import is_placeholder
from composeguard.lint.parse.location import Location

if TYPE_CHECKING:
    from composeguard.lint.facts.ignore import IgnoreMatch
    from composeguard.lint.facts.laravel import LaravelApp
    from composeguard.lint.project import Project

Reader = Callable[[Path], "str | None"]

DATABASE_EXTENSIONS = frozenset({"sqlite", "sqlite3", "db", "db3", "s3db", "sl3", "sqlitedb"})
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")
_WRAPPERS = frozenset({"bak", "backup", "old", "orig", "save", "tmp", "copy",
                       "gz", "bz2", "xz", "zst", "zip", "7z", "tgz", "lz4"})
"""Suffixes that wrap a database file without making it anything else (a backup, an archive)."""
NOT_DATABASES = frozenset({"thumbs.db", "ehthumbs.db", "ehthumbs_vista.db"})
"""Windows Explorer caches: ``.db`` by name, never application data."""

SQLITE_HEADER = b"SQLite format 3\x00"
DATA_DIRS = frozenset({"database", "databases", "db", "storage", "data", "var", "sqlite"})
SNIFFED_SUFFIXES = frozenset({"", ".bak", ".backup", ".old", ".orig", ".save", ".tmp",
                              ".dat", ".data", ".bin", ".store", ".sdb"})
FIXTURE_DIRS = TEST_DIRS | {"fixtures", "__fixtures__", "seed", "seeds", "sample", "samples",
                            "dataset", "datasets"}
"""Folders of data a project ships on purpose: test fixtures, seed and sample data."""
TOOL_DIRS = frozenset({"scripts", "script", "tools", "tooling", "bin", "docs", "doc",
                       "documentation"})
"""Folders of the project's tooling and documentation: a database there is what those tools
use or produce, not the app's runtime database."""

# -- database files -----------------------------------------------------------------------------


def database_extension(name: str) -> str | None:
    """The database extension ``name`` carries (``sqlite``, ``db``...), also behind a SQLite
    side-file suffix or backup/compression suffixes; None for any other name."""
    lower = name.lower()
    if ("db" not in lower and "sqlite" not in lower and "sl3" not in lower) or (
            lower in NOT_DATABASES):
        return None
    tokens = lower.split(".")[1:] if not lower.startswith(".") else lower.split(".")[2:]
    while tokens and (tokens[-1] in _WRAPPERS or tokens[-1].replace("-", "").isdigit()):
        tokens.pop()
    if not tokens:
        return None
    last = tokens[-1]
    for side in SQLITE_SIDE_FILES:
        last = last.removesuffix(side)
    return last if last in DATABASE_EXTENSIONS else None


def worth_sniffing(parts: tuple[str, ...]) -> bool:
    """Whether a file (path components below the repository root) whose name says nothing may
    still be a SQLite database worth reading 16 bytes of: a generic data or backup name in a
    folder meant for data."""
    if len(parts) < 2 or not DATA_DIRS.intersection(p.lower() for p in parts[:-1]):
        return False
    name = parts[-1]
    suffix = os.path.splitext(name)[1].lower() if not name.startswith(".") else ""
    return suffix in SNIFFED_SUFFIXES and not name.startswith(".")


def beside_tooling(parts: Iterable[str]) -> bool:
    """Below a folder of scripts, tools or documentation (``parts``: components below the
    repository root)."""
    return any(p.lower() in TOOL_DIRS for p in list(parts)[:-1])


def holds_something_else(path: Path, extension: str | None) -> bool:
    """Whether a file named like a database (``extension``) is plainly something else: not
    empty, and without SQLite's header. Side files, backups and archives are not read."""
    name = path.name.lower()
    if extension is None or not name.endswith("." + extension):
        return False
    try:
        if not stat.S_ISREG(os.stat(path).st_mode) or os.stat(path).st_size == 0:
            return False
    except OSError:
        return False
    return not has_sqlite_header(path)


def is_fixture(parts: Iterable[str]) -> bool:
    """Below a test or fixture folder (``parts``: components below the repository root)."""
    return any(p.lower() in FIXTURE_DIRS for p in list(parts)[:-1])


def has_sqlite_header(path: Path) -> bool:
    """Whether the regular file at ``path`` starts with SQLite's 16-byte magic string."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def ignore_suggestion(name: str) -> str:
    """The ignore patterns to suggest for a database file: its family, side files and backups
    included (``*.sqlite*`` as the Laravel skeleton writes it, else ``*.db`` and
    ``*.db[-.]*``), or the name itself."""
    extension = database_extension(name)
    if extension is None:
        return f"`{name}`"
    if extension.startswith("sqlite"):
        return "`*.sqlite*`"
    return f"`*.{extension}` and `*.{extension}[-.]*`"


# -- Rails --------------------------------------------------------------------------------------

# -- the frameworks' own database files -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppDatabase:
    """A SQLite file an app creates at its framework's default (or configured) location."""

    path: Path
    what: str
    """"Laravel's default SQLite database", ..."""
    pattern: str
    """The ignore pattern to suggest, in backquotes."""
    anchor: Path
    """The app's marker file (``artisan``, ``manage.py``, ``config/database.yml``)."""
    app_root: Path


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _laravel_uses_sqlite(project: Project, app: LaravelApp) -> bool:
    """The default connection is sqlite (config/database.php, or the framework's own default
    since Laravel 11 when the app has no config/database.php), the app's ``.env`` or
    ``.env.example`` says so, or a database file already sits in ``database/``."""
    connection = project.laravel_default_connection(app)
    if connection is not None:
        if connection.connection == "sqlite":
            return True
    elif project.read_text(app.root / "config" / "database.php") is None and (
            app.version is not None and app.version >= (11, 0, 0)):
        return True
    for name in (".env", ".env.example"):
        env = project.env_file(app.root / name)
        if env is not None and any(e.key == "DB_CONNECTION" and (e.raw or "").strip() == "sqlite"
                                   for e in env.entries):
            return True
    return any(_inside(p, app.root / "database") and database_extension(p.name) is not None
               for p in project.discovery.files)


def _app_databases(project: Project) -> tuple[AppDatabase, ...]:
    """The SQLite files of the project's apps that use SQLite: Laravel's
    ``database/database.sqlite``, Django's ``db.sqlite3`` beside manage.py (a settings module
    other than a test one on the sqlite3 engine), each SQLite file a Rails
    ``config/database.yml`` names."""
    found: dict[Path, AppDatabase] = {}
    for app in project.laravel_apps:
        if _laravel_uses_sqlite(project, app) and project.runs_app(app.root):
            path = Path(os.path.abspath(app.root / "database" / "database.sqlite"))
            found.setdefault(path, AppDatabase(path, "Laravel's default SQLite database",
                                               "`*.sqlite*`", app.root / "artisan", app.root))
    manage_dirs = sorted({p.parent for p in project.discovery.files if p.name == "manage.py"},
                         key=lambda d: len(d.parts), reverse=True)
    for settings in project.django_settings:
        if settings.role == "test":
            continue  # Django's test runner keeps a SQLite test database in memory
        database = project.django_database(settings)
        root = next((d for d in manage_dirs if _inside(settings.path, d)), None)
        if database is not None and database.is_sqlite and root is not None \
                and project.runs_app(root):
            path = Path(os.path.abspath(root / "db.sqlite3"))
            found.setdefault(path, AppDatabase(path, "Django's default SQLite database",
                                               "`db.sqlite3*`", root / "manage.py", root))
    for root in project.rails_apps:
        for relative in _rails_sqlite_files(project, root):
            path = Path(os.path.abspath(root / relative))
            found.setdefault(path, AppDatabase(
                path, "a SQLite database config/database.yml names",
                ignore_suggestion(path.name), root / "config" / "database.yml", root))
    return tuple(found.values())


# -- env files ----------------------------------------------------------------------------------


_SECRET_WORDS = frozenset({"PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "SECRETS", "TOKEN",
                           "CREDENTIAL", "CREDENTIALS", "APIKEY"})
_KEY_KINDS = frozenset({"API", "ACCESS", "PRIVATE", "SECRET", "ENCRYPTION", "SIGNING", "MASTER",
                        "LICENSE", "CLIENT"})
_SECRET_NAMES = frozenset({"APP_KEY", "SECRET_KEY_BASE", "RAILS_MASTER_KEY"})
_ABOUT_A_SECRET = frozenset({"FILE", "PATH", "DIR", "TTL", "LIFETIME", "EXPIRE", "EXPIRES",
                             "EXPIRY", "TIMEOUT", "LENGTH", "MIN", "MAX", "ENABLED", "ENABLE",
                             "REQUIRED", "ALGO", "ALGORITHM", "ROUNDS", "RESET", "HOST", "PORT",
                             "NAME", "USER", "USERNAME", "ID", "URL", "TYPE", "DRIVER", "HEADER"})
_PUBLIC_PREFIXES = ("VITE_", "NEXT_PUBLIC_", "REACT_APP_", "MIX_", "NUXT_PUBLIC_", "PUBLIC_",
                    "EXPO_PUBLIC_", "GATSBY_")
_EMPTY_VALUES = frozenset({"", "null", "none", "~", "nil", "false"})


def is_credential_name(key: str) -> bool:
    """``DB_PASSWORD``, ``APP_KEY``, ``AWS_SECRET_ACCESS_KEY``, ``STRIPE_SECRET``... but not
    ``DB_PASSWORD_FILE``, ``PWD``, ``AWS_ACCESS_KEY_ID`` or a public build-time ``VITE_*``."""
    upper = key.upper()
    if upper in _SECRET_NAMES:
        return True
    if upper.startswith(_PUBLIC_PREFIXES) or upper == "PWD":
        return False
    tokens = [t for t in upper.replace("-", "_").replace(".", "_").split("_") if t]
    if not tokens or tokens[-1] in _ABOUT_A_SECRET:
        return False
    if _SECRET_WORDS.intersection(tokens):
        return True
    return len(tokens) >= 2 and tokens[-1] == "KEY" and tokens[-2] in _KEY_KINDS


def _literal_part(raw: str, quote: str) -> str:
    """What a value holds once every ``${VAR}`` it references is unset: the written part."""
    from composeguard.lint.parse.interpolate import InvalidTemplate, substitute

    if quote == "'" or "$" not in raw:
        return raw.strip()
    try:
        return substitute(raw, lambda _: None).value.strip()
    except InvalidTemplate:
        return raw.strip()


def credential_keys(entries: Iterable[Any]) -> tuple[str, ...]:
    """The keys of env entries (:class:`~composeguard.lint.parse.envfile.EnvEntry`) that set a
    credential to a written, non-empty value, or a URL with a password in it."""
    from urllib.parse import urlsplit

    found: list[str] = []
    for entry in entries:
        if entry.raw is None or entry.key in found:
            continue
        value = _literal_part(entry.raw, entry.quote)
        if value.lower() in _EMPTY_VALUES:
            continue
        if is_credential_name(entry.key):
            if not is_placeholder(value):
                found.append(entry.key)
            continue
        if "://" in value and entry.key.upper().endswith(("URL", "DSN", "URI")):
            try:
                password = urlsplit(value).password
            except ValueError:
                password = None
            if password and not is_placeholder(password):
                found.append(entry.key)
    return tuple(found)


_CONVENTIONS_JS = (("vite", "Vite"), ("next", "Next.js"), ("react-scripts", "Create React App"),
                   ("@vue/cli-service", "Vue CLI"))


def _json(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _requirements(document: dict[str, Any], *sections: str) -> set[str]:
    names: set[str] = set()
    for section in sections:
        value = document.get(section)
        if isinstance(value, dict):
            names.update(str(k).lower() for k in value)
    return names


def committing_convention(directory: Path, read: Reader) -> str | None:
    """The framework whose documented convention commits ``.env`` and ``.env.<environment>``
    as shared defaults (keeping secrets in ``.local`` files), for the app in ``directory``:
    Symfony (composer.json asks for symfony/framework-bundle or symfony/dotenv), Vite,
    Next.js, Create React App, Vue CLI (package.json); else None."""
    composer = _requirements(_json(read(directory / "composer.json")), "require", "require-dev")
    if composer & {"symfony/framework-bundle", "symfony/dotenv"}:
        return "Symfony"
    package = _requirements(_json(read(directory / "package.json")),
                            "dependencies", "devDependencies")
    return next((label for name, label in _CONVENTIONS_JS if name in package), None)


# -- what git tracks (CG401, CG403) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrackedFile:
    """A file git tracks, outside test fixtures, with its repository."""

    path: Path
    root: Path
    relative: str
    """``path`` below ``root``, with POSIX separators."""


def tracked_file(project: Project, path: Path, fixtures: bool = False) -> TrackedFile | None:
    """``path`` as git tracks it, or None: untracked, outside git, a fixture (unless
    ``fixtures``), or a symlink (git stores the link, never what it points to)."""
    if project.tracked(path) is not True or path.is_symlink():
        return None
    root = project.repository_root(path)
    if root is None:
        return None
    relative = Path(os.path.relpath(os.path.abspath(path), root)).as_posix()
    if not fixtures and is_fixture(relative.split("/")):
        return None
    return TrackedFile(path, root, relative)


def already_ignored_by(project: Project, tracked: TrackedFile) -> IgnoreMatch | None:
    """The ignore pattern that already matches a tracked file: it does not stop git from
    tracking a file committed before, which the advice must say."""
    found = project.ignore_rules(tracked.root).explain(tracked.path)
    return None if found is None or found.negated else found


@dataclass(frozen=True, slots=True)
class TrackedDatabase:
    """A database file git tracks."""

    file: TrackedFile
    by_name: bool
    """Its name says so; else its SQLite header does (a name-less file in a data folder)."""


def tracked_databases(project: Project) -> Iterator[TrackedDatabase]:
    """The database files git tracks: by name, or by the SQLite header for the few files in
    a data folder whose name says nothing (see the module docstring)."""
    for path in project.discovery.files:
        name = path.name
        extension = database_extension(name)
        if extension is None and (os.path.splitext(name)[1].lower() not in SNIFFED_SUFFIXES
                                  or DATA_DIRS.isdisjoint(p.lower() for p in path.parts[:-1])):
            continue
        tracked = tracked_file(project, path)
        if tracked is None:
            continue
        if extension is None and not (worth_sniffing(tuple(tracked.relative.split("/")))
                                      and has_sqlite_header(path)):
            continue
        if holds_something_else(path, extension) or beside_tooling(tracked.relative.split("/")):
            continue
        yield TrackedDatabase(tracked, extension is not None)


@dataclass(frozen=True, slots=True)
class TrackedEnvFile:
    """An env file git tracks that holds real settings."""

    file: TrackedFile
    role: str
    """:func:`~composeguard.lint.facts.envroles.repository_role` of its name: ``plain``, ``environment``, ``private``, ``other``."""
    credentials: tuple[str, ...]
    """The credential variables it sets (names only)."""
    convention: str | None
    """The convention that commits it as shared defaults (``Symfony``, ``Vite``... or
    ``Compose``), which it breaks by holding credentials; None: no such convention."""


def tracked_env_files(project: Project) -> Iterator[TrackedEnvFile]:
    """The env files git tracks that hold real settings (see the module docstring); a file
    an ``env_file:`` names counts when production reads it and it sets a credential."""
    production: set[Path] | None = None
    compose_only: set[Path] | None = None
    for path in project.env_files:
        role = repository_role(path.name)
        if role in (None, "template", "encrypted", "test"):
            continue
        tracked = tracked_file(project, path)
        if tracked is None:
            continue
        env = project.env_file(path)
        credentials = credential_keys(env.entries) if env is not None else ()
        if role != "plain" and _loaded_only_for_development(project, path):
            continue
        convention: str | None = None
        if role == "other":
            production = _production_env_files(project) if production is None else production
            if not credentials or path not in production:
                continue
        elif role in ("plain", "environment"):
            if not credentials:
                continue
            convention = committing_convention(path.parent, project.read_text)
            if convention is None and role == "plain":
                if compose_only is None:
                    compose_only = _compose_only_dirs(project)
                convention = "Compose" if path.parent in compose_only else None
        yield TrackedEnvFile(tracked, str(role), credentials, convention)


def _loaded_only_for_development(project: Project, path: Path) -> bool:
    """Whether ``env_file:`` loads ``path`` only into setups judged development or test (a
    ``.env.dev`` beside the production stack's untracked ``.env.prod``): a development
    machine's values. A plain ``.env`` is never so: Compose reads it for every setup."""
    from composeguard.lint.model.compose import Environment

    loaders = {model.environment for model in project.models
               for service in model.services.values()
               if any(node.loc.path == path for node in service.environment.values())}
    return bool(loaders) and loaders <= {Environment.DEVELOPMENT, Environment.TEST}


def _production_env_files(project: Project) -> set[Path]:
    """The env files (not compose files) production-facing services take settings from."""
    compose = {f.path for f in project.compose_files}
    return {node.loc.path for _, service in project.production_services()
            for node in service.environment.values() if node.loc.path not in compose}


def _compose_only_dirs(project: Project) -> set[Path]:
    """Folders whose ``.env`` holds Compose's interpolation defaults: they hold a compose file
    (one that ``include`` pulls in counts) and are not a Laravel, Django or Rails app's root,
    whose ``.env`` is the app's own settings."""
    folders = {p.parent for p in project.discovery.compose_files}
    folders |= {d for model in project.models for d in model.base_dirs.values()}
    apps = {app.root for app in project.laravel_apps} | set(project.rails_apps)
    apps |= {p.parent for p in project.discovery.files if p.name == "manage.py"}
    return folders - apps


# -- what git would add (CG402) -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnignoredDatabase:
    """A database file the project's shared ignore rules would let ``git add -A`` commit."""

    path: Path
    what: str
    """``Laravel's default SQLite database``, ``a database file``..."""
    pattern: str
    """The ignore patterns to suggest, in backquotes."""
    root: Path
    """The repository root (the checked folder outside git) whose ignore rules decide."""
    boundary: Path
    """The deepest of the repository root and the checked folder holding ``path``."""
    match: IgnoreMatch | None
    """What decided instead: a ``!pattern``, or an ignore only ``.git/info/exclude`` holds;
    None: no pattern matches."""
    location: Location
    """The ``!pattern`` that re-includes it, else the deepest ``.gitignore`` on the way to
    it, else the app's marker file or the database file itself."""
    gitignore: Path
    """The ``.gitignore`` to add the patterns to (it may not exist yet)."""


@dataclass(frozen=True, slots=True)
class _Expected:
    """A database file the ignore rules must cover, what it is, the pattern to suggest, the
    file to point at when no ignore file exists and the folder whose ``.gitignore`` to create
    then (None: the checked folder)."""

    path: Path
    what: str
    pattern: str
    anchor: Path
    folder: Path | None = None


def unignored_databases(project: Project) -> Iterator[UnignoredDatabase]:
    """The apps' SQLite files and the database files in the tree (fixtures aside) that the
    shared ignore rules (``.git/info/exclude`` is not shared) would not ignore, by path."""
    for path, item in sorted(_expected_files(project).items()):
        root = project.repository_root(path) or _boundary(project, path)
        match = project.ignore_rules(root).explain(path)
        shared = match is not None and ".git" not in Path(os.path.relpath(match.source, root)).parts
        if match is not None and not match.negated and shared:
            continue
        boundary = _boundary(project, path)
        ignore_file = _ignore_file(boundary, path)
        if match is not None and match.negated and shared:
            location = Location(match.source, match.line)
        elif ignore_file is not None:
            location = Location(ignore_file, 1)
        else:
            location = Location(item.anchor, 1)
        target = ignore_file or (item.folder or boundary) / ".gitignore"
        yield UnignoredDatabase(path, item.what, item.pattern, root, boundary, match, location,
                                target)


def _expected_files(project: Project) -> dict[Path, _Expected]:
    expected: dict[Path, _Expected] = {}
    for app in app_databases(project):
        expected.setdefault(app.path, _Expected(app.path, app.what, app.pattern, app.anchor,
                                                app.app_root))
    for path in project.discovery.files:
        extension = database_extension(path.name)
        if extension is None or holds_something_else(path, extension):
            continue
        root = project.repository_root(path) or _boundary(project, path)
        parts = Path(os.path.relpath(path, root)).parts
        if not is_fixture(parts) and not beside_tooling(parts):
            expected.setdefault(path, _Expected(path, "a database file",
                                                ignore_suggestion(path.name), path))
    return expected


def _boundary(project: Project, path: Path) -> Path:
    """The deepest of the repository root and the checked folder holding ``path``: findings
    and the ignore files they name stay inside what was checked."""
    absolute = Path(os.path.abspath(path))
    roots = [r for r in (Path(os.path.abspath(p)) for p in project.paths) if _inside(absolute, r)]
    roots = [r if r.is_dir() else r.parent for r in roots]
    repository = project.repository_root(absolute)
    candidates = [*roots, *([repository] if repository is not None else [])]
    return max(candidates, key=lambda r: len(r.parts)) if candidates else absolute.parent


def _ignore_file(boundary: Path, path: Path) -> Path | None:
    """The deepest ``.gitignore`` between ``path``'s folder and ``boundary``, if any exists."""
    folder = path.parent
    while _inside(folder, boundary):
        candidate = folder / ".gitignore"
        if candidate.is_file():
            return candidate
        if folder == boundary:
            break
        folder = folder.parent
    return None


def _rails_sqlite_files(project: Project, root: Path) -> tuple[str, ...]:
    """The app-relative SQLite files a Rails app's ``config/database.yml`` names."""
    path = Path(root) / "config" / "database.yml"
    text = project.read_text(path)
    from composeguard.lint.facts.rails import sqlite_paths

    return sqlite_paths(path, text) if text is not None else ()


def app_databases(project: Project) -> tuple[AppDatabase, ...]:
    """The SQLite files the project's apps create, computed once per project."""
    return project.memo(("rules/repository/facts.py", "app_databases"), lambda: _app_databases(project))
