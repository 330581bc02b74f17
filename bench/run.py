#!/usr/bin/env python3
"""Time ``composeguard check`` as a user runs it: a fresh process each run, CPU time.

    python bench/run.py [--repeat 5] [--count 250] [--scales 1,2,4,8,16] [--sizes 16,...,4096]

Run it with the Python of the environment composeguard is installed in (``.venv/bin/python
bench/run.py``). Every figure is the median CPU time (user + system, from the child's own
``wait4``: these machines are shared) of ``--repeat`` runs after one warm-up, with peak RSS. In
one run it prints, against the goals of issue 14:

- **start-up**: ``check examples/laravel-shop`` and ``check`` of one typical generated compose
  project, each interleaved run by run with the floor ``python -c "import ruamel.yaml, click"``,
  and the ratio;
- **per file**: ``check`` of generated corpora of ``--count`` x each of ``--scales`` compose
  files (bench/make_corpus.py; 250 to 4,000 by default), the CPU per file and its ratio to the
  smallest corpus's;
- **per MB**: ``check`` of one generated compose file of each of ``--sizes`` KB (16 KB to 4 MB),
  less the run of a one-service file, per MB, and its ratio to the median of the sizes; peak
  RSS and RSS per MB;
- **dclint**: dclint (the npm package, installed once into ``~/.cache/composeguard-bench`` when
  npm is there) on the example, the 1,000-file corpus and the 314 real files of
  ``../shared/corpus/real``, ``--dclint-repeat`` runs (0 skips it), and the ratio;
- ``--repo-files N``: one Laravel application of N files committed in a real git repository;
- ``--against REV``: the composeguard of git revision ``REV`` (its ``src/`` exported to a
  temporary folder, with this environment's libraries), paired run by run on the example and
  the 1,000-file corpus.

The corpora are written to a temporary directory unless ``--corpus`` names one to keep.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from make_corpus import generate, generate_repository, generate_workspace, large_compose_file


def composeguard_command() -> list[str]:
    """The console script of this interpreter's environment, else ``python -m composeguard``."""
    script = shutil.which("composeguard", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "composeguard"]


def run_once(argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None
             ) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, exit code) of one run of ``argv``."""
    wall, cpu, _, code = measure(argv, cwd, env=env)
    return wall, cpu, code


def measure(argv: Sequence[str], cwd: Path, accept: Sequence[int] = (0, 1),
            env: Mapping[str, str] | None = None
            ) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, peak RSS in KB, exit code) of one run, from the child's
    own resource usage (``wait4``), so nothing else on the machine is counted."""
    env = {key: value for key, value in {**os.environ, **(env or {})}.items()
           if key != "PYTHONDONTWRITEBYTECODE"}  # the warm-up writes the .pyc files pip would
    env["NO_COLOR"] = "1"
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


def time_paired(first: Sequence[str], second: Sequence[str], repeat: int, cwd: Path,
                env: Mapping[str, str] | None = None) -> tuple[list[float], list[float]]:
    """CPU seconds of ``repeat`` runs of each command, interleaved (first, second, second,
    first...) so that a busier minute of the shared machine weighs on both alike."""
    run_once(first, cwd, env)
    run_once(second, cwd, env)
    a: list[float] = []
    b: list[float] = []
    for i in range(repeat):
        order = ((first, a), (second, b)) if i % 2 == 0 else ((second, b), (first, a))
        for argv, into in order:
            into.append(run_once(argv, cwd, env)[1])
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


REAL_CORPUS = REPO.parent / "shared" / "corpus" / "real"
"""The 314 real compose files of 53 projects that sit beside the repository, when they do."""


def median_cpu(argv: Sequence[str], repeat: int, cwd: Path = REPO
               ) -> tuple[float, float, float, int]:
    """(median wall, median CPU, peak RSS in MB, exit code) of ``repeat`` runs after a warm-up."""
    measure(argv, cwd)
    runs = [measure(argv, cwd) for _ in range(repeat)]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
            max(r[2] for r in runs) / 1024, runs[-1][3])


_IN_PROCESS = """
import contextlib, io, resource, sys, time
from composeguard.cli import main
warm, target = sys.argv[1:3]
with contextlib.redirect_stdout(io.StringIO()):
    main(["check", warm])
    started = time.process_time()
    main(["check", target])
    spent = time.process_time() - started
print(spent)
"""


def check_cpu_in_process(target: Path, warm: Path, repeat: int) -> tuple[float, float]:
    """(median CPU seconds, peak RSS in MB) of ``check target`` alone: each run a new process
    that first checks ``warm`` (so the modules that kind of file needs are imported), then
    times the check of ``target`` with ``time.process_time``. Start-up is a fixed cost; this
    is the cost that grows with the file."""
    code = [sys.executable, "-c", _IN_PROCESS, str(warm), str(target)]
    spent, peaks = [], []
    for _ in range(repeat + 1):
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        child = subprocess.Popen(code, cwd=REPO, env={**env, "NO_COLOR": "1"},
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = child.communicate()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        if child.returncode != 0:
            raise SystemExit(f"in-process check of {target} failed:\n{err.decode()[-2000:]}")
        spent.append(float(out.decode().split()[-1]))
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(spent[1:]), max(peaks[1:])


def typical_file(into: Path, seed: int) -> Path:
    """One typical compose project: the first generated base file of about 1.3 KB."""
    generate(into, 1, seed)
    return next(into.rglob("*.y*ml")).parent


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per command")
    parser.add_argument("--count", type=int, default=250,
                        help="compose files in the 1x corpus (the scales multiply it)")
    parser.add_argument("--scales", default="1,2,4,8,16",
                        help="corpus sizes, as multiples of --count (default: 250 to 4,000)")
    parser.add_argument("--sizes", default="16,64,256,1024,4096",
                        help="sizes in KB of the single large compose files (0: none)")
    parser.add_argument("--seed", type=int, default=7, help="corpus generator seed")
    parser.add_argument("--corpus", type=Path, help="write (and keep) the corpora here")
    parser.add_argument("--repo-files", type=int, default=0,
                        help="tracked files in the repository case (0, the default: skip it)")
    parser.add_argument("--clones", type=int, default=8,
                        help="git repositories in the parallel case, holding the 1,000 files "
                             "of the 4x corpus between them (0: skip it)")
    parser.add_argument("--against", metavar="REV",
                        help="also time the composeguard of this git revision, paired")
    parser.add_argument("--dclint-repeat", type=int, default=1,
                        help="timed runs of dclint per case (it is slow; 0 skips it)")
    args = parser.parse_args(argv)
    os.environ["COMPOSEGUARD_NO_CACHE"] = "1"  # every figure is a full check but the "cached" ones
    scales = [int(x) for x in args.scales.split(",") if x.strip()]
    sizes = [int(x) for x in args.sizes.split(",") if x.strip() and int(x) > 0]

    with tempfile.TemporaryDirectory(prefix="composeguard-bench-") as scratch:
        root = args.corpus or Path(scratch) / "corpora"
        if root.exists() and any(root.iterdir()):
            raise SystemExit(f"{root} is not empty; give an empty or new directory")
        corpora: list[tuple[int, Path, int]] = []
        started = time.perf_counter()
        for scale in scales:
            folder = root / f"{scale}x"
            files = generate(folder, args.count * scale, args.seed)
            corpora.append((scale, folder, len(files)))
        singles: list[tuple[int, Path, int]] = []
        for kb in sizes:
            folder = root / f"single-{kb}k"
            folder.mkdir(parents=True)
            text = large_compose_file(kb * 1024, args.seed)
            (folder / "compose.yaml").write_text(text, encoding="utf-8")
            singles.append((kb, folder, len(text.encode())))
        tiny = root / "single-1k"
        tiny.mkdir(parents=True)
        (tiny / "compose.yaml").write_text(large_compose_file(1024, args.seed),
                                           encoding="utf-8")
        typical = typical_file(root / "typical", args.seed)
        clones = root / "workspace"
        if args.clones:
            generate_workspace(clones, args.clones, 1000, args.seed)
        generated = time.perf_counter() - started
        repository = None
        if args.repo_files:
            started = time.perf_counter()
            repository = generate_repository(Path(scratch) / "repository", args.repo_files,
                                             args.seed)
            committed = time.perf_counter() - started

        cg = composeguard_command()
        floor = [sys.executable, "-c", "import ruamel.yaml, click"]
        example = [*cg, "check", "examples/laravel-shop"]
        one_file = [*cg, "check", str(typical)]
        print(f"python {sys.version.split()[0]} on {os.cpu_count()} CPUs, "
              f"{time.strftime('%Y-%m-%d')}; {args.repeat} timed runs each after one warm-up; "
              "figures are median CPU seconds (user + system, from wait4)")
        print(f"generated in {generated:.1f} s: corpora of "
              f"{', '.join(f'{n:,}' for _, _, n in corpora)} compose files (seed {args.seed}), "
              f"single files of {', '.join(f'{kb:,} KB' for kb, _, _ in singles)}")
        if repository is not None:
            print(f"repository: {repository.files:,} files written and committed in "
                  f"{committed:.2f} s (temporary)")

        print("\n## Start-up, paired with the floor (runs interleaved); a full check, then a "
              "check replayed from the result cache")
        table("case", ["CPU", "floor", "ratio", "goal"])
        warm = {"COMPOSEGUARD_NO_CACHE": "", "COMPOSEGUARD_CACHE_DIR": str(Path(scratch) / "cache")}
        for label, command, goal in (("the bundled example", example, 2.0),
                                     (f"one typical compose file ({typical_size(typical)})",
                                      one_file, 1.7)):
            for how, env in (("full", None), ("cached", warm)):
                ours, base = time_paired(command, floor, args.repeat, REPO, env)
                mine, floor_cpu = statistics.median(ours), statistics.median(base)
                row(f"{label}, {how}", [f"{mine:.3f}s", f"{floor_cpu:.3f}s",
                                        f"{mine / floor_cpu:.2f}x", f"{goal}x"])

        print("\n## Per file, as the corpus grows (per file: less the start-up, a check of a "
              "1 KB file)")
        start = median_cpu([*cg, "check", str(tiny)], args.repeat)[1]
        table("corpus", ["files", "CPU", "wall", "per file", "vs 1x", "peak RSS"])
        per_file: dict[int, float] = {}
        corpus_cpu: dict[int, float] = {}
        for scale, folder, count in corpora:
            wall, cpu, rss, _ = median_cpu([*cg, "check", str(folder)], args.repeat)
            corpus_cpu[count] = cpu
            per_file[scale] = (cpu - start) / count
            first = per_file[scales[0]]
            row(f"{scale}x", [f"{count:,}", f"{cpu:.2f}s", f"{wall:.2f}s",
                              f"{per_file[scale] * 1000:.2f} ms", f"{per_file[scale] / first:.2f}",
                              f"{rss:.0f} MB"])
        print(f"(start-up: {start:.3f}s)")

        print("\n## Per MB, one compose file of each size (its check alone, timed in the process,"
              " after the check of a 1 KB file)")
        table("file", ["bytes", "CPU", "per MB", "vs median", "peak RSS", "RSS per MB"])
        per_mb: dict[int, float] = {}
        rows = []
        for kb, folder, size in singles:
            cpu, _ = check_cpu_in_process(folder, tiny, args.repeat)
            rss = median_cpu([*cg, "check", str(folder)], 1)[2]
            mb = size / 1_000_000
            per_mb[kb] = cpu / mb
            rows.append((kb, size, cpu, rss))
        _, _, base_rss, _ = median_cpu([*cg, "check", str(tiny)], 1)
        middle = statistics.median(per_mb.values()) if per_mb else 0.0
        for kb, size, cpu, rss in rows:
            row(f"{kb:,} KB", [f"{size:,}", f"{cpu:.3f}s", f"{per_mb[kb]:.2f}s",
                              f"{per_mb[kb] / middle:.2f}", f"{rss:.0f} MB",
                              f"{(rss - base_rss) / (size / 1_000_000):.0f} MB"])
        print(f"(peak RSS of a whole run; RSS per MB is above the {base_rss:.0f} MB of the "
              "1 KB file's run)")

        if args.clones:
            print(f"\n## Separate projects in parallel: {args.clones} git clones holding 1,000 "
                  "compose files between them")
            table("command", ["wall", "CPU", "peak RSS", "wall ratio"])
            serial = None
            for label, extra in (("check --jobs 1", ["--jobs", "1"]), ("check (both CPUs)", [])):
                wall, cpu, rss, _ = median_cpu([*cg, "check", *extra, str(clones)], args.repeat)
                serial = serial or wall
                row(label, [f"{wall:.2f}s", f"{cpu:.2f}s", f"{rss:.0f} MB",
                            f"{serial / wall:.2f}x"])
            print("(peak RSS of the largest process)")

        if repository is not None:
            wall, cpu, rss, _ = median_cpu([*cg, "check", str(repository.root)], args.repeat)
            print(f"\nrepository of {repository.files:,} tracked files: {cpu:.2f}s CPU, "
                  f"{wall:.2f}s wall, {rss:.0f} MB")

        dclint = dclint_command() if args.dclint_repeat > 0 else None
        if args.dclint_repeat > 0 and dclint is None:
            print("\ndclint: not available (npm missing or the install failed); not compared")
        if dclint is not None:
            print(f"\n## dclint {DCLINT_VERSION} on the same inputs ({args.dclint_repeat} run(s) "
                  "after a warm-up; its exit code is ignored)")
            table("input", ["dclint", "ours", "ratio", "goal"])
            versus = [("the bundled example", Path("examples/laravel-shop"), None)]
            if 1000 in corpus_cpu:
                folder = next(f for _, f, n in corpora if n == 1000)
                versus.append(("the 1,000-file corpus", folder, 20))
            if REAL_CORPUS.is_dir():
                versus.append(("the real corpus (314 files)", REAL_CORPUS, 20))
            for label, target, goal in versus:
                theirs_argv = [*dclint, "-r", "-q", str(target)]
                measure(theirs_argv, REPO, accept=range(256))
                theirs = statistics.median(measure(theirs_argv, REPO, accept=range(256))[1]
                                           for _ in range(args.dclint_repeat))
                ours = median_cpu([*cg, "check", str(target)], args.repeat)[1]
                row(label, [f"{theirs:.2f}s", f"{ours:.2f}s", f"{theirs / ours:.1f}x less",
                            f"{goal}x" if goal else ""])

        if args.against:
            against = revision_command(args.against, Path(scratch) / "against")
            print(f"\n## Paired with {args.against} (median CPU seconds, interleaved runs)")
            table("command", ["this", args.against[:9], "ratio"])
            middle_corpus = next((f for _, f, n in corpora if n == 1000), corpora[-1][1])
            for label, command in (("the bundled example", example),
                                   ("the 1,000-file corpus", [*cg, "check", str(middle_corpus)])):
                ours, theirs = time_paired(command, [*against, *command[len(cg):]],
                                           args.repeat, REPO)
                mine, old = statistics.median(ours), statistics.median(theirs)
                row(label, [f"{mine:.3f}s", f"{old:.3f}s", f"{old / mine:.2f}x less CPU"])
    return 0


def typical_size(folder: Path) -> str:
    size = sum(p.stat().st_size for p in folder.glob("*.y*ml"))
    return f"{size / 1024:.1f} KB"


WIDTH = 40


def table(first: str, columns: Sequence[str]) -> None:
    header = f"{first:<{WIDTH}}" + "".join(f"{c:>12}" for c in columns)
    print(header)
    print("-" * len(header))


def row(first: str, cells: Sequence[str]) -> None:
    print(f"{first:<{WIDTH}}" + "".join(f"{c:>12}" for c in cells))


if __name__ == "__main__":
    sys.exit(main())
