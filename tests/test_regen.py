"""``python -m tests.regen``: the README sample it writes is what the example prints."""

from __future__ import annotations

from .regen import readme_with_sample

README = """# x

## Output formats

```text
a.yml:1:1: CG101 [error] one
    help: h1
a.yml:2:1: CG102 [error] two

...
Found 2 problems in 1 file.
```

(prose)
"""


def test_the_summary_line_follows_the_example() -> None:
    printed = ["a.yml:1:1: CG101 [error] one", "    help: h1", "a.yml:2:1: CG102 [error] two",
               "a.yml:3:1: CG103 [error] three", "Found 3 problems in 1 file."]
    fresh = readme_with_sample(README, printed)
    assert "Found 3 problems in 1 file." in fresh and "Found 2 problems" not in fresh
    assert "a.yml:1:1: CG101 [error] one\n    help: h1\na.yml:2:1: CG102" in fresh
    assert readme_with_sample(fresh, printed) == fresh
    assert fresh.endswith("```\n\n(prose)\n")


def test_shown_findings_the_example_no_longer_prints_are_replaced() -> None:
    printed = ["b.yml:5:1: CG104 [error] four", "    help: h4", "b.yml:6:1: CG105 [info] five",
               "Found 2 problems in 1 file."]
    fresh = readme_with_sample(README, printed)
    block = fresh.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    assert block == ["b.yml:5:1: CG104 [error] four", "    help: h4",
                     "b.yml:6:1: CG105 [info] five", "", "...", "Found 2 problems in 1 file."]
