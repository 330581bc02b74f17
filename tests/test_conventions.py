"""The command-line conventions users of ruff and hadolint rely on: --exit-zero, --quiet,
--statistics, a GitLab Code Quality report, shell completion."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from composeguard.cli import main

from .conftest import make_git_repo

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "laravel-shop"


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(EXAMPLE, root)
    make_git_repo(root)
    monkeypatch.chdir(root)
    return root


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--no-cache", "--no-color", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_zero_reports_everything_and_exits_0(shop: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys)
    assert code == 1
    zero, same, _ = cli(capsys, "--exit-zero")
    assert (zero, same) == (0, out)


def test_exit_zero_still_fails_when_composeguard_fails(
        shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "--exit-zero", "--baseline", "missing.json")
    assert code == 2 and "missing.json" in err


def test_quiet_prints_the_findings_and_nothing_else(shop: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, full, _ = cli(capsys)
    quiet_code, quiet, err = cli(capsys, "--quiet")
    assert quiet_code == code == 1
    assert err == ""
    assert "Found " not in quiet and quiet.strip()
    assert full.startswith(quiet)  # the same findings, the summary left out
    _, concise, _ = cli(capsys, "-q", "--concise")
    assert all(": CG" in line for line in concise.splitlines())


def test_quiet_on_a_clean_project_prints_nothing(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.27\n")
    monkeypatch.chdir(tmp_path)
    assert cli(capsys, "-q") == (0, "", "")


def test_statistics_counts_each_rule(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = cli(capsys, "--format", "json")
    findings = json.loads(out)["findings"]
    code, stats, _ = cli(capsys, "--statistics")
    assert code == 1
    rows = [line.split("\t") for line in stats.splitlines()]
    counted = {row[1]: int(row[0]) for row in rows}
    assert counted == {code: sum(1 for f in findings if f["code"] == code)
                       for code in {f["code"] for f in findings}}
    assert [int(row[0]) for row in rows] == sorted((int(row[0]) for row in rows), reverse=True)
    safe = {row[1] for row in rows if row[2] == "[*]"}
    assert "CG502" in safe and "CG101" not in safe  # a safe fix; an unsafe one
    assert {row[3] for row in rows} >= {"stateful-service-without-volume"}


def test_gitlab_code_quality_report(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = cli(capsys, "--format", "json")
    findings = json.loads(out)["findings"]
    code, report, _ = cli(capsys, "--format", "gitlab")
    assert code == 1
    issues = json.loads(report)
    assert len(issues) == len(findings)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    for issue, finding in zip(issues, findings, strict=True):
        assert issue["check_name"] == f"{finding['code']} ({finding['name']})"
        assert issue["location"] == {"path": finding["path"],
                                     "lines": {"begin": finding["line"]}}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["description"].startswith(finding["message"])
    # stable across runs, so GitLab can tell new issues from old ones
    assert json.loads(cli(capsys, "--format", "gitlab")[1]) == issues


def test_bash_completion_script_and_answers() -> None:
    exe = Path(sys.executable).parent / "composeguard"
    env = {**os.environ, "_COMPOSEGUARD_COMPLETE": "bash_source"}
    script = subprocess.run([str(exe)], env=env, capture_output=True, text=True, check=True)
    assert "_composeguard_completion" in script.stdout
    env = {**os.environ, "_COMPOSEGUARD_COMPLETE": "bash_complete",
           "COMP_WORDS": "composeguard check --form", "COMP_CWORD": "2"}
    answer = subprocess.run([str(exe)], env=env, capture_output=True, text=True, check=True)
    assert "--format" in answer.stdout


# -- progress on a terminal ------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_waits_a_second_then_draws_one_line_and_erases_it() -> None:
    import io

    from composeguard.runner import Progress

    clock, stream = _Clock(), io.StringIO()
    progress = Progress(stream, clock=clock)
    progress.update("composeguard: checking: rule 1 of 30")
    assert stream.getvalue() == ""  # a quick check prints nothing
    clock.now = 1.5
    progress.update("composeguard: checking: rule 9 of 30")
    clock.now = 1.6
    progress.update("composeguard: checking: rule 10 of 30")  # too soon to redraw
    assert stream.getvalue() == "\rcomposeguard: checking: rule 9 of 30"
    progress.clear()
    assert stream.getvalue().endswith("\r" + " " * 36 + "\r")


def test_a_serial_check_reports_rules_and_files_read(shop: Path) -> None:
    import io

    from composeguard.lint.project import Project
    from composeguard.runner import Progress, check_projects

    class Recording(Progress):
        def __init__(self) -> None:
            super().__init__(io.StringIO(), delay=0, interval=0)
            self.lines: list[str] = []

        def update(self, text: str) -> None:
            self.lines.append(text)

    progress = Recording()
    [checked] = check_projects([Project([shop])], progress=progress)
    assert checked.result.findings
    assert progress.lines[0].startswith("composeguard: checking: rule 1 of ")
    last = progress.lines[-1]
    assert " files read" in last and not last.startswith("composeguard: checking: rule 1 ")


# -- a compose file on standard input --------------------------------------------------------


def _stdin(argv: list[str], text: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "composeguard", "check", "--no-color", *argv],
                          input=text, capture_output=True, text=True, cwd=cwd, timeout=120,
                          check=False)


def test_standard_input_is_checked_as_the_file_it_names(shop: Path) -> None:
    """An editor's unsaved buffer: the text on stdin replaces the file's, the project around
    it (its scripts, its git repository) is still read, and only that file's findings are
    reported."""
    text = (shop / "docker-compose.yml").read_text().replace(
        "      - \"3306:3306\"\n", "      - \"127.0.0.1:3306:3306\"\n")
    assert text != (shop / "docker-compose.yml").read_text()
    done = _stdin(["-", "--stdin-filename", "docker-compose.yml", "--concise"], text, shop)
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stdout.splitlines() if ": CG" in line]
    assert lines and all(line.startswith("docker-compose.yml:") for line in lines)
    assert not any(" CG502 " in line for line in lines)  # the buffer's fix, not the disk's
    assert any(" CG104 " in line for line in _stdin(["--concise", "."], "", shop)
               .stdout.splitlines())  # scripts/deploy.sh's finding exists, but is not stdin's
    assert not any("deploy.sh" in line for line in lines)
    # the project around the file is read: deploy.sh deploys it, so it is production's
    assert any(" CG601 " in line for line in lines)


def test_a_suppression_in_the_buffer_counts(shop: Path) -> None:
    text = (shop / "docker-compose.yml").read_text().replace(
        "  mysql:\n", "  # composeguard: ignore[CG101]\n  mysql:\n")
    done = _stdin(["-", "--stdin-filename", "docker-compose.yml", "--concise"], text, shop)
    assert " CG101 " not in done.stdout and " CG101 " in _stdin(
        ["-", "--stdin-filename", "docker-compose.yml", "--concise"],
        (shop / "docker-compose.yml").read_text(), shop).stdout


@pytest.mark.parametrize("argv", [["-"], [".", "--stdin-filename", "compose.yaml"],
                                  ["-", ".", "--stdin-filename", "compose.yaml"]])
def test_standard_input_needs_its_filename_and_goes_alone(shop: Path, argv: list[str]) -> None:
    done = _stdin(argv, "services: {}\n", shop)
    assert done.returncode == 2 and "stdin" in done.stderr and "Traceback" not in done.stderr
