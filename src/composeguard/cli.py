"""The command line: ``composeguard check``, ``fix``, ``rules``, ``explain``.

Exit codes: 0 nothing at or above ``--fail-on``, 1 something was found, 2 usage errors or the
tool itself failed. No traceback reaches the user: :func:`main` turns an unexpected exception
into one line on stderr.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from composeguard import __version__
from composeguard.lint.engine.finding import LAYOUTS

if TYPE_CHECKING:
    from composeguard.lint.engine.baseline import Baseline
    from composeguard.lint.engine.config import Config
    from composeguard.lint.engine.finding import Layout
    from composeguard.lint.engine.selection import Selection
    from composeguard.lint.project import Project
    from composeguard.runner import RunResult

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _OneLineError(click.ClickException):
    """An error the user caused that needs no usage text: ``composeguard: error: ...``."""

    exit_code = EXIT_ERROR

    def show(self, file: object = None) -> None:
        click.echo(f"composeguard: error: {self.format_message()}", err=True)


def _split_selectors(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(t.strip() for v in values for t in v.split(",") if t.strip())


def _check_selectors(
    ctx: click.Context, param: click.Parameter, values: Sequence[str]
) -> tuple[str, ...]:
    tokens = _split_selectors(values)
    if not tokens:
        return tokens
    from composeguard.lint.engine.selection import unknown_selectors
    from composeguard.rules import catalog

    unknown = unknown_selectors(tokens, catalog())
    if unknown:
        listed = ", ".join(repr(t) for t in unknown)
        verb = "matches" if len(unknown) == 1 else "match"
        raise click.BadParameter(
            f"{listed} {verb} no rule code, code prefix or rule name "
            "(see `composeguard rules`)",
            ctx=ctx, param=param,
        )
    return tokens


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="composeguard",
                      message="%(prog)s %(version)s")
def cli() -> None:
    """Lint Docker Compose projects for mistakes that lose production data."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format",
              type=click.Choice(["text", "concise", "json", "sarif", "github", "gitlab",
                                 "junit"]),
              default="text", show_default=True,
              help="Report format: text (each finding with its help), concise (one line "
                   "each), json, sarif (SARIF 2.1.0), github (workflow annotations), gitlab "
                   "(Code Quality report), junit (JUnit XML).")
@click.option("--concise", "concise", is_flag=True,
              help="One line per finding, without the help (the same as --format concise).")
@click.option("-q", "--quiet", is_flag=True,
              help="Print the findings and nothing else: no summary, no notes (errors still "
                   "go to stderr).")
@click.option("--statistics", is_flag=True,
              help="Print how many findings each rule reported instead of the findings.")
@click.option("--exit-zero", is_flag=True,
              help="Exit 0 even when something was found (2 still means composeguard failed).")
@click.option("-o", "--output", "output_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report to FILE; the terminal still gets the text report.")
@click.option("--select", multiple=True, callback=_check_selectors, metavar="CODES",
              help="Only these rules: codes, code prefixes (CG1) or names, comma-separated.")
@click.option("--ignore", multiple=True, callback=_check_selectors, metavar="CODES",
              help="Skip these rules: codes, code prefixes or names, comma-separated.")
@click.option("--extend-select", multiple=True, callback=_check_selectors, metavar="CODES",
              help="Add these rules to the selection (the config's or --select's).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"], case_sensitive=False),
              default=None, help="Lowest severity that makes the exit code 1 [default: warning].")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Configuration file (default: the nearest .composeguard.toml, or "
                   "pyproject.toml with [tool.composeguard], above the first PATH).")
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Hide the findings recorded in this baseline file; report only new ones.")
@click.option("--write-baseline", "write_baseline_path",
              type=click.Path(path_type=Path, dir_okay=False),
              help="Record the current findings in this baseline file and exit 0.")
@click.option("--color/--no-color", default=None,
              help="Colour the text output (default: on a terminal, unless NO_COLOR is set).")
@click.option("-v", "--verbose", is_flag=True, help="Say what was checked, on stderr.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Processes for checking separate projects (git work trees) at once; 0: "
                   "one per CPU, when there are enough compose files for it to pay.")
@click.option("--no-cache", is_flag=True,
              help="Check in full even if nothing changed since the last identical run "
                   "(also COMPOSEGUARD_NO_CACHE=1).")
@click.option("--stdin-filename", type=click.Path(path_type=Path, dir_okay=False),
              help="With PATH `-`: the compose file standard input stands for. The project "
                   "around it is read from disk; only its findings are reported.")
def check(
    paths: tuple[Path, ...],
    output_format: str,
    output_path: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    fail_on: str | None,
    config_path: Path | None,
    baseline_path: Path | None,
    write_baseline_path: Path | None,
    color: bool | None,
    verbose: bool,
    jobs: int,
    no_cache: bool,
    concise: bool,
    quiet: bool,
    statistics: bool,
    exit_zero: bool,
    stdin_filename: Path | None,
) -> int:
    """Check PATHS (default: the current directory); `-` reads one compose file from
    standard input (with --stdin-filename)."""
    from composeguard.lint.engine import cache

    if concise and output_format == "text":
        output_format = "concise"
    stdin: tuple[Path, str] | None = None
    if "-" in map(str, paths):
        if paths != (Path("-"),) or stdin_filename is None:
            raise _OneLineError("`-` (standard input) goes alone, with --stdin-filename PATH "
                                "naming the compose file it stands for")
        text = sys.stdin.read()
        stdin = (Path(os.path.abspath(stdin_filename)), text)
        paths = (_stdin_project(stdin[0]),)
        no_cache = True  # the input is not a file the cache can compare
    elif stdin_filename is not None:
        raise _OneLineError("--stdin-filename needs `-` as the path")

    params: dict[str, object] = {
        "paths": paths, "output_format": output_format, "output_path": output_path,
        "select": select, "ignore": ignore, "extend_select": extend_select,
        "fail_on": fail_on, "config_path": config_path, "baseline_path": baseline_path,
        "write_baseline_path": write_baseline_path, "color": color, "verbose": verbose,
        "jobs": jobs, "quiet": quiet, "statistics": statistics, "exit_zero": exit_zero,
        "stdin": stdin}

    def body(transcript: cache.Transcript) -> int:
        return _check(transcript.echo, **params)  # type: ignore[arg-type]

    if no_cache or verbose or output_path is not None or write_baseline_path is not None \
            or cache.disabled():
        return body(cache.Transcript())
    same_output = {k: v for k, v in params.items() if k != "jobs"}
    return cache.cached_run("check", same_output, body)


def _stdin_project(path: Path) -> Path:
    """What to check around a file given on standard input: its git work tree, else its
    folder (which must exist)."""
    from composeguard.lint.model.discover import work_tree

    folder = path.parent
    if not folder.is_dir():
        raise _OneLineError(f"--stdin-filename {path}: its folder does not exist")
    return work_tree(folder) or folder


def _setups_note(judged: Mapping[str, int]) -> str | None:
    """What the summary does not show: setups judged examples (only what stops Compose is
    checked there), or no setup judged production at all (the production rules had nothing
    to judge). None when every setup was checked as production or alongside one."""
    def plural(count: int, word: str) -> str:
        return f"{count} {word}" if count == 1 else f"{count} {word}s"

    examples = judged.get("example", 0)
    production = judged.get("production", 0)
    others = [plural(judged[e], f"{e} setup") for e in ("development", "test") if judged.get(e)]
    parts = []
    if examples:
        parts.append(f"{plural(examples, 'setup')} judged "
                     f"{'an example' if examples == 1 else 'examples'} (only what stops Compose "
                     "is checked there)")
    if not production and others:
        parts.append(f"no production setup, only {' and '.join(others)} (the production "
                     "rules did not apply)")
    if not parts:
        return None
    return f"Note: {'; '.join(parts)}; `composeguard setups` says why."


def _check(
    say: Callable[..., None],
    paths: tuple[Path, ...],
    output_format: str,
    output_path: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    fail_on: str | None,
    config_path: Path | None,
    baseline_path: Path | None,
    write_baseline_path: Path | None,
    color: bool | None,
    verbose: bool,
    jobs: int,
    quiet: bool = False,
    statistics: bool = False,
    exit_zero: bool = False,
    stdin: tuple[Path, str] | None = None,
) -> int:
    """The check itself; everything it prints goes through ``say`` (``click.echo``'s
    signature), so that a cached run can print it again."""
    from composeguard.lint.engine.config import resolve_selection
    from composeguard.lint.engine.finding import Severity
    from composeguard.lint.engine.report import (
        display_path,
        render_report,
        render_statistics,
        render_text,
        use_color,
        write_report,
    )
    from composeguard.lint.model.discover import separate_projects
    from composeguard.lint.project import Project
    from composeguard.rules import catalog
    from composeguard.runner import Progress, check_projects, exit_code, merged

    paths = paths or (Path("."),)
    for path in (*paths, *([config_path] if config_path else [])):
        if not os.path.lexists(path):
            raise _OneLineError(f"path does not exist: {path}")
    config = _load_config(config_path, paths[0])
    if baseline_path is not None and write_baseline_path is not None:
        raise _OneLineError("use either --baseline or --write-baseline, not both")
    baseline = None if write_baseline_path else _load_baseline(baseline_path or config.baseline)
    started = time.perf_counter()
    projects = [Project(part, exclude=config.exclude, environment_patterns=config.environments,
                        extra_data_stores=config.data_stores, stdin=stdin)
                for part in separate_projects(paths)]
    selection = resolve_selection(config, select, extend_select, ignore, catalog())
    stderr_tty = bool(getattr(sys.stderr, "isatty", lambda: False)())
    checked = check_projects(projects, selection, config.severity, jobs=jobs, verbose=verbose,
                             progress=Progress(sys.stderr) if stderr_tty and not quiet else None)
    result = merged(checked)
    if stdin is not None:  # the file standard input stands for, not the project around it
        result.findings = [f for f in result.findings
                           if os.path.abspath(f.location.path) == str(stdin[0])]
        result.blanket = [f for f in result.blanket if f in result.findings]
        for part in checked:
            part.not_read = {}
    read = _reader(projects)
    if write_baseline_path is not None:
        return _record_baseline(write_baseline_path, result, read)
    if baseline is not None:
        result.findings, hidden = baseline.filter(result.findings, read)
        hidden_ids = {id(f) for f in hidden}
        result.blanket = [f for f in result.blanket if id(f) not in hidden_ids]
        if verbose:
            say(f"composeguard: baseline {display_path(baseline.path)} hid "
                       f"{len(hidden)} finding(s)", err=True)
    threshold = Severity.parse(fail_on) if fail_on else config.fail_on or Severity.WARNING
    files_checked = sum(part.files_checked for part in checked)
    if output_path is not None:
        report = render_report(output_format, result.findings, files_checked,
                               read=read, errors=result.errors,
                               rules=_sarif_rules(output_format))
        try:
            write_report(output_path, report)
        except OSError as exc:
            raise _OneLineError(
                f"cannot write {output_path}: {exc.strerror or exc}"
            ) from None
    terminal_format = ("concise" if output_format == "concise" else "text") \
        if output_path is not None else output_format
    colored = terminal_format in ("text", "concise") and use_color(
        color, bool(getattr(sys.stdout, "isatty", lambda: False)()))
    human = terminal_format in ("text", "concise")
    if statistics and human:
        say(render_statistics(result.findings), nl=False)
    elif quiet and human:
        say(render_text(result.findings, files_checked, color=colored,
                        concise=terminal_format == "concise", quiet=True), nl=False,
            color=colored)
    else:
        say(render_report(terminal_format, result.findings, files_checked, color=colored,
                          read=read, errors=result.errors, rules=_sarif_rules(terminal_format)),
            nl=False, color=colored)
    done = EXIT_OK if exit_zero and not result.errors else \
        exit_code(result.findings, threshold, result.errors)
    if quiet:
        for error in result.errors:
            say(f"composeguard: {error}", err=True)
        return done
    judged: dict[str, int] = {}
    for part in checked:
        for environment, count in part.environments.items():
            judged[environment] = judged.get(environment, 0) + count
    note = _setups_note(judged)
    if note is not None:
        say(note if human else f"composeguard: {note}", err=not human)
    if verbose:
        if config.path is not None:
            say(f"composeguard: configuration from {display_path(config.path)}", err=True)
        say(
            f"composeguard: checked {files_checked} compose file(s) with {result.rules_run} "
            f"rule(s) in {time.perf_counter() - started:.2f}s; "
            f"{len(result.suppressed)} finding(s) suppressed by comments",
            err=True,
        )
        if len(projects) > 1:
            say(f"composeguard: {len(projects)} separate projects (git work trees) checked "
                "apart", err=True)
        for line in (line for part in checked for line in part.setup_lines):
            say(f"composeguard: {line}", err=True)
        unchecked = _git_rules_not_checked(any(part.in_git for part in checked), selection)
        if unchecked:
            codes = unchecked[0] if len(unchecked) == 1 else \
                f"{', '.join(unchecked[:-1])} and {unchecked[-1]}"
            say(f"composeguard: not a git repository: {codes} "
                       f"(tracked files) {'was' if len(unchecked) == 1 else 'were'} not checked",
                       err=True)
    for finding in result.blanket:
        say(
            f"composeguard: {display_path(finding.location.path)}:{finding.location.line}: "
            f"`# composeguard: ignore` needs codes to suppress anything, e.g. "
            f"`# composeguard: ignore[{finding.code}]`",
            err=True,
        )
    for part in checked:
        for path, reason in part.not_read.items():
            say(f"composeguard: {display_path(path)}: {reason}", err=True)
    for error in result.errors:
        say(f"composeguard: {error}", err=True)
    return done


def _setups(project: Project) -> list[dict[str, object]]:
    from composeguard.runner import setup_rows

    return setup_rows(project)


def _setup_lines(project: Project) -> list[str]:
    from composeguard.runner import setup_lines

    return setup_lines(project)


def _say_what_was_not_read(project: Project, say: Callable[..., None] = click.echo) -> None:
    """On stderr: each file or folder that was not read, and why (templates are -v business)."""
    from composeguard.lint.engine.report import display_path
    from composeguard.runner import not_read

    for path, reason in not_read(project).items():
        say(f"composeguard: {display_path(path)}: {reason}", err=True)


def _reader(projects: Sequence[Project]) -> Callable[[Path], str | None]:
    """A file's text as the project that may read it gives it."""
    if len(projects) == 1:
        return projects[0].read_text

    def read(path: Path) -> str | None:
        return next((text for text in (p.read_text(path) for p in projects)
                     if text is not None), None)

    return read


def _git_rules_not_checked(in_git: bool, selection: Selection) -> list[str]:
    """The selected rules about tracked files, when no checked path is in a git repository
    (they are silent there, and silence must not read as "nothing tracked")."""
    from composeguard.rules import find_rule
    from composeguard.rules.repository import GIT_CODES

    if in_git:
        return []
    return [code for code in GIT_CODES
            if (found := find_rule(code)) is not None and selection.allows(code, found.name)]


def _sarif_rules(output_format: str) -> list[dict[str, object]]:
    """The catalog as SARIF rule descriptors, built only for a SARIF report."""
    if output_format != "sarif":
        return []
    from composeguard.docs import sarif_rules

    return sarif_rules()


def _load_config(explicit: Path | None, first_path: Path) -> Config:
    """``--config`` or the nearest config file; a bad one is a one-line error naming it."""
    from composeguard.lint.engine.config import ConfigError, find_config, load_config
    from composeguard.rules import catalog

    path = explicit
    if path is None:
        start = Path(os.path.abspath(first_path))
        # Never resolve the checked path itself: it may be a symlink loop (reported as CG001).
        start = start if os.path.isdir(start) else start.parent
        try:
            path = find_config(start)
        except (OSError, RuntimeError):
            path = None
        except ConfigError as exc:  # a pyproject.toml that is not valid TOML
            raise _OneLineError(str(exc)) from None
    try:
        return load_config(path, catalog())
    except ConfigError as exc:
        raise _OneLineError(str(exc)) from None


def _load_baseline(path: Path | None) -> Baseline | None:
    """A missing or malformed baseline is a usage error: silently reporting every old finding
    (or none) would be worse than stopping."""
    if path is None:
        return None
    from composeguard.lint.engine.baseline import BaselineError, load_baseline

    try:
        return load_baseline(path)
    except BaselineError as exc:
        raise _OneLineError(str(exc)) from None


def _record_baseline(path: Path, result: RunResult, read: Callable[[Path], str | None]) -> int:
    from composeguard.lint.engine.baseline import BaselineError, write_baseline
    from composeguard.lint.engine.finding import Severity
    from composeguard.runner import exit_code

    try:
        count = write_baseline(path, result.findings, read)
    except BaselineError as exc:
        raise _OneLineError(str(exc)) from None
    click.echo(f"composeguard: recorded {count} finding(s) in {path}", err=True)
    for error in result.errors:
        click.echo(f"composeguard: {error}", err=True)
    return exit_code([], Severity.INFO, result.errors)


@cli.command("fix")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--diff", "show_diff", is_flag=True,
              help="Print the changes as a unified diff and write nothing; exit 1 when there "
                   "is something to fix.")
@click.option("--unsafe-fixes", is_flag=True,
              help="Also apply unsafe fixes: changes that need a manual step on a running "
                   "deployment (copying data into a new volume). Without it they are listed.")
@click.option("--select", multiple=True, callback=_check_selectors, metavar="CODES",
              help="Only fix these rules: codes, code prefixes (CG1) or names, comma-separated.")
@click.option("--ignore", multiple=True, callback=_check_selectors, metavar="CODES",
              help="Do not fix these rules: codes, code prefixes or names, comma-separated.")
@click.option("--force", is_flag=True,
              help="Let a fix replace a file that exists already, or one that changed after "
                   "it was read.")
@click.option("--scripts", "with_scripts", is_flag=True,
              help="Also write scripts/backup-database.sh and scripts/restore-database.sh "
                   "(executable) for the project's mysql/mariadb, postgres or mongo service; "
                   "an existing script is never replaced.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Configuration file (default: as for `check`).")
@click.option("--layout", type=click.Choice(LAYOUTS), default="standalone",
              show_default=True,
              help="How the dev/prod split (CG601) is written: two complete files, or "
                   "overrides for `docker compose -f BASE -f FILE`.")
@click.option("--color/--no-color", default=None,
              help="Colour the diff and the fix lines (default: on a terminal, unless NO_COLOR "
                   "is set).")
def fix_command(
    paths: tuple[Path, ...],
    show_diff: bool,
    unsafe_fixes: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    force: bool,
    with_scripts: bool,
    config_path: Path | None,
    layout: Layout,
    color: bool | None,
) -> int:
    """Fix what can be fixed in PATHS (default: the current directory).

    Prints one line per fix and writes the files. Safe fixes are applied; unsafe ones
    (marked in each rule's "Fix safety") only with --unsafe-fixes. With --diff, prints a
    unified diff instead and writes nothing.

    Every file is written atomically (a temporary file renamed over it, its mode kept), and
    the files of one fix all or none. fix never writes outside PATHS (a PATH that is a file
    allows only that file) or through a symlink, never deletes a file, and never replaces a
    file that changed after it was read or creates one that exists, unless --force. One run
    at a time holds the project's lock. Fixing a second time changes nothing.

    Exit status: 0 when every change was written (or there was nothing to fix); 1 with
    --diff when there is something to fix, or when a change could not be written; 2 on
    usage errors or when a rule failed.
    """
    from composeguard.fix.apply.plan import FixPlan, plan_fixes, unified_diff
    from composeguard.fix.write import FileChange, LockTimeout, project_lock, write_changes
    from composeguard.lint.engine.config import resolve_selection
    from composeguard.lint.engine.finding import FixOptions
    from composeguard.lint.engine.report import colour_diff, display_path, use_color
    from composeguard.lint.model.discover import separate_projects
    from composeguard.lint.project import Project
    from composeguard.rules import catalog

    paths = paths or (Path("."),)
    colored = use_color(color, bool(getattr(sys.stdout, "isatty", lambda: False)()))
    for path in (*paths, *([config_path] if config_path else [])):
        if not os.path.lexists(path):
            raise _OneLineError(f"path does not exist: {path}")
    config = _load_config(config_path, paths[0])

    def make_project(checked: Sequence[Path]) -> Project:
        return Project(checked, exclude=config.exclude, environment_patterns=config.environments,
                       extra_data_stores=config.data_stores)

    def waiting(folder: Path) -> None:
        click.echo(f"composeguard: another composeguard fix is running in "
                   f"{display_path(folder)}; waiting for it to finish", err=True)

    status = EXIT_OK
    failed: set[Path] = set()
    try:
        with contextlib.ExitStack() as held:
            if not show_diff:
                held.enter_context(project_lock(paths, waiting=waiting))
            parts = separate_projects(paths)
            plan = FixPlan.joined([
                plan_fixes(part, selection=resolve_selection(config, select, (), ignore, catalog()),
                           unsafe=unsafe_fixes, force=force, make_project=make_project,
                           options=FixOptions(layout=layout))
                for part in parts])
            scripts: tuple[FileChange, ...] = ()
            if with_scripts:
                from composeguard.fix.backup_scripts import script_changes

                for part in parts:
                    more, skipped = script_changes(make_project(part), part)
                    scripts += more
                    for where, why in skipped:
                        click.echo(f"composeguard: {display_path(where) + ' ' if where else ''}"
                                   f"{why}", err=True)
            for part in parts:
                _say_what_was_not_read(make_project(part))
            applied = list(plan.applied)
            if show_diff:
                for change in (*plan.changes, *scripts):
                    diff = unified_diff(change, display_path(change.path))
                    click.echo(colour_diff(diff) if colored else diff, nl=False, color=colored)
                status = EXIT_FINDINGS if plan.changes or scripts else EXIT_OK
                verb = "Would fix"
            else:
                for written in write_changes(plan.changes, paths, force=force,
                                             groups=plan.groups()):
                    if not written.written:
                        failed.add(written.path)
                        click.echo(f"composeguard: {display_path(written.path)}: "
                                   f"{written.message}", err=True)
                        status = EXIT_FINDINGS
                applied = [fix for fix in applied if not failed.intersection(fix.files)]
                for fix in applied:
                    codes = ", ".join(fix.codes or (fix.code,))
                    code = click.style(codes, bold=True) if colored else codes
                    click.echo(f"{display_path(fix.path)}: {code} {fix.description}",
                               color=colored)
                if scripts:
                    from composeguard.fix.backup_scripts import write_scripts

                    for written in write_scripts(scripts, paths):
                        if written.written:
                            click.echo(f"{display_path(written.path)}: written (executable)")
                        else:
                            click.echo(f"composeguard: {display_path(written.path)}: "
                                       f"{written.message}", err=True)
                            status = EXIT_FINDINGS
                verb = "Fixed"
    except LockTimeout as timeout:
        click.echo(f"composeguard: {timeout}", err=True)
        return EXIT_FINDINGS
    summary = click.echo if not show_diff else (lambda text: click.echo(text, err=True))
    count = plan.resolved if plan.resolved is not None and not failed \
        else sum(fix.findings for fix in applied)
    fixes = len(applied)
    fixed_files = len({path for fix in applied for path in fix.files})
    unsafe = plan.unsafe_left
    not_written = len([f for f in plan.applied if failed.intersection(f.files)])
    if count:
        how = f" with {fixes} fix{'es' if fixes != 1 else ''}" if fixes != count else ""
        summary(f"{verb} {count} problem{'s' if count != 1 else ''}{how} in {fixed_files} "
                f"file{'s' if fixed_files != 1 else ''}.")
    elif not not_written:
        summary("No safe fixes to apply." if unsafe else "Nothing to fix.")
    if not_written:
        summary(f"{not_written} fix{'es' if not_written != 1 else ''} not written: "
                "see the messages above; every file of such a fix was left as it was.")
    if unsafe:
        problems = sum(fix.findings for fix in unsafe)
        resolving = f" ({problems} problems)" if problems != len(unsafe) else ""
        summary(f"{len(unsafe)} unsafe fix{'es' if len(unsafe) != 1 else ''}{resolving} not "
                "applied; read them, then rerun with --unsafe-fixes:")
        for fix in unsafe:
            summary(f"  {display_path(fix.path)}:{fix.line}:{fix.column}: "
                    f"{', '.join(fix.codes or (fix.code,))} {fix.description}")
    for fix in plan.not_applied:
        if fix not in unsafe:
            click.echo(f"composeguard: not fixed: {display_path(fix.path)}:{fix.line}: "
                       f"{fix.code}: {fix.reason}", err=True)
    for error in (*plan.incomplete, *plan.errors):
        click.echo(f"composeguard: {error}", err=True)
    if plan.incomplete and status == EXIT_OK:
        status = EXIT_FINDINGS
    return EXIT_ERROR if plan.errors else status


@cli.command("setups")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="Output format.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Read this configuration file instead of searching for one.")
def setups(paths: tuple[Path, ...], output_format: str, config_path: Path | None) -> int:
    """Show what each compose setup under PATHS is for, and the line that decided.

    Every rule asks this judgement: production, development, test or example. Override it
    with `[tool.composeguard.environments]` (a glob of file names or paths = environment).
    """
    from composeguard.lint.model.discover import separate_projects
    from composeguard.lint.project import Project

    paths = paths or (Path("."),)
    for path in (*paths, *([config_path] if config_path else [])):
        if not os.path.lexists(path):
            raise _OneLineError(f"path does not exist: {path}")
    config = _load_config(config_path, paths[0])
    projects = [Project(part, exclude=config.exclude, environment_patterns=config.environments,
                        extra_data_stores=config.data_stores)
                for part in separate_projects(paths)]
    if output_format == "json":
        rows = [row for project in projects for row in _setups(project)]
        click.echo(json.dumps({"version": 1, "setups": rows}, indent=2))
    else:
        for line in (line for project in projects for line in _setup_lines(project)):
            click.echo(line)
    return EXIT_OK


@cli.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def list_rules(output_format: str) -> int:
    """List every rule: code, name, default severity, summary."""
    from composeguard.rules import all_rules

    rules = all_rules()
    if output_format == "json":
        document = {
            "version": 1,
            "rules": [
                {"code": r.code, "name": r.name, "severity": str(r.severity), "summary": r.summary}
                for r in rules
            ],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return EXIT_OK
    rows = [("CODE", "NAME", "SEVERITY", "SUMMARY")]
    rows += [(r.code, r.name, str(r.severity), r.summary) for r in rules]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths)) + "  " + row[3])
    return EXIT_OK


@cli.command()
@click.argument("rule")
def explain(rule: str) -> int:
    """Print the documentation page of RULE (a code such as CG101, or a rule name)."""
    from composeguard.docs import rule_page
    from composeguard.rules import find_rule

    found = find_rule(rule)
    if found is None:
        raise _OneLineError(
            f"unknown rule {rule!r}; `composeguard rules` lists every code and name"
        )
    click.echo(rule_page(found), nl=False)
    return EXIT_OK


@cli.command("docs", hidden=True)
@click.option("--output", type=click.Path(path_type=Path, file_okay=False),
              default=Path("docs") / "rules", show_default=True)
@click.option("--check", "check_only", is_flag=True, help="Exit 1 when the pages are stale.")
def docs_command(output: Path, check_only: bool) -> int:
    """Regenerate the rule pages (docs/rules/) from the rules' metadata."""
    from composeguard.docs import stale_files, write_docs

    if check_only:
        stale = stale_files(output)
        for name in stale:
            click.echo(f"stale: {(output / name).as_posix()}")
        return EXIT_FINDINGS if stale else EXIT_OK
    for name in write_docs(output):
        click.echo(f"updated {(output / name).as_posix()}")
    return EXIT_OK


GC_THRESHOLDS = (100_000, 50, 1000)
"""The cyclic collector's thresholds for a run. A check allocates millions of small objects that
live until its project is done and form few cycles; with Python's default (700, 10, 10) the
collector walked them over and over: 18% of the CPU time of a 1 MB compose file."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (pre-commit style)."""
    import gc

    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        return _main(argv)
    finally:
        gc.set_threshold(*thresholds)


class _Interrupted(BaseException):
    """Ctrl-C, raised past click (which would print a blank line first)."""


def _interrupt(signum: int, frame: object) -> None:
    raise _Interrupted


def _main(argv: Sequence[str] | None) -> int:
    import signal
    import threading

    previous = None
    if threading.current_thread() is threading.main_thread() \
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        previous = signal.signal(signal.SIGINT, _interrupt)
    try:
        return _run(argv)
    except _Interrupted:
        click.echo("composeguard: interrupted", err=True)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _run(argv: Sequence[str] | None) -> int:
    try:
        result = cli.main(args=list(argv) if argv is not None else None,
                          prog_name="composeguard", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("composeguard: interrupted", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("composeguard: interrupted", err=True)
        return 130
    except BrokenPipeError:
        # The reader (``| head``) went away; keep Python from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FINDINGS
    except Exception as exc:  # noqa: BLE001 - the one place every bug is caught
        message = " ".join(str(exc).split()) or type(exc).__name__
        click.echo(f"composeguard: internal error: {type(exc).__name__}: {message}", err=True)
        return EXIT_ERROR
    return result if isinstance(result, int) else EXIT_OK
