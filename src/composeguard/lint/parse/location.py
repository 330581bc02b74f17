"""Where a thing is in a file: what every parser returns beside what it read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
