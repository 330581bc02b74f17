"""Git's ignore rules, evaluated the way git evaluates them, with pathspec's gitignore patterns.

CG402 asks "would git ignore a database file here?"; a wrong answer either nags about a file
that is ignored or stays silent about one that gets committed. pathspec compiles each pattern;
the walk around the patterns is git's own (``dir.c``): parent directories are decided first
(git never descends into an excluded directory, so nothing below one can be re-included and
its ``.gitignore`` files are never read), then the deepest ``.gitignore`` that has a matching
pattern decides, last match winning, then ``$GIT_DIR/info/exclude``. A whole-file ``PathSpec``
can do neither, nor say which line decided.

``core.excludesFile`` is left out on purpose: user-global excludes differ per machine, so a
project must not rely on them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

from composeguard.lint.parse.yamlio import read_regular

MAX_IGNORE_FILE_BYTES = 100 * 1024 * 1024
"""git skips ignore files larger than this (``PATTERN_MAX_FILE_SIZE``)."""


@dataclass(frozen=True, slots=True)
class IgnoreMatch:
    """The pattern that decided a path, as ``git check-ignore -v`` reports it."""

    source: Path
    line: int
    pattern: str
    """As git prints it: the line without its CR and its unescaped trailing spaces."""
    negated: bool
    """A ``!`` pattern decided: the path is NOT ignored."""


@dataclass(frozen=True, slots=True)
class _Rule:
    line: int
    pattern: str
    compiled: tuple[Any, ...]
    """pathspec ``GitIgnoreSpecPattern``s, any of which matches; none: it can never match."""
    negated: bool
    dir_only: bool
    basename: bool
    """No slash before the trailing one: git matches only the last path component."""


def _read_disk(path: Path) -> str | None:
    """Read an ignore file like git: an in-tree ``.gitignore`` symlink is not followed."""
    try:
        if path.name == ".gitignore" and path.is_symlink():
            return None
        raw = read_regular(path, MAX_IGNORE_FILE_BYTES)
        return raw.decode("utf-8", errors="surrogateescape") if raw is not None else None
    except (OSError, ValueError):
        return None


def _trim_trailing_spaces(line: str) -> str:
    """git's ``trim_trailing_spaces``: drop unescaped trailing spaces (only spaces, not tabs)."""
    last_space: int | None = None
    index = 0
    while index < len(line):
        char = line[index]
        if char == " ":
            last_space = index if last_space is None else last_space
        else:
            last_space = None
            if char == "\\":
                index += 1
                if index == len(line):
                    return line
        index += 1
    return line if last_space is None else line[:last_space]


_POSIX_CLASSES = {
    "alnum": "09AZaz", "alpha": "AZaz", "blank": "  \t\t", "cntrl": "\x00\x1f\x7f\x7f",
    "digit": "09", "graph": "!~", "lower": "az", "print": " ~", "space": "\t\n\r\r  ",
    "upper": "AZ", "xdigit": "09AFaf", "punct": "!/:@[`{~",
}
"""git's ASCII classes (``sane_ctype``), as pairs of range bounds."""

_CLASS_SPECIALS = "]-[\\&~|!^"
"""Characters that pathspec or Python's ``re`` would read specially inside a bracket."""


def _bracket(body: str, start: int) -> tuple[list[tuple[int, int]], bool, int] | None:
    """Parse the bracket expression at ``body[start]`` as git's ``wildmatch`` does.

    Returns its code point ranges, whether it is negated and the index after it; None where
    git aborts the match (unclosed bracket, unknown ``[:class:]``).
    """
    index, size = start + 1, len(body)
    negated = index < size and body[index] in "!^"
    index += negated
    ranges: list[tuple[int, int]] = []
    previous: str | None = None
    first = True
    while index < size and (first or body[index] != "]"):
        first, char = False, body[index]
        if char == "\\" and index + 1 < size:
            index += 1
            previous = body[index]
            ranges.append((ord(previous), ord(previous)))
        elif char == "\\":
            return None
        elif char == "-" and previous and index + 1 < size and body[index + 1] != "]":
            index += 1 + (body[index + 1] == "\\")
            if index >= size:
                return None
            ranges.append((ord(previous), ord(body[index])))
            previous = None
        elif body.startswith("[:", index) and (close := body.find("]", index + 2)) >= 0:
            name = body[index + 2 : close]
            if len(name) < 1 or not name.endswith(":"):
                ranges.append((ord("["), ord("[")))
                previous = "["
            elif (bounds := _POSIX_CLASSES.get(name[:-1])) is None:
                return None
            else:
                ranges += [(ord(bounds[i]), ord(bounds[i + 1])) for i in range(0, len(bounds), 2)]
                previous, index = None, close
        elif body.startswith("[:", index):
            return None
        else:
            previous = char
            ranges.append((ord(char), ord(char)))
        index += 1
    return (ranges, negated, index + 1) if index < size else None


def _character_class(ranges: list[tuple[int, int]], negated: bool) -> str | None:
    """A positive class pathspec turns into the same set in Python's ``re``, or None if empty.

    Spelled out as code point ranges, without ``/`` (git's classes never match it), with the
    characters pathspec or ``re`` would misread placed where they are literal.
    """
    spans: list[tuple[int, int]] = []
    for low, high in sorted(r for r in ranges if r[0] <= r[1]):
        if spans and low <= spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], max(spans[-1][1], high))
        else:
            spans.append((low, high))
    if negated:
        bounds = [-1, *(bound for span in spans for bound in span), 0x110000]
        spans = [(bounds[i] + 1, bounds[i + 1] - 1) for i in range(0, len(bounds), 2)]
        spans = [(low, high) for low, high in spans if low <= high]
    present = ""
    for cut in map(ord, "/" + _CLASS_SPECIALS):
        present += chr(cut) if any(low <= cut <= high for low, high in spans) else ""
        spans = [
            (a, b)
            for low, high in spans
            for a, b in (((low, cut - 1), (cut + 1, high)) if low <= cut <= high else [(low, high)])
            if a <= b
        ]
    present = present.replace("/", "")
    middle = "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in spans)
    middle += "".join(c for c in present if c not in "]-")
    text = ("]" if "]" in present else "") + middle + ("-" if "-" in present else "")
    if not text:
        return None
    if text[0] in "!^[":
        if len(text) == 1:
            return "\\" + text
        # pathspec reads a leading ! or ^ as negation, re a leading [ as a nested set; the
        # leading backslash left for the lone {!, ^, [} sets also admits a backslash.
        text = "-" + text[:-1] if "-" in present else "\\" + text
    return f"[{text}]"


def _for_pathspec(body: str) -> str | None:
    """Spell a git pattern so that pathspec compiles what git would match; None: never matches.

    pathspec disagrees with git on bracket expressions (no ``[:classes:]``, no escapes inside,
    negated ones match ``/``), on runs of three or more ``*``, on escaped ``/`` (after ``**``
    too), and strips every trailing whitespace character where git keeps tabs and escaped
    spaces. Each of those is rewritten into a form both read the same way.
    """
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            if index + 1 == len(body) or body.startswith("\\/"):
                return None
            char = body[index + 1]
            out.append(char if char == "/" else f"[{char}]" if char.isspace() else "\\" + char)
            index += 2
        elif char == "[":
            parsed = _bracket(body, index)
            if parsed is None or (text := _character_class(parsed[0], parsed[1])) is None:
                return None
            out.append(text)
            index = parsed[2]
        elif char == "*":
            run = len(body[index:]) - len(body[index:].lstrip("*"))
            bounded = run > 1 and body[index - 1 : index] in ("", "/")
            if bounded and body.startswith("\\/", index + run):
                out.append("*/**/")  # git's "**\/" needs at least one character before the slash
                run += 2
            else:
                out.append("**" if run > 1 else "*")
            index += run
        else:
            escape = not out and char in "#!"
            out.append(f"[{char}]" if char.isspace() else "\\" + char if escape else char)
            index += 1
    return "".join(out)


def _git_prefix_quirk(body: str) -> list[str]:
    """The patterns git really matches for ``body``: ``prefix**`` quirk spelled out.

    git compares a pattern's literal prefix first and wildmatches the rest on its own, so a
    ``**`` right after the prefix counts as bounded: ``a**/b`` also matches ``ab`` and
    ``ax/y/b`` (not after an escaped slash), and ``x/c**`` matches across slashes.
    """
    alternatives: list[str] = []
    while True:
        start = 1 if body.startswith("/") else 0
        cut = next((i for i in range(start, len(body)) if body[i] in "*?[\\"), len(body))
        if cut == start or body[cut - 1] == "/" or not body.startswith("**", cut):
            return [*alternatives, body]
        prefix, after = body[:cut], body[cut:].lstrip("*")
        while after.startswith("/**") and after[1:].lstrip("*")[:1] in ("", "/"):
            after = after[1:].lstrip("*")  # "a**/**/b" is "a**/b" in git too
        if not after:
            return [*alternatives, prefix + "*", prefix + "*/**"]
        if after.startswith("\\/"):
            return [*alternatives, f"{prefix}*/**/{after[2:]}"]
        if not after.startswith("/"):
            return [*alternatives, body]
        alternatives.append(f"{prefix}*/**{after}")
        body = prefix + after[1:]


def _compile(line: int, written: str) -> _Rule | None:
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    negated = written.startswith("!")
    body = written[1:] if negated else written
    dir_only = body.endswith("/")
    body = body[:-1] if dir_only else body
    if not body:
        return None
    basename = "/" not in body
    compiled: list[Any] = []
    for alternative in [body] if basename else _git_prefix_quirk(body):
        spelled = _for_pathspec(alternative)
        if spelled is not None and not basename and "/" not in spelled:
            spelled = "/" + spelled
        try:
            pattern = GitIgnoreSpecPattern(spelled) if spelled is not None else None
        except (ValueError, TypeError):
            pattern = None
        if pattern is not None and pattern.include is not None and pattern.regex is not None:
            compiled.append(pattern)
    return _Rule(line, written, tuple(compiled), negated, dir_only, basename)


def _parse(text: str) -> tuple[_Rule, ...]:
    """Split like git (``\\n`` only, one CR dropped, BOM skipped) and compile every pattern."""
    rules: list[_Rule] = []
    for number, raw in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        if not raw or raw.startswith("#"):
            continue
        rule = _compile(number, _trim_trailing_spaces(raw.removesuffix("\r")))
        if rule is not None:
            rules.append(rule)
    return tuple(rules)


def _matches(rule: _Rule, relative: str, is_dir: bool) -> bool:
    if rule.dir_only and not is_dir:
        return False
    subject = relative.rpartition("/")[2] if rule.basename else relative
    for pattern in rule.compiled:
        found = pattern.match_file(subject)
        # pathspec also matches everything below a matching path and marks that with the
        # ``ps_d`` group; git decides parent directories on their own, so those do not count.
        if found is not None and not found.match.groupdict().get("ps_d"):
            return True
    return False


def _last_match(
    source: Path, rules: tuple[_Rule, ...], parts: tuple[str, ...], is_dir: bool
) -> IgnoreMatch | None:
    if not rules:
        return None
    relative = "/".join(parts)
    for rule in reversed(rules):
        if _matches(rule, relative, is_dir):
            return IgnoreMatch(source, rule.line, rule.pattern, rule.negated)
    return None


class IgnoreRules:
    """The ignore rules of one repository (or of a plain directory tree when there is no git)."""

    def __init__(self, root: Path, read: Callable[[Path], str | None] | None = None) -> None:
        self.root = Path(root)
        self._read = read or _read_disk
        self._files: dict[Path, tuple[_Rule, ...]] = {}

    def ignored(self, path: str | Path, *, is_dir: bool = False) -> bool:
        """Whether git would ignore ``path`` (relative to the root, or absolute under it)."""
        found = self.explain(path, is_dir=is_dir)
        return found is not None and not found.negated

    def explain(self, path: str | Path, *, is_dir: bool = False) -> IgnoreMatch | None:
        """The deciding pattern, like ``git check-ignore -v --no-index``; None when none matched.

        An excluded parent directory decides for everything below it, as in git.
        """
        parts = self._parts(path)
        if not parts:
            return None
        is_dir = is_dir or (isinstance(path, str) and path.endswith("/"))
        files: list[tuple[Path, tuple[_Rule, ...]]] = []
        directory = self.root
        for end in range(1, len(parts) + 1):
            files.append((directory / ".gitignore", self._rules(directory / ".gitignore")))
            directory = directory / parts[end - 1]
            last = end == len(parts)
            found = self._decide(files, parts[:end], is_dir=is_dir if last else True)
            if last or (found is not None and not found.negated):
                return found
        return None

    def _decide(
        self, files: list[tuple[Path, tuple[_Rule, ...]]], parts: tuple[str, ...], *, is_dir: bool
    ) -> IgnoreMatch | None:
        """The deepest ``.gitignore`` with a matching pattern decides, then ``info/exclude``."""
        for depth in range(len(files) - 1, -1, -1):
            source, rules = files[depth]
            if (found := _last_match(source, rules, parts[depth:], is_dir)) is not None:
                return found
        exclude = self.root / ".git" / "info" / "exclude"
        return _last_match(exclude, self._rules(exclude), parts, is_dir)

    def _rules(self, source: Path) -> tuple[_Rule, ...]:
        if source not in self._files:
            try:
                text = self._read(source)
            except (OSError, ValueError):
                text = None
            self._files[source] = _parse(text) if isinstance(text, str) else ()
        return self._files[source]

    def _parts(self, path: str | Path) -> tuple[str, ...]:
        """``path`` as components below the root; () for the root itself or outside it."""
        posix = PurePosixPath(path.as_posix() if isinstance(path, PurePath) else os.fspath(path))
        if posix.is_absolute():
            root = PurePosixPath(Path(os.path.abspath(self.root)).as_posix())
            normal = PurePosixPath(os.path.normpath(posix))
            if not normal.is_relative_to(root):
                return ()
            posix = normal.relative_to(root)
        parts: list[str] = []
        for part in posix.parts:
            if part == "..":
                if not parts:
                    return ()
                parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        if parts and parts[0] == ".git":
            return ()
        return tuple(parts)
