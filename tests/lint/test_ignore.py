"""``IgnoreRules`` against the real ``git check-ignore``, plus ``explain`` unit tests.

The comparison builds a real repository with nested ``.gitignore`` files and
``.git/info/exclude``, creates every path on disk (so git knows what is a directory), asks git
once for all of them, and requires the same answer and the same deciding line for each.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composeguard.lint.facts.ignore import IgnoreMatch, IgnoreRules

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GitAnswer = tuple[str, str, str]
"""``(source, line, pattern)`` as ``git check-ignore -v`` prints them; empty when nothing."""


def _git_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_SYSTEM=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    return env


def build_repository(
    root: Path, ignore_files: Mapping[str, str], files: Sequence[str], dirs: Sequence[str]
) -> None:
    subprocess.run(["git", "init", "-q"], cwd=root, env=_git_env(), check=True)
    for directory in dirs:
        (root / directory).mkdir(parents=True, exist_ok=True)
    for file in files:
        (root / file).parent.mkdir(parents=True, exist_ok=True)
        (root / file).write_text("x", encoding="utf-8")
    for name, text in ignore_files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(text.encode("utf-8"))


def git_check_ignore(root: Path, paths: Sequence[str]) -> dict[str, GitAnswer]:
    """One ``git check-ignore --no-index --stdin -z --verbose --non-matching`` for all paths."""
    command = ["git", "-c", f"core.excludesFile={os.devnull}", "check-ignore", "--no-index"]
    command += ["--stdin", "-z", "--verbose", "--non-matching"]
    stdin = b"".join(os.fsencode(path) + b"\0" for path in paths)
    done = subprocess.run(
        command, cwd=root, env=_git_env(), input=stdin, capture_output=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr.decode(errors="replace")
    fields = [os.fsdecode(field) for field in done.stdout.split(b"\0")[:-1]]
    assert len(fields) == 4 * len(paths)
    records = [fields[i : i + 4] for i in range(0, len(fields), 4)]
    return {path: (source, line, pattern) for source, line, pattern, path in records}


def our_answer(rules: IgnoreRules, root: Path, path: str, is_dir: bool) -> GitAnswer:
    found = rules.explain(path, is_dir=is_dir)
    if found is None:
        return ("", "", "")
    return (found.source.relative_to(root).as_posix(), str(found.line), found.pattern)


def mismatches(root: Path, files: Sequence[str], dirs: Sequence[str]) -> list[str]:
    """Every path where our answer or deciding pattern differs from git's, described."""
    paths = [*dirs, *files]
    git = git_check_ignore(root, paths)
    rules = IgnoreRules(root)
    problems = []
    for path in paths:
        is_dir = path in dirs
        ours = our_answer(rules, root, path, is_dir)
        git_ignored = bool(git[path][0]) and not git[path][2].startswith("!")
        if ours != git[path] or rules.ignored(path, is_dir=is_dir) != git_ignored:
            kind = "dir " if is_dir else "file"
            problems.append(f"{kind} {path!r}: git {git[path]!r}, ours {ours!r}")
    return problems


ROOT_GITIGNORE = """\
# a comment, then a blank line

*.sqlite*
!keep.sqlite
/db.sqlite3
storage/*.sqlite3
logs/
!logs/important/
build/**
!build/**/keep
**/cache/
docs/**/*.tmp
tmp*/
file[0-9].txt
[!a]x.log
name[[:digit:]]
\\#hash
\\!bang
trailing   \n\
escaped\\ \n\
*.bak
!nested/**/*.bak
!docs/a
nest**/secret.key
**\\/only
other/[![:digit:]]*.py
other/\t*
tab\\\t
"""

NESTED_GITIGNORE = "*.txt\n!important.txt\n/anchored\nsub/only\n!*.sqlite\nsu**/keep\n"
DEEP_GITIGNORE = "!*.txt\n*.md\r\n"
NEVER_READ_GITIGNORE = "!*\n"
INFO_EXCLUDE = "secret*\n!secret.pub\n*.md\nfile1.txt\n"

DIRECTORIES = [
    "database", "storage", "nested", "nested/deep", "nested/sub", "logs", "logs/important",
    "build", "build/x", "build/x/y", "cache", "a/cache", "docs", "docs/a/b", "tmp1", "tmpdir/x",
    "other",
]
FILE_NAMES = [
    "database.sqlite", "db.sqlite3", "development.sqlite3", "keep.sqlite", "x.sqlite-wal",
    "données.sqlite", "file1.txt", "fileA.txt", "important.txt", "README.md", "bx.log",
    "ax.log", "name5", "namex", "#hash", "!bang", "trailing", "escaped ", "keep", "anchored",
    "only", "secret.key", "secret.pub", "a.bak", "x.tmp", "plain.py", "\tx", "1.py", "tab\t",
]


@needs_git
def test_agrees_with_git_check_ignore_on_every_path(tmp_path: Path) -> None:
    files = [
        f"{directory}/{name}" if directory else name
        for directory, name in itertools.product(["", *DIRECTORIES], FILE_NAMES)
    ]
    dirs = sorted({"/".join(d.split("/")[:i]) for d in DIRECTORIES for i in range(1, 4)} - {""})
    ignore_files = {
        ".gitignore": ROOT_GITIGNORE,
        "nested/.gitignore": NESTED_GITIGNORE,
        "nested/deep/.gitignore": DEEP_GITIGNORE,
        "logs/.gitignore": NEVER_READ_GITIGNORE,
        ".git/info/exclude": INFO_EXCLUDE,
    }
    build_repository(tmp_path, ignore_files, files, dirs)

    problems = mismatches(tmp_path, files, dirs)

    assert not problems, f"{len(problems)} paths differ from git:\n" + "\n".join(problems[:40])
    rules = IgnoreRules(tmp_path)
    outcomes = [rules.ignored(path) for path in files]
    assert 100 < sum(outcomes) < len(files) - 100, "the fixture should exercise both answers"
    for path in ("database/database.sqlite", "db.sqlite3", "storage/development.sqlite3"):
        assert rules.ignored(path)
    assert not rules.ignored("nested/database.sqlite")
    assert rules.ignored("logs/important/keep.sqlite")


TOKENS = [
    "a", "b", "db", "*", "**", "?", "/", "[ab]", "[!a]", "[a-c]", "[[:digit:]]", "[]]",
    "\\*", "\\#", "\\!", "\\ ", " ", ".sqlite", ".sqlite3", "*.sqlite*", "!", "#", "1", "[^b]",
    "***", "\\", "\\/", "a**", "**/", "\t", "[!/]",
]
NAMES = ["c", "ab", "a1", "db.sqlite3", "a.sqlite", "x.sqlite-wal", "#b", "!a", "a b", "]"]
PREFIXES = ["", "a", "b", "a/b", "db", "a/a/a"]
RANDOM_FILES = [
    "/".join(filter(None, [prefix, name])) for prefix, name in itertools.product(PREFIXES, NAMES)
]
RANDOM_DIRS = ["a", "b", "a/b", "db", "a/a", "a/a/a"]

patterns = st.builds(
    lambda bang, tokens, slash: bang + "".join(tokens) + slash,
    st.sampled_from(["", "", "!"]),
    st.lists(st.sampled_from(TOKENS), min_size=1, max_size=4),
    st.sampled_from(["", "", "/"]),
)
ignore_texts = st.lists(patterns, max_size=5).map(lambda lines: "\n".join(lines) + "\n")


@needs_git
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(root=ignore_texts, nested=ignore_texts, deep=ignore_texts, exclude=ignore_texts)
def test_agrees_with_git_on_generated_patterns(
    root: str, nested: str, deep: str, exclude: str
) -> None:
    ignore_files = {
        ".gitignore": root,
        "a/.gitignore": nested,
        "a/a/.gitignore": deep,
        ".git/info/exclude": exclude,
    }
    with tempfile.TemporaryDirectory() as temp:
        build_repository(Path(temp), ignore_files, RANDOM_FILES, RANDOM_DIRS)
        problems = mismatches(Path(temp), RANDOM_FILES, RANDOM_DIRS)
    assert not problems, "\n".join(problems)


def rules_for(files: Mapping[str, str], reads: list[Path] | None = None) -> IgnoreRules:
    """Rules over an in-memory tree; ``reads`` records every file the rules asked for."""
    root = Path("/project")

    def read(path: Path) -> str | None:
        if reads is not None:
            reads.append(path)
        return files.get(path.relative_to(root).as_posix())

    return IgnoreRules(root, read)


def test_explain_names_the_deciding_line_and_source() -> None:
    rules = rules_for({".gitignore": "# databases\n*.sqlite\n\n*.sqlite3   \n"})

    assert rules.explain("db.sqlite3") == IgnoreMatch(
        Path("/project/.gitignore"), 4, "*.sqlite3", False
    )
    assert rules.explain("app/main.py") is None
    assert rules.ignored("a/b/c.sqlite")
    assert not rules.ignored("app/main.py")


def test_a_negation_that_decides_is_reported_as_not_ignored() -> None:
    rules = rules_for({".gitignore": "*.sqlite\n!seed.sqlite\n"})

    found = rules.explain("seed.sqlite")

    assert found == IgnoreMatch(Path("/project/.gitignore"), 2, "!seed.sqlite", True)
    assert not rules.ignored("seed.sqlite")


def test_the_deepest_gitignore_with_a_match_wins_over_its_parents_and_info_exclude() -> None:
    rules = rules_for({
        ".gitignore": "*.sqlite\n",
        "database/.gitignore": "!keep.sqlite\n",
        ".git/info/exclude": "!*.sqlite\n*.log\n",
    })

    assert rules.explain("database/keep.sqlite") == IgnoreMatch(
        Path("/project/database/.gitignore"), 1, "!keep.sqlite", True
    )
    assert rules.explain("database/other.sqlite") == IgnoreMatch(
        Path("/project/.gitignore"), 1, "*.sqlite", False
    )
    assert rules.explain("x.log") == IgnoreMatch(
        Path("/project/.git/info/exclude"), 2, "*.log", False
    )


def test_a_file_under_an_excluded_directory_cannot_be_re_included() -> None:
    reads: list[Path] = []
    rules = rules_for(
        {".gitignore": "storage/\n!storage/db.sqlite3\n", "storage/.gitignore": "!*\n"}, reads
    )

    found = rules.explain("storage/db.sqlite3")

    assert found == IgnoreMatch(Path("/project/.gitignore"), 1, "storage/", False)
    assert Path("/project/storage/.gitignore") not in reads


def test_a_pattern_matching_only_a_parent_directory_does_not_decide_for_its_files() -> None:
    rules = rules_for({".gitignore": "*.sqlite\n!/storage\n"})

    assert rules.explain("storage/db.sqlite") == IgnoreMatch(
        Path("/project/.gitignore"), 1, "*.sqlite", False
    )


def test_directory_only_patterns_need_a_directory() -> None:
    rules = rules_for({".gitignore": "data/\n"})

    assert not rules.ignored("data")
    assert rules.ignored("data", is_dir=True)
    assert rules.ignored("data/")
    assert rules.ignored("data/app.sqlite")


def test_anchored_patterns_are_relative_to_their_file() -> None:
    rules = rules_for({"app/.gitignore": "/db.sqlite3\nconfig/*.db\n"})

    assert rules.ignored("app/db.sqlite3")
    assert not rules.ignored("db.sqlite3")
    assert not rules.ignored("app/sub/db.sqlite3")
    assert rules.ignored("app/config/x.db")
    assert not rules.ignored("app/sub/config/x.db")


def test_escapes_and_trailing_spaces_follow_git() -> None:
    rules = rules_for({".gitignore": "\\#notes\n\\!important\nspaced\\ \ntrimmed  \n"})

    assert rules.ignored("#notes")
    assert rules.ignored("!important")
    assert rules.ignored("spaced ")
    assert not rules.ignored("spaced")
    assert rules.explain("trimmed") == IgnoreMatch(Path("/project/.gitignore"), 4, "trimmed", False)


def test_each_file_is_read_at_most_once_and_only_when_needed() -> None:
    reads: list[Path] = []
    rules = rules_for({".gitignore": "*.sqlite\n"}, reads)
    assert reads == []

    for name in ("a.sqlite", "b.sqlite", "sub/c.sqlite", "sub/d.txt"):
        rules.ignored(name)

    expected = [".gitignore", "sub/.gitignore", ".git/info/exclude"]
    assert sorted(reads) == sorted(Path("/project", name) for name in expected)


def test_paths_may_be_absolute_or_need_normalising() -> None:
    rules = rules_for({".gitignore": "/database/*.sqlite\n"})

    assert rules.ignored(Path("/project/database/database.sqlite"))
    assert rules.ignored("./database/../database/database.sqlite")
    assert not rules.ignored("/elsewhere/database/database.sqlite")
    assert not rules.ignored("../database/database.sqlite")
    assert rules.explain("") is None
    assert rules.explain(".") is None


def test_laravel_default_layout_ignores_its_sqlite_file(tmp_path: Path) -> None:
    (tmp_path / "database").mkdir()
    (tmp_path / ".gitignore").write_text("/vendor\n/node_modules\n.env\n", encoding="utf-8")
    (tmp_path / "database" / ".gitignore").write_text("*.sqlite*\n", encoding="utf-8")

    rules = IgnoreRules(tmp_path)

    assert rules.explain("database/database.sqlite") == IgnoreMatch(
        tmp_path / "database" / ".gitignore", 1, "*.sqlite*", False
    )
    assert not rules.ignored("db.sqlite3")


def test_without_any_ignore_file_nothing_is_ignored(tmp_path: Path) -> None:
    rules = IgnoreRules(tmp_path)

    assert not rules.ignored("database/database.sqlite")
    assert rules.explain("db.sqlite3") is None


def test_a_failing_reader_counts_as_a_missing_file() -> None:
    def read(path: Path) -> str | None:
        raise OSError("unreadable")

    assert not IgnoreRules(Path("/project"), read).ignored("db.sqlite3")


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=80), path=st.text(max_size=30), is_dir=st.booleans())
def test_no_input_makes_it_raise(text: str, path: str, is_dir: bool) -> None:
    rules = rules_for({".gitignore": text, "a/.gitignore": text})

    found = rules.explain(path, is_dir=is_dir)

    assert rules.ignored(path, is_dir=is_dir) == (found is not None and not found.negated)
