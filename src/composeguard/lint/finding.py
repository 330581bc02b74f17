"""Plain immutable data passed between the engine, the rules and the reporters."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


class Severity(enum.IntEnum):
    """Ordered so that ``severity >= threshold`` decides the exit code."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A 1-based position in a file; ``end_*`` default to the start when unknown."""

    path: Path
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None

    @property
    def end(self) -> tuple[int, int]:
        return (self.end_line or self.line, self.end_column or self.column)


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text between two 1-based (line, column) positions of ``path``."""

    path: Path
    start: tuple[int, int]
    end: tuple[int, int]
    replacement: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A change that repairs a finding; ``safe`` is False when it changes behaviour beyond it."""

    description: str
    edits: tuple[Edit, ...] = ()
    new_files: tuple[tuple[Path, str], ...] = ()
    safe: bool = True


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    name: str
    severity: Severity
    location: Location
    message: str
    fix: Fix | None = field(default=None, compare=False)

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path.as_posix(), loc.line, loc.column, self.code, self.message)


def source_lines(text: str) -> list[str]:
    """A file's lines as ``Location.line`` counts them, and as git, grep and editors number
    them: split at ``\\n`` only (a ``\\r\\n`` ending loses its ``\\r``). A lone ``\\r``, U+2028
    or a form feed is text inside a line, not a line break (``str.splitlines`` would split)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]
