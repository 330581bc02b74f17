from __future__ import annotations

import pytest

from composeguard.lint.model.compose import is_compose_file_name, name_markers


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("compose.yaml", True), ("docker-compose.yml", True), ("compose.override.yml", True),
        ("docker-compose.prod.yaml", True), ("compose.dev.apache.yaml", True),
        ("prod-docker-compose.yml", True), ("docker-compose-production.yml", True),
        ("dev.docker-compose.yml", True), ("docker-compose-local.yml", True),
        ("app.compose.yml", True), ("infra.compose.yml", True), ("compose-mysql.yml", True),
        ("podman-compose.yml", True), ("Docker-Compose.PROD.YML", True),
        ("docker-compose.yml.example", False), ("compose.json", False),
        ("mycompose.yaml", False), ("composer.yml", False), ("decompose.yml", False),
    ],
)
def test_compose_file_names(name: str, expected: bool) -> None:
    assert is_compose_file_name(name) is expected


@pytest.mark.parametrize(
    ("name", "markers"),
    [
        ("compose.yaml", []), ("docker-compose.prod.yml", ["prod"]),
        ("prod-docker-compose.yml", ["prod"]), ("docker-compose-production.yml", ["production"]),
        ("dev.docker-compose.yml", ["dev"]), ("compose.dev.apache.yaml", ["dev", "apache"]),
        ("app.compose.yml", ["app"]), ("docker-compose.override.unit_tests.yml",
                                       ["override", "unit", "tests"]),
    ],
)
def test_name_markers(name: str, markers: list[str]) -> None:
    assert name_markers(name) == markers
