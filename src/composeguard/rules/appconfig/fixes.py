"""The fixes of the app-configuration rules.

- CG301: Laravel's fallback connection in ``config/database.php`` becomes the connection of
  the SQL server the compose setups run (mysql/mariadb -> ``mysql``, postgres -> ``pgsql``,
  mssql -> ``sqlsrv``): only the characters between the literal's quotes change, found
  through the PHP syntax tree. ``DB_CONNECTION=sqlite`` in the app's env files likewise (the
  value only, read with python-dotenv's own reader); the ``DB_HOST``... lines are left as they
  are: they name this server's database, which only its operator knows. No server in compose,
  or several kinds of them: no fix.
- CG301 in Django settings: ``DATABASES['default']``, where it is a dict literal naming
  SQLite, becomes the one SQL server the compose setups run (postgres or mysql/mariadb), its
  database, user and password read from the variables that server's image takes
  (``os.environ[...]``: required, no SQLite fallback), ``import os`` added when missing.
- CG302 in Django settings: ``DEBUG = True`` becomes
  ``DEBUG = os.environ.get('DJANGO_DEBUG') == '1'``.
- CG303: a literal password replaced by a required variable (``${VAR:?set VAR}``).
"""

from __future__ import annotations

from collections.abc import Container
from pathlib import Path
from typing import TYPE_CHECKING

from composeguard.fix.builders import (
    best_effort,
    replace_edit,
    single_user,
    value_of_key,
    where_in,
    yaml_document,
)
from composeguard.lint.engine.finding import Edit, Fix, fix_builder

if TYPE_CHECKING:
    from composeguard.lint.facts.laravel import LaravelApp
    from composeguard.lint.parse.location import Location
    from composeguard.lint.parse.nodes import Node
    from composeguard.lint.project import Project


LARAVEL_CONNECTIONS = {"mysql": "mysql", "pgsql": "pgsql", "sqlsrv": "sqlsrv"}
"""A data store's ``family`` -> the Laravel connection that talks to it."""


def _sql_servers(project: Project, families: Container[str | None]
                 ) -> set[tuple[str, str, str]]:
    """(family, store, compose service) of every SQL server of ``families`` the compose
    setups run: what the Laravel and Django fixes point an app at."""
    return {(state.store.family, state.store.name, service.name)
            for _, service, state in project.data_store_services()
            if state.store.family is not None and state.store.family in families}


def server_connection(project: Project) -> tuple[str, str] | None:
    """(Laravel connection, store name) of the one kind of SQL server the compose setups run;
    None when they run none, or several kinds (which one the app uses is then a guess)."""
    found = {(LARAVEL_CONNECTIONS[family], store)
             for family, store, _ in _sql_servers(project, LARAVEL_CONNECTIONS)}
    connections = {connection for connection, _ in found}
    if len(connections) != 1:
        return None
    connection = connections.pop()
    stores = sorted(name for c, name in found if c == connection)
    return connection, "/".join(stores)


def _connection_defined(project: Project, app: LaravelApp, connection: str) -> bool:
    """The app's config/database.php defines ``connection`` (the framework's own config,
    used when the app has none, defines all of them)."""
    from composeguard.lint.facts.laravel import defined_connections

    path = app.root / "config" / "database.php"
    text = project.read_text(path)
    if text is None:
        return not path.exists()
    names = defined_connections(path, text)
    return names is not None and connection in names


def _runs_one_sql_server(project: Project, app: LaravelApp, *_: object, **__: object) -> bool:
    """The compose setups run one kind of SQL server, and the app's config defines its
    connection (a parse of config/database.php, which CG301 has read already)."""
    server = server_connection(project)
    return server is not None and _connection_defined(project, app, server[0])


@fix_builder(safe=True, offered=_runs_one_sql_server)
@best_effort
def laravel_default_fix(project: Project, app: LaravelApp) -> Fix | None:
    """CG301 in config/database.php: the fallback literal names the compose setup's server."""
    from composeguard.lint.facts.laravel import default_connection_literal

    server = server_connection(project)
    path = app.root / "config" / "database.php"
    text = project.read_text(path)
    if server is None or text is None or not _connection_defined(project, app, server[0]):
        return None
    connection, store = server
    location = default_connection_literal(path, text)
    if location is None or location.line != location.end[0]:
        return None
    line = text.split("\n")[location.line - 1]
    if line[location.column - 1 : location.end[1] - 1].strip().lower() != "sqlite":
        return None
    return Fix(f"make config/database.php fall back to the `{connection}` connection (the "
               f"{store} server the compose setup runs) instead of `sqlite`; where "
               "DB_CONNECTION is unset the app now uses that server",
               (replace_edit(location, connection),))


@fix_builder(safe=False, offered=_runs_one_sql_server)
@best_effort
def env_connection_fix(project: Project, app: LaravelApp, path: Path, line: int, *,
                       template: bool) -> Fix | None:
    """CG301 in one of the app's env files: ``DB_CONNECTION=sqlite`` names the server's
    connection. Safe in a template (only new copies change); unsafe in a file a server reads,
    which switches that server's app to another database."""
    server = server_connection(project)
    text = project.read_text(path)
    if server is None or text is None or path.parent != app.root \
            or not _connection_defined(project, app, server[0]):
        return None
    connection, store = server
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    span = _env_value_span(lines[line - 1].removesuffix("\r"), "DB_CONNECTION")
    if span is None:
        return None
    start, end, value = span
    if value.strip().lower() != "sqlite" or value != value.strip():
        return None
    edit = Edit(path, (line, start + 1), (line, end + 1), connection)
    description = f"set DB_CONNECTION={connection} in {path.name} (the {store} server the " \
                  "compose setup runs)"
    if template:
        return Fix(description, (edit,))
    return Fix(f"{description}; the app that reads {path.name} switches from its SQLite file "
               "to that server: move the data it holds first", (edit,), safe=False)


def _env_value_span(line: str, key: str) -> tuple[int, int, str] | None:
    """(start, end, text) of the value of a one-line ``key=value`` entry, quotes excluded, read
    with python-dotenv's own reader, stepping as its ``parse_binding`` does (a dotenv without
    those steps raises AttributeError: no fix); None for another key or an escaped value."""
    import io

    from dotenv import parser

    reader = parser.Reader(io.StringIO(line))
    try:
        reader.read_regex(parser._multiline_whitespace)
        reader.read_regex(parser._export)
        if parser.parse_key(reader) != key:
            return None
        reader.read_regex(parser._whitespace)
        if reader.peek(1) != "=":
            return None
        reader.read_regex(parser._equal_sign)
        start = reader.position.chars
        quote = reader.peek(1)
        value = parser.parse_value(reader)
    except parser.Error:
        return None
    if quote in ("'", '"'):
        start += 1
    text = line[start : start + len(value)]
    if text != value or not value:
        return None
    return start, start + len(value), value


@fix_builder(safe=False)
@best_effort
def required_credential_fix(project: Project, node: Node, variable: str) -> Fix | None:
    """CG303: the written password replaced by ``${VARIABLE:?set VARIABLE}``."""
    location = node.anchor_loc
    doc = yaml_document(project, location.path)
    if doc is None or not variable.replace("_", "").isalnum() or not variable.isascii():
        return None
    required = f"${{{variable}:?set {variable}}}"
    if node.key_loc is not None:
        value = value_of_key(doc, node.key_loc)
        if value is not None and not single_user(doc, value):
            return None  # an anchor merged into several services: edit it by hand
        change = doc.replace_scalar(value, required) if value is not None else None
    else:
        item = doc.item_at(location.line, location.column)
        if item is None or item.kind != "scalar" or not item.value or "=" not in item.value:
            return None
        name = item.value.split("=", 1)[0]
        change = doc.replace_scalar(item, f"{name}={required}")
    edits = doc.edits(change)
    if not edits:
        return None
    return Fix(f"{where_in(doc, location)}: take the password from the server's environment "
               f"(`{required}`): `docker "
               f"compose` refuses to start until {variable} is set there (or in an untracked "
               ".env), and it must be the password the store was created with", edits,
               safe=False)



# -- Django settings (libcst reads them; only the written values change) --------------------


def django_server(project: Project) -> tuple[str, str] | None:
    """(SQL family, compose service name) of the one SQL server, of a family Django has a
    backend for, that the compose setups run; None for none or several."""
    from composeguard.lint.facts.django import DJANGO_ENGINES

    found = {(family, service) for family, _, service in _sql_servers(project, DJANGO_ENGINES)}
    return found.pop() if len(found) == 1 else None


def _runs_one_django_server(project: Project, *_: object, **__: object) -> bool:
    return django_server(project) is not None


def _os_import(path: Path, text: str) -> tuple[Edit, ...]:
    from composeguard.lint.facts.django import os_import_line

    line = os_import_line(text)
    return () if line is None else (Edit(path, (line, 1), (line, 1), "import os\n"),)


@fix_builder(safe=False, offered=_runs_one_django_server)
@best_effort
def django_database_fix(project: Project, engine_at: Location) -> Fix | None:
    """CG301 in Django settings: ``DATABASES['default']`` reads the compose setup's SQL
    server from the environment, its credentials required (``os.environ[...]``)."""
    from composeguard.lint.facts.django import DJANGO_ENGINES, SERVER_VARIABLES, engine_dict

    server = django_server(project)
    path = engine_at.path
    text = project.read_text(path)
    if server is None or text is None:
        return None
    found = engine_dict(path, text, engine_at)
    if found is None:
        return None
    family, host = server
    name, user, password, port = SERVER_VARIABLES[family]
    q, inner = found.quote, found.indent + "    "
    entries = [("ENGINE", f"{q}{DJANGO_ENGINES[family]}{q}"),
               ("NAME", f"os.environ[{q}{name}{q}]"), ("USER", f"os.environ[{q}{user}{q}]"),
               ("PASSWORD", f"os.environ[{q}{password}{q}]"),
               ("HOST", f"os.environ.get({q}DB_HOST{q}, {q}{host}{q})"),
               ("PORT", f"os.environ.get({q}DB_PORT{q}, {q}{port}{q})")]
    body = "".join(f"{inner}{q}{key}{q}: {value},\n" for key, value in entries)
    edits = (replace_edit(found.location, "{\n" + body + found.indent + "}"),
             *_os_import(path, text))
    return Fix(f"make {path.name} read DATABASES['default'] from the environment: the "
               f"{DJANGO_ENGINES[family].rsplit('.', 1)[1]} server '{host}' the compose setup "
               f"runs, with {name}, {user} and {password} required in the app's environment "
               "(set them where the app service starts); nothing falls back to SQLite",
               edits, safe=False)


@fix_builder(safe=False)
@best_effort
def django_debug_fix(project: Project, statement_at: Location) -> Fix | None:
    """CG302 in Django settings: ``DEBUG = True`` becomes ``DEBUG`` read from the
    environment, off unless ``DJANGO_DEBUG=1``."""
    from composeguard.lint.facts.django import DEBUG_FROM_ENVIRONMENT, debug_value

    path = statement_at.path
    text = project.read_text(path)
    found = debug_value(path, text, statement_at) if text is not None else None
    if text is None or found is None:
        return None
    value_at, quote = found
    return Fix(f"make {path.name} read DEBUG from the environment, off unless DJANGO_DEBUG=1 "
               "(set it where developers run the app)",
               (replace_edit(value_at, DEBUG_FROM_ENVIRONMENT.format(q=quote)),
                *_os_import(path, text)), safe=False)
