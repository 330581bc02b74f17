"""The result cache: a second identical ``check`` prints the same without checking, and any
change to what the first one read (a file, its existence, a folder, git, the configuration,
the options, the environment, composeguard's code) makes the next run check in full."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from composeguard.cli import main
from composeguard.lint import project
from composeguard.lint.engine import cache
from composeguard.lint.model import inputs

from .conftest import FIXTURES, make_git_repo, write_tree

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "laravel-shop"

APP = {
    "compose.yaml": "services:\n  app:\n    build: .\n    command: php artisan migrate --force\n"
                    "    depends_on: [db]\n  db:\n    image: mysql:8.0\n"
                    "    environment:\n      MYSQL_ROOT_PASSWORD: s3cr3t-Plant3d-Value\n",
    "artisan": "#!/usr/bin/env php\n<?php\n",
    "composer.json": '{"require": {"laravel/framework": "^10.0"}}',
    "app/Http/Controllers/HomeController.php": "<?php\nclass HomeController {}\n",
    "README.md": "# app\n",
}


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache on, in a folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.delenv("COMPOSEGUARD_NO_CACHE", raising=False)
    monkeypatch.setenv("COMPOSEGUARD_CACHE_DIR", str(folder))
    return folder


class Checks:
    """Counts the Projects built: a replayed result builds none."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = project.Project.__init__

        def counting(this: project.Project, *args: object, **kwargs: object) -> None:
            self.count += 1
            real(this, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(project.Project, "__init__", counting)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def full_run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run(capsys, "--no-cache", *args)


def project_in_git(root: Path, files: dict[str, str] | None = None) -> Path:
    write_tree(root, files or APP)
    return make_git_repo(root)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
                         + ["laravel-shop example"])
def test_a_replayed_result_is_the_full_run_exactly(
        name: str, tmp_path: Path, cached: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    source = EXAMPLE if name == "laravel-shop example" else FIXTURES / name
    root = tmp_path / "work" / source.name
    shutil.copytree(source, root, symlinks=True)
    make_git_repo(root)
    monkeypatch.chdir(root)
    expected = full_run(capsys, ".")
    checks = Checks(monkeypatch)
    assert run(capsys, ".") == expected  # records
    assert checks.count == 1
    assert run(capsys, ".") == expected  # replays
    assert checks.count == 1, "the second run checked again"


def test_a_result_is_replayed_until_an_input_changes(
        tmp_path: Path, cached: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    root = project_in_git(tmp_path / "app")
    monkeypatch.chdir(root)
    checks = Checks(monkeypatch)
    first = run(capsys, ".")
    assert run(capsys, ".") == first
    assert checks.count == 1
    # the same size, the old modification time: the change time still moved
    compose = root / "compose.yaml"
    before = compose.stat()
    compose.write_text(APP["compose.yaml"].replace("mysql:8.0", "mysql:8.4"), encoding="utf-8")
    os.utime(compose, ns=(before.st_atime_ns, before.st_mtime_ns))
    changed = run(capsys, ".")
    assert checks.count == 2
    assert changed == full_run(capsys, ".")


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


CHANGES = {
    "a file appears": lambda root: (root / "docker-compose.prod.yml").write_text(
        "services:\n  db:\n    image: mysql:8.0\n", encoding="utf-8"),
    "a file goes": lambda root: (root / "artisan").unlink(),
    "a file in a new folder": lambda root: write_tree(root, {
        "deploy/compose.yaml": "services:\n  pg:\n    image: postgres:16\n"}),
    "git tracks a database": lambda root: (
        (root / "db.sqlite").write_bytes(b"SQLite format 3\x00" + bytes(100)),
        _git(root, "add", "db.sqlite")),
    "an ignore file": lambda root: (root / ".gitignore").write_text("compose.yaml\n"),
    "a configuration file": lambda root: (root / ".composeguard.toml").write_text(
        'ignore = ["CG101"]\n', encoding="utf-8"),
    "an env file": lambda root: (root / ".env").write_text("APP_ENV=production\n"),
    # a file no run opened (git grep found nothing to parse in it) that gains a wipe
    "app code runs a wipe": lambda root: (root / "app/Http/Controllers/HomeController.php")
    .write_text("<?php\nclass HomeController {\n    public function reset() {\n"
                "        \\Artisan::call('migrate:fresh', ['--force' => true]);\n    }\n}\n"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_each_kind_of_change_makes_the_next_run_check_in_full(
        change: str, tmp_path: Path, cached: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    root = project_in_git(tmp_path / "app")
    monkeypatch.chdir(root)
    checks = Checks(monkeypatch)
    before = run(capsys, ".")
    run(capsys, ".")
    assert checks.count == 1
    CHANGES[change](root)
    after = run(capsys, ".")
    assert checks.count == 2, f"{change}: the result was replayed"
    assert after == full_run(capsys, ".")
    if change in ALTERING:
        assert after != before, change


ALTERING = {"a file appears", "a file in a new folder", "git tracks a database",
            "a configuration file", "app code runs a wipe"}
"""The changes that change the report (the others change only what it was read from)."""


@pytest.mark.parametrize("differs", ["options", "format", "environment", "directory", "code"])
def test_a_different_run_is_a_different_result(
        differs: str, tmp_path: Path, cached: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    root = project_in_git(tmp_path / "app")
    monkeypatch.chdir(root)
    checks = Checks(monkeypatch)
    run(capsys, ".")
    args = ["."]
    if differs == "options":
        args = ["--ignore", "CG101", "."]
    elif differs == "format":
        args = ["--format", "json", "."]
    elif differs == "environment":
        monkeypatch.setenv("FORCE_COLOR", "1")
    elif differs == "directory":
        monkeypatch.chdir(root.parent)
        args = ["app"]
    else:
        real = cache.code_fingerprint
        monkeypatch.setattr(cache, "code_fingerprint", lambda: [real(), "edited"])
    result = run(capsys, *args)
    assert checks.count == 2, differs
    assert result == full_run(capsys, *args)


def test_the_kept_result_holds_no_secret_and_only_the_owner_reads_it(
        tmp_path: Path, cached: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    root = project_in_git(tmp_path / "app")
    monkeypatch.chdir(root)
    run(capsys, ".")
    kept = list((cached / "results").glob("*.json"))
    assert len(kept) == 1
    text = kept[0].read_text(encoding="utf-8")
    assert "s3cr3t-Plant3d-Value" not in text
    assert json.loads(text)["digests"], "the files were just written: their content counts"
    assert kept[0].stat().st_mode & 0o077 == 0
    assert (cached / "results").stat().st_mode & 0o077 == 0
    assert (cached / "results" / "digest-key").stat().st_mode & 0o077 == 0


def test_content_is_compared_for_a_racily_clean_file(
        tmp_path: Path, cached: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A file rewritten within one tick of the clock keeps its stat: the digest decides."""
    root = project_in_git(tmp_path / "app")
    monkeypatch.chdir(root)
    run(capsys, ".")
    path = next((cached / "results").glob("*.json"))
    entry = json.loads(path.read_text(encoding="utf-8"))
    compose = str(root / "compose.yaml")
    assert any(p == compose for p, _ in entry["digests"])
    entry["digests"] = [[p, "0" * 40 if p == compose else d] for p, d in entry["digests"]]
    path.write_text(json.dumps(entry), encoding="utf-8")
    checks = Checks(monkeypatch)
    run(capsys, ".")
    assert checks.count == 1


@pytest.mark.parametrize("damage", ["not json", "a list", "wrong format", "empty"])
def test_a_damaged_kept_result_means_a_full_run(
        damage: str, tmp_path: Path, cached: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    root = project_in_git(tmp_path / "app")
    monkeypatch.chdir(root)
    expected = run(capsys, ".")
    path = next((cached / "results").glob("*.json"))
    text = {"not json": "{", "a list": "[]", "empty": "",
            "wrong format": json.dumps({**json.loads(path.read_text()), "format": 0})}[damage]
    path.write_text(text, encoding="utf-8")
    checks = Checks(monkeypatch)
    assert run(capsys, ".") == expected
    assert checks.count == 1


def test_a_symlinked_cache_folder_is_neither_read_nor_written(
        tmp_path: Path, cached: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cached.mkdir()
    (cached / "results").symlink_to(elsewhere, target_is_directory=True)
    root = project_in_git(tmp_path / "app")
    monkeypatch.chdir(root)
    checks = Checks(monkeypatch)
    run(capsys, ".")
    run(capsys, ".")
    assert checks.count == 2
    assert not any(elsewhere.iterdir())


def test_no_cache_and_the_variable_turn_it_off(
        tmp_path: Path, cached: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    root = project_in_git(tmp_path / "app")
    monkeypatch.chdir(root)
    checks = Checks(monkeypatch)
    full_run(capsys, ".")
    full_run(capsys, ".")
    monkeypatch.setenv("COMPOSEGUARD_NO_CACHE", "1")
    run(capsys, ".")
    run(capsys, "--verbose", ".")
    assert checks.count == 4
    assert not (cached / "results").exists()


# -- the record -------------------------------------------------------------------------------


def test_a_recording_sees_reads_existence_tests_and_listings(tmp_path: Path) -> None:
    present = tmp_path / "present.txt"
    present.write_text("x", encoding="utf-8")
    with inputs.recording(inputs.left_out_paths()) as record:
        present.read_text(encoding="utf-8")
        (tmp_path / "absent").exists()
        os.listdir(tmp_path)
        list(os.scandir(tmp_path))
    assert (str(present), "open") in record.stats
    assert record.stats[(str(tmp_path / "absent"), "stat")][0] == "missing"
    assert len(record.stats[(str(tmp_path), "list")]) == 6
    assert record.unrecordable is None
    assert os.stat is inputs._REAL_STAT, "os.stat is given back"


def test_a_recording_leaves_out_the_interpreter_and_composeguard(tmp_path: Path) -> None:
    with inputs.recording(inputs.left_out_paths()) as record:
        Path(inputs.__file__).read_text(encoding="utf-8")
        Path(os.__file__).exists()
    assert not record.stats


def test_a_program_that_is_not_recorded_makes_the_run_unrecordable(tmp_path: Path) -> None:
    with inputs.recording(inputs.left_out_paths()) as record:
        subprocess.run(["true"], check=True)
    assert record.unrecordable is not None


def test_discovery_records_its_git_commands_and_an_executable_bit(tmp_path: Path) -> None:
    from composeguard.lint.model.discover import discover

    root = project_in_git(tmp_path / "app", {
        "compose.yaml": "services:\n  app:\n    image: nginx:1.27\n",
        "run-me": "#!/bin/sh\necho hi\n"})
    (root / "run-me").chmod(0o755)
    with inputs.recording(inputs.left_out_paths()) as record:
        discover([root])
    assert record.unrecordable is None, record.unrecordable
    assert {argv[1] for argv, _ in record.commands} == {"rev-parse", "ls-files"}
    assert (str(root / "run-me"), "stat") in record.stats


def test_a_run_in_several_processes_is_not_kept(
        tmp_path: Path, cached: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The processes' reads are not seen by the recording: nothing may be kept."""
    for name in ("one", "two"):
        project_in_git(tmp_path / "src" / name)
    monkeypatch.chdir(tmp_path / "src")
    first = run(capsys, "--jobs", "2", ".")
    assert not list((cached / "results").glob("*.json"))
    assert run(capsys, "--jobs", "1", ".") == first
    assert len(list((cached / "results").glob("*.json"))) == 1


def test_a_project_below_the_interpreters_prefix_is_still_recorded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A system Python's prefix is /usr, and projects live in /usr/src."""
    import sys

    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    monkeypatch.setattr(sys, "base_prefix", str(tmp_path))
    monkeypatch.setattr(sys, "exec_prefix", str(tmp_path))
    compose = write_tree(tmp_path / "src" / "app", {"compose.yaml": "services: {}\n"})
    with inputs.recording(inputs.left_out_paths()) as record:
        (compose / "compose.yaml").read_text(encoding="utf-8")
    assert (str(compose / "compose.yaml"), "open") in record.stats


def _foreign(folder: Path, how: str) -> None:
    """Make ``folder`` another user's (root only) or writable by everyone."""
    folder.mkdir(parents=True, exist_ok=True)
    if how == "another user's":
        if os.geteuid() != 0:
            if os.environ.get("CI"):
                pytest.fail("this test needs root to give a folder to another user")
            pytest.skip("giving a folder to another user needs root")
        os.chown(folder, 65534, 65534)
    else:
        folder.chmod(0o777)


@pytest.mark.parametrize("level", ["cache", "results"])
@pytest.mark.parametrize("how", ["another user's", "writable by everyone"])
def test_a_cache_folder_that_is_not_the_users_alone_is_not_used(
        level: str, how: str, tmp_path: Path, cached: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = project_in_git(tmp_path / "app")
    monkeypatch.chdir(root)
    expected = full_run(capsys, ".")
    cached.mkdir(mode=0o700)
    _foreign(cached if level == "cache" else cached / "results", how)
    checks = Checks(monkeypatch)
    first = run(capsys, ".")
    second = run(capsys, ".")
    assert checks.count == 2, "nothing was replayed from a folder someone else controls"
    assert first[:2] == second[:2] == expected[:2]
    said = [line for line in (first[2] + second[2]).splitlines() if "cache folder" in line]
    assert len(said) <= 1 and (said or level == "results" and how == "another user's")
    assert not list(cached.rglob("*.json")), "nothing was kept there"


def test_a_forged_entry_never_makes_composeguard_run_a_command(
        tmp_path: Path, cached: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Even in the user's own folder, an entry only names git commands composeguard knows;
    anything else (an argv, an unknown name) is no match and is not run."""
    root = project_in_git(tmp_path / "app")
    monkeypatch.chdir(root)
    expected = run(capsys, ".")
    path = next((cached / "results").glob("*.json"))
    entry = json.loads(path.read_text(encoding="utf-8"))
    assert {name for name, *_ in entry["commands"]} <= {"toplevel", "list", "grep-code"}
    marker = tmp_path / "ran"
    for forged in (["sh", "-c", f"touch {marker}"], f"touch {marker}"):
        entry["commands"] = [[forged, str(root), 0, "0" * 40]]
        path.write_text(json.dumps(entry), encoding="utf-8")
        checks = Checks(monkeypatch)
        assert run(capsys, ".")[:2] == expected[:2]
        assert checks.count == 1
        assert not marker.exists()


def test_a_large_racy_file_is_compared_by_its_head_and_size(
        tmp_path: Path, cached: Path) -> None:
    """A 2 GiB dump written just before the run: the check reads its first 16 KB, and so does
    the digest that keeps the result (measured as the run's peak memory)."""
    import sys
    import textwrap

    root = project_in_git(tmp_path / "app")
    # tracked without git reading it: the index names a small blob for the path
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=root, input=b"-- x\n",
                          capture_output=True, check=True).stdout.decode().strip()
    _git(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},shop.sql")
    with (root / "shop.sql").open("wb") as handle:
        handle.write(b"-- MySQL dump 10.13\n")
        handle.truncate(2 * 1024 ** 3)
    measure = textwrap.dedent(f"""
        import resource, subprocess, sys
        done = subprocess.run([sys.executable, "-m", "composeguard", "check", "."],
                              cwd={str(root)!r}, capture_output=True)
        print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    """)
    env = {**os.environ, "COMPOSEGUARD_CACHE_DIR": str(cached)}
    env.pop("COMPOSEGUARD_NO_CACHE", None)
    done = subprocess.run([sys.executable, "-c", measure], env=env, capture_output=True,
                          text=True, timeout=300, check=True)
    code, peak_kib = map(int, done.stdout.split())
    assert code in (0, 1)
    assert peak_kib < 400 * 1024, f"{peak_kib} KiB resident: the file was read whole"
    entry = json.loads(next((cached / "results").glob("*.json")).read_text())
    assert any(p == str(root / "shop.sql") for p, _ in entry["digests"])


def test_a_project_under_dev_shm_is_recorded(
        cached: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``/dev/`` is left out for its devices, not for ``/dev/shm``'s ordinary files."""
    if not os.access("/dev/shm", os.W_OK):
        pytest.skip("no writable /dev/shm here")
    root = Path(f"/dev/shm/composeguard-test-{os.getpid()}")
    try:
        write_tree(root, {"compose.yaml": "services:\n  db:\n    image: mysql:8.0\n"})
        monkeypatch.chdir(root)
        checks = Checks(monkeypatch)
        first = run(capsys, ".")
        run(capsys, ".")
        assert checks.count == 1, "an unchanged project is replayed"
        (root / "compose.yaml").write_text("services:\n  db:\n    image: mysql:8.0\n"
                                           "    volumes: [mysql_data:/var/lib/mysql]\n"
                                           "volumes:\n  mysql_data:\n", encoding="utf-8")
        second = run(capsys, ".")
        assert checks.count == 2 and second != first
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_a_linked_folder_replaced_by_a_file_is_seen(
        tmp_path: Path, cached: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A compose-named link to a folder is tested through the link: when its target becomes
    a file, the next run checks in full."""
    root = tmp_path / "app"
    write_tree(root, {"compose.yaml": "services:\n  db:\n    image: mysql:8.0\n"})
    target = tmp_path / "shared"
    target.mkdir()
    (root / "compose.override.yaml").symlink_to(target)
    monkeypatch.chdir(root)
    checks = Checks(monkeypatch)
    first = run(capsys, ".")
    run(capsys, ".")
    assert checks.count == 1
    target.rmdir()
    target.write_text("services:\n  db:\n    ports: ['3306:3306']\n", encoding="utf-8")
    second = run(capsys, ".")
    assert checks.count == 2 and second != first
