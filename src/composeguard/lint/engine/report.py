"""Turning findings into what users and tools read: text for people; JSON, SARIF 2.1.0, GitHub
workflow annotations and JUnit XML for tools and CI.

Every reporter shows the same findings, in the same order, with the same paths: relative to the
current directory when the file is below it (absolute otherwise), with POSIX separators. Messages
are passed through as the rules wrote them (they never hold secrets); a format only escapes what
its syntax needs.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING
from urllib.parse import quote

import click

from composeguard import __version__
from composeguard.lint.engine.finding import Finding, Severity

if TYPE_CHECKING:
    from xml.etree.ElementTree import ElementTree

JSON_VERSION = 1

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit")
"""The values of ``check --format``."""

REPOSITORY_URL = "https://github.com/composeguard/composeguard"
RULE_PAGE_URL = REPOSITORY_URL + "/blob/main/docs/rules/{code}.md"
"""Where a rule's page (``docs/rules/CGnnn.md``) is read online: SARIF ``helpUri``, JUnit."""

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_FINGERPRINT_KEY = "composeguard/v1"
SARIF_SRCROOT = "%SRCROOT%"

ReadText = Callable[[Path], "str | None"]

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


FIXABLE_MARK = "[*]"
"""What marks a finding plain ``composeguard fix`` fixes (a safe fix), after its code, as
ruff marks one."""


def format_finding(finding: Finding, cwd: Path | None = None, *, color: bool = False,
                   concise: bool = False) -> str:
    """``path:line:col: CODE [*] [severity] message``, then (unless ``concise``) the help
    indented on the next line."""
    loc = finding.location
    position = f"{display_path(loc.path, cwd)}:{loc.line}:{loc.column}:"
    code = finding.code
    severity = f"[{finding.severity}]"
    safe = finding.fix is not None and finding.fix.safe
    mark = f" {FIXABLE_MARK}" if safe else ""
    help_label = "help:"
    if color:
        position = click.style(position, bold=True)
        code = click.style(code, fg=_SEVERITY_COLOURS[finding.severity], bold=True)
        severity = click.style(severity, fg=_SEVERITY_COLOURS[finding.severity])
        mark = click.style(mark, fg="cyan") if mark else ""
        help_label = click.style(help_label, fg="cyan", bold=True)
    line = f"{position} {code}{mark} {severity} {finding.message}"
    if concise or not finding.help:
        return line
    return f"{line}\n    {help_label} {finding.help}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary(findings: Sequence[Finding], files_checked: int) -> str:
    """``Found 3 problems (2 errors, 1 warning) in 2 files.`` or ``No problems found...``."""
    if not findings and not files_checked:
        return "No compose files found: nothing was checked."
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
    safe = sum(1 for f in findings if f.fix is not None and f.fix.safe)
    unsafe = sum(1 for f in findings if f.fix is not None and not f.fix.safe)
    if safe:
        text += f"; {safe} fixable with `composeguard fix` ({FIXABLE_MARK})"
    if unsafe:
        text += (f"; {unsafe} {'more ' if safe else ''}with "
                 "`composeguard fix --unsafe-fixes` (read what each changes first)")
    return text + "."


def render_text(
    findings: Sequence[Finding],
    files_checked: int,
    *,
    cwd: Path | None = None,
    color: bool = False,
    concise: bool = False,
    quiet: bool = False,
) -> str:
    """Each finding with its help indented under it (one line each when ``concise``), then
    the summary line (styled when ``color``; left out when ``quiet``)."""
    cwd = cwd if cwd is not None else Path.cwd()
    lines = [format_finding(f, cwd, color=color, concise=concise)
             for f in ordered(findings, cwd)]
    if quiet:
        return "".join(line + "\n" for line in lines)
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
        "help": finding.help,
        "fixable": finding.fixable,
    }


def render_statistics(findings: Sequence[Finding]) -> str:
    """How many findings each rule reported, most first, as ruff's ``--statistics``: the
    count, the code (``[*]`` when ``composeguard fix`` fixes every one of them) and the
    rule's name."""
    counts = Counter(f.code for f in findings)
    names = {f.code: f.name for f in findings}
    safe = {code for code in counts
            if all(f.fix is not None and f.fix.safe for f in findings if f.code == code)}
    width = max((len(str(n)) for n in counts.values()), default=1)
    return "".join(
        f"{count:>{width}}\t{code}\t{FIXABLE_MARK if code in safe else ''}\t{names[code]}\n"
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])))


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


def colour_diff(diff: str) -> str:
    """A unified diff as a terminal shows one: file headers bold, hunks cyan, added lines
    green, removed lines red."""
    lines = []
    for line in diff.splitlines(keepends=True):
        body, end = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        if body.startswith(("+++", "---")):
            body = click.style(body, bold=True)
        elif body.startswith("@@"):
            body = click.style(body, fg="cyan")
        elif body.startswith("+"):
            body = click.style(body, fg="green")
        elif body.startswith("-"):
            body = click.style(body, fg="red")
        lines.append(body + end)
    return "".join(lines)


# -- SARIF 2.1.0 ----------------------------------------------------------------------------

_SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def sarif_level(severity: Severity) -> str:
    """SARIF has no ``info``: its closest level is ``note``."""
    return _SARIF_LEVELS.get(severity, "warning")


def rule_page_url(code: str) -> str:
    return RULE_PAGE_URL.format(code=quote(code, safe=""))


def artifact_uri(path: PurePath, cwd: Path | None = None) -> tuple[str, bool]:
    """The SARIF URI of ``path`` and whether it is relative to the current directory.

    Relative paths stay relative (to ``%SRCROOT%``, the current directory), percent-encoded as
    a URI must be; a file outside the current directory gets an absolute ``file://`` URI.
    """
    shown = display_path(path, cwd)
    if shown.startswith("/"):
        return "file://" + quote(shown, safe="/", errors="backslashreplace"), False
    return quote(shown, safe="/", errors="backslashreplace"), True


def _region(finding: Finding) -> dict[str, int]:
    """1-based; the end column is exclusive in SARIF as in our locations, and an end that is
    unknown or before the start is left out rather than made up."""
    loc = finding.location
    line, column = max(loc.line, 1), max(loc.column, 1)
    region = {"startLine": line, "startColumn": column}
    if loc.end_line is None and loc.end_column is None:
        return region
    end_line, end_column = loc.end
    if (end_line, end_column) > (line, column):
        region["endLine"] = end_line
        region["endColumn"] = max(end_column, 1)
    return region


def _safe_fingerprint(finding: Finding, read: ReadText) -> str | None:
    from composeguard.lint.engine.fingerprint import fingerprint

    try:
        return fingerprint(finding, read)
    except Exception:  # noqa: BLE001 - a missing fingerprint must not lose the report
        return None


def _read_or_none(path: Path) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def sarif_document(
    findings: Sequence[Finding],
    *,
    rules: Sequence[Mapping[str, object]] = (),
    cwd: Path | None = None,
    read: ReadText | None = None,
    errors: Sequence[str] = (),
) -> dict[str, object]:
    r"""One SARIF 2.1.0 run: the tool with ``rules`` (the catalog's ``reportingDescriptor``\ s,
    which :func:`composeguard.docs.sarif_rules` writes; the engine knows no rule), one result per
    finding with a ``partialFingerprints`` entry that survives unrelated line shifts.

    The fingerprint is the baseline's, plus ``:n`` counting results that share it in this run
    (two findings of one rule on one line), as CodeQL's ``primaryLocationLineHash`` does: code
    scanning would otherwise merge them into one alert.

    ``read`` gives a file's text for the fingerprints (``Project.read_text`` reuses what the
    run already read); ``errors`` are failures of the tool itself, reported as notifications.
    """
    cwd = cwd if cwd is not None else Path.cwd()
    read = read if read is not None else _read_or_none
    index = {str(r["id"]): i for i, r in enumerate(rules)}
    seen: Counter[str] = Counter()
    results = []
    for finding in ordered(findings, cwd):
        uri, relative = artifact_uri(finding.location.path, cwd)
        artifact: dict[str, object] = {"uri": uri}
        if relative:
            artifact["uriBaseId"] = SARIF_SRCROOT
        result: dict[str, object] = {"ruleId": finding.code}
        if finding.code in index:
            result["ruleIndex"] = index[finding.code]
        result |= {
            "level": sarif_level(finding.severity),
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": {"artifactLocation": artifact,
                                                "region": _region(finding)}}],
        }
        digest = _safe_fingerprint(finding, read)
        if digest is not None:
            seen[digest] += 1
            result["partialFingerprints"] = {SARIF_FINGERPRINT_KEY: f"{digest}:{seen[digest]}"}
        result["properties"] = {"name": finding.name, "fixable": finding.fixable,
                                "help": finding.help}
        results.append(result)
    invocation: dict[str, object] = {"executionSuccessful": not errors}
    if errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": error}} for error in errors
        ]
    base = Path(os.path.abspath(cwd)).as_uri().rstrip("/") + "/"
    run = {
        "tool": {"driver": {
            "name": "composeguard",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": REPOSITORY_URL,
            "rules": list(rules),
        }},
        "invocations": [invocation],
        "originalUriBaseIds": {SARIF_SRCROOT: {"uri": base}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(
    findings: Sequence[Finding],
    *,
    rules: Sequence[Mapping[str, object]] = (),
    cwd: Path | None = None,
    read: ReadText | None = None,
    errors: Sequence[str] = (),
) -> str:
    document = sarif_document(findings, rules=rules, cwd=cwd, read=read, errors=errors)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# -- GitHub workflow commands ---------------------------------------------------------------

_GITHUB_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_workflow_data(text: str) -> str:
    """The message after ``::``, escaped as ``@actions/core`` does (``escapeData``), so a
    newline cannot end the command early and start another one."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_workflow_property(text: str) -> str:
    """A ``key=value`` property (``escapeProperty``): also ``:`` and ``,``, which delimit."""
    return escape_workflow_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(finding: Finding, cwd: Path | None = None) -> str:
    """``::error file=...,line=...,col=...,endLine=...,endColumn=...,title=...::message``;
    the end is left out when the finding has none (a whole file, a line)."""
    loc = finding.location
    properties = {"file": display_path(loc.path, cwd), "line": str(loc.line),
                  "col": str(loc.column)}
    if loc.end_line is not None or loc.end_column is not None:
        end_line, end_column = loc.end
        properties |= {"endLine": str(end_line), "endColumn": str(end_column)}
    properties["title"] = f"{finding.code} ({finding.name})"
    listed = ",".join(f"{k}={escape_workflow_property(v)}" for k, v in properties.items())
    command = _GITHUB_COMMANDS.get(finding.severity, "warning")
    text = f"{finding.message}\n{finding.help}" if finding.help else finding.message
    return f"::{command} {listed}::{escape_workflow_data(text)}"


def render_github(findings: Sequence[Finding], *, cwd: Path | None = None) -> str:
    """One annotation per line and nothing else, as ruff's ``github`` format: the runner shows
    each on the pull request's diff; GitHub resolves ``file`` against the repository root, so
    run from there."""
    cwd = cwd if cwd is not None else Path.cwd()
    return "".join(github_annotation(f, cwd) + "\n" for f in ordered(findings, cwd))


# -- GitLab Code Quality ---------------------------------------------------------------------

_GITLAB_SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major",
                      Severity.INFO: "info"}


def render_gitlab(findings: Sequence[Finding], *, cwd: Path | None = None,
                  read: ReadText | None = None) -> str:
    """A GitLab Code Quality report (the CodeClimate subset GitLab reads): a JSON array with
    one issue per finding, its ``fingerprint`` unique in the report and stable across
    unrelated line shifts (the SARIF fingerprint, numbered within equal ones)."""
    cwd = cwd if cwd is not None else Path.cwd()
    read = read if read is not None else _read_or_none
    seen: Counter[str] = Counter()
    issues = []
    for finding in ordered(findings, cwd):
        loc = finding.location
        base = _safe_fingerprint(finding, read) or hashlib.sha256(
            f"{finding.code}:{display_path(loc.path, cwd)}:{loc.line}:{finding.message}"
            .encode("utf-8", "surrogatepass")).hexdigest()
        seen[base] += 1
        issues.append({
            "description": finding.text,
            "check_name": f"{finding.code} ({finding.name})",
            "fingerprint": hashlib.sha256(f"{base}:{seen[base]}".encode()).hexdigest(),
            "severity": _GITLAB_SEVERITIES.get(finding.severity, "major"),
            "location": {"path": display_path(loc.path, cwd), "lines": {"begin": loc.line}},
        })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


# -- JUnit XML ------------------------------------------------------------------------------


def xml_text(text: str) -> str:
    """``text`` with what XML 1.0 cannot hold (control characters, lone surrogates from
    undecodable file names) replaced by U+FFFD, so the report stays well-formed."""
    return "".join(c if _xml_char(ord(c)) else "\ufffd" for c in text)


def _xml_char(point: int) -> bool:
    return (
        point in (0x9, 0xA, 0xD)
        or 0x20 <= point <= 0xD7FF
        or 0xE000 <= point <= 0xFFFD
        or 0x10000 <= point <= 0x10FFFF
    )


def junit_document(
    findings: Sequence[Finding], files_checked: int = 0, *, cwd: Path | None = None
) -> ElementTree:
    """One ``testsuite`` with one failed ``testcase`` per finding.

    Per finding rather than per file because GitLab's merge-request widget and Jenkins list
    failed test *names*: each finding then shows as "CG101 (name) path:line:col" with its
    message, instead of one opaque "file failed". A clean run is one passed test case, so the
    report is never empty.
    """
    from xml.etree import ElementTree as ET

    cwd = cwd if cwd is not None else Path.cwd()
    findings = ordered(findings, cwd)
    count = str(max(len(findings), 1))
    failures = str(len(findings))
    counts = {"tests": count, "failures": failures, "errors": "0", "skipped": "0", "time": "0"}
    root = ET.Element("testsuites", {"name": "composeguard", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": "composeguard", **counts})
    for finding in findings:
        loc = finding.location
        path = xml_text(display_path(loc.path, cwd))
        case = ET.SubElement(suite, "testcase", {
            "name": xml_text(f"{finding.code} ({finding.name}) {path}:{loc.line}:{loc.column}"),
            "classname": path,
            "file": path,
            "line": str(loc.line),
            "time": "0",
        })
        failure = ET.SubElement(case, "failure", {
            "message": xml_text(finding.message),
            "type": xml_text(finding.code),
        })
        failure.text = xml_text(
            f"{format_finding(finding, cwd)}\n\nSee {rule_page_url(finding.code)}\n"
        )
    if not findings:
        ET.SubElement(suite, "testcase", {
            "name": summary(findings, files_checked),
            "classname": "composeguard",
            "time": "0",
        })
    return ET.ElementTree(root)


def render_junit(
    findings: Sequence[Finding], files_checked: int = 0, *, cwd: Path | None = None
) -> str:
    from xml.etree import ElementTree as ET

    tree = junit_document(findings, files_checked, cwd=cwd)
    ET.indent(tree)
    root = tree.getroot()
    assert root is not None
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


# -- choosing and writing a report ----------------------------------------------------------


def render_report(
    output_format: str,
    findings: Sequence[Finding],
    files_checked: int,
    *,
    cwd: Path | None = None,
    color: bool = False,
    read: ReadText | None = None,
    errors: Sequence[str] = (),
    rules: Sequence[Mapping[str, object]] = (),
) -> str:
    """The whole report in ``output_format`` (one of :data:`FORMATS`; unknown means text);
    ``rules`` are the SARIF rule descriptors."""
    if output_format == "json":
        return render_json(findings, cwd=cwd)
    if output_format == "sarif":
        return render_sarif(findings, rules=rules, cwd=cwd, read=read, errors=errors)
    if output_format == "github":
        return render_github(findings, cwd=cwd)
    if output_format == "gitlab":
        return render_gitlab(findings, cwd=cwd, read=read)
    if output_format == "junit":
        return render_junit(findings, files_checked, cwd=cwd)
    return render_text(findings, files_checked, cwd=cwd, color=color,
                       concise=output_format == "concise")


def write_report(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (UTF-8) whole or not at all: a temporary file beside it is
    renamed over it, and removed on failure. Raises OSError for the caller to report.

    Characters UTF-8 cannot encode (lone surrogates from undecodable file names) are written
    as ``\\udcxx`` escapes, which in JSON and SARIF are the string escapes of the same text.
    """
    path = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(path))
    data = text.encode("utf-8", "backslashreplace")
    directory = path.parent if str(path.parent) else Path(".")
    import tempfile

    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
