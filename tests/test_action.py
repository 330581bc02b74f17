"""The GitHub Action (``action.yml``) and the workflow snippet the README shows for it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from composeguard.cli import check

from .tools import shellcheck as find_shellcheck

REPO = Path(__file__).resolve().parents[1]
ACTION = REPO / "action.yml"
README = REPO / "README.md"
MYSQL = "services:\n  db:\n    image: mysql:8.4\n"


def load_yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    return load_yaml(ACTION.read_text(encoding="utf-8"))


def vendored_schema(name: str) -> dict[str, Any]:
    """The schemastore schemas that check-jsonschema (a dependency) ships, not a copy."""
    files = resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads(files.joinpath(name).read_text(encoding="utf-8"))


def step(action: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(s for s in action["runs"]["steps"] if s.get("id") == step_id)


def expressions(value: Any) -> Iterator[str]:
    """Every ``${{ ... }}`` body in a YAML value, walked as data."""
    if isinstance(value, dict):
        for item in value.values():
            yield from expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from expressions(item)
    elif isinstance(value, str):
        rest = value
        while "${{" in rest:
            rest = rest.split("${{", 1)[1]
            body, _, rest = rest.partition("}}")
            yield body.strip()


def input_references(value: Any) -> set[str]:
    names = set()
    for body in expressions(value):
        for word in body.replace("(", " ").replace(")", " ").split():
            if word.startswith("inputs."):
                names.add(word.removeprefix("inputs."))
    return names


# -- structure -----------------------------------------------------------------------------


def test_action_is_valid_against_the_official_schema(action: dict[str, Any]) -> None:
    import jsonschema

    jsonschema.validate(action, vendored_schema("github-actions.json"))


def test_action_is_composite_with_documented_inputs(action: dict[str, Any]) -> None:
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert {"path", "version", "args", "sarif", "fail-on"} <= set(inputs)
    assert inputs["path"]["default"] == "."
    assert inputs["sarif"]["default"] == "false"
    for name, spec in inputs.items():
        assert len(spec.get("description", "")) > 20, name
        assert spec.get("required") is False, name
    assert input_references(action["runs"]) == set(inputs)


def test_action_installs_itself_and_runs_check_with_github_annotations(
    action: dict[str, Any],
) -> None:
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    install = next(s for s in steps if "pip install" in s.get("run", ""))
    assert install["env"]["CG_ACTION_PATH"] == "${{ github.action_path }}"
    assert "$CG_ACTION_PATH" in install["run"]
    run = step(action, "check")
    assert 'check "$CG_PATH" "${options[@]}" --format github' in run["run"]
    upload = next(s for s in steps if s.get("uses", "").startswith(
        "github/codeql-action/upload-sarif@"))
    assert "inputs.sarif == 'true'" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ steps.check.outputs.sarif-file }}"


def test_scripts_take_inputs_through_env_only(action: dict[str, Any]) -> None:
    """``${{ inputs.x }}`` pasted into a script is a shell injection; env vars are not."""
    for entry in action["runs"]["steps"]:
        if "run" in entry:
            assert "${{" not in entry["run"], entry.get("name")


def test_scripts_pass_shellcheck(action: dict[str, Any], tmp_path: Path) -> None:
    shellcheck = find_shellcheck()
    for index, entry in enumerate(action["runs"]["steps"]):
        if "run" not in entry:
            continue
        script = tmp_path / f"step{index}.sh"
        script.write_text("#!/usr/bin/env bash\n" + entry["run"])
        done = subprocess.run([shellcheck, "--shell=bash", str(script)],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout


# -- behaviour: the run step, executed as the runner would ---------------------------------


def run_check_step(
    action: dict[str, Any], workdir: Path, tmp_path: Path, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    entry = step(action, "check")
    composeguard = shutil.which("composeguard", path=str(Path(sys.executable).parent))
    assert composeguard is not None
    output = tmp_path / "github_output"
    output.write_text("")
    values = {
        "CG_BIN": composeguard, "CG_PATH": inputs.get("path", "."),
        "CG_ARGS": inputs.get("args", ""), "CG_FAIL_ON": inputs.get("fail-on", ""),
        "CG_SARIF": inputs.get("sarif", "false"), "CG_SARIF_FILE": str(tmp_path / "cg.sarif"),
    }
    assert set(values) == set(entry["env"])
    assert entry["shell"] == "bash"
    script = tmp_path / "step.sh"
    script.write_text(entry["run"], encoding="utf-8")
    # exactly as GitHub runs a `shell: bash` step: the script as a file, errexit and pipefail on
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workdir,
        capture_output=True, text=True, check=False,
        env={**os.environ, **values, "GITHUB_OUTPUT": str(output)},
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return done, outputs


def test_run_step_annotates_and_records_the_exit_code(
    action: dict[str, Any], tmp_path: Path
) -> None:
    project = tmp_path / "repo"
    (project / "deploy").mkdir(parents=True)
    (project / "deploy" / "compose.yaml").write_text(MYSQL)
    done, outputs = run_check_step(action, project, tmp_path, path="deploy",
                                   args="--select CG101")
    assert done.returncode == 1, done.stderr  # the step fails as the check does
    assert outputs == {"exit-code": "1"}
    assert done.stdout.startswith("::error file=deploy/compose.yaml,line=2,")
    done, outputs = run_check_step(action, project, tmp_path, path="deploy",
                                   args="--select CG602", **{"fail-on": "error"})
    assert done.returncode == 0, done.stderr
    assert outputs["exit-code"] == "0" and "::notice" in done.stdout


def test_run_step_writes_sarif_when_asked(action: dict[str, Any], tmp_path: Path) -> None:
    project = tmp_path / "repo"
    project.mkdir()
    (project / "compose.yaml").write_text(MYSQL)
    done, outputs = run_check_step(action, project, tmp_path, sarif="true",
                                   args="--select CG101")
    assert done.returncode == 1
    assert outputs["exit-code"] == "1"
    sarif = json.loads(Path(outputs["sarif-file"]).read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["CG101"]
    assert done.stdout.count("::error") == 1
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.27\n")
    done, outputs = run_check_step(action, clean, tmp_path, sarif="true")
    assert done.returncode == 0, done.stderr
    assert outputs["exit-code"] == "0" and done.stdout == ""
    assert json.loads(Path(outputs["sarif-file"]).read_text())["runs"][0]["results"] == []


def test_the_upload_runs_when_the_check_step_failed(action: dict[str, Any]) -> None:
    """A step after a failed one runs only if its condition has a status function: the
    upload's does, so code scanning gets the alerts of a failing run."""
    steps = action["runs"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith(
        "github/codeql-action/upload-sarif@"))
    assert "!cancelled()" in upload["if"]
    assert steps.index(upload) > steps.index(step(action, "check"))


def test_run_step_reports_usage_errors_as_exit_code_2(
    action: dict[str, Any], tmp_path: Path
) -> None:
    done, outputs = run_check_step(action, tmp_path, tmp_path, sarif="true",
                                   args="--baseline missing.json")
    assert done.returncode == 2
    assert outputs == {"exit-code": "2"}
    assert "missing.json" in done.stderr


# -- the README's workflow snippet ---------------------------------------------------------


def readme_workflows() -> list[dict[str, Any]]:
    """YAML code blocks of the README that are workflows (they have ``jobs``)."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in README.read_text(encoding="utf-8").splitlines():
        if current is None and line.strip() in {"```yaml", "```yml"}:
            current = []
        elif current is not None and line.strip() == "```":
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    documents = [load_yaml("\n".join(block)) for block in blocks]
    return [d for d in documents if isinstance(d, dict) and "jobs" in d]


def test_readme_workflow_uses_the_action_with_inputs_that_exist(action: dict[str, Any]) -> None:
    import jsonschema

    workflows = readme_workflows()
    assert workflows, "README.md shows no workflow snippet"
    options = {opt for param in check.params for opt in getattr(param, "opts", [])}
    used = []
    for workflow in workflows:
        jsonschema.validate(workflow, vendored_schema("github-workflows.json"))
        for job in workflow["jobs"].values():
            for entry in job.get("steps", []):
                if not entry.get("uses", "").startswith("composeguard/composeguard@"):
                    continue
                used.append(entry)
                ref = entry["uses"].split("@", 1)[1]
                if ref[:1] == "v" and ref[1:2].isdigit():  # a release tag: it must exist
                    tags = subprocess.run(["git", "tag", "--list", ref], cwd=REPO, text=True,
                                          capture_output=True, check=False).stdout.split()
                    assert tags == [ref], f"the README uses {ref}, which is not a tag here"
                given = entry.get("with", {})
                assert "version" not in given or given["version"].startswith("git+"), \
                    "no composeguard release is on PyPI: show the action's own checkout"
                assert set(given) <= set(action["inputs"]), set(given) - set(action["inputs"])
                for token in str(given.get("args", "")).split():
                    assert not token.startswith("-") or token in options, token
                if str(given.get("sarif", "")).lower() == "true":
                    permissions = {**workflow.get("permissions", {}),
                                   **job.get("permissions", {})}
                    assert permissions.get("security-events") == "write"
    assert used, "no README workflow uses composeguard/composeguard"
