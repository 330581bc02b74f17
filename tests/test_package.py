"""The package as it would be published: `python -m build` makes an sdist and a wheel that
`twine check` passes, the wheel installs into a fresh environment and runs there, and the
sdist carries what its tests need."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("src") / "composeguard"
    # build from a clean copy of the tracked files, as a release would
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (REPO / name).is_file():
            target.write_bytes((REPO / name).read_bytes())
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(source)],
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_twine_check_passes(dist: Path) -> None:
    built = sorted(dist.iterdir())
    assert sorted(p.suffix for p in built) == [".gz", ".whl"]
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, built)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_sdist_carries_the_license_and_the_tests_fixtures(dist: Path) -> None:
    [sdist] = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"} <= names
    assert any(n.startswith("tests/fixtures/") for n in names)
    assert any(n.startswith("tests/snapshots/") for n in names)
    assert any(n.startswith("examples/laravel-shop/") for n in names)
    assert not any("__pycache__" in n for n in names)


INSTALLED = frozenset({
    "click", "ruamel.yaml", "pyyaml", "tree-sitter", "tree-sitter-php", "tree-sitter-javascript",
    "tree-sitter-typescript", "tree-sitter-bash", "libcst", "python-dotenv", "pathspec",
    "jsonschema-rs", "javaproperties", "markdown-it-py", "mdurl", "sqlparse"})
"""Every distribution a clean install pulls besides composeguard (the README gives the count)."""


def test_the_wheel_installs_and_runs_in_a_fresh_environment(dist: Path, tmp_path: Path) -> None:
    [wheel] = dist.glob("*.whl")
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    exe = env_dir / "bin" / "composeguard"
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True,
                             check=True)
    from composeguard import __version__

    assert __version__ in version.stdout
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    checked = subprocess.run([str(exe), "check", "--no-cache", "--no-color",
                              str(REPO / "examples" / "laravel-shop")], capture_output=True,
                             text=True, timeout=300, check=False, env=env, cwd=tmp_path)
    assert checked.returncode == 1, checked.stderr
    assert "Found 15 problems" in checked.stdout
    probe = ("import importlib.resources as r; "
             "print(r.files('composeguard').joinpath('composeguard.schema.json').is_file())")
    schema = subprocess.run([str(python), "-c", probe],
                            capture_output=True, text=True, check=True, env=env, cwd=tmp_path)
    assert schema.stdout.strip() == "True"
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format", "json"],
                            capture_output=True, text=True, check=True, env=env, cwd=tmp_path)
    installed = {item["name"].lower().replace("_", "-") for item in json.loads(listed.stdout)}
    # one parser per language, one schema validator, the compose schema shipped in the package
    assert not installed & {"bashlex", "check-jsonschema", "jsonschema"}, installed
    pulled = installed - {"pip", "setuptools", "composeguard"}
    assert pulled == INSTALLED, "a dependency changed: update INSTALLED and the README's count"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"composeguard and {len(pulled)} packages" in readme
