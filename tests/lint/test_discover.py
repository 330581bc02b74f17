"""Discovery in a real git repository: what git ignores and dependency folders are skipped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from composeguard.lint.discover import discover

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
