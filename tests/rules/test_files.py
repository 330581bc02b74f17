"""CG0xx beyond their own examples: agreement with the real Compose binary, the corpus, and the
edges (unparsable files, model problems, empty files)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from composeguard.lint.engine.selection import Selection
from composeguard.lint.model.compose import ComposeModel, Environment
from composeguard.lint.parse.location import Location
from composeguard.lint.parse.nodes import Node
from composeguard.lint.project import Project
from composeguard.runner import run

from ..conftest import CORPUS, write_tree
from ..tools import compose_binary


def compose_accepts(root: Path, chain: tuple[str, ...]) -> tuple[bool, str]:
    args = [str(compose_binary())]
    for name in chain:
        args += ["-f", str(root / name)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "DOCKER_"))}
    done = subprocess.run([*args, "config", "-q"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    return done.returncode == 0, done.stderr


def findings(root: Path, code: str) -> list[str]:
    result = run(Project([root]), Selection(select=(code,)))
    assert not result.errors
    return [f"{f.location.path.name}:{f.location.line} {f.text}" for f in result.findings]


BASE = "services:\n  db:\n    image: mysql\n"

# (title, files, -f chain, Compose refuses it). Only what the schema or the empty-file check
# decides: no missing images, networks or env files (other rules' or nobody's territory).
SCHEMA_CASES: list[tuple[str, Mapping[str, str], tuple[str, ...], bool]] = [
    ("unknown top-level key", {"compose.yaml": BASE + "foo: 1\n"}, ("compose.yaml",), True),
    ("top-level x_ key", {"compose.yaml": BASE + "x_foo: 1\n"}, ("compose.yaml",), True),
    ("unknown service key", {"compose.yaml": BASE + "    imagee: x\n"}, ("compose.yaml",), True),
    ("misplaced resources", {"compose.yaml": BASE + "    resources: {}\n"}, ("compose.yaml",),
     True),
    ("volume item of wrong type", {"compose.yaml": BASE + "    volumes:\n      - 123\n"},
     ("compose.yaml",), True),
    ("version is a number", {"compose.yaml": "version: 3\n" + BASE}, ("compose.yaml",), True),
    ("restart is a number", {"compose.yaml": BASE + "    restart: 1\n"}, ("compose.yaml",), True),
    ("service is null", {"compose.yaml": "services:\n  db:\n"}, ("compose.yaml",), True),
    ("services is a list", {"compose.yaml": "services:\n  - db\n"}, ("compose.yaml",), True),
    ("invalid service name", {"compose.yaml": "services:\n  'd b':\n    image: x\n"},
     ("compose.yaml",), True),
    ("ports is a scalar", {"compose.yaml": BASE + "    ports: 3306\n"}, ("compose.yaml",), True),
    ("environment is a number", {"compose.yaml": BASE + "    environment: 5\n"},
     ("compose.yaml",), True),
    ("bad depends_on condition",
     {"compose.yaml": BASE + "  app:\n    image: x\n    depends_on:\n      db:\n"
                             "        condition: bogus\n"}, ("compose.yaml",), True),
    ("unknown healthcheck key", {"compose.yaml": BASE + "    healthcheck:\n      intervall: 1s\n"},
     ("compose.yaml",), True),
    ("unknown deploy key", {"compose.yaml": BASE + "    deploy:\n      replica: 2\n"},
     ("compose.yaml",), True),
    ("long volume syntax without type",
     {"compose.yaml": BASE + "    volumes:\n      - target: /x\n"}, ("compose.yaml",), True),
    ("top-level networks is null", {"compose.yaml": BASE + "networks:\n"}, ("compose.yaml",),
     True),
    ("root is a list", {"compose.yaml": "- a\n"}, ("compose.yaml",), True),
    ("!override keeps a wrong type", {"compose.yaml": BASE + "    ports: !override 12\n"},
     ("compose.yaml",), True),
    ("unknown key through a merge key",
     {"compose.yaml": "x-b: &b\n  imagee: x\nservices:\n  db:\n    <<: *b\n    image: x\n"},
     ("compose.yaml",), True),
    ("literal $$ is validated", {"compose.yaml": BASE + "    pull_policy: $$bogus\n"},
     ("compose.yaml",), True),
    ("empty base file", {"compose.yaml": ""}, ("compose.yaml",), True),
    ("comments-only base file", {"compose.yaml": "# nothing yet\n"}, ("compose.yaml",), True),
    ("invalid override",
     {"compose.yaml": BASE, "compose.override.yaml": "services:\n  db:\n    port: [80]\n"},
     ("compose.yaml", "compose.override.yaml"), True),
    ("extends a missing service",
     {"compose.yaml": BASE + "    extends:\n      service: base\n"}, ("compose.yaml",), True),
    ("include of a missing file", {"compose.yaml": "include:\n  - other.yaml\n" + BASE},
     ("compose.yaml",), True),
    ("minimal", {"compose.yaml": BASE}, ("compose.yaml",), False),
    ("obsolete version key", {"compose.yaml": "version: '3.8'\n" + BASE}, ("compose.yaml",), False),
    ("extension keys and anchors",
     {"compose.yaml": "x-common: &c\n  restart: always\nservices:\n  db:\n    <<: *c\n"
                      "    image: mysql\n    x-note: kept\n"}, ("compose.yaml",), False),
    ("override without image",
     {"compose.yaml": BASE, "compose.override.yaml": "services:\n  db:\n    environment:\n"
                                                    "      A: b\n"},
     ("compose.yaml", "compose.override.yaml"), False),
    ("!reset and !override",
     {"compose.yaml": BASE + "    ports: ['3306:3306']\n",
      "compose.prod.yaml": "services:\n  db:\n    ports: !reset []\n    healthcheck: !reset 12\n"
                           "    environment: !override\n      A: b\n"},
     ("compose.yaml", "compose.prod.yaml"), False),
    ("interpolation with defaults",
     {"compose.yaml": BASE + "    ports: ['${PORT:-3306}:3306']\n    cpu_count: ${CPUS:-2}\n"
                             "    pull_policy: ${PULL:-always}\n"}, ("compose.yaml",), False),
    ("name only", {"compose.yaml": "name: demo\n"}, ("compose.yaml",), False),
    ("no services", {"compose.yaml": "services: {}\n"}, ("compose.yaml",), False),
    ("null values Compose accepts",
     {"compose.yaml": BASE + "    restart: no\n    environment:\n      EMPTY:\nvolumes:\n  data:\n"
                             "networks:\n  edge:\n    external: true\n"}, ("compose.yaml",), False),
    ("long volume syntax",
     {"compose.yaml": BASE + "    volumes:\n      - type: volume\n        source: data\n"
                             "        target: /var/lib/mysql\n        volume:\n"
                             "          nocopy: true\nvolumes:\n  data:\n"}, ("compose.yaml",), False),
    ("literal $$ in a command", {"compose.yaml": BASE + "    command: echo $$HOME\n"},
     ("compose.yaml",), False),
    ("empty override next to a base", {"compose.yaml": BASE, "compose.override.yaml": ""},
     ("compose.yaml", "compose.override.yaml"), False),
]


@pytest.mark.parametrize(("title", "files", "chain", "refused"), SCHEMA_CASES,
                         ids=[c[0] for c in SCHEMA_CASES])
def test_cg002_agrees_with_docker_compose_config(
    title: str, files: Mapping[str, str], chain: tuple[str, ...], refused: bool, tmp_path: Path
) -> None:
    root = write_tree(tmp_path / "project", files)
    accepted, stderr = compose_accepts(root, chain)
    assert accepted is not refused, f"docker compose {'accepted' if accepted else stderr!r}"
    reported = findings(root, "CG002")
    assert bool(reported) is refused, reported


VOLUME_CASES: list[tuple[str, Mapping[str, str], tuple[str, ...], bool]] = [
    ("undeclared named volume",
     {"compose.yaml": BASE + "    volumes:\n      - data:/var/lib/mysql\n"}, ("compose.yaml",), True),
    ("undeclared long syntax",
     {"compose.yaml": BASE + "    volumes:\n      - type: volume\n        source: data\n"
                             "        target: /var/lib/mysql\n"}, ("compose.yaml",), True),
    ("declared in the base, used in the override",
     {"compose.yaml": BASE + "volumes:\n  data:\n",
      "compose.override.yaml": "services:\n  db:\n    volumes:\n      - data:/var/lib/mysql\n"},
     ("compose.yaml", "compose.override.yaml"), False),
    ("external volume",
     {"compose.yaml": BASE + "    volumes:\n      - data:/var/lib/mysql\nvolumes:\n  data:\n"
                             "    external: true\n"}, ("compose.yaml",), False),
    ("binds, anonymous, tmpfs",
     {"compose.yaml": BASE + "    volumes:\n      - ./data:/var/lib/mysql\n      - /cache\n"
                             "      - ~/x:/x\n      - type: bind\n        source: /srv\n"
                             "        target: /srv\n      - type: tmpfs\n        target: /t\n"
                             "    tmpfs: /tmp\n"}, ("compose.yaml",), False),
]


@pytest.mark.parametrize(("title", "files", "chain", "refused"), VOLUME_CASES,
                         ids=[c[0] for c in VOLUME_CASES])
def test_cg003_agrees_with_docker_compose_config(
    title: str, files: Mapping[str, str], chain: tuple[str, ...], refused: bool, tmp_path: Path
) -> None:
    root = write_tree(tmp_path / "project", files)
    accepted, stderr = compose_accepts(root, chain)
    assert accepted is not refused, f"docker compose {'accepted' if accepted else stderr!r}"
    if refused:
        assert "undefined volume" in stderr
    assert bool(findings(root, "CG003")) is refused


def test_cg002_leaves_unparsable_files_to_cg001(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"compose.yaml": "services:\n  db:\n    image: [mysql\n",
                                       "compose.prod.yaml": "services:\n  db: {port: 1}\n"})
    assert [f.split(" ")[0] for f in findings(root, "CG002")] == ["compose.prod.yaml:2"]


def test_cg002_messages_name_the_key_and_service(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"compose.yaml": BASE + "    imagee: x\n"})
    assert [f.split(": ")[0] for f in findings(root, "CG002")] == [
        "compose.yaml:4 unknown key 'imagee' in service 'db' (not in the Compose specification)"
    ]
    assert ": did you mean 'image'?; Compose refuses" in findings(root, "CG002")[0]


def test_cg002_reports_model_problems_once(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"compose.yaml": BASE, "compose.prod.yaml": BASE})
    project = Project([root])
    where = Location(root / "compose.yaml", 3, 5)
    node = Node({}, Location(root / "compose.yaml"))
    problem = ((where, "extends: service 'base' not found in compose.yaml"),)
    project.__dict__["models"] = (
        ComposeModel(project.compose_files[:1], Environment.PRODUCTION, node, problems=problem),
        ComposeModel(project.compose_files, Environment.PRODUCTION, node, problems=problem),
    )
    result = run(project, Selection(select=("CG002",)))
    assert [(f.location, f.message) for f in result.findings] == list(problem)


def test_cg003_message_and_location(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"compose.yaml": BASE + "    volumes:\n"
                                                             "      - dbdata:/var/lib/mysql\n"})
    assert findings(root, "CG003") == [
        ("compose.yaml:5 named volume 'dbdata' is not declared: add `dbdata:` under the top-level "
        "`volumes:` (Compose refuses to start a service that mounts an undeclared volume)")
    ]


def test_cg003_does_not_judge_interpolated_sources(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"compose.yaml": BASE + "    volumes:\n"
                                                             "      - ${VOL:-data}:/var/lib/mysql\n"
                                                             "      - data_${ENV}:/x\n"})
    assert findings(root, "CG003") == []


@pytest.mark.skipif(not (CORPUS / "real").is_dir(), reason="shared corpus not available")
def test_cg003_on_the_real_corpus_finds_only_what_compose_refuses() -> None:
    real = CORPUS / "real"
    found = set()
    for project_root in sorted(p for p in real.iterdir() if p.is_dir()):
        for f in run(Project([project_root]), Selection(select=("CG003",))).findings:
            found.add((f.location.path.relative_to(real).as_posix(), f.location.line))
    # yourls: `db:/var/lib/mysql` with no top-level volumes; `docker compose config` says
    # 'service "mysql" refers to undefined volume db'.
    assert found == {("docker-library__docs/yourls/compose.yaml", 22)}
