"""Baselines: adopt composeguard on an old project by recording what it already reports.

``--write-baseline FILE`` records the current findings; ``--baseline FILE`` then hides those and
reports only new ones. A finding is recognised by code, path and :func:`fingerprint` (never by
line number), so inserting unrelated lines above it does not bring it back, while editing the
flagged line does. Paths and fingerprints are anchored at the baseline file's directory, so
the same baseline works from the repository root, a subdirectory or CI's checkout path. The
file is sorted JSON with one entry per finding, so that it diffs well in code review.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from composeguard.lint.engine.finding import Finding
from composeguard.lint.engine.fingerprint import fingerprint, relative_posix

BASELINE_VERSION = 1

Reader = Callable[[Path], str | None]


class BaselineError(Exception):
    """A baseline that cannot be used (missing, unreadable, not our format); names the file."""


@dataclass(frozen=True, slots=True, order=True)
class BaselineEntry:
    """One recorded finding. ``message`` is for the people reading the diff, not for matching:
    a reworded message in a newer composeguard must not bring recorded findings back."""

    path: str
    code: str
    fingerprint: str
    message: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.code, self.path, self.fingerprint)

    def as_json(self) -> dict[str, str]:
        record = {"code": self.code, "path": self.path, "fingerprint": self.fingerprint}
        if self.message:
            record["message"] = self.message
        return record


@dataclass(frozen=True, slots=True)
class Baseline:
    path: Path
    entries: tuple[BaselineEntry, ...] = ()

    @property
    def root(self) -> Path:
        """The directory every recorded path and fingerprint is relative to."""
        return Path(os.path.abspath(self.path)).parent

    def filter(
        self, findings: Iterable[Finding], read: Reader
    ) -> tuple[list[Finding], list[Finding]]:
        """``(new, hidden)``: each entry hides one matching finding (a multiset, so two
        recorded identical findings hide two and a third one is new)."""
        remaining = Counter(entry.key for entry in self.entries)
        new: list[Finding] = []
        hidden: list[Finding] = []
        for finding in findings:
            key = entry_for(finding, read, self.root).key
            if remaining[key] > 0:
                remaining[key] -= 1
                hidden.append(finding)
            else:
                new.append(finding)
        return new, hidden


def entry_for(finding: Finding, read: Reader, root: Path) -> BaselineEntry:
    return BaselineEntry(
        path=relative_posix(finding.location.path, root),
        code=finding.code,
        fingerprint=fingerprint(finding, read, root),
        message=finding.message,
    )


def render_baseline(entries: Iterable[BaselineEntry]) -> str:
    """Sorted by path, code and fingerprint, indented, with a final newline: stable for git."""
    document = {
        "version": BASELINE_VERSION,
        "findings": [entry.as_json() for entry in sorted(entries)],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_baseline(path: Path, findings: Sequence[Finding], read: Reader) -> int:
    """Record ``findings`` in ``path`` (atomically); returns how many were recorded."""
    root = Path(os.path.abspath(path)).parent
    text = render_baseline(entry_for(f, read, root) for f in findings)
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=root, prefix=f".{Path(path).name}.", text=True)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise BaselineError(f"cannot write baseline {path}: {exc.strerror or exc}") from None
    return len(findings)


def load_baseline(path: Path) -> Baseline:
    """Read and validate a baseline written by :func:`write_baseline`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(
            f"baseline file not found: {path} (create it with `composeguard check "
            f"--write-baseline {path}`)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise BaselineError(f"cannot read baseline {path}: {reason}") from None
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from None
    return Baseline(path=Path(path), entries=_entries(path, document))


def _entries(path: Path, document: Any) -> tuple[BaselineEntry, ...]:
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise BaselineError(f"baseline {path} is not a composeguard baseline: expected "
                            '{"version": 1, "findings": [...]}')
    if document.get("version") != BASELINE_VERSION:
        raise BaselineError(f"baseline {path}: unsupported version {document.get('version')!r} "
                            f"(this composeguard reads version {BASELINE_VERSION})")
    entries = []
    for index, record in enumerate(document["findings"]):
        fields = {k: record.get(k) for k in ("code", "path", "fingerprint")} if isinstance(
            record, dict) else {}
        texts = {k: v for k, v in fields.items() if isinstance(v, str) and v}
        if not fields or len(texts) != len(fields):
            raise BaselineError(f"baseline {path}: findings[{index}] needs string \"code\", "
                                '"path" and "fingerprint"')
        message = record.get("message")
        entries.append(BaselineEntry(message=message if isinstance(message, str) else "",
                                     **texts))
    return tuple(entries)
