"""The CG101/CG102 volume fixes, through the whole engine, on realistic compose files."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from composeguard.fix.apply.plan import FixPlan, plan_fixes
from composeguard.fix.write import write_changes
from composeguard.lint.engine.selection import Selection
from composeguard.lint.project import Project
from composeguard.runner import run

from ..conftest import built
from .compose_binary import compose_config

ProjectDir = Callable[..., Path]
VOLUME_RULES = Selection(select=("CG101", "CG102"))

REALISTIC = """\
# Production stack of the shop
x-logging: &logging
    driver: json-file
    options: {max-size: "10m", max-file: '3'}

services:
    web:
        image: "nginx:1.27"   # the front
        ports: ["80:80", '443:443']
        logging: *logging
        volumes:
            - ./public:/usr/share/nginx/html:ro

    db:
        image: 'mysql:8.4'
        environment:
            MYSQL_DATABASE: shop   # the app's schema
            MYSQL_ROOT_PASSWORD: ${DB_ROOT_PASSWORD:?set it}
        logging: *logging

    cache:
        image: redis:7
        command: ["redis-server", "--appendonly", "yes"]
        volumes: [ "./redis.conf:/usr/local/etc/redis/redis.conf:ro" ]

volumes:
    # kept across deploys
    uploads: {}
"""

REALISTIC_FIXED = """\
# Production stack of the shop
x-logging: &logging
    driver: json-file
    options: {max-size: "10m", max-file: '3'}

services:
    web:
        image: "nginx:1.27"   # the front
        ports: ["80:80", '443:443']
        logging: *logging
        volumes:
            - ./public:/usr/share/nginx/html:ro

    db:
        image: 'mysql:8.4'
        environment:
            MYSQL_DATABASE: shop   # the app's schema
            MYSQL_ROOT_PASSWORD: ${DB_ROOT_PASSWORD:?set it}
        logging: *logging
        volumes:
            - mysql_data:/var/lib/mysql

    cache:
        image: redis:7
        command: ["redis-server", "--appendonly", "yes"]
        volumes: [ "./redis.conf:/usr/local/etc/redis/redis.conf:ro", "redis_data:/data" ]

volumes:
    # kept across deploys
    uploads: {}
    mysql_data:
    redis_data:
"""


def fix(root: Path, selection: Selection = VOLUME_RULES, *, unsafe: bool = True) -> FixPlan:
    plan = plan_fixes([root], selection=selection, unsafe=unsafe)
    results = write_changes(plan.changes, [root])
    assert all(r.written for r in results), results
    return plan


def check(root: Path, selection: Selection = VOLUME_RULES) -> list[tuple[str, str, int]]:
    result = run(Project([root]), selection)
    assert not result.errors
    return [(f.code, f.location.path.name, f.location.line) for f in result.findings]


def differences(before: str, after: str) -> list[tuple[list[str], list[str]]]:
    """Each place where the lines differ: (lines of ``before``, lines of ``after``)."""
    a, b = before.splitlines(True), after.splitlines(True)
    return [(a[i1:i2], b[j1:j2]) for op, i1, i2, j1, j2
            in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes() if op != "equal"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_realistic_file_changes_only_the_intended_lines(project_dir: ProjectDir,
                                                         newline: str) -> None:
    root = project_dir({".env": "DB_ROOT_PASSWORD=from-the-environment\n"})
    compose = root / "compose.yaml"
    compose.write_bytes(REALISTIC.replace("\n", newline).encode())
    plan = fix(root)
    assert [(f.code, f.safe) for f in plan.applied] == [("CG101", False), ("CG101", False)]
    after = compose.read_bytes().decode()
    assert after == REALISTIC_FIXED.replace("\n", newline)
    n = newline
    assert differences(REALISTIC.replace("\n", n), after) == [
        ([], [f"        volumes:{n}", f"            - mysql_data:/var/lib/mysql{n}"]),
        ([f'        volumes: [ "./redis.conf:/usr/local/etc/redis/redis.conf:ro" ]{n}'],
         [('        volumes: [ "./redis.conf:/usr/local/etc/redis/redis.conf:ro", '
           f'"redis_data:/data" ]{n}')]),
        ([], [f"    mysql_data:{n}", f"    redis_data:{n}"]),
    ]
    assert check(root) == []
    assert compose_config([compose], root) == (True, "")
    assert plan_fixes([root], selection=VOLUME_RULES, unsafe=True).changes == ()


def test_unsafe_fixes_wait_for_the_flag(project_dir: ProjectDir) -> None:
    root = project_dir({"compose.yaml": REALISTIC})
    plan = plan_fixes([root], selection=VOLUME_RULES)
    assert plan.changes == ()
    assert [f.code for f in plan.unsafe_left] == ["CG101", "CG101"]
    assert (root / "compose.yaml").read_text() == REALISTIC


def test_names_avoid_clashes_and_shared_stores(project_dir: ProjectDir) -> None:
    root = project_dir({
        "compose.yaml": "services:\n  main:\n    image: postgres:16\n"
                        "  reports:\n    image: postgres:16\n"
                        "  documents:\n    image: mongo:7\n",
        # a test setup of the same directory shares Compose's project name and its volumes
        "compose.test.yaml": "services:\n  documents:\n    image: mongo:7\n    volumes:\n"
                             "      - mongo_data:/data/db\n"
                             "volumes:\n  mongo_data:\n",
    })
    fix(root)
    text = (root / "compose.yaml").read_text()
    assert "- main_data:/var/lib/postgresql/data" in text
    assert "- reports_data:/var/lib/postgresql/data" in text
    assert "- documents_data:/data/db" in text
    assert "mongo_data" not in text
    assert check(root) == []
    assert compose_config([root / "compose.yaml"], root) == (True, "")


def test_a_refused_postgres_18_volume_is_never_moved_and_a_shadowed_one_is(
        project_dir: ProjectDir) -> None:
    root = project_dir({"compose.yaml": (
        "services:\n  db:\n    image: postgres:18\n    volumes:\n"
        "      - \"pg:/var/lib/postgresql/data\"  # data\n"
        "  old:\n    image: postgres:16\n    volumes:\n      - type: volume\n"
        "        source: old\n        target: /var/lib/postgresql\n"
        "volumes:\n  pg:\n  old:\n")})
    before = (root / "compose.yaml").read_text()
    plan = fix(root)
    # 18 refuses pg's data, which an older major wrote: at /var/lib/postgresql it would start
    # an empty cluster, so only the shadowed 16 volume moves
    assert [f.description.split(";")[0] for f in plan.applied] == [
        "move the volume of service 'old' from /var/lib/postgresql to /var/lib/postgresql/data",
    ]
    after = (root / "compose.yaml").read_text()
    assert [line for line in after.splitlines() if line not in before.splitlines()] == [
        "        target: /var/lib/postgresql/data",
    ]
    assert [(f[0], f[2]) for f in check(root)] == [("CG101", 5)]
    assert compose_config([root / "compose.yaml"], root) == (True, "")


def test_a_bind_mounted_cluster_pins_the_major_that_wrote_it(project_dir: ProjectDir) -> None:
    root = project_dir({
        "compose.yaml": "services:\n  db:\n    image: postgres\n    environment:\n"
                        "      PGDATA: /var/lib/postgresql/data/pgdata\n    volumes:\n"
                        "      - ./data:/var/lib/postgresql/data\n",
        "data/pgdata/PG_VERSION": "16\n",
    })
    pinning = Selection(select=("CG101", "CG102", "CG106"))
    plan = fix(root, pinning)
    assert [f.description.split(",")[0] for f in plan.applied] == [
        "pin service 'db' to `postgres:16`"]
    assert "    image: postgres:16\n" in (root / "compose.yaml").read_text()
    assert (root / "data" / "pgdata" / "PG_VERSION").read_text() == "16\n"
    assert [f[0] for f in check(root, pinning)] == []
    assert compose_config([root / "compose.yaml"], root) == (True, "")


def test_anonymous_volume_is_named_short_and_long_syntax(project_dir: ProjectDir) -> None:
    root = project_dir({"docker-compose.yml": (
        "x-db: &db\n  image: mysql:8\n  volumes:\n    - /var/lib/mysql\n"
        "services:\n  db:\n    <<: *db\n"
        "  search:\n    image: postgres:16\n    volumes:\n      - type: volume\n"
        "        target: /var/lib/postgresql/data\n"
        "  app:\n    image: php:8\n    volumes:\n      - /var/cache/app\n")})
    before = (root / "docker-compose.yml").read_text()
    plan = fix(root)
    assert [f.code for f in plan.applied] == ["CG102", "CG102"]
    after = (root / "docker-compose.yml").read_text()
    assert "    - mysql_data:/var/lib/mysql\n" in after
    assert "        source: postgres_data\n" in after
    assert after.endswith("volumes:\n  mysql_data:\n  postgres_data:\n")
    assert "      - /var/cache/app\n" in after  # not at a data directory: left as is
    assert differences(before, after) == [
        (["    - /var/lib/mysql\n"], ["    - mysql_data:/var/lib/mysql\n"]),
        ([], ["        source: postgres_data\n"]),
        ([], ["volumes:\n", "  mysql_data:\n", "  postgres_data:\n"]),
    ]
    assert check(root) == [("CG102", "docker-compose.yml", 17)]
    assert compose_config([root / "docker-compose.yml"], root) == (True, "")


def test_anchor_shared_by_two_databases_is_not_fixed(project_dir: ProjectDir) -> None:
    text = ("x-db: &db\n  image: mysql:8\n  volumes:\n    - /var/lib/mysql\n"
            "services:\n  a:\n    <<: *db\n  b:\n    <<: *db\n")
    root = project_dir({"compose.yaml": text})
    plan = plan_fixes([root], selection=VOLUME_RULES, unsafe=True)
    assert plan.changes == ()
    assert all(not built(f) for f in run(Project([root]), VOLUME_RULES).findings)


def test_a_reset_in_a_later_file_leaves_the_finding_unfixed(project_dir: ProjectDir) -> None:
    root = project_dir({
        "compose.yaml": "services:\n  db:\n    image: mysql:8\n    volumes:\n"
                        "      - db:/var/lib/mysql\nvolumes:\n  db:\n",
        "compose.prod.yaml": "services:\n  db:\n    volumes: !reset []\n",
    })
    plan = plan_fixes([root], selection=VOLUME_RULES, unsafe=True)
    assert plan.changes == ()
    assert check(root) == [("CG101", "compose.prod.yaml", 2)]


def test_base_and_override_both_fixed_consistently(project_dir: ProjectDir) -> None:
    files: Mapping[str, str] = {
        "compose.yaml": "services:\n  db:\n    image: mariadb:11\n",
        "compose.override.yaml": "services:\n  db:\n    ports:\n      - 127.0.0.1:3306:3306\n",
    }
    root = project_dir(files)
    fix(root)
    assert check(root) == []
    assert compose_config([root / "compose.yaml"], root) == (True, "")
    ok = compose_config([root / "compose.yaml", root / "compose.override.yaml"], root)
    assert ok == (True, "")
    assert "mariadb_data:/var/lib/mysql" in (root / "compose.yaml").read_text()


def test_suppressed_findings_are_not_fixed(project_dir: ProjectDir) -> None:
    text = ("services:\n  # composeguard: ignore[CG101] rebuilt from the database on start\n"
            "  cache:\n    image: redis:7\n  db:\n    image: mysql:8\n")
    root = project_dir({"compose.yaml": text})
    fix(root)
    after = (root / "compose.yaml").read_text()
    assert after == text.replace("    image: mysql:8\n", "    image: mysql:8\n    volumes:\n"
                                 "      - mysql_data:/var/lib/mysql\nvolumes:\n  mysql_data:\n")
