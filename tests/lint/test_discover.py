"""Discovery in a real git repository: what git ignores and dependency folders are skipped."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from composeguard.lint.model.discover import discover
from tests.conftest import make_git_repo, write_tree

SERVICE = "services:\n  app:\n    image: nginx\n"


def names(root: Path, paths: list[Path]) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_walks_compose_names_and_skips_ignored_and_dependency_folders(
    project_dir: Callable[..., Path],
) -> None:
    root = project_dir(
        {
            ".gitignore": "generated/\n*.local.yml\n",
            "compose.yaml": SERVICE,
            "compose.override.yaml": SERVICE,
            "deploy/docker-compose.prod.yml": SERVICE,
            "docker-compose.local.yml": SERVICE,
            "generated/compose.yaml": SERVICE,
            "vendor/laravel/sail/compose.yaml": SERVICE,
            "node_modules/x/docker-compose.yml": SERVICE,
            "docker-compose.yml.example": SERVICE,
            "notes.yaml": SERVICE,
        },
        git=True,
    )
    (root / "untracked").mkdir()
    (root / "untracked" / "compose.yml").write_text(SERVICE)
    found = discover([root]).compose_files
    assert names(root, found) == [
        "compose.override.yaml",
        "compose.yaml",
        "deploy/docker-compose.prod.yml",
        "untracked/compose.yml",
    ]


def test_outside_git_every_compose_file_counts(project_dir: Callable[..., Path]) -> None:
    root = project_dir({"compose.yaml": SERVICE, "generated/compose.yaml": SERVICE,
                        ".gitignore": "generated/\n"})
    assert names(root, discover([root]).compose_files) == ["compose.yaml", "generated/compose.yaml"]


def test_a_file_named_explicitly_is_linted_whatever_its_name(project_dir: Callable[..., Path]) -> None:
    root = project_dir({"stack.yaml": SERVICE})
    result = discover([root / "stack.yaml"])
    assert names(root, result.compose_files) == ["stack.yaml"]
    assert result.explicit_files == {root / "stack.yaml"}


def test_a_subdirectory_of_a_repository(project_dir: Callable[..., Path]) -> None:
    root = project_dir({".gitignore": "*.prod.yml\n", "app/compose.yaml": SERVICE,
                        "app/compose.prod.yml": SERVICE}, git=True)
    assert names(root, discover([root / "app"]).compose_files) == ["app/compose.yaml"]


def test_the_places_where_commands_live_are_classified(project_dir: Callable[..., Path]) -> None:
    root = project_dir(
        {
            "compose.yaml": SERVICE,
            "deploy.sh": "docker compose down -v\n",
            "lib/helpers.bash": "f() { :; }\n",
            "bin/reset": "#!/usr/bin/env bash\ndocker volume prune -f\n",
            "bin/console": "#!/usr/bin/env php\n<?php\n",
            "docker/entrypoint": "#!/bin/sh\nexec \"$@\"\n",
            "start": "#!/usr/bin/env -S bash -eu\n",
            "src/tool/run": "#!/bin/bash\n",
            "Makefile": "up:\n\tdocker compose up\n",
            "make/rules.mk": "x:\n",
            "GNUmakefile": "",
            ".github/workflows/deploy.yml": "jobs: {}\n",
            ".github/workflows/sub/not-read.yml": "jobs: {}\n",
            ".github/dependabot.yml": "version: 2\n",
            ".gitlab-ci.yml": "test: {script: [x]}\n",
            "ci/deploy.gitlab-ci.yml": "test: {script: [x]}\n",
            "Dockerfile": "FROM alpine\n",
            "docker/Dockerfile.prod": "FROM alpine\n",
            "docker/app.Dockerfile": "FROM alpine\n",
            "web.dockerfile": "FROM alpine\n",
            "Dockerfile.dockerignore": "*\n",
            "frontend/package.json": "{}\n",
            "README": "Read me first\n",
            "notes.txt": "hello\n",
        }
    )
    (root / "src/tool/run").chmod(0o755)
    result = discover([root])
    assert names(root, result.shell_scripts) == [
        "bin/reset", "deploy.sh", "docker/entrypoint", "lib/helpers.bash", "src/tool/run", "start",
    ]
    assert names(root, result.makefiles) == ["GNUmakefile", "Makefile", "make/rules.mk"]
    assert names(root, result.ci_workflows) == [
        ".github/workflows/deploy.yml", ".gitlab-ci.yml", "ci/deploy.gitlab-ci.yml",
    ]
    assert names(root, result.dockerfiles) == [
        "Dockerfile", "docker/Dockerfile.prod", "docker/app.Dockerfile", "web.dockerfile",
    ]
    assert names(root, result.package_jsons) == ["frontend/package.json"]
    assert names(root, result.compose_files) == ["compose.yaml"]
    assert "notes.txt" in names(root, result.files)
    assert "README" in names(root, result.files)
    assert len(result.files) == 24
    assert result.files == sorted(result.files)
    assert result.repo_roots == ()
    assert result.tracked(root / "deploy.sh") is None


def test_shebangs_are_only_read_where_scripts_live(project_dir: Callable[..., Path]) -> None:
    root = project_dir({"src/deep/run": "#!/bin/sh\n", "scripts/run": "#!/bin/sh\n"})
    assert names(root, discover([root]).shell_scripts) == ["scripts/run"]


def test_a_fifo_where_a_script_could_be_is_not_opened(project_dir: Callable[..., Path]) -> None:
    root = project_dir({"bin/real": "#!/bin/sh\n"})
    os.mkfifo(root / "bin" / "pipe")
    result = discover([root])
    assert names(root, result.shell_scripts) == ["bin/real"]
    assert "bin/pipe" in names(root, result.files)


def test_explicit_files_are_classified_like_walked_ones(project_dir: Callable[..., Path]) -> None:
    root = project_dir({"tools/migrate": "#!/bin/bash\n", "stack.yaml": SERVICE,
                        "Makefile": "x:\n", "web/Dockerfile": "FROM alpine\n"})
    explicit = [root / "tools/migrate", root / "stack.yaml", root / "Makefile",
                root / "web/Dockerfile"]
    result = discover(explicit)
    assert names(root, result.shell_scripts) == ["tools/migrate"]
    assert names(root, result.makefiles) == ["Makefile"]
    assert names(root, result.dockerfiles) == ["web/Dockerfile"]
    assert names(root, result.compose_files) == ["stack.yaml"]
    assert result.explicit_files == set(explicit)
    assert result.files == sorted(explicit)


def test_git_tells_tracked_untracked_and_ignored_apart(project_dir: Callable[..., Path]) -> None:
    root = project_dir(
        {
            ".gitignore": "*.sqlite\nbuild/\n",
            "compose.yaml": SERVICE,
            ".env": "APP_KEY=x\n",
            "app/deploy.sh": "echo\n",
        },
        git=True,
    )
    write_tree(root, {"database.sqlite": "", "build/Makefile": "x:\n", "app/new.sh": "echo\n",
                      "app/.env.local": "A=1\n"})
    result = discover([root])
    assert result.repo_roots == (root.resolve(),)
    assert result.tracked(root / ".env") is True
    assert result.tracked(root / "app/deploy.sh") is True
    assert result.tracked(root / "app/new.sh") is False
    assert result.tracked(root / "app/.env.local") is False
    assert result.tracked(root / "database.sqlite") is False
    assert result.tracked(root.parent / "elsewhere.txt") is None
    assert names(root, result.files) == [
        ".env", ".gitignore", "app/.env.local", "app/deploy.sh", "app/new.sh", "compose.yaml",
    ]
    assert names(root, result.shell_scripts) == ["app/deploy.sh", "app/new.sh"]
    assert result.makefiles == []
    repo = result.repos[0]
    assert root.resolve() / "app/new.sh" in repo.visible
    assert root.resolve() / "app/new.sh" not in repo.tracked


def test_skip_worktree_files_are_tracked(project_dir: Callable[..., Path]) -> None:
    root = project_dir({".env": "A=1\n", "other": "x\n"}, git=True)
    subprocess.run(["git", "update-index", "--skip-worktree", ".env"], cwd=root, check=True)
    assert discover([root]).tracked(root / ".env") is True


def test_tracked_from_a_subdirectory_of_the_repository(project_dir: Callable[..., Path]) -> None:
    root = project_dir({"app/compose.yaml": SERVICE, "app/bin/seed": "#!/bin/sh\n",
                        "top.sh": "echo\n"}, git=True)
    result = discover([root / "app"])
    assert result.repo_roots == (root.resolve(),)
    assert names(root, result.shell_scripts) == ["app/bin/seed"]
    assert result.tracked(root / "app/bin/seed") is True
    assert result.tracked(root / "top.sh") is True
    assert "top.sh" not in names(root, result.files)


def test_a_nested_repository_answers_for_its_own_files(project_dir: Callable[..., Path]) -> None:
    root = project_dir({"compose.yaml": SERVICE}, git=True)
    inner = write_tree(root / "plugins" / "inner", {".gitignore": "*.log\n", "run.sh": "echo\n",
                                                   "debug.log": ""})
    make_git_repo(inner)
    result = discover([root])
    assert names(root, result.shell_scripts) == ["plugins/inner/run.sh"]
    assert "plugins/inner/debug.log" not in names(root, result.files)
    assert result.tracked(inner / "run.sh") is True
    assert set(result.repo_roots) == {root.resolve(), inner.resolve()}


def test_git_is_asked_again_for_each_discovery(tmp_path: Path) -> None:
    """Within one process, a file untracked or created after a first discovery is seen."""
    root = make_git_repo(write_tree(tmp_path / "repo", {"compose.yaml": "services: {}\n",
                                                          "db.sqlite": "x"}))
    assert discover([root]).tracked(root / "db.sqlite") is True
    subprocess.run(["git", "rm", "-q", "--cached", "db.sqlite"], cwd=root, check=True)
    (root / "compose.dev.yaml").write_text("services: {}\n")
    again = discover([root])
    assert again.tracked(root / "db.sqlite") is False
    assert root / "compose.dev.yaml" in again.compose_files
