"""A finding's identity that survives unrelated edits to its file.

Baselines (``--baseline``) and SARIF ``partialFingerprints`` both need to recognise "the same
finding" on a later run, after someone inserted lines above it. The line number cannot be part
of that identity; what the finding flags can. A fingerprint is a hash of the rule code, the
file's path relative to a stable root (POSIX), the flagged line(s) stripped of indentation, and
an occurrence index telling apart identical content repeated in the same file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from composeguard.lint.engine.finding import Finding, source_lines

FINGERPRINT_LENGTH = 32
"""Hex digits kept from the SHA-256 digest: 128 bits, far beyond any collision in a project."""


def fingerprint(
    finding: Finding,
    read: Callable[[Path], str | None],
    root: Path | None = None,
) -> str:
    """The finding's stable identity, as hex digits.

    ``read`` returns a file's text or None (``Project.read_text`` fits); a file that cannot be
    read fingerprints by code and path alone. ``root`` anchors the path: the baseline passes
    its own directory so that the fingerprint does not depend on the current directory; by
    default it is the enclosing git work tree, else the current directory. Never raises.
    """
    loc = finding.location
    anchor = root if root is not None else default_root(loc.path)
    path = relative_posix(loc.path, anchor)
    try:
        text = read(loc.path)
    except Exception:  # noqa: BLE001 - a reader's failure only makes the fingerprint coarser
        text = None
    content, occurrence = flagged_content(text, loc.line, loc.end_line)
    payload = "\0".join((finding.code.upper(), path, content, str(occurrence)))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()[
        :FINGERPRINT_LENGTH
    ]


def flagged_content(text: str | None, line: int, end_line: int | None = None) -> tuple[str, int]:
    """The normalised text of lines ``line``..``end_line`` (1-based) and how many identical
    windows come before it in the file; ``("", 0)`` when the lines are not there."""
    if text is None:
        return "", 0
    lines = [part.strip() for part in source_lines(text)]
    start = max(line, 1) - 1
    stop = max(end_line or line, line)
    if start >= len(lines):
        return "", 0
    stop = min(stop, len(lines))
    window = lines[start:stop]
    size = len(window)
    earlier = sum(1 for i in range(start) if lines[i:i + size] == window)
    return "\n".join(window), earlier


def relative_posix(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` with ``/`` separators; absolute when outside ``root``.

    Lexical first (the paths users typed), then with symlinks resolved, so that a root reached
    through a symlinked directory still matches paths reported relative to the real cwd.
    """
    absolute, base = os.path.abspath(path), os.path.abspath(root)
    for candidate, anchor in ((absolute, base), _real(absolute, base)):
        try:
            return Path(candidate).relative_to(anchor).as_posix()
        except ValueError:
            continue
    return Path(absolute).as_posix()


def default_root(path: Path) -> Path:
    """The nearest directory above ``path`` holding ``.git``, else the current directory."""
    absolute = Path(os.path.abspath(path))
    for directory in absolute.parents:
        try:
            if (directory / ".git").exists():
                return directory
        except OSError:
            break
    return Path.cwd()


def _real(path: str, root: str) -> tuple[str, str]:
    try:
        return os.path.realpath(path), os.path.realpath(root)
    except (OSError, RuntimeError, ValueError):
        return path, root
