"""Text edits as offsets: where a 1-based (line, column) lands, which edits fit together, and
the file's own newline style.

Positions count lines split at ``\\n`` and columns in characters (Python string indices), the
way ruamel.yaml and :class:`~composeguard.lint.engine.finding.Location` count them. A column may point
just past a line's last character (before its line break) to insert at the end of the line.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from composeguard.lint.engine.finding import Edit

BOM = "\ufeff"


class EditError(ValueError):
    """An edit that does not fit its file: a position outside it, or overlapping edits."""


@dataclass(frozen=True, slots=True)
class Span:
    """An edit resolved to offsets of one text (``start == end`` is an insertion)."""

    start: int
    end: int
    text: str

    @property
    def is_insertion(self) -> bool:
        return self.start == self.end

    def conflicts(self, other: Span) -> bool:
        """Two edits of different fixes that cannot both apply: they overlap, or both insert
        at one point (their order would be a guess). Identical edits coincide instead."""
        if self == other:
            return False
        if self.is_insertion and other.is_insertion:
            return self.start == other.start
        return self.start < other.end and other.start < self.end


def newline_of(text: str) -> str:
    """``\\r\\n`` for a file written with Windows line endings, else ``\\n``."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def in_file_style(replacement: str, newline: str) -> str:
    """A replacement written with ``\\n`` in the file's own newline style."""
    text = replacement.replace("\r\n", "\n")
    return text if newline == "\n" else text.replace("\n", newline)


class TextIndex:
    """Offsets of the lines of one text, to turn positions into string indices."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(i + 1 for i, c in enumerate(text) if c == "\n")]
        self.newline = newline_of(text)

    def offset(self, position: tuple[int, int]) -> int:
        line, column = position
        if not 1 <= line <= len(self.starts) or column < 1:
            raise EditError(f"position {line}:{column} is outside the file")
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        if start + column - 1 > end:
            raise EditError(f"position {line}:{column} is past the end of line {line}")
        return start + column - 1

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of a string index."""
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def span(self, edit: Edit) -> Span:
        start, end = self.offset(edit.start), self.offset(edit.end)
        if end < start:
            raise EditError(f"edit ends ({edit.end}) before it starts ({edit.start})")
        return Span(start, end, in_file_style(edit.replacement, self.newline))


def in_order(spans: Iterable[Span]) -> list[Span]:
    """``spans`` by position (insertions at one point in the order given), identical spans
    once; raises :class:`EditError` when two of them overlap."""
    ordered = sorted(dict.fromkeys(spans), key=lambda s: (s.start, s.end))
    for before, after in pairwise(ordered):
        if before.end > after.start:
            raise EditError("edits overlap")
    return ordered


def splice(text: str, spans: Iterable[Span]) -> str:
    """``text`` with ``spans`` applied (see :func:`in_order`)."""
    ordered = in_order(spans)
    parts: list[str] = []
    cursor = 0
    for span in ordered:
        parts.append(text[cursor : span.start])
        parts.append(span.text)
        cursor = span.end
    parts.append(text[cursor:])
    return "".join(parts)


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with ``edits`` applied (all against the original text, newlines adapted to the
    file's style); raises :class:`EditError` for an edit outside the text or overlapping
    another."""
    index = TextIndex(text)
    return splice(text, [index.span(edit) for edit in edits])
