"""Env files (``.env``, ``env_file:``) read with python-dotenv's parser, line numbers kept.

A rule about an env value has to point at the line that sets it, so every entry keeps its
line. Values are expanded the way Compose's dotenv does: ``${VAR}`` forms in unquoted and
double-quoted values (against earlier entries and a caller's lookup), never in single quotes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from composeguard.lint.parse.interpolate import Lookup, substitute_text
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.yamlio import read_regular

MAX_ENV_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class EnvEntry:
    """One ``KEY=value`` line: the parsed (unexpanded) value and where it was written."""

    key: str
    raw: str | None
    """None for a bare ``KEY`` line."""
    location: Location
    quote: str = ""
    """``'``, ``"`` or "" : single-quoted values are not expanded."""


@dataclass(frozen=True, slots=True)
class EnvFile:
    path: Path
    entries: tuple[EnvEntry, ...] = ()

    def resolve(self, lookup: Lookup | None = None) -> dict[str, tuple[str, Location]]:
        """Expanded values by key, later lines winning, each with its line's location.

        ``lookup`` is consulted before the file's own earlier entries, as Compose's dotenv
        does with the process environment; a bare ``KEY`` takes its value from ``lookup`` or
        is left out.
        """
        values: dict[str, tuple[str, Location]] = {}

        def find(name: str) -> str | None:
            found = lookup(name) if lookup is not None else None
            if found is not None:
                return found
            entry = values.get(name)
            return entry[0] if entry is not None else None

        for entry in self.entries:
            if entry.raw is None:
                outer = lookup(entry.key) if lookup is not None else None
                if outer is not None:
                    values[entry.key] = (outer, entry.location)
                continue
            value = entry.raw if entry.quote == "'" else substitute_text(entry.raw, find)
            values[entry.key] = (value, entry.location)
        return values

    def variables(self, lookup: Lookup | None = None) -> dict[str, str]:
        return {key: value for key, (value, _) in self.resolve(lookup).items()}


def parse_env_text(text: str, path: Path) -> EnvFile:
    """Parse env-file text with ``dotenv.parser.parse_stream`` (no regexes of our own)."""
    from dotenv.parser import parse_stream

    entries: list[EnvEntry] = []
    offset = 0
    for binding in parse_stream(io.StringIO(text)):
        source = binding.original.string
        # A binding's text starts with the blank lines before it, and the bindings cover the
        # text end to end: the entry's line is counted at its first character, at "\n" only
        # (python-dotenv's own count takes a lone "\r" for a line break, as no editor does).
        start = offset + len(source) - len(source.lstrip())
        offset += len(source)
        line = text.count("\n", 0, start) + 1
        if binding.error or binding.key is None:
            continue
        entries.append(EnvEntry(
            binding.key, binding.value, Location(path, line, 1), _quote_of(binding.original.string)
        ))
    return EnvFile(path, tuple(entries))


def _quote_of(original: str) -> str:
    """The quote that opens the value of a ``KEY=value`` source line, if any."""
    _, sep, value = original.partition("=")
    value = value.lstrip(" \t")
    if sep and value[:1] in ("'", '"'):
        return value[0]
    return ""


def read_env_file(path: Path) -> EnvFile | None:
    """The env file at ``path``, or None when it does not exist or cannot be read as text."""
    try:
        raw = read_regular(path, MAX_ENV_FILE_BYTES)
        if raw is None:
            return None
        text = raw.decode("utf-8", "replace").removeprefix("\ufeff")
    except OSError:
        return None
    return parse_env_text(text, path)


def merged_lookup(*layers: Mapping[str, str | None]) -> Lookup:
    """A lookup trying each mapping in turn (a None value counts as unset)."""

    def find(name: str) -> str | None:
        for layer in layers:
            value = layer.get(name)
            if value is not None:
                return value
        return None

    return find
