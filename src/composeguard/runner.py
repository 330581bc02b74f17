"""Running the selected rules over a Project and applying what no rule knows about:
selection, severity overrides, suppression comments, de-duplication and ordering."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from composeguard.lint.engine.finding import Finding, Fix, FixOffer, Severity
from composeguard.lint.engine.selection import EVERY_RULE, Selection
from composeguard.lint.parse.location import Location
from composeguard.lint.project import Project

if TYPE_CHECKING:
    from composeguard.lint.engine.suppress import Suppressions
    from composeguard.lint.facts.secrets import Redactor

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
    selection: Selection = EVERY_RULE,
    severity_overrides: Mapping[str, Severity] | None = None,
    *,
    progress: Callable[[int, int, str], None] | None = None,
) -> RunResult:
    from composeguard.lint.engine.suppress import Suppressions
    from composeguard.rules import all_rules

    result = RunResult()
    seen: set[tuple[str, Location, str]] = set()
    overrides = {k.lower(): v for k, v in (severity_overrides or {}).items()}
    findings: list[Finding] = []
    rules = all_rules()
    for number, rule in enumerate(rules, 1):
        if progress is not None:
            progress(number, len(rules), rule.code)
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
    suppressions = Suppressions(dict([project.stdin]) if project.stdin is not None else None)
    result.findings, result.suppressed = suppressions.filter(findings)
    if selection.allows("CG006", "unused-suppression"):
        # a suppression's tokens are the user's text: masked like every other finding
        result.findings += [_redacted(f, redactor) for f in _unused_suppressions(
            project, selection, suppressions, findings, result.suppressed)]
    result.findings.sort(key=Finding.sort_key)
    result.blanket = [f for f in result.findings if suppressions.has_blanket(f)]
    return result


def _unused_suppressions(project: Project, selection: Selection, suppressions: Suppressions,
                         findings: Sequence[Finding], suppressed: Sequence[Finding]
                         ) -> list[Finding]:
    """CG006: each code or name of a suppression comment (in a compose file, or a file a
    finding points at) that names no rule, or whose selected rule hid nothing there."""
    from composeguard.rules import all_rules

    rules = {name.lower(): rule for rule in all_rules() for name in (rule.code, rule.name)}
    unused = rules.get("cg006")
    if unused is None:  # a catalog without it (tests that make up their own rules)
        return []
    paths = [*project.discovery.compose_files, *(f.location.path for f in findings)]
    found = []
    for path, directive, token in suppressions.unused(paths, suppressed):
        rule = rules.get(token.lower())
        location = Location(path, directive.line)
        if rule is None:
            found.append(unused.finding(location, f"`{token}` in a suppression is no rule",
                                        help="no rule has this code or name, so the comment "
                                             "hides nothing; name a code `composeguard rules` "
                                             "lists"))
        elif rule.code != "CG006" and selection.allows(rule.code, rule.name):
            scope = "in this file" if not directive.covers else "on the lines it covers"
            found.append(unused.finding(location, f"the suppression of {rule.code} hides nothing",
                                        help=f"no {rule.code} ({rule.name}) finding is reported "
                                             f"{scope}; remove `{token}` from the comment so "
                                             "that it cannot hide a later finding"))
    return found


def _redacted(finding: Finding, redactor: Redactor) -> Finding:
    """The finding with no secret of the project in its message or help, nor in its fix's
    description once ``fix`` builds it."""
    message = redactor.redact(finding.message)
    help_text = redactor.redact(finding.help)

    def masked(built: Fix) -> Fix:
        description = redactor.redact(built.description)
        return built if description == built.description else \
            replace(built, description=description)

    fix = finding.fix
    if isinstance(fix, Fix):
        fix = masked(fix)
    elif fix is not None:
        fix = replace(fix, finish=masked)
    if message == finding.message and help_text == finding.help and fix is finding.fix:
        return finding
    return replace(finding, message=message, help=help_text, fix=fix)


def exit_code(findings: Sequence[Finding], fail_on: Severity, errors: Sequence[str] = ()) -> int:
    if errors:
        return 2
    return 1 if any(f.severity >= fail_on for f in findings) else 0


# -- what the command line reports of a project, and checking projects in parallel -------------


def setup_rows(project: Project) -> list[dict[str, object]]:
    """Each setup composeguard judged, what it is for and the evidence, as plain data."""
    from composeguard.lint.engine.report import display_path

    rows: list[dict[str, object]] = []
    for model in project.models:
        judgement = project.judgement(model)
        runs = project.setup_runs(model)
        rows.append({
            "files": [display_path(f.path) for f in model.files],
            "environment": judgement.environment.value,
            "reason": project.redactor.redact(judgement.reason),
            "decided_by": judgement.by,
            "in_doubt": judgement.doubt,
            "path": display_path(judgement.location.path),
            "line": judgement.location.line,
            "run_by": [{"environment": run.environment.value,
                        "via": project.redactor.redact(run.via),
                        "path": display_path(run.location.path), "line": run.location.line}
                       for run in runs],
        })
    for path, reason in project.skipped.items():
        rows.append({"files": [display_path(path)], "environment": "skipped",
                     "reason": project.redactor.redact(reason), "decided_by": "skipped",
                     "in_doubt": False, "path": display_path(path), "line": 1, "run_by": []})
    return rows


def setup_lines(project: Project) -> list[str]:
    """Each setup on a line (files: environment: why (where)), then the deploy, development
    and test paths that run it, indented."""
    lines = []
    for row in setup_rows(project):
        doubt = " (in doubt)" if row["in_doubt"] else ""
        lines.append(f"{' + '.join(row['files'])}: {row['environment']}{doubt}: "  # type: ignore[arg-type]
                     f"{row['reason']} ({row['path']}:{row['line']})")
        for run in row["run_by"]:  # type: ignore[attr-defined]
            what = "deployed by" if run["environment"] == "production" else \
                f"run for {run['environment']} by"
            lines.append(f"    {what} {run['via']} ({run['path']}:{run['line']})")
    return lines


def not_read(project: Project) -> dict[Path, str]:
    """Each file or folder that was not read, and why (templates are ``-v`` business)."""
    notes = {path: reason for path, reason in project.skipped.items()
             if not reason.startswith("a template")}
    notes.update(project.discovery.not_checked)
    notes.update(project.unparsed_sources)
    return notes


class Progress:
    """One line of progress on a terminal's stderr, shown once a check has taken longer than
    ``delay`` seconds (a quick check prints nothing), redrawn at most every ``interval``, and
    erased before the report is printed. Only for a serial check: worker processes do not
    share the terminal line."""

    def __init__(self, stream: Any, *, delay: float = 1.0, interval: float = 0.2,
                 clock: Callable[[], float] | None = None) -> None:
        import time

        self._stream = stream
        self._clock = clock or time.monotonic
        self._start = self._clock()
        self._delay, self._interval = delay, interval
        self._drawn = 0.0
        self._width = 0

    def update(self, text: str) -> None:
        now = self._clock()
        if now - self._start < self._delay or (self._width and now - self._drawn < self._interval):
            return
        import shutil

        columns = shutil.get_terminal_size((80, 24)).columns - 1
        line = text[:columns]
        self._stream.write("\r" + line + " " * max(0, self._width - len(line)))
        self._stream.flush()
        self._drawn, self._width = now, len(line)

    def clear(self) -> None:
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0


@dataclass
class Checked:
    """What the command line reports of one project's check: small, and plain enough to come
    back from another process."""

    result: RunResult
    files_checked: int
    not_read: dict[Path, str]
    setup_lines: list[str]
    in_git: bool
    environments: dict[str, int] = field(default_factory=dict)
    """How many setups were judged each environment (``production``, ``example``...)."""


PARALLEL_FROM = 40
"""Compose files across two or more projects from which they are checked in parallel: below,
starting the processes costs more than it saves."""


def check_projects(
    projects: Sequence[Project],
    selection: Selection = EVERY_RULE,
    severity_overrides: Mapping[str, Severity] | None = None,
    *,
    jobs: int = 0,
    verbose: bool = False,
    progress: Progress | None = None,
) -> list[Checked]:
    """Each project checked, in order; in up to ``jobs`` processes (0: one per CPU) when there
    are several and enough compose files for it to pay. The result is the same either way."""
    import os

    workers = min(len(projects), jobs or os.cpu_count() or 1)
    if progress is not None and not (workers > 1 and _can_fork() and (jobs > 1 or sum(
            len(p.discovery.compose_files) for p in projects) >= PARALLEL_FROM)):
        checked = []
        shown = progress
        try:
            for index, project in enumerate(projects):
                def tell(number: int, total: int, code: str, index: int = index,
                         project: Project = project) -> None:
                    where = f"project {index + 1} of {len(projects)}, " if len(projects) > 1 \
                        else ""
                    shown.update(f"composeguard: checking: {where}rule {number} of {total} "
                                    f"({code}), {project.files_read} of "
                                    f"{len(project.discovery.files)} files read")
                checked.append(_check_one(project, selection, severity_overrides, verbose,
                                          tell))
        finally:
            progress.clear()
        return checked
    if workers > 1 and _can_fork() and (jobs > 1 or sum(
            len(p.discovery.compose_files) for p in projects) >= PARALLEL_FROM):
        import multiprocessing

        progress = multiprocessing.get_context("fork").RawArray("b", len(projects))
        _FORKED[:] = [(tuple(projects), selection, severity_overrides, verbose, progress)]
        try:
            return _in_workers(projects, workers, progress)
        finally:
            _FORKED.clear()
    return [_check_one(p, selection, severity_overrides, verbose) for p in projects]


class WorkerLost(click.ClickException):
    """A worker process died (killed, out of memory, crashed) while checking a project: an
    error the command line reports in one line, exit 2."""

    exit_code = 2

    def show(self, file: object = None) -> None:
        click.echo(f"composeguard: error: {self.format_message()}", err=True)


def _in_workers(projects: Sequence[Project], workers: int, progress: Any) -> list[Checked]:
    """The projects checked in ``workers`` forked processes. A worker that dies is an error
    naming the project it was checking, at once (never a wait for an answer that cannot
    come); Ctrl-C reaches the parent alone, which stops every worker before it returns."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_quiet_worker)
    futures = [executor.submit(_check_forked, index) for index in range(len(projects))]
    try:
        results = []
        for index, future in enumerate(futures):
            try:
                results.append(future.result())
            except BrokenProcessPool:
                lost = [i for i in range(len(projects)) if progress[i] == 1] or [index]
                roots = ", ".join(str(projects[i].paths[0]) if projects[i].paths else "?"
                                  for i in lost)
                raise WorkerLost(f"the process checking {roots} stopped before it "
                                 "finished (killed or out of memory)") from None
            except MemoryError:
                root = projects[index].paths[0] if projects[index].paths else "?"
                raise WorkerLost(f"the process checking {root} ran out of memory") from None
        executor.shutdown(wait=True)
        return results
    except BaseException:
        _stop(executor)
        raise


def _quiet_worker() -> None:
    """Workers leave Ctrl-C to the parent (no traceback from each of them)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop(executor: Any) -> None:
    """Kill the executor's processes and reap them: nothing is left running."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.kill()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(5)
    # the executor's own thread then sees its workers gone and ends: waiting for it leaves
    # nothing for the interpreter's exit to trip over
    with contextlib.suppress(Exception):
        executor.shutdown(wait=True, cancel_futures=True)


_FORKED: list[tuple[tuple[Project, ...], Selection, Mapping[str, Severity] | None, bool,
                   Any]] = []
"""What the forked workers check (they inherit it: nothing is sent but an index), and where
each says it started (1) and finished (2) a project, so that a worker's death names it."""


def _can_fork() -> bool:
    import multiprocessing
    import sys

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _check_forked(index: int) -> Checked:
    projects, selection, overrides, verbose, progress = _FORKED[0]
    progress[index] = 1
    checked = _check_one(projects[index], selection, overrides, verbose)
    progress[index] = 2
    result = checked.result
    result.findings = [_portable(f) for f in result.findings]
    result.suppressed = [_portable(f) for f in result.suppressed]
    result.blanket = [_portable(f) for f in result.blanket]
    return checked


def _check_one(project: Project, selection: Selection,
               overrides: Mapping[str, Severity] | None, verbose: bool,
               progress: Callable[[int, int, str], None] | None = None) -> Checked:
    result = run(project, selection, overrides, progress=progress)
    result.findings = [_with_buildable_fix(f) for f in result.findings]
    environments: dict[str, int] = {}
    for model in project.models:
        environments[model.environment.value] = environments.get(model.environment.value, 0) + 1
    return Checked(result, len(project.discovery.compose_files), not_read(project),
                   setup_lines(project) if verbose else [], bool(project.discovery.repos),
                   environments)


def _with_buildable_fix(finding: Finding) -> Finding:
    """The finding, called fixable only when its fix can really be built here: an offer
    whose builder finds no exact edit for the file as it is written (an anchor, a folded
    start command, a variable mount source) would make ``check`` count a fix that ``fix``
    then refuses. The edits are built without the final proof that re-parses the whole
    edited file (:data:`~composeguard.fix.yaml_edits.VERIFY`), which ``fix`` still makes."""
    if not isinstance(finding.fix, FixOffer):
        return finding
    from composeguard.fix.yaml_edits import VERIFY

    token = VERIFY.set(False)
    try:
        built = finding.fix.build()
    except Exception:  # noqa: BLE001 - a builder's bug: ``fix`` reports it; here, no fix
        built = None
    finally:
        VERIFY.reset(token)
    return finding if built is not None else replace(finding, fix=None)


def _portable(finding: Finding) -> Finding:
    """The finding as ``check`` reports it, its fix reduced to whether one is offered and
    whether it is safe (the offer itself holds the project's tree, and is built only by
    ``fix``, in one process)."""
    if finding.fix is None:
        return finding
    return replace(finding, fix=FixOffer(_built_by_fix_only, safe=finding.fix.safe))


def _built_by_fix_only(*_: object) -> Fix | None:
    return None


def merged(checked: Sequence[Checked]) -> RunResult:
    """The projects' results as one, findings in the order one run gives them."""
    result = RunResult()
    for part in checked:
        result.findings.extend(part.result.findings)
        result.suppressed.extend(part.result.suppressed)
        result.blanket.extend(part.result.blanket)
        result.errors.extend(e for e in part.result.errors if e not in result.errors)
        result.rules_run = max(result.rules_run, part.result.rules_run)
    result.findings.sort(key=Finding.sort_key)
    result.blanket.sort(key=Finding.sort_key)
    return result
