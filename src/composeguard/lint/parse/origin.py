"""Where a piece of text came from, so a finding inside it points at the file's own line.

A shell body inside a YAML folded block, a Makefile recipe or a quoted ``sh -c`` argument is
text *derived* from the file: quotes removed, lines folded, escapes resolved. An origin maps an
offset in the derived text back to a line and column of the file.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from composeguard.lint.parse.location import Location

_WINDOW = 400
"""How far ahead the alignment looks for a character before giving up on it."""


class Origin(Protocol):
    @property
    def path(self) -> Path:
        """The file the text comes from."""
        ...

    def locate(self, start: int, end: int | None = None) -> Location:
        """The file location of ``derived[start:end]``."""
        ...


@dataclass(frozen=True, slots=True)
class TextOrigin:
    """Text that appears verbatim in ``path``, starting at ``line``/``column`` (1-based)."""

    path: Path
    text: str
    line: int = 1
    column: int = 1
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", _line_starts(self.text))

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        row = bisect.bisect_right(self._starts, offset) - 1
        column = offset - self._starts[row] + (self.column if row == 0 else 1)
        return self.line + row, column

    def locate(self, start: int, end: int | None = None) -> Location:
        line, column = self.position(start)
        if end is None or end <= start:
            return Location(self.path, line, column)
        end_line, end_column = self.position(end)
        return Location(self.path, line, column, end_line, end_column)


@dataclass(frozen=True, slots=True)
class AlignedOrigin:
    """``derived`` text that was made from ``source`` (a :class:`TextOrigin` or another
    origin's text) by removing quotes, escapes, indentation or line breaks.

    Offsets are aligned greedily: each derived character is matched with the next equal source
    character (a space may match a line break, as YAML folding and shell continuation produce).
    Characters that are not found nearby (an interpolated value) keep the previous position,
    so a location is always inside the source, at worst a little early.
    """

    derived: str
    source: Origin
    source_text: str
    _map: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_map", tuple(align(self.derived, self.source_text)))

    @property
    def path(self) -> Path:
        return self.source.path

    def _source_offset(self, offset: int) -> int:
        if not self._map:
            return 0
        if offset >= len(self._map):
            return self._map[-1] + 1
        return self._map[max(0, offset)]

    def locate(self, start: int, end: int | None = None) -> Location:
        source_start = self._source_offset(start)
        if end is None or end <= start:
            return self.source.locate(source_start)
        source_end = max(self._source_offset(end - 1) + 1, source_start)
        return self.source.locate(source_start, source_end)


def align(derived: str, source: str) -> list[int]:
    """For each character of ``derived``, its offset in ``source`` (see :class:`AlignedOrigin`)."""
    result: list[int] = []
    j = 0
    n = len(source)
    for char in derived:
        limit = min(n, j + _WINDOW)
        k = j
        while k < limit and not _same(char, source[k]):
            k += 1
        if k < limit:
            result.append(k)
            j = k + 1
        else:
            result.append(min(j, n - 1) if n else 0)
    return result


def _same(derived: str, source: str) -> bool:
    return derived == source or (derived in " \n" and source in " \n\t")


def yaml_scalar_origin(value: str, path: Path, file_text: str, line: int, column: int) -> Origin:
    """The origin of a YAML scalar's ``value`` whose token starts at ``line``/``column``
    (quoted, plain, literal ``|`` or folded ``>``) in ``file_text``."""
    starts = _line_starts(file_text)
    start = (starts[line - 1] if line - 1 < len(starts) else len(file_text) + 1) + column - 1
    source_text = file_text[start : start + len(value) * 2 + 4 * _WINDOW]
    return AlignedOrigin(value, TextOrigin(path, source_text, line, column), source_text)


@lru_cache(maxsize=16)
def _line_starts(text: str) -> tuple[int, ...]:
    """The offset of each line of ``text`` (a file's scalars are located one after another:
    summing the lines before each one made a large file quadratic)."""
    starts = [0]
    at = text.find("\n")
    while at != -1:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return tuple(starts)
