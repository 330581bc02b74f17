"""The check path's YAML reader: libyaml's C parser (PyYAML) gives the events, composed here
into exactly the located :class:`~composeguard.lint.parse.nodes.Node` tree that ruamel's
round-trip parser and :func:`~composeguard.lint.parse.nodes.from_ruamel` give, in a fraction of the
time (ruamel's pure-Python scanner was half the cost of a check).

ruamel stays the reference: scalars are typed by ruamel's own YAML 1.2 resolver and
constructor, and whatever this reader does not read exactly as ruamel would makes it step
aside (:func:`read_nodes` returns :data:`NOT_READ`) and the caller parses with ruamel, whose
error messages and rules then apply. It steps aside on a syntax error, a duplicate key, a tag
other than Compose's ``!reset``/``!override``, a complex key, an unusual merge key, a second
document, a ``%YAML`` directive, deep nesting, and aliases that expand too far.
``tests/lint/test_fastyaml.py`` compares the two trees on every YAML file the tests hold.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from composeguard.lint.parse.location import Location
from composeguard.lint.parse.nodes import COMPOSE_TAGS, Node, loc_at, scalar_text, scalar_value

_NOT_ALIKE = ("\t", "\ufeff", "\x85", "\u2028", "\u2029")
"""Characters the two parsers treat differently: libyaml accepts tabs where ruamel refuses
them, counts a byte-order mark inside the text as no column, and breaks lines at NEL, LS
and PS (YAML 1.1) where YAML 1.2 does not."""

NOT_READ = object()
"""What :func:`read_nodes` returns when ruamel must parse the text instead."""


class _StepAside(Exception):
    """The text holds something this reader does not read exactly as ruamel does."""


class _Map:
    __slots__ = ("anchor", "column", "line", "merges", "own", "tag")

    def __init__(self, line: int, column: int, tag: str | None, anchor: str | None) -> None:
        self.line, self.column, self.tag, self.anchor = line, column, tag, anchor
        self.own: dict[Any, tuple[int, int, Any, int, int]] = {}
        """key -> (key line, key column, value, value line, value column), 0-based."""
        self.merges: list[_Map] = []


class _Seq:
    __slots__ = ("anchor", "column", "items", "line", "tag")

    def __init__(self, line: int, column: int, tag: str | None, anchor: str | None) -> None:
        self.line, self.column, self.tag, self.anchor = line, column, tag, anchor
        self.items: list[tuple[Any, int, int]] = []


class _Scalar:
    __slots__ = ("column", "line", "tag", "value")

    def __init__(self, value: Any, tag: str | None, line: int, column: int) -> None:
        self.value, self.tag, self.line, self.column = value, tag, line, column


def available() -> bool:
    """Whether PyYAML was built with libyaml here (else every text goes to ruamel)."""
    return _parser_class() is not None


@cache
def _parser_class() -> Any:
    try:
        from yaml._yaml import CParser
    except ImportError:
        return None
    return CParser


def read_compose_nodes(text: str, path: Path) -> Node | None | object:
    """``text`` as located nodes, or :data:`NOT_READ` when ruamel must parse it
    (:func:`composeguard.lint.parse.yamlio.parse_yaml`): a text that nests past ``MAX_NESTING``
    goes to ruamel, which refuses it."""
    from composeguard.lint.parse.yamlio import expansion_limit

    return read_nodes(text, path, expansion_limit(text))


def read_nodes(text: str, path: Path, max_nodes: int) -> Node | None | object:
    """The located tree of ``text`` (None for an empty document), or :data:`NOT_READ`."""
    parser_class = _parser_class()
    if parser_class is None or any(c in text for c in _NOT_ALIKE):
        return NOT_READ
    try:
        data = _Composer(parser_class(text), text).document()
    except _StepAside:
        return NOT_READ
    except Exception:  # noqa: BLE001 - libyaml's errors, any of them: ruamel reports it
        return NOT_READ
    if data is None:
        return None
    if _expanded_size(data, max_nodes) > max_nodes:
        return NOT_READ
    root = _Converter(path, text.splitlines()).root(data)
    if isinstance(root, Node) and root.value is None:
        return None  # a document that is only ``~`` or ``null``: ruamel gives no tree either
    return root


class _Composer:
    """Events to :class:`_Map`/:class:`_Seq`/:class:`_Scalar`, as ruamel's composer and
    round-trip constructor build them (an alias is the anchored object itself)."""

    def __init__(self, parser: Any, text: str) -> None:
        from composeguard.lint.parse.yamlio import MAX_NESTING

        self.parser = parser
        self.depth = 0
        self.max_depth = MAX_NESTING
        self.anchors: dict[str, Any] = {}
        self.length = len(text)
        self.lines = text.split("\n")
        last = text.rfind("\n")
        self.end = (text.count("\n"), len(text) - last - 1)
        """Where ruamel's scanner stands at the end of the text (libyaml's marks run on)."""

    def nest(self) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise _StepAside  # ruamel refuses it, at the token that passes the limit

    def between(self, start: Any, end: Any) -> str:
        """The text from mark ``start`` to mark ``end``."""
        if start.line == end.line:
            return self.lines[start.line][start.column:end.column] \
                if start.line < len(self.lines) else ""
        parts = [self.lines[start.line][start.column:]] if start.line < len(self.lines) else []
        parts += self.lines[start.line + 1 : end.line]
        if end.line < len(self.lines):
            parts.append(self.lines[end.line][: end.column])
        return "\n".join(parts)

    def document(self) -> Any:
        events = self.parser
        events.get_event()  # StreamStartEvent
        event = events.get_event()
        if type(event).__name__ == "StreamEndEvent":
            return None
        if getattr(event, "version", None) is not None or getattr(event, "tags", None):
            raise _StepAside
        data, _, _ = self.node(events.get_event())
        events.get_event()  # DocumentEndEvent
        if type(events.get_event()).__name__ != "StreamEndEvent":
            raise _StepAside  # a second document: ruamel refuses it with its own message
        return data

    def node(self, event: Any, mapping_value: bool = False) -> tuple[Any, int, int]:
        kind = type(event).__name__
        mark = event.start_mark
        if kind == "AliasEvent":
            if event.anchor not in self.anchors:
                raise _StepAside
            # ruamel's composer hands out the anchored node itself, marks included
            anchored = self.anchors[event.anchor]
            return anchored, anchored.line, anchored.column
        tag = event.tag
        if tag is not None and tag not in COMPOSE_TAGS:
            raise _StepAside
        if kind == "ScalarEvent":
            if mapping_value and event.value == "" and event.implicit[0] \
                    and event.anchor is None and mark.index == event.end_mark.index:
                # an empty value (`key:` then a line break): ruamel places it where the
                # next token starts, libyaml right after the colon
                following = self.parser.peek_event().start_mark
                if "#" in self.between(event.end_mark, following):
                    raise _StepAside  # ruamel then keeps the place after the colon
                line, column = self.end if following.index >= self.length else \
                    (following.line, following.column)
                return _Scalar(None, None, line, column), line, column
            if tag is not None:
                value: Any = _Scalar(event.value, tag, mark.line, mark.column)
            else:
                typed = _typed(event.value, event.implicit[0])
                if event.anchor is not None and (typed is None or isinstance(typed, bool)):
                    raise _StepAside  # ruamel keeps an anchored true as the integer 1
                value = _Scalar(typed, None, mark.line, mark.column)
        elif kind == "SequenceStartEvent":
            self.nest()
            value = _Seq(mark.line, mark.column, tag, event.anchor)
            if event.anchor is not None:
                self.anchors[event.anchor] = value
            while True:
                item = self.parser.get_event()
                if type(item).__name__ == "SequenceEndEvent":
                    break
                value.items.append(self.node(item))
            self.depth -= 1
            return value, mark.line, mark.column
        elif kind == "MappingStartEvent":
            self.nest()
            value = _Map(mark.line, mark.column, tag, event.anchor)
            if event.anchor is not None:
                self.anchors[event.anchor] = value
            self.mapping(value)
            self.depth -= 1
            return value, mark.line, mark.column
        else:
            raise _StepAside
        if event.anchor is not None:
            self.anchors[event.anchor] = value
        return value, mark.line, mark.column

    def mapping(self, mapping: _Map) -> None:
        merged = False
        while True:
            event = self.parser.get_event()
            if type(event).__name__ == "MappingEndEvent":
                return
            if type(event).__name__ != "ScalarEvent" or event.tag is not None:
                raise _StepAside  # a complex or tagged key
            key_mark = event.start_mark
            if event.value == "" and event.implicit[0]:
                raise _StepAside  # an empty key
            value, line, column = self.node(self.parser.get_event(), mapping_value=True)
            if event.value == "<<" and event.implicit[0]:
                if merged:
                    raise _StepAside
                merged = True
                sources = [v for v, _, _ in value.items] if isinstance(value, _Seq) else [value]
                if not sources or not all(isinstance(s, _Map) for s in sources):
                    raise _StepAside
                mapping.merges.extend(sources)
                continue
            key = _typed(event.value, event.implicit[0])
            if key in mapping.own:
                raise _StepAside  # ruamel's duplicate-key error, with its message
            mapping.own[key] = (key_mark.line, key_mark.column, value, line, column)


@cache
def _ruamel_typing() -> tuple[Any, Any, Any]:
    from ruamel.yaml import YAML
    from ruamel.yaml.nodes import ScalarNode

    yaml = YAML(typ="rt", pure=True)
    yaml.version = (1, 2)
    return yaml.resolver, yaml.constructor, ScalarNode


_TYPED: dict[str, Any] = {}
"""Plain scalar text -> its value, as ruamel types it (a project repeats its scalars)."""


def _typed(text: str, plain: bool) -> Any:
    """The value ruamel gives a scalar: plain ones by its YAML 1.2 resolver and constructor,
    quoted and block ones as strings."""
    if not plain:
        return text
    if text in _TYPED:
        return _TYPED[text]
    resolver, constructor, scalar_node = _ruamel_typing()
    tag = resolver.resolve(scalar_node, text, (True, False))
    if tag == "tag:yaml.org,2002:str":
        value: Any = text
    elif tag == "tag:yaml.org,2002:merge":
        raise _StepAside  # `<<` anywhere but as a key
    else:
        value = scalar_value(constructor.construct_object(scalar_node(tag, text), deep=True))
    if len(_TYPED) < 65536:
        _TYPED[text] = value
    return value


def _keys(mapping: _Map, seen: set[int] | None = None) -> list[Any]:
    """The keys in ruamel's order: the mapping's own, then each merge source's that are not
    there yet (a merge source's order includes its own merges)."""
    seen = seen if seen is not None else set()
    if id(mapping) in seen:
        raise _StepAside
    seen = seen | {id(mapping)}
    keys = list(mapping.own)
    present = set(keys)
    for source in mapping.merges:
        for key in _keys(source, seen):
            if key not in present:
                present.add(key)
                keys.append(key)
    return keys


def _owner(mapping: _Map, key: Any) -> _Map | None:
    if key in mapping.own:
        return mapping
    for source in mapping.merges:
        owner = _owner(source, key)
        if owner is not None:
            return owner
    return None


def _expanded_size(data: Any, limit: int) -> int:
    """As :func:`composeguard.lint.parse.yamlio.expanded_size` counts ruamel's tree (a mapping's
    values include those its merge keys bring)."""
    from composeguard.lint.parse.yamlio import expanded_size

    def children(node: Any) -> list[Any] | None:
        if isinstance(node, _Map):
            return [_owner(node, k).own[k][2] for k in _keys(node)]  # type: ignore[union-attr]
        return [item for item, _, _ in node.items] if isinstance(node, _Seq) else None

    try:
        return expanded_size(data, limit, children)
    except _StepAside:
        return limit + 1


class _Converter:
    """:func:`composeguard.lint.parse.nodes.from_ruamel`, over this module's objects."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path, self.lines = path, lines

    def root(self, data: Any) -> Node:
        return self.convert(data, Location(self.path, 1, 1), None, merged=False)

    def convert(self, data: Any, loc: Location, key_loc: Location | None, merged: bool) -> Node:
        path, lines = self.path, self.lines
        if isinstance(data, _Map):
            result: dict[str, Node] = {}
            for key in _keys(data):
                owner = _owner(data, key) or data
                key_line, key_column, value, value_line, value_column = owner.own[key]
                k_loc = loc_at(path, key_line, key_column, lines,
                               len(scalar_text(key)) or None)
                v_loc = loc_at(path, value_line, value_column, lines,
                               None if isinstance(value, _Scalar) else 1)
                via_alias = merged or owner is not data or _is_alias(value, v_loc)
                result[scalar_text(key)] = self.convert(value, v_loc, k_loc, via_alias)
            return Node(result, Location(path, data.line + 1, data.column + 1), key_loc,
                        data.tag, merged)
        if isinstance(data, _Seq):
            items = []
            for item, line, column in data.items:
                # ruamel keeps no item positions in a tagged (`!reset`) list: its items are
                # placed where the list is
                i_loc = loc if data.tag is not None else loc_at(
                    path, line, column, lines, None if isinstance(item, _Scalar) else 1)
                items.append(self.convert(item, i_loc, None, merged))
            return Node(items, Location(path, data.line + 1, data.column + 1), key_loc,
                        data.tag, merged)
        return Node(data.value, loc, key_loc, data.tag, merged)


def _is_alias(value: Any, written_at: Location) -> bool:
    if not isinstance(value, _Map | _Seq) or value.anchor is None:
        return False
    return value.line + 1 < written_at.line
