#!/usr/bin/env python3
"""Time ``composeguard check`` as a user runs it: a fresh process, wall clock.

    python bench/run.py [--repeat 7] [--count 1000] [--seed 7] [--corpus DIR]

Run it with the Python of the environment composeguard is installed in (``.venv/bin/python
bench/run.py``). It times, each ``--repeat`` times after one warm-up run, and prints the median
and the minimum:

- the floors: ``python -c pass`` and ``python -c "import ruamel.yaml, click"`` (no linter can
  start faster than the interpreter and its YAML and CLI libraries);
- ``composeguard check examples/laravel-shop`` (the bundled example);
- ``composeguard check CORPUS``: a corpus of ``--count`` generated compose files
  (bench/make_corpus.py, deterministic for a seed), written to a temporary directory unless
  ``--corpus`` names one to keep;
- ``composeguard check REPOSITORY``: one Laravel application of ``--repo-files`` files (20,000 by
  default; 0 skips it), every one committed in a real git repository, with a committed vendor
  tree, four compose files, one tracked ``.env`` and one tracked SQLite database.

CPU time and peak memory (user + system, and the maximum resident set of each child, from
``wait4``) are printed beside wall time: these machines are shared, and CPU time is what a
change moves. dclint (the npm package, installed once into ``~/.cache/composeguard-bench``
when npm is there) runs on the example and the corpus too, ``--dclint-repeat`` times (0
skips it), and the ratio of the two CPU times is printed. ``--against REV`` also runs the
composeguard of git revision ``REV`` (its ``src/`` exported to a temporary folder, with this
environment's libraries) on the example and the corpus, the two interleaved run by run, and
prints the ratio of their median CPU times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from make_corpus import generate, generate_repository


def composeguard_command() -> list[str]:
    """The console script of this interpreter's environment, else ``python -m composeguard``."""
    script = shutil.which("composeguard", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "composeguard"]


def run_once(argv: Sequence[str], cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, exit code) of one run of ``argv``."""
    wall, cpu, _, code = measure(argv, cwd)
    return wall, cpu, code


def measure(argv: Sequence[str], cwd: Path, accept: Sequence[int] = (0, 1)
            ) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, peak RSS in KB, exit code) of one run, from the child's
    own resource usage (``wait4``), so nothing else on the machine is counted."""
    env = {**os.environ, "NO_COLOR": "1"}
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                                 stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        if child.returncode not in accept:
            errors.seek(0)
            raise SystemExit(f"{' '.join(argv)} exited {child.returncode}:\n"
                             f"{errors.read().decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, child.returncode


def time_paired(first: Sequence[str], second: Sequence[str], repeat: int, cwd: Path
                ) -> tuple[list[float], list[float]]:
    """CPU seconds of ``repeat`` runs of each command, interleaved (first, second, second,
    first...) so that a busier minute of the shared machine weighs on both alike."""
    run_once(first, cwd)
    run_once(second, cwd)
    a: list[float] = []
    b: list[float] = []
    for i in range(repeat):
        order = ((first, a), (second, b)) if i % 2 == 0 else ((second, b), (first, a))
        for argv, into in order:
            into.append(run_once(argv, cwd)[1])
    return a, b


DCLINT_VERSION = "3.1.0"


def dclint_command() -> list[str] | None:
    """dclint (the npm package), installed once into ``~/.cache/composeguard-bench``; None
    when npm is not there or the install fails (the comparison is then left out)."""
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") \
        / "composeguard-bench" / f"dclint-{DCLINT_VERSION}"
    binary = folder / "node_modules" / ".bin" / "dclint"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund",
                               "--prefix", str(folder), f"dclint@{DCLINT_VERSION}"],
                              capture_output=True, check=False, timeout=600)
        if done.returncode != 0 or not binary.exists():
            return None
    return [str(binary)]


def revision_command(revision: str, into: Path) -> list[str]:
    """A command that runs the composeguard of git ``revision``: its ``src/`` exported to
    ``into``, imported ahead of the installed one, with this environment's libraries."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", revision, "src"], cwd=REPO, check=True,
                             stdout=subprocess.PIPE).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    source = into / "src"
    code = (f"import sys; sys.path.insert(0, {str(source)!r}); import composeguard; "
            f"assert composeguard.__file__.startswith({str(source)!r}); "
            "from composeguard.cli import main; sys.exit(main())")
    return [sys.executable, "-c", code]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per command")
    parser.add_argument("--count", type=int, default=1000, help="compose files in the corpus")
    parser.add_argument("--seed", type=int, default=7, help="corpus generator seed")
    parser.add_argument("--corpus", type=Path, help="write (and keep) the corpus here")
    parser.add_argument("--repo-files", type=int, default=20_000,
                        help="tracked files in the repository case (0: skip it)")
    parser.add_argument("--against", metavar="REV",
                        help="also time the composeguard of this git revision, paired")
    parser.add_argument("--dclint-repeat", type=int, default=1,
                        help="timed runs of dclint per case (it is slow; 0 skips it)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="composeguard-bench-") as scratch:
        corpus = args.corpus or Path(scratch) / "corpus"
        if corpus.exists() and any(corpus.iterdir()):
            raise SystemExit(f"{corpus} is not empty; give an empty or new directory")
        started = time.perf_counter()
        files = generate(corpus, args.count, args.seed)
        generated = time.perf_counter() - started
        projects = len({p.parent for p in files})
        repository = None
        if args.repo_files:
            started = time.perf_counter()
            repository = generate_repository(Path(scratch) / "repository", args.repo_files,
                                             args.seed)
            committed = time.perf_counter() - started

        cg = composeguard_command()
        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"], None),
            ("python -c 'import ruamel.yaml, click'",
             [sys.executable, "-c", "import ruamel.yaml, click"], None),
            ("composeguard --version", [*cg, "--version"], None),
            ("composeguard check examples/laravel-shop",
             [*cg, "check", "examples/laravel-shop"], 1),
            (f"composeguard check <corpus: {len(files)} files>", [*cg, "check", str(corpus)],
             len(files)),
        ]
        if repository is not None:
            cases.append((f"composeguard check <repository: {repository.files:,} tracked>",
                          [*cg, "check", str(repository.root)], repository.files))

        print(f"python {sys.version.split()[0]} on {os.cpu_count()} CPUs; "
              f"{args.repeat} timed runs each after one warm-up")
        print(f"corpus: {len(files)} compose files in {projects} projects, seed {args.seed}, "
              f"generated in {generated:.2f} s{'' if args.corpus else ' (temporary)'}")
        if repository is not None:
            print(f"repository: {repository.files:,} files written and committed in "
                  f"{committed:.2f} s (temporary)")
        print()
        header = (f"{'command':<52} {'median':>9} {'min':>9} {'CPU':>9} {'peak RSS':>9}  exit"
                  "  CPU per file")
        print(header)
        print("-" * len(header))
        medians: dict[str, float] = {}
        for label, command, files_checked in cases:
            measure(command, REPO)
            runs = [measure(command, REPO) for _ in range(args.repeat)]
            times, cpus = [r[0] for r in runs], [r[1] for r in runs]
            median, fastest, cpu = statistics.median(times), min(times), statistics.median(cpus)
            medians[label] = cpu
            peak = max(r[2] for r in runs) / 1024
            per_file = ""
            if files_checked and files_checked > 1:
                per_file = f"{cpu / files_checked * 1000:.2f} ms"
            print(f"{label:<52} {median:>8.3f}s {fastest:>8.3f}s {cpu:>8.3f}s {peak:>6.0f} MB"
                  f"  {runs[-1][3]:>4}  {per_file}")
        dclint = dclint_command() if args.dclint_repeat > 0 else None
        if args.dclint_repeat > 0 and dclint is None:
            print("\ndclint: not available (npm missing or the install failed); not compared")
        if dclint is not None:
            print(f"\ndclint {DCLINT_VERSION} on the same inputs (median CPU of "
                  f"{args.dclint_repeat} run(s) after one warm-up; its exit code is ignored)")
            header = f"{'input':<52} {'dclint':>9} {'ours':>9}  ratio"
            print(header)
            print("-" * len(header))
            for label, command, _ in cases[3:5]:
                target = command[-1]
                argv = [*dclint, "-r", "-q", target]
                measure(argv, REPO, accept=range(256))
                theirs = statistics.median(measure(argv, REPO, accept=range(256))[1]
                                           for _ in range(args.dclint_repeat))
                ours = medians[label]
                shown = label.replace("composeguard check ", "")
                print(f"{shown:<52} {theirs:>8.3f}s {ours:>8.3f}s  "
                      f"{theirs / ours:.1f}x less CPU for composeguard")
        if args.against:
            against = revision_command(args.against, Path(scratch) / "against")
            print(f"\npaired with {args.against} (median CPU seconds, interleaved runs)")
            header = f"{'command':<52} {'this':>9} {args.against[:9]:>9}  ratio"
            print(header)
            print("-" * len(header))
            for label, command, _ in cases[3:5]:
                ours, theirs = time_paired(command, [*against, *command[len(cg):]],
                                           args.repeat, REPO)
                mine, old = statistics.median(ours), statistics.median(theirs)
                print(f"{label:<52} {mine:>8.3f}s {old:>8.3f}s  {old / mine:.2f}x less CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
