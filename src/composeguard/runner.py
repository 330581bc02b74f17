"""Running the selected rules over a Project and applying what no rule knows about:
selection, severity overrides, suppression comments, de-duplication and ordering."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from composeguard.lint.finding import Finding, Fix, Location, Severity
from composeguard.lint.project import Project

if TYPE_CHECKING:
    from composeguard.lint.secrets import Redactor
    from composeguard.rules.base import Rule

_CODE_PREFIX = re.compile(r"^CG\d{0,3}$", re.IGNORECASE)


def _matches(token: str, code: str, name: str) -> bool:
    """A token names a rule by its name, its code, or a code prefix (``CG1``, ``CG10``)."""
    token = token.strip()
    if _CODE_PREFIX.match(token):
        return code.upper().startswith(token.upper())
    return token.lower() == name.lower()


@dataclass(frozen=True, slots=True)
class Selection:
    """``--select``/``--ignore``: codes, code prefixes (``CG1``) or rule names."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def allows(self, code: str, name: str) -> bool:
        if self.select and not any(_matches(t, code, name) for t in self.select):
            return False
        return not any(_matches(t, code, name) for t in self.ignore)

    def unknown(self, rules: Iterable[Rule] | None = None) -> list[str]:
        """Tokens that match no rule of ``rules`` (the whole catalog by default)."""
        return unknown_selectors((*self.select, *self.ignore), rules)


def unknown_selectors(tokens: Iterable[str], rules: Iterable[Rule] | None = None) -> list[str]:
    if rules is None:
        from composeguard.rules import all_rules

        rules = all_rules()
    catalog = [(r.code, r.name) for r in rules]
    return [t for t in tokens if not any(_matches(t, code, name) for code, name in catalog)]


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Failures of the tool itself (a rule that crashed): reported, exit code 2."""
    suppressed: list[Finding] = field(default_factory=list)
    """Findings hidden by a suppression comment (for ``--verbose`` and statistics)."""
    blanket: list[Finding] = field(default_factory=list)
    """Reported findings under a ``# composeguard: ignore`` without codes (which suppresses
    nothing): the CLI asks for the codes."""
    rules_run: int = 0


def run(
    project: Project,
    selection: Selection = Selection(),
    severity_overrides: Mapping[str, Severity] | None = None,
) -> RunResult:
    from composeguard.lint.suppress import Suppressions
    from composeguard.rules import all_rules

    result = RunResult()
    seen: set[tuple[str, Location, str]] = set()
    overrides = {k.lower(): v for k, v in (severity_overrides or {}).items()}
    findings: list[Finding] = []
    for rule in all_rules():
        if not selection.allows(rule.code, rule.name):
            continue
        result.rules_run += 1
        try:
            for finding in rule.check(project):
                key = (finding.code, finding.location, finding.message)
                if key in seen:
                    continue
                seen.add(key)
                override = overrides.get(rule.code.lower()) or overrides.get(rule.name.lower())
                findings.append(replace(finding, severity=override) if override else finding)
        except Exception as exc:  # noqa: BLE001 - a bug in a rule must not hide every other finding
            result.errors.append(f"internal error in {rule.code} ({rule.name}): {exc!r}")
    redactor = project.redactor
    findings = [_redacted(f, redactor) for f in findings]
    result.errors = [redactor.redact(e) for e in result.errors]
    suppressions = Suppressions()
    result.findings, result.suppressed = suppressions.filter(findings)
    result.findings.sort(key=Finding.sort_key)
    result.blanket = [f for f in result.findings if suppressions.has_blanket(f)]
    return result


def _redacted(finding: Finding, redactor: Redactor) -> Finding:
    """The finding with no secret of the project in its message, nor in its fix's
    description once ``fix`` builds it."""
    message = redactor.redact(finding.message)
    def masked(built: Fix) -> Fix:
        description = redactor.redact(built.description)
        return built if description == built.description else \
            replace(built, description=description)

    fix = finding.fix
    if isinstance(fix, Fix):
        fix = masked(fix)
    elif fix is not None:
        fix = replace(fix, finish=masked)
    if message == finding.message and fix is finding.fix:
        return finding
    return replace(finding, message=message, fix=fix)


def exit_code(findings: Sequence[Finding], fail_on: Severity, errors: Sequence[str] = ()) -> int:
    if errors:
        return 2
    return 1 if any(f.severity >= fail_on for f in findings) else 0
