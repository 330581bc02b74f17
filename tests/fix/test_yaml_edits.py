from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from composeguard.fix.edits import apply_edits
from composeguard.fix.yaml_edits import YamlText

P = Path("compose.yaml")
ITEM = "db_data:/var/lib/mysql"


def add_volume(text: str) -> str | None:
    doc = YamlText.parse(P, text)
    assert doc is not None
    edits = doc.edits(doc.append_item(("services", "db", "volumes"), ITEM),
                      doc.set_entry(("volumes",), "db_data"))
    return apply_edits(text, edits) if edits is not None else None


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines removed from ``before`` and the lines added in ``after``."""
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(True), after.splitlines(True)):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def test_block_service_gets_a_volumes_key_and_the_file_a_section() -> None:
    before = "services:\n  db:\n    image: mysql:8.4  # pinned\n"
    assert add_volume(before) == (
        "services:\n  db:\n    image: mysql:8.4  # pinned\n"
        "    volumes:\n      - db_data:/var/lib/mysql\nvolumes:\n  db_data:\n"
    )


def test_existing_list_and_section_are_appended_to() -> None:
    before = ("services:\n  db:\n    image: mysql\n    volumes:\n      - ./conf:/etc/mysql/conf.d\n"
              "  app:\n    image: php\nvolumes:\n  other:\n")
    after = add_volume(before)
    assert after is not None
    assert changed_lines(before, after) == (
        [], ["      - db_data:/var/lib/mysql\n", "  db_data:\n"])
    assert after.index("db_data:/var") < after.index("  app:")


def test_four_space_indentation_and_dashes_at_the_key_column() -> None:
    before = ("services:\n    db:\n        image: mysql\n        volumes:\n"
              "        - \"./c:/etc/c\"\n"
              "    app:\n        image: php\n        ports:\n        - 80:80\n")
    after = add_volume(before)
    assert after is not None
    assert changed_lines(before, after) == (
        [], ['        - "db_data:/var/lib/mysql"\n', "volumes:\n", "    db_data:\n"])


def test_flow_styles_stay_flow() -> None:
    before = "services:\n  db: {image: mysql, volumes: ['./c:/etc/c']}\nvolumes: {other: {}}\n"
    assert add_volume(before) == (
        "services:\n  db: {image: mysql, volumes: ['./c:/etc/c', 'db_data:/var/lib/mysql']}\n"
        "volumes: {other: {}, db_data: null}\n"
    )


def test_empty_values_are_filled_in_place() -> None:
    before = "services:\n  db:\n    volumes:\n    image: mysql\nvolumes:\n"
    assert add_volume(before) == (
        "services:\n  db:\n    volumes:\n      - db_data:/var/lib/mysql\n    image: mysql\n"
        "volumes:\n  db_data:\n"
    )


def test_file_without_final_newline_keeps_that_shape() -> None:
    after = add_volume("services:\n  db:\n    image: mysql")
    assert after == ("services:\n  db:\n    image: mysql\n    volumes:\n"
                     "      - db_data:/var/lib/mysql\nvolumes:\n  db_data:")


def test_crlf_line_endings_are_kept() -> None:
    after = add_volume("services:\r\n  db:\r\n    image: mysql\r\n")
    assert after == ("services:\r\n  db:\r\n    image: mysql\r\n    volumes:\r\n"
                     "      - db_data:/var/lib/mysql\r\nvolumes:\r\n  db_data:\r\n")


def test_a_literal_block_keeps_its_lines() -> None:
    before = "services:\n  db:\n    image: mysql\n    command: |\n      mysqld\n      # done\n\n"
    after = add_volume(before)
    assert after is not None
    assert after.startswith(before.rstrip("\n") + "\n    volumes:\n")


@pytest.mark.parametrize(("title", "text"), [
    ("volumes through an alias", ("x: &v ['./c:/c']\nservices:\n  db:\n    image: mysql\n"
                                  "    volumes: *v\n")),
    ("volumes through a merge key", ("x: &x\n  volumes: ['./c:/c']\nservices:\n  db:\n"
                                     "    <<: *x\n    image: mysql\n")),
    ("a !reset list", "services:\n  db:\n    image: mysql\n    volumes: !reset []\n"),
    ("a kept block scalar last", ("services:\n  db:\n    image: mysql\n    command: |+\n"
                                  "      mysqld\n\n")),
    ("volumes not a list", "services:\n  db:\n    image: mysql\n    volumes: nope\n"),
])
def test_edits_that_would_change_more_are_refused(title: str, text: str) -> None:
    assert add_volume(text) is None, title


def test_unparsable_or_ambiguous_files_are_not_edited() -> None:
    assert YamlText.parse(P, "services: [\n") is None
    assert YamlText.parse(P, "a: 1\n---\nb: 2\n") is None
    assert YamlText.parse(P, "a: 1\rb: 2\r") is None


def test_set_entry_on_an_existing_key_changes_nothing() -> None:
    doc = YamlText.parse(P, "volumes:\n  db_data:\n")
    assert doc is not None
    change = doc.set_entry(("volumes",), "db_data")
    assert change is not None and change.edits == ()


def test_replace_scalar_keeps_quotes_and_comments() -> None:
    text = "services:\n  db:\n    volumes:\n      - 'pg:/var/lib/postgresql/data'  # data\n"
    doc = YamlText.parse(P, text)
    assert doc is not None
    node = doc.item_at(4, 9)
    assert node is not None and node.value == "pg:/var/lib/postgresql/data"
    outer = doc.node_at(3, 5)
    assert outer is not None and outer.kind == "map" and outer.path == ("services", "db")
    edits = doc.edits(doc.replace_scalar(node, "pg:/var/lib/postgresql"))
    assert edits is not None
    assert apply_edits(text, edits) == (
        "services:\n  db:\n    volumes:\n      - 'pg:/var/lib/postgresql'  # data\n")


def test_new_strings_are_quoted_when_plain_would_read_differently() -> None:
    doc = YamlText.parse(P, "a: 1\n")
    assert doc is not None
    assert doc.scalar("db_data") == "db_data"
    assert doc.scalar("yes") == '"yes"'
    assert doc.scalar("1234") == '"1234"'
    assert doc.scalar("a: b") == '"a: b"'
    assert doc.scalar("x:/y", flow=True) == '"x:/y"'


def test_anchor_users_are_counted() -> None:
    text = ("x-db: &db\n  image: mysql\n  volumes:\n    - /var/lib/mysql\n"
            "services:\n  a:\n    <<: *db\n  b:\n    <<: *db\n")
    doc = YamlText.parse(P, text)
    assert doc is not None
    node = doc.item_at(4, 7)
    assert node is not None and node.value == "/var/lib/mysql"
    assert doc.anchors_above(node) == ["db"]
    assert doc.alias_count("db") == 2
