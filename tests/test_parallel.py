"""Separate projects: each git work tree is checked apart, in parallel when it pays, and the
report is the same whatever the number of processes."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

from composeguard.cli import main
from composeguard.lint.model.discover import separate_projects

from .conftest import make_git_repo, write_tree

STORE = "services:\n  db:\n    image: mysql:8.0\n    volumes: [data:/var/lib/mysql]\n" \
        "volumes:\n  data:\n"


def clone(root: Path, files: dict[str, str]) -> Path:
    write_tree(root, files)
    return make_git_repo(root)


def workspace(tmp_path: Path, count: int = 5) -> Path:
    """A folder of ``count`` clones, each a small app of its own, and a README."""
    folder = tmp_path / "src"
    for index in range(count):
        clone(folder / f"app{index}", {
            "compose.yaml": STORE.replace("volumes:\n  data:", f"  pg{index}:\n"
                                          "    image: postgres:16\nvolumes:\n  data:"),
            "docker-compose.override.yml": "services:\n  db:\n    ports: ['3306:3306']\n",
            "docker-compose.prod.yml": "services:\n  web:\n    image: nginx:1.27\n"
                                       "    command: sh -c 'php artisan migrate:fresh --force'\n",
            ".env": "DB_PASSWORD=hunter2-for-app\n",
        })
    (folder / "README.md").write_text("# my clones\n", encoding="utf-8")
    return folder


def test_each_work_tree_is_a_project_of_its_own(tmp_path: Path) -> None:
    a = clone(tmp_path / "a", {"compose.yaml": STORE})
    b = clone(tmp_path / "b", {"compose.yaml": STORE})
    (a / "deploy").mkdir()
    assert separate_projects([a, b]) == [(a,), (b,)]
    assert separate_projects([a, a / "deploy"]) == [(a, a / "deploy")]
    plain = write_tree(tmp_path / "plain", {"compose.yaml": STORE})
    assert separate_projects([plain, a]) == [(plain,), (a,)]


def test_a_folder_of_clones_is_one_project_per_clone(tmp_path: Path) -> None:
    folder = workspace(tmp_path, 3)
    assert separate_projects([folder]) == [(folder / f"app{i}",) for i in range(3)]


@pytest.mark.parametrize("beside", ["compose.yaml", "backup.sh", "package.json", "ops/x.txt"])
def test_a_folder_with_more_than_clones_stays_one_project(tmp_path: Path, beside: str) -> None:
    folder = workspace(tmp_path, 2)
    write_tree(folder, {beside: "services: {}\n"})
    assert separate_projects([folder]) == [(folder,)]


def test_one_clone_is_not_a_workspace(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    clone(folder / "only", {"compose.yaml": STORE})
    assert separate_projects([folder]) == [(folder,)]


def test_a_backup_in_one_project_does_not_cover_another(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "src"
    clone(folder / "backed", {
        "compose.yaml": STORE,
        "scripts/backup.sh": "#!/bin/sh\ndocker compose exec -T db mysqldump --all-databases"
                             " > /backups/all.sql\n"})
    clone(folder / "bare", {"compose.yaml": STORE})
    monkeypatch.chdir(folder)
    main(["check", "--select", "CG602", "."])
    out = capsys.readouterr().out
    assert "bare/compose.yaml" in out
    assert "backed/compose.yaml" not in out


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "junit", "github"])
def test_the_report_is_the_same_in_one_process_or_several(
        output_format: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = workspace(tmp_path)
    monkeypatch.chdir(folder)
    reports = []
    for jobs in ("1", "2", "3"):
        code = main(["check", "--jobs", jobs, "--format", output_format, "."])
        out, err = capsys.readouterr()
        reports.append((code, out, err))
    assert reports[0] == reports[1] == reports[2]
    code, out, _ = reports[0]
    assert code == 1
    for index in range(5):
        assert f"app{index}/compose.yaml" in out or f"app{index}/docker-compose" in out


def test_json_fixable_survives_the_other_process(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    folder = workspace(tmp_path, 2)
    monkeypatch.chdir(folder)
    main(["check", "--jobs", "2", "--format", "json", "."])
    parallel = json.loads(capsys.readouterr().out)
    main(["check", "--jobs", "1", "--format", "json", "."])
    serial = json.loads(capsys.readouterr().out)
    assert parallel == serial
    assert any(f["fixable"] for f in serial["findings"])


def test_fix_plans_each_project_apart(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = workspace(tmp_path, 2)
    monkeypatch.chdir(folder)
    main(["fix", "--diff", "--unsafe-fixes", "."])
    together = capsys.readouterr().out
    apart = ""
    for index in range(2):
        monkeypatch.chdir(folder / f"app{index}")
        main(["fix", "--diff", "--unsafe-fixes", "."])
        apart += capsys.readouterr().out.replace("--- a/", f"--- a/app{index}/").replace(
            "+++ b/", f"+++ b/app{index}/")
    assert together
    assert sorted(together.splitlines()) == sorted(apart.splitlines())


_DYING_WORKER = """
import os, signal, sys, time
from composeguard import runner
from composeguard.cli import main

parent = os.getpid()
real = runner._check_one

def checking(project, *args):
    if os.getpid() != parent and project.paths[0].name == "app1":
        {how}
    return real(project, *args)

runner._check_one = checking
sys.exit(main(["check", "--no-cache", "--jobs", "2", sys.argv[1]]))
"""


@pytest.mark.parametrize("how", {
    "killed": "os.kill(os.getpid(), signal.SIGKILL)",
    "segfault": "os.kill(os.getpid(), signal.SIGSEGV)",
    "out of memory": "raise MemoryError()",
}.items(), ids=lambda item: item[0])
def test_a_worker_that_dies_is_an_error_naming_its_project(
        how: tuple[str, str], tmp_path: Path) -> None:
    import subprocess
    import sys

    folder = workspace(tmp_path, 3)
    done = subprocess.run([sys.executable, "-c", _DYING_WORKER.format(how=how[1]),
                           str(folder)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("composeguard: error: the process checking ") and "app1" in line


def test_ctrl_c_stops_every_worker_with_one_line(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    folder = workspace(tmp_path, 4)
    slow = _DYING_WORKER.replace('project.paths[0].name == "app1"', "True").format(
        how="time.sleep(60)")
    process = subprocess.Popen([sys.executable, "-c", slow, str(folder)],
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(3)  # the workers are asleep in their first projects
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C reaches the whole group
    try:
        _, err = process.communicate(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130
    assert err.splitlines() == ["composeguard: interrupted"]
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)  # no process of the group is left
