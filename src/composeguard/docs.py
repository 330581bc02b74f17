"""Rule pages, generated from each rule's own metadata so docs cannot drift from code.

``composeguard explain CODE`` prints :func:`rule_page`; ``docs/rules/`` holds one page per rule
plus a ``README.md`` index, regenerated with::

    python -m composeguard.docs            # writes docs/rules/ (relative to the cwd)
    python -m composeguard.docs --check    # exit 1 if docs/rules/ is stale

The headings are ruff's: What it does, Why is this bad?, Example, Use instead, Fix safety,
References. A rule's ``example``/``use_instead`` text is YAML unless it is already a fenced
block (```` ```php ````...), which is kept as written, or starts with ``<?php``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from composeguard.rules.base import Rule

DEFAULT_OUTPUT = Path("docs") / "rules"
INDEX = "README.md"
REGENERATE = "python -m composeguard.docs"


def _fenced(text: str) -> str:
    text = text.strip("\n")
    if text.lstrip().startswith("```"):
        return text
    return f"```{_language(text)}\n{text}\n```"


def _language(text: str) -> str:
    """The code block's language, from how the example starts: PHP, a shell session or
    script, a Python or Ruby settings file; compose YAML otherwise."""
    first = text.lstrip().split("\n", 1)[0]
    if first.startswith("<?php"):
        return "php"
    if first.startswith("$ "):
        return "console"
    if first.startswith(("#!", "# scripts/", "# Makefile")) or first.endswith(".sh"):
        return "sh"
    if first.startswith(("DATABASES", "DEBUG", "import ", "from ")):
        return "python"
    return "yaml"


def rule_page(rule: Rule) -> str:
    """The rule's documentation page as Markdown."""
    parts = [
        f"# {rule.code}: {rule.name}",
        f"Default severity: **{rule.severity}**",
        rule.summary,
        "## What it does",
        rule.what,
        "## Why is this bad?",
        rule.why,
    ]
    if rule.example:
        parts += ["## Example", _fenced(rule.example)]
    if rule.use_instead:
        parts += ["## Use instead", _fenced(rule.use_instead)]
    parts += ["## Fix safety", rule.fix_safety or "Not fixable automatically."]
    if rule.references:
        parts += ["## References", "\n".join(f"- <{r}>" if "://" in r else f"- {r}"
                                             for r in rule.references)]
    return "\n\n".join(p.strip() for p in parts if p.strip()) + "\n"


def index_page(rules: Iterable[Rule]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    rows = [f"| [{r.code}]({r.code}.md) | `{r.name}` | {r.severity} | {cell(r.summary)} |"
            for r in rules]
    return "\n".join([
        "# composeguard rules",
        "",
        f"Generated from the rules' own metadata by `{REGENERATE}`; do not edit by hand.",
        "`composeguard explain CODE` prints the same pages.",
        "",
        "| code | name | severity | summary |",
        "|---|---|---|---|",
        *rows,
    ]) + "\n"


def expected_files(rules: Sequence[Rule] | None = None) -> dict[str, str]:
    """File name -> content that the docs directory must hold, and nothing else (``*.md``)."""
    if rules is None:
        from composeguard.rules import all_rules

        rules = all_rules()
    files = {f"{r.code}.md": rule_page(r) for r in rules}
    files[INDEX] = index_page(rules)
    return files


def stale_files(output: Path, rules: Sequence[Rule] | None = None) -> list[str]:
    """Names in ``output`` that are missing, different from the metadata, or of no rule."""
    expected = expected_files(rules)
    present = {p.name for p in output.glob("*.md")} if output.is_dir() else set()
    stale = [
        name for name, text in expected.items()
        if name not in present or (output / name).read_text(encoding="utf-8") != text
    ]
    stale += sorted(present - expected.keys())
    return sorted(stale)


def write_docs(output: Path, rules: Sequence[Rule] | None = None) -> list[str]:
    """Bring ``output`` up to date; returns the names written or removed."""
    changed = stale_files(output, rules)
    expected = expected_files(rules)
    output.mkdir(parents=True, exist_ok=True)
    for name in changed:
        target = output / name
        if name in expected:
            target.write_text(expected[name], encoding="utf-8", newline="\n")
        else:
            target.unlink()
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=REGENERATE, description="Regenerate docs/rules/.")
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 when the pages are stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.output)
        for name in stale:
            print(f"stale: {(args.output / name).as_posix()}")
        return 1 if stale else 0
    for name in write_docs(args.output):
        print(f"updated {(args.output / name).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
