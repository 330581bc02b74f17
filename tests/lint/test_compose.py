from __future__ import annotations

import pytest

from composeguard.lint.compose import Environment, classify_environment, is_compose_file_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("compose.yaml", True), ("docker-compose.yml", True), ("compose.override.yml", True),
        ("docker-compose.prod.yaml", True), ("compose.dev.apache.yaml", True),
        ("docker-compose.yml.example", False), ("podman-compose.yml", False),
        ("compose.json", False), ("mycompose.yaml", False),
    ],
)
def test_compose_file_names(name: str, expected: bool) -> None:
    assert is_compose_file_name(name) is expected


@pytest.mark.parametrize(
    ("name", "directories", "environment"),
    [
        ("compose.yaml", (), Environment.PRODUCTION),
        ("docker-compose.prod.yml", (), Environment.PRODUCTION),
        ("docker-compose.staging.yml", (), Environment.PRODUCTION),
        ("docker-compose.postgres.yml", (), Environment.PRODUCTION),
        ("docker-compose.override.yml", (), Environment.DEVELOPMENT),
        ("compose.dev.yaml", (), Environment.DEVELOPMENT),
        ("docker-compose.local.yml", (), Environment.DEVELOPMENT),
        ("docker-compose.test.yml", (), Environment.TEST),
        ("docker-compose.ci.yml", (), Environment.TEST),
        ("docker-compose.override.unit_tests.yml", (), Environment.TEST),
        ("docker-compose.e2e.yml", (), Environment.TEST),
        ("docker-compose.yml", (".devcontainer",), Environment.DEVELOPMENT),
        ("docker-compose.redis.yaml", (".ddev",), Environment.DEVELOPMENT),
    ],
)
def test_environment_from_the_name(name: str, directories: tuple[str, ...],
                                   environment: Environment) -> None:
    assert classify_environment(name, directories=directories) is environment


def test_configured_patterns_win() -> None:
    patterns = {"docker-compose.qa.yml": Environment.TEST}
    assert classify_environment("docker-compose.qa.yml", patterns) is Environment.TEST
