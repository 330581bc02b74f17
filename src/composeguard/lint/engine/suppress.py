"""Inline suppressions, applied once by the runner; no rule knows about them.

Two forms, in a real comment of the file the finding points at::

    image: mysql:8   # composeguard: ignore[CG101] the data lives on the host's NFS mount

    # composeguard: ignore[CG101,seed-on-start] reason
    db:                                    <- a comment on its own line covers the next line

    # composeguard: ignore-file[CG502]     <- anywhere in the file, covers the whole file

Inside the brackets go codes or rule names (case-insensitive), separated by commas or spaces;
anything after the closing bracket is the reason and is ignored. PHP files use ``//`` (``#``
works there too).

Decisions:

- **A blanket ``# composeguard: ignore`` (no brackets, or empty ones) suppresses nothing.**
  ruff's bare ``# noqa`` shows how a blanket ignore written for one finding goes on hiding
  every finding that later appears on that line; for a tool whose findings are about losing
  data, silently hiding a new one is worse than asking for the code. Blanket directives are
  recorded (``FileSuppressions.blanket_lines``); the runner lists the findings they were
  probably meant for (``RunResult.blanket``) and the CLI tells the user to name the codes.
- **"The line above" means a comment on a line of its own.** A trailing comment covers its own
  line only, so ``image: mysql  # composeguard: ignore[CG101]`` never also hides a finding on
  the following key. Codes are matched exactly (no ``CG1`` prefixes): a suppression names what
  it accepts.
- **Only real comments count.** A ``#`` starts a YAML comment only at the start of a line or
  after whitespace, outside quoted scalars and block scalars (``command: |`` bodies); text
  inside a string that merely looks like a directive is not one. Other files get the comment
  rules of their language (shell/env: ``#`` after whitespace, outside quotes; Python/Ruby:
  ``#`` outside quotes; PHP: ``//`` or ``#`` outside quotes; ``.gitignore``: ``#`` at the start
  of a line).
- **Reading never raises.** A file that is missing, unreadable, binary, not UTF-8 or too big to
  be hand-written has no suppressions.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from composeguard.lint.engine.finding import Finding, source_lines
from composeguard.lint.parse.yamlio import read_regular

MAX_BYTES = 4 * 1024 * 1024
"""Larger files are not hand-edited configuration; they get no suppressions."""

_DIRECTIVE = re.compile(
    r"composeguard\s*:\s*(?P<kind>ignore-file|ignore)(?![\w-])"
    r"(?:\[(?P<codes>[^\]]*)\])?",
    re.IGNORECASE,
)


class CommentSyntax(enum.Enum):
    YAML = "yaml"
    SHELL = "shell"
    """``#`` at line start or after whitespace, outside quotes: sh, env files, Makefiles..."""
    HASH = "hash"
    """``#`` anywhere outside quotes: Python, Ruby."""
    PHP = "php"
    LINE_START = "line-start"
    """``#`` only as a line's first non-blank character: ``.gitignore``, ``.dockerignore``."""


def comment_syntax(path: Path) -> CommentSyntax:
    name = path.name.lower()
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml") or name.endswith((".yml.dist", ".yaml.dist")):
        return CommentSyntax.YAML
    if suffix == ".php":
        return CommentSyntax.PHP
    if suffix in (".py", ".rb", ".rake", ".ru") or name in ("gemfile", "rakefile"):
        return CommentSyntax.HASH
    if name.endswith("ignore") and name.startswith("."):
        return CommentSyntax.LINE_START
    return CommentSyntax.SHELL


@dataclass(frozen=True, slots=True)
class Directive:
    """One ``ignore[...]``/``ignore-file[...]`` as written: its line, its tokens (as written,
    in order) and the lines it covers (empty for the whole file)."""

    line: int
    tokens: tuple[str, ...]
    covers: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class FileSuppressions:
    """The suppressions of one file: tokens are lower-cased codes or rule names."""

    by_line: Mapping[int, frozenset[str]] = field(default_factory=dict)
    whole_file: frozenset[str] = frozenset()
    blanket_lines: tuple[int, ...] = ()
    """Lines a directive without codes was written for (it suppresses nothing there)."""
    directives: tuple[Directive, ...] = ()

    def suppresses(self, code: str, name: str, line: int) -> bool:
        keys = {code.lower(), name.lower()}
        return bool(keys & self.whole_file or keys & self.by_line.get(line, frozenset()))


NO_SUPPRESSIONS = FileSuppressions()


def parse_suppressions(text: str, syntax: CommentSyntax = CommentSyntax.YAML) -> FileSuppressions:
    """Every directive in ``text``, keyed by the 1-based lines it covers."""
    by_line: dict[int, set[str]] = {}
    whole_file: set[str] = set()
    blanket: list[int] = []
    directives: list[Directive] = []
    for number, comment, own_line in iter_comments(text, syntax):
        for match in _DIRECTIVE.finditer(comment):
            written = tuple(t for t in re.split(r"[\s,]+", match["codes"] or "") if t)
            tokens = {t.lower() for t in written}
            if not tokens:
                blanket += [number, number + 1] if own_line else [number]
                continue
            if match["kind"].lower() == "ignore-file":
                whole_file |= tokens
                directives.append(Directive(number, written, ()))
                continue
            by_line.setdefault(number, set()).update(tokens)
            if own_line:
                by_line.setdefault(number + 1, set()).update(tokens)
            directives.append(Directive(number, written,
                                        (number, number + 1) if own_line else (number,)))
    return FileSuppressions(
        {line: frozenset(tokens) for line, tokens in by_line.items()},
        frozenset(whole_file),
        tuple(blanket),
        tuple(directives),
    )


def iter_comments(text: str, syntax: CommentSyntax) -> Iterator[tuple[int, str, bool]]:
    """``(line number, comment text, comment is alone on its line)`` for each comment."""
    if syntax is CommentSyntax.YAML:
        yield from _yaml_comments(text.splitlines())
        return
    for number, line in enumerate(source_lines(text), start=1):
        start = _comment_start(line, syntax)
        if start is not None:
            yield number, line[start:], not line[:start].strip()


# -- YAML ---------------------------------------------------------------------------------

_BLOCK_HEADER = re.compile(
    r"""^(?P<lead>(?:-\s+)*)                       # sequence entries
        (?:(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"][^#]*?)\s*:\s+)?   # a key
        (?:[!&]\S*\s+)*                             # tag, anchor
        [|>](?:[1-9][+-]?|[+-][1-9]?)?\s*$          # block scalar indicator
    """,
    re.VERBOSE,
)


def _yaml_comments(lines: list[str]) -> Iterator[tuple[int, str, bool]]:
    block_parent: int | None = None
    quote: str | None = None
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip(" \t")
        indent = len(line) - len(stripped)
        if block_parent is not None:
            if not stripped or indent > block_parent:
                continue
            block_parent = None
        start, quote = _yaml_comment_start(line, quote)
        if start is not None:
            yield number, line[start:], not line[:start].strip()
        code = (line if start is None else line[:start]).rstrip()
        if quote is None:
            block_parent = _block_parent_indent(code)


def _block_parent_indent(code: str) -> int | None:
    """The indentation a block scalar's content must exceed, if ``code`` opens one."""
    stripped = code.lstrip(" \t")
    indent = len(code) - len(stripped)
    match = _BLOCK_HEADER.match(stripped)
    if match is None:
        return None
    lead = match["lead"]
    rest = stripped[len(lead):]
    if rest[:1] in ("|", ">") and lead:
        # ``- |``: the content belongs to the last sequence entry.
        return indent + lead.rstrip().rfind("-")
    return indent + len(lead)


def _yaml_comment_start(line: str, quote: str | None) -> tuple[int | None, str | None]:
    """Where a comment starts in ``line`` (or None), and the quote still open at its end.

    Quotes open a scalar only where a value starts (after ``key:``, ``-``, ``[``, ``{`` or
    ``,`` in flow context); inside a plain scalar they are ordinary characters.
    """
    value_start = True
    depth = 0
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        nxt = line[i + 1] if i + 1 < n else ""
        if quote == '"':
            if c == "\\":
                i += 1
            elif c == '"':
                quote, value_start = None, False
        elif quote == "'":
            if c == "'":
                if nxt == "'":
                    i += 1
                else:
                    quote, value_start = None, False
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return i, None
        elif c in " \t":
            pass
        elif value_start and c in "\"'":
            quote = c
        elif value_start and c in "[{":
            depth += 1
        elif depth and c in "]}":
            depth -= 1
            value_start = False
        elif depth and c == "," or c == ":" and (nxt in ("", " ", "\t") or depth):
            value_start = True
        elif value_start and c in "-?" and nxt in ("", " ", "\t"):
            pass
        elif value_start and c in "&!":
            while i + 1 < n and line[i + 1] not in " \t":
                i += 1
        else:
            value_start = False
        i += 1
    return None, quote


# -- other languages ----------------------------------------------------------------------


def _comment_start(line: str, syntax: CommentSyntax) -> int | None:
    if syntax is CommentSyntax.LINE_START:
        return len(line) - len(line.lstrip()) if line.lstrip().startswith("#") else None
    quote: str | None = None
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if quote is not None:
            if c == "\\" and (quote == '"' or syntax is not CommentSyntax.SHELL):
                i += 1
            elif c == quote:
                quote = None
        elif c == "\\":
            i += 1
        elif c in "\"'" or (c == "`" and syntax is CommentSyntax.SHELL):
            quote = c
        elif c == "#":
            if syntax is CommentSyntax.SHELL and i and line[i - 1] not in " \t;":
                pass
            elif syntax is CommentSyntax.PHP and line[i + 1 : i + 2] == "[":
                pass  # a PHP 8 attribute, not a comment
            else:
                return i
        elif c == "/" and syntax is CommentSyntax.PHP and line[i + 1 : i + 2] == "/":
            return i
        i += 1
    return None


# -- reading files ------------------------------------------------------------------------


def read_suppressions(path: Path) -> FileSuppressions:
    """The suppressions of the file at ``path``; never raises."""
    try:
        raw = read_regular(path, MAX_BYTES)
        if raw is None:
            return NO_SUPPRESSIONS
    except (OSError, ValueError):
        return NO_SUPPRESSIONS
    if b"\x00" in raw[:8192] or b"composeguard" not in raw.lower():
        return NO_SUPPRESSIONS
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return NO_SUPPRESSIONS
    try:
        return parse_suppressions(text, comment_syntax(path))
    except (RecursionError, ValueError):  # pragma: no cover - the parsers are total
        return NO_SUPPRESSIONS


class Suppressions:
    """Suppression lookups for one run, reading each file at most once."""

    def __init__(self, texts: Mapping[Path, str] | None = None) -> None:
        self._files: dict[Path, FileSuppressions] = {}
        self._texts = dict(texts or {})
        """Files whose text is not the one on disk (a file given on standard input)."""

    def for_file(self, path: Path) -> FileSuppressions:
        cached = self._files.get(path)
        if cached is None:
            text = self._texts.get(path)
            cached = self._files[path] = read_suppressions(path) if text is None else \
                parse_suppressions(text, comment_syntax(path))
        return cached

    def is_suppressed(self, finding: Finding) -> bool:
        location = finding.location
        return self.for_file(location.path).suppresses(finding.code, finding.name, location.line)

    def has_blanket(self, finding: Finding) -> bool:
        """A codeless ``# composeguard: ignore`` was written for this finding's line."""
        return finding.location.line in self.for_file(finding.location.path).blanket_lines

    def unused(self, paths: Iterable[Path], suppressed: Iterable[Finding]
               ) -> Iterator[tuple[Path, Directive, str]]:
        """Each token of a directive in ``paths`` that suppressed none of ``suppressed``
        (the findings this run hid), with its directive: what ruff's RUF100 reports."""
        used: set[tuple[Path, int, str]] = set()
        for finding in suppressed:
            path, line = finding.location.path, finding.location.line
            for directive in self.for_file(path).directives:
                if directive.covers and line not in directive.covers:
                    continue
                for token in directive.tokens:
                    if token.lower() in (finding.code.lower(), finding.name.lower()):
                        used.add((path, directive.line, token.lower()))
        for path in dict.fromkeys(paths):
            for directive in self.for_file(path).directives:
                for token in directive.tokens:
                    if (path, directive.line, token.lower()) not in used:
                        yield path, directive, token

    def filter(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
        """``(kept, suppressed)``."""
        kept: list[Finding] = []
        suppressed: list[Finding] = []
        for finding in findings:
            (suppressed if self.is_suppressed(finding) else kept).append(finding)
        return kept, suppressed


def is_suppressed(finding: Finding) -> bool:
    """One-off check (reads the file); the runner uses a :class:`Suppressions` per run."""
    return Suppressions().is_suppressed(finding)
