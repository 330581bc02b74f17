"""CG303 (hardcoded-database-credential) and CG502 (database-port-published) beyond their own
examples: the secret never reaches the output, one finding per written line, the port syntax
read as Compose reads it."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
from pathlib import Path

import pytest

from composeguard.cli import main
from composeguard.lint.model.compose import parse_port
from composeguard.lint.parse.nodes import Node
from composeguard.lint.project import Project
from composeguard.rules.appconfig import _judge_text, hardcoded_database_credential
from composeguard.rules.guards import database_port_published

from ..conftest import write_tree
from ..tools import compose_binary

SECRET = "Zq7-unGuessable-Pw"


def findings(rule, root: Path) -> list[tuple[str, int, str]]:
    return sorted((f.location.path.relative_to(root).as_posix(), f.location.line, f.text)
                  for f in rule.check(Project([root])))


def lines(rule, root: Path) -> list[tuple[str, int]]:
    return [(path, line) for path, line, _ in findings(rule, root)]


# -- CG303 -------------------------------------------------------------------------------------

SECRET_PROJECT = {
    "compose.yaml": f"""\
x-db-env: &db-env
  MARIADB_PASSWORD: {SECRET}
services:
  db:
    image: mariadb:11
    environment:
      <<: *db-env
      MARIADB_ROOT_PASSWORD: "{SECRET}"
      MYSQL_PASSWORD: ${{DB_PASSWORD:-{SECRET}}}
  pg:
    image: postgres:16
    environment:
      - POSTGRES_PASSWORD={SECRET}
  graph:
    image: neo4j:5
    environment:
      NEO4J_AUTH: neo4j/{SECRET}
""",
}


@pytest.mark.parametrize("output_format", ["json", "text"])
def test_the_secret_never_reaches_the_output(tmp_path: Path, output_format: str) -> None:
    root = write_tree(tmp_path / "project", SECRET_PROJECT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["check", "--format", output_format, "--select", "CG303", str(root)])
    assert code == 1
    assert SECRET not in out.getvalue()
    assert SECRET.lower() not in out.getvalue().lower()
    if output_format == "json":
        got = sorted(f["line"] for f in json.loads(out.getvalue())["findings"])
        assert got == [2, 8, 9, 13, 17]


def test_a_line_reached_through_several_chains_and_services_is_reported_once(
    tmp_path: Path,
) -> None:
    root = write_tree(tmp_path / "p", {
        "compose.yaml": "x-env: &env\n  POSTGRES_PASSWORD: Pg4-shop-k22\nservices:\n"
                        "  db:\n    image: postgres:16\n    environment: *env\n"
                        "  replica:\n    image: postgres:16\n    environment: *env\n",
        "compose.prod.yaml": "services:\n  db:\n    restart: always\n",
        "compose.staging.yaml": "services:\n  db:\n    restart: always\n",
    })
    assert lines(hardcoded_database_credential, root) == [("compose.yaml", 2)]


def test_a_literal_in_an_included_file_is_reported_there(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "compose.yaml": "include:\n  - db/compose.db.yaml\nservices:\n  app:\n    image: app\n",
        "db/compose.db.yaml": "services:\n  db:\n    image: mysql:8.4\n    environment:\n"
                              "      MYSQL_ROOT_PASSWORD: Rt7-shop-x91\n",
    })
    assert lines(hardcoded_database_credential, root) == [("db/compose.db.yaml", 5)]


def test_values_from_env_files_and_dotenv_are_not_this_rules_business(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "compose.yaml": "services:\n  db:\n    image: postgres:16\n    env_file: [db.env]\n"
                        "    environment:\n      POSTGRES_USER: shop\n"
                        "  cache:\n    image: bitnami/redis:7\n    environment:\n"
                        "      REDIS_PASSWORD: ${REDIS_PASSWORD}\n",
        "db.env": "POSTGRES_PASSWORD=postgres\nPOSTGRES_HOST_AUTH_METHOD=trust\n",
        ".env": "REDIS_PASSWORD=literal-in-dotenv\n",
    })
    assert findings(hardcoded_database_credential, root) == []


@pytest.mark.parametrize(("value", "reported"), [
    ("neo4j/letmein", False),  # a known default, and the store publishes no port
    ("neo4j/Gr4ph-shop-w8", True),
    ("neo4j/${NEO4J_PASSWORD}", False),
    ("${NEO4J_AUTH}", False),
    ("${NEO4J_AUTH:-neo4j/Gr4ph-shop-w8}", True),
    ("none", True),
])
def test_neo4j_auth_is_judged_on_its_password_part(
    tmp_path: Path, value: str, reported: bool
) -> None:
    root = write_tree(tmp_path / "p", {
        "compose.yaml": f"services:\n  graph:\n    image: neo4j:5\n    environment:\n"
                        f"      NEO4J_AUTH: {value}\n",
    })
    got = findings(hardcoded_database_credential, root)
    assert [line for _, line, _ in got] == ([5] if reported else [])
    assert all("letmein" not in message and "Gr4ph" not in message for _, _, message in got)


@pytest.mark.parametrize(("image", "variable", "value", "reported"), [
    ("bitnami/postgresql:16", "ALLOW_EMPTY_PASSWORD", "yes", True),
    ("bitnami/postgresql:16", "ALLOW_EMPTY_PASSWORD", "no", False),
    ("bitnami/redis:7", "ALLOW_EMPTY_PASSWORD", "yes", False),
    ("mariadb:11", "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "1", True),
    ("mariadb:11", "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", '""', False),
    ("mysql:8.4", "MYSQL_ALLOW_EMPTY_PASSWORD", "${ALLOW_EMPTY:-yes}", True),
    ("mysql:8.4", "MYSQL_ALLOW_EMPTY_PASSWORD", "${ALLOW_EMPTY}", False),
    ("postgres:16", "POSTGRES_HOST_AUTH_METHOD", "scram-sha-256", False),
    ("postgres:16", "POSTGRES_HOST_AUTH_METHOD", "trust", True),
])
def test_settings_that_turn_authentication_off(
    tmp_path: Path, image: str, variable: str, value: str, reported: bool
) -> None:
    root = write_tree(tmp_path / "p", {
        "compose.yaml": f"services:\n  db:\n    image: {image}\n    environment:\n"
                        f"      {variable}: {value}\n",
    })
    assert len(findings(hardcoded_database_credential, root)) == int(reported)


def test_the_fallback_message_names_the_variable_to_set(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "compose.yaml": "services:\n  db:\n    image: postgres:16\n    environment:\n"
                        "      POSTGRES_PASSWORD: ${DB_PASSWORD:-Pg4-shop-k22}\n",
    })
    [(_, _, message)] = findings(hardcoded_database_credential, root)
    assert "falls back" in message and "DB_PASSWORD" in message and "Pg4" not in message


@pytest.mark.parametrize(("text", "literal", "fallback", "names"), [
    ("root", True, False, ()),
    ("", False, False, ()),
    ("${A}", False, False, ("A",)),
    ("${A:?set A}", False, False, ("A",)),
    ("${A:-x}", False, True, ("A",)),
    ("${A-x}", False, True, ("A",)),
    ("${A:-${B:-x}}", False, True, ("A", "B")),
    ("x${A}", True, False, ("A",)),
    ("pa$$word", True, False, ()),
    ("${A}${B}", False, False, ("A", "B")),
    ("${", True, False, ()),
])
def test_judging_written_text(
    text: str, literal: bool, fallback: bool, names: tuple[str, ...]
) -> None:
    judged = _judge_text(text)
    assert (judged.literal, judged.fallback, judged.variables) == (literal, fallback, names)


# -- CG502 -------------------------------------------------------------------------------------


def port_project(tmp_path: Path, image: str, *items: str, name: str = "compose.yaml") -> Path:
    body = "".join(f"      - {item}\n" for item in items)
    return write_tree(tmp_path / "p", {
        name: f"services:\n  db:\n    image: {image}\n    ports:\n{body}",
    })


@pytest.mark.parametrize(("image", "item", "reported"), [
    ("postgres:16", '"5430-5435:5430-5435"', True),
    ("postgres:16", '"5433-5440:5433-5440"', False),
    ("postgres:16", '"5432:5432/udp"', False),
    ("postgres:16", '"5432:5432/tcp"', True),
    ("postgres:16", '"10.0.0.5:5432:5432"', False),
    ("postgres:16", '"127.0.0.53:5432:5432"', False),
    ("postgres:16", '"0.0.0.0:5432:5432"', True),
    ("postgres:16", '"::1:5432:5432"', False),
    ("postgres:16", "{target: 5432, host_ip: 0.0.0.0}", True),
    ("postgres:16", "{target: 5432, host_ip: '::1'}", False),
    ("postgres:16", "5432", True),
    ("minio/minio", '"9000:9000"', True),
    ("minio/minio", '"127.0.0.1:9001:9001"', False),
    ("rabbitmq:3-management", '"15672:15672"', False),
    ("elasticsearch:8.15.0", '"9200:9200"', True),
    ("${DB_IMAGE}", '"5432:5432"', False),
    ("postgres:16", "{published: 5432}", False),
    ("postgres:16", "true", False),
    ("postgres:16", "null", False),
    ("postgres:16", '"abc:def"', False),
])
def test_which_port_entries_are_reported(
    tmp_path: Path, image: str, item: str, reported: bool
) -> None:
    root = port_project(tmp_path, image, item)
    assert lines(database_port_published, root) == ([("compose.yaml", 5)] if reported else [])


def test_published_in_dev_and_test_files_is_fine(tmp_path: Path) -> None:
    for name in ("compose.dev.yaml", "docker-compose.test.yml", "compose.local.yaml"):
        root = port_project(tmp_path / name, "mysql:8.4", '"3306:3306"', name=name)
        assert lines(database_port_published, root) == []


def test_the_message_suggests_the_loopback_form_of_the_same_mapping(tmp_path: Path) -> None:
    root = port_project(tmp_path, "postgres:16", '"0.0.0.0:15432:5432"')
    [(_, _, message)] = findings(database_port_published, root)
    assert "`127.0.0.1:15432:5432`" in message and "5432" in message


PORT_SPECS = (
    "3306", "[::]:5432:5432", "::1:5433:5432", "127.0.0.1::3307", "3300-3301:3300-3301",
    "5435:5432/udp", "0.0.0.0:5436:5432", "3302-3303", ":5437:5432",
)


def test_short_syntax_is_split_as_compose_splits_it(tmp_path: Path) -> None:
    """Each spec, as ``docker compose config`` normalises it: host IP, target ports, protocol."""
    for index, spec in enumerate(PORT_SPECS):
        single = write_tree(tmp_path / f"s{index}", {
            "compose.yaml": f'services:\n  db:\n    image: postgres:16\n    ports:\n      - "{spec}"\n',
        })
        done = subprocess.run([str(compose_binary()), "config", "--format", "json"], cwd=single,
                              capture_output=True, text=True, timeout=60, check=True)
        expected = json.loads(done.stdout)["services"]["db"]["ports"]
        mine = parse_port(Node(spec, None))  # type: ignore[arg-type]
        assert mine is not None, spec
        assert {e.get("host_ip", "") for e in expected} == {mine.host_ip}, spec
        assert sorted(e["target"] for e in expected) == list(mine.targets), spec
        assert {e["protocol"] for e in expected} == {mine.protocol}, spec


def test_ports_are_judged_in_each_production_chain_and_reported_once(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "compose.yaml": "services:\n  db:\n    image: postgres:16\n    ports:\n"
                        "      - \"5432:5432\"\n",
        "compose.prod.yaml": "services:\n  db:\n    ports:\n      - \"6432:5432\"\n",
        "compose.staging.yaml": "services:\n  db:\n    restart: always\n",
        "compose.override.yaml": "services:\n  db:\n    ports:\n      - \"7432:5432\"\n",
    })
    assert lines(database_port_published, root) == [("compose.prod.yaml", 4), ("compose.yaml", 5)]
