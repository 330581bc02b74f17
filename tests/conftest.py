from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from composeguard.lint.engine.finding import Finding
from composeguard.lint.parse.location import Location

os.environ["COMPOSEGUARD_NO_CACHE"] = "1"
"""Tests see every run in full (they change what a run reads between runs, in ways no user
does); tests/test_cache.py turns the result cache on where it tests it."""

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "laravel-shop"


def every_project() -> list[Path]:
    """The example, every fixture and each project of both corpora: what the checks that
    must hold everywhere (counts, messages) run on."""
    found = [EXAMPLE, *sorted(p for p in FIXTURES.iterdir() if p.is_dir())]
    for collection in ("apps", "real"):
        folder = CORPUS / collection
        if folder.is_dir():
            found += sorted(p for p in folder.iterdir() if p.is_dir())
    return found


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def read(path: Path) -> str | None:
    """A file's text, or None: the ``read`` callable the app-config readers take."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def span(text: str, location: Location) -> str:
    """The source text a 1-based, character-counted, end-exclusive location covers."""
    lines = text.splitlines(keepends=True)
    start = sum(map(len, lines[: location.line - 1])) + location.column - 1
    end_line, end_column = location.end
    end = sum(map(len, lines[: end_line - 1])) + end_column - 1
    return text[start:end]


def make_git_repo(root: Path) -> Path:
    """Turn ``root`` into a real git repository with every file committed."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    run = lambda *args: subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True
    )
    run("init", "-q", "-b", "main")
    run("config", "user.email", "test@example.invalid")
    run("config", "user.name", "composeguard tests")
    run("add", "-A")
    run("commit", "-q", "-m", "fixture", "--allow-empty")
    return root


@pytest.fixture
def project_dir(tmp_path: Path) -> Callable[..., Path]:
    """Write a small project into a temp dir (optionally as a git repository)."""

    def make(files: Mapping[str, str | bytes], git: bool = False) -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        write_tree(root, files)
        return make_git_repo(root) if git else root

    return make


def built(finding: Finding) -> bool:
    """Whether the finding's offered fix really builds (check only says one is offered)."""
    return finding.fix is not None and finding.fix.build() is not None
