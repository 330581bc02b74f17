from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from composeguard.docs import sarif_rules
from composeguard.lint.engine.finding import Edit, Finding, Fix, Severity
from composeguard.lint.engine.fingerprint import fingerprint
from composeguard.lint.engine.report import (
    FORMATS,
    display_path,
    escape_workflow_data,
    escape_workflow_property,
    github_annotation,
    render_github,
    render_gitlab,
    render_json,
    render_junit,
    render_report,
    render_sarif,
    render_text,
    rule_page_url,
    sarif_document,
    summary,
    use_color,
    write_report,
    xml_text,
)
from composeguard.lint.parse.location import Location
from composeguard.rules import all_rules, find_rule


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
         ("Found 3 problems (1 error, 1 warning, 1 info) in 1 file; "
          "1 fixable with `composeguard fix` ([*]).")),
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
             "help": "", "fixable": False},
            {"code": "CG101", "name": "some-rule", "severity": "error",
             "path": "sub/compose.yaml", "line": 3, "column": 7, "end_line": 4, "end_column": 2,
             "message": "message", "help": "", "fixable": True},
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


# -- SARIF, GitHub annotations, JUnit, writing ----------------------------------------------


def unescape_workflow(text: str, *, property_value: bool) -> str:
    """What the Actions runner does to a value (its ``UnescapeProperty``/``UnescapeData``)."""
    pairs = [("%0D", "\r"), ("%0A", "\n")]
    if property_value:
        pairs += [("%3A", ":"), ("%2C", ",")]
    for escaped, plain in [*pairs, ("%25", "%")]:
        text = text.replace(escaped, plain)
    return text


def parse_annotation(line: str) -> tuple[str, dict[str, str], str]:
    """Split a workflow command as the runner does: ``::name k=v,k=v::data``."""
    assert line.startswith("::")
    head, _, data = line[2:].partition("::")
    name, _, listed = head.partition(" ")
    properties = {}
    for pair in listed.split(","):
        key, _, value = pair.partition("=")
        properties[key] = unescape_workflow(value, property_value=True)
    return name, properties, unescape_workflow(data, property_value=False)


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        ("plain text", "plain text", "plain text"),
        ("100%", "100%25", "100%25"),
        ("%0A is not a newline", "%250A is not a newline", "%250A is not a newline"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("key: a, b", "key: a, b", "key%3A a%2C b"),
        ("::error::injected", "::error::injected", "%3A%3Aerror%3A%3Ainjected"),
    ],
)
def test_workflow_escaping(text: str, data: str, prop: str) -> None:
    assert escape_workflow_data(text) == data
    assert escape_workflow_property(text) == prop


def test_github_annotation_line(tmp_path: Path) -> None:
    found = finding(tmp_path / "dir, a:b" / "compose.yaml", 16, column=3, end=(16, 8),
                    message="first line\nsecond: 50%, done")
    line = github_annotation(found, tmp_path)
    assert line == (
        "::error file=dir%2C a%3Ab/compose.yaml,line=16,col=3,endLine=16,endColumn=8,"
        "title=CG101 (some-rule)::first line%0Asecond: 50%25, done"
    )
    assert "\n" not in line


@pytest.mark.parametrize(
    ("severity", "command"),
    [(Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "notice")],
)
def test_github_command_follows_severity(tmp_path: Path, severity: Severity,
                                         command: str) -> None:
    line = github_annotation(finding(tmp_path / "compose.yaml", 2, severity), tmp_path)
    assert line.startswith(f"::{command} file=compose.yaml,line=2,col=1,title=")


def test_github_leaves_out_an_unknown_end_and_orders_lines(tmp_path: Path) -> None:
    findings = [finding(tmp_path / "b.yaml", 1), finding(tmp_path / "a.yaml", 4, end=(5, 2))]
    lines = render_github(findings, cwd=tmp_path).splitlines()
    assert [parse_annotation(line)[1] for line in lines] == [
        {"file": "a.yaml", "line": "4", "col": "1", "endLine": "5", "endColumn": "2",
         "title": "CG101 (some-rule)"},
        {"file": "b.yaml", "line": "1", "col": "1", "title": "CG101 (some-rule)"},
    ]


@given(
    directory=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0"),
                      min_size=1, max_size=20).filter(lambda s: s not in (".", "..")),
    message=st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
)
def test_github_annotation_round_trips(directory: str, message: str) -> None:
    cwd = Path("/project")
    found = finding(cwd / directory / "compose.yaml", 3, column=2, end=(3, 9), message=message)
    line = github_annotation(found, cwd)
    assert "\n" not in line and "\r" not in line
    command, properties, data = parse_annotation(line)
    assert command == "error"
    assert properties["file"] == f"{directory}/compose.yaml"
    assert (properties["line"], properties["col"], properties["title"]) == (
        "3", "2", "CG101 (some-rule)")
    assert data == message


def _sarif(findings: list[Finding], cwd: Path, **kwargs: Any) -> dict:
    kwargs.setdefault("rules", sarif_rules())
    return json.loads(render_sarif(findings, cwd=cwd, **kwargs))


def test_sarif_run_carries_the_catalog(tmp_path: Path) -> None:
    run = _sarif([], tmp_path)["runs"][0]
    driver = run["tool"]["driver"]
    rules = all_rules()
    assert driver["name"] == "composeguard"
    assert [r["id"] for r in driver["rules"]] == [r.code for r in rules]
    cg101 = driver["rules"][[r.code for r in rules].index("CG101")]
    rule = find_rule("CG101")
    assert rule is not None
    assert cg101["name"] == "stateful-service-without-volume"
    assert cg101["shortDescription"] == {"text": rule.summary}
    assert cg101["fullDescription"] == {"text": rule.what}
    assert cg101["defaultConfiguration"] == {"level": "error"}
    assert cg101["helpUri"] == rule_page_url("CG101")
    assert cg101["helpUri"].endswith("/docs/rules/CG101.md")
    assert "## Why is this bad?" in cg101["help"]["markdown"]
    assert rule.why.splitlines()[0] in cg101["help"]["text"]
    assert "```" not in cg101["help"]["text"]
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in driver["rules"]}
    if find_rule("CG602") is not None:
        assert levels["CG602"] == "note"
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_sarif_result(tmp_path: Path) -> None:
    compose = tmp_path / "my app" / "compose.yaml"
    compose.parent.mkdir()
    compose.write_text("services:\n  db:\n    image: mysql\n", encoding="utf-8")
    found = finding(compose, 2, Severity.WARNING, column=3, end=(2, 5),
                    message="service 'db' has no volume")
    result = _sarif([found], tmp_path)["runs"][0]["results"][0]
    index = [r.code for r in all_rules()].index("CG101")
    assert result["ruleId"] == "CG101"
    assert result["ruleIndex"] == index
    assert result["level"] == "warning"
    assert result["message"] == {"text": "service 'db' has no volume"}
    assert result["locations"] == [{"physicalLocation": {
        "artifactLocation": {"uri": "my%20app/compose.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 5},
    }}]
    expected = fingerprint(found, lambda p: Path(p).read_text(encoding="utf-8"))
    assert result["partialFingerprints"] == {"composeguard/v1": f"{expected}:1"}


def test_sarif_fingerprints_of_one_run_are_distinct(tmp_path: Path) -> None:
    same_line = [finding(tmp_path / "compose.yaml", 4, column=c) for c in (21, 60)]
    results = _sarif(same_line, tmp_path, read=lambda p: "a\nb\nc\nd\n")["runs"][0]["results"]
    prints = [r["partialFingerprints"]["composeguard/v1"] for r in results]
    digest = prints[0].partition(":")[0]
    assert prints == [f"{digest}:1", f"{digest}:2"]


def test_sarif_fingerprint_uses_the_reader_and_survives_line_shifts(tmp_path: Path) -> None:
    texts = {tmp_path / "compose.yaml": "services:\n  db:\n    image: mysql\n"}
    before = finding(tmp_path / "compose.yaml", 2)
    texts_after = {tmp_path / "compose.yaml": "# new comment\nservices:\n  db:\n    image: mysql\n"}
    after = finding(tmp_path / "compose.yaml", 3)

    def prints(found: Finding, files: dict[Path, str]) -> str:
        result = _sarif([found], tmp_path, read=files.get)["runs"][0]["results"][0]
        return result["partialFingerprints"]["composeguard/v1"]

    assert prints(before, texts) == prints(after, texts_after)
    assert prints(before, texts) != prints(finding(tmp_path / "compose.yaml", 3), texts)


def test_sarif_regions_never_invent_an_end(tmp_path: Path) -> None:
    def region(found: Finding) -> dict[str, int]:
        result = _sarif([found], tmp_path, read=lambda p: None)["runs"][0]["results"][0]
        return result["locations"][0]["physicalLocation"]["region"]

    assert region(finding(tmp_path / "a.yaml", 4, column=2)) == {"startLine": 4, "startColumn": 2}
    assert region(finding(tmp_path / "a.yaml", 4, column=2, end=(3, 1))) == {
        "startLine": 4, "startColumn": 2}
    assert region(finding(tmp_path / "a.yaml", 4, column=2, end=(6, 1))) == {
        "startLine": 4, "startColumn": 2, "endLine": 6, "endColumn": 1}
    assert region(finding(tmp_path / "a.yaml", 0, column=0)) == {
        "startLine": 1, "startColumn": 1}


def test_sarif_paths_outside_cwd_and_unknown_codes(tmp_path: Path) -> None:
    cwd = tmp_path / "project"
    outside = tmp_path / "other" / "compose.yaml"
    document = sarif_document([finding(outside, 1, code="CG999")], cwd=cwd, read=lambda p: None,
                              errors=("rule CG101 crashed",))
    run = document["runs"][0]
    result = run["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": outside.as_uri()}
    assert result["ruleId"] == "CG999" and "ruleIndex" not in result
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": cwd.as_uri() + "/"}}
    assert run["invocations"] == [{
        "executionSuccessful": False,
        "toolExecutionNotifications": [{"level": "error",
                                        "message": {"text": "rule CG101 crashed"}}],
    }]


def test_junit_one_failed_testcase_per_finding(tmp_path: Path) -> None:
    findings = [
        finding(tmp_path / "sub" / "compose.yaml", 3, column=7, message="a <b> & \"c\""),
        finding(tmp_path / "compose.yaml", 5, Severity.INFO, "CG602", column=2),
    ]
    root = ET.fromstring(render_junit(findings, 2, cwd=tmp_path))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    assert (suites[0].get("tests"), suites[0].get("failures"), suites[0].get("errors")) == (
        "2", "2", "0")
    cases = suites[0].findall("testcase")
    assert [c.get("name") for c in cases] == [
        "CG602 (some-rule) compose.yaml:5:2", "CG101 (some-rule) sub/compose.yaml:3:7"]
    assert [c.get("file") for c in cases] == ["compose.yaml", "sub/compose.yaml"]
    assert [c.get("classname") for c in cases] == ["compose.yaml", "sub/compose.yaml"]
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("type") == "CG101"
    assert failure.get("message") == "a <b> & \"c\""
    assert failure.text is not None
    assert "sub/compose.yaml:3:7: CG101 [error] a <b> & \"c\"" in failure.text
    assert rule_page_url("CG101") in failure.text


def test_junit_clean_run_is_one_passed_testcase(tmp_path: Path) -> None:
    root = ET.fromstring(render_junit([], 3, cwd=tmp_path))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("1", "0")
    (case,) = suite.findall("testcase")
    assert case.get("name") == "No problems found in 3 compose files."
    assert list(case) == []


def test_junit_stays_well_formed_with_characters_xml_cannot_hold(tmp_path: Path) -> None:
    odd = finding(tmp_path / "bad\udcff\x01name.yaml", 1, message="bell\x07 and \ud800")
    text = render_junit([odd], 1, cwd=tmp_path)
    case = ET.fromstring(text.encode("utf-8")).find("testsuite/testcase")
    assert case is not None
    assert case.get("file") == "bad\ufffd\ufffdname.yaml"
    assert case.find("failure").get("message") == "bell\ufffd and \ufffd"  # type: ignore[union-attr]
    assert xml_text("tab\tnew\nline\r") == "tab\tnew\nline\r"


@pytest.mark.parametrize("output_format", FORMATS)
def test_render_report_dispatches(tmp_path: Path, output_format: str) -> None:
    findings = [finding(tmp_path / "compose.yaml", 2)]
    text = render_report(output_format, findings, 1, cwd=tmp_path, read=lambda p: None)
    expected = {
        "text": render_text(findings, 1, cwd=tmp_path),
        "concise": render_text(findings, 1, cwd=tmp_path, concise=True),
        "json": render_json(findings, cwd=tmp_path),
        "sarif": render_sarif(findings, cwd=tmp_path, read=lambda p: None),
        "github": render_github(findings, cwd=tmp_path),
        "gitlab": render_gitlab(findings, cwd=tmp_path, read=lambda p: None),
        "junit": render_junit(findings, 1, cwd=tmp_path),
    }[output_format]
    assert text == expected


def test_text_shows_the_help_under_the_finding_and_marks_safe_fixes(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    safe = replace(finding(path, 2, fixable=True, message="short"), help="what to do")
    plain = replace(finding(path, 3, message="other"), help="why")
    full = render_text([safe, plain], 1, cwd=tmp_path).splitlines()
    assert full[:4] == ["compose.yaml:2:1: CG101 [*] [error] short", "    help: what to do",
                        "compose.yaml:3:1: CG101 [error] other", "    help: why"]
    concise = render_text([safe, plain], 1, cwd=tmp_path, concise=True).splitlines()
    assert concise[:2] == ["compose.yaml:2:1: CG101 [*] [error] short",
                           "compose.yaml:3:1: CG101 [error] other"]
    record = json.loads(render_json([safe], cwd=tmp_path))["findings"][0]
    assert (record["message"], record["help"]) == ("short", "what to do")
    annotation = render_github([safe], cwd=tmp_path)
    assert annotation.rstrip().endswith("::short%0Awhat to do")
    result = json.loads(render_sarif([safe], cwd=tmp_path, read=lambda p: None))
    assert result["runs"][0]["results"][0]["properties"]["help"] == "what to do"
    assert result["runs"][0]["results"][0]["message"]["text"] == "short"


def test_write_report_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    target.write_text("old", encoding="utf-8")
    write_report(target, "new ✓\n")
    assert target.read_bytes() == "new ✓\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.sarif"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_write_report_leaves_nothing_behind_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.xml"
    target.write_text("previous report", encoding="utf-8")

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_report(target, "<testsuites/>")
    assert target.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xml"]


def test_write_report_refuses_a_directory_and_a_missing_parent(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_report(tmp_path, "x")
    with pytest.raises(OSError):
        write_report(tmp_path / "missing" / "report.json", "x")
    assert list(tmp_path.iterdir()) == []


def test_write_report_escapes_what_utf8_cannot_encode(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    write_report(target, json.dumps({"path": "bad\udcffname"}, ensure_ascii=False))
    assert json.loads(target.read_text(encoding="utf-8")) == {"path": "bad\udcffname"}
