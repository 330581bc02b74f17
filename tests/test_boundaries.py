"""composeguard reads and writes only inside what it was asked to check.

A symlink out of the project (a compose file linked to a secret file, an ``include:`` or
``extends`` of a file elsewhere, a checked folder that is a link) is never read into a message
and never written through; the user is told which file was skipped and why.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from composeguard.cli import main

from .conftest import make_git_repo, write_tree

SECRET_LINE = "root:$6$Zqshadowhash:19000:0:99999:7:::"
NO_VOLUME = "services:\n  db:\n    image: mysql:8.4\n    command: mysqld\n"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def outside_file(tmp_path: Path) -> Path:
    secret = tmp_path / "elsewhere" / "shadow"
    secret.parent.mkdir()
    secret.write_text(SECRET_LINE + "\n")
    return secret


def test_a_compose_file_linked_out_of_the_project_is_not_read(tmp_path: Path) -> None:
    secret = outside_file(tmp_path)
    root = make_git_repo(write_tree(tmp_path / "p", {"docker-compose.yml": NO_VOLUME}))
    (root / "compose.yaml").symlink_to(secret)
    for argv in (["check", "--no-color", str(root)], ["check", "--format", "json", str(root)],
                 ["check", "--no-color", str(root / "compose.yaml")], ["setups", str(root)]):
        _, out, err = run(*argv)
        assert "Zqshadowhash" not in out + err and "root:" not in out + err, argv
    _, out, err = run("check", "--no-color", str(root))
    assert "compose.yaml: is a symlink to a file outside the checked paths: not read" in err
    assert "docker-compose.yml:2:3: CG101" in out  # the neighbour is still checked


def test_include_and_extends_of_a_file_outside_are_named_not_read(tmp_path: Path) -> None:
    secret = outside_file(tmp_path)
    root = make_git_repo(write_tree(tmp_path / "p", {"compose.yaml": (
        f"include:\n  - {secret}\nservices:\n  app:\n    image: nginx\n"
        f"    env_file: {secret}\n    extends:\n      file: {secret}\n      service: root\n")}))
    code, out, err = run("check", "--no-color", str(root))
    assert "Zqshadowhash" not in out + err
    assert f"included file {secret} is outside the checked paths: not read" in out
    assert "which is outside the checked paths: not read" in out
    assert code == 1


def test_a_file_elsewhere_in_the_same_repository_is_read(tmp_path: Path) -> None:
    repo = make_git_repo(write_tree(tmp_path / "repo", {
        "common/db.yml": NO_VOLUME,
        "app/compose.yaml": "include:\n  - ../common/db.yml\nservices:\n  web:\n    image: nginx\n",
    }))
    _, out, err = run("check", "--no-color", str(repo / "app"))
    assert "not read" not in out + err
    assert "CG101" in out  # the included mysql is part of the app's model


def test_fix_never_writes_through_a_symlink(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "elsewhere", {"compose.yaml": NO_VOLUME})
    root = make_git_repo(write_tree(tmp_path / "p", {"README.md": "x\n"}))
    (root / "docker-compose.yml").symlink_to(outside / "compose.yaml")
    (root / "linked").symlink_to(outside)
    for target in (root / "docker-compose.yml", root / "linked", root):
        run("fix", "--unsafe-fixes", "--force", str(target))
    assert (outside / "compose.yaml").read_text() == NO_VOLUME
    assert sorted(p.name for p in outside.iterdir()) == ["compose.yaml"]


def test_fix_names_the_files_it_does_not_read(tmp_path: Path) -> None:
    secret = outside_file(tmp_path)
    root = make_git_repo(write_tree(tmp_path / "p", {"docker-compose.yml": NO_VOLUME}))
    (root / "compose.yaml").symlink_to(secret)
    _, out, err = run("fix", "--diff", "--unsafe-fixes", str(root))
    assert "compose.yaml: is a symlink to a file outside the checked paths: not read" in err
    assert "Zqshadowhash" not in out + err
