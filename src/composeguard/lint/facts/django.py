"""What a Django project's settings say about its database and DEBUG, read with libcst.

Settings are Python, so they are read as Python: a small interpreter walks the module-level
statements in order (assignments, ``DATABASES['default'] = ...``, ``.update(...)``,
``from .base import *``) and keeps only what CG301/CG302 need. It never runs the code; what it
cannot follow is "unknown", which no rule reports. Everything is pure over file text: the caller
passes ``read(path) -> str | None`` so that the Project reads each file once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from composeguard.lint.model.discover import DEPENDENCY_DIRS
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.syntax_tree import walk

Reader = Callable[[Path], "str | None"]

SETTINGS_VARIABLE = "DJANGO_SETTINGS_MODULE"
_SKIPPED_DIRS = DEPENDENCY_DIRS | {"__pycache__", "site-packages", "dist", "build", "static",
                                   "media", "migrations"}
_MAX_DEPTH = 5
_MAX_HOPS = 20
_ROLES = {
    "production": "production", "prod": "production", "live": "production",
    "staging": "production", "dev": "development", "development": "development",
    "local": "development", "test": "test", "testing": "test", "ci": "test",
    "base": "base", "common": "base", "defaults": "base",
}
_SCHEMES = {
    "postgres": "django.db.backends.postgresql", "postgresql": "django.db.backends.postgresql",
    "pgsql": "django.db.backends.postgresql", "psql": "django.db.backends.postgresql",
    "postgis": "django.contrib.gis.db.backends.postgis",
    "mysql": "django.db.backends.mysql", "mysql2": "django.db.backends.mysql",
    "mysql-connector": "mysql.connector.django", "mysqlgis": "django.contrib.gis.db.backends.mysql",
    "sqlite": "django.db.backends.sqlite3", "sqlite3": "django.db.backends.sqlite3",
    "spatialite": "django.contrib.gis.db.backends.spatialite",
    "oracle": "django.db.backends.oracle", "oraclegis": "django.contrib.gis.db.backends.oracle",
    "mssql": "mssql", "cockroach": "django_cockroachdb",
    "timescale": "timescale.db.backends.postgresql",
}
_ENV_OBJECTS = frozenset({"environ.Env", "environ.FileAwareEnv"})


@dataclass(frozen=True, slots=True)
class DjangoSettings:
    module: str
    """Dotted name: ``mysite.settings``, ``config.settings.production``."""
    path: Path
    role: str
    """``single``, ``base``, ``production``, ``development``, ``test`` or ``other``."""


@dataclass(frozen=True, slots=True)
class DatabaseDefault:
    engine: str
    """The backend path; empty when only the environment decides (``env.db()`` with no default)."""
    overridable: bool
    """True when an environment variable can replace the engine at run time."""
    location: Location
    inherited: bool = False
    """True when the value came from another module through ``from .base import *``."""

    @property
    def is_sqlite(self) -> bool:
        return "sqlite" in self.engine or "spatialite" in self.engine


DJANGO_ENGINES = {"pgsql": "django.db.backends.postgresql", "mysql": "django.db.backends.mysql"}
"""The Django backend for each SQL family a data store belongs to (``DataStore.family``)."""
SERVER_VARIABLES = {"pgsql": ("POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "5432"),
                    "mysql": ("MYSQL_DATABASE", "MYSQL_USER", "MYSQL_PASSWORD", "3306")}
"""The variables the family's official image is given its database, user and password with,
and its port: what a settings module that reads the server from the environment reads."""
DEBUG_FROM_ENVIRONMENT = "os.environ.get({q}DJANGO_DEBUG{q}) == {q}1{q}"
"""``DEBUG`` read from the environment, off unless ``DJANGO_DEBUG=1``."""


@dataclass(frozen=True, slots=True)
class DictAt:
    """A dict literal in a settings module: where it is, the indentation of the line it
    starts on, and the quote the module writes strings with."""

    location: Location
    indent: str
    quote: str


def engine_dict(path: Path, text: str, engine_at: Location) -> DictAt | None:
    """The ``DATABASES['default']`` dict literal whose ``ENGINE`` value is at ``engine_at``
    (what :func:`default_database` reports), or None when it is not written as one."""
    import libcst as cst

    parsed = _parse(text)
    if parsed is None:
        return None
    root, positions = parsed
    module = _Module(path, "", root.body, positions, {})
    for node in walk(root):
        if not isinstance(node, cst.Dict):
            continue
        for element in node.elements:
            if isinstance(element, cst.DictElement) and _literal(element.key) == "ENGINE" \
                    and _starts_at(module.loc(element.value), engine_at):
                at = module.loc(node)
                line = text.split("\n")[at.line - 1]
                quote = element.key.value[-1] if isinstance(element.key, cst.SimpleString) \
                    else '"'
                return DictAt(at, line[: len(line) - len(line.lstrip())], quote)
    return None


def _starts_at(location: Location, other: Location) -> bool:
    return (location.line, location.column) == (other.line, other.column)


def debug_value(path: Path, text: str, statement_at: Location) -> tuple[Location, str] | None:
    """The literal of the ``DEBUG = True`` statement at ``statement_at`` (what
    :func:`debug_literal` reports) and the quote the module writes strings with."""
    import libcst as cst

    parsed = _parse(text)
    if parsed is None:
        return None
    root, positions = parsed
    module = _Module(path, "", root.body, positions, {})
    quotes = [n.value[-1] for n in walk(root) if isinstance(n, cst.SimpleString)]
    quote = max(("'", '"'), key=quotes.count) if quotes else '"'
    for node in walk(root):
        if isinstance(node, cst.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0].target, cst.Name) \
                and node.targets[0].target.value == "DEBUG" \
                and module.loc(node).line == statement_at.line \
                and _constant(node.value) not in (None, False, 0):
            return module.loc(node.value), quote
    return None


def os_import_line(text: str) -> int | None:
    """None when the module binds ``os`` at its top (``import os``); else the line to insert
    ``import os`` at: before its first top-level import, or after its docstring."""
    import libcst as cst

    parsed = _parse(text)
    if parsed is None:
        return None
    root, positions = parsed
    first_import: int | None = None
    after_docstring = 1
    for index, statement in enumerate(root.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import) and any(
                    _dotted(alias.name).partition(".")[0] == "os" and alias.asname is None
                    for alias in small.names):
                return None
            if isinstance(small, cst.Import | cst.ImportFrom) and first_import is None:
                first_import = positions[statement].start.line
            if index == 0 and isinstance(small, cst.Expr) \
                    and isinstance(small.value, cst.SimpleString | cst.ConcatenatedString):
                after_docstring = positions[statement].end.line + 1
    return first_import if first_import is not None else after_docstring


# -- finding the settings modules ---------------------------------------------------------------


def find_settings(
    root: Path, read: Reader, environment: Mapping[str, str] | None = None
) -> list[DjangoSettings]:
    """The settings modules of every Django project below ``root``.

    The module comes from ``DJANGO_SETTINGS_MODULE`` in ``environment`` (what a compose service
    sets wins), else from ``os.environ.setdefault(...)`` in manage.py/wsgi.py/asgi.py. When it
    lives in a ``settings/`` package every module of the package is returned (a production
    module is judged even when manage.py points at the local one), the named one first.
    """
    root = Path(root)
    wanted = (environment or {}).get(SETTINGS_VARIABLE, "").strip()
    projects = _projects(root)
    if wanted and not any(_module_file(d, wanted, read) for d in projects):
        projects.update({d: [] for d in (root, root / "src") if _module_file(d, wanted, read)})
    found: dict[Path, DjangoSettings] = {}
    for project_dir, entry_files in projects.items():
        targets = [wanted] if wanted and _module_file(project_dir, wanted, read) else []
        if not targets:
            targets = [m for f in entry_files for m in _named_modules(read(f))]
        for target in targets or _conventional(project_dir, read):
            for settings in _modules_around(project_dir, target, read):
                found.setdefault(settings.path, settings)
    return list(found.values())


def _projects(root: Path) -> dict[Path, list[Path]]:
    """Project directories (where manage.py, or a package holding wsgi.py, sits) and the
    entry files in each that may name the settings module."""
    projects: dict[Path, list[Path]] = {}
    for directory, dirs, files in os.walk(root):
        here = Path(directory)
        depth = len(here.relative_to(root).parts)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS
                         and depth < _MAX_DEPTH)
        for name in ("manage.py", "wsgi.py", "asgi.py"):
            if name in files and (name == "manage.py" or depth > 0):
                project = here if name == "manage.py" else here.parent
                projects.setdefault(project, []).append(here / name)
    return projects


def _named_modules(text: str | None) -> list[str]:
    """``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x")`` / ``os.environ[...] = "x"``."""
    import libcst as cst

    parsed = _parse(text) if text is not None else None
    if parsed is None:
        return []
    found: list[str] = []
    for node in walk(parsed[0]):
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
                and node.func.attr.value == "setdefault" and len(node.args) >= 2 \
                and _literal(node.args[0].value) == SETTINGS_VARIABLE:
            value = _literal(node.args[1].value)
        elif isinstance(node, cst.Assign) and len(node.targets) == 1 \
                and _subscript_keys(node.targets[0].target, "environ") == [SETTINGS_VARIABLE]:
            value = _literal(node.value)
        else:
            continue
        if value and all(part.isidentifier() for part in value.split(".")):
            found.append(value)
    return found


def _conventional(project_dir: Path, read: Reader) -> list[str]:
    """A manage.py that names no module: ``<package>/settings.py`` or ``settings/`` beside it."""
    try:
        packages = sorted(p.name for p in project_dir.iterdir() if p.is_dir())
    except OSError:
        return []
    return [f"{p}.settings" for p in packages
            if p.isidentifier() and _module_file(project_dir, f"{p}.settings", read)]


def _module_file(root: Path, dotted: str, read: Reader) -> Path | None:
    parts = dotted.split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    base = root.joinpath(*parts)
    for candidate in (base / "__init__.py", base.with_name(base.name + ".py")):
        if read(candidate) is not None:
            return candidate
    return None


def _modules_around(project_dir: Path, dotted: str, read: Reader) -> list[DjangoSettings]:
    path = _module_file(project_dir, dotted, read)
    if path is None:
        return []
    if path.name == "__init__.py":
        package, prefix = path.parent, dotted
    elif "settings" in path.parent.name and read(path.parent / "__init__.py") is not None:
        package, prefix = path.parent, dotted.rpartition(".")[0]
    else:
        return [DjangoSettings(dotted, path, _role(path.stem, "single"))]
    result = [DjangoSettings(dotted, path, _role(path.stem, "other"))]
    try:
        siblings = sorted(p for p in package.iterdir()
                          if p.suffix == ".py" and p.stem.isidentifier())
    except OSError:
        siblings = []
    for sibling in siblings:
        if sibling != path and sibling.name != "__init__.py":
            result.append(DjangoSettings(f"{prefix}.{sibling.stem}", sibling, _role(sibling.stem)))
    return result


def _role(stem: str, fallback: str = "other") -> str:
    for token in stem.lower().split("_"):
        if token in _ROLES:
            return _ROLES[token]
    return fallback


# -- reading one settings module ----------------------------------------------------------------


def default_database(settings: DjangoSettings, read: Reader) -> DatabaseDefault | None:
    """``DATABASES['default']`` as the module leaves it, or None when it is not understood."""
    state = _evaluate(settings, read)
    return state.database if state is not None else None


def debug_literal(settings: DjangoSettings, read: Reader) -> Location | None:
    """Where a literal ``DEBUG = True`` is still in force at the end of the module (through
    ``from .base import *`` too); None when DEBUG is off, unset or read from the environment.
    Whether it matters (a single module, a production module) is the caller's call."""
    state = _evaluate(settings, read)
    return state.debug if state is not None else None


def _evaluate(settings: DjangoSettings, read: Reader) -> _State | None:
    try:
        return _Interpreter(read).run(settings.path, settings.module)
    except RecursionError:  # a thousand-deep elif chain: not settings we can judge
        return None


@dataclass(slots=True)
class _Module:
    path: Path
    name: str
    body: Any
    positions: Mapping[Any, Any]
    imports: dict[str, str]

    def loc(self, node: Any) -> Location:
        span = self.positions.get(node)
        if span is None:
            return Location(self.path)
        return Location(self.path, span.start.line, span.start.column + 1,
                        span.end.line, span.end.column + 1)


@dataclass(slots=True)
class _State:
    database: DatabaseDefault | None = None
    debug: Location | None = None
    bindings: dict[str, tuple[Any, _Module]] = field(default_factory=dict)

    def copy(self) -> _State:
        return _State(self.database, self.debug, dict(self.bindings))


@dataclass(frozen=True, slots=True)
class _Str:
    """A string expression as far as it is known: ``text`` is None when nothing is known;
    unknown pieces of an f-string or concatenation read as ``…``."""

    text: str | None
    from_env: bool
    loc: Location | None


class _Interpreter:
    def __init__(self, read: Reader) -> None:
        self.read = read
        self.done: dict[Path, _State | None] = {}

    def run(self, path: Path, name: str) -> _State | None:
        if path in self.done:
            return self.done[path]
        self.done[path] = None  # a cycle of star imports ends here
        text = self.read(path)
        parsed = _parse(text) if text is not None else None
        if parsed is None:
            return None
        body, positions = parsed
        module = _Module(path, name, body, positions, _imports(body))
        state = _State()
        self.block(body.body, module, state, follow=True)
        self.done[path] = state
        return state

    def block(self, statements: Any, module: _Module, state: _State, follow: bool) -> None:
        import libcst as cst

        for statement in statements:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self.small(small, module, state, follow)
            elif isinstance(statement, cst.If):
                self.branch(statement, module, state, follow)
            elif isinstance(statement, cst.Try | cst.TryStar):
                self.block(statement.body.body, module, state, follow=False)
                for extra in (statement.orelse, statement.finalbody):
                    if extra is not None:
                        self.block(extra.body.body, module, state, follow=False)
            elif isinstance(statement, cst.With):
                self.block(statement.body.body, module, state, follow)

    def branch(self, node: Any, module: _Module, state: _State, follow: bool) -> None:
        """Both sides of an ``if``; the ``else`` (or fall-through) side is the fallback that
        runs when nothing is set, and a test that reads the environment makes a difference
        between the sides something the environment decides."""
        import libcst as cst

        taken = state.copy()
        self.block(node.body.body, module, taken, follow)
        fallback = state.copy()
        if isinstance(node.orelse, cst.If):
            self.branch(node.orelse, module, fallback, follow)
        elif node.orelse is not None:
            self.block(node.orelse.body.body, module, fallback, follow)
        env_test = self.reads_env(node.test, module, state, 0)
        state.bindings = {**taken.bindings, **fallback.bindings}
        database = fallback.database or taken.database
        if database is not None and taken.database != fallback.database and (
            env_test or any(d is not None and d.overridable for d in (taken.database,
                                                                      fallback.database))
        ):
            database = replace(database, overridable=True)
        state.database = database
        state.debug = None if env_test and taken.debug != fallback.debug else fallback.debug

    def small(self, node: Any, module: _Module, state: _State, follow: bool) -> None:
        import libcst as cst

        if isinstance(node, cst.Assign):
            for target in node.targets:
                self.assign(target.target, node.value, node, module, state)
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            self.assign(node.target, node.value, node, module, state)
        elif isinstance(node, cst.ImportFrom) and follow:
            self.import_from(node, module, state)
        elif isinstance(node, cst.Expr) and isinstance(node.value, cst.Call):
            call = node.value
            if isinstance(call.func, cst.Attribute) and call.func.attr.value == "update":
                keys = _subscript_keys(call.func.value, "DATABASES")
                self.update(keys, call, module, state)

    def assign(self, target: Any, value: Any, statement: Any, module: _Module,
               state: _State) -> None:
        import libcst as cst

        if isinstance(target, cst.Name):
            state.bindings[target.value] = (value, module)
            if target.value == "DATABASES":
                state.database = self.databases(value, module, state, 0)
            elif target.value == "DEBUG":
                literal = _constant(value)
                state.debug = module.loc(statement) if literal not in (None, False, 0) else None
            return
        keys = _subscript_keys(target, "DATABASES")
        if keys == ["default"]:
            state.database = self.default(value, module, state, 0)
        elif keys == ["default", "ENGINE"]:
            state.database = self.engine_of(value, module, state)

    def update(self, keys: list[str] | None, call: Any, module: _Module, state: _State) -> None:
        args = [a for a in call.args if a.star == ""]
        if keys == []:
            for arg in args:
                if arg.keyword is not None and arg.keyword.value == "default":
                    state.database = self.default(arg.value, module, state, 0)
                elif arg.keyword is None:
                    found = self.databases(arg.value, module, state, 0)
                    state.database = found or state.database
        elif keys == ["default"] and len(args) == 1:
            value, owner = self.resolve(args[0].value, module, state)
            engine = _dict_value(value, "ENGINE")
            if engine is not None:
                state.database = self.engine_of(engine, owner, state)
                return
            parsed = self.parser(value, owner, state, 0)
            if parsed is not None and (parsed.engine or state.database is None):
                state.database = parsed
            elif parsed is not None and state.database is not None:
                state.database = replace(state.database, overridable=True, inherited=False)

    def import_from(self, node: Any, module: _Module, state: _State) -> None:
        import libcst as cst

        target = _import_target(module, node)
        if target is None:
            return
        path = _module_file(_module_root(module), target, self.read)
        imported = self.run(path, target) if path is not None else None
        if imported is None:
            return
        names = None if isinstance(node.names, cst.ImportStar) else {
            a.name.value for a in node.names if isinstance(a.name, cst.Name) and a.asname is None
        }
        for name, binding in imported.bindings.items():
            if names is None or name in names:
                state.bindings[name] = binding
        if names is None or "DATABASES" in names:
            database = imported.database
            state.database = replace(database, inherited=True) if database else None
        if names is None or "DEBUG" in names:
            state.debug = imported.debug

    # -- expressions ----------------------------------------------------------------------------

    def resolve(self, expr: Any, module: _Module, state: _State) -> tuple[Any, _Module]:
        """Follow plain names to the expression they were last bound to."""
        import libcst as cst

        for _ in range(_MAX_HOPS):
            if not isinstance(expr, cst.Name) or expr.value not in state.bindings:
                break
            expr, module = state.bindings[expr.value]
        return expr, module

    def databases(self, expr: Any, module: _Module, state: _State,
                  hops: int) -> DatabaseDefault | None:
        expr, module = self.resolve(expr, module, state)
        value = _dict_value(expr, "default")
        return self.default(value, module, state, hops) if value is not None else None

    def default(self, expr: Any, module: _Module, state: _State,
                hops: int) -> DatabaseDefault | None:
        import libcst as cst

        expr, module = self.resolve(expr, module, state)
        if not isinstance(expr, cst.Dict):
            return self.parser(expr, module, state, hops)
        current: DatabaseDefault | None = None
        for element in expr.elements:
            if isinstance(element, cst.StarredDictElement):
                current = self.default(element.value, module, state, hops + 1) or current
            elif isinstance(element, cst.DictElement) and _literal(element.key) == "ENGINE":
                current = self.engine_of(element.value, module, state)
        return current or DatabaseDefault("", False, module.loc(expr))

    def engine_of(self, expr: Any, module: _Module, state: _State) -> DatabaseDefault:
        value = self.string(expr, module, state, 0)
        return DatabaseDefault(value.text or "", value.from_env, value.loc or module.loc(expr))

    def parser(self, expr: Any, module: _Module, state: _State,
               hops: int) -> DatabaseDefault | None:
        """A call that turns a URL into a database dict: dj-database-url or django-environ."""
        import libcst as cst

        if not isinstance(expr, cst.Call) or hops > _MAX_HOPS:
            return None
        name = _qualified(expr.func, module)
        method = name.rpartition(".")[2]
        on_env = isinstance(expr.func, cst.Attribute) and self.is_env(expr.func.value, module,
                                                                      state)
        engine = _argument(expr, "engine", None)
        cast = _argument(expr, "cast", None)
        if cast is not None and _qualified(cast.value, module) == "dj_database_url.parse":
            url = self.call_string(expr, module, state, hops + 1)  # decouple's config(cast=...)
            result = DatabaseDefault(_engine_from_url(url.text), url.from_env,
                                     url.loc or module.loc(expr))
        elif name == "dj_database_url.config" or (on_env and method in ("db", "db_url")):
            default = _argument(expr, "default", None if name.startswith("dj_") else 1)
            if default is not None:
                url = self.string(default.value, module, state, hops + 1)
                result = DatabaseDefault(_engine_from_url(url.text), True, module.loc(default))
            else:
                var = _argument(expr, "var", 0)
                fallback = self.scheme_default(expr.func, var, module, state) if on_env else None
                result = DatabaseDefault(_engine_from_url(fallback), True, module.loc(expr))
        elif name == "dj_database_url.parse" or method == "db_url_config":
            url_arg = _argument(expr, "url", 0)
            if url_arg is None:
                return None
            url = self.string(url_arg.value, module, state, hops + 1)
            result = DatabaseDefault(_engine_from_url(url.text), url.from_env,
                                     url.loc or module.loc(url_arg))
        else:
            return None
        if engine is not None:
            forced = self.string(engine.value, module, state, hops + 1)
            result = replace(result, engine=forced.text or result.engine)
        return result

    def scheme_default(self, func: Any, var: Any, module: _Module, state: _State) -> str | None:
        """django-environ's ``Env(DATABASE_URL=(str, "sqlite:///..."))`` default for ``var``."""
        import libcst as cst

        name = _literal(var.value) if var is not None else "DATABASE_URL"
        owner, owner_module = self.resolve(func.value, module, state)
        if not isinstance(owner, cst.Call) or not name:
            return None
        declared = _argument(owner, name, None)
        if declared is None or not isinstance(declared.value, cst.Tuple):
            return None
        items = declared.value.elements
        return self.string(items[-1].value, owner_module, state, 1).text if len(items) > 1 else None

    def string(self, expr: Any, module: _Module, state: _State, hops: int) -> _Str:
        import libcst as cst

        if hops > _MAX_HOPS:
            return _Str(None, False, None)
        if isinstance(expr, cst.Name):
            target, owner = self.resolve(expr, module, state)
            if target is expr:
                return _Str(None, False, None)
            return self.string(target, owner, state, hops + 1)
        literal = _literal(expr)
        if literal is not None:
            return _Str(literal, False, module.loc(expr))
        if isinstance(expr, cst.FormattedString | cst.BinaryOperation):
            pieces = (
                [expr.left, expr.right] if isinstance(expr, cst.BinaryOperation)
                else list(expr.parts)
            )
            if isinstance(expr, cst.BinaryOperation) and not isinstance(expr.operator, cst.Add):
                return _Str(None, False, None)
            texts, from_env = [], False
            for piece in pieces:
                if isinstance(piece, cst.FormattedStringText):
                    texts.append(piece.value)
                    continue
                if isinstance(piece, cst.FormattedStringExpression):
                    piece = piece.expression
                value = self.string(piece, module, state, hops + 1)
                texts.append(value.text if value.text is not None else "…")
                from_env |= value.from_env
            return _Str("".join(texts), from_env, module.loc(expr))
        if isinstance(expr, cst.Subscript):
            return _Str(None, _qualified(expr.value, module) == "os.environ", module.loc(expr))
        if isinstance(expr, cst.Call):
            return self.call_string(expr, module, state, hops)
        return _Str(None, False, None)

    def call_string(self, call: Any, module: _Module, state: _State, hops: int) -> _Str:
        """``os.environ.get(K, D)``, ``os.getenv``, ``env(K, default=D)``, ``env.str``,
        python-decouple's ``config(K, default=D)``: the default, read from the environment."""
        import libcst as cst

        name = _qualified(call.func, module)
        if name == "str" and call.args:
            return self.string(call.args[0].value, module, state, hops + 1)
        if name in ("os.environ.get", "os.getenv", "decouple.config") or (
            isinstance(call.func, cst.Attribute) and call.func.attr.value in ("str", "url")
            and self.is_env(call.func.value, module, state)
        ):
            default = _argument(call, "default", 1)
        elif self.is_env(call.func, module, state):
            default = _argument(call, "default", None)
        else:
            return _Str(None, False, None)
        if default is None:
            return _Str(None, True, module.loc(call))
        value = self.string(default.value, module, state, hops + 1)
        return _Str(value.text, True, module.loc(default))

    def is_env(self, expr: Any, module: _Module, state: _State) -> bool:
        """A django-environ ``Env`` instance (``env = environ.Env()``), or a name ``env``."""
        import libcst as cst

        target, owner = self.resolve(expr, module, state)
        if isinstance(target, cst.Call):
            return _qualified(target.func, owner) in _ENV_OBJECTS
        return isinstance(expr, cst.Name) and expr.value == "env" and target is expr

    def reads_env(self, expr: Any, module: _Module, state: _State, hops: int) -> bool:
        import libcst as cst

        for node in walk(expr):
            if isinstance(node, cst.Name | cst.Attribute):
                name = _qualified(node, module)
                if name.startswith(("os.environ", "os.getenv", "decouple.")):
                    return True
            if isinstance(node, cst.Name) and hops < 3:
                if self.is_env(node, module, state):
                    return True
                bound = state.bindings.get(node.value)
                if bound is not None and bound[0] is not node \
                        and self.reads_env(bound[0], bound[1], state, hops + 1):
                    return True
        return False


# -- libcst helpers -------------------------------------------------------------------------------


MAX_NESTING = 100
"""Brackets or blocks nested deeper than this are not handed to libcst, whose native parser
crashes the process on about 1,500 levels; CPython itself refuses more than 200 brackets."""


@lru_cache(maxsize=64)
def too_deep(text: str) -> str | None:
    """Why ``text`` is not parsed (brackets or blocks nested over :data:`MAX_NESTING`), read
    with the standard library's tokenizer, which does not recurse; None when it is fine.
    Cached: the stderr note and the parser ask for the same files."""
    import io
    import tokenize

    brackets = blocks = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.OP and token.string in "([{":
                brackets += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                brackets -= 1
            elif token.type == tokenize.INDENT:
                blocks += 1
            elif token.type == tokenize.DEDENT:
                blocks -= 1
            if brackets > MAX_NESTING or blocks > MAX_NESTING:
                return (f"nested more than {MAX_NESTING} levels deep (line {token.start[0]}): "
                        "not parsed")
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None  # not Python: libcst says so without crashing
    return None


@lru_cache(maxsize=64)
def script_calls(text: str) -> list[tuple[str, int]]:
    """The functions a Python script's own code calls (outside any ``def`` or ``class``:
    what runs when the file is run), by name (``export_ctf`` for ``utils.export_ctf()``),
    with their lines. This module is the project's one reader of Python source."""
    import libcst as cst

    parsed = _parse(text)
    if parsed is None:
        return []
    module, positions = parsed
    found: list[tuple[str, int]] = []
    stack = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Call):
            func = node.func
            name = func.value if isinstance(func, cst.Name) else \
                func.attr.value if isinstance(func, cst.Attribute) else None
            if name is not None:
                found.append((name, positions[node].start.line))
        stack.extend(reversed(node.children))
    return found


_MIGRATION_CALLS = {
    "alembic.command.upgrade": "alembic upgrade",
    "flask_migrate.upgrade": "flask db upgrade",
    "django.core.management.call_command": "manage.py migrate",
}
"""Python calls that migrate a database, by qualified name (``call_command`` only with
``"migrate"`` as its first argument)."""


def swallowed_migrations(text: str) -> list[tuple[str, int]]:
    """Migrations run in a ``try`` whose handler catches every error and neither raises,
    exits nor returns a value (a status the caller can act on): the Python form of
    ``migrate || true``. Each as (what migrates, the line of
    the ``except``). A function defined in the ``try`` and the calls inside it count."""
    import libcst as cst

    if "except" not in text or not any(w in text for w in ("upgrade", "call_command")):
        return []
    parsed = _parse_with_imports(text)
    if parsed is None:
        return []
    module, positions, imports = parsed
    found: list[tuple[str, int]] = []
    for node in walk(module):
        if not isinstance(node, cst.Try):
            continue
        migrates = None
        for inner in walk(node.body):
            if not isinstance(inner, cst.Call):
                continue
            what = _MIGRATION_CALLS.get(_called(inner, imports))
            if what == "manage.py migrate" and _literal(
                    inner.args[0].value if inner.args else None) != "migrate":
                what = None
            if what is not None:
                migrates = what
                break
        if migrates is None:
            continue
        for handler in node.handlers:
            caught = _dotted(handler.type) if handler.type is not None else "BaseException"
            if caught.rsplit(".", 1)[-1] not in ("Exception", "BaseException"):
                continue
            # raising, exiting or returning a value hands the failure on
            stops = any(isinstance(n, cst.Raise) or (isinstance(n, cst.Return)
                                                     and n.value is not None)
                        or (isinstance(n, cst.Call) and _dotted(n.func) in (
                            "sys.exit", "exit", "os._exit")) for n in walk(handler.body))
            if not stops:
                found.append((migrates, positions[handler].start.line))
    return found


_ENVIRONMENT_NAMES = frozenset({"DEBUG", "TESTING", "ENVIRONMENT", "ENV", "environ",
                                "getenv", "env", "FLASK_ENV", "DJANGO_ENV"})
"""Names whose value is the environment the code runs in (``settings.DEBUG``,
``os.environ``...): a command run only under a condition on one of them is the deploy's
choice."""


def management_calls(text: str) -> list[tuple[tuple[str, ...], int, bool]]:
    """``call_command('flush', interactive=False)`` in Python code, as the words of the
    equivalent command line (``python manage.py flush --no-input``) with the call's line and
    whether it runs only under a condition on the environment (``if settings.DEBUG:``).
    Literal positional arguments are kept (``call_command('migrate', 'shop', 'zero')``); a
    keyword set to a literal true becomes its ``--flag``."""
    import libcst as cst

    if "call_command" not in text:
        return []
    parsed = _parse_with_imports(text)
    if parsed is None:
        return []
    module, positions, imports = parsed
    found: list[tuple[tuple[str, ...], int, bool]] = []
    stack: list[tuple[Any, bool]] = [(module, False)]
    while stack:
        node, gated = stack.pop()
        if isinstance(node, cst.If | cst.IfExp | cst.While):
            names = {n.value for n in walk(node.test) if isinstance(n, cst.Name)} | {
                n.attr.value for n in walk(node.test) if isinstance(n, cst.Attribute)}
            inner = gated or bool(names & _ENVIRONMENT_NAMES)
            stack.append((node.test, gated))
            stack.extend((child, inner) for child in reversed(node.children)
                         if child is not node.test)
            continue
        if isinstance(node, cst.Call):
            name = _literal(node.args[0].value) if node.args and node.args[0].keyword is None \
                else None
            if _called(node, imports).endswith("call_command") and name:
                words = ["python", "manage.py", name]
                for argument in node.args[1:]:
                    value = _literal(argument.value)
                    if argument.keyword is None and value is not None:
                        words.append(value)
                    elif argument.keyword is not None and _constant(argument.value) is True:
                        words.append("--" + argument.keyword.value.replace("_", "-"))
                found.append((tuple(words), positions[node].start.line, gated))
        stack.extend((child, gated) for child in reversed(node.children))
    return found


def _parse_with_imports(text: str) -> tuple[Any, Mapping[Any, Any], dict[str, str]] | None:
    """:func:`_parse`, with the module's import table (local name -> qualified name)."""
    parsed = _parse(text)
    return (*parsed, _imports(parsed[0])) if parsed is not None else None


def _called(call: Any, imports: Mapping[str, str]) -> str:
    """The qualified name a call calls (``django.core.management.call_command`` for
    ``management.call_command(...)`` after ``from django.core import management``)."""
    head, dot, rest = _dotted(call.func).partition(".")
    return imports.get(head, head) + dot + rest


def _parse(text: str) -> tuple[Any, Mapping[Any, Any]] | None:
    """The module and its node positions, or None when libcst cannot parse it (it raises
    several error types on malformed input, all of which mean "not Python we can read") or
    it is nested too deep to hand to libcst (:func:`too_deep`)."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    if too_deep(text) is not None:
        return None
    try:
        wrapper = MetadataWrapper(cst.parse_module(text))
        return wrapper.module, wrapper.resolve(PositionProvider)
    except Exception:  # noqa: BLE001 - libcst raises many types on bad input
        return None


def _imports(module: Any) -> dict[str, str]:
    """Local name -> qualified name for every import in the module."""
    import libcst as cst

    table: dict[str, str] = {}
    for node in walk(module):
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = _dotted(alias.name)
                local = alias.asname.name.value if alias.asname is not None and isinstance(
                    alias.asname.name, cst.Name) else full.partition(".")[0]
                table[local] = full if alias.asname is not None else local
        elif isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None \
                and not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                local = alias.asname.name.value if alias.asname is not None and isinstance(
                    alias.asname.name, cst.Name) else _dotted(alias.name)
                table[local] = f"{_dotted(node.module)}.{_dotted(alias.name)}"
    return table


def _dotted(node: Any) -> str:
    import libcst as cst

    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _qualified(node: Any, module: _Module) -> str:
    """``os.environ.get`` for ``environ.get`` after ``from os import environ``."""
    dotted = _dotted(node)
    head, dot, rest = dotted.partition(".")
    return module.imports.get(head, head) + dot + rest if dotted else ""


def _literal(node: Any) -> str | None:
    import libcst as cst

    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _constant(node: Any) -> bool | int | None:
    import libcst as cst

    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    return None


def _subscript_keys(node: Any, name: str) -> list[str] | None:
    """``DATABASES['default']['ENGINE']`` -> ``['default', 'ENGINE']`` when rooted at ``name``."""
    import libcst as cst

    keys: list[str] = []
    while isinstance(node, cst.Subscript):
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        key = _literal(node.slice[0].slice.value)
        if key is None:
            return None
        keys.insert(0, key)
        node = node.value
    last = node.attr.value if isinstance(node, cst.Attribute) else getattr(node, "value", None)
    return keys if last == name else None


def _dict_value(node: Any, key: str) -> Any:
    """The value of ``key`` in a dict literal or a ``dict(key=...)`` call."""
    import libcst as cst

    if isinstance(node, cst.Dict):
        for element in reversed(node.elements):
            if isinstance(element, cst.DictElement) and _literal(element.key) == key:
                return element.value
    elif isinstance(node, cst.Call) and _dotted(node.func) == "dict":
        found = _argument(node, key, None)
        return found.value if found is not None else None
    return None


def _argument(call: Any, keyword: str, position: int | None) -> Any:
    positional = [a for a in call.args if a.keyword is None and a.star == ""]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
    if position is not None and position < len(positional):
        return positional[position]
    return None


def _import_target(module: _Module, node: Any) -> str | None:
    name = _dotted(node.module) if node.module is not None else ""
    level = len(node.relative)
    if not level:
        return name or None
    package = module.name.split(".")
    if module.path.name != "__init__.py":
        package = package[:-1]
    if level - 1 > len(package):
        return None
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, *filter(None, [name])]) or None


def _module_root(module: _Module) -> Path:
    """The directory the dotted name is relative to (the project directory)."""
    depth = len(module.name.split(".")) - (0 if module.path.name == "__init__.py" else 1)
    parents = module.path.parent.parents
    if depth == 0 or not parents:
        return module.path.parent
    return parents[min(depth, len(parents)) - 1]


def _engine_from_url(url: str | None) -> str:
    if not url:
        return ""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    return _SCHEMES.get(scheme, "")
