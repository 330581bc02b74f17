"""Turning findings into what users read: text for people, JSON for tools.

Every reporter shows the same findings, in the same order, with the same paths: relative to the
current directory when the file is below it (absolute otherwise), with POSIX separators.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePath

import click

from composeguard.lint.finding import Finding, Severity

JSON_VERSION = 1

_SEVERITY_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def display_path(path: PurePath, cwd: Path | None = None) -> str:
    """``path`` relative to ``cwd`` when below it, else absolute; always with ``/``."""
    cwd = cwd if cwd is not None else Path.cwd()
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(cwd).as_posix() or "."
    except ValueError:
        return absolute.as_posix()


def ordered(findings: Iterable[Finding], cwd: Path | None = None) -> list[Finding]:
    """Findings by displayed path, then line, column, code and message."""
    cwd = cwd if cwd is not None else Path.cwd()
    return sorted(
        findings,
        key=lambda f: (display_path(f.location.path, cwd), *f.sort_key()[1:]),
    )


def format_finding(finding: Finding, cwd: Path | None = None, *, color: bool = False) -> str:
    loc = finding.location
    position = f"{display_path(loc.path, cwd)}:{loc.line}:{loc.column}:"
    code = finding.code
    severity = f"[{finding.severity}]"
    if color:
        position = click.style(position, bold=True)
        code = click.style(code, fg=_SEVERITY_COLOURS[finding.severity], bold=True)
        severity = click.style(severity, fg=_SEVERITY_COLOURS[finding.severity])
    return f"{position} {code} {severity} {finding.message}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary(findings: Sequence[Finding], files_checked: int) -> str:
    """``Found 3 problems (2 errors, 1 warning) in 2 files.`` or ``No problems found...``."""
    if not findings:
        return f"No problems found in {_plural(files_checked, 'compose file')}."
    by_severity = Counter(f.severity for f in findings)
    parts = [
        f"{by_severity[s]} info" if s is Severity.INFO else _plural(by_severity[s], str(s))
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if by_severity[s]
    ]
    files = len({f.location.path for f in findings})
    text = (
        f"Found {_plural(len(findings), 'problem')} ({', '.join(parts)}) "
        f"in {_plural(files, 'file')}"
    )
    fixable = sum(1 for f in findings if f.fixable)
    if fixable:
        text += f"; {fixable} fixable with `composeguard fix`"
    return text + "."


def render_text(
    findings: Sequence[Finding],
    files_checked: int,
    *,
    cwd: Path | None = None,
    color: bool = False,
) -> str:
    """One line per finding, then the summary line (styled when ``color``)."""
    cwd = cwd if cwd is not None else Path.cwd()
    lines = [format_finding(f, cwd, color=color) for f in ordered(findings, cwd)]
    last = summary(findings, files_checked)
    if color:
        last = click.style(last, bold=True, fg="green" if not findings else None)
    if lines:
        lines.append("")
    lines.append(last)
    return "\n".join(lines) + "\n"


def finding_record(finding: Finding, cwd: Path | None = None) -> dict[str, object]:
    """One finding as DESIGN.md's JSON contract has it."""
    loc = finding.location
    end_line, end_column = loc.end
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": str(finding.severity),
        "path": display_path(loc.path, cwd),
        "line": loc.line,
        "column": loc.column,
        "end_line": end_line,
        "end_column": end_column,
        "message": finding.message,
        "fixable": finding.fixable,
    }


def render_json(findings: Sequence[Finding], *, cwd: Path | None = None) -> str:
    cwd = cwd if cwd is not None else Path.cwd()
    document = {
        "version": JSON_VERSION,
        "findings": [finding_record(f, cwd) for f in ordered(findings, cwd)],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def use_color(option: bool | None, stream_is_tty: bool, env: dict[str, str] | None = None) -> bool:
    """``--color/--no-color`` wins; then ``NO_COLOR``, then ``FORCE_COLOR``, then the tty."""
    if option is not None:
        return option
    env = dict(os.environ) if env is None else env
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    return stream_is_tty
