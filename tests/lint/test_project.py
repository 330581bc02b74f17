"""Which ``-f`` chains the Project judges, and in which environment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from composeguard.lint.model.compose import Environment
from composeguard.lint.project import Project

BASE = "services:\n  app:\n    image: shop\n  db:\n    image: mysql:8\n"
OVERLAY = "services:\n  db:\n    ports: ['3306:3306']\n"
STANDALONE = BASE


def chains(root: Path) -> list[tuple[list[str], Environment]]:
    project = Project([root])
    return [([f.path.name for f in m.files], m.environment) for m in project.models]


def test_base_alone_is_production_when_nothing_else_exists(project_dir: Callable[..., Path]) -> None:
    assert chains(project_dir({"compose.yaml": BASE})) == [(["compose.yaml"], Environment.PRODUCTION)]


def test_override_merges_onto_base_and_base_alone_stays_production(
    project_dir: Callable[..., Path],
) -> None:
    root = project_dir({"compose.yaml": BASE, "compose.override.yaml": OVERLAY})
    assert chains(root) == [
        (["compose.yaml"], Environment.PRODUCTION),
        (["compose.yaml", "compose.override.yaml"], Environment.DEVELOPMENT),
    ]


def test_a_production_overlay_judges_the_base_instead_of_the_base_alone(
    project_dir: Callable[..., Path],
) -> None:
    root = project_dir({"compose.yaml": BASE, "compose.override.yaml": OVERLAY,
                        "compose.prod.yaml": OVERLAY})
    assert chains(root) == [
        (["compose.yaml", "compose.override.yaml"], Environment.DEVELOPMENT),
        (["compose.yaml", "compose.prod.yaml"], Environment.PRODUCTION),
    ]


def test_a_standalone_environment_file_is_judged_alone(project_dir: Callable[..., Path]) -> None:
    root = project_dir({"compose.yaml": BASE, "docker-compose.prod.yml": STANDALONE,
                        "docker-compose.test.yml": STANDALONE})
    assert chains(root) == [
        (["compose.yaml"], Environment.DEVELOPMENT),  # the complete prod file is production
        (["docker-compose.prod.yml"], Environment.PRODUCTION),
        (["docker-compose.test.yml"], Environment.TEST),
    ]


def test_the_base_stays_production_beside_a_standalone_test_file(
        project_dir: Callable[..., Path]) -> None:
    root = project_dir({"compose.yaml": BASE, "docker-compose.test.yml": STANDALONE})
    assert chains(root) == [
        (["compose.yaml"], Environment.PRODUCTION),
        (["docker-compose.test.yml"], Environment.TEST),
    ]


def test_a_folder_named_for_development_below_the_checked_path(
        project_dir: Callable[..., Path]) -> None:
    root = project_dir({"docker/development/compose.yaml": BASE,
                        "e2e/compose.yaml": BASE, "docker/production/compose.yaml": BASE})
    judged = {m.primary.path.parent.relative_to(root).as_posix(): m.environment
              for m in Project([root]).models}
    assert judged == {"docker/development": Environment.DEVELOPMENT,
                      "docker/production": Environment.PRODUCTION, "e2e": Environment.TEST}
    # the folders the user keeps the project in say nothing
    assert chains(root / "docker" / "development") == [(["compose.yaml"], Environment.PRODUCTION)]


def test_included_fragments_are_judged_inside_their_project(project_dir: Callable[..., Path]) -> None:
    root = project_dir({"compose.yaml": "include: [db/compose.yaml]\n" + BASE.replace("  db:\n    image: mysql:8\n", ""),
                        "db/compose.yaml": "services:\n  db:\n    image: mysql:8\n"})
    assert chains(root) == [(["compose.yaml"], Environment.PRODUCTION)]
