"""libyaml's reader gives exactly ruamel's located tree, or steps aside so that ruamel reads
the text (and reports what is wrong with it, in its own words)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from composeguard.lint.parse import fastyaml
from composeguard.lint.parse.nodes import Node, from_ruamel
from composeguard.lint.parse.yamlio import MAX_EXPANDED_NODES, YamlLoadError, parse_yaml, read_text
from composeguard.rules import all_rules

from ..conftest import CORPUS, FIXTURES

PATH = Path("compose.yaml")


def difference(a: Any, b: Any, where: str = "root") -> str | None:
    """Where two trees differ: values, types, locations, tags, alias flags; None if nowhere."""
    if type(a) is not type(b):
        return f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, Node):
        for name in ("loc", "key_loc", "tag", "via_alias", "template"):
            if getattr(a, name) != getattr(b, name):
                return f"{where}: {name} {getattr(a, name)} != {getattr(b, name)}"
        return difference(a.value, b.value, where)
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{where}: keys {list(a)} != {list(b)}"
        return next((d for k in a if (d := difference(a[k], b[k], f"{where}.{k}"))), None)
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items != {len(b)}"
        return next((d for i, (x, y) in enumerate(zip(a, b, strict=True))
                     if (d := difference(x, y, f"{where}[{i}]"))), None)
    return None if a == b else f"{where}: {a!r} != {b!r}"


def outcome(text: str) -> str:
    """``same``, ``stepped aside``, or what went wrong."""
    fast = fastyaml.read_nodes(text, PATH, MAX_EXPANDED_NODES)
    try:
        data = parse_yaml(text, PATH)
    except YamlLoadError as error:
        return "stepped aside" if fast is fastyaml.NOT_READ else f"read what ruamel refuses: {error}"
    if fast is fastyaml.NOT_READ:
        return "stepped aside"
    reference = from_ruamel(data, PATH, text) if data is not None else None
    found = difference(fast, reference)
    return "same" if found is None else found


def yaml_texts() -> list[tuple[str, str]]:
    texts = []
    roots = [FIXTURES, *([CORPUS] if CORPUS.is_dir() else [])]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".yml", ".yaml") and path.is_file():
                try:
                    texts.append((str(path.relative_to(root.parent)), read_text(path)))
                except YamlLoadError:
                    continue
    for rule in all_rules():
        for number, example in enumerate(rule.examples):
            for name, text in {**example.files, **(example.fixed or {})}.items():
                if name.endswith((".yml", ".yaml")):
                    texts.append((f"{rule.code} case {number} {name}", text))
    return texts


TEXTS = yaml_texts()


def test_every_yaml_file_the_tests_hold_reads_the_same() -> None:
    outcomes = {name: outcome(text) for name, text in TEXTS}
    wrong = {name: o for name, o in outcomes.items() if o not in ("same", "stepped aside")}
    assert wrong == {}
    assert list(outcomes.values()).count("same") > 0.9 * len(outcomes)


def test_mutated_files_read_the_same_or_step_aside() -> None:
    """Random damage to real files: inserted anchors, aliases, merge keys, tags, quotes,
    brackets, comments, line breaks; deleted and repeated lines."""
    pieces = ["&a ", "*a", "<<: *a\n", ": ", "- ", "\n", "  ", "\t", "'", '"', "#", " #c",
              "{", "}", "[", "]", ",", "!reset ", "!override ", "? ", "|\n", ">-\n", "~",
              "yes", "0o17", "1_000", "\r\n", "---\n", "...\n", "x: &b {k: 1}\ny: *b\n",
              "<<: [*a, *b]\n", "é", "\\", "&a [1, 2]\n", "k:\n", "- \n"]
    rng = random.Random(13)
    wrong = []
    for _ in range(1500):
        name, text = rng.choice(TEXTS)
        for _ in range(rng.randint(1, 4)):
            i = rng.randint(0, len(text))
            roll = rng.random()
            if roll < 0.45:
                text = text[:i] + rng.choice(pieces) + text[i:]
            elif roll < 0.75:
                text = text[:i] + text[i + rng.randint(1, 5):]
            else:
                lines = text.split("\n")
                lines.insert(rng.randrange(len(lines)), rng.choice(lines))
                text = "\n".join(lines)
        result = outcome(text)
        if result not in ("same", "stepped aside"):
            wrong.append((name, result, text))
    assert wrong == []


@pytest.mark.parametrize(("text", "expected"), [
    ("a:\n  b:\n  c: 1\n", "same"),                 # an empty value: placed at the next key
    ("a:\n  b: # why\n  c: 1\n", "stepped aside"),  # ...unless a comment follows it
    ("a:\n  - \n  - x\n", "same"),                  # an empty list item: after its dash
    ("v:\n  data:", "same"),                        # an empty value at the end of the text
    ("p: !override\n  - '80:80'\n  - x\n", "same"),  # a tagged list: items where the list is
    ("x: &t true\ny: *t\n", "stepped aside"),       # ruamel keeps an anchored bool as an int
    ("a:\n\tb: 1\n", "stepped aside"),              # tabs: ruamel refuses what libyaml takes
    ("a: 1\na: 2\n", "stepped aside"),              # a duplicate key: ruamel's message
    ("a: 1\n---\nb: 2\n", "stepped aside"),         # two documents
    ("a: !!str 1\n", "stepped aside"),              # a tag other than Compose's
    ("b: &b {k: 1, j: 2}\nc: &c {k: 3, m: 4}\nd:\n  <<: [*b, *c]\n  j: 5\n", "same"),
    ("a: yes\nb: 0o17\nc: 1_000\nd: 2001-12-14\ne: .inf\nf: ~\ng:\n", "same"),
    ("é: 'ü'\nk: [a, {b: c}]\n", "same"),
    ("a: " + "[" * 150 + "]" * 150 + "\n", "stepped aside"),  # nested past MAX_NESTING
    ("".join(f"k{i}: ${{V{i}:-{{x}}}}\n" for i in range(150)), "same"),  # braces, no nesting
    ("~\n", "same"),                                # a null document: no tree, as ruamel
    ("null\n", "same"),
    ("--- ~\n", "same"),
])
def test_edge_cases(text: str, expected: str) -> None:
    assert outcome(text) == expected


def test_without_libyaml_everything_goes_to_ruamel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastyaml, "_parser_class", lambda: None)
    assert fastyaml.read_nodes("a: 1\n", PATH, MAX_EXPANDED_NODES) is fastyaml.NOT_READ


def test_an_alias_bomb_is_left_to_ruamel_which_refuses_it() -> None:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 7)]
    text = "\n".join(lines) + "\n"
    assert fastyaml.read_nodes(text, PATH, MAX_EXPANDED_NODES) is fastyaml.NOT_READ
    with pytest.raises(YamlLoadError, match="alias bomb"):
        parse_yaml(text, PATH)
    small = "\n".join(lines[:3]) + "\n"
    assert outcome(small) == "same"
