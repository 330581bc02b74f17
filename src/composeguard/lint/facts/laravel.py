"""Facts about a Laravel app, read from its PHP syntax trees (tree-sitter-php), never as text.

CG301 needs the connection Laravel falls back to when ``DB_CONNECTION`` is unset, and CG501
needs to know whether anything stops ``migrate:fresh`` & co in production. Both are answers
that text matching gets wrong: a commented-out call, an alias import, a fully qualified name or
a key split across lines all change them. Everything here is pure over file text; the caller
passes ``read(path) -> str | None`` so that the Project reads each file once.

A hand-written guard counts when a provider registers a closure listener for
``Illuminate\\Console\\Events\\CommandStarting`` (``Event::listen(CommandStarting::class,
fn)``, ``$events->listen(...)``, or a closure whose first parameter is typed
``CommandStarting``) and that closure's body contains all three of: a production check (a call
to ``isProduction()``, a call to ``environment(...)`` naming ``'production'``, or an ``==``/
``===`` comparison with ``'production'``); a refusal (``throw``, ``exit``, ``die``); and at
least one destructive command named as a string literal (``'migrate:fresh'``) or as a prefix
passed to ``str_starts_with``/``Str::startsWith``. A listener that only logs, or refuses in
every environment, or whose refusal is not tied to a check we can see, is not a guard: a linter
that wrongly says "guarded" is silent exactly when data is at risk.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from composeguard.lint.facts.commands import CodeCommand, Operation, tool_words
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.syntax_tree import ParsedSource, walk

if TYPE_CHECKING:
    from tree_sitter import Language, Node

Read = Callable[[Path], "str | None"]
Version = tuple[int, int, int]

DESTRUCTIVE_COMMANDS = tool_words("artisan", Operation.DESTROY)
"""The artisan commands that drop tables or data, as the command table has them."""
PROHIBIT_DESTRUCTIVE_COMMANDS = ("migrate:fresh", "migrate:refresh", "migrate:reset", "db:wipe")
"""What ``DB::prohibitDestructiveCommands()`` blocks on every 11.9+ release, in the order
messages list them."""
ROLLBACK_PROHIBITED_SINCE: Version = (11, 39, 0)
"""From this release the method also blocks ``migrate:rollback``."""

_DB_FACADE = "illuminate\\support\\facades\\db"
_ENV_CLASS = "illuminate\\support\\env"
_SEED_COMMAND = "illuminate\\database\\console\\seeds\\seedcommand"
_COMMAND_STARTING = "illuminate\\console\\events\\commandstarting"
_PROHIBITABLE = {
    "illuminate\\database\\console\\migrations\\freshcommand": "migrate:fresh",
    "illuminate\\database\\console\\migrations\\refreshcommand": "migrate:refresh",
    "illuminate\\database\\console\\migrations\\resetcommand": "migrate:reset",
    "illuminate\\database\\console\\migrations\\rollbackcommand": "migrate:rollback",
    "illuminate\\database\\console\\wipecommand": "db:wipe",
}
_GLOBAL_ALIASES = {"db": _DB_FACADE}
"""Laravel's default class alias, so ``\\DB::`` and ``use DB;`` name the facade."""
_GUARD_PRIORITY = ("prohibitDestructiveCommands", "prohibit-calls", "hand-written")
_CLOSURES = ("anonymous_function", "arrow_function")
_CALLS = (
    "function_call_expression",
    "member_call_expression",
    "scoped_call_expression",
    "nullsafe_member_call_expression",
)
_ESCAPES = dict(zip('ntrvef\\$"', '\n\t\r\v\x1b\f\\$"', strict=True))
_MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class LaravelApp:
    root: Path
    version: Version | None
    """laravel/framework from composer.lock, else the lowest the composer.json constraint
    allows, else None."""
    constraint: str | None = None
    """composer.json's constraint, when no composer.lock says what is installed."""

    @property
    def locked(self) -> bool:
        return self.constraint is None

    def before(self, release: Version) -> bool:
        """What is installed is certainly older than ``release``: the locked version is, or
        the constraint admits nothing as new."""
        if self.version is None or self.version >= release:
            return False
        return self.locked or not admits_from(self.constraint or "", release)

    def maybe_before(self, release: Version) -> bool:
        """No lock, and the constraint admits releases older than ``release`` as well as
        newer ones (``^11.0`` and 11.9): which one is installed is unknown."""
        return (not self.locked and self.version is not None and self.version < release
                and not self.before(release))


@dataclass(frozen=True, slots=True)
class DefaultConnection:
    connection: str
    """The connection used when nothing is set: "sqlite", "mysql", ..."""
    from_env: str | None
    """The env variable that can override it, None for a plain literal."""
    location: Location


@dataclass(frozen=True, slots=True)
class DestructiveGuard:
    kind: str
    """The strongest guard found: "prohibitDestructiveCommands", "prohibit-calls" or
    "hand-written"; ``location`` is its first occurrence."""
    location: Location
    commands: frozenset[str]
    """Every destructive artisan command blocked by any guard found in the providers."""
    seed_prohibited: bool


# -- the app -----------------------------------------------------------------------------


def detect_laravel(root: Path, read: Read) -> LaravelApp | None:
    """An ``artisan`` file plus laravel/framework in composer.json ``require``."""
    if read(root / "artisan") is None:
        return None
    require = _json_object(read(root / "composer.json")).get("require")
    if not isinstance(require, dict):
        return None
    constraint = {str(k).lower(): v for k, v in require.items()}.get("laravel/framework")
    if constraint is None:
        return None
    version = _locked_version(read(root / "composer.lock"))
    if version is not None:
        return LaravelApp(root, version)
    if isinstance(constraint, str):
        return LaravelApp(root, lowest_allowed_version(constraint), constraint)
    return LaravelApp(root, None)


def lowest_allowed_version(constraint: str) -> Version | None:
    """The lowest release a Composer constraint admits ("^11.9" -> (11, 9, 0)).

    None when some alternative has no lower bound ("*", "<12", "dev-main"): claiming a
    version we cannot know would make CG501 give the wrong advice.
    """
    lows: list[Version] = []
    for alternative in constraint.replace("||", "|").split("|"):
        low: Version | None = None
        terms = alternative.replace(",", " ").split()
        skip_next = False
        for term in terms:
            if skip_next or term == "-":
                skip_next = term == "-"
                continue
            operator = term[: len(term) - len(term.lstrip("^~>=<!"))]
            version = _parse_version(term[len(operator) :])
            if version is not None and operator in ("", "^", "~", ">=", ">", "=", "=="):
                low = version if low is None else max(low, version)
        if low is None:
            return None
        lows.append(low)
    return min(lows) if lows else None


def admits_from(constraint: str, release: Version) -> bool:
    """The Composer constraint admits ``release`` or a newer one (``^11.0`` admits 11.9;
    ``~11.0.0``, ``<11.9`` and ``11.0 - 11.8`` do not). Unreadable terms admit anything."""
    for alternative in constraint.replace("||", "|").split("|"):
        terms = alternative.replace(",", " ").split()
        if "-" in terms:
            at = terms.index("-")
            terms = [*terms[: at - 1], f">={terms[at - 1]}",
                     *_hyphen_upper(terms[at + 1] if at + 1 < len(terms) else ""),
                     *terms[at + 2 :]]
        uppers = [upper for term in terms if (upper := _upper_bound(term)) is not None]
        if not uppers or min(uppers) > release:
            return True
    return False


def _hyphen_upper(text: str) -> list[str]:
    """``1.0 - 2.1``: a partial end admits its whole line (``<2.2``), a full one itself."""
    parts = _version_parts(text)
    if parts is None:
        return []
    if len(parts) < 3:
        return [f"<{'.'.join(map(str, [*parts[:-1], parts[-1] + 1]))}"]
    return [f"<={text}"]


def _upper_bound(term: str) -> Version | None:
    """The first release a term excludes from above; None when it sets no upper bound."""
    operator = term[: len(term) - len(term.lstrip("^~>=<!"))]
    if operator in (">", ">=", "!="):
        return None
    parts = _version_parts(term[len(operator) :])
    if not parts:
        return None
    major, minor, patch = (parts + [0, 0, 0])[:3]
    wildcard = any(x in term for x in ("*", ".x", ".X"))
    if operator == "^":
        if major > 0 or len(parts) == 1:
            return major + 1, 0, 0
        return (0, minor + 1, 0) if minor > 0 or len(parts) == 2 else (0, 0, patch + 1)
    if operator == "~":
        return (major + 1, 0, 0) if len(parts) <= 2 else (major, minor + 1, 0)
    if operator == "<":
        return major, minor, patch
    if operator == "<=" or (operator in ("", "=", "==") and not wildcard and len(parts) == 3):
        return major, minor, patch + 1
    # ``11``, ``11.2``, ``11.*``, ``11.2.x``: the whole line
    return (major + 1, 0, 0) if len(parts) == 1 else (major, minor + 1, 0)


def _version_parts(text: str) -> list[int] | None:
    """The numbers given (``11.2`` -> [11, 2]), stopping at a wildcard; None if unreadable."""
    text = text.strip().lstrip("vV")
    for stop in "-@+":
        text = text.split(stop, 1)[0]
    parts: list[int] = []
    for part in text.split(".")[:3]:
        if part in ("x", "X", "*"):
            break
        if not part.isdigit() or not part.isascii():
            return None
        parts.append(int(part))
    return parts or None


def _parse_version(text: str) -> Version | None:
    parts = _version_parts(text)
    if parts is None:
        return None
    parts += [0] * (3 - len(parts))
    return parts[0], parts[1], parts[2]


def _locked_version(text: str | None) -> Version | None:
    lock = _json_object(text)
    for section in ("packages", "packages-dev"):
        packages = lock.get(section)
        for package in packages if isinstance(packages, list) else ():
            if isinstance(package, dict) and package.get("name") == "laravel/framework":
                version = package.get("version")
                if isinstance(version, str) and "dev" not in version.lower():
                    return _parse_version(version)
    return None


def _json_object(text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


# -- PHP sources ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _language() -> Language:
    import tree_sitter_php
    from tree_sitter import Language

    return Language(tree_sitter_php.language_php())


class _Php(ParsedSource):
    """One parsed file with its namespace and ``use`` imports, for resolving class names."""

    def __init__(self, text: str, path: Path) -> None:
        super().__init__(text, path, _language())
        self.namespace = ""
        self.imports: dict[str, str] = {}
        for node in walk(self.root):
            if node.type == "namespace_definition" and not self.namespace:
                name = node.child_by_field_name("name")
                self.namespace = self.text(name) if name is not None else ""
            elif node.type == "namespace_use_declaration":
                self.imports.update(self._imports(node))

    def _imports(self, declaration: Node) -> Iterator[tuple[str, str]]:
        prefix = ""
        clauses: list[Node] = []
        for child in declaration.children:
            if child.type in ("function", "const"):
                return
            if child.type == "namespace_name":
                prefix = self.text(child)
            elif child.type == "namespace_use_clause":
                clauses.append(child)
            elif child.type == "namespace_use_group":
                clauses.extend(c for c in child.children if c.type == "namespace_use_clause")
        for clause in clauses:
            name = alias = None
            for index, child in enumerate(clause.children):
                if child.type in ("function", "const"):
                    break
                if clause.field_name_for_child(index) == "alias":
                    alias = self.text(child)
                elif child.type in ("name", "qualified_name") and name is None:
                    name = self.text(child)
            else:
                if name is not None:
                    full = (f"{prefix}\\{name}" if prefix else name).strip("\\")
                    yield (alias or full.rsplit("\\", 1)[-1]).lower(), full

    def resolve(self, node: Node | None) -> str:
        """The lower-case fully qualified class a name node denotes, by PHP's rules."""
        if node is None or node.type not in ("name", "qualified_name", "named_type"):
            return ""
        if node.type == "named_type":
            return self.resolve(node.named_children[0] if node.named_children else None)
        return self.resolve_text(self.text(node)).lower()

    def resolve_text(self, name: str) -> str:
        if name.startswith("\\"):
            full = name[1:]
        elif name.lower().startswith("namespace\\"):
            full = f"{self.namespace}\\{name[10:]}".strip("\\")
        else:
            first, _, rest = name.partition("\\")
            imported = self.imports.get(first.lower())
            if imported is not None:
                full = f"{imported}\\{rest}" if rest else imported
            else:
                full = f"{self.namespace}\\{name}".strip("\\")
        return _GLOBAL_ALIASES.get(full.lower(), full)

    def literal(self, node: Node | None) -> str | None:
        """The value of a constant string literal; None for anything else."""
        node = _unwrap(node)
        if node is None or node.type not in ("string", "encapsed_string"):
            return None
        single = node.type == "string"
        parts: list[str] = []
        for child in node.named_children:
            if child.type == "string_content":
                parts.append(self.text(child))
            elif child.type == "escape_sequence":
                escape = self.text(child)
                parts.append(escape[1:] if single else _unescape(escape))
            else:
                return None
        return "".join(parts)

    def returned_array(self) -> Node:
        """What a config file returns (its first top-level ``return``), else the whole file.

        The result may be an ERROR node: :func:`_entries` reads through those.
        """
        statements = list(self.root.children)
        while statements:
            statement = statements.pop(0)
            if statement.type == "namespace_definition":
                body = statement.child_by_field_name("body")
                statements[:0] = body.children if body is not None else []
            elif statement.type == "return_statement":
                value = _unwrap(_first_expression(statement))
                if value is not None and value.type in ("array_creation_expression", "ERROR"):
                    return value
                break
        return self.root




def _unwrap(node: Node | None) -> Node | None:
    for _ in range(_MAX_DEPTH):
        if node is None or node.type != "parenthesized_expression":
            return node
        node = _first_expression(node)
    return None


def _first_expression(node: Node) -> Node | None:
    return next((c for c in node.named_children if c.type != "comment"), None)


def _unescape(escape: str) -> str:
    body = escape[1:]
    if body[:1] in _ESCAPES:
        return _ESCAPES[body[0]]
    try:
        if body[:2] == "u{":
            return chr(int(body[2:-1], 16))
        if body[:1] == "x":
            return chr(int(body[1:], 16))
        if body.isdigit():
            return chr(int(body, 8) & 0xFF)
    except (ValueError, OverflowError):
        pass
    return escape


def _entries(php: _Php, array: Node) -> Iterator[tuple[str | None, Node]]:
    """(literal key, value) of an array's ``key => value`` elements.

    The elements are read as one token stream in which ERROR nodes are opened, so a missing
    comma or a stray bracket elsewhere in the file does not hide the key we want.
    """
    flat: list[Node] = []
    stack = list(reversed(array.children))
    while stack:
        node = stack.pop()
        if node.type in ("array_element_initializer", "ERROR"):
            stack.extend(reversed(node.children))
        elif node.type != "comment":
            flat.append(node)
    for index, node in enumerate(flat):
        if node.type == "=>" and 0 < index < len(flat) - 1:
            key, value = flat[index - 1], flat[index + 1]
            if value.is_named:
                yield php.literal(key), value


def _arguments(php: _Php, call: Node) -> list[tuple[str | None, Node]]:
    """(name of a named argument or None, expression) for each argument of a call."""
    arguments = call.child_by_field_name("arguments")
    found: list[tuple[str | None, Node]] = []
    for argument in arguments.named_children if arguments is not None else ():
        if argument.type != "argument":
            continue
        name = argument.child_by_field_name("name")
        values = [c for c in argument.named_children if c.type != "comment"]
        if name is not None:
            values = [c for c in values if c.start_byte > name.start_byte]
        if values:
            found.append((php.text(name) if name is not None else None, values[0]))
    return found


def _argument(php: _Php, call: Node, index: int, name: str) -> Node | None:
    """The argument at ``index`` or named ``name``; None when absent."""
    positional = 0
    for label, value in _arguments(php, call):
        if label is None:
            if positional == index:
                return value
            positional += 1
        elif label == name:
            return value
    return None


def _method(php: _Php, call: Node) -> str:
    name = call.child_by_field_name("name") or call.child_by_field_name("function")
    return php.text(name).lower().lstrip("\\") if name is not None else ""


# -- config/database.php ---------------------------------------------------------------------


def default_connection(path: Path, text: str) -> DefaultConnection | None:
    """The connection ``config/database.php``'s ``'default'`` falls back to.

    Understood: a literal, ``env('DB_CONNECTION', 'sqlite')`` (named arguments, ``\\env``,
    ``Env::get``), ``env('DB_CONNECTION') ?? 'sqlite'``, and nestings of these. Anything else
    (a constant, another function) gives None: we only report what the file certainly says.
    """
    php = _Php(text, path)
    value = next((v for k, v in _entries(php, php.returned_array()) if k == "default"), None)
    found = _connection_of(php, value, 0) if value is not None else None
    return found[0] if found is not None else None


def _connection_of(
    php: _Php, node: Node | None, depth: int
) -> tuple[DefaultConnection, Node] | None:
    """The default connection an expression gives, and the string literal it comes from."""
    node = _unwrap(node)
    if node is None or depth > _MAX_DEPTH:
        return None
    value = php.literal(node)
    if value is not None:
        return DefaultConnection(value, None, php.location(node)), node
    if node.has_error and node.type not in _CALLS and node.type != "binary_expression":
        # a missing comma makes ``'sqlite' 'next' => ...`` parse as one broken expression
        return _connection_of(php, _first_expression(node), depth + 1)
    if node.type == "binary_expression" and _operator(php, node) == "??":
        left = _unwrap(node.child_by_field_name("left"))
        env = _env_call(php, left) if left is not None else None
        if env is None:
            return None
        variable, default = env
        fallback = node.child_by_field_name("right") if default is None else None
        inner = _connection_of(php, fallback, depth + 1) if fallback is not None else None
        if inner is not None and variable is not None:
            return DefaultConnection(inner[0].connection, variable, php.location(node)), inner[1]
        return _connection_of(php, left, depth + 1)
    env = _env_call(php, node)
    if env is None or env[0] is None or env[1] is None:
        return None
    inner = _connection_of(php, env[1], depth + 1)
    if inner is None:
        return None
    return DefaultConnection(inner[0].connection, env[0], php.location(node)), inner[1]


def _env_call(php: _Php, node: Node) -> tuple[str | None, Node | None] | None:
    """(variable, default node) of ``env(...)``/``Env::get(...)``; None for other nodes."""
    if node.type == "function_call_expression":
        function = node.child_by_field_name("function")
        name = php.text(function).lower() if function is not None else ""
        if name not in ("env", "\\env"):
            return None
    elif node.type == "scoped_call_expression":
        scope = php.resolve(node.child_by_field_name("scope"))
        if scope != _ENV_CLASS or _method(php, node) != "get":
            return None
    else:
        return None
    return php.literal(_argument(php, node, 0, "key")), _argument(php, node, 1, "default")


def _operator(php: _Php, node: Node) -> str:
    operator = node.child_by_field_name("operator")
    return php.text(operator) if operator is not None else ""


# -- service providers -------------------------------------------------------------------------


def provider_files(app: LaravelApp, read: Read) -> list[Path]:
    """``app/Providers/*.php`` plus the providers that bootstrap/providers.php and config/app.php
    register, mapped to files through composer.json's PSR-4 autoload."""
    found: list[Path] = []
    try:
        found.extend(sorted(p for p in (app.root / "app" / "Providers").glob("*.php")))
    except OSError:
        pass
    seen = {os.path.normpath(p) for p in found}
    psr4 = _psr4(_json_object(read(app.root / "composer.json")))
    for relative, key in (("bootstrap/providers.php", None), ("config/app.php", "providers")):
        config = app.root / relative
        text = read(config)
        if text is None:
            continue
        php = _Php(text, config)
        for name in _registered_classes(php, key):
            for path in _class_files(app.root, psr4, name):
                if os.path.normpath(path) not in seen and read(path) is not None:
                    seen.add(os.path.normpath(path))
                    found.append(path)
                    break
    return found


def _registered_classes(php: _Php, key: str | None) -> list[str]:
    """The ``X::class`` names (and class-name strings) in the returned array or one key."""
    target: Node | None = php.returned_array()
    if key is not None and target is not None:
        target = next((v for k, v in _entries(php, target) if k == key), None)
    names = (_class_name(php, node) for node in (walk(target) if target is not None else ()))
    return [name for name in names if name]


def _class_name(php: _Php, node: Node | None) -> str | None:
    """The class ``X::class`` or a class-name string literal names (original case)."""
    node = _unwrap(node)
    if node is not None and node.type == "class_constant_access_expression":
        parts = [c for c in node.named_children if c.type != "comment"]
        named = len(parts) == 2 and parts[0].type in ("name", "qualified_name")
        return (
            php.resolve_text(php.text(parts[0]))
            if named and php.text(parts[1]) == "class"
            else None
        )
    literal = php.literal(node)
    if literal and "\\" in literal and not any(c.isspace() for c in literal):
        return literal.lstrip("\\")
    return None


def _psr4(composer: Mapping[str, Any]) -> list[tuple[str, str]]:
    autoload = composer.get("autoload")
    mapping = autoload.get("psr-4") if isinstance(autoload, dict) else None
    pairs: list[tuple[str, str]] = []
    for prefix, directories in mapping.items() if isinstance(mapping, dict) else ():
        for directory in directories if isinstance(directories, list) else [directories]:
            if isinstance(directory, str):
                pairs.append((str(prefix).strip("\\"), directory))
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def _class_files(root: Path, psr4: list[tuple[str, str]], name: str) -> Iterator[Path]:
    for prefix, directory in psr4:
        if prefix and not name.startswith(prefix + "\\"):
            continue
        relative = name[len(prefix) :].strip("\\").replace("\\", "/")
        candidate = os.path.normpath(os.path.join(directory, relative + ".php"))
        if relative and not os.path.isabs(candidate) and not candidate.startswith(".."):
            yield root / candidate


# -- seeders ---------------------------------------------------------------------------------

SEED_UPSERTS = frozenset({"updateorcreate", "firstorcreate", "createorfirst", "upsert",
                          "updateorinsert", "insertorignore"})
"""Eloquent and query-builder calls that leave an existing row alone or update it in place."""
SEED_INSERTS = frozenset({"create", "createmany", "createquietly", "forcecreate", "insert",
                          "insertgetid", "save", "savequietly", "savemany", "push"})
SEED_DELETES = frozenset({"truncate", "delete", "forcedelete", "destroy"})
SEED_UPDATES = frozenset({"update", "updatequietly", "increment", "decrement"})
"""Calls that overwrite rows already there with the seed's values."""
_SEEDER_CALLS = frozenset({"call", "callsilent", "callwith", "callonce"})
_MAX_SEEDERS = 40


def seeder_effects(app: LaravelApp, read: Read, seeder: str = "DatabaseSeeder"
                   ) -> frozenset[str]:
    """What a seeder's ``run()`` does to rows, following ``$this->call(...)`` into the
    seeders it calls: ``upsert``, ``insert``, ``update``, ``delete``, and ``unknown`` for a seeder whose
    file cannot be found or read. A seeder made only of upserts can run on every start."""
    composer = _json_object(read(app.root / "composer.json"))
    psr4 = _psr4(composer) or [("Database\\Seeders", "database/seeders/")]
    first = seeder if "\\" in seeder else f"Database\\Seeders\\{seeder}"
    pending: list[str] = [first.strip("\\")]
    seen: set[str] = set()
    effects: set[str] = set()
    while pending and len(seen) < _MAX_SEEDERS:
        name = pending.pop()
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        text = path = None
        for candidate in _class_files(app.root, psr4, name):
            text = read(candidate)
            if text is not None:
                path = candidate
                break
        if text is None or path is None:
            effects.add("unknown")
            continue
        php = _Php(text, path)
        run = next((m for m in walk(php.root) if m.type == "method_declaration"
                    and (n := m.child_by_field_name("name")) is not None
                    and php.text(n).lower() == "run"), None)
        if run is None:
            effects.add("unknown")
            continue
        for node in walk(run):
            if node.type not in ("member_call_expression", "scoped_call_expression",
                                 "nullsafe_member_call_expression"):
                continue
            method = _method(php, node)
            if method in _SEEDER_CALLS:
                pending.extend(php.resolve_text(php.text(c.named_children[0]))
                               for c in walk(node.child_by_field_name("arguments") or node)
                               if c.type == "class_constant_access_expression"
                               and len(c.named_children) == 2
                               and php.text(c.named_children[1]).lower() == "class")
            elif method in SEED_UPSERTS:
                effects.add("upsert")
            elif method in SEED_DELETES:
                effects.add("delete")
            elif method in SEED_UPDATES:
                effects.add("update")
            elif method in SEED_INSERTS:
                effects.add("insert")
    return frozenset(effects)


# -- destructive-command guards ----------------------------------------------------------------


def destructive_guard(app: LaravelApp, read: Read) -> DestructiveGuard | None:
    """What stops ``migrate:fresh`` & co in the app's providers; None when nothing does."""
    hits: list[tuple[str, Location, frozenset[str]]] = []
    seed_prohibited = False
    for path in provider_files(app, read):
        text = read(path)
        if text is None:
            continue
        php = _Php(text, path)
        for kind, location, commands in _guards_in(php, app.version):
            if kind == "seed":
                seed_prohibited = True
            else:
                hits.append((kind, location, commands - {"db:seed"}))
                seed_prohibited = seed_prohibited or "db:seed" in commands
    hits = [hit for hit in hits if hit[2]]
    if not hits:
        return None
    kind, location, _ = min(hits, key=lambda hit: _GUARD_PRIORITY.index(hit[0]))
    commands = frozenset().union(*(hit[2] for hit in hits))
    return DestructiveGuard(kind, location, commands, seed_prohibited)


def _guards_in(
    php: _Php, version: Version | None
) -> Iterator[tuple[str, Location, frozenset[str]]]:
    method_blocks = frozenset(PROHIBIT_DESTRUCTIVE_COMMANDS)
    if version is not None and version >= ROLLBACK_PROHIBITED_SINCE:
        method_blocks = method_blocks | {"migrate:rollback"}
    for node in walk(php.root):
        if node.type not in ("scoped_call_expression", "member_call_expression"):
            continue
        method = _method(php, node)
        if method == "listen":
            commands = _hand_written_guard(php, node)
            if commands:
                yield "hand-written", php.location(node), commands
            continue
        if node.type != "scoped_call_expression" or _switched_off(php, node):
            continue
        scope = php.resolve(node.child_by_field_name("scope"))
        if scope == _DB_FACADE and method == "prohibitdestructivecommands":
            yield "prohibitDestructiveCommands", php.location(node), method_blocks
        elif method == "prohibit" and scope in _PROHIBITABLE:
            yield "prohibit-calls", php.location(node), frozenset({_PROHIBITABLE[scope]})
        elif method == "prohibit" and scope == _SEED_COMMAND:
            yield "seed", php.location(node), frozenset({"db:seed"})


def _switched_off(php: _Php, call: Node) -> bool:
    """``prohibit(false)`` registers nothing."""
    first = _unwrap(_argument(php, call, 0, "prohibit"))
    return first is not None and first.type == "boolean" and php.text(first).lower() == "false"


def _hand_written_guard(php: _Php, call: Node) -> frozenset[str]:
    """The commands a ``listen(...)`` call refuses in production (see the module docstring)."""
    arguments = [value for _, value in _arguments(php, call)]
    listener = None
    if len(arguments) >= 2 and _names_command_starting(php, arguments[0]):
        listener = _unwrap(arguments[1])
    elif arguments and _closure_takes_command_starting(php, _unwrap(arguments[0])):
        listener = _unwrap(arguments[0])
    body = listener.child_by_field_name("body") if listener is not None else None
    if listener is None or listener.type not in _CLOSURES or body is None:
        return frozenset()
    production = refuses = False
    commands: set[str] = set()
    pending, seen = [body], set()
    while pending:
        for node in walk(pending.pop()):
            if node.type in ("throw_expression", "exit_statement"):
                refuses = True
            elif node.type in _CALLS:
                name = _method(php, node)
                refuses = refuses or name in ("die", "exit")
                production = production or _is_production_call(php, node, name)
                if name in ("str_starts_with", "startswith"):
                    prefix = php.literal(_argument(php, node, 1, "needle"))
                    commands.update(_prefixed(prefix) if prefix else ())
            elif node.type == "binary_expression" and _operator(php, node) in ("==", "==="):
                sides = (node.child_by_field_name("left"), node.child_by_field_name("right"))
                production = production or any(php.literal(s) == "production" for s in sides)
            elif node.type == "class_constant_access_expression" and node.id not in seen:
                seen.add(node.id)
                pending.extend(_own_constant(php, node))
            elif node.type in ("string", "encapsed_string"):
                commands.update(_prefixed(php.literal(node) or "", exact=True))
    return frozenset(commands) if production and refuses else frozenset()


def _prefixed(prefix: str, exact: bool = False) -> set[str]:
    known = DESTRUCTIVE_COMMANDS | {"db:seed"}
    return {c for c in known if (c == prefix if exact else c.startswith(prefix))}


def _own_constant(php: _Php, access: Node) -> list[Node]:
    """The value of ``self::NAME``/``static::NAME`` in the class that holds ``access``, so a
    guard may list its commands in a class constant."""
    parts = [c for c in access.named_children if c.type != "comment"]
    if len(parts) != 2 or php.text(parts[0]).lower() not in ("self", "static"):
        return []
    owner = access.parent
    while owner is not None and owner.type != "class_declaration":
        owner = owner.parent
    body = owner.child_by_field_name("body") if owner is not None else None
    for node in body.named_children if body is not None else ():
        for element in node.named_children if node.type == "const_declaration" else ():
            children = [c for c in element.named_children if c.type != "comment"]
            if len(children) == 2 and php.text(children[0]) == php.text(parts[1]):
                return [children[1]]
    return []


def _is_production_call(php: _Php, call: Node, name: str) -> bool:
    if name == "isproduction":
        return True
    if name != "environment":
        return False
    arguments = call.child_by_field_name("arguments")
    return arguments is not None and any(
        php.literal(node) == "production" for node in walk(arguments)
    )


def _names_command_starting(php: _Php, node: Node) -> bool:
    return (_class_name(php, node) or "").lower() == _COMMAND_STARTING


def _closure_takes_command_starting(php: _Php, node: Node | None) -> bool:
    if node is None or node.type not in _CLOSURES:
        return False
    parameters = node.child_by_field_name("parameters")
    first = (
        next((c for c in parameters.named_children if c.type == "simple_parameter"), None)
        if parameters is not None
        else None
    )
    return first is not None and php.resolve(first.child_by_field_name("type")) == (
        _COMMAND_STARTING
    )


# -- where to write a guard ----------------------------------------------------------------------


def guard_site(app: LaravelApp, read: Read) -> Location:
    """Where a missing guard belongs: ``AppServiceProvider::boot()`` (its name), else the top of
    ``app/Providers/AppServiceProvider.php``, else the top of ``artisan``."""
    path = app.root / "app" / "Providers" / "AppServiceProvider.php"
    text = read(path)
    if text is None:
        return Location(app.root / "artisan", 1, 1)
    return method_location(path, text, "boot") or Location(path, 1, 1)


def method_location(path: Path, text: str, method: str) -> Location | None:
    """Where the first class method named ``method`` is declared (its name); None when absent."""
    php = _Php(text, path)
    for node in walk(php.root):
        if node.type != "method_declaration":
            continue
        name = node.child_by_field_name("name")
        if name is not None and php.text(name).lower() == method.lower():
            return php.location(name)
    return None


# -- where fixes edit ----------------------------------------------------------------------------


def default_connection_literal(path: Path, text: str) -> Location | None:
    """The characters between the quotes of the string literal that ``'default'`` falls back
    to (what :func:`default_connection` reads as the connection), so a fix can replace the
    name and keep everything else; None when that reading finds no plain literal (escapes,
    a heredoc)."""
    php = _Php(text, path)
    value = next((v for k, v in _entries(php, php.returned_array()) if k == "default"), None)
    found = _connection_of(php, value, 0) if value is not None else None
    if found is None:
        return None
    node = found[1]
    raw = php.text(node)
    content = php.literal(node)
    if len(raw) < 2 or raw[0] not in "'\"" or raw[-1] != raw[0] or raw[1:-1] != content:
        return None
    whole = php.location(node)
    end_line, end_column = whole.end
    return Location(path, whole.line, whole.column + 1, end_line, end_column - 1)


def defined_connections(path: Path, text: str) -> frozenset[str] | None:
    """The connection names ``config/database.php`` defines under ``'connections'``; None when
    the file has no literal ``'connections'`` array to read."""
    php = _Php(text, path)
    value = next((v for k, v in _entries(php, php.returned_array()) if k == "connections"), None)
    value = _unwrap(value)
    if value is None or value.type != "array_creation_expression":
        return None
    return frozenset(k for k, _ in _entries(php, value) if k is not None)


@dataclass(frozen=True, slots=True)
class ProviderLayout:
    """Where the parts of a service provider class are written, for a fix that adds a
    statement to its ``boot()`` (and the ``use`` line the statement needs)."""

    namespace: Location | None
    """The ``namespace ...;`` statement (a braced namespace counts as none: see ``braced``)."""
    braced: bool
    """The file uses ``namespace X { ... }``: imports belong inside, left alone here."""
    imports: tuple[tuple[str, Location], ...]
    """Each top-level ``use`` declaration: the class it imports first, and where it is."""
    db_class: str | None
    """The fully qualified class ``DB`` names through a ``use`` (original case), or None."""
    class_body: Location | None
    """The class's ``{ ... }``."""
    members: tuple[Location, ...]
    """Its methods, properties and constants, in order."""
    boot_body: Location | None
    """``boot()``'s ``{ ... }``; None when the class has no boot method."""
    boot_children: tuple[tuple[str, str, Location], ...]
    """What ``boot()``'s body holds: (node type, its text, where)."""
    prohibits: bool
    """A ``prohibitDestructiveCommands`` call is written in the file (even one that passes
    ``false``, or on another class)."""
    has_errors: bool
    """tree-sitter found a syntax error somewhere in the file."""


def provider_layout(path: Path, text: str, class_name: str) -> ProviderLayout | None:
    """The layout of the first class named ``class_name`` in ``text``; None when it is absent."""
    php = _Php(text, path)
    namespace: Location | None = None
    braced = False
    imports: list[tuple[str, Location]] = []
    target: Node | None = None
    for node in php.root.children:
        if node.type == "namespace_definition" and namespace is None and not braced:
            braced = node.child_by_field_name("body") is not None
            namespace = None if braced else php.location(node)
        elif node.type == "namespace_use_declaration":
            first = next(iter(php._imports(node)), None)
            if first is not None:
                imports.append((first[1], php.location(node)))
        elif node.type == "class_declaration" and target is None:
            name = node.child_by_field_name("name")
            if name is not None and php.text(name).lower() == class_name.lower():
                target = node
    if target is None:
        return None
    body = target.child_by_field_name("body")
    members = tuple(php.location(c) for c in body.named_children if c.type != "comment") \
        if body is not None else ()
    boot = next((c for c in (body.named_children if body is not None else ())
                 if c.type == "method_declaration" and (n := c.child_by_field_name("name"))
                 is not None and php.text(n).lower() == "boot"), None)
    boot_body = boot.child_by_field_name("body") if boot is not None else None
    children = tuple((c.type, php.text(c), php.location(c))
                     for c in (boot_body.named_children if boot_body is not None else ()))
    prohibits = any(node.type == "scoped_call_expression"
                    and _method(php, node) == "prohibitdestructivecommands"
                    for node in walk(php.root))
    imported = php.imports.get("db")
    return ProviderLayout(
        namespace, braced, tuple(imports), imported,
        php.location(body) if body is not None else None, members,
        php.location(boot_body) if boot_body is not None else None, children, prohibits,
        php.root.has_error)


# -- artisan commands the app's own code runs ----------------------------------------------------

_ARTISAN_FACADE = "illuminate\\support\\facades\\artisan"
_ARTISAN_METHODS = frozenset({"call", "callsilent", "callsilently", "queue"})
_COMMAND_METHODS = frozenset({"call", "callsilent", "callsilently"})
ENVIRONMENT_CHECKS = frozenset({"environment", "islocal", "isproduction", "runningunittests",
                                "env", "getenv", "app_env"})
"""Calls and constants whose value is the environment the app runs in: a command run only
under a condition on one of them is the deploy's choice, not something production does on
its own."""


def artisan_calls(path: Path, text: str) -> list[CodeCommand]:
    """``Artisan::call('migrate:fresh', ['--force' => true])`` (also ``callSilent`` and
    ``queue``, and ``$this->call(...)`` in a console command) with a literal command name,
    read from the PHP syntax tree. Options given as array keys become flags when their value
    is not a literal ``false``."""
    if "call" not in text.lower() and "queue" not in text.lower():
        return []
    php = _Php(text, path)
    command_class = any(node.type == "base_clause" and "command" in php.text(node).lower()
                        for node in walk(php.root))
    found: list[CodeCommand] = []
    for node in walk(php.root):
        method = _method(php, node) if node.type in (
            "scoped_call_expression", "member_call_expression") else ""
        if node.type == "scoped_call_expression" and method in _ARTISAN_METHODS:
            if php.resolve(node.child_by_field_name("scope")) not in (_ARTISAN_FACADE,
                                                                     "artisan"):
                continue
        elif node.type == "member_call_expression" and method in _COMMAND_METHODS \
                and command_class:
            target = node.child_by_field_name("object")
            if target is None or php.text(target) != "$this":
                continue
        else:
            continue
        name = php.literal(_argument(php, node, 0, "command"))
        if not name or not name.split():
            continue
        words = ["php", "artisan", *name.split()]
        options = _unwrap(_argument(php, node, 1, "parameters"))
        if options is not None and options.type == "array_creation_expression":
            for key, value in _entries(php, options):
                if key is not None and key.startswith("-") and not (
                        value.type == "boolean" and php.text(value).lower() == "false"):
                    words.append(key)
        found.append(CodeCommand(tuple(words), php.location(node), _under_environment(php, node)))
    return found


def _under_environment(php: _Php, node: Node) -> bool:
    """``node`` runs only when a condition on the environment holds."""
    child, parent = node, node.parent
    while parent is not None:
        condition = parent.child_by_field_name("condition")
        if parent.type in ("if_statement", "else_if_clause", "conditional_expression",
                           "match_expression", "while_statement") and condition is not None \
                and condition is not child and _reads_environment(php, condition):
            return True
        if parent.type == "else_clause" and parent.parent is not None:
            outer = parent.parent.child_by_field_name("condition")
            if outer is not None and _reads_environment(php, outer):
                return True
        child, parent = parent, parent.parent
    return False


def _reads_environment(php: _Php, condition: Node) -> bool:
    for node in walk(condition):
        if node.type in _CALLS and _method(php, node) in ENVIRONMENT_CHECKS:
            return True
        if node.type in ("string", "encapsed_string") and (php.literal(node) or "").lower() in (
                "app.env", "app.debug", "app_env", "app_debug"):
            return True
    return False
