"""Collecting the fixes of a lint run into a plan of whole-file changes.

Each pass lints, takes every fix it may apply (safe ones, unsafe ones too when asked), and
applies them to the planned text of each file. A fix is atomic: when one of its edits overlaps
an edit already taken in this pass (or both insert at the same point), the whole fix waits for
the next pass, which lints the planned text again (in a :mod:`~composeguard.fix.apply.sandbox`) and
rebuilds it from there. Passes stop when nothing more applies, so fixing the result again
changes nothing. The first pass lints the real project, exactly as ``composeguard check`` does.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from composeguard.fix.edits import BOM, EditError, Span, TextIndex, in_order, splice
from composeguard.fix.write import FileChange, within
from composeguard.lint.engine.finding import Finding, Fix, FixOptions
from composeguard.lint.engine.selection import Selection
from composeguard.lint.project import Project
from composeguard.runner import run

MAX_PASSES = 10
MAX_FILE_BYTES = 8 * 1024 * 1024

ProjectFactory = Callable[[Sequence[Path]], Project]
"""Builds the Project for the checked paths (the CLI passes the configured options)."""

UNSAFE = "unsafe: applied only with --unsafe-fixes"
NOT_BUILT = ("no exact edit could be made here (the file is written in a shape the fix does "
             "not edit); change it by hand as the message says")


@dataclass(frozen=True, slots=True)
class PlannedFix:
    """A fix of the plan, applied or not (``reason`` says why not)."""

    code: str
    path: Path
    line: int
    column: int
    description: str
    safe: bool
    reason: str | None = None
    files: tuple[Path, ...] = ()
    """The files the fix edits or creates."""
    codes: tuple[str, ...] = ()
    """Every rule whose findings this one fix resolves (the split resolves CG601's, CG201's
    and CG203's findings of one file), ``code`` first; empty means ``code`` alone."""
    findings: int = 1
    """How many findings it resolves: what ``check`` counted as fixable."""


@dataclass(frozen=True, slots=True)
class FixPlan:
    changes: tuple[FileChange, ...] = ()
    applied: tuple[PlannedFix, ...] = ()
    not_applied: tuple[PlannedFix, ...] = ()
    """Fixes left out, with the reason: unsafe without ``--unsafe-fixes``, outside the checked
    paths, over an existing file without ``--force``, or still conflicting after the last
    pass."""
    errors: tuple[str, ...] = ()
    """Rules that crashed (the rest of the plan stands)."""
    passes: int = 0
    incomplete: tuple[str, ...] = ()
    """Why planning stopped before every pass was made (a sandbox that could not be
    written): the plan stands, some fixes wait for the next run."""
    resolved: int | None = None
    """How many of the findings ``check`` called fixable are gone once the plan is applied
    (by their own fix, or by another's: a store kept on loopback no longer has a password
    worth reporting); None when the planned files were not checked again."""

    @staticmethod
    def joined(plans: Sequence[FixPlan]) -> FixPlan:
        """The plans of separate projects (no file in two of them) as one."""
        if len(plans) == 1:
            return plans[0]
        return FixPlan(
            changes=tuple(c for p in plans for c in p.changes),
            applied=tuple(f for p in plans for f in p.applied),
            not_applied=tuple(f for p in plans for f in p.not_applied),
            errors=tuple(dict.fromkeys(e for p in plans for e in p.errors)),
            passes=max((p.passes for p in plans), default=0),
            incomplete=tuple(i for p in plans for i in p.incomplete),
            resolved=None if any(p.resolved is None for p in plans)
            else sum(p.resolved or 0 for p in plans),
        )

    @property
    def unsafe_left(self) -> tuple[PlannedFix, ...]:
        return tuple(f for f in self.not_applied if f.reason == UNSAFE)

    def groups(self) -> tuple[tuple[Path, ...], ...]:
        """The files that must be written together: those of one applied fix, joined with
        the files of every other fix that edits one of them (their texts are merged)."""
        parent: dict[Path, Path] = {}

        def find(path: Path) -> Path:
            parent.setdefault(path, path)
            while parent[path] != path:
                parent[path] = parent[parent[path]]
                path = parent[path]
            return path

        for fix in self.applied:
            files = list(fix.files)
            for path in files:
                find(path)
            for other in files[1:]:
                parent[find(other)] = find(files[0])
        joined: dict[Path, list[Path]] = {}
        for path in sorted(parent):
            joined.setdefault(find(path), []).append(path)
        return tuple(tuple(group) for group in joined.values())


def plan_fixes(
    paths: Sequence[Path],
    *,
    selection: Selection | None = None,
    unsafe: bool = False,
    force: bool = False,
    make_project: ProjectFactory | None = None,
    max_passes: int = MAX_PASSES,
    options: FixOptions | None = None,
) -> FixPlan:
    """Plan every fix for ``paths``; nothing is written (see :mod:`composeguard.fix.write`).

    ``unsafe`` also applies fixes marked unsafe; ``force`` lets a fix's new file replace an
    existing one; ``options`` shape the fixes that ask for them (the split's layout).
    """
    from composeguard.fix.apply.sandbox import Sandbox, mirror

    factory = make_project or (lambda p: Project(p))
    paths = tuple(Path(p) for p in paths) or (Path("."),)
    state = _Planner(paths, unsafe, force, options or FixOptions())
    real_project = factory(paths)
    project = real_project
    sandbox: Sandbox | None = None
    errors: list[str] = []
    incomplete: list[str] = []
    passes = 0
    covered = 0
    """check's fixable findings the first pass fixed (each fix counts every finding it
    resolves)."""
    waiting: list[tuple[str, Path, str]] = []
    """check's other fixable findings: a later pass, or another fix, may resolve them."""
    resolved: int | None = None
    try:
        while True:
            passes += 1
            result = run(project, selection or Selection())
            errors.extend(e for e in result.errors if e not in errors)
            to_real = sandbox.outside if sandbox is not None else _absolute
            found = {(f.code, to_real(f.location.path), f.message) for f in result.findings}
            if passes > 1:  # check's fixable findings that another fix made go away too
                resolved = covered + sum(1 for key in waiting if key not in found)
            applied = state.apply_pass(result.findings, to_real)
            if passes == 1:
                covered = len(state.covered)
                waiting = [(f.code, to_real(f.location.path), f.message)
                           for f in result.findings if f.fix is not None
                           and id(f) not in state.covered and id(f) not in state.unbuilt]
            if not applied:
                resolved = resolved if passes > 1 else 0
            else:
                resolved = None  # the files change again: judged on the next pass
            if not applied or passes >= max_passes:
                break
            if sandbox is not None:
                sandbox.close()
                sandbox = None
            try:
                sandbox = mirror(real_project, state.contents, paths)
            except (OSError, ValueError) as error:
                reason = error.strerror if isinstance(error, OSError) and error.strerror \
                    else error
                incomplete.append(f"cannot lint the planned files again ({reason}); fixes "
                                  "that waited for another pass are left out")
                break
            project = factory([sandbox.inside(p) for p in paths])
    finally:
        if sandbox is not None:
            sandbox.close()
    return FixPlan(state.changes(), tuple(state.applied), tuple(state.not_applied),
                   tuple(errors), passes, tuple(incomplete), resolved)


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))


@dataclass
class _Planner:
    paths: tuple[Path, ...]
    unsafe: bool
    force: bool
    options: FixOptions
    originals: dict[Path, str | None] = field(default_factory=dict)
    contents: dict[Path, str] = field(default_factory=dict)
    """Planned text of every file a fix touched, by absolute path."""
    applied: list[PlannedFix] = field(default_factory=list)
    not_applied: list[PlannedFix] = field(default_factory=list)
    applied_keys: set[tuple[str, Path, str]] = field(default_factory=set)
    covered: set[int] = field(default_factory=set)
    """The findings (by ``id``) of the pass under way that an applied fix resolves."""
    unbuilt: set[int] = field(default_factory=set)
    """The findings of the pass under way whose offer found no exact edit."""
    _indexes: dict[Path, TextIndex] = field(default_factory=dict)
    """Line offsets of the planned texts, for the pass under way."""

    def apply_pass(self, findings: Iterable[Finding], to_real: Callable[[Path], Path]) -> int:
        """Apply what fits of this pass's fixes; returns how many were applied."""
        self.not_applied = []
        self.covered = set()
        self.unbuilt = set()
        self._indexes = {}
        taken: dict[Path, list[Span]] = {}
        created: dict[Path, str] = {}
        seen: dict[tuple[object, ...], tuple[list[PlannedFix], int]] = {}
        """Each fix's identity -> where it was put: ``applied`` or ``not_applied``, and its
        index there."""
        count = 0
        for finding in findings:
            if finding.fix is None:
                continue
            fix = finding.fix.build(self.options)
            if fix is None:
                self.unbuilt.add(id(finding))
                self.not_applied.append(PlannedFix(
                    finding.code, to_real(finding.location.path), finding.location.line,
                    finding.location.column, "", finding.fix.safe, NOT_BUILT))
                continue
            fix = _relocated(fix, to_real)
            identity = (fix.edits, fix.new_files)
            if identity in seen:  # one fix, one more finding it resolves
                where, index = seen[identity]
                first = where[index]
                if where is self.applied:
                    self.covered.add(id(finding))
                codes = tuple(sorted({*(first.codes or (first.code,)), finding.code}))
                where[index] = replace(first, codes=codes, findings=first.findings + 1)
                continue
            planned = _planned(finding, fix, to_real)
            key = (planned.code, planned.path, fix.description)
            spans = self._spans(fix)
            reason = spans if isinstance(spans, str) else self._conflict(fix, spans, taken, created)
            if reason is None and key in self.applied_keys:
                reason = "proposed again after it was applied (the fixes do not converge)"
            if reason is not None:
                seen[identity] = (self.not_applied, len(self.not_applied))
                self.not_applied.append(_with_reason(planned, reason))
                continue
            assert not isinstance(spans, str)
            for path, new in spans.items():
                taken.setdefault(path, []).extend(new)
            created.update(fix.new_files)
            seen[identity] = (self.applied, len(self.applied))
            self.covered.add(id(finding))
            self.applied.append(planned)
            self.applied_keys.add(key)
            count += 1
        for path, planned_spans in taken.items():
            text = self.text(path)
            assert text is not None
            bom = BOM if text.startswith(BOM) else ""
            self.contents[path] = bom + splice(text.removeprefix(BOM), planned_spans)
        for path, text in created.items():
            self.originals.setdefault(path, self._disk_text(path))
            self.contents[path] = text
        return count

    def _spans(self, fix: Fix) -> dict[Path, list[Span]] | str:
        """The fix's edits as spans of the planned texts, or why they cannot be applied."""
        if not fix.safe and not self.unsafe:
            return UNSAFE
        spans: dict[Path, list[Span]] = {}
        for edit in fix.edits:
            if not within(edit.path, self.paths):
                return f"{edit.path} is outside the checked paths"
            index = self._index(edit.path)
            if index is None:
                return f"{edit.path} cannot be read as UTF-8 text"
            try:
                spans.setdefault(edit.path, []).append(index.span(edit))
            except EditError as error:
                return f"the fix does not fit the file: {error}"
        for new in spans.values():
            try:
                in_order(new)
            except EditError as error:
                return f"the fix's own edits overlap: {error}"
        return spans

    def _conflict(self, fix: Fix, spans: dict[Path, list[Span]],
                  taken: dict[Path, list[Span]], created: dict[Path, str]) -> str | None:
        """Why ``fix`` cannot join the fixes already taken in this pass, or None."""
        for path, new in spans.items():
            if path in created or any(s.conflicts(t) for s in new for t in taken.get(path, ())):
                return "overlaps another fix"
        for path, _ in fix.new_files:
            if not within(path, self.paths):
                return f"{path} is outside the checked paths"
            if path in taken or path in spans or path in created:
                return "overlaps another fix"
            exists = path in self.contents or os.path.lexists(path)
            if exists and not self.force:
                return f"{path.name} exists already (--force replaces it)"
        return None

    def _index(self, path: Path) -> TextIndex | None:
        if path not in self._indexes:
            text = self.text(path)
            if text is None:
                return None
            self._indexes[path] = TextIndex(text.removeprefix(BOM))
        return self._indexes[path]

    def text(self, path: Path) -> str | None:
        """The planned text of ``path``: after earlier passes, else as on disk."""
        if path in self.contents:
            return self.contents[path]
        if path not in self.originals:
            self.originals[path] = self._disk_text(path)
        return self.originals[path]

    @staticmethod
    def _disk_text(path: Path) -> str | None:
        try:
            if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
                return None
            return path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def changes(self) -> tuple[FileChange, ...]:
        return tuple(
            FileChange(path, self.originals.get(path), text)
            for path, text in sorted(self.contents.items())
            if text != self.originals.get(path)
        )


def _relocated(fix: Fix, to_real: Callable[[Path], Path]) -> Fix:
    from dataclasses import replace

    edits = tuple(replace(e, path=to_real(e.path)) for e in fix.edits)
    new_files = tuple((to_real(p), text) for p, text in fix.new_files)
    return replace(fix, edits=edits, new_files=new_files)


def _planned(finding: Finding, fix: Fix, to_real: Callable[[Path], Path]) -> PlannedFix:
    """``fix`` (already relocated to real paths) of ``finding`` as the plan reports it."""
    loc = finding.location
    files = tuple(dict.fromkeys([*(e.path for e in fix.edits), *(p for p, _ in fix.new_files)]))
    return PlannedFix(finding.code, to_real(loc.path), loc.line, loc.column, fix.description,
                      fix.safe, files=files)


def _with_reason(planned: PlannedFix, reason: str) -> PlannedFix:
    from dataclasses import replace

    return replace(planned, reason=reason)


def unified_diff(change: FileChange, name: str) -> str:
    """``change`` as a unified diff (``git apply`` reads it); ``name`` is the displayed path."""
    before = change.before.splitlines(keepends=True) if change.before is not None else []
    after = change.after.splitlines(keepends=True)
    lines = difflib.unified_diff(
        before, after,
        fromfile=f"a/{name}" if change.before is not None else "/dev/null",
        tofile=f"b/{name}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
