from __future__ import annotations

from pathlib import Path

import pytest

from composeguard.fix.edits import EditError, Span, TextIndex, apply_edits, newline_of, splice
from composeguard.lint.engine.finding import Edit

P = Path("f.yaml")


def edit(start: tuple[int, int], end: tuple[int, int], text: str) -> Edit:
    return Edit(P, start, end, text)


def test_replacement_and_insertion_by_line_and_column() -> None:
    text = "a: 1\nb: 2\n"
    assert apply_edits(text, [edit((2, 4), (2, 5), "3")]) == "a: 1\nb: 3\n"
    assert apply_edits(text, [edit((1, 5), (1, 5), "\nc: 4")]) == "a: 1\nc: 4\nb: 2\n"
    assert apply_edits(text, [edit((3, 1), (3, 1), "d: 5\n")]) == "a: 1\nb: 2\nd: 5\n"


def test_edits_all_refer_to_the_original_text() -> None:
    text = "one two three"
    edits = [edit((1, 9), (1, 14), "3"), edit((1, 1), (1, 4), "1")]
    assert apply_edits(text, edits) == "1 two 3"


def test_insertions_at_one_point_keep_their_order() -> None:
    assert apply_edits("x", [edit((1, 2), (1, 2), "a"), edit((1, 2), (1, 2), "b")]) == "xab"


def test_positions_outside_the_text_are_errors() -> None:
    with pytest.raises(EditError):
        apply_edits("a\nb\n", [edit((5, 1), (5, 1), "x")])
    with pytest.raises(EditError):
        apply_edits("ab\n", [edit((1, 4), (1, 4), "x")])
    with pytest.raises(EditError):
        apply_edits("abc", [edit((1, 3), (1, 2), "x")])


def test_overlapping_edits_are_errors() -> None:
    with pytest.raises(EditError):
        apply_edits("abcdef", [edit((1, 1), (1, 4), "x"), edit((1, 3), (1, 5), "y")])


def test_crlf_file_gets_crlf_in_inserted_lines() -> None:
    text = "a: 1\r\nb: 2\r\n"
    assert newline_of(text) == "\r\n"
    result = apply_edits(text, [edit((1, 5), (1, 5), "\nc: 3")])
    assert result == "a: 1\r\nc: 3\r\nb: 2\r\n"


def test_a_column_counts_characters_not_bytes() -> None:
    text = "name: café\nx: 1\n"
    assert apply_edits(text, [edit((1, 11), (1, 11), "!")]) == "name: café!\nx: 1\n"
    assert TextIndex(text).position(text.index("x")) == (2, 1)


def test_span_conflicts() -> None:
    insertion = Span(5, 5, "a")
    assert insertion.conflicts(Span(5, 5, "b"))
    assert not insertion.conflicts(Span(5, 5, "a"))  # the same edit twice coincides
    assert not insertion.conflicts(Span(5, 9, "x"))  # inserting before a replacement
    assert Span(6, 6, "a").conflicts(Span(5, 9, "x"))  # inserting inside one
    assert Span(1, 4, "a").conflicts(Span(3, 6, "b"))
    assert not Span(1, 3, "a").conflicts(Span(3, 6, "b"))
    assert splice("abc", [Span(1, 1, "x"), Span(1, 1, "x")]) == "axbc"
