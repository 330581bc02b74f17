"""Our effective model agrees with ``docker compose config`` on every model fixture.

For each ``tests/fixtures/model_*`` project and each ``-f`` chain our Project builds, the real
Compose v2 binary renders the project (with a clean environment, so only ``.env`` counts) and
each service's image, command, entrypoint, environment and mounts must match ours.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from composeguard.lint.model.compose import ComposeModel, MountKind, Service
from composeguard.lint.model.services import absolute_source
from composeguard.lint.parse.nodes import scalar_text
from composeguard.lint.project import Project

from ..conftest import FIXTURES
from ..tools import compose_binary

PROJECTS = sorted(p for p in FIXTURES.glob("model_*") if p.is_dir())


def _compose_config(binary: str, files: list[Path], project_dir: Path) -> dict[str, Any] | None:
    """Compose's rendering of ``files``, or None when Compose refuses them."""
    args = [binary]
    for f in files:
        args += ["-f", str(f)]
    args += ["--project-directory", str(project_dir), "config", "--format", "json"]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, check=False)
    try:
        return json.loads(done.stdout)
    except ValueError:
        return None


def _unescape(value: Any) -> Any:
    """``config`` writes a literal ``$`` as ``$$`` so its output can be loaded again."""
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, list):
        return [_unescape(v) for v in value]
    if isinstance(value, dict):
        return {k: _unescape(v) for k, v in value.items()}
    return value


def _compose_view(service: dict[str, Any]) -> dict[str, Any]:
    service = _unescape(service)
    volumes = sorted(
        ((v.get("type"), v.get("source") if v.get("type") in ("volume", "bind") else None,
          v.get("target").rstrip("/") or "/")
         for v in service.get("volumes") or []),
        key=repr,
    )
    return {
        "image": service.get("image"),
        "command": service.get("command"),
        "entrypoint": service.get("entrypoint"),
        "environment": service.get("environment") or {},
        "volumes": volumes,
        "tmpfs": sorted(t.split(":", 1)[0] for t in service.get("tmpfs") or []),
    }


def _our_view(service: Service, model: ComposeModel) -> dict[str, Any]:
    kinds = {MountKind.NAMED: "volume", MountKind.ANONYMOUS: "volume", MountKind.BIND: "bind",
             MountKind.TMPFS: "tmpfs"}
    tmpfs_key = service.get("tmpfs")
    tmpfs_locs = {item.loc for item in (tmpfs_key.value if tmpfs_key and tmpfs_key.is_list
                                        else [tmpfs_key] if tmpfs_key else [])}
    volumes, tmpfs = [], []
    for mount in service.mounts:
        if mount.kind is MountKind.TMPFS and mount.location in tmpfs_locs:
            tmpfs.append(mount.target)
            continue
        volumes.append((kinds.get(mount.kind, "other"), absolute_source(mount, model),
                        mount.target.rstrip("/") or "/"))
    environment = {k: None if v.value is None else scalar_text(v.value)
                   for k, v in service.environment.items()}
    return {
        "image": service.image,
        "command": service.argv("command"),
        "entrypoint": service.argv("entrypoint"),
        "environment": environment,
        "volumes": sorted(volumes, key=repr),
        "tmpfs": sorted(tmpfs),
    }


CASES = [
    pytest.param(project, id=project.name)
    for project in PROJECTS
    if not project.name.startswith("model_rejected_")
]


def test_there_are_enough_model_fixtures() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("project", CASES)
def test_model_agrees_with_compose(project: Path) -> None:
    binary = str(compose_binary())
    models = Project([project]).models
    assert models
    for model in models:
        files = [f.path for f in model.files]
        names = [f.name for f in files]
        assert not model.problems, (names, model.problems)
        rendered = _compose_config(binary, files, files[0].parent)
        assert rendered is not None, f"compose refused {names}"
        theirs = rendered.get("services") or {}
        assert sorted(model.services) == sorted(theirs), names
        for name, service in model.services.items():
            ours = _our_view(service, model)
            expected = _compose_view(theirs[name])
            assert ours == expected, f"{project.name} {names} service {name}"


@pytest.mark.parametrize(
    "project", [p for p in PROJECTS if p.name.startswith("model_rejected_")], ids=lambda p: p.name
)
def test_rejected_projects_are_problems_for_us_too(project: Path) -> None:
    """What Compose refuses, the model records (and never raises)."""
    models = Project([project]).models
    refused = [m for m in models if m.primary.path.parent == project]
    assert refused and any(m.problems for m in refused)
    binary = str(compose_binary())
    for model in refused:
        files = [f.path for f in model.files]
        rendered = _compose_config(binary, files, files[0].parent)
        assert (rendered is None) == bool(model.problems), [f.name for f in files]
