"""A real Docker engine for the tests marked ``engine``.

The engine is the one ``DOCKER_HOST`` names (``.ci/run`` starts Debian's ``dockerd`` and sets
it), else ``/var/run/docker.sock``. The database images are built from Debian's packages by
``tests/engine/build-images.sh`` once per machine (the root file system is cached). Outside CI
the tests skip with one line when no engine is reachable; under ``CI=true`` that is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ..tools import compose_binary

HERE = Path(__file__).resolve().parent


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"engine tests need a Docker engine under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment a ``docker compose`` command of the tests runs with."""
    docker = shutil.which("docker")
    if docker is None:
        _unavailable("no docker client on PATH (Debian's docker.io package has one)")
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    config = tmp_path_factory.mktemp("docker-config")
    (config / "cli-plugins").mkdir()
    (config / "cli-plugins" / "docker-compose").symlink_to(compose_binary())
    env = {**os.environ, "DOCKER_HOST": host, "DOCKER_CONFIG": str(config)}
    ping = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    if ping.returncode != 0:
        _unavailable(f"no Docker engine answers at {host}")
    if shutil.which("mmdebstrap") is None:
        _unavailable("mmdebstrap is missing: it builds the database images from Debian's packages")
    built = subprocess.run([str(HERE / "build-images.sh")], env=env, capture_output=True,
                           text=True, timeout=1800, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    return env
