"""Env files read with python-dotenv's parser: each entry at the line an editor shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from composeguard.lint.engine.finding import source_lines
from composeguard.lint.parse.envfile import parse_env_text


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("DB_CONNECTION=sqlite\n", 1),
        ("\n\nDB_CONNECTION=sqlite\n", 3),
        ("A=1\r\n\r\nDB_CONNECTION=sqlite\r\n", 3),
        ("\r0\nDB_CONNECTION=sqlite\n", 2),  # a lone \r breaks no line
        ("X=1\u2028\nDB_CONNECTION=sqlite\n", 2),  # nor does U+2028
        ("# c\x0c\n  DB_CONNECTION=sqlite\n", 2),
        ("A='multi\nline'\nDB_CONNECTION=sqlite\n", 3),
    ],
)
def test_entries_are_at_the_line_git_and_editors_number(text: str, line: int) -> None:
    env = parse_env_text(text, Path(".env"))
    [entry] = [e for e in env.entries if e.key == "DB_CONNECTION"]
    assert entry.location.line == line
    assert source_lines(text)[line - 1].lstrip().startswith("DB_CONNECTION=")


@given(st.lists(st.sampled_from(["", "# note", "A=1", "\r0", "B='x'", "\u2028", " \x0c"]),
                max_size=8))
def test_the_line_holds_the_entry_whatever_comes_before(before: list[str]) -> None:
    text = "\n".join([*before, "DB_CONNECTION=sqlite"]) + "\n"
    env = parse_env_text(text, Path(".env"))
    entries = [e for e in env.entries if e.key == "DB_CONNECTION"]
    if entries:
        line = source_lines(text)[entries[-1].location.line - 1]
        assert line.lstrip().startswith("DB_CONNECTION=")
