from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import composeguard
import composeguard.rules
from composeguard.cli import main
from composeguard.lint.engine.finding import Severity
from composeguard.lint.parse.location import Location
from composeguard.lint.project import Project
from composeguard.rules import Rule, all_rules
from composeguard.rules.base import rule

SNAPSHOTS = Path(__file__).parent / "snapshots"

BROKEN = "services:\n  db:\n    image: mysql: 8\n"  # CG001 at 3:17
UNCLOSED = "services:\n  db:\n    image: [mysql\n"  # CG001 at 4:1
CLEAN = "services:\n  web:\n    image: nginx:1.27\n"

ProjectDir = Callable[..., Path]


@pytest.fixture
def in_project(project_dir: ProjectDir, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Write a project and make it the current directory."""

    def make(files: dict[str, str | bytes]) -> Path:
        root = project_dir(files)
        monkeypatch.chdir(root)
        return root

    return make


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def json_findings(out: str) -> list[dict[str, object]]:
    document = json.loads(out)
    assert document["version"] == 1
    return document["findings"]


# -- check: text output --------------------------------------------------------------------


def test_check_reports_findings_sorted_with_summary(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    in_project({"b/compose.yaml": BROKEN, "a/compose.yaml": UNCLOSED, "compose.yaml": CLEAN})
    code, out, err = run_main(capsys, "check", "--select", "CG001", "--concise")
    assert code == 1
    assert out.splitlines() == [
        ("a/compose.yaml:4:1: CG001 [error] expected ',' or ']', but got '<stream end>' "
        "(while parsing a flow sequence)"),
        "b/compose.yaml:3:17: CG001 [error] mapping values are not allowed here",
        "",
        "Found 2 problems (2 errors) in 2 files.",
    ]
    assert err == ""
    code, out, _ = run_main(capsys, "check", "--select", "CG001")
    assert out.splitlines()[1] == ("    help: Compose cannot load the file, so nothing in it "
                                   "runs; fix the YAML at this position (the other files are "
                                   "still checked)")


def test_check_clean_project(in_project: Callable[..., Path],
                             capsys: pytest.CaptureFixture[str]) -> None:
    in_project({"compose.yaml": CLEAN, "other/compose.yaml": CLEAN})
    code, out, _ = run_main(capsys, "check", "--select", "CG001")
    assert (code, out) == (0, "No problems found in 2 compose files.\n")


def test_paths_outside_cwd_are_absolute_and_posix(
    project_dir: ProjectDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = project_dir({"compose.yaml": BROKEN})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, _ = run_main(capsys, "check", "--select", "CG001", str(root))
    assert code == 1
    assert out.startswith(f"{(root / 'compose.yaml').as_posix()}:3:17: CG001 ")


def test_explicit_relative_path(in_project: Callable[..., Path],
                                capsys: pytest.CaptureFixture[str]) -> None:
    in_project({"app/compose.yaml": BROKEN, "other/compose.yaml": UNCLOSED})
    code, out, _ = run_main(capsys, "check", "--select", "CG001", "app")
    assert code == 1
    assert out.splitlines()[0].startswith("app/compose.yaml:3:17:")
    assert "other/" not in out


def test_missing_path_is_a_one_line_usage_error(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    in_project({"compose.yaml": CLEAN})
    code, out, err = run_main(capsys, "check", "does-not-exist")
    assert code == 2
    assert out == ""
    assert err == "composeguard: error: path does not exist: does-not-exist\n"


# -- check: JSON -----------------------------------------------------------------------------


def test_json_output_schema(in_project: Callable[..., Path],
                            capsys: pytest.CaptureFixture[str]) -> None:
    in_project({"compose.yaml": BROKEN, "sub/compose.yaml": UNCLOSED})
    code, out, _ = run_main(capsys, "check", "--format", "json")
    assert code == 1
    findings = json_findings(out)
    keys = ["code", "name", "severity", "path", "line", "column", "end_line", "end_column",
            "message", "help", "fixable"]
    types = [str, str, str, str, int, int, int, int, str, str, bool]
    for record in findings:
        assert list(record) == keys
        assert [type(record[k]) for k in keys] == types
        assert record["severity"] in ("error", "warning", "info")
        assert not str(record["path"]).startswith("/") and "\\" not in str(record["path"])
    cg001 = [(f["path"], f["line"], f["column"], f["end_line"], f["end_column"])
             for f in findings if f["code"] == "CG001"]
    assert cg001 == [("compose.yaml", 3, 17, 3, 17), ("sub/compose.yaml", 4, 1, 4, 1)]
    ordering = [(f["path"], f["line"], f["column"]) for f in findings]
    assert ordering == sorted(ordering)


def test_json_with_no_findings(in_project: Callable[..., Path],
                               capsys: pytest.CaptureFixture[str]) -> None:
    in_project({"compose.yaml": CLEAN})
    code, out, _ = run_main(capsys, "check", "--format", "json", "--select", "CG001")
    assert code == 0
    assert json.loads(out) == {"version": 1, "findings": []}


# -- selection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "reported"),
    [
        (["--select", "CG001"], True),
        (["--select", "cg00"], True),
        (["--select", "CG0"], True),
        (["--select", "yaml-syntax-error"], True),
        (["--select", "CG1"], False),
        (["--select", "CG1,CG001"], True),
        (["--select", "CG1", "--select", "yaml-syntax-error"], True),
        (["--ignore", "CG001"], False),
        (["--ignore", "CG0"], False),
        (["--ignore", "yaml-syntax-error"], False),
        (["--select", "CG0", "--ignore", "CG001"], False),
        (["--ignore", "CG1"], True),
    ],
)
def test_select_and_ignore(in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str],
                           args: list[str], reported: bool) -> None:
    in_project({"compose.yaml": BROKEN})
    code, out, _ = run_main(capsys, "check", "--format", "json", *args)
    assert ("CG001" in {f["code"] for f in json_findings(out)}) is reported
    assert code in (0, 1)


@pytest.mark.parametrize("selector", ["CG999", "CG9", "yaml-syntax", "nonsense", "C", "CG0001"])
@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_selector_is_a_usage_error(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str], option: str,
    selector: str,
) -> None:
    in_project({"compose.yaml": BROKEN})
    code, out, err = run_main(capsys, "check", option, f"CG001,{selector}")
    assert code == 2
    assert out == ""
    assert repr(selector) in err and "composeguard rules" in err


@pytest.mark.parametrize("chosen", all_rules(), ids=lambda r: r.code)
def test_select_by_name_runs_only_that_rule(
    chosen: Rule, project_dir: ProjectDir, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    example = next(e for e in chosen.examples if not e.valid)
    root = project_dir(dict(example.files), git=example.git)
    monkeypatch.chdir(root)
    code, out, _ = run_main(capsys, "check", "--format", "json", "--fail-on", "info",
                            "--select", chosen.name)
    codes = {f["code"] for f in json_findings(out)}
    assert codes == {chosen.code}
    assert code == 1


# -- thresholds and tool failures (with stand-in rules, whatever the catalog holds) ----------


def _stand_in(code: str, severity: Severity, *, crash: bool = False) -> Rule:
    @rule(code=code, name=f"stand-in-{severity}", severity=severity, summary="s", what="w",
          why="y", example="e", use_instead="u")
    def check(self: Rule, project: Project) -> Iterator:
        if crash:
            raise RuntimeError("boom")
        for compose_file in project.compose_files:
            yield self.finding(Location(compose_file.path, 1, 1), f"a {severity} finding")

    return check


@pytest.fixture
def stand_in_rules(monkeypatch: pytest.MonkeyPatch) -> dict[str, Rule]:
    rules = {
        "info": _stand_in("CG991", Severity.INFO),
        "warning": _stand_in("CG992", Severity.WARNING),
        "error": _stand_in("CG993", Severity.ERROR),
        "crash": _stand_in("CG999", Severity.ERROR, crash=True),
    }
    catalog = (*all_rules(), *rules.values())
    monkeypatch.setattr(composeguard.rules, "all_rules", lambda: catalog)
    return rules


@pytest.mark.parametrize(
    ("present", "fail_on", "expected"),
    [
        ("info", "info", 1), ("info", "warning", 0), ("info", "error", 0),
        ("warning", "info", 1), ("warning", "warning", 1), ("warning", "error", 0),
        ("error", "info", 1), ("error", "warning", 1), ("error", "error", 1),
        ("info", None, 0), ("warning", None, 1),
    ],
)
def test_fail_on_threshold(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str],
    stand_in_rules: dict[str, Rule], present: str, fail_on: str | None, expected: int,
) -> None:
    in_project({"compose.yaml": CLEAN})
    args = ["check", "--select", stand_in_rules[present].code]
    args += ["--fail-on", fail_on] if fail_on else []
    code, out, _ = run_main(capsys, *args)
    assert code == expected
    assert f"compose.yaml:1:1: {stand_in_rules[present].code} [{present}]" in out


def test_crashing_rule_exits_2_and_keeps_other_findings(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str],
    stand_in_rules: dict[str, Rule],
) -> None:
    in_project({"compose.yaml": CLEAN})
    code, out, err = run_main(capsys, "check", "--select", "CG991,CG999")
    assert code == 2
    assert "CG991 [info]" in out
    assert "internal error in CG999" in err and "boom" in err
    assert "Traceback" not in err


def test_unexpected_exception_is_one_line(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    in_project({"compose.yaml": CLEAN})

    def explode(*args: object, **kwargs: object) -> None:
        raise OSError("disk on fire\nsecond line")

    monkeypatch.setattr("composeguard.runner.run", explode)
    code, _out, err = run_main(capsys, "check")
    assert code == 2
    assert err == "composeguard: internal error: OSError: disk on fire second line\n"


# -- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "args", "expected_code", "expected_line"),
    [
        ("", [], 1, "compose.yaml:3:17: CG001 [error]"),
        ('ignore = ["yaml-syntax-error"]\n', [], 0, None),
        ('select = ["CG1"]\n', [], 0, None),
        ('select = ["CG1"]\n', ["--select", "CG001"], 1, "compose.yaml:3:17: CG001 [error]"),
        ('[severity]\nCG001 = "info"\n', [], 0, "compose.yaml:3:17: CG001 [info]"),
        ('[severity]\nCG001 = "info"\n', ["--fail-on", "info"], 1, "CG001 [info]"),
        ('fail-on = "error"\n[severity]\nyaml-syntax-error = "warning"\n', [], 0,
         "CG001 [warning]"),
        ('fail-on = "error"\n[severity]\nCG001 = "warning"\n', ["--fail-on", "warning"], 1,
         "CG001 [warning]"),
        ('exclude = ["compose.yaml"]\n', [], 0, None),
    ],
)
def test_configuration_file(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str], config: str,
    args: list[str], expected_code: int, expected_line: str | None,
) -> None:
    in_project({"compose.yaml": BROKEN, ".composeguard.toml": config})
    code, out, err = run_main(capsys, "check", *args)
    assert code == expected_code, out + err
    cg001 = [line for line in out.splitlines() if "CG001" in line]
    if expected_line is None:
        assert cg001 == []
    else:
        assert len(cg001) == 1 and expected_line in cg001[0]


def test_pyproject_table_and_explicit_config(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    in_project({
        "app/compose.yaml": BROKEN,
        "pyproject.toml": '[tool.composeguard]\nignore = ["CG001"]\n',
        "strict.toml": "",
    })
    assert run_main(capsys, "check", "app")[0] == 0
    assert run_main(capsys, "check", "--config", "strict.toml", "app")[0] == 1


@pytest.mark.parametrize("config", ['selct = ["CG1"]\n', 'select = ["CG999"]\n', "select = [\n"])
def test_bad_configuration_is_a_one_line_error(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str], config: str
) -> None:
    root = in_project({"compose.yaml": BROKEN, ".composeguard.toml": config})
    code, out, err = run_main(capsys, "check")
    assert code == 2
    assert out == ""
    assert err.startswith("composeguard: error: ") and err.count("\n") == 1
    assert str(root / ".composeguard.toml") in err


# -- suppressions through the CLI ----------------------------------------------------------


def test_suppression_comment_hides_a_finding(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    in_project({
        "a/compose.yaml": BROKEN.replace("mysql: 8", "mysql: 8  # composeguard: ignore[CG001]"),
        "b/compose.yaml": "# composeguard: ignore-file[yaml-syntax-error]\n" + UNCLOSED,
    })
    code, out, _ = run_main(capsys, "check", "--select", "CG001")
    assert (code, out) == (0, "No problems found in 2 compose files.\n")


def test_blanket_suppression_suppresses_nothing_and_says_so(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    in_project({"compose.yaml": BROKEN.replace("mysql: 8", "mysql: 8  # composeguard: ignore")})
    code, out, err = run_main(capsys, "check", "--select", "CG001")
    assert code == 1
    assert "compose.yaml:3:17: CG001" in out
    assert "compose.yaml:3: `# composeguard: ignore` needs codes" in err
    assert "ignore[CG001]" in err


# -- colour ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ([], {}, False),  # not a terminal
        (["--color"], {}, True),
        (["--color"], {"NO_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["--no-color"], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_options(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str], coloured: bool,
) -> None:
    in_project({"compose.yaml": BROKEN})
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    _, out, _ = run_main(capsys, "check", "--select", "CG001", *args)
    assert ("\x1b[" in out) is coloured


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("1", False)])
def test_terminal_gets_colour_unless_no_color(
    project_dir: ProjectDir, no_color: str | None, coloured: bool
) -> None:
    import pty

    root = project_dir({"compose.yaml": BROKEN})
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    if no_color:
        env["NO_COLOR"] = no_color
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "composeguard", "check", "--select", "CG001"],
            cwd=root, env=env, stdout=follower, stderr=subprocess.PIPE, timeout=60, check=False,
        )
        os.close(follower)
        output = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(leader)
    assert proc.returncode == 1
    assert b"CG001" in output
    assert (b"\x1b[" in output) is coloured


# -- rules and explain -----------------------------------------------------------------------


def test_rules_table_lists_the_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "rules")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["CODE", "NAME", "SEVERITY", "SUMMARY"]
    assert len(lines) == len(all_rules()) + 1
    name_column = lines[0].index("NAME")
    for line, listed in zip(lines[1:], all_rules()):
        assert line.startswith(listed.code)
        assert line[name_column:].split()[:2] == [listed.name, str(listed.severity)]
        assert line.endswith(listed.summary)


def test_rules_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "rules", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["version"] == 1
    assert document["rules"] == [
        {"code": r.code, "name": r.name, "severity": str(r.severity), "summary": r.summary}
        for r in all_rules()
    ]


@pytest.mark.parametrize("spelling", ["CG001", "cg001", "yaml-syntax-error", "YAML-Syntax-Error"])
def test_explain(capsys: pytest.CaptureFixture[str], spelling: str) -> None:
    from composeguard.docs import rule_page
    from composeguard.rules import find_rule

    code, out, _ = run_main(capsys, "explain", spelling)
    assert code == 0
    assert out.startswith("# CG001: yaml-syntax-error\n")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead",
                    "## Fix safety"):
        assert f"\n{heading}\n" in out
    assert out == rule_page(find_rule("CG001"))


def test_explain_unknown_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, "explain", "CG999")
    assert code == 2
    assert out == ""
    assert "unknown rule 'CG999'" in err and "composeguard rules" in err


# -- entry points ----------------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "--version")
    assert (code, out) == (0, f"composeguard {composeguard.__version__}\n")


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "check", "--help")
    assert code == 0
    assert "--fail-on" in out


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, "check", "--no-such-option")
    assert code == 2
    assert "No such option" in err


def test_python_dash_m(project_dir: ProjectDir) -> None:
    root = project_dir({"compose.yaml": BROKEN})
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "composeguard", "check", "--select", "CG001"],
        cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout.startswith("compose.yaml:3:17: CG001 [error] ")
    assert proc.stderr == ""


def test_console_script_exit_status(project_dir: ProjectDir) -> None:
    script = Path(sys.executable).parent / "composeguard"
    if not script.exists():
        pytest.skip("console script not installed next to this interpreter")
    root = project_dir({"compose.yaml": BROKEN})
    broken = subprocess.run([str(script), "check", "--select", "CG001"], cwd=root,
                            capture_output=True, text=True, timeout=60, check=False)
    usage = subprocess.run([str(script), "check", "--select", "CG9"], cwd=root,
                           capture_output=True, text=True, timeout=60, check=False)
    clean = subprocess.run([str(script), "check", "--ignore", "CG001"], cwd=root,
                           capture_output=True, text=True, timeout=60, check=False)
    assert (broken.returncode, usage.returncode) == (1, 2)
    assert clean.returncode in (0, 1)  # other rules may or may not fire on a broken file
    assert "Traceback" not in broken.stderr + usage.stderr + clean.stderr


# -- snapshots of what users see ------------------------------------------------------------


def assert_snapshot(name: str, text: str) -> None:
    """Compare with tests/snapshots/NAME; ``UPDATE_SNAPSHOTS=1`` rewrites it."""
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    assert path.exists(), f"no snapshot {path}; run with UPDATE_SNAPSHOTS=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"output differs from {path.relative_to(Path(__file__).parent.parent)}; if the change "
        "is intended, rerun with UPDATE_SNAPSHOTS=1 and review the diff"
    )


SNAPSHOT_PROJECT = {
    "compose.yaml": CLEAN,
    "services/api/compose.yaml": UNCLOSED,
    "docker-compose.prod.yml": (
        "services:\n  web:\n    # composeguard: ignore[CG001] tracked in #7\n"
        "    image: nginx: 1\n"
    ),
    "legacy/docker-compose.yml": "# composeguard: ignore-file[yaml-syntax-error]\n" + BROKEN,
    "legacy/compose.dev.yaml": 'x-note: "# composeguard: ignore-file[CG001]"\n' + BROKEN,
}


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_snapshot_check_output(
    in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    root = in_project(SNAPSHOT_PROJECT)
    _, out, _ = run_main(capsys, "check", "--format", output_format, "--no-color")
    assert str(root) not in out
    assert_snapshot(f"check_project.{'txt' if output_format == 'text' else 'json'}", out)


# -- silence that would look like success ------------------------------------------------------


def test_no_compose_file_is_said_plainly(in_project: Callable[..., Path],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    in_project({"README.md": "# nothing to run\n"})
    code, out, _ = run_main(capsys, "check")
    assert (code, out) == (0, "No compose files found: nothing was checked.\n")


def test_setups_judged_examples_are_counted_in_the_summary(
        in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Ten sibling folders each with its own setup are read as a collection of samples: the
    run is clean, and it says why."""
    in_project({f"svc{i}/compose.yaml": "services:\n  db:\n    image: postgres:16\n"
                for i in range(10)})
    code, out, err = run_main(capsys, "check")
    assert code == 0
    assert out.splitlines() == [
        "No problems found in 10 compose files.",
        ("Note: 10 setups judged examples (only what stops Compose is checked there); "
         "`composeguard setups` says why."),
    ]
    code, out, err = run_main(capsys, "check", "--format", "json")
    assert json.loads(out)["findings"] == []  # machine output stays machine-readable
    assert err.startswith("composeguard: Note: 10 setups judged examples")


def test_a_project_with_no_production_setup_says_so(
        in_project: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    in_project({"compose.dev.yaml": "services:\n  db:\n    image: postgres:16\n"})
    _, out, _ = run_main(capsys, "check")
    assert out.splitlines()[-1] == (
        "Note: no production setup, only 1 development setup (the production rules did not "
        "apply); `composeguard setups` says why.")


def test_a_production_setup_needs_no_note(in_project: Callable[..., Path],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    in_project({"compose.yaml": CLEAN, "compose.dev.yaml": CLEAN})
    _, out, _ = run_main(capsys, "check", "--select", "CG001")
    assert "Note:" not in out
