from __future__ import annotations

import json
from pathlib import Path

import pytest

from composeguard.lint.finding import Edit, Finding, Fix, Location, Severity
from composeguard.lint.report import (
    display_path,
    render_json,
    render_text,
    summary,
    use_color,
)


def finding(path: Path, line: int, severity: Severity = Severity.ERROR, code: str = "CG101",
            *, column: int = 1, end: tuple[int, int] | None = None, fixable: bool = False,
            message: str = "message") -> Finding:
    location = Location(path, line, column, *(end or (None, None)))
    fix = Fix("fix it", (Edit(path, (line, 1), (line, 1), ""),)) if fixable else None
    return Finding(code, "some-rule", severity, location, message, fix)


def test_display_path_relative_below_cwd_absolute_elsewhere(tmp_path: Path) -> None:
    cwd = tmp_path / "project"
    assert display_path(cwd / "sub" / "compose.yaml", cwd) == "sub/compose.yaml"
    assert display_path(tmp_path / "other" / "compose.yaml", cwd) == (
        (tmp_path / "other" / "compose.yaml").as_posix()
    )


def test_text_is_ordered_by_path_then_line(tmp_path: Path) -> None:
    findings = [
        finding(tmp_path / "b" / "compose.yaml", 2),
        finding(tmp_path / "a" / "compose.yaml", 10),
        finding(tmp_path / "a" / "compose.yaml", 9, Severity.WARNING, "CG102", column=5),
    ]
    lines = render_text(findings, 2, cwd=tmp_path).splitlines()
    assert lines[:3] == [
        "a/compose.yaml:9:5: CG102 [warning] message",
        "a/compose.yaml:10:1: CG101 [error] message",
        "b/compose.yaml:2:1: CG101 [error] message",
    ]
    assert lines[-1] == "Found 3 problems (2 errors, 1 warning) in 2 files."


@pytest.mark.parametrize(
    ("severities", "fixable", "files_checked", "expected"),
    [
        ((), 0, 3, "No problems found in 3 compose files."),
        ((), 0, 1, "No problems found in 1 compose file."),
        ((Severity.ERROR,), 0, 1, "Found 1 problem (1 error) in 1 file."),
        ((Severity.INFO, Severity.INFO), 0, 1, "Found 2 problems (2 info) in 1 file."),
        ((Severity.WARNING, Severity.ERROR, Severity.INFO), 1, 1,
         "Found 3 problems (1 error, 1 warning, 1 info) in 1 file; "
         "1 fixable with `composeguard fix`."),
    ],
)
def test_summary(tmp_path: Path, severities: tuple[Severity, ...], fixable: int,
                 files_checked: int, expected: str) -> None:
    findings = [finding(tmp_path / "compose.yaml", i + 1, s, fixable=i < fixable)
                for i, s in enumerate(severities)]
    assert summary(findings, files_checked) == expected


def test_json_follows_the_contract(tmp_path: Path) -> None:
    findings = [
        finding(tmp_path / "sub" / "compose.yaml", 3, column=7, end=(4, 2), fixable=True),
        finding(tmp_path / "compose.yaml", 5, Severity.INFO, "CG602", column=2),
    ]
    document = json.loads(render_json(findings, cwd=tmp_path))
    assert document == {
        "version": 1,
        "findings": [
            {"code": "CG602", "name": "some-rule", "severity": "info", "path": "compose.yaml",
             "line": 5, "column": 2, "end_line": 5, "end_column": 2, "message": "message",
             "fixable": False},
            {"code": "CG101", "name": "some-rule", "severity": "error",
             "path": "sub/compose.yaml", "line": 3, "column": 7, "end_line": 4, "end_column": 2,
             "message": "message", "fixable": True},
        ],
    }


def test_colour_only_when_asked(tmp_path: Path) -> None:
    findings = [finding(tmp_path / "compose.yaml", 1)]
    assert "\x1b[" not in render_text(findings, 1, cwd=tmp_path, color=False)
    assert "\x1b[" in render_text(findings, 1, cwd=tmp_path, color=True)


@pytest.mark.parametrize(
    ("option", "tty", "env", "expected"),
    [
        (None, True, {}, True),
        (None, False, {}, False),
        (None, True, {"NO_COLOR": "1"}, False),
        (None, True, {"NO_COLOR": ""}, True),
        (None, False, {"FORCE_COLOR": "1"}, True),
        (None, True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        (True, False, {"NO_COLOR": "1"}, True),
        (False, True, {"FORCE_COLOR": "1"}, False),
    ],
)
def test_use_color(option: bool | None, tty: bool, env: dict[str, str], expected: bool) -> None:
    assert use_color(option, tty, env) is expected
