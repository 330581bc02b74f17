from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from composeguard.lint.engine.finding import Finding, Severity
from composeguard.lint.engine.selection import Selection
from composeguard.lint.engine.suppress import (
    CommentSyntax,
    Suppressions,
    comment_syntax,
    parse_suppressions,
    read_suppressions,
)
from composeguard.lint.parse.location import Location
from composeguard.lint.project import Project
from composeguard.runner import run

# ``image: mysql: 8`` is a YAML error reported (CG001) on its own line, column 17.
BROKEN = "    image: mysql: 8"


def cg001(root: Path) -> list[tuple[str, int]]:
    result = run(Project([root]), Selection(select=("CG001",)))
    assert not result.errors
    return [(f.location.path.name, f.location.line) for f in result.findings]


def compose(*lines: str) -> dict[str, str]:
    return {"compose.yaml": "\n".join(["services:", "  db:", *lines]) + "\n"}


# -- end to end through the runner (CG001 always exists) ------------------------------------


def test_unsuppressed_finding_is_reported(project_dir: Callable[..., Path]) -> None:
    assert cg001(project_dir(compose(BROKEN))) == [("compose.yaml", 3)]


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param((BROKEN + "  # composeguard: ignore[CG001]",), id="same-line"),
        pytest.param((BROKEN + "  # composeguard: ignore[cg001] fixed in #12",), id="reason"),
        pytest.param(("    # composeguard: ignore[CG001]", BROKEN), id="line-above"),
        pytest.param(("    # composeguard: ignore[yaml-syntax-error]", BROKEN), id="by-name"),
        pytest.param((BROKEN + "  # composeguard: ignore[CG101, CG001]",), id="list"),
        pytest.param((BROKEN + "  #composeguard:ignore[CG002,yaml-syntax-error]",), id="tight"),
    ],
)
def test_suppressed(project_dir: Callable[..., Path], lines: tuple[str, ...]) -> None:
    assert cg001(project_dir(compose(*lines))) == []


def test_file_level_suppression_anywhere(project_dir: Callable[..., Path]) -> None:
    files = compose(BROKEN, "# composeguard: ignore-file[CG001] generated file")
    assert cg001(project_dir(files)) == []


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param((BROKEN + "  # composeguard: ignore[CG002]",), id="other-code"),
        pytest.param((BROKEN + "  # composeguard: ignore[CG00]",), id="prefix-is-not-a-code"),
        pytest.param((BROKEN + "  # composeguard: ignore[yaml-syntax]",), id="partial-name"),
        pytest.param((BROKEN + "  # composeguard: ignore",), id="blanket"),
        pytest.param((BROKEN + "  # composeguard: ignore[]",), id="empty-brackets"),
        pytest.param(("    # composeguard: ignore[CG001]", "", BROKEN), id="two-lines-above"),
        pytest.param((BROKEN, "    # composeguard: ignore[CG001]"), id="line-below"),
        pytest.param((BROKEN + "  # composeguard: ignore-file[CG002]",), id="file-other-code"),
        pytest.param((BROKEN + "  # composeguard: ignorefile[CG001]",), id="misspelt"),
    ],
)
def test_not_suppressed(project_dir: Callable[..., Path], lines: tuple[str, ...]) -> None:
    assert cg001(project_dir(compose(*lines))) != []


def test_trailing_comment_on_line_above_covers_only_its_own_line(
    project_dir: Callable[..., Path],
) -> None:
    files = compose("    restart: always  # composeguard: ignore[CG001]", BROKEN)
    assert cg001(project_dir(files)) == [("compose.yaml", 4)]


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(('    image: "mysql # composeguard: ignore[CG001]": 8',),
                     id="same-line-string"),
        pytest.param(('    command: "echo', '      # composeguard: ignore[CG001]"', BROKEN),
                     id="multiline-double-quoted"),
        pytest.param(("    command: 'echo", "      # composeguard: ignore[CG001]'", BROKEN),
                     id="multiline-single-quoted"),
        pytest.param(("    command: |", "      # composeguard: ignore[CG001]", BROKEN),
                     id="block-scalar"),
    ],
)
def test_directive_inside_a_yaml_string_is_not_a_suppression(
    project_dir: Callable[..., Path], lines: tuple[str, ...]
) -> None:
    assert cg001(project_dir(compose(*lines))) != []


def test_blanket_directive_is_reported_by_the_runner(project_dir: Callable[..., Path]) -> None:
    root = project_dir(compose(BROKEN + "  # composeguard: ignore"))
    result = run(Project([root]), Selection(select=("CG001",)))
    assert [f.location.line for f in result.blanket] == [3]


def test_suppressed_findings_are_kept_aside(project_dir: Callable[..., Path]) -> None:
    root = project_dir(compose(BROKEN + "  # composeguard: ignore[CG001]"))
    result = run(Project([root]), Selection(select=("CG001",)))
    assert result.findings == []
    assert [f.code for f in result.suppressed] == ["CG001"]


# -- comment detection ----------------------------------------------------------------------


def lines_of(text: str, syntax: CommentSyntax = CommentSyntax.YAML) -> dict[int, set[str]]:
    parsed = parse_suppressions(text, syntax)
    return {line: set(tokens) for line, tokens in parsed.by_line.items()}


@pytest.mark.parametrize(
    "line",
    [
        'command: "sh -c \'x\' # composeguard: ignore[CG1]"',
        "command: 'it''s # composeguard: ignore[CG1]'",
        "url: http://x#composeguard: ignore[CG1]",
        "- 'a # composeguard: ignore[CG1]'",
        'args: ["a", "b # composeguard: ignore[CG1]"]',
        "{a: 'b # composeguard: ignore[CG1]'}",
        "key: value#composeguard: ignore[CG1]",
    ],
)
def test_yaml_text_that_is_not_a_comment(line: str) -> None:
    assert lines_of(line + "\n") == {}


@pytest.mark.parametrize(
    "line",
    [
        "# composeguard: ignore[CG1]",
        "key: value # composeguard: ignore[CG1]",
        "command: echo it's # composeguard: ignore[CG1]",
        "key: 'quoted' # composeguard: ignore[CG1]",
        '"key": "v" # composeguard: ignore[CG1]',
        "- [a, 'b'] # composeguard: ignore[CG1]",
        "key: &anchor 'x' # composeguard: ignore[CG1]",
    ],
)
def test_yaml_comments(line: str) -> None:
    assert lines_of(line + "\n")[1] == {"cg1"}


def test_block_scalar_body_is_not_a_comment() -> None:
    text = "services:\n  app:\n    command: |  # composeguard: ignore[CG1]\n      php artisan db:seed  # composeguard: ignore[CG2]\n\n      # composeguard: ignore[CG3]\n    image: app  # composeguard: ignore[CG4]\n    entrypoint:\n      - >-\n        # composeguard: ignore[CG5]\n      - x  # composeguard: ignore[CG6]" + "\n"
    found = lines_of(text)
    assert found == {3: {"cg1"}, 7: {"cg4"}, 11: {"cg6"}}


def test_multiline_quoted_scalar_is_not_a_comment() -> None:
    text = (
        'command: "first line\n  # composeguard: ignore[CG1]\n  end"\n'
        "x: 1 # composeguard: ignore[CG2]\n"
    )
    assert lines_of(text) == {4: {"cg2"}}


def test_own_line_comment_covers_next_line() -> None:
    assert lines_of("  # composeguard: ignore[CG1]\nkey: 1\n") == {1: {"cg1"}, 2: {"cg1"}}


@pytest.mark.parametrize(
    ("syntax", "text", "expected"),
    [
        (CommentSyntax.SHELL, "DB_CONNECTION=sqlite # composeguard: ignore[CG301]", True),
        (CommentSyntax.SHELL, "A='x # composeguard: ignore[CG301]'", False),
        (CommentSyntax.SHELL, 'A="x # composeguard: ignore[CG301]"', False),
        (CommentSyntax.SHELL, "docker compose down -v#composeguard: ignore[CG104]", False),
        (CommentSyntax.PHP, "'default' => env('DB', 'sqlite'), // composeguard: ignore[CG1]", True),
        (CommentSyntax.PHP, "'default' => env('DB', 'a // composeguard: ignore[CG301]'),", False),
        (CommentSyntax.PHP, "$x = 1; # composeguard: ignore[CG301]", True),
        (CommentSyntax.HASH, "DEBUG = True  # composeguard: ignore[CG302]", True),
        (CommentSyntax.HASH, "X = '# composeguard: ignore[CG302]'", False),
        (CommentSyntax.LINE_START, "*.sqlite # composeguard: ignore[CG402]", False),
        (CommentSyntax.LINE_START, "# composeguard: ignore-file[CG402]", True),
    ],
)
def test_other_languages(syntax: CommentSyntax, text: str, expected: bool) -> None:
    parsed = parse_suppressions(text + "\n", syntax)
    assert bool(parsed.by_line or parsed.whole_file) is expected


@pytest.mark.parametrize(
    ("name", "syntax"),
    [
        ("compose.yaml", CommentSyntax.YAML),
        ("docker-compose.prod.yml", CommentSyntax.YAML),
        ("database.php", CommentSyntax.PHP),
        ("settings.py", CommentSyntax.HASH),
        (".env.production", CommentSyntax.SHELL),
        ("deploy.sh", CommentSyntax.SHELL),
        ("Makefile", CommentSyntax.SHELL),
        (".gitignore", CommentSyntax.LINE_START),
    ],
)
def test_comment_syntax_by_file_name(name: str, syntax: CommentSyntax) -> None:
    assert comment_syntax(Path(name)) is syntax


# -- reading files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01# composeguard: ignore-file[CG001]\n",
        b"\xff\xfe# composeguard: ignore-file[CG001]\n",
        b"SQLite format 3\x00 composeguard",
    ],
)
def test_unreadable_files_have_no_suppressions(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "compose.yaml"
    path.write_bytes(content)
    assert not read_suppressions(path).whole_file


def test_missing_file_and_directory_have_no_suppressions(tmp_path: Path) -> None:
    assert not read_suppressions(tmp_path / "missing.yaml").by_line
    assert not read_suppressions(tmp_path).by_line


def test_file_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1 # composeguard: ignore[CG1]\r\nb: 2\r\n")
    assert read_suppressions(path).suppresses("CG1", "x", 1)


def test_each_file_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text("a: 1 # composeguard: ignore[CG1]\n")
    import composeguard.lint.engine.suppress as module

    reads: list[Path] = []
    original = module.read_regular

    def counting(self: Path, limit: int) -> bytes | None:
        reads.append(self)
        return original(self, limit)

    monkeypatch.setattr(module, "read_regular", counting)
    suppressions = Suppressions()
    finding = Finding("CG1", "rule-one", Severity.ERROR, Location(path, 1), "m")
    assert all(suppressions.is_suppressed(finding) for _ in range(3))
    assert reads == [path]
