"""The one judgement of what a compose file or setup is for (lint/purpose.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from composeguard.lint.facts.purpose import ScriptPurpose, judge_file, judge_header, judge_script
from composeguard.lint.model.compose import Environment
from composeguard.lint.project import Project

P, D, T, E = (Environment.PRODUCTION, Environment.DEVELOPMENT, Environment.TEST,
              Environment.EXAMPLE)


@pytest.mark.parametrize(
    ("name", "directories", "environment", "decisive"),
    [
        ("compose.yaml", (), P, False),
        ("docker-compose.postgres.yml", (), P, False),
        ("docker-compose.prod.yml", (), P, True),
        ("docker-compose.staging.yml", (), P, True),
        ("prod-docker-compose.yml", (), P, True),
        ("docker-compose-production.yml", (), P, True),
        ("docker-compose.override.yml", (), D, True),
        ("compose.dev.yaml", (), D, True),
        ("dev.docker-compose.yml", (), D, True),
        ("docker-compose-local.yml", (), D, True),
        ("docker-compose.test.yml", (), T, True),
        ("docker-compose.ci.yml", (), T, True),
        ("docker-compose.override.unit_tests.yml", (), T, True),
        ("docker-compose.e2e.yml", (), T, True),
        ("docker-compose.uffizzi.yml", (), E, True),
        ("docker-compose.example.yml", (), E, True),
        ("docker-compose.yml", (".devcontainer",), D, True),
        ("docker-compose.redis.yaml", (".ddev",), D, True),
        ("docker-compose.mysql.yml", ("docker", "production"), P, True),
        ("docker-compose.mysql.yml", ("docker", "development"), D, True),
        ("compose.yaml", ("deploy",), P, True),
        ("compose.yaml", ("tests",), T, True),
        ("docker-compose.override.yml", ("tests",), T, True),
        ("docker-compose.yml", ("docs", "install", "docker", "plain"), E, True),
        ("docker-compose.prod.yml", ("examples",), E, True),
        ("docker-compose.prod.yml", ("docker", "development"), P, True),
    ],
)
def test_name_and_place(name: str, directories: tuple[str, ...], environment: Environment,
                        decisive: bool) -> None:
    judgement = judge_file(Path("/p") / name, directories, "services: {}\n")
    assert (judgement.environment, judgement.decisive) == (environment, decisive)


def test_configured_patterns_win_by_name_or_path() -> None:
    qa = judge_file(Path("/p/docker-compose.qa.yml"), (), None,
                    {"docker-compose.qa.yml": Environment.TEST})
    assert qa.environment is T and "configured" in qa.reason
    placed = judge_file(Path("/p/ops/compose.prod.yaml"), ("ops",), None,
                        {"ops/*": Environment.DEVELOPMENT}, "ops/compose.prod.yaml")
    assert placed.environment is D


@pytest.mark.parametrize(
    ("header", "environment", "line"),
    [
        ("# This is a Docker Compose configuration\n# intended for development purposes only\n",
         D, 2),
        ("# ====\n# DOCKER COMPOSE - LOCAL DEVELOPMENT\n# ====\n", D, 2),
        ("# Compose file for production.\n", P, 1),
        ("# Example setup, not intended for production\n", E, 1),
        ("# This file is not for production\n", D, 1),
        ("# Use root/example as user/password credentials\n", None, None),
        ("\n\n# for development only\n", D, 3),
    ],
)
def test_what_the_header_says(header: str, environment: Environment | None,
                              line: int | None) -> None:
    judgement = judge_header(Path("/p/compose.yaml"), header + "services:\n  a:\n    image: x\n")
    if environment is None:
        assert judgement is None
    else:
        assert judgement is not None
        assert (judgement.environment, judgement.location.line) == (environment, line)


def test_a_comment_below_the_first_key_is_not_a_header() -> None:
    text = "services:\n  # for development only\n  a:\n    image: x\n"
    assert judge_header(Path("/p/compose.yaml"), text) is None


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _judged(root: Path) -> dict[str, tuple[str, str]]:
    project = Project([root])
    return {"+".join(f.path.relative_to(root).as_posix() for f in m.files):
            (project.judgement(m).environment.value, project.judgement(m).reason)
            for m in project.models}


APP = "services:\n  app:\n    image: php:8.3-fpm\n    env_file: .env\n{extra}"


def test_env_file_values_never_make_a_setup_development(tmp_path: Path) -> None:
    _write(tmp_path, {"docker-compose.yml": APP.format(extra=""),
                      ".env": "APP_ENV=local\nAPP_DEBUG=true\n"})
    assert _judged(tmp_path)["docker-compose.yml"][0] == "production"


def test_interpolated_values_never_make_a_setup_development(tmp_path: Path) -> None:
    _write(tmp_path, {"docker-compose.yml": APP.format(
        extra="    environment:\n      APP_ENV: ${APP_ENV:-local}\n"), ".env": "APP_ENV=local\n"})
    assert _judged(tmp_path)["docker-compose.yml"][0] == "production"


@pytest.mark.parametrize(
    ("extra", "evidence"),
    [
        ("    environment:\n      APP_ENV: local\n", "APP_ENV: local"),
        ("    environment:\n      - DJANGO_SETTINGS_MODULE=site.settings.dev\n", "site.settings.dev"),
        ("    environment:\n      XDEBUG_MODE: '${XDEBUG_MODE:-off}'\n", "XDEBUG_MODE"),
        ("    command: python manage.py runserver 0.0.0.0:8000\n", "runserver"),
        ("    build:\n      context: .\n      dockerfile: dev.Dockerfile\n", "dev.Dockerfile"),
        ("    tty: true\n    stdin_open: true\n    volumes:\n      - ./src:/app\n", "tty"),
        ("    volumes:\n      - ./frontend:/app\n      - /app/node_modules\n", "node_modules"),
        ("    volumes:\n      - ./:/var/www/html:delegated\n", "delegated"),
    ],
)
def test_what_a_setup_shows_of_development(tmp_path: Path, extra: str, evidence: str) -> None:
    _write(tmp_path, {"docker-compose.yml": APP.format(extra=extra), ".env": ""})
    environment, reason = _judged(tmp_path)["docker-compose.yml"]
    assert environment == "development"
    assert evidence in reason


@pytest.mark.parametrize(
    "extra",
    [
        "    volumes:\n      - ./:/var/www\n",  # a code mount alone: self-hosted setups do it
        "    tty: true\n    stdin_open: true\n",  # a terminal without a source mount
        "    volumes:\n      - ./php.ini:/usr/local/etc/php/php.ini:delegated\n",
    ],
)
def test_not_evidence_of_development(tmp_path: Path, extra: str) -> None:
    _write(tmp_path, {"docker-compose.yml": APP.format(extra=extra), ".env": ""})
    assert _judged(tmp_path)["docker-compose.yml"][0] == "production"


def test_a_production_name_is_not_overturned_by_content(tmp_path: Path) -> None:
    _write(tmp_path, {"docker/production/docker-compose.mysql.yml": APP.format(
        extra="    environment:\n      APP_ENV: local\n"), "docker/production/.env": ""})
    judged = _judged(tmp_path)["docker/production/docker-compose.mysql.yml"]
    assert judged[0] == "production" and "production/" in judged[1]


def test_a_base_beside_a_complete_production_file_is_development(tmp_path: Path) -> None:
    service = "services:\n  app:\n    image: app\n  db:\n    image: mysql:8\n"
    _write(tmp_path, {"docker-compose.yml": service, "docker-compose.prod.yml": service})
    judged = _judged(tmp_path)
    assert judged["docker-compose.yml"][0] == "development"
    assert "docker-compose.prod.yml" in judged["docker-compose.yml"][1]
    assert judged["docker-compose.prod.yml"][0] == "production"


def test_a_self_contained_production_file_stands_alone(tmp_path: Path) -> None:
    base = ("services:\n  app:\n    build: .\n    command: python manage.py runserver\n"
            "  js:\n    image: node\n")
    prod = ("services:\n  app:\n    build: .\n    volumes: [media:/media]\n"
            "  nginx:\n    image: nginx\n    depends_on: [app]\nvolumes:\n  media:\n")
    _write(tmp_path, {"docker-compose.yml": base, "prod-docker-compose.yml": prod})
    judged = _judged(tmp_path)
    assert set(judged) == {"docker-compose.yml", "prod-docker-compose.yml"}
    assert judged["prod-docker-compose.yml"][0] == "production"


def test_a_collection_of_samples(tmp_path: Path) -> None:
    for index in range(8):
        _write(tmp_path, {f"sample{index}/compose.yaml": "services:\n  db:\n    image: mysql\n"})
    judged = _judged(tmp_path)
    assert len(judged) == 8
    assert all(environment == "example" and "collection" in reason
               for environment, reason in judged.values())


def test_few_sibling_setups_are_not_a_collection(tmp_path: Path) -> None:
    for index in range(3):
        _write(tmp_path, {f"site{index}/compose.yaml": "services:\n  db:\n    image: mysql\n"})
    assert {e for e, _ in _judged(tmp_path).values()} == {"production"}


def test_templates_are_skipped_with_a_reason(tmp_path: Path) -> None:
    _write(tmp_path, {
        "{{cookiecutter.slug}}/docker-compose.yml": "services:\n  a:\n    image: x\n",
        "stack/docker-compose.yml": "services:\n{% if db %}\n  db:\n    image: mysql\n{% endif %}\n",
        "labels/docker-compose.yml": "services:\n  a:\n    image: x\n    labels:\n"
                                     "      t: '{{ .Name }}'\n",
    })
    project = Project([tmp_path])
    skipped = {p.relative_to(tmp_path).as_posix(): r for p, r in project.skipped.items()}
    assert set(skipped) == {"{{cookiecutter.slug}}/docker-compose.yml",
                            "stack/docker-compose.yml"}
    assert "{%" in skipped["stack/docker-compose.yml"]
    assert [f.path.relative_to(tmp_path).as_posix() for f in project.compose_files] == [
        "labels/docker-compose.yml"]


def test_a_template_named_explicitly_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "docker-compose.yml"
    path.write_text("services:\n{% if db %}\n  db: {}\n{% endif %}\n")
    project = Project([path])
    assert not project.skipped
    assert project.compose_files[0].error is not None


def test_a_base_is_development_where_the_project_names_its_production_setup(
        tmp_path: Path) -> None:
    service = "services:\n  app:\n    image: app\n"
    _write(tmp_path, {"docker-compose.yml": service,
                      "deployments/community/docker-compose.yml": service})
    judged = _judged(tmp_path)
    assert judged["docker-compose.yml"] == (
        "development",
        "the project's production setup is `deployments/community/docker-compose.yml`")


def test_a_base_with_a_header_keeps_its_own_word(tmp_path: Path) -> None:
    service = "services:\n  app:\n    image: app\n"
    _write(tmp_path, {"docker-compose.yml": "# Compose file for production.\n" + service,
                      "dev.docker-compose.yml": service + "  db:\n    image: mysql\n"})
    assert _judged(tmp_path)["docker-compose.yml"][0] == "production"


def test_a_local_cloud_emulator_shows_development(tmp_path: Path) -> None:
    _write(tmp_path, {"docker-compose.yml": "services:\n  dynamodb:\n"
                                            "    image: amazon/dynamodb-local:2.0.0\n"})
    environment, reason = _judged(tmp_path)["docker-compose.yml"]
    assert environment == "development" and "dynamodb-local" in reason


def test_an_example_reports_only_what_stops_compose(tmp_path: Path) -> None:
    from composeguard.runner import run

    _write(tmp_path, {"docs/compose.yaml": (
        "services:\n  db:\n    image: postgres:18\n    environment:\n"
        "      POSTGRES_PASSWORD: example\n    ports: ['5432:5432']\n"
        "    volumes: [pg:/var/lib/postgresql/data]\n  cache:\n    image: redis:7\n"
        "volumes:\n  pg:\n")})
    codes = sorted(f.code for f in run(Project([tmp_path])).findings)
    assert codes == ["CG101"]


@pytest.mark.parametrize(("path", "context", "named", "expected"), [
    ("scripts/deploy.sh", "", (), ScriptPurpose.DEPLOY),
    ("Makefile", "release", (), ScriptPurpose.DEPLOY),
    ("Makefile", "sync", ("docker-compose.prod.yml",), ScriptPurpose.DEPLOY),
    ("Makefile", "up", (), ScriptPurpose.ROUTINE),
    ("Makefile", "migrate", (), ScriptPurpose.ROUTINE),
    ("bin/start.sh", "", (), ScriptPurpose.ROUTINE),
    ("Makefile", "destroy", (), ScriptPurpose.TEARDOWN),
    ("Makefile", "down-all", (), ScriptPurpose.TEARDOWN),
    ("Makefile", "deploy-reset", (), ScriptPurpose.TEARDOWN),
    ("Makefile", "migrate-rollback", (), ScriptPurpose.TEARDOWN),
    ("deploy/nuke.sh", "", (), ScriptPurpose.TEARDOWN),
    ("Makefile", "down", (), ScriptPurpose.OTHER),
    ("Makefile", "setup", (), ScriptPurpose.OTHER),
    ("scripts/seed.sh", "", (), ScriptPurpose.OTHER),
])
def test_what_a_script_is_for(path: str, context: str, named: tuple[str, ...],
                              expected: ScriptPurpose) -> None:
    purpose, shown = judge_script(Path(path), context, named)
    assert purpose is expected
    assert shown in (context or Path(path).name, *named)
