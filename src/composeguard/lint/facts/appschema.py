"""Application settings that drop or rewrite the database schema when the app starts.

An ORM told to build the schema from the models does it on every start of the process, so a
container restart can drop tables or columns. Read with real parsers:

- TypeORM: ``synchronize: true`` or ``dropSchema: true`` in an object of a file that uses
  TypeORM (``new DataSource({...})``, ``TypeOrmModule.forRoot({...})``, ``ormconfig.ts``), and
  ``ormconfig.json`` (the TypeScript/JavaScript grammars of tree-sitter, and ``json``);
- Sequelize: ``<anything>.sync({ force: true })`` (drops every table) or ``{ alter: true }``
  (drops the columns the models lost) in application code;
- Hibernate/Spring: ``spring.jpa.hibernate.ddl-auto`` (or ``hibernate.hbm2ddl.auto``, or the
  JPA ``schema-generation.database.action``) set to ``create``/``create-drop``/
  ``drop-and-create`` in ``application.properties``/``.yml`` or a production profile's file
  (``javaproperties`` and ruamel.yaml), a ``${VAR:create}`` placeholder default included.

A literal ``true`` counts; ``synchronize: process.env.DB_SYNC === 'true'`` or a call inside an
``if`` on the environment leaves the choice to the deploy and is not reported. Tests, seeders
and scripts named for what they reset are not read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from composeguard.lint.model.compose import name_words
from composeguard.lint.model.discover import DEPENDENCY_DIRS
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.syntax_tree import ParsedSource, walk

if TYPE_CHECKING:
    from tree_sitter import Language, Node

SCRIPT_SUFFIXES = frozenset({".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"})
SKIPPED_DIRS = DEPENDENCY_DIRS | {"dist", "build", "coverage", "test", "tests", "__tests__",
                                  "spec", "e2e", "seeders", "seeds", "fixtures"}
SKIPPED_WORDS = frozenset({"test", "spec", "seed", "seeder", "reset", "fixture", "fixtures",
                           "mock", "e2e", "dev", "local", "development", "testing"})
"""Words of a file name (or a Spring profile) that say it is not what production runs."""
MAX_SOURCE_BYTES = 1024 * 1024
SCRIPT_NAME_WORDS = frozenset({
    "datasource", "source", "ormconfig", "typeorm", "orm", "database", "db", "connection",
    "sequelize", "models", "server", "app", "index", "main", "module", "config", "bootstrap",
})
"""Words of the file names where a data source is configured or the app starts
(``data-source.ts``, ``app.module.ts``, ``server.js``, ``models/index.js``): the only script
files read, so that a large front end's components are never opened."""
FRONTEND_DIRS = frozenset({"public", "static", "assets", "components", "pages", "views",
                           "resources", "client", "frontend", "styles", "locales", "i18n"})
DESTRUCTIVE_DDL = frozenset({"create", "create-drop", "drop-and-create"})
DDL_KEYS = ("spring.jpa.hibernate.ddl-auto", "spring.jpa.properties.hibernate.hbm2ddl.auto",
            "hibernate.hbm2ddl.auto",
            "spring.jpa.properties.javax.persistence.schema-generation.database.action",
            "spring.jpa.properties.jakarta.persistence.schema-generation.database.action",
            "javax.persistence.schema-generation.database.action",
            "jakarta.persistence.schema-generation.database.action")
DDL_ENVIRONMENT = frozenset({"SPRING_JPA_HIBERNATE_DDL_AUTO",
                             "SPRING_JPA_PROPERTIES_HIBERNATE_HBM2DDL_AUTO"})
"""How a compose ``environment:`` sets the same (Spring's relaxed binding)."""


@dataclass(frozen=True, slots=True)
class SchemaReset:
    location: Location
    framework: str
    """``TypeORM``, ``Sequelize``, ``Hibernate``."""
    setting: str
    """As a message shows it: ``synchronize: true``, ``sync({ force: true })``."""
    effect: str


def wanted(path: Path, relative_parts: tuple[str, ...]) -> bool:
    """Whether a project file may hold such a setting and is worth reading."""
    if any(p.lower() in SKIPPED_DIRS for p in relative_parts[:-1]):
        return False
    name = path.name.lower()
    stem_words = name_words(name.rsplit(".", 1)[0])
    if name == "ormconfig.json":
        return True
    if name.startswith("application") and name.endswith((".properties", ".yml", ".yaml")):
        return not (stem_words - {"application"}) & SKIPPED_WORDS
    folders = {p.lower() for p in relative_parts[:-1]}
    return (path.suffix.lower() in SCRIPT_SUFFIXES and not name.endswith(".d.ts")
            and not stem_words & SKIPPED_WORDS and bool(stem_words & SCRIPT_NAME_WORDS)
            and not folders & FRONTEND_DIRS)


def find_resets(path: Path, text: str) -> list[SchemaReset]:
    """The schema-resetting settings in one file (see the module docstring)."""
    name = path.name.lower()
    if name == "ormconfig.json":
        return _ormconfig_json(path, text)
    if name.endswith(".properties"):
        return _properties(path, text)
    if name.endswith((".yml", ".yaml")):
        return _spring_yaml(path, text)
    if len(text) > MAX_SOURCE_BYTES or not any(
            word in text for word in ("synchronize", "dropSchema", "sync(")):
        return []
    return _Script(path, text).resets()


# -- TypeScript and JavaScript -----------------------------------------------------------------


@lru_cache(maxsize=3)
def _language(kind: str) -> Language:
    from tree_sitter import Language

    if kind == "js":
        import tree_sitter_javascript

        return Language(tree_sitter_javascript.language())
    import tree_sitter_typescript

    return Language(tree_sitter_typescript.language_tsx() if kind == "tsx"
                    else tree_sitter_typescript.language_typescript())


def called_methods(text: str) -> frozenset[str]:
    """The names of the methods a JavaScript snippet calls (``db.dropDatabase()`` gives
    ``dropDatabase``), as ``mongosh --eval`` runs it."""
    if len(text) > MAX_SOURCE_BYTES:
        return frozenset()
    source = ParsedSource(text, Path("eval.js"), _language("js"))
    found = set()
    for node in walk(source.root):
        function = node.child_by_field_name("function") if node.type == "call_expression" \
            else None
        prop = function.child_by_field_name("property") if function is not None \
            and function.type == "member_expression" else None
        if prop is not None:
            found.add(source.text(prop))
    return frozenset(found)


def created_users(path: Path, text: str) -> list[tuple[str, str, Location]]:
    """The database users a MongoDB init script creates with a password written in it:
    ``db.createUser({user: 'app', pwd: 'secret', ...})`` as (user, password, where the
    password is). A password read from the environment (``process.env.X``) is none."""
    if "createUser" not in text or len(text) > MAX_SOURCE_BYTES:
        return []
    source = ParsedSource(text, path, _language("js"))
    found = []
    for node in walk(source.root):
        function = node.child_by_field_name("function") if node.type == "call_expression" \
            else None
        prop = function.child_by_field_name("property") if function is not None \
            and function.type == "member_expression" else None
        if prop is None or source.text(prop) != "createUser":
            continue
        arguments = node.child_by_field_name("arguments")
        spec = next((c for c in arguments.named_children if c.type == "object"), None) \
            if arguments is not None else None
        fields = {}
        for pair in spec.named_children if spec is not None else ():
            key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            if pair.type == "pair" and key is not None and value is not None:
                fields[source.text(key).strip("'\"")] = value
        pwd, user = fields.get("pwd"), fields.get("user")
        if pwd is not None and pwd.type == "string":
            name = source.text(user).strip("'\"`") if user is not None and \
                user.type == "string" else "?"
            found.append((name, source.text(pwd)[1:-1], source.location(pwd)))
    return found


SEED_FILE_EFFECTS = {
    "del": "delete", "delete": "delete", "truncate": "delete", "bulkDelete": "delete",
    "insert": "insert", "bulkInsert": "insert", "create": "insert", "bulkCreate": "insert",
    "merge": "upsert", "ignore": "upsert", "upsert": "upsert", "findOrCreate": "upsert",
    "update": "update", "bulkUpdate": "update",
}
"""What the query-builder and ORM calls of a JavaScript seed (knex, Sequelize) do to rows:
``knex('users').del()`` deletes, ``.insert(...)`` inserts, ``.insert(...).onConflict().merge()``
or ``.ignore()`` upserts (an insert that ends in one of those is an upsert), ``.update``
overwrites what is there."""


def seed_file_effects(path: Path, text: str) -> frozenset[str]:
    """What one knex or Sequelize seed file does to rows (see :data:`SEED_FILE_EFFECTS`),
    read with tree-sitter's JavaScript or TypeScript grammar; empty for a file that is not a
    seed (no ``seed``/``up`` function is needed: only the calls are read)."""
    if len(text) > MAX_SOURCE_BYTES:
        return frozenset()
    kind = "ts" if path.suffix in (".ts", ".mts", ".cts") else "js"
    source = ParsedSource(text, path, _language(kind))
    calls: list[tuple[Node, str]] = []
    for node in walk(source.root):
        function = node.child_by_field_name("function") if node.type == "call_expression" \
            else None
        prop = function.child_by_field_name("property") if function is not None \
            and function.type == "member_expression" else None
        effect = SEED_FILE_EFFECTS.get(source.text(prop)) if prop is not None else None
        if effect is not None:
            calls.append((node, effect))
    upserted: set[tuple[int, int]] = set()  # the calls a merge()/ignore() chain ends
    for node, effect in calls:
        inner = node.child_by_field_name("function") if effect == "upsert" else None
        while inner is not None and inner.type in ("call_expression", "member_expression"):
            if inner.type == "call_expression":
                upserted.add((inner.start_byte, inner.end_byte))
                inner = inner.child_by_field_name("function")
            else:
                inner = inner.child_by_field_name("object")
    return frozenset("upsert" if effect == "insert" and (node.start_byte, node.end_byte)
                     in upserted else effect for node, effect in calls)


_TYPEORM_EFFECTS = {
    "synchronize": "rewrites the schema to match the entities on every start, dropping the "
                   "columns and tables they no longer have",
    "dropSchema": "drops the whole schema on every start",
}


class _Script(ParsedSource):
    def __init__(self, path: Path, text: str) -> None:
        kind = "js" if path.suffix.lower() in (".js", ".mjs", ".cjs") else "ts"
        super().__init__(text, path, _language(kind))

    def resets(self) -> list[SchemaReset]:
        found: list[SchemaReset] = []
        typeorm = self._uses_typeorm()
        for node, gated in self._walk_gated():
            if node.type == "pair" and typeorm:
                key = self._key(node)
                value = node.child_by_field_name("value")
                if key in _TYPEORM_EFFECTS and value is not None and value.type == "true" \
                        and not gated:
                    found.append(SchemaReset(self.location(node), "TypeORM", f"{key}: true",
                                             _TYPEORM_EFFECTS[key]))
            elif node.type == "call_expression" and not gated:
                reset = self._sequelize_sync(node)
                if reset is not None:
                    found.append(reset)
        return found

    def _walk_gated(self) -> Iterator[tuple[Node, bool]]:
        """Every node, and whether it is inside an ``if``/ternary/``&&`` that tests the
        environment, in one pass (asking each node for its parents is quadratic in depth:
        tree-sitter finds a parent from the root down)."""
        stack: list[tuple[Node, bool]] = [(self.root, False)]
        while stack:
            node, gated = stack.pop()
            yield node, gated
            inner = gated or self._tests_environment(node)
            stack.extend((child, inner) for child in reversed(node.children))

    def _uses_typeorm(self) -> bool:
        if self.path.stem.lower().startswith("ormconfig"):
            return True
        for node in walk(self.root):
            if node.type == "import_statement":
                source = node.child_by_field_name("source")
                if source is not None and "typeorm" in self.text(source):
                    return True
            elif node.type == "call_expression" and self._callee(node) == "require":
                arguments = node.child_by_field_name("arguments")
                if arguments is not None and "typeorm" in self.text(arguments):
                    return True
        return False

    def _callee(self, call: Node) -> str:
        function = call.child_by_field_name("function")
        return self.text(function) if function is not None else ""

    def _key(self, pair: Node) -> str:
        key = pair.child_by_field_name("key")
        return self.text(key).strip("'\"`") if key is not None else ""

    def _sequelize_sync(self, call: Node) -> SchemaReset | None:
        function = call.child_by_field_name("function")
        if function is None or function.type != "member_expression":
            return None
        prop = function.child_by_field_name("property")
        if prop is None or self.text(prop) != "sync":
            return None
        arguments = call.child_by_field_name("arguments")
        options = next((c for c in arguments.named_children if c.type == "object"), None) \
            if arguments is not None else None
        if options is None:
            return None
        for pair in options.named_children:
            value = pair.child_by_field_name("value") if pair.type == "pair" else None
            key = self._key(pair) if pair.type == "pair" else ""
            if key in ("force", "alter") and value is not None and value.type == "true":
                effect = ("drops every table and creates it empty on every start"
                          if key == "force" else
                          "alters the tables to match the models on every start, dropping "
                          "the columns they no longer have")
                return SchemaReset(self.location(call), "Sequelize",
                                   f"sync({{ {key}: true }})", effect)
        return None

    def _tests_environment(self, node: Node) -> bool:
        """An ``if``/ternary/``&&`` whose condition tests the environment."""
        condition = None
        if node.type in ("if_statement", "ternary_expression"):
            condition = node.child_by_field_name("condition")
        elif node.type == "binary_expression":
            operator = node.child_by_field_name("operator")
            if operator is not None and self.text(operator) == "&&":
                condition = node.child_by_field_name("left")
        return condition is not None and any(
            word in self.text(condition) for word in ("env", "NODE_ENV", "isDev", "isProd",
                                                      "production"))


# -- ormconfig.json -------------------------------------------------------------------------------


def _ormconfig_json(path: Path, text: str) -> list[SchemaReset]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    configs = data if isinstance(data, list) else [data]
    found = []
    for config in configs:
        if not isinstance(config, dict) or "test" in str(config.get("name", "")).lower():
            continue
        for key, effect in _TYPEORM_EFFECTS.items():
            if config.get(key) is True:
                found.append(SchemaReset(Location(path, _line_of(text, f'"{key}"')), "TypeORM",
                                         f'"{key}": true', effect))
    return found


def _line_of(text: str, needle: str) -> int:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


# -- Spring ---------------------------------------------------------------------------------------


def ddl_effect(value: str) -> str | None:
    """The effect of a ddl-auto value, a Spring ``${VAR:default}`` placeholder's default
    included; None for a value that keeps the data (``update``, ``validate``, ``none``)."""
    text = value.strip()
    fallback = False
    if text.startswith("${") and text.endswith("}") and ":" in text:
        text, fallback = text[2:-1].split(":", 1)[1].strip(), True
    if text.lower() not in DESTRUCTIVE_DDL:
        return None
    effect = ("drops every table and creates it empty on every start"
              if text.lower() != "create-drop" else
              "drops every table on every start, and again when the app stops")
    return f"falls back to `{text}` when the variable is unset, which {effect}" if fallback \
        else effect


def _properties(path: Path, text: str) -> list[SchemaReset]:
    """The DDL settings of a ``.properties`` file. Its logical lines (a line ending in an odd
    number of backslashes goes on) are found in one pass, and only those that can hold a DDL
    key are given to javaproperties, whose own joining of continuations is quadratic in
    them."""
    import javaproperties

    found = []
    for line, logical in _logical_lines(text):
        if not any(key.split(".")[-1] in logical for key in DDL_KEYS):
            continue
        try:
            elements = list(javaproperties.parse(logical))
        except ValueError:  # javaproperties.InvalidUEscapeError is one
            continue
        for element in elements:
            if isinstance(element, javaproperties.KeyValue) and element.key in DDL_KEYS:
                effect = ddl_effect(element.value)
                if effect is not None:
                    found.append(SchemaReset(Location(path, line), "Hibernate",
                                             f"{element.key}={element.value.strip()}", effect))
    return found


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text with its continuation lines) for each logical line."""
    start, parts = 1, list[str]()
    for number, physical in enumerate(text.splitlines(keepends=True), start=1):
        if not parts:
            start = number
        parts.append(physical)
        body = physical.rstrip("\r\n")
        if (len(body) - len(body.rstrip("\\"))) % 2 == 0:
            yield start, "".join(parts)
            parts = []
    if parts:
        yield start, "".join(parts)


def _spring_yaml(path: Path, text: str) -> list[SchemaReset]:
    from composeguard.lint.parse.yamlio import YamlLoadError, parse_yaml_documents

    try:
        documents = parse_yaml_documents(text, path)
    except YamlLoadError:
        return []
    found = []
    for document in documents:
        if document is None or not document.is_map or _dev_profile(document):
            continue
        for key in DDL_KEYS:
            node = _dotted(document, key)
            if node is not None and node.is_scalar and node.value is not None:
                effect = ddl_effect(str(node.value))
                if effect is not None:
                    found.append(SchemaReset(node.anchor_loc, "Hibernate",
                                             f"{key}: {node.value}", effect))
    return found


def _dotted(node: Any, key: str) -> Any:
    """``a.b.c`` through nested mappings, and through keys that are themselves dotted
    (``spring: {jpa.hibernate.ddl-auto: create}``)."""
    if not key:
        return node
    if node is None or not node.is_map:
        return None
    for name, child in node.items():
        if key == name:
            return child
        if key.startswith(name + "."):
            found = _dotted(child, key[len(name) + 1:])
            if found is not None:
                return found
    return None


def _dev_profile(document: Any) -> bool:
    """A YAML document for a development or test profile (``spring.config.activate.
    on-profile: dev``, or the older ``spring.profiles: test``)."""
    profile = _activated_profile(document)
    words = name_words(profile) if profile is not None else set()
    return bool(words & SKIPPED_WORDS) and not words & {"prod", "production"}



# -- Spring credentials ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpringCredential:
    """A password a Spring production profile writes in the file."""

    location: Location
    key: str
    """``spring.datasource.password``."""
    profile: str
    fallback: bool
    """Written as a ``${VAR:default}`` default: used when the server does not set VAR."""


def spring_credentials(path: Path, text: str) -> list[SpringCredential]:
    """The store passwords (``spring.*.password``, and a password inside a ``spring.*.url``
    or ``.uri``) written literally in what a production profile reads: an
    ``application-<profile>`` file whose profile is named for a deployed environment
    (``prod``, ``production``, ``staging``...), or a YAML document of any ``application``
    file activated on one. A ``${VAR}`` reference is none; a ``${VAR:default}`` counts with
    its default. Empty values and placeholders asking to be replaced are not credentials."""
    from composeguard.lint.model.compose import PRODUCTION_MARKERS

    name = path.name.lower()
    if not name.startswith("application") or "password" not in text and "@" not in text:
        return []
    profile = name.rsplit(".", 1)[0].partition("-")[2]
    production = bool(name_words(profile) & PRODUCTION_MARKERS) and "local" not in profile
    found: list[SpringCredential] = []
    if name.endswith(".properties"):
        if not production:
            return []
        import javaproperties

        for line, logical in _logical_lines(text):
            if "password" not in logical.lower() and "@" not in logical:
                continue
            try:
                elements = list(javaproperties.parse(logical))
            except ValueError:
                continue
            for element in elements:
                if isinstance(element, javaproperties.KeyValue):
                    credential = _credential(Location(path, line), element.key,
                                             element.value, profile)
                    if credential is not None:
                        found.append(credential)
        return found
    from composeguard.lint.parse.yamlio import YamlLoadError, parse_yaml_documents

    try:
        documents = parse_yaml_documents(text, path)
    except YamlLoadError:
        return []
    for document in documents:
        if document is None or not document.is_map:
            continue
        active = _activated_profile(document)
        if not (production and active is None) and not (
                active is not None and name_words(active) & PRODUCTION_MARKERS):
            continue
        for key, node in _flattened(document):
            if node.is_scalar and node.value is not None:
                credential = _credential(node.anchor_loc, key, str(node.value),
                                         active or profile)
                if credential is not None:
                    found.append(credential)
    return found


def _credential(location: Location, key: str, value: str, profile: str
                ) -> SpringCredential | None:
    from composeguard.lint.facts.secrets import asks_to_be_replaced, url_password

    lowered = key.lower()
    if not lowered.startswith("spring."):
        return None
    text, fallback = value.strip(), False
    if text.startswith("${") and text.endswith("}"):
        body = text[2:-1]
        if ":" not in body:
            return None
        text, fallback = body.split(":", 1)[1].strip(), True
    if lowered.endswith(".password"):
        secret: str | None = text
    elif lowered.endswith((".url", ".uri")):
        secret = url_password(text)
    else:
        return None
    if secret is None or "${" in secret or asks_to_be_replaced(secret):
        return None
    return SpringCredential(location, key, profile, fallback)


def _flattened(node: Any, prefix: str = "", depth: int = 0) -> Iterator[tuple[str, Any]]:
    """(dotted key, value node) for every leaf of a YAML mapping."""
    if depth > 32 or node is None or not node.is_map:
        return
    for name, child in node.items():
        key = f"{prefix}.{name}" if prefix else str(name)
        if child is not None and child.is_map:
            yield from _flattened(child, key, depth + 1)
        elif child is not None:
            yield key, child


def _activated_profile(document: Any) -> str | None:
    """The profile a YAML document is for (``spring.config.activate.on-profile``, or the
    older ``spring.profiles``); None for a document every profile reads."""
    for key in ("spring.config.activate.on-profile", "spring.profiles"):
        node = _dotted(document, key)
        if node is not None and node.is_scalar and node.value is not None:
            return str(node.value)
    return None
