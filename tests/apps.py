"""composeguard on whole applications, beside the findings and setups judged by hand.

``../shared/corpus/apps/`` holds real applications with every file that says how each is
built and deployed. ``JUDGED.tsv`` judges each finding as the app's maintainer would (TRUE,
NOISE, FALSE), ``SETUPS.tsv`` says what each compose setup is for, ``MISSES.tsv`` lists
risks that went unreported. Rows are named as in the compose-only corpus (:mod:`tests.judged`), the app in place of the
folder. Each app is copied to a temp dir and made a git repository
(``git add -f``: every kept file was tracked upstream, some despite the app's own ignore
rules), then checked in-process.

Run as ``python -m tests.apps`` from the repository root to print the tables of
``docs/accuracy.md`` for ``apps/``.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from composeguard.lint.project import Project
from composeguard.runner import run

from .conftest import CORPUS
from .judged import Key, Verdict

APPS = CORPUS / "apps"

@dataclass(frozen=True, slots=True)
class SetupVerdict:
    app: str
    chain: str
    purpose: str
    evidence: str


@dataclass(frozen=True, slots=True)
class Miss:
    key: Key
    risk: str


@dataclass(frozen=True, slots=True)
class Checked:
    app: str
    findings: list[Key]
    setups: dict[str, tuple[str, str]]
    """Each setup's chain (``a.yml + b.yml``) to its purpose and the reason given."""


def _rows(name: str) -> list[dict[str, str]]:
    with (APPS / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def judged_rows() -> list[Verdict]:
    return [Verdict((r["app"], r["path"], int(r["line"]), r["rule"]), r["verdict"], r["reason"])
            for r in _rows("JUDGED.tsv")]


def setup_rows() -> list[SetupVerdict]:
    return [SetupVerdict(r["app"], r["compose chain"], r["right purpose"],
                         r["right purpose and evidence"]) for r in _rows("SETUPS.tsv")]


def miss_rows() -> list[Miss]:
    return [Miss((r["app"], r["path"], int(r["line"]), r["rule family"].split()[0]), r["risk"])
            for r in _rows("MISSES.tsv")]


NEAR = 5
"""How far from a miss's line a finding may be and still report it: the row names the
service or the step, the finding its key or its command."""


def covers(reported: Iterable[Key], miss: Miss) -> bool:
    """Whether a finding of the miss's file and one of its rules is near its line."""
    app, path, line, codes = miss.key
    return any(k[0] == app and k[1] == path and k[3] in codes.split("/")
               and abs(k[2] - line) <= NEAR for k in reported)


def all_apps() -> list[str]:
    return sorted(p.name for p in APPS.iterdir() if p.is_dir())


def _git_repo(root: Path) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    for args in (("init", "-q", "-b", "main"), ("add", "-f", "-A"),
                 ("-c", "user.email=apps@example.invalid", "-c", "user.name=apps",
                  "commit", "-q", "-m", "app", "--allow-empty")):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def check_apps(apps: Iterable[str]) -> Iterator[Checked]:
    """Each app checked as a git repository of its own: its findings and its setups."""
    with tempfile.TemporaryDirectory(prefix="composeguard-apps-") as temp:
        for app in apps:
            root = Path(temp) / app
            shutil.copytree(APPS / app, root, symlinks=True,
                            ignore=shutil.ignore_patterns("TREE.txt"))
            _git_repo(root)
            project = Project([root])
            result = run(project)
            if result.errors:
                raise AssertionError(f"{app}: {result.errors}")
            findings = [(app, f.location.path.relative_to(root).as_posix(), f.location.line,
                         f.code) for f in result.findings]
            setups = {}
            for model in project.models:
                judgement = project.judgement(model)
                chain = " + ".join(f.path.relative_to(root).as_posix() for f in model.files)
                setups[chain] = (judgement.environment.value, judgement.reason)
            for path, why in project.skipped.items():
                setups[path.relative_to(root).as_posix()] = ("skipped", why)
            yield Checked(app, findings, setups)


def markdown() -> str:
    rows = judged_rows()
    checked = list(check_apps(all_apps()))
    findings = [key for c in checked for key in c.findings]
    reported = set(findings)
    lines = ["| rule | findings | TRUE kept | NOISE left | FALSE left |", "|---|---|---|---|---|"]
    per_rule = Counter(key[3] for key in findings)

    def kept(code: str | None, verdict: str) -> str:
        mine = [r for r in rows if r.verdict == verdict and code in (None, r.key[3])]
        return f"{sum(r.key in reported for r in mine)}/{len(mine)}"

    for code in sorted(set(per_rule) | {r.key[3] for r in rows}):
        lines.append(f"| {code} | {per_rule[code]} | {kept(code, 'TRUE')} | "
                     f"{kept(code, 'NOISE')} | {kept(code, 'FALSE')} |")
    lines.append(f"| all | {len(findings)} | {kept(None, 'TRUE')} | {kept(None, 'NOISE')} | "
                 f"{kept(None, 'FALSE')} |")
    judged = {r.key for r in rows}
    unjudged = sorted(k for k in reported if k not in judged)
    lines += ["", f"Findings no row judges: {len(unjudged)}", ""]
    lines += [f"- {'/'.join(map(str, k[:2]))}:{k[2]} {k[3]}" for k in unjudged]
    lines += ["", "Judged rows still reported as NOISE or FALSE, and TRUE rows missed:", ""]
    for row in rows:
        if (row.key in reported) == (row.verdict != "TRUE"):
            lines.append(f"- {row.verdict} {'/'.join(map(str, row.key[:2]))}:{row.key[2]} "
                         f"{row.key[3]} ({row.reason})")
    by_app = {c.app: c.setups for c in checked}
    right = 0
    setup_lines = []
    for verdict in setup_rows():
        decided = by_app.get(verdict.app, {}).get(verdict.chain, ("absent", ""))
        ok = decided[0] == verdict.purpose
        right += ok
        setup_lines.append(f"| {verdict.app} | `{verdict.chain}` | {verdict.purpose} | "
                           f"{decided[0]} | {'yes' if ok else '**no**'} | "
                           f"{decided[1].replace('|', '/')} |")
    lines += ["", f"Setups judged right: {right}/{len(setup_rows())}", "",
              "| app | setup | right purpose | decided | right | why |",
              "|---|---|---|---|---|---|", *setup_lines]
    known = {(v.app, v.chain) for v in setup_rows()}
    extra = [(c.app, chain) for c in checked for chain in c.setups if (c.app, chain) not in known]
    if extra:
        lines += ["", "Setups SETUPS.tsv does not list:", ""]
        lines += [f"- {app}: `{chain}` ({by_app[app][chain][0]})" for app, chain in extra]
    misses = miss_rows()
    lines += ["", f"Misses now reported (same file and rule, within {NEAR} lines):", ""]
    for miss in misses:
        hit = covers(reported, miss)
        lines.append(f"- {'yes' if hit else 'no '} {miss.key[0]}/{miss.key[1]}:{miss.key[2]} "
                     f"{miss.key[3]}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
