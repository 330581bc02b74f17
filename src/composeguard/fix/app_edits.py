"""The fixes of the app-configuration, repository and guard rules, and of the compose and
script lines some of them point at.

Every fix edits the file the finding points at, in place, and changes only what it must:

- CG301: Laravel's fallback connection in ``config/database.php`` becomes the connection of
  the SQL server the compose setups run (mysql/mariadb -> ``mysql``, postgres -> ``pgsql``,
  mssql -> ``sqlsrv``): only the characters between the literal's quotes change, found
  through the PHP syntax tree. ``DB_CONNECTION=sqlite`` in the app's env files likewise (the
  value only, read with python-dotenv's own reader); the ``DB_HOST``... lines are left as they
  are: they name this server's database, which only its operator knows. No server in compose,
  or several kinds of them: no fix.
- CG402: the missing patterns appended, under ``# composeguard: database files``, to the
  ``.gitignore`` at the root of what was checked (created when missing), when git's own rules
  say the result ignores the database (a deeper ``!pattern`` would still win: no fix then).
- CG501: ``DB::prohibitDestructiveCommands($this->app->isProduction());`` added to
  ``AppServiceProvider::boot()`` (the method added when missing) with its ``use`` line, in the
  file's own indentation; the result must parse and be seen as the guard.
- CG105: ``hostname: <service>`` on a rabbitmq service.
- CG104: ``-v``/``--volumes`` removed from the ``down`` (or ``system prune``) of a script
  line, where those words are written plainly on it.
- CG303: a literal password replaced by a required variable (``${VAR:?set VAR}``).
- CG502: a data store's published port bound to ``127.0.0.1``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING

from composeguard.fix.edits import EditError, apply_edits
from composeguard.fix.yaml_edits import YamlText, YNode
from composeguard.lint.finding import Edit, Fix, Location, fix_builder

if TYPE_CHECKING:
    from composeguard.lint.compose import Service
    from composeguard.lint.laravel import LaravelApp, ProviderLayout
    from composeguard.lint.nodes import Node
    from composeguard.lint.project import Project
    from composeguard.lint.shell import Command

LARAVEL_CONNECTIONS = {"mysql": "mysql", "pgsql": "pgsql", "sqlsrv": "sqlsrv"}
"""A data store's ``family`` -> the Laravel connection that talks to it."""
GUARD_SINCE = (11, 9, 0)
IGNORE_HEADER = "# composeguard: database files"
DB_FACADE = "Illuminate\\Support\\Facades\\DB"
GUARD_CALL = "::prohibitDestructiveCommands($this->app->isProduction());"
LOOPBACK = "127.0.0.1"


def _best_effort(builder: Callable[..., Fix | None]) -> Callable[..., Fix | None]:
    """A fix that cannot be built is no fix; the finding is still reported."""

    @wraps(builder)
    def build(*args: object, **kwargs: object) -> Fix | None:
        try:
            return builder(*args, **kwargs)
        except (LookupError, ValueError, TypeError, AttributeError, RecursionError, OSError,
                EditError):
            return None

    return build


def _replace(location: Location, text: str) -> Edit:
    return Edit(location.path, (location.line, location.column), location.end, text)


def _insert(path: Path, line: int, column: int, text: str) -> Edit:
    return Edit(path, (line, column), (line, column), text)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


# -- CG301 sqlite-default-connection ------------------------------------------------------------


def server_connection(project: Project) -> tuple[str, str] | None:
    """(Laravel connection, store name) of the one kind of SQL server the compose setups run;
    None when they run none, or several kinds (which one the app uses is then a guess)."""
    found = {(LARAVEL_CONNECTIONS[state.store.family], state.store.name)
             for _, _, state in project.data_store_services()
             if state.store.family in LARAVEL_CONNECTIONS}
    connections = {connection for connection, _ in found}
    if len(connections) != 1:
        return None
    connection = connections.pop()
    stores = sorted(name for c, name in found if c == connection)
    return connection, "/".join(stores)


def _connection_defined(project: Project, app: LaravelApp, connection: str) -> bool:
    """The app's config/database.php defines ``connection`` (the framework's own config,
    used when the app has none, defines all of them)."""
    from composeguard.lint.laravel import defined_connections

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
@_best_effort
def laravel_default_fix(project: Project, app: LaravelApp) -> Fix | None:
    """CG301 in config/database.php: the fallback literal names the compose setup's server."""
    from composeguard.lint.laravel import default_connection_literal

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
               (_replace(location, connection),))


@fix_builder(safe=False, offered=_runs_one_sql_server)
@_best_effort
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


# -- CG402 database-files-not-ignored -----------------------------------------------------------


def patterns_in(suggestion: str) -> tuple[str, ...]:
    """The patterns of a CG402 suggestion (each written in backquotes)."""
    return tuple(p for p in suggestion.split("`")[1::2] if p and "\n" not in p)


def ignore_text(current: str | None, patterns: Sequence[str]) -> str:
    """``current`` (a .gitignore's text, None when it does not exist) with ``patterns`` added
    under :data:`IGNORE_HEADER`; patterns it has already are not repeated."""
    text = current or ""
    present = {line.strip() for line in text.replace("\r\n", "\n").split("\n")}
    missing = [p for p in dict.fromkeys(patterns) if p not in present]
    if not missing:
        return text
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    block = "\n".join(missing) + "\n"
    own_block = any(line.strip() == IGNORE_HEADER for line in lines) and _ends_with_block(lines)
    if own_block:
        added = block
    elif lines:
        added = f"\n{IGNORE_HEADER}\n{block}"
    else:
        added = f"{IGNORE_HEADER}\n{block}"
    separator = "" if not text or text.endswith("\n") else "\n"
    return text + separator + added


def _ends_with_block(lines: list[str]) -> bool:
    """The file ends with our header and nothing but plain patterns after it."""
    for line in reversed(lines):
        stripped = line.strip()
        if stripped == IGNORE_HEADER:
            return True
        if not stripped or stripped.startswith("#"):
            return False
    return False


@fix_builder(safe=True)
@_best_effort
def ignore_patterns_fix(project: Project, target: Path, patterns: Sequence[str],
                        shown: Sequence[str]) -> Fix | None:
    """CG402: ``patterns`` appended to the ``.gitignore`` at ``target`` (created when
    missing); ``shown`` names the database files it now ignores, for the description."""
    if not patterns or target.is_symlink():
        return None
    exists = target.exists()
    current = project.read_text(target) if exists else None
    if exists and current is None:
        return None
    after = ignore_text(current, patterns)
    listed = ", ".join(f"`{p}`" for p in dict.fromkeys(patterns))
    files = ", ".join(shown)
    if current is None:
        return Fix(f"create {target.name} ignoring {listed} ({files})", new_files=((target,
                                                                               after),))
    if after == current:
        return None
    lines = current.split("\n")
    position = (len(lines), len(lines[-1]) + 1)
    added = after[len(current):]
    return Fix(f"add {listed} to {target.name} ({files})",
               (Edit(target, position, position, added),))


def ignored_with(project: Project, root: Path, target: Path, text: str, path: Path) -> bool:
    """Whether git would ignore ``path`` once the ignore file ``target`` holds ``text``."""
    from composeguard.lint.ignore import IgnoreRules

    def read(candidate: Path) -> str | None:
        if candidate == target:
            return text
        return None if candidate.is_symlink() else project.read_text(candidate)

    try:
        found = IgnoreRules(root, read).explain(path)
    except (OSError, ValueError, LookupError, RecursionError):
        return False
    return found is not None and not found.negated


# -- CG501 destructive-commands-unguarded --------------------------------------------------------


def _has_the_guard(project: Project, app: LaravelApp) -> bool:
    """The app's Laravel has the guard method, and an AppServiceProvider that parses and
    does not call it yet (tree-sitter reads it in a millisecond)."""
    from composeguard.lint.laravel import provider_layout

    if app.version is None or app.version < GUARD_SINCE:
        return False
    path = app.root / "app" / "Providers" / "AppServiceProvider.php"
    text = project.read_text(path)
    layout = provider_layout(path, text, "AppServiceProvider") if text is not None else None
    return layout is not None and not layout.has_errors and not layout.prohibits


@fix_builder(safe=True, offered=_has_the_guard)
@_best_effort
def destructive_guard_fix(project: Project, app: LaravelApp) -> Fix | None:
    """CG501: the guard added to ``AppServiceProvider::boot()``; Laravel 11.9+ only (the
    method does not exist before), never next to an existing call (one passing ``false``
    would decide, whatever we add)."""
    from composeguard.lint.laravel import provider_layout

    if app.version is None or app.version < GUARD_SINCE:
        return None
    path = app.root / "app" / "Providers" / "AppServiceProvider.php"
    text = project.read_text(path)
    layout = provider_layout(path, text, "AppServiceProvider") if text is not None else None
    if text is None or layout is None or layout.has_errors or layout.prohibits:
        return None
    if layout.db_class is None:
        use = _use_edit(path, text, layout)
        if use is None:
            return None
        edits = [use]
        call = "DB" + GUARD_CALL
    elif layout.db_class.lower().lstrip("\\") == DB_FACADE.lower():
        edits, call = [], "DB" + GUARD_CALL
    else:
        edits, call = [], "\\" + DB_FACADE + GUARD_CALL
    boot = _boot_edit(path, text, layout, call)
    if boot is None:
        return None
    edits.append(boot)
    after = apply_edits(text, edits)
    check = provider_layout(path, after, "AppServiceProvider")
    if check is None or check.has_errors or not check.prohibits:
        return None
    where = "AppServiceProvider::boot()" if layout.boot_body is not None else \
        "a new AppServiceProvider::boot()"
    return Fix(f"call `DB::prohibitDestructiveCommands($this->app->isProduction())` in {where}: "
               "migrate:fresh, migrate:refresh, migrate:reset and db:wipe then refuse to run "
               "in production", tuple(edits))


def _use_edit(path: Path, text: str, layout: ProviderLayout) -> Edit | None:
    """``use Illuminate\\Support\\Facades\\DB;`` among the imports, in alphabetical order."""
    lines = text.split("\n")
    line_of = "use " + DB_FACADE + ";\n"
    if layout.imports:
        wanted = DB_FACADE.lower()
        after = [loc for name, loc in layout.imports if name.lower().lstrip("\\") > wanted]
        if after:
            before = after[0]
            if lines[before.line - 1][: before.column - 1].strip():
                return None
            return _insert(path, before.line, 1, line_of)
        last = layout.imports[-1][1]
        if lines[last.end[0] - 1][last.end[1] - 1 :].strip():
            return None
        return _insert(path, last.end[0] + 1, 1, line_of) if last.end[0] < len(lines) else None
    namespace = layout.namespace
    if namespace is None or layout.braced:
        return None
    end_line, end_column = namespace.end
    if lines[end_line - 1][end_column - 1 :].strip() or end_line >= len(lines):
        return None
    return _insert(path, end_line + 1, 1, "\n" + line_of)


def _boot_edit(path: Path, text: str, layout: ProviderLayout, call: str) -> Edit | None:
    lines = text.split("\n")
    body = layout.boot_body
    if body is None:
        return _new_boot(path, lines, layout, call)
    brace_line = lines[body.line - 1]
    member = _indent(brace_line)
    children = layout.boot_children
    inner = _body_indent(lines, layout, member)
    if inner is None:
        return None
    if len(children) == 1 and children[0][0] == "comment" and children[0][1].strip() == "//":
        comment = children[0][2]
        if lines[comment.line - 1][: comment.column - 1].strip():
            return None
        return _replace(comment, call)
    if not children and body.line == body.end[0]:
        return _replace(body, "{\n" + inner + call + "\n" + member + "}")
    if brace_line[body.column :].strip():
        return None
    return _insert(path, body.line + 1, 1, inner + call + "\n")


def _body_indent(lines: list[str], layout: ProviderLayout, member: str) -> str | None:
    """The indentation of boot()'s statements: as written there, else one level more."""
    for _, _, location in layout.boot_children:
        line = lines[location.line - 1]
        if not line[: location.column - 1].strip():
            return line[: location.column - 1]
    unit = _indent_unit(lines, layout)
    return member + unit if unit is not None else None


def _indent_unit(lines: list[str], layout: ProviderLayout) -> str | None:
    """One indentation level: the class members' indentation when the class starts at the
    left margin, else four spaces."""
    for location in layout.members:
        line = lines[location.line - 1]
        indent = line[: location.column - 1]
        if indent and not indent.strip():
            body = layout.class_body
            outer = _indent(lines[body.line - 1]) if body is not None else ""
            return indent[len(outer):] if indent.startswith(outer) and len(indent) > len(outer) \
                else None
    return "    "


def _new_boot(path: Path, lines: list[str], layout: ProviderLayout, call: str) -> Edit | None:
    """A ``boot()`` method holding ``call``, inserted before the class's closing brace."""
    body = layout.class_body
    unit = _indent_unit(lines, layout)
    if body is None or unit is None or body.line == body.end[0]:
        return None
    close_line, close_column = body.end
    closing = lines[close_line - 1]
    if closing[: close_column - 2].strip():
        return None
    outer = _indent(lines[body.line - 1])
    member = outer + unit
    method = (f"{member}public function boot(): void\n{member}{{\n{member}{unit}{call}\n"
              f"{member}}}\n")
    previous = lines[close_line - 2] if close_line >= 2 else ""
    if layout.members and previous.strip():
        method = "\n" + method
    return _insert(path, close_line, 1, method)


# -- compose files ------------------------------------------------------------------------------


def _parse(path: Path, text: str) -> YamlText | None:
    return YamlText.parse(path, text)


def _document(project: Project, path: Path) -> YamlText | None:
    text = project.read_text(path)
    return _parse(path, text) if text is not None else None


def _value_of_key(doc: YamlText, location: Location) -> YNode | None:
    """The value of the mapping entry whose key is written at ``location``."""
    wanted = (location.line - 1, location.column - 1)
    for node in doc.walk():
        for key, value in node.pairs:
            if key.start == wanted:
                return value
    return None


def _where(doc: YamlText, location: Location) -> str:
    """What a fix's description names (two fixes of one file must not read the same)."""
    line = f"line {location.line}"
    node = _value_of_key(doc, location) or doc.item_at(location.line, location.column)
    path = node.path if node is not None else ()
    if len(path) >= 2 and path[0] == "services":
        return f"service '{path[1]}' ({line})"
    return line


def _hostname(name: str) -> str | None:
    """A service name as a host name: letters, digits and ``-`` (others become ``-``)."""
    host = "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-" for c in name)
    host = host.strip("-")
    return host[:63] if host else None


@fix_builder(safe=False)
@_best_effort
def rabbitmq_hostname_fix(project: Project, service: Service) -> Fix | None:
    """CG105: ``hostname: <service name>`` in the file that defines the service."""
    path = service.location.path
    doc = _document(project, path)
    host = _hostname(service.name)
    if doc is None or host is None:
        return None
    node = doc.lookup(("services", service.name))
    if node is None or node.kind != "map" or node.own("hostname") is not None:
        return None
    edits = doc.edits(doc.set_entry(("services", service.name), "hostname", host))
    if not edits:
        return None
    return Fix(f"set `hostname: {host}` on service '{service.name}': RabbitMQ then keeps its "
               f"data under mnesia/rabbit@{host} across recreations; the broker running now "
               "keeps its data under its current random host name, so the next `up` starts "
               "an empty node: drain or move its queues first", edits, safe=False)


@fix_builder(safe=False)
@_best_effort
def required_credential_fix(project: Project, node: Node, variable: str) -> Fix | None:
    """CG303: the written password replaced by ``${VARIABLE:?set VARIABLE}``."""
    location = node.anchor_loc
    doc = _document(project, location.path)
    if doc is None or not variable.replace("_", "").isalnum() or not variable.isascii():
        return None
    required = f"${{{variable}:?set {variable}}}"
    if node.key_loc is not None:
        value = _value_of_key(doc, node.key_loc)
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
    return Fix(f"{_where(doc, location)}: take the password from the server's environment "
               f"(`{required}`): `docker "
               f"compose` refuses to start until {variable} is set there (or in an untracked "
               ".env), and it must be the password the store was created with", edits,
               safe=False)


@fix_builder(safe=True)
@_best_effort
def loopback_port_fix(project: Project, item: Node, host_ip: str, published: str) -> Fix | None:
    """CG502: the ``ports:`` item at ``item`` bound to 127.0.0.1 (``host_ip`` and
    ``published`` as the rule read them)."""
    location = item.loc
    doc = _document(project, location.path)
    node = doc.item_at(location.line, location.column) if doc is not None else None
    if doc is None or node is None or doc.anchors_above(node):
        return None
    if node.kind == "map":
        current = node.own("host_ip")
        change = doc.add_entry(node, "host_ip", LOOPBACK) if current is None else \
            doc.replace_scalar(current, LOOPBACK)
    elif node.kind == "scalar" and node.value:
        from composeguard.lint.nodes import scalar_text

        text = node.value
        if "$" in text and (host_ip or len(scalar_text(item.value).split("/")[0].split(":")) != 2):
            return None
        if not host_ip:
            # `published:target` as written (a `${VAR}` port counts as written, even when it
            # interpolates to nothing) gets the address in front; a bare target gets an
            # ephemeral port on the address (`127.0.0.1::5432`).
            written_parts = 2 if "$" in text else len(text.partition("/")[0].split(":"))
            separator = ":" if written_parts == 2 else "::"
            change = doc.replace_scalar(node, f"{LOOPBACK}{separator}{text}")
        else:
            spec, slash, protocol = text.partition("/")
            parts = spec.split(":")
            if len(parts) < 3:
                return None
            change = doc.replace_scalar(node, f"{LOOPBACK}:{':'.join(parts[-2:])}{slash}{protocol}")
    else:
        return None
    edits = doc.edits(change)
    if not edits:
        return None
    shown = f" `{node.value}`" if node.kind == "scalar" else ""
    return Fix(f"{_where(doc, location)}: publish the port{shown} on 127.0.0.1 only: the "
               "services of the setup still reach it over the Compose network, and a person "
               "on another machine through an SSH tunnel", edits)


# -- CG104 volume-destroying-command ------------------------------------------------------------

_VOLUME_FLAGS = {"down": ("-v", "--volumes"), "prune": ("--volumes",)}


@fix_builder(safe=False)
@_best_effort
def keep_volumes_fix(project: Project, command: Command) -> Fix | None:
    """CG104 in a script: ``-v``/``--volumes`` removed from ``down`` (or ``system prune``)
    where the subcommand and the flag are written plainly on one line."""
    from composeguard.lint.commands import Operation, classify

    words, places = command.words, command.word_locations
    if len(words) != len(places) or not places:
        return None
    path = places[0].path
    text = project.read_text(path)
    if text is None:
        return None
    lines = text.split("\n")
    sub = next((i for i, w in enumerate(words) if w in _VOLUME_FLAGS), None)
    if sub is None or not _plain(lines, places[sub], words[sub]):
        return None
    removed = [i for i in range(sub + 1, len(words)) if words[i] in _VOLUME_FLAGS[words[sub]]]
    kept = [w for i, w in enumerate(words) if i not in removed]
    if not removed or any(a.operation is Operation.VOLUME_DESTROY for a in classify(kept)):
        return None
    edits = []
    for index in removed:
        here, before = places[index], places[index - 1]
        if not _plain(lines, here, words[index]) or before.end[0] != here.line:
            return None
        gap = lines[here.line - 1][before.end[1] - 1 : here.column - 1]
        if not gap or gap.strip(" \t"):
            return None
        edits.append(Edit(path, before.end, here.end, ""))
    shown = " ".join(words[: sub + 1])
    return Fix(f"line {places[sub].line}: remove `{' '.join(words[i] for i in removed)}` from `{shown}`: the volumes and "
               "the databases in them are kept; a script that relied on starting from empty "
               "volumes (a reset, a test run) no longer does", tuple(edits), safe=False)


def _plain(lines: list[str], location: Location, word: str) -> bool:
    """``word`` is written at ``location`` as is (no quotes, no variable), on one line."""
    line, column = location.line, location.column
    end_line, end_column = location.end
    if line != end_line or not 1 <= line <= len(lines):
        return False
    return lines[line - 1][column - 1 : end_column - 1] == word
