"""Plain immutable data passed between the engine, the rules and the reporters."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from composeguard.lint.parse.location import Location

Layout = Literal["standalone", "override"]
"""How ``composeguard fix`` writes the dev/prod split (CG601): files that stand alone, or
overrides for ``docker compose -f BASE -f FILE``."""
LAYOUTS: tuple[Layout, ...] = ("standalone", "override")


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

    def build(self, options: FixOptions | None = None) -> Fix:
        """A fix built already is its own offer (tests and simple rules give one)."""
        return self


@dataclass(frozen=True, slots=True)
class FixOptions:
    """What ``composeguard fix`` was asked for that shapes a fix rather than decides it:
    handed to every builder that declares ``@fix_builder(..., options=True)``."""

    layout: Layout = "standalone"
    """How the dev/prod split (CG601) is written: ``standalone`` files or ``override``
    files for ``docker compose -f BASE -f FILE``."""


@dataclass(frozen=True, slots=True)
class FixOffer:
    """A fix a rule offers for its finding, built when asked: ``check`` builds it without
    the final proof to learn whether an exact edit exists (a finding whose fix finds none is
    not called fixable), ``fix`` builds it with the proof and applies it."""

    builder: Callable[..., Fix | None]
    arguments: tuple[Any, ...] = ()
    keywords: tuple[tuple[str, Any], ...] = ()
    safe: bool = True
    finish: Callable[[Fix], Fix] | None = field(default=None, compare=False)
    """Applied to the built fix (the engine masks secrets in its description)."""

    def build(self, options: FixOptions | None = None) -> Fix | None:
        keywords = dict(self.keywords)
        if getattr(self.builder, "options", False):
            keywords["options"] = options or FixOptions()
        fix = self.builder(*self.arguments, **keywords)
        if fix is not None and self.finish is not None:
            fix = self.finish(fix)
        return fix


def offer(builder: Callable[..., Fix | None], *arguments: Any, safe: bool | None = None,
          **keywords: Any) -> FixOffer | None:
    """``builder(*arguments, **keywords)`` as a fix offered for later, or None when the
    builder's cheap precondition (``@fix_builder(offered=...)``) already rules it out. Its
    safety is the builder's own (``@fix_builder(safe=...)``) unless ``safe`` says otherwise
    for this call."""
    declared = getattr(builder, "safe", None)
    if safe is None and declared is None:
        raise TypeError(f"{builder.__qualname__} declares no safety: decorate it with "
                        "@fix_builder(safe=...) or pass safe=")
    offered = getattr(builder, "offered", None)
    if offered is not None and not offered(*arguments, **keywords):
        return None
    return FixOffer(builder, arguments, tuple(keywords.items()),
                    bool(declared) if safe is None else safe)


def fix_builder(*, safe: bool, offered: Callable[..., bool] | None = None, options: bool = False
                ) -> Callable[[Callable[..., Fix | None]], Callable[..., Fix | None]]:
    """Declare whether the fixes a builder makes are safe, so that a check can say so
    without building one (a test holds every built fix to its builder's word), and, as
    ``offered``, a cheap test of the builder's arguments that rules out a fix the builder
    would never make (so that ``check`` does not call such a finding fixable). A builder
    with ``options`` takes the run's :class:`FixOptions` as its ``options`` keyword.
    ``check`` still builds every offer it reports (without the final proof, see
    ``runner._with_buildable_fix``), so that a fix that finds no exact edit is never called
    fixable."""

    def mark(builder: Callable[..., Fix | None]) -> Callable[..., Fix | None]:
        builder.safe = safe  # type: ignore[attr-defined]
        builder.offered = offered  # type: ignore[attr-defined]
        builder.options = options  # type: ignore[attr-defined]
        return builder

    return mark


SUMMARY_LIMIT = 100
"""The longest a finding's message (what is wrong, naming the thing) may be; the rest is its
help (why it matters, what to do)."""


def split_message(text: str) -> tuple[str, str]:
    """A rule's sentence as (message, help), at its first ``: `` outside backticks and
    quotes: rules write "what is wrong, naming the thing: what it costs; what to do", so
    nothing is lost (``message + ": " + help`` is the sentence). A sentence with no such
    break is a message alone."""
    quote = ""
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char == "`":
            quote = char
        elif char == ":" and text[index + 1:index + 2] == " " and index:
            return text[:index], text[index + 2:]
    return text, ""


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    name: str
    severity: Severity
    location: Location
    message: str
    """What is wrong, naming the thing (at most :data:`SUMMARY_LIMIT` characters)."""
    fix: FixOffer | Fix | None = field(default=None, compare=False)
    help: str = ""
    """Why it matters and what to do: the exact edit, the command to run."""

    @property
    def text(self) -> str:
        """The message and its help as one sentence, as the rule wrote it."""
        return f"{self.message}: {self.help}" if self.help else self.message

    @property
    def fixable(self) -> bool:
        """Whether a fix is offered (built only by ``composeguard fix``)."""
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
