"""What composeguard reports and fixes, recorded, so that a change of structure is proven to
change no behaviour.

For every fixture project, every bundled example and every folder of ``../shared/corpus``
(each copied to a temp dir and made a git repository, as a user's checkout is), the record
holds each finding (code, place, message, whether a fix is offered) and what
``composeguard fix --unsafe-fixes`` would write (each changed file's path with a SHA-256 of
its new text, so the record stays small).

``python -m tests.behaviour`` rewrites ``tests/snapshots/behaviour.json``; do that only on
purpose, and review the diff. ``tests/test_behaviour.py`` compares a fresh run with it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .conftest import CORPUS, FIXTURES, make_git_repo

SNAPSHOT = Path(__file__).parent / "snapshots" / "behaviour.json"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def sources(with_corpus: bool = True) -> Iterator[tuple[str, Path]]:
    """(name in the record, folder) of every project the record covers."""
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        yield f"fixtures/{folder.name}", folder
    for folder in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        yield f"examples/{folder.name}", folder
    if with_corpus and (CORPUS / "real").is_dir():
        for folder in sorted(p for p in (CORPUS / "real").iterdir() if p.is_dir()):
            yield f"corpus/{folder.name}", folder


def behaviour(source: Path) -> dict[str, object]:
    """The findings and the planned fix of one project, copied into a fresh git repo."""
    from composeguard.fix.apply.plan import plan_fixes
    from composeguard.lint.project import Project
    from composeguard.runner import run

    with tempfile.TemporaryDirectory(prefix="composeguard-behaviour-") as temp:
        root = Path(temp) / source.name
        shutil.copytree(source, root, symlinks=True)
        make_git_repo(root)

        def shown(path: Path) -> str:
            try:
                return Path(path).resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                return Path(path).name

        result = run(Project([root]))
        findings = [
            [f.code, shown(f.location.path), f.location.line, f.location.column,
             f.location.end[0], f.location.end[1], str(f.severity), f.message, f.fixable]
            for f in result.findings
        ]
        plan = plan_fixes([root], unsafe=True)
        changes = {
            shown(change.path): hashlib.sha256(change.after.encode()).hexdigest()[:16]
            for change in plan.changes
        }
        applied = sorted(f"{f.code} {shown(f.path)}:{f.line} {f.description}" for f in plan.applied)
        return {"findings": findings, "errors": list(result.errors), "fixes": applied,
                "changes": dict(sorted(changes.items()))}


def record(with_corpus: bool = True) -> dict[str, dict[str, object]]:
    return {name: behaviour(folder) for name, folder in sources(with_corpus)}


def main() -> int:
    SNAPSHOT.write_text(json.dumps(record(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
