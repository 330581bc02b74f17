"""composeguard on the real-world corpus, beside the findings judged by hand.

``../shared/corpus/JUDGED.tsv`` holds findings a person judged as each project's maintainer
would: TRUE (they would act on it) or NOISE (right on the letter, unhelpful there). Each
corpus folder is copied to a temp dir and made a git repository of its own, as a user's
checkout is, then checked in-process.

Run as ``python -m tests.judged`` from the repository root to print the tables of
``docs/accuracy.md`` (findings per rule, the judged rows, the environment of every file).
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from composeguard.lint.project import Project
from composeguard.runner import run

from .conftest import CORPUS, make_git_repo

REAL = CORPUS / "real"
JUDGED = CORPUS / "JUDGED.tsv"
JUDGED_HERE = Path(__file__).resolve().parent / "judged-here.tsv"
"""This project's own judgements of findings its later rules added, in JUDGED.tsv's format."""

Key = tuple[str, str, int, str]
"""(corpus folder, path inside it, line, rule code): how JUDGED.tsv names a finding."""


@dataclass(frozen=True, slots=True)
class Verdict:
    key: Key
    verdict: str
    reason: str


@dataclass(frozen=True, slots=True)
class Setup:
    folder: str
    files: tuple[str, ...]
    environment: str
    reason: str
    line: int


def judged_rows() -> list[Verdict]:
    rows = []
    for source in (JUDGED, JUDGED_HERE):
        with source.open(newline="", encoding="utf-8") as handle:
            rows.extend(Verdict((row["dir"], row["path"], int(row["line"]), row["rule"]),
                                row["verdict"], row["reason"])
                        for row in csv.DictReader(handle, delimiter="\t"))
    return rows


def check_folders(folders: Iterable[str]) -> Iterator[tuple[str, list[Key], list[Setup]]]:
    """Each corpus folder checked as a git repository: its findings and its setups."""
    with tempfile.TemporaryDirectory(prefix="composeguard-corpus-") as temp:
        for folder in folders:
            root = Path(temp) / folder
            shutil.copytree(REAL / folder, root, symlinks=True)
            make_git_repo(root)
            project = Project([root])
            result = run(project)
            if result.errors:
                raise AssertionError(f"{folder}: {result.errors}")
            findings = [(folder, f.location.path.relative_to(root).as_posix(), f.location.line,
                         f.code) for f in result.findings]
            setups = []
            if hasattr(project, "judgement"):  # composeguard before 0.2 had no judgement
                for model in project.models:
                    judgement = project.judgement(model)
                    setups.append(Setup(
                        folder, tuple(f.path.relative_to(root).as_posix() for f in model.files),
                        judgement.environment.value, judgement.reason, judgement.location.line))
                setups += [Setup(folder, (p.relative_to(root).as_posix(),), "skipped",
                                 why, 1) for p, why in project.skipped.items()]
            yield folder, findings, setups


def all_folders() -> list[str]:
    return sorted(p.name for p in REAL.iterdir() if p.is_dir())


def markdown(out: Iterable[str] = ()) -> str:
    rows = judged_rows()
    findings: list[Key] = []
    setups: list[Setup] = []
    for _, found, judged in check_folders(all_folders()):
        findings += found
        setups += judged
    reported = set(findings)
    lines = ["| rule | findings | judged TRUE kept | judged NOISE left |", "|---|---|---|---|"]
    per_rule = Counter(key[3] for key in findings)
    for code in sorted(set(per_rule) | {r.key[3] for r in rows}):
        true = [r for r in rows if r.key[3] == code and r.verdict == "TRUE"]
        noise = [r for r in rows if r.key[3] == code and r.verdict == "NOISE"]
        lines.append(f"| {code} | {per_rule[code]} | "
                     f"{sum(r.key in reported for r in true)}/{len(true)} | "
                     f"{sum(r.key in reported for r in noise)}/{len(noise)} |")
    lines.append(f"| all | {len(findings)} | "
                 f"{sum(r.key in reported for r in rows if r.verdict == 'TRUE')}/"
                 f"{sum(r.verdict == 'TRUE' for r in rows)} | "
                 f"{sum(r.key in reported for r in rows if r.verdict == 'NOISE')}/"
                 f"{sum(r.verdict == 'NOISE' for r in rows)} |")
    lines += ["", "Judged rows still reported as NOISE, and TRUE rows missed:", ""]
    for row in rows:
        if (row.key in reported) == (row.verdict == "NOISE"):
            lines.append(f"- {row.verdict} {'/'.join(map(str, row.key[:2]))}:{row.key[2]} "
                         f"{row.key[3]} ({row.reason})")
    lines += ["", "| folder | setup (`-f` files) | environment | why | line |",
              "|---|---|---|---|---|"]
    for setup in setups:
        files = " + ".join(f"`{f}`" for f in setup.files)
        reason = setup.reason.replace("|", "\\|")
        lines.append(f"| {setup.folder} | {files} | {setup.environment} | {reason} | "
                     f"{setup.line} |")
    return "\n".join([*out, *lines]) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
