"""docs/rules/ is generated from the rules' metadata; this fails when it is stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from composeguard.docs import (
    REGENERATE,
    expected_files,
    index_page,
    readme_table,
    readme_with_table,
    rule_page,
    stale_files,
    write_docs,
)
from composeguard.rules import all_rules

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules"
README = DOCS.parents[1] / "README.md"


def test_docs_rules_is_up_to_date() -> None:
    stale = stale_files(DOCS)
    assert not stale, (
        f"docs/rules/ is stale ({', '.join(stale)}); regenerate it from the repository root with "
        f"`{REGENERATE}` (or `composeguard docs --output docs/rules`) and commit the result"
    )


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_page_has_ruff_headings(rule) -> None:  # type: ignore[no-untyped-def]
    page = rule_page(rule)
    assert page.startswith(f"# {rule.code}: {rule.name}\n")
    headings = [line for line in page.splitlines() if line.startswith("## ")]
    required = ["## What it does", "## Why is this bad?", "## Example", "## Use instead",
                "## Fix safety"]
    assert headings[:5] == required
    assert headings[5:] == (["## References"] if rule.references else [])
    assert f"Default severity: **{rule.severity}**" in page
    assert "\n```" in page
    assert rule.why.splitlines()[0] in page


def test_index_links_every_rule() -> None:
    index = index_page(all_rules())
    for rule in all_rules():
        assert f"[{rule.code}]({rule.code}.md)" in index
        assert f"`{rule.name}`" in index


def test_stale_detection_and_regeneration(tmp_path: Path) -> None:
    out = tmp_path / "rules"
    assert set(stale_files(out)) == set(expected_files())
    write_docs(out)
    assert stale_files(out) == []
    first = min(expected_files())
    (out / first).write_text("edited by hand\n", encoding="utf-8")
    (out / "CG998.md").write_text("# CG998: a rule that was removed\n", encoding="utf-8")
    assert stale_files(out) == sorted([first, "CG998.md"])
    assert sorted(write_docs(out)) == sorted([first, "CG998.md"])
    assert not (out / "CG998.md").exists()
    assert stale_files(out) == []


def test_docs_command_check_mode(tmp_path: Path) -> None:
    from composeguard.cli import main
    from composeguard.docs import main as docs_main

    out = tmp_path / "rules"
    assert docs_main(["--check", str(out)]) == 1
    assert main(["docs", "--output", str(out)]) == 0
    assert docs_main(["--check", str(out)]) == 0
    assert main(["docs", "--check", "--output", str(out)]) == 0


def test_the_readme_rules_table_is_the_catalog() -> None:
    """The README's table is generated too: a new rule needs nothing written there by hand."""
    text = README.read_text(encoding="utf-8")
    assert readme_table(all_rules()) in text, f"regenerate it with `{REGENERATE}`"
    rows = [line for line in text.split("\n") if line.startswith("| [CG")]
    assert [row.split("]")[0][3:] for row in rows] == [r.code for r in all_rules()]
    assert "| [CG101](https://github.com/composeguard/composeguard/blob/main/docs/rules/CG101.md) | stateful-service-without-volume | error / warning |" \
        in rows


def test_the_readme_table_is_rewritten_between_its_markers(tmp_path: Path) -> None:
    from composeguard.docs import README_END, README_START
    from composeguard.docs import main as docs_main

    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{README_START}\n| old |\n{README_END}\n\nafter\n")
    assert docs_main(["--check", "--readme", str(readme), str(DOCS)]) == 1
    assert docs_main(["--readme", str(readme), str(tmp_path / "rules")]) == 0
    assert readme.read_text() == f"# x\n\n{readme_table(all_rules())}\n\nafter\n"
    assert docs_main(["--check", "--readme", str(readme), str(tmp_path / "rules")]) == 0
    assert readme_with_table("no markers", all_rules()) == "no markers"


def test_readme_links_work_on_a_package_index_page() -> None:
    """The README is the package's page on PyPI: every link is absolute, and each one into this
    repository names a file or folder of the checkout (the link cannot rot unseen)."""
    import re

    from composeguard.docs import README_LINK_BASE

    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    assert targets
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#"))]
    assert relative == []
    root = README.parent
    missing = [t for t in targets if t.startswith(README_LINK_BASE)
               and not (root / t.removeprefix(README_LINK_BASE).split("#")[0]).exists()]
    assert missing == []
