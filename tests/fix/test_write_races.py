"""`composeguard fix` as separate processes: two runs at once, and a write the OS refuses.

Both run the real command on a copy of the bundled example (a git repository, as a user's
checkout is) and compare every file with what one serial run writes.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import make_git_repo

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "laravel-shop"
FIX = [sys.executable, "-m", "composeguard", "fix", "--unsafe-fixes", "--scripts", "."]
ROUNDS = 4


def copy_example(where: Path) -> Path:
    shutil.copytree(EXAMPLE, where)
    return make_git_repo(where)


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts}


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = copy_example(tmp_path_factory.mktemp("serial") / "shop")
    done = subprocess.run(FIX, cwd=root, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    again = subprocess.run(FIX, cwd=root, capture_output=True, text=True, timeout=120,
                           check=False)
    assert again.returncode == 0 and "Nothing to fix." in again.stdout
    return snapshot(root)


def test_two_fix_runs_at_once_end_as_one_serial_run(tmp_path: Path,
                                                    serial: dict[str, bytes]) -> None:
    for round_ in range(ROUNDS):
        root = copy_example(tmp_path / f"round{round_}")
        runs = [subprocess.Popen(FIX, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for _ in range(2)]
        outcomes = [(run.wait(timeout=180), *run.communicate()) for run in runs]
        assert [code for code, _, _ in outcomes] == [0, 0], outcomes
        assert snapshot(root) == serial, f"round {round_}"
        # one run fixed everything, the other waited and found nothing left
        assert sorted("Nothing to fix." in out for _, out, _ in outcomes) == [False, True]


def test_a_write_the_system_refuses_leaves_every_file_of_that_fix_as_it_was(
        tmp_path: Path, serial: dict[str, bytes]) -> None:
    root = copy_example(tmp_path / "shop")
    before = snapshot(root)
    limit = 1200  # bytes: the new docker-compose.prod.yml (and config/database.php) are larger

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(FIX, cwd=root, capture_output=True, text=True, timeout=120,
                          check=False, preexec_fn=small_files)
    assert done.returncode == 1, done.stderr  # the README's status for a failed write
    assert "File too large" in done.stderr
    assert "Nothing to fix." not in done.stdout
    after = snapshot(root)
    # the split's group (every fix of docker-compose.yml) is not written at all ...
    assert after["docker-compose.yml"] == before["docker-compose.yml"]
    assert "docker-compose.dev.yml" not in after and "docker-compose.prod.yml" not in after
    assert after["config/database.php"] == before["config/database.php"]
    # ... while the small, independent fixes are
    assert after[".gitignore"] == serial[".gitignore"]
    assert not [name for name in after if name.endswith(".composeguard")]
    # and the next run, with room to write, offers and writes the whole split
    again = subprocess.run(FIX, cwd=root, capture_output=True, text=True, timeout=120,
                           check=False)
    assert again.returncode == 0, again.stderr
    assert snapshot(root) == serial
