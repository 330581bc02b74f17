"""What a rule is: metadata, documentation, examples, and a ``check(project)`` generator."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from composeguard.lint.engine.finding import Finding, Fix, FixOffer, Severity, split_message
from composeguard.lint.parse.location import Location
from composeguard.lint.project import Project


@dataclass(frozen=True, slots=True)
class Example:
    """A small project (relative path -> file text) and what the rule must report on it.

    ``expect`` lists ``(path, line)`` pairs the rule must report, nothing more and nothing
    less; an empty tuple makes it a valid (clean) example. ``git`` turns the files into a real
    git repository (every file tracked) before the rule runs. ``also`` names other rules to
    run with it (only the rule's own findings are compared): CG006 judges the suppressions of
    the rules that ran.
    """

    files: Mapping[str, str]
    expect: tuple[tuple[str, int], ...] = ()
    title: str = ""
    git: bool = False
    fixed: Mapping[str, str] | None = None
    also: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.expect


CheckFunction = Callable[["Rule", Project], Iterator[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    what: str
    why: str
    example: str
    use_instead: str
    fix_safety: str
    check_function: CheckFunction
    references: tuple[str, ...] = ()
    other_severities: tuple[Severity, ...] = ()
    """Severities some of its findings take instead of ``severity`` (a cache's missing
    volume is a warning where a database's is an error)."""

    @property
    def severities(self) -> tuple[Severity, ...]:
        """Every severity its findings can have, the most severe first."""
        return tuple(sorted({self.severity, *self.other_severities}, reverse=True))

    @property
    def examples(self) -> tuple[Example, ...]:
        """The rule's cases, read from ``cases/<code>.yaml`` beside its family's module (only
        tests and docs ask: a check never reads them)."""
        return load_cases(self.cases_path)

    @property
    def cases_path(self) -> Path:
        module = sys.modules[self.check_function.__module__]
        return Path(module.__file__ or ".").parent / "cases" / f"{self.code}.yaml"

    def check(self, project: Project) -> Iterator[Finding]:
        return self.check_function(self, project)

    def finding(
        self,
        location: Location,
        message: str,
        *,
        help: str | None = None,
        severity: Severity | None = None,
        fix: FixOffer | Fix | None = None,
    ) -> Finding:
        """A finding of this rule. Without ``help``, ``message`` is the whole sentence,
        split at its first ``: `` (see :func:`~composeguard.lint.engine.finding.split_message`)."""
        if help is None:
            message, help = split_message(message)
        return Finding(self.code, self.name, severity or self.severity, location, message, fix,
                       help)


def rule(
    *,
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    what: str,
    why: str,
    example: str,
    use_instead: str,
    fix_safety: str = "Not fixable automatically.",
    references: tuple[str, ...] = (),
    other_severities: tuple[Severity, ...] = (),
) -> Callable[[CheckFunction], Rule]:
    """Declare a rule: ``@rule(code=..., ...)`` over ``def check(rule, project)``."""

    def wrap(function: CheckFunction) -> Rule:
        return Rule(code, name, severity, summary, _dedent(what), _dedent(why), _dedent(example),
                    _dedent(use_instead), _dedent(fix_safety), function, references,
                    other_severities)

    return wrap


_CASE_KEYS = frozenset({"title", "expect", "git", "files", "fixed", "also"})


@cache
def load_cases(path: Path) -> tuple[Example, ...]:
    """The :class:`Example`\\ s a rule's cases file holds (see the comment at its top)."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list):
        raise TypeError(f"{path}: expected a mapping with a `cases:` list")
    examples = []
    for number, case in enumerate(cases, 1):
        unknown = set(case) - _CASE_KEYS if isinstance(case, dict) else {"(not a mapping)"}
        if unknown or not isinstance(case.get("files"), dict):
            raise ValueError(f"{path}: case {number}: unknown keys {sorted(unknown)} or no "
                             "`files:` mapping")
        expect = tuple((where.rsplit(":", 1)[0], int(where.rsplit(":", 1)[1]))
                       for where in case.get("expect") or ())
        fixed = case.get("fixed")
        examples.append(Example(dict(case["files"]), expect, case.get("title", ""),
                                bool(case.get("git", False)),
                                dict(fixed) if fixed is not None else None,
                                tuple(case.get("also") or ())))
    return tuple(examples)


def listed(commands: Iterable[str]) -> str:
    """Commands for a message, each in backticks: `a`, `a` and `b`, `a`, `b` and `c`."""
    names = [f"`{c}`" for c in commands]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).strip()
