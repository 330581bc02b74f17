"""What a Rails app's ``config/database.yml`` says about production, and how the app is guarded.

database.yml is YAML run through ERB first. ERB tags are replaced by placeholders of the same
length before the YAML parser sees the text, so every line and column still points into the file
as written; what a tag said is looked up in the original text by position. There is no Ruby
parser in our stack: the few facts taken from Ruby files (the Gemfile, production.rb) come from
careful line-based checks that skip comments, and they say so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from composeguard.lint.parse.location import Location
from composeguard.lint.parse.nodes import Node, from_ruamel
from composeguard.lint.parse.yamlio import parse_yaml

Reader = Callable[[Path], "str | None"]

_CONNECTION_KEYS = frozenset({"adapter", "url", "database", "host", "username", "pool"})
_SCHEME_ADAPTERS = {"postgres": "postgresql", "postgis": "postgis", "sqlite": "sqlite3"}
_CHECK_VARIABLE = "DISABLE_DATABASE_ENVIRONMENT_CHECK"


@dataclass(frozen=True, slots=True)
class RailsDatabase:
    environment: str
    adapter: str | None
    """``sqlite3``, ``postgresql``, ``mysql2``, ``trilogy``...; None when only ERB/ENV decides."""
    location: Location
    """The ``adapter:`` value as written (the anchor's definition when merged in)."""
    from_url_env: bool
    """``url: <%= ENV["DATABASE_URL"] %>``: the adapter can be replaced at run time."""
    via_merge: bool
    database: str | None = None
    """The ``database:`` path as written (merged in too); None when a tag or nothing gives it."""

    @property
    def is_sqlite(self) -> bool:
        return self.adapter is not None and "sqlite" in self.adapter


@dataclass(frozen=True, slots=True)
class ErbTag:
    start: int
    end: int
    """Offsets into the original text; ``end`` is past the closing ``%>``."""
    text: str
    output: bool
    """``<%= ... %>`` (it prints a value) rather than ``<% ... %>`` (control flow, comments)."""


def is_rails_app(root: Path, read: Reader) -> bool:
    """``config/application.rb`` defines a ``Rails::Application`` and the Gemfile asks for the
    ``rails`` (or ``railties``) gem; both are read, not guessed from file names."""
    application = read(Path(root) / "config" / "application.rb")
    gemfile = read(Path(root) / "Gemfile")
    if application is None or gemfile is None:
        return False
    defines_app = any("Rails::Application" in _code(line) for line in application.splitlines())
    gems = {_gem_name(line) for line in gemfile.splitlines()}
    return defines_app and not gems.isdisjoint({"rails", "railties"})


def neutralise_erb(text: str) -> tuple[str, list[ErbTag]]:
    """``text`` with every ERB tag replaced by same-length filler, and the tags found.

    An output tag inside a value becomes a run of ``x`` (a plain scalar the YAML parser
    accepts); a control tag, a comment, or an output tag alone on its line becomes spaces, as
    it would print nothing or YAML structure we cannot know. Newlines inside tags are kept.
    """
    out: list[str] = []
    tags: list[ErbTag] = []
    position = 0
    while (start := text.find("<%", position)) != -1:
        if text.startswith("<%%", start):
            out.append(text[position : start + 3])
            position = start + 3
            continue
        close = text.find("%>", start + 2)
        end = len(text) if close == -1 else close + 2
        body = text[start + 2 : end].lstrip("-")
        output = body.startswith("=")
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        alone = not text[line_start:start].strip() and not text[end : None if line_end == -1
                                                             else line_end].strip()
        filler = "x" if output and not alone else " "
        out.append(text[position:start])
        out.append("".join("\n" if c == "\n" else filler for c in text[start:end]))
        tags.append(ErbTag(start, end, text[start:end], output))
        position = end
    out.append(text[position:])
    return "".join(out), tags


def database_config(path: Path, text: str, environment: str = "production") -> RailsDatabase | None:
    """The connection ``environment`` uses: its section, or in a Rails 7.1+ multi-database
    section its ``primary`` (else first) database. None when the file does not parse or has no
    such section. A ``url:`` tag that reads ``ENV[...]``/``ENV.fetch(...)`` (Ruby is not
    parsed: the tag text is searched) makes ``from_url_env``; a literal URL's scheme wins over
    ``adapter:``, as in Rails."""
    parsed = read_database_yml(path, text)
    if parsed is None:
        return None
    root, _, tags = parsed
    section = root.get(environment)
    if section is None or not section.is_map:
        return None
    if not any(key in _CONNECTION_KEYS for key, _ in section.items()):
        databases = [node for _, node in section.items() if node.is_map]
        section = section.get("primary") or (databases[0] if databases else section)
        if not section.is_map:
            section = databases[0] if databases else section
    offsets = _line_offsets(text)
    url, adapter = section.get("url"), section.get("adapter")
    url_tags = _tags_in(url, tags, offsets) if url is not None else []
    from_env = any("ENV[" in t.text or "ENV.fetch" in t.text for t in url_tags)
    if url is not None and not url_tags and url.is_scalar and (scheme := _scheme(url.value)):
        return RailsDatabase(environment, _SCHEME_ADAPTERS.get(scheme, scheme), url.loc, False,
                             url.via_alias)
    if adapter is not None and adapter.is_scalar:
        dynamic = adapter.value is None or bool(_tags_in(adapter, tags, offsets))
        name = None if dynamic else str(adapter.value)
        file = section.get("database")
        written = (str(file.value) if file is not None and file.is_scalar and file.value
                   is not None and not _tags_in(file, tags, offsets) else None)
        return RailsDatabase(environment, name, adapter.loc, from_env, adapter.via_alias,
                             written)
    where = url.loc if url is not None else section.key_loc or section.loc
    return RailsDatabase(environment, None, where, from_env, section.via_alias)


def disables_environment_check(root: Path, read: Reader) -> Location | None:
    """Where ``config/environments/production.rb`` sets
    ``ENV["DISABLE_DATABASE_ENVIRONMENT_CHECK"]`` (``=``, ``||=`` or ``ENV.store``), which lets
    ``db:drop``/``db:schema:load`` run against the production database. Ruby is not parsed
    (there is no Ruby parser in our stack): this is a line-based check that skips comments and
    ``=begin``/``=end`` blocks."""
    path = Path(root) / "config" / "environments" / "production.rb"
    text = read(path)
    if text is None:
        return None
    in_block_comment = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(("=begin", "=end")):
            in_block_comment = line.startswith("=begin")
            continue
        code = _code(line)
        if in_block_comment or _CHECK_VARIABLE not in code:
            continue
        for opener in ("ENV[", "ENV.store("):
            start = code.find(opener)
            if start == -1 or code.find(_CHECK_VARIABLE, start) == -1:
                continue
            rest = code[code.find(_CHECK_VARIABLE, start) + len(_CHECK_VARIABLE) + 1 :].lstrip()
            if opener == "ENV.store(" or (
                rest.startswith("]") and _is_assignment(rest[1:].lstrip())
            ):
                return Location(path, number, start + 1, number, len(code.rstrip()) + 1)
    return None


def _is_assignment(text: str) -> bool:
    return (text.startswith("=") and not text.startswith(("==", "=~"))) or text.startswith("||=")


def _code(line: str) -> str:
    """``line`` up to a ``#`` comment that is not inside a string literal."""
    quote, index = "", 0
    while index < len(line):
        char = line[index]
        if quote and char == "\\":
            index += 1
        elif quote and char == quote:
            quote = ""
        elif not quote and char in "\"'":
            quote = char
        elif not quote and char == "#":
            return line[:index]
        index += 1
    return line


def _gem_name(line: str) -> str | None:
    """The gem a Gemfile line asks for: ``gem "rails", "~> 7.1"`` -> ``rails``."""
    code = _code(line).strip()
    if not code.startswith("gem") or code[3:4] not in (" ", "(", "\t"):
        return None
    rest = code[3:].lstrip(" \t(")
    if not rest or rest[0] not in "\"'":
        return None
    end = rest.find(rest[0], 1)
    return rest[1:end] if end != -1 else None


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for index, char in enumerate(text):
        if char == "\n":
            offsets.append(index + 1)
    return offsets


def _tags_in(node: Node, tags: list[ErbTag], offsets: list[int]) -> list[ErbTag]:
    """The ERB tags written in ``node``'s value (its token, else the rest of its line)."""
    loc = node.loc
    if not 1 <= loc.line <= len(offsets):
        return []
    start = offsets[loc.line - 1] + loc.column - 1
    if loc.end_line == loc.line and loc.end_column is not None:
        end = start + loc.end_column - loc.column
    else:
        end = offsets[loc.line] if loc.line < len(offsets) else start + 10**9
    return [tag for tag in tags if start <= tag.start < end]


def _scheme(value: object) -> str | None:
    if not isinstance(value, str) or ":" not in value:
        return None
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return None
    return scheme or None


@lru_cache(maxsize=16)
def read_database_yml(path: Path, text: str) -> tuple[Node, str, list[ErbTag]] | None:
    """``config/database.yml`` read once for every question asked of it: its tree (ERB tags
    made same-length filler, :func:`neutralise_erb`), the neutral text and the tags; None when
    it does not parse or is not a mapping."""
    neutral, tags = neutralise_erb(text)
    try:
        root = from_ruamel(parse_yaml(neutral, path), path, neutral)
    except Exception:  # noqa: BLE001 - YamlLoadError, and ruamel's plain errors on `!!float x`
        return None
    return (root, neutral, tags) if root is not None and root.is_map else None


_SHARED_SECTIONS = frozenset({"default", "defaults", "common", "base", "shared"})
"""Sections that only hold anchors for ``<<: *default``: no environment runs them."""


def sqlite_paths(path: Path, text: str) -> tuple[str, ...]:
    """The app-relative SQLite files ``config/database.yml`` names, every environment (the
    Rails 7.1+ multi-database form too); ``storage/<env>.sqlite3`` where a SQLite section's
    ``database:`` is not a literal. Absolute paths and ``:memory:`` are outside the tree."""
    parsed = read_database_yml(path, text)
    if parsed is None:
        return ()
    root, neutral, _ = parsed
    original = text.splitlines()
    written = neutral.splitlines()
    found: list[str] = []
    for environment, section in root.items():
        if not section.is_map or environment in _SHARED_SECTIONS:
            continue
        nested = [node for _, node in section.items() if node.is_map]
        for database in [section] if section.get("adapter") is not None else nested:
            adapter = database.get("adapter")
            if adapter is None or "sqlite" not in str(adapter.value or ""):
                continue
            value = database.get("database")
            line = value.loc.line - 1 if value is not None else -1
            literal = (value is not None and value.is_scalar and isinstance(value.value, str)
                       and 0 <= line < len(original) and original[line] == written[line])
            name = str(value.value) if literal and value is not None else (
                f"storage/{environment}.sqlite3")
            if not name.startswith("/") and ":" not in name and name not in found:
                found.append(name)
    return tuple(found)
