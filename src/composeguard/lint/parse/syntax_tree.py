"""What the tree-sitter readers share: one parsed file, its nodes' text and locations.

tree-sitter counts bytes from 0; a :class:`Location` counts lines and characters from 1. The
PHP reader (:mod:`composeguard.lint.facts.laravel`) and the TypeScript/JavaScript reader
(:mod:`composeguard.lint.facts.appschema`) build on :class:`ParsedSource`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from composeguard.lint.parse.location import Location

if TYPE_CHECKING:
    from tree_sitter import Language, Node


class ParsedSource:
    """One file parsed with a tree-sitter grammar."""

    def __init__(self, text: str, path: Path, language: Language) -> None:
        from tree_sitter import Parser

        self.path = path
        self.data = text.encode("utf-8", "surrogatepass")
        self.root: Node = Parser(language).parse(self.data).root_node

    def text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def location(self, node: Node) -> Location:
        line, column = self._position(node.start_byte, node.start_point)
        end_line, end_column = self._position(node.end_byte, node.end_point)
        return Location(self.path, line, column, end_line, end_column)

    def _position(self, offset: int, point: Any) -> tuple[int, int]:
        start = offset - point.column
        return point.row + 1, len(self.data[start:offset].decode("utf-8", "replace")) + 1


def walk(node: Any) -> Iterator[Any]:
    """Every node below ``node`` in document order, iteratively (deep input must not recurse):
    a tree-sitter node or a libcst one, anything with ``children``."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))
