"""Located YAML values: every scalar, mapping and list knows where it was written.

The ruamel round-trip tree keeps positions on its containers only, and ``<<: *anchor`` merge
keys hide where a merged key came from. :func:`from_ruamel` turns that tree into :class:`Node`s
that carry their own location (the anchor's definition when a value came through an alias or a
merge key), so merging files, interpolating and normalising never lose the place a person
would edit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from composeguard.lint.parse.location import Location

COMPOSE_TAGS = frozenset({"!reset", "!override"})


@dataclass(frozen=True, slots=True)
class Node:
    """A YAML value with its location.

    ``value`` is a plain scalar (str, int, float, bool, None), a ``dict[str, Node]`` or a
    ``list[Node]``. ``key_loc`` is where the mapping key holding this value was written.
    ``tag`` is Compose's ``!reset``/``!override`` when present.
    """

    value: Any
    loc: Location
    key_loc: Location | None = None
    tag: str | None = None
    via_alias: bool = field(default=False, compare=False)
    """True when the value arrived through a ``<<`` merge key or an ``*alias``."""
    template: str | None = field(default=None, compare=False)
    """The text as written when interpolation changed it (``${DATA_DIR:-./data}:/data``):
    what it names is decided where the file is deployed."""

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)

    @property
    def is_scalar(self) -> bool:
        return not isinstance(self.value, dict | list)

    @property
    def anchor_loc(self) -> Location:
        """Where to point a finding about this value: the key if there is one."""
        return self.key_loc or self.loc

    def get(self, key: str) -> Node | None:
        if isinstance(self.value, dict):
            return self.value.get(key)
        return None

    def items(self) -> Iterator[tuple[str, Node]]:
        if isinstance(self.value, dict):
            yield from self.value.items()

    def children(self) -> list[Node]:
        if isinstance(self.value, dict):
            return list(self.value.values())
        if isinstance(self.value, list):
            return list(self.value)
        return []

    def plain(self) -> Any:
        """The value without locations, as ``json.loads`` of Compose's output would give."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        value = self.value
        # ruamel keeps anchored or styled scalars as subclasses (PlainScalarString,
        # ScalarInt...), which a JSON validator written in Rust refuses: give it the base type
        if isinstance(value, bool) or value is None:
            return value
        for kind in (str, int, float):
            if isinstance(value, kind) and type(value) is not kind:
                return kind(value)
        return value

    def with_value(self, value: Any) -> Node:
        return replace(self, value=value)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children():
            yield from child.walk()


def without_reset(node: Node) -> Node | None:
    """``node`` with every value tagged ``!reset`` removed, as Compose holds a file once its
    tags are applied (None when ``node`` itself is reset)."""
    if node.tag == "!reset":
        return None
    if isinstance(node.value, dict):
        kept = {k: v for k, c in node.value.items() if (v := without_reset(c)) is not None}
        return node.with_value(kept)
    if isinstance(node.value, list):
        return node.with_value([v for v in map(without_reset, node.value) if v is not None])
    return node


def scalar_text(value: Any) -> str:
    """A scalar as Compose sees it in a string context (``true`` stays ``true``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def from_ruamel(data: Any, path: Path, text: str | None = None) -> Node:
    """Convert a ruamel round-trip tree into located :class:`Node`s."""
    lines = text.splitlines() if text is not None else None
    root_loc = Location(path, 1, 1)
    return _convert(data, root_loc, None, path, lines, merged=False)


def loc_at(path: Path, line0: int, col0: int, lines: list[str] | None, width: int | None
           ) -> Location:
    """The location of a token at 0-based ``line0``/``col0``, ``width`` characters wide (read
    from the text's line when None)."""
    line, column = line0 + 1, col0 + 1
    if width is None and lines is not None and 0 <= line0 < len(lines):
        width = _token_width(lines[line0], col0)
    end_column = column + width if width else None
    return Location(path, line, column, line, end_column)


def _token_width(line: str, start: int) -> int | None:
    """Width of the scalar token at ``start`` on ``line``: a quoted string or a plain scalar.
    Indexes into ``line``, never slices its rest: a flow list on one line of a megabyte has a
    token every few characters."""
    size = len(line)
    if start >= size:
        return None
    first = line[start]
    if first in "'\"":
        i = start + 1
        while True:
            i = _next_quote_or_escape(line, first, i)
            if i == -1:
                return size - start
            if line[i] == "\\":
                i += 2
                continue
            if first == "'" and line.startswith("'", i + 1):
                i += 2
                continue
            return i + 1 - start
    if first in "|>[{":
        return 1
    in_flow = line.find("[", 0, start) != -1 or line.find("{", 0, start) != -1
    found = (_FLOW_PLAIN_END if in_flow else _BLOCK_PLAIN_END).search(line, start)
    end = found.start() if found else size
    return len(line[start:end].rstrip()) or None


_FLOW_PLAIN_END = re.compile(r"[,\[\]{}]| #|: ")
"""Where a plain scalar inside ``[...]`` or ``{...}`` ends: at a flow indicator (YAML 1.2
excludes them from flow scalars), a comment or a key's colon."""
_BLOCK_PLAIN_END = re.compile(r" #|: ")


def _next_quote_or_escape(line: str, quote: str, at: int) -> int:
    """The next ``quote`` at or after ``at`` or, in a double-quoted string, the next backslash
    if it comes first; -1 when neither does."""
    found = line.find(quote, at)
    if quote == '"':
        escape = line.find("\\", at, found if found != -1 else len(line))
        if escape != -1:
            return escape
    return found


def _tag_of(data: Any) -> str | None:
    tag = getattr(data, "tag", None)
    value = getattr(tag, "value", None) if tag is not None else None
    if isinstance(value, str) and value in COMPOSE_TAGS:
        return value
    return None


def scalar_value(data: Any) -> Any:
    """A ruamel scalar as a plain Python value (str, int, float, bool or None)."""
    from ruamel.yaml.comments import TaggedScalar

    if isinstance(data, TaggedScalar):
        return data.value
    if isinstance(data, bool) or data is None:
        return data
    if isinstance(data, int):
        return int(data)
    if isinstance(data, float):
        return float(data)
    if isinstance(data, str):
        return str(data)
    return str(data)


def _own_keys(mapping: Any) -> set[Any]:
    own = getattr(mapping, "_ok", None)
    return set(own) if own is not None else set(mapping.keys())


def _merge_sources(mapping: Any) -> list[Any]:
    merge = getattr(mapping, "merge", None)
    if not merge:
        return []
    # ruamel >= 0.18.7 keeps the merged mappings themselves, older versions (index, mapping).
    return [m[1] if isinstance(m, tuple) else m for m in merge if isinstance(m, dict | tuple)]


def _find_key_owner(mapping: Any, key: Any) -> Any:
    """The mapping that really holds ``key``: itself, or a ``<<`` merge source."""
    if key in _own_keys(mapping):
        return mapping
    for source in _merge_sources(mapping):
        owner = _find_key_owner(source, key)
        if owner is not None:
            return owner
    return None


def _convert(
    data: Any,
    loc: Location,
    key_loc: Location | None,
    path: Path,
    lines: list[str] | None,
    merged: bool,
) -> Node:
    tag = _tag_of(data)
    if isinstance(data, dict):
        result: dict[str, Node] = {}
        for key in data:
            owner = _find_key_owner(data, key) or data
            k_loc = _lc_key(owner, key, path, lines)
            v_loc = _lc_value(owner, key, path, lines) or k_loc or loc
            value = data[key]
            via_alias = merged or owner is not data or _is_alias(value, v_loc, path)
            result[scalar_text(scalar_value(key))] = _convert(value, v_loc, k_loc, path, lines, via_alias)
        return Node(result, _container_loc(data, path, loc), key_loc, tag, merged)
    if isinstance(data, list):
        items = []
        for index, item in enumerate(data):
            i_loc = _lc_item(data, index, path, lines) or loc
            items.append(_convert(item, i_loc, None, path, lines, merged))
        return Node(items, _container_loc(data, path, loc), key_loc, tag, merged)
    return Node(scalar_value(data), loc, key_loc, tag, merged)


def _is_alias(value: Any, written_at: Location, path: Path) -> bool:
    """An anchored container whose definition is not where the parent refers to it."""
    anchor = getattr(value, "anchor", None)
    if not isinstance(value, dict | list) or getattr(anchor, "value", None) is None:
        return False
    defined_at = _container_loc(value, path, written_at)
    return defined_at.line < written_at.line


def _container_loc(data: Any, path: Path, fallback: Location) -> Location:
    lc = getattr(data, "lc", None)
    if lc is not None and lc.line is not None:
        return Location(path, lc.line + 1, lc.col + 1)
    return fallback


def _lc_key(mapping: Any, key: Any, path: Path, lines: list[str] | None) -> Location | None:
    try:
        line0, col0 = mapping.lc.key(key)
    except (AttributeError, KeyError, TypeError):
        return None
    return loc_at(path, line0, col0, lines, len(scalar_text(scalar_value(key))) or None)


def _lc_value(mapping: Any, key: Any, path: Path, lines: list[str] | None) -> Location | None:
    try:
        line0, col0 = mapping.lc.value(key)
    except (AttributeError, KeyError, TypeError):
        return None
    value = mapping[key]
    width = None if not isinstance(value, dict | list) else 1
    return loc_at(path, line0, col0, lines, width)


def _lc_item(seq: Any, index: int, path: Path, lines: list[str] | None) -> Location | None:
    try:
        line0, col0 = seq.lc.item(index)
    except (AttributeError, KeyError, TypeError, IndexError):
        return None
    value = seq[index]
    width = None if not isinstance(value, dict | list) else 1
    return loc_at(path, line0, col0, lines, width)
