"""Every finding and every fix on the fixtures, the examples and the corpus is what the
recorded snapshot says (``python -m tests.behaviour`` rewrites it, on purpose only)."""

from __future__ import annotations

import json

import pytest

from .behaviour import SNAPSHOT, behaviour, sources

RECORDED = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
SOURCES = dict(sources())


def test_the_record_covers_every_project_there_is() -> None:
    assert set(SOURCES) - set(RECORDED) == set(), "run `python -m tests.behaviour`"
    assert {n for n in RECORDED if not n.startswith("corpus/")} <= set(SOURCES)


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_behaviour_is_as_recorded(name: str) -> None:
    if name not in SOURCES:
        pytest.skip("../shared/corpus is not beside this clone")
    assert behaviour(SOURCES[name]) == RECORDED[name]
