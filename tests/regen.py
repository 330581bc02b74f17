"""Regenerate everything generated from the rules and their behaviour, in one command:

    .venv/bin/python -m tests.regen            # rewrite what is stale, say what changed
    .venv/bin/python -m tests.regen --check    # exit 1 when anything is stale (writes nothing)

- ``docs/rules/`` (one page per rule, the index, the data-store table) and the README's rules
  table (``python -m composeguard.docs``);
- ``src/composeguard/composeguard.schema.json``, the configuration's JSON Schema, which lists
  every rule code and name (``python -m composeguard.config_schema``);
- the README's sample output: the summary line ``composeguard check examples/laravel-shop``
  ends with, and the finding lines it shows when the example no longer prints them;
- ``tests/snapshots/behaviour.json`` (``python -m tests.behaviour``): every finding and planned
  fix on the fixtures, the example and the corpus. Read its diff before you commit: it is the
  review of what the change does.

After adding a rule (its family folder and its cases file), this is the only command to run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
EXAMPLE = "examples/laravel-shop"


def example_output() -> list[str]:
    """What ``composeguard check --no-color examples/laravel-shop`` prints, run from the root."""
    import os

    from composeguard.cli import main

    out = io.StringIO()
    here = Path.cwd()
    os.chdir(REPO)
    try:
        with contextlib.redirect_stdout(out):
            main(["check", "--no-color", EXAMPLE])
    finally:
        os.chdir(here)
    return out.getvalue().splitlines()


def readme_with_sample(readme: str, printed: list[str]) -> str:
    """The README with its Output formats sample made of lines the example really prints."""
    head, marker, rest = readme.partition("\n## Output formats\n")
    if not marker:
        return readme
    match = re.search(r"```text\n(.*?)```", rest, re.DOTALL)
    if match is None:
        return readme
    shown = match.group(1).splitlines()
    summary = next((line for line in printed if line.startswith("Found ")), None)
    findings = [i for i, line in enumerate(printed) if line and not line.startswith((" ", "Found "))]
    kept = [line for line in shown if line in printed or not line.strip() or line == "..."]
    if any(line.startswith("Found ") for line in shown) and summary is not None:
        kept = [line for line in kept if not line.startswith("Found ")] + [summary]
    if sum(1 for line in kept if line and not line.startswith((" ", "Found ", "..."))) < 2:
        lines: list[str] = []
        for i in findings[:2]:
            lines.append(printed[i])
            lines.extend(line for line in printed[i + 1 : i + 2] if line.startswith("    "))
        kept = [*lines, "", "...", *([summary] if summary else [])]
    block = "\n".join(kept) + "\n"
    rest = rest[: match.start(1)] + block + rest[match.end(1):]
    return head + marker + rest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.regen", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when anything is stale")
    args = parser.parse_args(argv)
    from composeguard import config_schema, docs

    from . import behaviour

    flag = ["--check"] if args.check else []
    stale = docs.main([str(REPO / "docs" / "rules"), "--readme", str(README), *flag])
    stale |= config_schema.main(flag)
    readme = README.read_text(encoding="utf-8")
    fresh = readme_with_sample(readme, example_output())
    if fresh != readme:
        stale = 1
        print(f"{'stale' if args.check else 'updated'}: README.md (sample output)")
        if not args.check:
            README.write_text(fresh, encoding="utf-8", newline="\n")
    record = json.dumps(behaviour.record(), indent=1, sort_keys=True) + "\n"
    current = behaviour.SNAPSHOT.read_text(encoding="utf-8") if behaviour.SNAPSHOT.is_file() else ""
    if record != current:
        stale = 1
        print(f"{'stale' if args.check else 'updated'}: {behaviour.SNAPSHOT.relative_to(REPO)}")
        if not args.check:
            behaviour.SNAPSHOT.write_text(record, encoding="utf-8")
    return stale if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
