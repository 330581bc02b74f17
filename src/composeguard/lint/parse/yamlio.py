"""Reading YAML the way Compose does, safely, keeping every position.

Compose reads YAML 1.2 (``restart: no`` is the string "no") and understands its own ``!reset``
and ``!override`` tags. Aliases are shared, never expanded, so a "billion laughs" file costs no
memory; :func:`expanded_size` measures what a naive walk would visit so that such a file is
reported instead of walked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 8 * 1024 * 1024
"""Compose files are kilobytes (the largest of our 314 real ones is 35 KB); a generated fleet
file may reach megabytes. A file over 8 MiB is reported (CG001), not parsed: checking costs
about 2 s and 80 MB of memory per MB of YAML, and such a file is data, not configuration."""

MAX_EXPANDED_NODES = 200_000
"""More nodes than this once aliases are expanded, and more than :data:`NODES_PER_BYTE`
allows for the text's size, means an alias bomb, not a compose file."""

NODES_PER_BYTE = 1 / 2
"""No YAML text holds more than one node per two bytes without aliases (``[a,a,a]``), so an
expansion within this is linear in the file's size; compose files hold one node per 20-25."""


def expansion_limit(text: str) -> int:
    """The most nodes the aliases of ``text`` may expand to before it counts as a bomb."""
    return max(MAX_EXPANDED_NODES, int(len(text) * NODES_PER_BYTE))


class YamlLoadError(Exception):
    """A file that cannot be read as YAML; carries a 1-based position for the finding."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class YamlDocument:
    path: Path
    text: str
    data: Any


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.version = (1, 2)
    yaml.allow_duplicate_keys = False
    return yaml


class NotRegular(OSError):
    """A path that is a FIFO, a socket or a device: reading it could block forever."""


def read_regular(path: Path, max_bytes: int) -> bytes | None:
    """The bytes of the regular file at ``path`` (symlinks followed), opened so that a FIFO
    or device never blocks and checked to be a regular file on the open descriptor; None
    when it is over ``max_bytes``; :class:`NotRegular` or another OSError when it cannot be
    read."""
    import os
    import stat

    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as handle:
        st = os.fstat(descriptor)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(f"{path} is not a regular file")
        if st.st_size > max_bytes:
            return None
        return handle.read(max_bytes + 1)


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a file as UTF-8, turning every way it can fail into a :class:`YamlLoadError`."""
    try:
        raw = read_regular(path, max_bytes)
    except NotRegular:
        raise YamlLoadError("not a regular file (a FIFO, socket or device): not read") from None
    except OSError as exc:
        raise YamlLoadError(f"cannot read file: {exc.strerror or exc}") from None
    if raw is None or len(raw) > max_bytes:
        size = path.stat().st_size if raw is None else len(raw)
        raise YamlLoadError(
            f"file is {size / 1_048_576:.1f} MiB, over the {max_bytes / 1_048_576:.0f} MiB "
            "limit for a compose file; not parsed"
        )
    if b"\x00" in raw[:8192]:
        raise YamlLoadError("binary file (contains NUL bytes), not YAML")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlLoadError(
            f"invalid UTF-8 (byte 0x{raw[exc.start]:02x}); Compose reads UTF-8 only", line, column
        ) from None
    return text.removeprefix("\ufeff")


MAX_NESTING = 100
"""Collections nested deeper than this are refused before they are composed: ruamel's
scanner costs time in proportion to the depth for every token (a 20 KB ``[[[...]]]`` took
26-37 s to fail), and its composer recurses. Compose files nest below 10."""

_OPENERS = frozenset({"FlowSequenceStartToken", "FlowMappingStartToken",
                      "BlockSequenceStartToken", "BlockMappingStartToken"})
_CLOSERS = frozenset({"FlowSequenceEndToken", "FlowMappingEndToken", "BlockEndToken"})


def _refuse_deep_nesting(text: str) -> None:
    """Raise :class:`YamlLoadError` where the nesting first passes :data:`MAX_NESTING`.

    Only a text with that many brackets, or lines indented that far, can nest so deep; only
    such a text is scanned first, with ruamel's own scanner, stopping at the first token past
    the limit (so the scan costs at most the limit's depth per token)."""
    brackets = text.count("[") + text.count("{")
    if brackets <= MAX_NESTING and not _indented_beyond(text, MAX_NESTING):
        return
    from ruamel.yaml.error import YAMLError

    depth = 0
    try:
        for token in _yaml().scan(text):
            name = type(token).__name__
            if name in _OPENERS:
                depth += 1
                if depth > MAX_NESTING:
                    mark = token.start_mark
                    raise YamlLoadError(f"YAML nested more than {MAX_NESTING} levels deep; not "
                                        "parsed", mark.line + 1, mark.column + 1)
            elif name in _CLOSERS:
                depth -= 1
    except YAMLError:
        return  # a syntax error: the parser reports it with its own position


def _indented_beyond(text: str, columns: int) -> bool:
    return any(len(line) - len(line.lstrip(" ")) > columns for line in text.split("\n"))


def _is_duplicate_key(exc: Exception) -> bool:
    from ruamel.yaml.constructor import DuplicateKeyError

    return isinstance(exc, DuplicateKeyError)


def _duplicate_key_problem(exc: Any, text: str) -> str:
    """ruamel's text quotes both values (a password written twice would be printed): name
    the key, read at the mark from the file itself, and the line of the first one."""
    mark, first = exc.problem_mark, exc.context_mark
    key = ""
    index = getattr(mark, "index", None)
    if isinstance(index, int) and 0 <= index < len(text):
        key = text[index:index + 200].split("\n", 1)[0].split(":", 1)[0].strip().strip("'\"")
    shown = f' "{key}"' if key and len(key) <= 80 else ""
    where = f" (the mapping starts at line {first.line + 1})" if first is not None else ""
    return f"duplicate key{shown}{where}: Compose refuses a mapping with a key written twice"


def parse_yaml(text: str, path: Path) -> Any:
    """Parse one YAML document into ruamel round-trip nodes, or raise :class:`YamlLoadError`."""
    return _parsed(text, lambda: _yaml().load(text))


def parse_yaml_documents(text: str, path: Path) -> list[Any]:
    """Every document of a YAML stream (``---`` between them) as located :class:`Node`s (None
    for an empty one), or raise :class:`YamlLoadError`."""
    from composeguard.lint.parse.nodes import from_ruamel

    documents = _parsed(text, lambda: list(_yaml().load_all(text)))
    return [from_ruamel(d, path, text) if d is not None else None for d in documents]


def _parsed(text: str, load: Callable[[], Any]) -> Any:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        _refuse_deep_nesting(text)
        data = load()
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        if _is_duplicate_key(exc):
            problem = _duplicate_key_problem(exc, text)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise YamlLoadError(_one_line(problem), line, column) from None
    except YAMLError as exc:
        raise YamlLoadError(_one_line(str(exc) or "invalid YAML")) from None
    except RecursionError:
        raise YamlLoadError("YAML nesting is too deep") from None
    except (ValueError, TypeError, LookupError, AttributeError, OverflowError) as exc:
        # ruamel's constructors raise plain Python errors for some bad tagged values
        # (`!!float abc`, `!!timestamp 2020-13-45`) and self-merging anchors.
        raise YamlLoadError(_one_line(
            f"a value cannot be read ({exc}); check explicit `!!` tags and `<<` merge keys"
        )) from None
    limit = expansion_limit(text)
    if expanded_size(data, limit) > limit:
        raise YamlLoadError(
            f"YAML aliases expand to more than {limit:,} nodes (an alias bomb?); "
            "not expanded"
        )
    return data


def load_yaml(path: Path) -> YamlDocument:
    text = read_text(path)
    return YamlDocument(path=path, text=text, data=parse_yaml(text, path))


def expanded_size(data: Any, limit: int = MAX_EXPANDED_NODES,
                  children: Callable[[Any], list[Any] | None] | None = None) -> int:
    """Count the nodes a walk that follows every alias would visit, without walking them.

    Shared (aliased) nodes are measured once and memoised by identity; a self-referencing
    structure counts as infinite. ``children`` gives a node's children (None for a leaf);
    by default a dict's values and a list's items, as ruamel's tree holds them.
    """
    memo: dict[int, int] = {}
    on_stack: set[int] = set()
    infinite = limit + 1
    below = children or _plain_children

    def size(node: Any) -> int:
        inside = below(node)
        if inside is None:
            return 1
        key = id(node)
        if key in memo:
            return memo[key]
        if key in on_stack:
            return infinite
        on_stack.add(key)
        total = 1
        for child in inside:
            total += size(child)
            if total > limit:
                total = infinite
                break
        on_stack.discard(key)
        memo[key] = total
        return total

    try:
        return size(data)
    except RecursionError:
        return infinite


def _plain_children(node: Any) -> list[Any] | None:
    if isinstance(node, dict):
        return list(node.values())
    return node if isinstance(node, list) else None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def header_comment(text: str) -> list[tuple[int, str]]:
    """The comment lines at the top of a YAML file, before its first content, numbered."""
    lines = []
    for number, line in enumerate(text.splitlines()[:60], start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            lines.append((number, stripped.lstrip("#").strip()))
        elif stripped and stripped != "---":
            break
    return lines
