"""Whether a project keeps separate compose setups for development and production (CG601).

The split is judged per repository (per checked folder outside git), not per folder: a project
whose development file lives in ``docker/dev/`` or ``.devcontainer/`` beside a root
``docker-compose.yml`` is split. A file counts as a side of the split when it names an
environment: a development file (``compose.override.yaml``, ``*.dev.*``, ``*.local.*``, a
development folder or tool folder, or a configured pattern) or a production file by its name
(``*.prod.*``, ``*.staging.*``...). A variant such as ``docker-compose.postgres.yml`` and test
files (``*.test.*``, ``*.ci.*``) do not split environments.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from composeguard.lint.model.compose import (
    PRODUCTION_MARKERS,
    ComposeFile,
    Environment,
    name_markers,
)


def names_an_environment(compose_file: ComposeFile) -> bool:
    """The file is the development or production side of a split (see the module docstring)."""
    if compose_file.environment is Environment.DEVELOPMENT:
        return True
    return compose_file.environment is Environment.PRODUCTION and bool(
        set(name_markers(compose_file.path.name)) & PRODUCTION_MARKERS)


def unsplit_bases(
    files: Sequence[ComposeFile],
    repository_root: Callable[[Path], Path | None],
    checked: Iterable[Path],
) -> list[ComposeFile]:
    """The production-facing base files (``compose.yaml`` & co) of repositories, or checked
    folders outside git, in which no compose file names an environment."""
    roots = [Path(os.path.abspath(p)) for p in checked]
    roots = [r if r.is_dir() else r.parent for r in roots]

    def scope(path: Path) -> Path:
        found = repository_root(path)
        if found is not None:
            return found
        absolute = Path(os.path.abspath(path))
        inside = [r for r in roots if r in absolute.parents]
        return max(inside, key=lambda r: len(r.parts)) if inside else absolute.parent

    split = {scope(f.path) for f in files if names_an_environment(f)}
    return [f for f in files if f.is_base and f.environment is Environment.PRODUCTION
            and f.root is not None and scope(f.path) not in split]


