"""Running the selected rules over a Project and applying what no rule knows about:
selection, severity overrides, suppression comments, de-duplication and ordering."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from composeguard.lint.finding import Finding, Location, Severity
from composeguard.lint.project import Project


@dataclass(frozen=True, slots=True)
class Selection:
    """``--select``/``--ignore``: codes, code prefixes (``CG1``) or rule names."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def allows(self, code: str, name: str) -> bool:
        def matches(token: str) -> bool:
            token = token.strip()
            return token.lower() == name or code.upper().startswith(token.upper())

        if self.select and not any(matches(t) for t in self.select):
            return False
        return not any(matches(t) for t in self.ignore)


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Failures of the tool itself (a rule that crashed): reported, exit code 2."""


def run(
    project: Project,
    selection: Selection = Selection(),
    severity_overrides: Mapping[str, Severity] | None = None,
) -> RunResult:
    from composeguard.rules import all_rules

    result = RunResult()
    seen: set[tuple[str, Location, str]] = set()
    overrides = severity_overrides or {}
    for rule in all_rules():
        if not selection.allows(rule.code, rule.name):
            continue
        try:
            for finding in rule.check(project):
                key = (finding.code, finding.location, finding.message)
                if key in seen:
                    continue
                seen.add(key)
                override = overrides.get(rule.code) or overrides.get(rule.name)
                result.findings.append(replace(finding, severity=override) if override else finding)
        except Exception as exc:  # a bug in a rule must not hide every other finding
            result.errors.append(f"internal error in {rule.code} ({rule.name}): {exc!r}")
    result.findings = _unsuppressed(result.findings)
    result.findings.sort(key=Finding.sort_key)
    return result


def _unsuppressed(findings: Iterable[Finding]) -> list[Finding]:
    from composeguard.lint.suppress import is_suppressed

    return [f for f in findings if not is_suppressed(f)]


def exit_code(findings: Sequence[Finding], fail_on: Severity, errors: Sequence[str] = ()) -> int:
    if errors:
        return 2
    return 1 if any(f.severity >= fail_on for f in findings) else 0
